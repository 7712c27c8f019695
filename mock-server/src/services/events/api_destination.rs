//! API destination targets: the HTTP request EventBridge makes for an event, and the job that
//! sends it. The request is planned under the partition lock (endpoint, connection auth,
//! parameters); the call itself, and an OAuth token fetch before it, run as a job, so neither the
//! request that put the event nor the timer loop waits on the network.

use super::delivery::{Attempt, Failure};
use super::state::{ConnectionAuth, State};
use base64::Engine as _;
use codemock_wire::events as wire;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::time::Duration;

/// How long EventBridge waits for an API destination (AWS: 5 seconds). Real time: this bounds
/// network I/O, not simulated work.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// RFC 3986's unreserved characters stay as they are; everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Everything the call needs, copied out of the state.
#[derive(Debug, Clone)]
pub struct Plan {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// Fetched first when the connection uses OAuth client credentials.
    oauth: Option<OAuth>,
}

#[derive(Debug, Clone)]
struct OAuth {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    form: String,
}

/// Plans the call of the API destination `arn` for attempt `a`, or fails it for good when the
/// destination, its connection or its endpoint cannot be used.
pub fn plan(state: &State, a: &Attempt, arn: &str) -> Result<Plan, Failure> {
    let Some(dest) = state.api_destinations.values().find(|d| d.arn == arn) else {
        return Err(Failure::new(
            "ResourceNotFoundException",
            format!("API destination {arn} does not exist."),
            false,
        ));
    };
    let Some(conn) = state
        .connections
        .values()
        .find(|c| c.arn == dest.connection_arn)
    else {
        return Err(Failure::new(
            "ResourceNotFoundException",
            format!("Connection {} does not exist.", dest.connection_arn),
            false,
        ));
    };
    if conn.state == wire::ConnectionState::Deauthorized {
        return Err(Failure::new(
            "ConnectionDeauthorized",
            format!("Connection {} is deauthorized.", conn.name),
            false,
        ));
    }
    // Without a TLS client an https endpoint can never be reached: failing it for good spares
    // a day of pointless retries.
    let oauth_endpoint = match &conn.auth {
        Some(ConnectionAuth::OAuth {
            authorization_endpoint,
            ..
        }) => Some(authorization_endpoint.as_str()),
        _ => None,
    };
    for url in std::iter::once(dest.invocation_endpoint.as_str()).chain(oauth_endpoint) {
        if !url.starts_with("http://") {
            return Err(Failure::new(
                "UnsupportedEndpoint",
                format!("codemock calls only http:// endpoints (no TLS client); cannot call {url}"),
                false,
            ));
        }
    }
    let params = a.target.http_parameters.clone().unwrap_or_default();
    // `*` in the endpoint are path parameters, filled in order.
    let mut url = String::new();
    let mut values = params
        .path_parameter_values
        .clone()
        .unwrap_or_default()
        .into_iter();
    for c in dest.invocation_endpoint.chars() {
        if c == '*' {
            url.push_str(&values.next().unwrap_or_default());
        } else {
            url.push(c);
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body_params: Vec<(String, String)> = Vec::new();
    if let Some(cp) = &conn.invocation_http_parameters {
        collect_connection_params(cp, &mut headers, &mut query, &mut body_params);
    }
    headers.extend(params.header_parameters.clone().unwrap_or_default());
    query.extend(params.query_string_parameters.clone().unwrap_or_default());
    let mut oauth = None;
    match &conn.auth {
        Some(ConnectionAuth::Basic { username, password }) => {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            headers.push(("authorization".into(), format!("Basic {token}")));
        }
        Some(ConnectionAuth::ApiKey { name, value }) => headers.push((name.clone(), value.clone())),
        Some(ConnectionAuth::OAuth {
            client_id,
            client_secret,
            authorization_endpoint,
            http_method,
            http_parameters,
        }) => {
            oauth = Some(oauth_request(
                authorization_endpoint,
                http_method.as_str(),
                client_id,
                client_secret,
                http_parameters.as_ref(),
            ))
        }
        None => {}
    }
    let method = dest.http_method.as_str().to_owned();
    let with_body = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    let body = with_body.then(|| {
        // Connection body parameters are merged into a JSON object payload.
        match serde_json::from_str::<Value>(&a.input) {
            Ok(Value::Object(mut map)) if !body_params.is_empty() => {
                for (k, v) in &body_params {
                    map.entry(k.clone()).or_insert_with(|| json!(v));
                }
                Value::Object(map).to_string()
            }
            _ => a.input.to_string(),
        }
    });
    headers.push((
        "content-type".into(),
        "application/json; charset=utf-8".into(),
    ));
    headers.push((
        "user-agent".into(),
        "Amazon/EventBridge/ApiDestinations".into(),
    ));
    Ok(Plan {
        method,
        url: add_query(&url, &query),
        headers,
        body,
        oauth,
    })
}

/// Makes the planned call: what the destination answered, as EventBridge judges it.
pub async fn call(mut plan: Plan) -> Result<(), Failure> {
    if let Some(oauth) = plan.oauth.take() {
        let token = oauth_token(oauth)
            .await
            .map_err(|m| Failure::new("SdkClientException", m, true))?;
        plan.headers
            .push(("authorization".into(), format!("Bearer {token}")));
    }
    let (status, body) = http_request(&plan.method, &plan.url, &plan.headers, plan.body)
        .await
        // A connection that cannot be made may work later: retried, as AWS retries timeouts.
        .map_err(|m| Failure::new("SdkClientException", m, true))?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    // AWS retries 401, 407, 409, 429 and 5xx answers; other client errors are final.
    let retryable = matches!(status, 401 | 407 | 409 | 429) || status >= 500;
    Err(Failure::new(
        &status.to_string(),
        format!("Received a {status} response from the API destination: {body}"),
        retryable,
    ))
}

fn collect_connection_params(
    cp: &wire::ConnectionHttpParameters,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
    body: &mut Vec<(String, String)>,
) {
    let pair = |k: &Option<String>, v: &Option<String>| {
        (k.clone().unwrap_or_default(), v.clone().unwrap_or_default())
    };
    headers.extend(
        cp.header_parameters
            .iter()
            .flatten()
            .map(|h| pair(&h.key, &h.value)),
    );
    query.extend(
        cp.query_string_parameters
            .iter()
            .flatten()
            .map(|q| pair(&q.key, &q.value)),
    );
    body.extend(
        cp.body_parameters
            .iter()
            .flatten()
            .map(|b| pair(&b.key, &b.value)),
    );
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY_VALUE),
                utf8_percent_encode(v, QUERY_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn add_query(url: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encode_pairs(query))
}

/// The client-credentials grant: the client id and secret as Basic authorization,
/// `grant_type=client_credentials` plus the connection's OAuth body parameters as a form. Tokens
/// are fetched per invocation (AWS caches them; the server sees the same calls with fewer token
/// requests).
fn oauth_request(
    endpoint: &str,
    method: &str,
    client_id: &str,
    client_secret: &str,
    params: Option<&wire::ConnectionHttpParameters>,
) -> OAuth {
    let mut headers = Vec::new();
    let mut query = Vec::new();
    let mut body = vec![("grant_type".to_owned(), "client_credentials".to_owned())];
    if let Some(p) = params {
        collect_connection_params(p, &mut headers, &mut query, &mut body);
    }
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"));
    headers.push(("authorization".into(), format!("Basic {basic}")));
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    OAuth {
        method: method.to_owned(),
        url: add_query(endpoint, &query),
        headers,
        form: encode_pairs(&body),
    }
}

async fn oauth_token(o: OAuth) -> Result<String, String> {
    let (status, text) = http_request(&o.method, &o.url, &o.headers, Some(o.form)).await?;
    if !(200..300).contains(&status) {
        return Err(format!(
            "The OAuth authorization endpoint answered {status}: {text}"
        ));
    }
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .ok_or_else(|| "The OAuth authorization endpoint returned no access_token.".to_owned())
}

/// One HTTP/1.1 exchange over a fresh TCP connection. Only `http://` endpoints: codemock has no
/// TLS client, so `https://` endpoints fail the invocation with a message saying so.
async fn http_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<String>,
) -> Result<(u16, String), String> {
    use http_body_util::{BodyExt, Full};
    let parsed = url::Url::parse(url).map_err(|e| format!("invalid endpoint {url}: {e}"))?;
    if parsed.scheme() != "http" {
        return Err(format!(
            "codemock calls only http:// endpoints (no TLS client); cannot call {url}"
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("endpoint {url} names no host"))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let authority = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let address = format!("{host}:{port}");
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("HTTP handshake with {address} failed: {e}"))?;
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(&path)
            .header("host", authority.as_str());
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req
            .body(Full::new(bytes::Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("invalid request: {e}"))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("request to {url} failed: {e}"))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the response of {url} failed: {e}"))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    tokio::time::timeout(HTTP_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("{url} did not answer within 5 seconds"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded_except_unreserved_characters() {
        let q = vec![("a b".to_owned(), "x/y~z-._".to_owned())];
        assert_eq!(add_query("http://h/p", &q), "http://h/p?a%20b=x%2Fy~z-._");
        assert_eq!(
            add_query("http://h/p?k=1", &q),
            "http://h/p?k=1&a%20b=x%2Fy~z-._"
        );
    }
}

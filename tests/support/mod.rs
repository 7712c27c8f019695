//! A small raw HTTP client for the wire tests, so that they see exactly the bytes on the wire.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

pub use codemock::MockServer;

/// A response as the test sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request on a fresh connection.
pub async fn send(server: &MockServer, req: http::Request<Full<Bytes>>) -> Reply {
    let stream = tokio::net::TcpStream::connect(server.address())
        .await
        .expect("connect");
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let resp = sender.send_request(req).await.expect("response");
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// Signs nothing but carries the SigV4 scope, as every SDK request does.
pub fn authorization(access_key: &str, region: &str, service: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={access_key}/20240101/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
}

/// `POST /` with an `X-Amz-Target` and a JSON body, as the SDKs send it.
pub async fn call(server: &MockServer, target: &str, body: &str) -> Reply {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    send(server, req).await
}

pub async fn get(server: &MockServer, path: &str) -> Reply {
    let req = http::Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .expect("request");
    send(server, req).await
}

pub async fn post(server: &MockServer, path: &str, body: &str) -> Reply {
    let req = http::Request::post(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    send(server, req).await
}

/// `POST /` with a target, a content type and a JSON body; asserts a 200 and answers the JSON.
pub async fn json_call(
    server: &MockServer,
    content_type: &str,
    target: &str,
    body: Value,
) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let r = send(server, req).await;
    assert_eq!(
        r.status,
        200,
        "{target}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

/// CodeDeploy application `web` with deployment group `group` (deployment config `config`) over
/// two on-premises instances, `box-1` and `box-2`, tagged `env=prod` as the group selects.
pub async fn on_premises_fleet(server: &MockServer, group: &str, config: &str) {
    let cd = |op: &str| format!("CodeDeploy_20141006.{op}");
    let t = "application/x-amz-json-1.1";
    json_call(
        server,
        t,
        &cd("CreateApplication"),
        json!({"applicationName": "web"}),
    )
    .await;
    json_call(
        server,
        t,
        &cd("CreateDeploymentGroup"),
        json!({
            "applicationName": "web",
            "deploymentGroupName": group,
            "deploymentConfigName": config,
            "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
            "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]
        }),
    )
    .await;
    for name in ["box-1", "box-2"] {
        json_call(
            server,
            t,
            &cd("RegisterOnPremisesInstance"),
            json!({"instanceName": name, "iamUserArn": format!("arn:aws:iam::000000000000:user/{name}")}),
        )
        .await;
        json_call(
            server,
            t,
            &cd("AddTagsToOnPremisesInstances"),
            json!({"instanceNames": [name], "tags": [{"Key": "env", "Value": "prod"}]}),
        )
        .await;
    }
}

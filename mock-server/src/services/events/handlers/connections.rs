//! Connections (how API destinations authorize: basic, API key, OAuth client credentials) and
//! API destinations (HTTP endpoints as targets). Secrets are kept in the connection, never
//! returned, as AWS keeps them in Secrets Manager.

use super::{already_exists, not_found, page, ts};
use crate::error::ServiceError;
use crate::ids::arn;
use crate::services::events::state::{ApiDestination, Connection, ConnectionAuth};
use crate::services::events::Call;
use codemock_wire::events as wire;

/// AWS's default invocation rate of an API destination.
const DEFAULT_RATE_LIMIT: i32 = 300;

// AWS words its not-found errors of these resources this way (seen in its responses and the
// documentation's error examples).
fn connection_not_found(name: &str) -> ServiceError {
    not_found(format!(
        "Failed to describe the connection(s). Connection '{name}' does not exist."
    ))
}

fn destination_not_found(name: &str) -> ServiceError {
    not_found(format!(
        "Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
    ))
}

fn missing(member: &str, kind: wire::ConnectionAuthorizationType) -> ServiceError {
    ServiceError::validation(format!(
        "Parameter(s) {member} must be specified for authorization type {}.",
        kind.as_str()
    ))
}

/// The auth a create request describes, checked against its authorization type.
fn auth_from_create(
    kind: wire::ConnectionAuthorizationType,
    p: &wire::CreateConnectionAuthRequestParameters,
) -> Result<ConnectionAuth, ServiceError> {
    use wire::ConnectionAuthorizationType as T;
    match kind {
        T::Basic => {
            let b = p
                .basic_auth_parameters
                .as_ref()
                .ok_or_else(|| missing("BasicAuthParameters", kind))?;
            Ok(ConnectionAuth::Basic {
                username: b.username.clone(),
                password: b.password.clone(),
            })
        }
        T::ApiKey => {
            let k = p
                .api_key_auth_parameters
                .as_ref()
                .ok_or_else(|| missing("ApiKeyAuthParameters", kind))?;
            Ok(ConnectionAuth::ApiKey {
                name: k.api_key_name.clone(),
                value: k.api_key_value.clone(),
            })
        }
        T::OauthClientCredentials => {
            let o = p
                .o_auth_parameters
                .as_ref()
                .ok_or_else(|| missing("OAuthParameters", kind))?;
            let client = o.client_parameters.clone();
            Ok(ConnectionAuth::OAuth {
                client_id: client.client_id,
                client_secret: client.client_secret,
                authorization_endpoint: o.authorization_endpoint.clone(),
                http_method: o.http_method,
                http_parameters: o.o_auth_http_parameters.clone(),
            })
        }
    }
}

fn auth_to_wire(c: &Connection) -> wire::ConnectionAuthResponseParameters {
    let mut out = wire::ConnectionAuthResponseParameters {
        invocation_http_parameters: c.invocation_http_parameters.clone(),
        ..Default::default()
    };
    match &c.auth {
        Some(ConnectionAuth::Basic { username, .. }) => {
            out.basic_auth_parameters = Some(wire::ConnectionBasicAuthResponseParameters {
                username: Some(username.clone()),
            });
        }
        Some(ConnectionAuth::ApiKey { name, .. }) => {
            out.api_key_auth_parameters = Some(wire::ConnectionApiKeyAuthResponseParameters {
                api_key_name: Some(name.clone()),
            });
        }
        Some(ConnectionAuth::OAuth {
            client_id,
            authorization_endpoint,
            http_method,
            http_parameters,
            ..
        }) => {
            out.o_auth_parameters = Some(wire::ConnectionOAuthResponseParameters {
                client_parameters: Some(wire::ConnectionOAuthClientResponseParameters {
                    client_id: Some(client_id.clone()),
                }),
                authorization_endpoint: Some(authorization_endpoint.clone()),
                http_method: Some(*http_method),
                o_auth_http_parameters: http_parameters.clone(),
            });
        }
        None => {}
    }
    out
}

pub(super) fn create_connection(
    call: &mut Call<'_>,
    input: wire::CreateConnectionRequest,
) -> Result<wire::CreateConnectionResponse, ServiceError> {
    let name = input.name;
    if call.state.connections.contains_key(&name) {
        return Err(already_exists(format!("Connection {name} already exists.")));
    }
    let kind = input.authorization_type;
    let params = input.auth_parameters;
    let auth = auth_from_create(kind, &params)?;
    let now = call.ctx.received_at;
    let (region, account) = (call.ctx.region.clone(), call.ctx.account_id.clone());
    let uuid = call.core.ids.uuid();
    let suffix = call.core.ids.alphanumeric_upper(6);
    let connection = Connection {
        arn: arn(
            "events",
            &region,
            &account,
            &format!("connection/{name}/{uuid}"),
        ),
        secret_arn: arn(
            "secretsmanager",
            &region,
            &account,
            &format!("secret:events!connection/{name}/{uuid}-{suffix}"),
        ),
        name: name.clone(),
        description: input.description,
        state: wire::ConnectionState::Authorized,
        authorization_type: kind,
        auth: Some(auth),
        invocation_http_parameters: params.invocation_http_parameters,
        kms_key_identifier: input.kms_key_identifier,
        created: now,
        last_modified: now,
        last_authorized: Some(now),
    };
    let out = wire::CreateConnectionResponse {
        connection_arn: Some(connection.arn.clone()),
        connection_state: Some(connection.state),
        creation_time: ts(now),
        last_modified_time: ts(now),
    };
    call.state.connections.insert(name, connection);
    Ok(out)
}

pub(super) fn describe_connection(
    call: &mut Call<'_>,
    input: wire::DescribeConnectionRequest,
) -> Result<wire::DescribeConnectionResponse, ServiceError> {
    let name = input.name;
    let c = call
        .state
        .connections
        .get(&name)
        .ok_or_else(|| connection_not_found(&name))?;
    Ok(wire::DescribeConnectionResponse {
        connection_arn: Some(c.arn.clone()),
        name: Some(c.name.clone()),
        description: c.description.clone(),
        invocation_connectivity_parameters: None,
        connection_state: Some(c.state),
        state_reason: None,
        authorization_type: Some(c.authorization_type),
        secret_arn: Some(c.secret_arn.clone()),
        kms_key_identifier: c.kms_key_identifier.clone(),
        auth_parameters: Some(auth_to_wire(c)),
        creation_time: ts(c.created),
        last_modified_time: ts(c.last_modified),
        last_authorized_time: c.last_authorized.and_then(ts),
    })
}

pub(super) fn update_connection(
    call: &mut Call<'_>,
    input: wire::UpdateConnectionRequest,
) -> Result<wire::UpdateConnectionResponse, ServiceError> {
    let name = input.name;
    let now = call.ctx.received_at;
    let c = call
        .state
        .connections
        .get_mut(&name)
        .ok_or_else(|| connection_not_found(&name))?;
    if input.description.is_some() {
        c.description = input.description;
    }
    if input.kms_key_identifier.is_some() {
        c.kms_key_identifier = input.kms_key_identifier;
    }
    let kind = input.authorization_type.unwrap_or(c.authorization_type);
    if let Some(p) = input.auth_parameters {
        // An update changes only what it names; secrets left out are kept.
        let mut auth = match (kind == c.authorization_type, c.auth.clone()) {
            (true, Some(a)) => a,
            _ => auth_from_create(
                kind,
                &wire::CreateConnectionAuthRequestParameters::default(),
            )
            .unwrap_or(ConnectionAuth::Basic {
                username: String::new(),
                password: String::new(),
            }),
        };
        match (
            &mut auth,
            p.basic_auth_parameters,
            p.api_key_auth_parameters,
            p.o_auth_parameters,
        ) {
            (ConnectionAuth::Basic { username, password }, Some(b), _, _) => {
                if let Some(u) = b.username {
                    *username = u;
                }
                if let Some(pw) = b.password {
                    *password = pw;
                }
            }
            (ConnectionAuth::ApiKey { name, value }, _, Some(k), _) => {
                if let Some(n) = k.api_key_name {
                    *name = n;
                }
                if let Some(v) = k.api_key_value {
                    *value = v;
                }
            }
            (
                ConnectionAuth::OAuth {
                    client_id,
                    client_secret,
                    authorization_endpoint,
                    http_method,
                    http_parameters,
                },
                _,
                _,
                Some(o),
            ) => {
                if let Some(cp) = o.client_parameters {
                    if let Some(id) = cp.client_id {
                        *client_id = id;
                    }
                    if let Some(s) = cp.client_secret {
                        *client_secret = s;
                    }
                }
                if let Some(e) = o.authorization_endpoint {
                    *authorization_endpoint = e;
                }
                if let Some(m) = o.http_method {
                    *http_method = m;
                }
                if o.o_auth_http_parameters.is_some() {
                    *http_parameters = o.o_auth_http_parameters;
                }
            }
            _ => {
                return Err(ServiceError::validation(format!(
                    "The auth parameters do not match authorization type {}.",
                    kind.as_str()
                )))
            }
        }
        c.auth = Some(auth);
        if p.invocation_http_parameters.is_some() {
            c.invocation_http_parameters = p.invocation_http_parameters;
        }
    }
    c.authorization_type = kind;
    // An update re-authorizes the connection.
    c.state = wire::ConnectionState::Authorized;
    c.last_modified = now;
    c.last_authorized = Some(now);
    Ok(wire::UpdateConnectionResponse {
        connection_arn: Some(c.arn.clone()),
        connection_state: Some(c.state),
        creation_time: ts(c.created),
        last_modified_time: ts(c.last_modified),
        last_authorized_time: c.last_authorized.and_then(ts),
    })
}

pub(super) fn delete_connection(
    call: &mut Call<'_>,
    input: wire::DeleteConnectionRequest,
) -> Result<wire::DeleteConnectionResponse, ServiceError> {
    let name = input.name;
    let c = call
        .state
        .connections
        .remove(&name)
        .ok_or_else(|| connection_not_found(&name))?;
    call.state.tags.remove(&c.arn);
    // AWS answers DELETING and removes the connection shortly after; here it is gone at once.
    Ok(wire::DeleteConnectionResponse {
        connection_arn: Some(c.arn),
        connection_state: Some(wire::ConnectionState::Deleting),
        creation_time: ts(c.created),
        last_modified_time: ts(c.last_modified),
        last_authorized_time: c.last_authorized.and_then(ts),
    })
}

pub(super) fn deauthorize_connection(
    call: &mut Call<'_>,
    input: wire::DeauthorizeConnectionRequest,
) -> Result<wire::DeauthorizeConnectionResponse, ServiceError> {
    let name = input.name;
    let now = call.ctx.received_at;
    let c = call
        .state
        .connections
        .get_mut(&name)
        .ok_or_else(|| connection_not_found(&name))?;
    // AWS answers DEAUTHORIZING and settles on DEAUTHORIZED; calls through it fail from now on.
    c.state = wire::ConnectionState::Deauthorized;
    c.last_modified = now;
    Ok(wire::DeauthorizeConnectionResponse {
        connection_arn: Some(c.arn.clone()),
        connection_state: Some(wire::ConnectionState::Deauthorizing),
        creation_time: ts(c.created),
        last_modified_time: ts(c.last_modified),
        last_authorized_time: c.last_authorized.and_then(ts),
    })
}

pub(super) fn list_connections(
    call: &mut Call<'_>,
    input: wire::ListConnectionsRequest,
) -> Result<wire::ListConnectionsResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    let items = call
        .state
        .connections
        .iter()
        .filter(|(n, c)| {
            n.starts_with(&prefix) && input.connection_state.is_none_or(|s| s == c.state)
        })
        .map(|(n, c)| (n.as_str(), c));
    let (items, next_token) = page(items, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListConnectionsResponse {
        connections: Some(
            items
                .iter()
                .map(|c| wire::Connection {
                    connection_arn: Some(c.arn.clone()),
                    name: Some(c.name.clone()),
                    connection_state: Some(c.state),
                    state_reason: None,
                    authorization_type: Some(c.authorization_type),
                    creation_time: ts(c.created),
                    last_modified_time: ts(c.last_modified),
                    last_authorized_time: c.last_authorized.and_then(ts),
                })
                .collect(),
        ),
        next_token,
    })
}

fn connection_by_arn<'a>(call: &'a Call<'_>, arn: &str) -> Result<&'a Connection, ServiceError> {
    call.state
        .connections
        .values()
        .find(|c| c.arn == arn)
        .ok_or_else(|| not_found(format!("Connection '{arn}' does not exist.")))
}

/// AWS accepts only HTTPS invocation endpoints; codemock also accepts `http://` because it has no
/// TLS client, and local test servers speak plain HTTP.
fn check_endpoint(endpoint: &str) -> Result<(), ServiceError> {
    if endpoint.starts_with("https://") || endpoint.starts_with("http://") {
        Ok(())
    } else {
        Err(ServiceError::validation(format!(
            "Parameter InvocationEndpoint is not valid. Reason: {endpoint} is not a valid HTTPS URL."
        )))
    }
}

pub(super) fn create_api_destination(
    call: &mut Call<'_>,
    input: wire::CreateApiDestinationRequest,
) -> Result<wire::CreateApiDestinationResponse, ServiceError> {
    let name = input.name;
    if call.state.api_destinations.contains_key(&name) {
        return Err(already_exists(format!(
            "An api-destination '{name}' already exists."
        )));
    }
    let connection_arn = input.connection_arn;
    connection_by_arn(call, &connection_arn)?;
    let endpoint = input.invocation_endpoint;
    check_endpoint(&endpoint)?;
    let now = call.ctx.received_at;
    let uuid = call.core.ids.uuid();
    let dest = ApiDestination {
        arn: arn(
            "events",
            &call.ctx.region,
            &call.ctx.account_id,
            &format!("api-destination/{name}/{uuid}"),
        ),
        name: name.clone(),
        description: input.description,
        connection_arn,
        invocation_endpoint: endpoint,
        http_method: input.http_method,
        invocation_rate_limit_per_second: Some(
            input
                .invocation_rate_limit_per_second
                .unwrap_or(DEFAULT_RATE_LIMIT),
        ),
        created: now,
        last_modified: now,
    };
    let out = wire::CreateApiDestinationResponse {
        api_destination_arn: Some(dest.arn.clone()),
        api_destination_state: Some(wire::ApiDestinationState::Active),
        creation_time: ts(now),
        last_modified_time: ts(now),
    };
    call.state.api_destinations.insert(name, dest);
    Ok(out)
}

fn destination_to_wire(d: &ApiDestination) -> wire::ApiDestination {
    wire::ApiDestination {
        api_destination_arn: Some(d.arn.clone()),
        name: Some(d.name.clone()),
        api_destination_state: Some(wire::ApiDestinationState::Active),
        connection_arn: Some(d.connection_arn.clone()),
        invocation_endpoint: Some(d.invocation_endpoint.clone()),
        http_method: Some(d.http_method),
        invocation_rate_limit_per_second: d.invocation_rate_limit_per_second,
        creation_time: ts(d.created),
        last_modified_time: ts(d.last_modified),
    }
}

pub(super) fn describe_api_destination(
    call: &mut Call<'_>,
    input: wire::DescribeApiDestinationRequest,
) -> Result<wire::DescribeApiDestinationResponse, ServiceError> {
    let name = input.name;
    let d = call
        .state
        .api_destinations
        .get(&name)
        .ok_or_else(|| destination_not_found(&name))?;
    Ok(wire::DescribeApiDestinationResponse {
        api_destination_arn: Some(d.arn.clone()),
        name: Some(d.name.clone()),
        description: d.description.clone(),
        api_destination_state: Some(wire::ApiDestinationState::Active),
        connection_arn: Some(d.connection_arn.clone()),
        invocation_endpoint: Some(d.invocation_endpoint.clone()),
        http_method: Some(d.http_method),
        invocation_rate_limit_per_second: d.invocation_rate_limit_per_second,
        creation_time: ts(d.created),
        last_modified_time: ts(d.last_modified),
    })
}

pub(super) fn update_api_destination(
    call: &mut Call<'_>,
    input: wire::UpdateApiDestinationRequest,
) -> Result<wire::UpdateApiDestinationResponse, ServiceError> {
    let name = input.name;
    if let Some(c) = &input.connection_arn {
        connection_by_arn(call, c)?;
    }
    if let Some(e) = &input.invocation_endpoint {
        check_endpoint(e)?;
    }
    let now = call.ctx.received_at;
    let d = call
        .state
        .api_destinations
        .get_mut(&name)
        .ok_or_else(|| destination_not_found(&name))?;
    if input.description.is_some() {
        d.description = input.description;
    }
    if let Some(c) = input.connection_arn {
        d.connection_arn = c;
    }
    if let Some(e) = input.invocation_endpoint {
        d.invocation_endpoint = e;
    }
    if let Some(m) = input.http_method {
        d.http_method = m;
    }
    if input.invocation_rate_limit_per_second.is_some() {
        d.invocation_rate_limit_per_second = input.invocation_rate_limit_per_second;
    }
    d.last_modified = now;
    Ok(wire::UpdateApiDestinationResponse {
        api_destination_arn: Some(d.arn.clone()),
        api_destination_state: Some(wire::ApiDestinationState::Active),
        creation_time: ts(d.created),
        last_modified_time: ts(d.last_modified),
    })
}

pub(super) fn delete_api_destination(
    call: &mut Call<'_>,
    input: wire::DeleteApiDestinationRequest,
) -> Result<wire::DeleteApiDestinationResponse, ServiceError> {
    let name = input.name;
    let d = call
        .state
        .api_destinations
        .remove(&name)
        .ok_or_else(|| destination_not_found(&name))?;
    call.state.tags.remove(&d.arn);
    Ok(wire::DeleteApiDestinationResponse {})
}

pub(super) fn list_api_destinations(
    call: &mut Call<'_>,
    input: wire::ListApiDestinationsRequest,
) -> Result<wire::ListApiDestinationsResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    let items = call
        .state
        .api_destinations
        .iter()
        .filter(|(n, d)| {
            n.starts_with(&prefix)
                && input
                    .connection_arn
                    .as_ref()
                    .is_none_or(|c| *c == d.connection_arn)
        })
        .map(|(n, d)| (n.as_str(), d));
    let (items, next_token) = page(items, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListApiDestinationsResponse {
        api_destinations: Some(items.iter().map(destination_to_wire).collect()),
        next_token,
    })
}

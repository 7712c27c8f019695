//! Which service and operation a request is for, decided from its method, path and headers
//! alone (never from the body), so that the gateway knows the protocol before it decodes.
//!
//! * `/_codemock/*` and the compatibility paths: the control API;
//! * `POST` with `X-Amz-Target: <Prefix>.<Operation>`: awsJson1_0/1_1;
//! * `POST .../service/<Service>/operation/<Operation>` with `Smithy-Protocol: rpc-v2-cbor`;
//! * everything else signed for `s3` (or unsigned and not a JSON-RPC post): S3's REST-XML.

use crate::error::ProtocolError;
use crate::protocol::target::{split_rpc_v2_path, split_target};
use crate::protocol::{JsonVersion, Protocol};
use crate::services::ServiceKind;
use codemock_wire::schema::Operation;

/// Where a request goes.
#[derive(Debug, Clone)]
pub enum Route {
    Control,
    Operation {
        service: ServiceKind,
        operation: &'static Operation,
        protocol: Protocol,
    },
    S3,
    /// Not routable: answered with this error in this protocol.
    Reject {
        error: ProtocolError,
        protocol: Protocol,
        service: Option<ServiceKind>,
    },
}

/// What the router looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestHead<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// `X-Amz-Target`; `Err` when the header is present but not valid UTF-8.
    pub target: Option<Result<&'a str, ()>>,
    pub smithy_protocol: Option<&'a str>,
    /// The signing service of the SigV4 credential scope, if any.
    pub signing_service: Option<&'a str>,
}

const JSON_1_1: Protocol = Protocol::AwsJson {
    version: JsonVersion::V1_1,
};

/// Paths other tools' test suites call on emulators; answered by the control API.
pub fn is_control_path(path: &str) -> bool {
    path == "/_codemock"
        || path.starts_with("/_codemock/")
        || path == "/moto-api/reset"
        || path == "/_localstack/health"
}

pub fn route(head: &RequestHead<'_>) -> Route {
    if is_control_path(head.path) {
        return Route::Control;
    }
    if let Some(target) = head.target {
        return route_json(head, target);
    }
    if head.smithy_protocol.is_some() || head.path.contains("/service/") && head.method == "POST" {
        if let Some(route) = route_cbor(head) {
            return route;
        }
    }
    let s3_signed = head.signing_service == Some("s3");
    let other_signed = head.signing_service.is_some() && !s3_signed;
    let json_rpc_shaped = head.method == "POST" && head.path == "/";
    if s3_signed || !(other_signed || json_rpc_shaped) {
        return Route::S3;
    }
    Route::Reject {
        error: ProtocolError::UnknownOperation("Missing X-Amz-Target header".into()),
        protocol: JSON_1_1,
        service: None,
    }
}

fn route_json(head: &RequestHead<'_>, target: Result<&str, ()>) -> Route {
    let unknown = |message: String, service: Option<ServiceKind>, protocol| Route::Reject {
        error: ProtocolError::UnknownOperation(message),
        protocol,
        service,
    };
    let Ok(target) = target else {
        return unknown("X-Amz-Target is not valid UTF-8".into(), None, JSON_1_1);
    };
    if head.method != "POST" {
        return unknown(
            format!("{} is not supported for {target}", head.method),
            None,
            JSON_1_1,
        );
    }
    let Some((prefix, op)) = split_target(target) else {
        return unknown(
            format!("Unable to determine service/operation name to be authorized: {target}"),
            None,
            JSON_1_1,
        );
    };
    let Some(service) = ServiceKind::by_target_prefix(prefix) else {
        return unknown(format!("Unknown target prefix: {prefix}"), None, JSON_1_1);
    };
    let protocol = Protocol::AwsJson {
        version: JsonVersion::from_model(service.schema().json_version),
    };
    match service.schema().operation(op) {
        Some(operation) => Route::Operation {
            service,
            operation,
            protocol,
        },
        None => unknown(
            format!("Unknown operation: {target}"),
            Some(service),
            protocol,
        ),
    }
}

fn route_cbor(head: &RequestHead<'_>) -> Option<Route> {
    let (service_name, op) = split_rpc_v2_path(head.path)?;
    let reject = |error, service| {
        Some(Route::Reject {
            error,
            protocol: Protocol::RpcV2Cbor,
            service,
        })
    };
    let Some(service) = ServiceKind::by_rpc_v2_name(service_name) else {
        return reject(
            ProtocolError::UnknownOperation(format!("Unknown service: {service_name}")),
            None,
        );
    };
    if head.smithy_protocol != Some("rpc-v2-cbor") {
        return reject(
            ProtocolError::BadRequest("Smithy-Protocol header must be rpc-v2-cbor".into()),
            Some(service),
        );
    }
    if head.method != "POST" {
        return reject(
            ProtocolError::BadRequest("RPC v2 requests must use POST".into()),
            Some(service),
        );
    }
    Some(match service.schema().operation(op) {
        Some(operation) => Route::Operation {
            service,
            operation,
            protocol: Protocol::RpcV2Cbor,
        },
        None => Route::Reject {
            error: ProtocolError::UnknownOperation(format!("Unknown operation: {op}")),
            protocol: Protocol::RpcV2Cbor,
            service: Some(service),
        },
    })
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        match (self, other) {
            (Route::Control, Route::Control) | (Route::S3, Route::S3) => true,
            (
                Route::Operation {
                    service: a,
                    operation: oa,
                    protocol: pa,
                },
                Route::Operation {
                    service: b,
                    operation: ob,
                    protocol: pb,
                },
            ) => a == b && oa.name == ob.name && pa == pb,
            (
                Route::Reject {
                    error: a,
                    protocol: pa,
                    service: sa,
                },
                Route::Reject {
                    error: b,
                    protocol: pb,
                    service: sb,
                },
            ) => a == b && pa == pb && sa == sb,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head<'a>(method: &'a str, path: &'a str) -> RequestHead<'a> {
        RequestHead {
            method,
            path,
            ..Default::default()
        }
    }

    #[test]
    fn json_targets_route_to_their_operation() {
        let mut h = head("POST", "/");
        h.target = Some(Ok("CodePipeline_20150709.ListPipelines"));
        match route(&h) {
            Route::Operation {
                service, operation, ..
            } => {
                assert_eq!(service, ServiceKind::CodePipeline);
                assert_eq!(operation.name, "ListPipelines");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_targets_are_unknown_operations() {
        for t in [
            "Nope_1.ListPipelines",
            "CodePipeline_20150709.Nope",
            "NoDot",
        ] {
            let mut h = head("POST", "/");
            h.target = Some(Ok(t));
            assert!(
                matches!(
                    route(&h),
                    Route::Reject {
                        error: ProtocolError::UnknownOperation(_),
                        ..
                    }
                ),
                "{t}"
            );
        }
        let mut h = head("POST", "/");
        h.target = Some(Err(()));
        assert!(matches!(route(&h), Route::Reject { .. }));
    }

    #[test]
    fn cbor_paths_route_only_with_the_protocol_header() {
        let mut h = head("POST", "/service/CodeBuild_20161006/operation/ListProjects");
        h.smithy_protocol = Some("rpc-v2-cbor");
        assert!(matches!(
            route(&h),
            Route::Operation {
                protocol: Protocol::RpcV2Cbor,
                ..
            }
        ));
        h.smithy_protocol = None;
        assert!(matches!(
            route(&h),
            Route::Reject {
                protocol: Protocol::RpcV2Cbor,
                ..
            }
        ));
        // EventBridge's model does not offer RPC v2.
        let mut h = head("POST", "/service/AWSEvents/operation/ListRules");
        h.smithy_protocol = Some("rpc-v2-cbor");
        assert!(matches!(route(&h), Route::Reject { .. }));
    }

    #[test]
    fn s3_by_signature_or_by_elimination() {
        let mut h = head("PUT", "/bucket/key");
        h.signing_service = Some("s3");
        assert_eq!(route(&h), Route::S3);
        assert_eq!(route(&head("GET", "/bucket")), Route::S3);
        assert!(matches!(route(&head("POST", "/")), Route::Reject { .. }));
        assert_eq!(route(&head("GET", "/_codemock/health")), Route::Control);
        assert_eq!(route(&head("POST", "/moto-api/reset")), Route::Control);
    }
}

//! The one function hyper calls. Every request ends as a response here, never as an error:
//! body limit -> context -> control? -> route -> typed fast path (awsJson: decode into the typed
//! input -> typed check -> handler -> encode), or, for what it declines and for CBOR and async
//! handlers: decode -> validate -> handler -> drain -> encode.

use crate::core::{Core, RequestContext, RequestRecord};
use crate::error::{ErrorReply, ProtocolError};
use crate::protocol::sigv4::{account_from_access_key, scope_from_authorization};
use crate::protocol::{aws_json, cbor, HttpResponse, Protocol};
use crate::router::{self, RequestHead, Route};
use crate::services::{self, ServiceKind};
use bytes::Bytes;
use codemock_wire::dispatch::{Deferred, Encode};
use codemock_wire::schema::Operation;
use codemock_wire::validate::{validate, Invalid};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use std::sync::Arc;

/// Handles one HTTP request.
pub async fn handle(core: Arc<Core>, req: http::Request<Incoming>) -> HttpResponse {
    let started = crate::clock::real_now();
    let (parts, body) = req.into_parts();
    // Everything routing needs is read from borrowed headers; only what outlives the borrow is
    // copied, so the hot path allocates little.
    let (route, ctx) = {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let scope = header("authorization").and_then(scope_from_authorization);
        let head = RequestHead {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            target: parts
                .headers
                .get("x-amz-target")
                .map(|v| v.to_str().map_err(|_| ())),
            smithy_protocol: header("smithy-protocol"),
            signing_service: scope.as_ref().map(|s| s.service),
        };
        let ctx = RequestContext {
            request_id: core.request_ids.uuid(),
            account_id: scope
                .as_ref()
                .and_then(|s| account_from_access_key(s.access_key))
                .unwrap_or(&core.config.account_id)
                .to_owned(),
            region: scope
                .as_ref()
                .map(|s| s.region)
                .filter(|r| !r.is_empty())
                .unwrap_or(&core.config.region)
                .to_owned(),
            received_at: core.clock.now(),
            host: header("host")
                .map(str::to_owned)
                .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned())),
        };
        (router::route(&head), ctx)
    };
    // For the log line of routes that hand `parts` on; operations log their own names.
    let method = parts.method.clone();
    let path = (!matches!(route, Route::Operation { .. })).then(|| parts.uri.path().to_owned());

    let response = match route {
        Route::Control => {
            let body = match read_body(&core, &parts, body).await {
                Ok(b) => b,
                Err(e) => {
                    return reject(
                        &core,
                        &ctx,
                        e,
                        Protocol::AwsJson {
                            version: crate::protocol::JsonVersion::V1_1,
                        },
                        None,
                    )
                }
            };
            return crate::control::handle(&core, &parts, body).await;
        }
        Route::S3 => services::s3::handle(&core, &ctx, parts, body).await,
        Route::Reject {
            error,
            protocol,
            service,
        } => reject(&core, &ctx, error, protocol, service),
        Route::Operation {
            service,
            operation,
            protocol,
        } => {
            let content_type = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            let body = read_body(&core, &parts, body).await;
            let (response, code) = operation_response(
                &core,
                &ctx,
                service,
                operation,
                protocol,
                content_type,
                body,
            )
            .await;
            log_request(
                &core,
                &ctx,
                service.schema().service_id,
                operation.name,
                protocol,
                response.status().as_u16(),
                code,
            );
            tracing::info!(
                service = service.schema().service_id,
                operation = operation.name,
                status = response.status().as_u16(),
                micros = started.elapsed().as_micros() as u64,
                "request"
            );
            return response;
        }
    };
    tracing::info!(
        method = %method,
        path = path.as_deref().unwrap_or_default(),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Decodes, validates, runs and encodes one operation. Also returns the error code, for the log.
async fn operation_response(
    core: &Arc<Core>,
    ctx: &RequestContext,
    service: ServiceKind,
    operation: &'static Operation,
    protocol: Protocol,
    content_type: Option<&str>,
    body: Result<Bytes, ProtocolError>,
) -> (HttpResponse, Option<String>) {
    let fail = |reply: ErrorReply| {
        let code = reply.code.clone();
        (encode_error(ctx, service, protocol, &reply), Some(code))
    };
    // An armed fault rule answers instead of the operation (DESIGN.md request flow step 5).
    let names = service.schema();
    let names = [
        names.service_id,
        names.signing_name,
        names.target_prefix,
        names.name,
    ];
    if let Some(reply) = core.faults.take(&names, operation.name) {
        return fail(reply);
    }
    // Not implemented is answered before anything else is looked at: an honest 501.
    let async_handler = service.async_handler(operation.name);
    if async_handler.is_none() && !service.implements(operation.name) {
        return fail(
            ProtocolError::NotImplemented {
                service: service.schema().service_id,
                operation: operation.name.to_owned(),
            }
            .into(),
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => return fail(e.into()),
    };
    let schema = service.schema();
    let encoder = || WireEncoder {
        protocol,
        schema,
        shape: operation.output,
        request_id: &ctx.request_id,
    };
    let (input, encoder) = match protocol {
        Protocol::RpcV2Cbor => {
            if !body.is_empty()
                && content_type.is_some_and(|ct| !ct.starts_with(cbor::CONTENT_TYPE))
            {
                return fail(
                    ProtocolError::UnsupportedMediaType(
                        content_type.unwrap_or_default().to_owned(),
                    )
                    .into(),
                );
            }
            // CBOR stays on the value path: its decoder builds a JSON value (timestamps and blobs
            // are told apart through the schema), which the validator then checks.
            (cbor::decode(&body), encoder())
        }
        _ => {
            if !aws_json::accepts_content_type(content_type) {
                return fail(
                    ProtocolError::UnsupportedMediaType(
                        content_type.unwrap_or_default().to_owned(),
                    )
                    .into(),
                );
            }
            // The fast path: body bytes straight into the typed input, a typed constraint check,
            // the handler. Whatever it declines (a doubtful or invalid input) comes back before
            // any handler ran and takes the value path below, whose validator words AWS's error.
            // Async handlers take a JSON value, so they stay on the value path.
            let encoder = match async_handler {
                Some(_) => encoder(),
                None => {
                    match core.run_operation_json(ctx, service, operation.name, &body, encoder()) {
                        Some(Ok(Ok(resp))) => return (resp, None),
                        Some(Ok(Err(e))) => return fail(e.into()),
                        Some(Err(Deferred(encoder))) => encoder,
                        // No typed handler: the value path answers it as before.
                        None => encoder(),
                    }
                }
            };
            (aws_json::decode(&body), encoder)
        }
    };
    let input = match input {
        Ok(v) => v,
        Err(e) => return fail(e.into()),
    };
    if let Some(shape) = operation.input {
        if let Err(invalid) = validate(schema, shape, &input) {
            let reply = match invalid {
                Invalid::Serialization(m) => ProtocolError::Serialization(m).into(),
                Invalid::Constraints(ref violations) => {
                    let message = invalid.message();
                    match service {
                        ServiceKind::Logs => {
                            services::logs::constraint_error(violations, message).into()
                        }
                        _ => crate::error::ServiceError::validation(message).into(),
                    }
                }
            };
            return fail(reply);
        }
    }
    let result = match async_handler {
        Some(h) => h(core.clone(), ctx.clone(), input)
            .await
            .map(|output| encoder.encode(&output)),
        None => core
            .run_operation(ctx, service, operation.name, input, encoder)
            .unwrap_or_else(|| Err(crate::error::ServiceError::internal("no handler"))),
    };
    match result {
        Ok(resp) => (resp, None),
        Err(e) => fail(e.into()),
    }
}

/// Puts a handler's typed output on the wire in the request's protocol: awsJson straight from
/// the typed value; CBOR through the schema, which knows which strings are timestamps and blobs.
struct WireEncoder<'a> {
    protocol: Protocol,
    schema: &'static codemock_wire::schema::Service,
    shape: Option<codemock_wire::schema::ShapeId>,
    request_id: &'a str,
}

impl Encode for WireEncoder<'_> {
    type Output = HttpResponse;

    fn encode<T: serde::Serialize>(self, value: &T) -> HttpResponse {
        match self.protocol {
            Protocol::RpcV2Cbor => match serde_json::to_value(value) {
                Ok(v) => cbor::encode_ok(self.schema, self.shape, &v, self.request_id),
                Err(e) => cbor::encode_error(
                    self.schema.namespace,
                    &ErrorReply::from(crate::error::ServiceError::internal(e.to_string())),
                    self.request_id,
                ),
            },
            Protocol::AwsJson { version } => aws_json::encode_ok(version, value, self.request_id),
        }
    }
}

fn reject(
    core: &Core,
    ctx: &RequestContext,
    error: ProtocolError,
    protocol: Protocol,
    service: Option<ServiceKind>,
) -> HttpResponse {
    let reply = ErrorReply::from(error);
    let resp = match service {
        Some(s) => encode_error(ctx, s, protocol, &reply),
        None => match protocol {
            Protocol::RpcV2Cbor => cbor::encode_error("smithy.framework", &reply, &ctx.request_id),
            Protocol::AwsJson { version } => {
                aws_json::encode_error(version, &reply.code, &reply, &ctx.request_id)
            }
        },
    };
    let service_name = service.map(|s| s.schema().service_id).unwrap_or("unknown");
    log_request(
        core,
        ctx,
        service_name,
        "",
        protocol,
        resp.status().as_u16(),
        Some(reply.code),
    );
    resp
}

/// Encodes an error in the request's protocol, naming the shape as the service's SDKs expect.
fn encode_error(
    ctx: &RequestContext,
    service: ServiceKind,
    protocol: Protocol,
    reply: &ErrorReply,
) -> HttpResponse {
    match protocol {
        Protocol::RpcV2Cbor => cbor::encode_error(service.namespace(), reply, &ctx.request_id),
        Protocol::AwsJson { version } => {
            // awsJson1_0 servers send the full shape id, awsJson1_1 the bare name (Smithy spec).
            let coral = match service {
                ServiceKind::Sqs => services::sqs::coral_error_type(&reply.code),
                _ => None,
            };
            let type_value = match (coral, version) {
                (Some(full), _) => full.to_owned(),
                (None, crate::protocol::JsonVersion::V1_0) => {
                    format!("{}#{}", service.namespace(), reply.code)
                }
                (None, crate::protocol::JsonVersion::V1_1) => reply.code.clone(),
            };
            let mut resp = aws_json::encode_error(version, &type_value, reply, &ctx.request_id);
            if service.schema().aws_query_compatible {
                add_query_error_header(&mut resp, service, reply);
            }
            resp
        }
    }
}

/// awsQueryCompatible services (SQS) name each error twice: the shape in `__type`, and the code
/// the older Query protocol used in `x-amzn-query-error: <code>;<Sender|Receiver>`. The SDKs match
/// their typed errors on the header's code (`AWS.SimpleQueueService.NonExistentQueue` is
/// `QueueDoesNotExist`), so without it they would not recognise the error.
fn add_query_error_header(
    resp: &mut crate::protocol::HttpResponse,
    service: ServiceKind,
    reply: &ErrorReply,
) {
    let code = match service {
        ServiceKind::Sqs => services::sqs::query_error_code(&reply.code),
        _ => reply.code.as_str(),
    };
    let fault = if reply.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    if let Ok(v) = http::HeaderValue::from_str(&format!("{code};{fault}")) {
        resp.headers_mut().insert("x-amzn-query-error", v);
    }
}

/// Reads the whole body under the size limit and the client timeout.
async fn read_body(
    core: &Core,
    parts: &http::request::Parts,
    body: Incoming,
) -> Result<Bytes, ProtocolError> {
    let limit = core.config.body_limit;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ProtocolError::PayloadTooLarge { limit });
    }
    let collect = Limited::new(body, limit).collect();
    match tokio::time::timeout(core.config.body_timeout, collect).await {
        Err(_) => Err(ProtocolError::RequestTimeout),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(ProtocolError::PayloadTooLarge { limit })
        }
        Ok(Err(e)) => Err(ProtocolError::Serialization(format!(
            "Could not read the request body: {e}"
        ))),
    }
}

#[allow(clippy::too_many_arguments)] // one flat record; a struct literal at the call sites would say the same
fn log_request(
    core: &Core,
    ctx: &RequestContext,
    service: &str,
    operation: &str,
    protocol: Protocol,
    status: u16,
    error_code: Option<String>,
) {
    core.record_request(RequestRecord {
        time: ctx.received_at,
        request_id: ctx.request_id.clone(),
        service: service.to_owned(),
        operation: operation.to_owned(),
        protocol: match protocol {
            Protocol::AwsJson {
                version: crate::protocol::JsonVersion::V1_0,
            } => "awsJson1_0",
            Protocol::AwsJson { .. } => "awsJson1_1",
            Protocol::RpcV2Cbor => "rpcv2Cbor",
        }
        .to_owned(),
        status,
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        error_code,
    });
}

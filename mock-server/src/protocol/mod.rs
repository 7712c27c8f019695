//! The wire protocols: decoding a request body into the generic JSON value every handler reads,
//! and encoding a handler's output or an error in the request's protocol.
//!
//! Handlers never see the protocol: awsJson 1.0/1.1 and Smithy RPC v2 CBOR all decode into the
//! same `serde_json::Value` (timestamps as epoch seconds, blobs as base64), which is validated
//! against the API model and then deserialized into the generated wire types.

pub mod aws_json;
pub mod cbor;
pub mod sigv4;
pub mod target;
pub mod timestamps;

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};

/// The body type of every response codemock sends (boxed, so S3 can stream large objects).
pub type ResponseBody = BoxBody<Bytes, std::io::Error>;
pub type HttpResponse = http::Response<ResponseBody>;

/// Which protocol a request arrived in; responses go out in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1_0 (SQS) or awsJson1_1 (everything else that is JSON).
    AwsJson { version: JsonVersion },
    /// Smithy RPC v2 CBOR. (S3's REST-XML never comes this way: its front end is its own.)
    RpcV2Cbor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonVersion {
    V1_0,
    V1_1,
}

impl JsonVersion {
    pub fn from_model(version: &str) -> JsonVersion {
        if version == "1.0" {
            JsonVersion::V1_0
        } else {
            JsonVersion::V1_1
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            JsonVersion::V1_0 => "application/x-amz-json-1.0",
            JsonVersion::V1_1 => "application/x-amz-json-1.1",
        }
    }
}

/// A complete in-memory body.
pub fn full_body(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A response with a body and the request id header every AWS response carries.
pub fn response(
    status: u16,
    content_type: &str,
    request_id: &str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut resp = http::Response::new(full_body(body));
    *resp.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        headers.insert(http::header::CONTENT_TYPE, v);
    }
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", v);
    }
    resp
}

//! awsJson1_0 and awsJson1_1: `POST /` with `X-Amz-Target`, JSON bodies, `__type` errors.

use super::{response, HttpResponse, JsonVersion};
use crate::error::{ErrorReply, ProtocolError};
use serde_json::{Map, Value};

/// Whether a request's `Content-Type` is one awsJson accepts. The SDKs send
/// `application/x-amz-json-1.x`; plain `application/json` and a missing header are tolerated, as
/// AWS's front ends do for these services.
pub fn accepts_content_type(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(ct) => {
            let media = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            media.is_empty()
                || media.starts_with("application/x-amz-json-")
                || media == "application/json"
        }
    }
}

/// Decodes a request body: empty means `{}`; anything but a JSON object is a
/// `SerializationException`.
pub fn decode(body: &[u8]) -> Result<Value, ProtocolError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(Value::Object(strip_nulls(map))),
        Ok(_) => Err(ProtocolError::Serialization(
            "Start of structure or map found where not expected.".into(),
        )),
        Err(e) => Err(ProtocolError::Serialization(format!(
            "Could not parse the request body as JSON: {e}"
        ))),
    }
}

/// `null` members count as absent, as the AWS JSON protocols specify.
fn strip_nulls(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let v = match v {
                Value::Object(m) => Value::Object(strip_nulls(m)),
                other => other,
            };
            (k, v)
        })
        .collect()
}

/// A 200 with the output as JSON.
pub fn encode_ok<T: serde::Serialize + ?Sized>(
    version: JsonVersion,
    output: &T,
    request_id: &str,
) -> HttpResponse {
    let body = serde_json::to_vec(output).unwrap_or_else(|_| b"{}".to_vec());
    response(200, version.content_type(), request_id, body)
}

/// An error as the SDKs parse it: `{"__type": ..., "message": ...}` plus modeled members.
///
/// `type_value` is the bare shape name for awsJson1_1 and the full shape id for awsJson1_0 (the
/// Smithy spec's SHOULD for each; clients accept both).
pub fn encode_error(
    version: JsonVersion,
    type_value: &str,
    reply: &ErrorReply,
    request_id: &str,
) -> HttpResponse {
    let mut body = Map::new();
    body.insert("__type".into(), Value::String(type_value.to_owned()));
    body.insert("message".into(), Value::String(reply.message.clone()));
    for (k, v) in &reply.fields {
        body.insert(k.clone(), v.clone());
    }
    let bytes = serde_json::to_vec(&Value::Object(body)).unwrap_or_default();
    response(reply.status, version.content_type(), request_id, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_an_empty_object() {
        assert_eq!(decode(b"").expect("empty is fine"), serde_json::json!({}));
        assert_eq!(decode(b"  ").expect("blank is fine"), serde_json::json!({}));
    }

    #[test]
    fn non_objects_and_garbage_are_serialization_errors() {
        assert!(matches!(
            decode(b"[1]"),
            Err(ProtocolError::Serialization(_))
        ));
        assert!(matches!(
            decode(b"{\"a\":"),
            Err(ProtocolError::Serialization(_))
        ));
        assert!(matches!(
            decode(&[0xff, 0xfe]),
            Err(ProtocolError::Serialization(_))
        ));
    }

    #[test]
    fn nulls_are_absent() {
        let v = decode(br#"{"a":null,"b":{"c":null,"d":1}}"#).expect("valid");
        assert_eq!(v, serde_json::json!({"b":{"d":1}}));
    }

    #[test]
    fn content_types() {
        assert!(accepts_content_type(Some("application/x-amz-json-1.1")));
        assert!(accepts_content_type(Some(
            "application/x-amz-json-1.0; charset=utf-8"
        )));
        assert!(accepts_content_type(None));
        assert!(!accepts_content_type(Some("text/xml")));
    }
}

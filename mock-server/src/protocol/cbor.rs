//! Smithy RPC v2 CBOR: `POST /service/<Service>/operation/<Operation>` with
//! `Smithy-Protocol: rpc-v2-cbor` and CBOR bodies.
//!
//! Requests are turned into the same JSON value the awsJson protocols produce (timestamps, tag 1,
//! become epoch-second numbers; byte strings become base64), so handlers and validation are shared.
//! Responses go the other way, guided by the output shape so that timestamps and blobs get their
//! CBOR types back.

use super::{response, HttpResponse};
use crate::error::{ErrorReply, ProtocolError};
use base64::Engine as _;
use ciborium::value::{Integer, Value as Cbor};
use codemock_wire::schema::{Service, ShapeId, ShapeKind};
use serde_json::{Map, Number, Value};

pub const CONTENT_TYPE: &str = "application/cbor";
/// Nesting deeper than this is rejected rather than recursed into (the models nest far less).
const MAX_DEPTH: usize = 64;

/// Decodes a CBOR request body into the generic JSON value. An empty body is an empty input.
pub fn decode(body: &[u8]) -> Result<Value, ProtocolError> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Cbor = ciborium::de::from_reader(body)
        .map_err(|e| ProtocolError::Serialization(format!("Invalid CBOR body: {e}")))?;
    match cbor_to_json(value, 0)? {
        Some(v @ Value::Object(_)) => Ok(v),
        _ => Err(ProtocolError::Serialization(
            "Expected a CBOR map as the request body".into(),
        )),
    }
}

/// `None` is CBOR null or undefined, which the spec says means "absent".
fn cbor_to_json(value: Cbor, depth: usize) -> Result<Option<Value>, ProtocolError> {
    if depth > MAX_DEPTH {
        return Err(ProtocolError::Serialization("CBOR nesting too deep".into()));
    }
    Ok(Some(match value {
        Cbor::Null => return Ok(None),
        Cbor::Bool(b) => Value::Bool(b),
        Cbor::Text(s) => Value::String(s),
        Cbor::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Cbor::Integer(i) => integer_to_json(i)?,
        Cbor::Float(f) => float_to_json(f),
        Cbor::Tag(1, inner) => match *inner {
            Cbor::Integer(i) => integer_to_json(i)?,
            Cbor::Float(f) => float_to_json(f),
            _ => {
                return Err(ProtocolError::Serialization(
                    "Timestamp (tag 1) must hold a number".into(),
                ))
            }
        },
        Cbor::Tag(tag, _) => {
            return Err(ProtocolError::Serialization(format!(
                "Unsupported CBOR tag {tag}"
            )))
        }
        Cbor::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(cbor_to_json(item, depth + 1)?.unwrap_or(Value::Null));
            }
            Value::Array(out)
        }
        Cbor::Map(entries) => {
            let mut out = Map::new();
            for (k, v) in entries {
                let Cbor::Text(key) = k else {
                    return Err(ProtocolError::Serialization(
                        "CBOR map keys must be text strings".into(),
                    ));
                };
                if let Some(v) = cbor_to_json(v, depth + 1)? {
                    out.insert(key, v);
                }
            }
            Value::Object(out)
        }
        _ => {
            return Err(ProtocolError::Serialization(
                "Unsupported CBOR value".into(),
            ))
        }
    }))
}

fn integer_to_json(i: Integer) -> Result<Value, ProtocolError> {
    let wide = i128::from(i);
    if let Ok(v) = i64::try_from(wide) {
        Ok(Value::Number(v.into()))
    } else if let Ok(v) = u64::try_from(wide) {
        Ok(Value::Number(v.into()))
    } else {
        Err(ProtocolError::Serialization(
            "CBOR integer out of range".into(),
        ))
    }
}

fn float_to_json(f: f64) -> Value {
    // JSON has no NaN or infinities; the AWS JSON protocols spell them as strings.
    match Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("NaN".into()),
        None if f > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

/// Encodes an operation's output. `shape` guides timestamps and blobs back to their CBOR types.
pub fn encode_ok(
    service: &Service,
    shape: Option<ShapeId>,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    let cbor = json_to_cbor(service, shape, output, 0);
    let mut bytes = Vec::new();
    if ciborium::ser::into_writer(&cbor, &mut bytes).is_err() {
        bytes.clear();
    }
    with_protocol_header(response(200, CONTENT_TYPE, request_id, bytes))
}

/// Encodes an error: a CBOR map with `__type` (the full shape id, per the RPC v2 spec) and
/// `message`, with the status of the error.
pub fn encode_error(namespace: &str, reply: &ErrorReply, request_id: &str) -> HttpResponse {
    let mut entries = vec![
        (
            Cbor::Text("__type".into()),
            Cbor::Text(format!("{namespace}#{}", reply.code)),
        ),
        (
            Cbor::Text("message".into()),
            Cbor::Text(reply.message.clone()),
        ),
    ];
    for (k, v) in &reply.fields {
        entries.push((Cbor::Text(k.clone()), generic_json_to_cbor(v, 0)));
    }
    let mut bytes = Vec::new();
    if ciborium::ser::into_writer(&Cbor::Map(entries), &mut bytes).is_err() {
        bytes.clear();
    }
    with_protocol_header(response(reply.status, CONTENT_TYPE, request_id, bytes))
}

fn with_protocol_header(mut resp: HttpResponse) -> HttpResponse {
    resp.headers_mut().insert(
        "smithy-protocol",
        http::HeaderValue::from_static("rpc-v2-cbor"),
    );
    resp
}

fn json_to_cbor(service: &Service, shape: Option<ShapeId>, value: &Value, depth: usize) -> Cbor {
    let Some(shape) = shape else {
        return generic_json_to_cbor(value, depth);
    };
    if depth > MAX_DEPTH {
        return Cbor::Null;
    }
    match (&service.shape(shape).kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => Cbor::Map(
            map.iter()
                .map(|(k, v)| {
                    let member = members.iter().find(|m| m.name == k).map(|m| m.shape);
                    (
                        Cbor::Text(k.clone()),
                        json_to_cbor(service, member, v, depth + 1),
                    )
                })
                .collect(),
        ),
        (ShapeKind::List { member, .. }, Value::Array(items)) => Cbor::Array(
            items
                .iter()
                .map(|v| json_to_cbor(service, Some(*member), v, depth + 1))
                .collect(),
        ),
        (ShapeKind::Map { value: vs, .. }, Value::Object(map)) => Cbor::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        Cbor::Text(k.clone()),
                        json_to_cbor(service, Some(*vs), v, depth + 1),
                    )
                })
                .collect(),
        ),
        (ShapeKind::Timestamp, Value::Number(n)) => {
            Cbor::Tag(1, Box::new(Cbor::Float(n.as_f64().unwrap_or(0.0))))
        }
        (ShapeKind::Blob { .. }, Value::String(s)) => {
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(bytes) => Cbor::Bytes(bytes),
                Err(_) => Cbor::Text(s.clone()),
            }
        }
        (ShapeKind::Double { .. } | ShapeKind::Float { .. }, Value::Number(n)) => {
            Cbor::Float(n.as_f64().unwrap_or(0.0))
        }
        _ => generic_json_to_cbor(value, depth),
    }
}

fn generic_json_to_cbor(value: &Value, depth: usize) -> Cbor {
    if depth > MAX_DEPTH {
        return Cbor::Null;
    }
    match value {
        Value::Null => Cbor::Null,
        Value::Bool(b) => Cbor::Bool(*b),
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Cbor::Integer(i.into())
            } else if let Some(u) = n.as_u64() {
                Cbor::Integer(u.into())
            } else {
                Cbor::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::Array(items) => Cbor::Array(
            items
                .iter()
                .map(|v| generic_json_to_cbor(v, depth + 1))
                .collect(),
        ),
        Value::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), generic_json_to_cbor(v, depth + 1)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(v: &Cbor) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::ser::into_writer(v, &mut out).expect("encodable");
        out
    }

    #[test]
    fn decodes_maps_timestamps_and_blobs() {
        let body = encode(&Cbor::Map(vec![
            (Cbor::Text("name".into()), Cbor::Text("p".into())),
            (
                Cbor::Text("created".into()),
                Cbor::Tag(1, Box::new(Cbor::Float(1_700_000_000.5))),
            ),
            (Cbor::Text("blob".into()), Cbor::Bytes(b"hi".to_vec())),
            (Cbor::Text("gone".into()), Cbor::Null),
        ]));
        let v = decode(&body).expect("valid cbor");
        assert_eq!(
            v,
            serde_json::json!({"name":"p","created":1_700_000_000.5,"blob":"aGk="})
        );
    }

    #[test]
    fn rejects_garbage_non_maps_and_odd_keys() {
        assert!(matches!(
            decode(&[0xff]),
            Err(ProtocolError::Serialization(_))
        ));
        assert!(decode(&encode(&Cbor::Array(vec![]))).is_err());
        let int_key = encode(&Cbor::Map(vec![(Cbor::Integer(1.into()), Cbor::Null)]));
        assert!(decode(&int_key).is_err());
        // A truncated map.
        assert!(decode(&[0xa1, 0x61, b'a']).is_err());
    }

    #[test]
    fn empty_body_is_empty_input() {
        assert_eq!(decode(b"").expect("empty"), serde_json::json!({}));
    }
}

//! Hostile input to every operation of every JSON service: wrong types in every member, empty and
//! oversized values, deep nesting. Each gets an AWS-shaped 4xx (or a 501 for what is not built),
//! never a 500 from a panicking handler, and the server goes on.

use crate::support::*;
use codemock::services::ServiceKind;
use codemock_wire::schema::ShapeKind;
use serde_json::{json, Map, Value};

/// Values of the wrong type, or of the right type at the edges.
fn odd_values() -> Vec<Value> {
    vec![
        json!(null),
        json!(""),
        json!(-1),
        json!(1e308),
        json!("x".repeat(5000)),
        json!([]),
        json!({}),
        json!(true),
        json!([{"a": [1, {"b": null}]}]),
        json!("\u{0000}\u{FFFF}🦀"),
    ]
}

fn deep(n: usize) -> String {
    format!("{}{}", "{\"a\":[".repeat(n), "]}".repeat(n))
}

#[tokio::test]
async fn no_operation_fails_with_a_500_on_hostile_input() {
    let server = MockServer::start().await;
    let mut sent = 0;
    for kind in ServiceKind::ALL {
        let schema = kind.schema();
        for op in schema.operations {
            let target = format!("{}.{}", schema.target_prefix, op.name);
            let members: Vec<&str> = match op.input.map(|id| &schema.shape(id).kind) {
                Some(ShapeKind::Structure { members, .. }) => {
                    members.iter().map(|m| m.name).collect()
                }
                _ => Vec::new(),
            };
            let mut bodies: Vec<String> = vec!["{}".into(), deep(200), "{\"a\":1".into()];
            for value in odd_values() {
                let all: Map<String, Value> = members
                    .iter()
                    .map(|m| ((*m).to_owned(), value.clone()))
                    .collect();
                bodies.push(Value::Object(all).to_string());
            }
            for body in bodies {
                let r = call(&server, &target, &body).await;
                sent += 1;
                assert!(
                    r.status < 500 || r.status == 501,
                    "{target} answered {} to {}: {}",
                    r.status,
                    &body[..body.len().min(200)],
                    String::from_utf8_lossy(&r.body)
                );
                assert!(
                    r.json()["__type"].is_string() || r.status == 200,
                    "{target}: {}",
                    String::from_utf8_lossy(&r.body)
                );
            }
        }
    }
    assert!(sent > 3000, "sent only {sent}");
    let r = call(&server, "CodePipeline_20150709.ListPipelines", "{}").await;
    assert_eq!(r.status, 200);
}

/// A value of the right shape for `id`, built from the model: what a careless but well-typed
/// client sends. Strings take an enum value or a name-like text of the minimum length.
fn plausible(
    schema: &codemock_wire::schema::Service,
    id: u16,
    depth: usize,
    all_members: bool,
) -> Value {
    match &schema.shape(id).kind {
        ShapeKind::String {
            min, enum_values, ..
        } => match enum_values.first() {
            Some(v) => json!(v),
            None => json!(format!(
                "test-{}",
                "a".repeat(min.unwrap_or(1).clamp(1, 64) as usize)
            )),
        },
        ShapeKind::Integer { min, .. } | ShapeKind::Long { min, .. } => {
            json!(min.unwrap_or(1).max(1))
        }
        ShapeKind::Double { .. } | ShapeKind::Float { .. } => json!(1.5),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Timestamp => json!(1_704_067_200),
        ShapeKind::Blob { .. } => json!("YWJj"),
        ShapeKind::Document => json!({"a": 1}),
        ShapeKind::List { member, min, .. } => {
            let n = min.unwrap_or(1).clamp(1, 3) as usize;
            if depth > 4 {
                return json!([]);
            }
            Value::Array(
                (0..n)
                    .map(|_| plausible(schema, *member, depth + 1, all_members))
                    .collect(),
            )
        }
        ShapeKind::Map { value, .. } => {
            if depth > 4 {
                return json!({});
            }
            json!({"key1": plausible(schema, *value, depth + 1, all_members)})
        }
        ShapeKind::Structure { members, union, .. } => {
            if depth > 4 {
                return json!({});
            }
            let mut out = Map::new();
            for m in members.iter() {
                if m.required || all_members {
                    out.insert(
                        m.name.to_owned(),
                        plausible(schema, m.shape, depth + 1, all_members),
                    );
                }
                if *union && !out.is_empty() {
                    break;
                }
            }
            Value::Object(out)
        }
    }
}

#[tokio::test]
async fn well_typed_input_to_every_operation_never_panics_a_handler() {
    let server = MockServer::start().await;
    for kind in ServiceKind::ALL {
        let schema = kind.schema();
        for op in schema.operations {
            let Some(input) = op.input else { continue };
            let target = format!("{}.{}", schema.target_prefix, op.name);
            for all_members in [false, true] {
                let body = plausible(schema, input, 0, all_members).to_string();
                // Twice: the second call meets whatever the first one created.
                for _ in 0..2 {
                    let r = call(&server, &target, &body).await;
                    assert!(
                        r.status < 500 || r.status == 501,
                        "{target} answered {} to {}: {}",
                        r.status,
                        &body[..body.len().min(300)],
                        String::from_utf8_lossy(&r.body)
                    );
                }
            }
        }
    }
    // Most of these reach the handlers (rather than stopping at validation): the test means it.
    let log = server.requests();
    let built: Vec<_> = log.iter().filter(|r| r.status != 501).collect();
    let stopped = |r: &&codemock::core::RequestRecord| {
        matches!(
            r.error_code.as_deref(),
            Some("ValidationException" | "SerializationException")
        )
    };
    let handled = built.iter().filter(|r| !stopped(r)).count();
    assert!(
        handled * 2 >= built.len(),
        "only {handled} of {} calls got past validation",
        built.len()
    );
}

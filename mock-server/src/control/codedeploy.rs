//! The control routes for what CodeDeploy watches and publishes outside itself: the state of a
//! named CloudWatch alarm (`POST /_codemock/cloudwatch/alarms` `{"name": .., "state": "ALARM"}`)
//! and the SNS notifications deployment-group triggers published (`GET /_codemock/sns/notifications`).

use crate::core::Core;
use serde_json::{json, Value};

pub fn owns(path: &str) -> bool {
    path == "/_codemock/cloudwatch/alarms" || path == "/_codemock/sns/notifications"
}

pub fn handle(core: &Core, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    match (method, path) {
        ("POST", "/_codemock/cloudwatch/alarms") => {
            let v: Value = serde_json::from_slice(body).unwrap_or_default();
            let name = v.get("name").and_then(Value::as_str);
            let state = v.get("state").and_then(Value::as_str);
            let (Some(name), Some(state)) = (name, state) else {
                return (
                    400,
                    json!({"__type": "ValidationException", "message": "Body must be {\"name\": <string>, \"state\": \"OK\" | \"ALARM\" | \"INSUFFICIENT_DATA\"}"}),
                );
            };
            match core.codedeploy_alarms.set_alarm_state(name, state) {
                Ok(()) => (200, json!({"name": name, "state": state})),
                Err(e) => (
                    400,
                    json!({"__type": "ValidationException", "message": e.to_string()}),
                ),
            }
        }
        ("GET", "/_codemock/sns/notifications") => {
            (200, json!({"notifications": core.sns_notifications.all()}))
        }
        _ => (
            405,
            json!({"__type": "MethodNotAllowed", "message": format!("No control endpoint {method} {path}")}),
        ),
    }
}

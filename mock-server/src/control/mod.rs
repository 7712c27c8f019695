//! The control API on the server's own port, under `/_codemock/`: health, reset, the virtual
//! clock, and the logs of requests and events. Also answers the paths other emulators' test suites
//! call (`/moto-api/reset`, `/_localstack/health`), so those suites run unchanged. Outcome rules,
//! fault rules and the invocation log are in [`rules`].

mod codedeploy;
mod rules;

use crate::core::Core;
use crate::error::ServiceError;
use crate::protocol::{response, HttpResponse};
use crate::services::ServiceKind;
use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Services named in health answers, by their endpoint prefixes.
fn service_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = ServiceKind::ALL
        .iter()
        .map(|s| s.schema().signing_name)
        .collect();
    names.push("s3");
    names.sort_unstable();
    names
}

pub async fn handle(core: &Arc<Core>, parts: &http::request::Parts, body: Bytes) -> HttpResponse {
    let method = parts.method.as_str();
    let path = parts.uri.path().trim_end_matches('/');
    let request_id = core.request_ids.uuid();
    let ok = |v: Value| json_response(200, &request_id, &v);
    match (method, path) {
        ("GET", "/_codemock/health") => ok(json!({
            "status": "running",
            "version": VERSION,
            "services": service_names(),
            "clock": {"mode": core.clock.mode().name(), "now": core.clock.now()},
            "account": core.config.account_id,
            "region": core.config.region,
        })),
        ("GET", "/_localstack/health") => {
            let services: serde_json::Map<String, Value> = service_names()
                .into_iter()
                .map(|s| (s.to_owned(), Value::String("running".into())))
                .collect();
            ok(json!({"services": services, "edition": "community", "version": VERSION}))
        }
        ("POST", "/_codemock/reset") | ("POST", "/moto-api/reset") => {
            core.reset();
            ok(json!({"reset": true}))
        }
        ("GET", "/_codemock/clock") => ok(clock_json(core)),
        ("POST", "/_codemock/codebuild/parameters") | ("POST", "/_codemock/codebuild/secrets") => {
            let v: Value = serde_json::from_slice(&body).unwrap_or_default();
            let (key, value) = if path.ends_with("parameters") {
                (v.get("name"), v.get("value"))
            } else {
                (v.get("secretId"), v.get("value"))
            };
            match (key.and_then(Value::as_str), value.and_then(Value::as_str)) {
                (Some(k), Some(val)) => {
                    if path.ends_with("parameters") {
                        core.codebuild_values.set_parameter(k, val);
                    } else {
                        core.codebuild_values.set_secret(k, val);
                    }
                    ok(json!({}))
                }
                _ => json_response(
                    400,
                    &request_id,
                    &json!({"__type": "ValidationException", "message": "Body must be {\"name\" (or \"secretId\"): <string>, \"value\": <string>}"}),
                ),
            }
        }
        ("POST", "/_codemock/codepipeline/pushes") => {
            // The test plays the git host: a commit pushed to a repository (see `git.rs`).
            let mut v: Value = serde_json::from_slice(&body).unwrap_or_default();
            let mut take = |k: &str| {
                v.as_object_mut()
                    .and_then(|o| o.remove(k))
                    .and_then(|x| x.as_str().map(str::to_owned))
            };
            let account = take("account").unwrap_or(core.config.account_id.clone());
            let region = take("region").unwrap_or(core.config.region.clone());
            let pushed = serde_json::from_value::<crate::services::codepipeline::git::Push>(v)
                .map_err(|e| ServiceError::new("ValidationException", e.to_string()))
                .and_then(|push| {
                    crate::services::codepipeline::testing::CodePipelineControl::new(core)
                        .in_partition(&account, &region)
                        .push(push)
                });
            match pushed {
                Ok(p) => ok(
                    json!({"commitId": p.commit_id, "pipelineExecutionIds": p.pipeline_execution_ids}),
                ),
                Err(e) => json_response(
                    e.status,
                    &request_id,
                    &json!({"__type": e.code, "message": e.message}),
                ),
            }
        }
        ("POST", "/_codemock/settle") => {
            // Runs due timers and waits for every job, local builds included.
            let fired = core.settle().await;
            let mut v = clock_json(core);
            v["timersFired"] = json!(fired);
            ok(v)
        }
        ("POST", "/_codemock/clock/advance") => {
            let seconds = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("seconds").and_then(Value::as_f64));
            match seconds {
                Some(s) if s.is_finite() && s >= 0.0 => {
                    let fired = core.advance(Duration::from_secs_f64(s)).await;
                    let mut v = clock_json(core);
                    v["timersFired"] = json!(fired);
                    ok(v)
                }
                _ => json_response(
                    400,
                    &request_id,
                    &json!({"__type": "ValidationException", "message": "Body must be {\"seconds\": <non-negative number>}"}),
                ),
            }
        }
        ("GET", "/_codemock/requests") => ok(json!({"requests": core.requests()})),
        ("GET", "/_codemock/events") => ok(json!({"events": core.events()})),
        // CodeDeploy's outside world: CloudWatch alarm states, SNS trigger notifications.
        (_, p) if codedeploy::owns(p) => {
            let (status, v) = codedeploy::handle(core, method, p, &body);
            json_response(status, &request_id, &v)
        }
        (_, p) if rules::owns(p) => {
            let (status, v) = rules::handle(core, method, p, &body);
            json_response(status, &request_id, &v)
        }
        _ => json_response(
            404,
            &request_id,
            &json!({"__type": "NotFound", "message": format!("No control endpoint {method} {path}")}),
        ),
    }
}

fn clock_json(core: &Core) -> Value {
    json!({"now": core.clock.now(), "mode": core.clock.mode().name()})
}

fn json_response(status: u16, request_id: &str, v: &Value) -> HttpResponse {
    response(
        status,
        "application/json",
        request_id,
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

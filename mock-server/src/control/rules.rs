//! The control endpoints of the rules tests arm and the log they read: `/_codemock/outcomes`,
//! `/_codemock/faults` and `/_codemock/invocations` (with `/responses`). Bad input is a 400 with a
//! JSON error saying what is wrong; nothing here can panic on input.

use crate::core::Core;
use crate::faults::FaultRule;
use crate::invocations::ResponseRule;
use crate::outcomes::OutcomeRule;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const OUTCOMES: &str = "/_codemock/outcomes";
const FAULTS: &str = "/_codemock/faults";
const INVOCATIONS: &str = "/_codemock/invocations";
const RESPONSES: &str = "/_codemock/invocations/responses";

/// Whether `path` (trailing `/` trimmed) is one of these endpoints.
pub fn owns(path: &str) -> bool {
    [OUTCOMES, FAULTS, INVOCATIONS]
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

/// Answers one request: its status and JSON body.
pub fn handle(core: &Core, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    match (method, path) {
        ("POST", OUTCOMES) => match parse::<OutcomeRule>(body, "outcome rule", |r| r.check()) {
            Ok(rule) => ok(&core.outcomes.add(rule)),
            Err(e) => e,
        },
        ("GET", OUTCOMES) => (200, json!({"rules": core.outcomes.list()})),
        ("DELETE", OUTCOMES) => {
            core.outcomes.clear();
            (200, json!({"cleared": true}))
        }
        ("POST", FAULTS) => match parse::<FaultRule>(body, "fault rule", |r| r.check()) {
            Ok(rule) => ok(&core.faults.add(rule)),
            Err(e) => e,
        },
        ("GET", FAULTS) => (200, json!({"rules": core.faults.list()})),
        ("DELETE", FAULTS) => {
            core.faults.clear();
            (200, json!({"cleared": true}))
        }
        ("GET", INVOCATIONS) => (200, json!({"invocations": core.invocations.list()})),
        ("DELETE", INVOCATIONS) => {
            core.invocations.clear();
            (200, json!({"cleared": true}))
        }
        ("POST", RESPONSES) => {
            match parse::<ResponseRule>(body, "invocation response", |r| r.check()) {
                Ok(rule) => ok(&core.invocations.respond(rule)),
                Err(e) => e,
            }
        }
        ("GET", RESPONSES) => (200, json!({"responses": core.invocations.responses()})),
        ("DELETE", RESPONSES) => {
            core.invocations.clear_responses();
            (200, json!({"cleared": true}))
        }
        ("DELETE", p) => {
            let removed = if let Some(id) = one_id(p, OUTCOMES) {
                Some((core.outcomes.remove(id), "outcome rule", id))
            } else {
                one_id(p, FAULTS).map(|id| (core.faults.remove(id), "fault rule", id))
            };
            match removed {
                Some((true, _, id)) => (200, json!({"deleted": id})),
                Some((false, what, id)) => error(
                    404,
                    "ResourceNotFoundException",
                    format!("No {what} with id {id}"),
                ),
                None => not_found(method, p),
            }
        }
        (_, p) if [OUTCOMES, FAULTS, INVOCATIONS, RESPONSES].contains(&p) => error(
            405,
            "MethodNotAllowed",
            format!("{p} does not accept {method}"),
        ),
        (_, p) => not_found(method, p),
    }
}

/// The `<id>` of `<base>/<id>` (one segment).
fn one_id<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    path.strip_prefix(base)?
        .strip_prefix('/')
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

fn parse<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
    check: impl FnOnce(&T) -> Result<(), String>,
) -> Result<T, (u16, Value)> {
    let invalid = |m: String| error(400, "ValidationException", format!("Invalid {what}: {m}"));
    let json: Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("the body is not JSON ({e})")))?;
    // serde would also read a struct from an array: only an object is a rule.
    if !json.is_object() {
        return Err(invalid("the body must be a JSON object".into()));
    }
    let value = T::deserialize(json).map_err(|e| invalid(e.to_string()))?;
    check(&value).map_err(invalid)?;
    Ok(value)
}

fn ok(v: &impl serde::Serialize) -> (u16, Value) {
    match serde_json::to_value(v) {
        Ok(v) => (200, v),
        Err(e) => error(500, "InternalFailure", e.to_string()),
    }
}

fn error(status: u16, code: &str, message: String) -> (u16, Value) {
    (status, json!({"__type": code, "message": message}))
}

fn not_found(method: &str, path: &str) -> (u16, Value) {
    error(
        404,
        "NotFound",
        format!("No control endpoint {method} {path}"),
    )
}

//! The invocation log: codemock has no Lambda, so every function invocation it makes (EventBridge
//! targets now; CodeDeploy hooks and CodePipeline invoke actions next) is recorded here with the
//! payload AWS would send, and answered by the response a test registered for the function
//! (control API `/_codemock/invocations`, or [`crate::MockServer::invocations`]).
//!
//! Without a registered response an invocation succeeds with a `null` payload: an asynchronous
//! (`Event`) invocation is accepted by Lambda whatever the function later does.

use crate::selector::{glob_match, Book, Counted, Stored};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How the function is invoked (Lambda's `InvocationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InvocationType {
    /// Asynchronous: the caller sees only whether Lambda accepted the event.
    Event,
    /// Synchronous: the caller gets the function's result.
    RequestResponse,
}

/// An invocation about to be made, as the caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeRequest {
    /// The function's name or ARN, as the caller names it (qualifiers included).
    pub function: String,
    pub invocation_type: InvocationType,
    /// The exact payload (JSON text) the function receives.
    pub payload: String,
    /// The service invoking (`events`, `codedeploy`, `codepipeline`).
    pub source: String,
    /// What in that service invokes (a rule ARN, a deployment id...).
    pub source_arn: Option<String>,
    /// The account and region of the invocation (used to complete a bare function name to an
    /// ARN, so that a response registered for either form matches).
    pub account: String,
    pub region: String,
    /// Virtual time of the invocation.
    pub time: f64,
}

/// What the function (or Lambda) answered.
#[derive(Debug, Clone, PartialEq)]
pub enum InvocationResponse {
    /// The invocation went through; the function returned this.
    Payload(Value),
    /// Lambda's Invoke call failed with this AWS error (`ResourceNotFoundException`,
    /// `TooManyRequestsException`...): the caller handles it as it would a failing call.
    Error { code: String, message: String },
}

impl InvocationResponse {
    pub fn is_error(&self) -> bool {
        matches!(self, InvocationResponse::Error { .. })
    }
}

/// Serialised flat, the way responses are registered: `{"payload": ..}` or
/// `{"error": "<code>", "message": ".."}`.
impl Serialize for InvocationResponse {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match self {
            InvocationResponse::Payload(v) => map.serialize_entry("payload", v)?,
            InvocationResponse::Error { code, message } => {
                map.serialize_entry("error", code)?;
                map.serialize_entry("message", message)?;
            }
        }
        map.end()
    }
}

/// One line of the log (`GET /_codemock/invocations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// `invocation-1`, `invocation-2`... in the order they were made.
    pub id: String,
    pub time: f64,
    pub function: String,
    pub invocation_type: InvocationType,
    pub payload: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    pub account: String,
    pub region: String,
    pub response: InvocationResponse,
    /// The registered response that answered (`None`: the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
}

impl Invocation {
    /// The payload as JSON (every payload codemock sends is JSON text).
    pub fn payload_json(&self) -> Option<Value> {
        serde_json::from_str(&self.payload).ok()
    }
}

/// A response a test registers, as posted to `/_codemock/invocations/responses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResponseRule {
    /// A glob over the function's name or ARN (`None`: every function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// What the function returns (`null` if neither this nor `error` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// An AWS error code the Invoke call fails with instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many more invocations it answers (`None`: until cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl ResponseRule {
    /// Functions matching `function` return `payload`.
    pub fn payload(function: impl Into<String>, payload: Value) -> ResponseRule {
        ResponseRule {
            function: Some(function.into()),
            payload: Some(payload),
            error: None,
            message: None,
            count: None,
        }
    }

    /// Invoking functions matching `function` fails with the AWS error `code`.
    pub fn error(
        function: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> ResponseRule {
        ResponseRule {
            function: Some(function.into()),
            payload: None,
            error: Some(code.into()),
            message: Some(message.into()),
            count: None,
        }
    }

    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// What the control API refuses: the reason, for a 400.
    pub fn check(&self) -> Result<(), String> {
        if self.payload.is_some() && self.error.is_some() {
            return Err("give either payload or error, not both".into());
        }
        if self.error.as_deref().is_some_and(|e| e.trim().is_empty()) {
            return Err("error must be an AWS error code".into());
        }
        if self.message.is_some() && self.error.is_none() {
            return Err("message goes with error".into());
        }
        if self.count == Some(0) {
            return Err("count must be at least 1 (leave it out for no limit)".into());
        }
        Ok(())
    }

    fn response(&self) -> InvocationResponse {
        match &self.error {
            Some(code) => InvocationResponse::Error {
                code: code.clone(),
                message: self
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("{code} (codemock invocation response)")),
            },
            None => InvocationResponse::Payload(self.payload.clone().unwrap_or(Value::Null)),
        }
    }
}

impl Counted for ResponseRule {
    fn remaining(&mut self) -> &mut Option<u32> {
        &mut self.count
    }
}

/// A response with its id (`response-1`, ...).
pub type StoredResponse = Stored<ResponseRule>;

/// The log keeps at most this many invocations, the oldest dropped first.
const LOG_CAPACITY: usize = 100_000;

#[derive(Debug)]
struct Inner {
    log: Vec<Invocation>,
    next: u64,
    responses: Book<ResponseRule>,
}

/// The server's invocation log and registered responses.
#[derive(Debug)]
pub struct Invocations {
    inner: Mutex<Inner>,
}

impl Default for Invocations {
    fn default() -> Self {
        Invocations {
            inner: Mutex::new(Inner {
                log: Vec::new(),
                next: 1,
                responses: Book::new("response"),
            }),
        }
    }
}

impl Invocations {
    pub fn new() -> Invocations {
        Invocations::default()
    }

    /// Every invocation made, oldest first.
    pub fn list(&self) -> Vec<Invocation> {
        self.inner.lock().log.clone()
    }

    /// Registers a response; it takes precedence over every older one.
    pub fn respond(&self, rule: ResponseRule) -> StoredResponse {
        self.inner.lock().responses.add(rule)
    }

    /// The registered responses, oldest first, with the uses left of counted ones.
    pub fn responses(&self) -> Vec<StoredResponse> {
        self.inner.lock().responses.list()
    }

    pub fn clear_responses(&self) {
        self.inner.lock().responses.clear();
    }

    /// Forgets the log and the registered responses.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.log.clear();
        inner.responses.clear();
    }

    /// Forgets everything and restarts the ids (server reset).
    pub fn reset(&self) {
        let mut inner = self.inner.lock();
        inner.log.clear();
        inner.next = 1;
        inner.responses.reset();
    }

    /// Makes an invocation: records it and answers with the newest registered response for the
    /// function (used once), or the default (`null`).
    pub fn invoke(&self, req: InvokeRequest) -> InvocationResponse {
        let names = function_names(&req.function, &req.account, &req.region);
        let mut inner = self.inner.lock();
        let used = inner.responses.take(|r| {
            r.function
                .as_deref()
                .is_none_or(|glob| names.iter().any(|n| glob_match(glob, n)))
        });
        let (response, response_id) = match used {
            Some(s) => (s.rule.response(), Some(s.id)),
            None => (InvocationResponse::Payload(Value::Null), None),
        };
        let id = format!("invocation-{}", inner.next);
        inner.next += 1;
        if inner.log.len() >= LOG_CAPACITY {
            inner.log.drain(..LOG_CAPACITY / 10);
        }
        inner.log.push(Invocation {
            id,
            time: req.time,
            function: req.function,
            invocation_type: req.invocation_type,
            payload: req.payload,
            source: req.source,
            source_arn: req.source_arn,
            account: req.account,
            region: req.region,
            response: response.clone(),
            response_id,
        });
        response
    }
}

/// The forms a response's glob may match: as given, the bare name (and `name:qualifier`), and
/// the unqualified and qualified ARNs.
fn function_names(function: &str, account: &str, region: &str) -> Vec<String> {
    let mut names = vec![function.to_owned()];
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    let (arn_prefix, rest) = match function.split_once(":function:") {
        Some((prefix, rest)) if function.starts_with("arn:") => (prefix.to_owned(), rest),
        _ => (format!("arn:aws:lambda:{region}:{account}"), function),
    };
    let bare = rest.split(':').next().unwrap_or(rest);
    for n in [
        bare.to_owned(),
        rest.to_owned(),
        format!("{arn_prefix}:function:{bare}"),
        format!("{arn_prefix}:function:{rest}"),
    ] {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:my-fn";

    fn request(function: &str) -> InvokeRequest {
        InvokeRequest {
            function: function.into(),
            invocation_type: InvocationType::Event,
            payload: r#"{"a":1}"#.into(),
            source: "events".into(),
            source_arn: Some("arn:aws:events:us-east-1:000000000000:rule/r".into()),
            account: "000000000000".into(),
            region: "us-east-1".into(),
            time: 5.0,
        }
    }

    #[test]
    fn every_invocation_is_logged_and_succeeds_by_default() {
        let inv = Invocations::new();
        assert_eq!(
            inv.invoke(request(ARN)),
            InvocationResponse::Payload(Value::Null)
        );
        let log = inv.list();
        assert_eq!(log[0].id, "invocation-1");
        assert_eq!(log[0].payload_json(), Some(json!({"a": 1})));
        let v = serde_json::to_value(&log[0]).expect("json");
        assert_eq!(v["invocationType"], "Event");
        assert_eq!(v["response"], json!({"payload": null}));
        assert!(v.get("responseId").is_none());
    }

    #[test]
    fn a_response_matches_the_name_or_the_arn_in_either_form() {
        let inv = Invocations::new();
        inv.respond(ResponseRule::payload("my-*", json!({"ok": true})));
        assert_eq!(
            inv.invoke(request(ARN)),
            InvocationResponse::Payload(json!({"ok": true}))
        );
        inv.clear();
        inv.respond(ResponseRule::payload(ARN, json!(1)));
        assert_eq!(
            inv.invoke(request("my-fn")),
            InvocationResponse::Payload(json!(1)),
            "a bare name is completed to the ARN"
        );
        assert_eq!(
            inv.invoke(request(&format!("{ARN}:live"))),
            InvocationResponse::Payload(json!(1)),
            "a qualified ARN matches the unqualified glob"
        );
        assert_eq!(
            inv.invoke(request("other")),
            InvocationResponse::Payload(Value::Null)
        );
    }

    #[test]
    fn counted_error_responses_run_out_newest_first() {
        let inv = Invocations::new();
        inv.respond(ResponseRule::payload("*", json!("later")));
        let stored = inv.respond(
            ResponseRule::error("my-fn", "TooManyRequestsException", "Rate exceeded").count(1),
        );
        assert_eq!(stored.id, "response-2");
        let first = inv.invoke(request(ARN));
        assert_eq!(
            first,
            InvocationResponse::Error {
                code: "TooManyRequestsException".into(),
                message: "Rate exceeded".into()
            }
        );
        assert_eq!(
            inv.invoke(request(ARN)),
            InvocationResponse::Payload(json!("later"))
        );
        assert_eq!(inv.list()[0].response_id.as_deref(), Some("response-2"));
        assert_eq!(inv.responses().len(), 1);
        let v = serde_json::to_value(&inv.list()[0].response).expect("json");
        assert_eq!(
            v,
            json!({"error": "TooManyRequestsException", "message": "Rate exceeded"})
        );
    }

    #[test]
    fn reset_restarts_ids_and_bad_responses_are_refused() {
        let inv = Invocations::new();
        inv.invoke(request(ARN));
        inv.reset();
        inv.invoke(request(ARN));
        assert_eq!(inv.list()[0].id, "invocation-1");
        let both = ResponseRule {
            error: Some("X".into()),
            ..ResponseRule::payload("f", json!(1))
        };
        assert!(both.check().is_err());
        assert!(ResponseRule::payload("f", json!(1))
            .count(0)
            .check()
            .is_err());
        assert!(serde_json::from_str::<ResponseRule>(r#"{"function":"f","paylod":1}"#).is_err());
    }
}

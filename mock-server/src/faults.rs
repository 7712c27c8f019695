//! Fault rules: an operation answers a given AWS error instead of running, N times, so that a
//! client's retries and error handling can be tested (`count: 2` then success). The gateway asks
//! [`Faults::take`] after routing and before decoding (DESIGN.md, request flow step 5).

use crate::error::ErrorReply;
use crate::selector::{glob_match, Book, Counted, Stored};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// One rule, as posted to `/_codemock/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The service, by any of its names, any case: service id (`CodePipeline`, `EventBridge`),
    /// endpoint prefix (`events`) or `X-Amz-Target` prefix (`AWSEvents`).
    pub service: String,
    /// A glob over the operation name (`None`: every operation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The error shape name the client sees (`ThrottlingException`).
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// HTTP status (default 400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How many more requests it answers (`None`: until removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl FaultRule {
    /// `FaultRule::new("CodePipeline", "ThrottlingException").operation("ListPipelines").count(2)`.
    pub fn new(service: impl Into<String>, code: impl Into<String>) -> FaultRule {
        FaultRule {
            service: service.into(),
            operation: None,
            code: code.into(),
            message: None,
            status: None,
            count: None,
        }
    }

    pub fn operation(mut self, glob: impl Into<String>) -> Self {
        self.operation = Some(glob.into());
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// What the control API refuses: the reason, for a 400.
    pub fn check(&self) -> Result<(), String> {
        if self.service.trim().is_empty() {
            return Err("service must not be empty".into());
        }
        if self.code.trim().is_empty() {
            return Err("code must not be empty".into());
        }
        if self.status.is_some_and(|s| !(400..=599).contains(&s)) {
            return Err("status must be an HTTP error status (400 to 599)".into());
        }
        if self.count == Some(0) {
            return Err("count must be at least 1 (leave it out for no limit)".into());
        }
        Ok(())
    }

    fn matches(&self, service_names: &[&str], operation: &str) -> bool {
        service_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(self.service.trim()))
            && self
                .operation
                .as_deref()
                .is_none_or(|glob| glob_match(glob, operation))
    }
}

impl Counted for FaultRule {
    fn remaining(&mut self) -> &mut Option<u32> {
        &mut self.count
    }
}

/// A rule with its id (`fault-1`, ...).
pub type StoredFault = Stored<FaultRule>;

/// The server's fault rules.
#[derive(Debug)]
pub struct Faults {
    book: Mutex<Book<FaultRule>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            book: Mutex::new(Book::new("fault")),
        }
    }
}

impl Faults {
    pub fn new() -> Faults {
        Faults::default()
    }

    pub fn add(&self, rule: FaultRule) -> StoredFault {
        self.book.lock().add(rule)
    }

    /// Oldest first, with the uses left of counted rules.
    pub fn list(&self) -> Vec<StoredFault> {
        self.book.lock().list()
    }

    pub fn clear(&self) {
        self.book.lock().clear();
    }

    pub fn remove(&self, id: &str) -> bool {
        self.book.lock().remove(id)
    }

    /// Forgets every rule and restarts the ids (server reset).
    pub fn reset(&self) {
        self.book.lock().reset();
    }

    /// The error the request must answer, if a rule for the service (named by any of
    /// `service_names`) and operation is armed; the rule is used once.
    pub fn take(&self, service_names: &[&str], operation: &str) -> Option<ErrorReply> {
        let mut book = self.book.lock();
        // Most requests meet no rule at all: skip the matching entirely.
        if book.is_empty() {
            return None;
        }
        let used = book.take(|r| r.matches(service_names, operation))?;
        let rule = used.rule;
        Some(ErrorReply {
            status: rule.status.unwrap_or(400),
            message: rule
                .message
                .unwrap_or_else(|| format!("Injected by codemock fault rule {}", used.id)),
            code: rule.code,
            fields: serde_json::Map::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: [&str; 3] = ["CodePipeline", "codepipeline", "CodePipeline_20150709"];

    #[test]
    fn a_counted_fault_answers_count_times_then_the_operation_runs() {
        let f = Faults::new();
        f.add(
            FaultRule::new("codepipeline", "ThrottlingException")
                .operation("ListPipelines")
                .count(2),
        );
        for _ in 0..2 {
            let reply = f.take(&PIPELINE, "ListPipelines").expect("fault");
            assert_eq!(reply.code, "ThrottlingException");
            assert_eq!(reply.status, 400);
            assert_eq!(reply.message, "Injected by codemock fault rule fault-1");
        }
        assert_eq!(f.take(&PIPELINE, "ListPipelines"), None);
        assert!(f.list().is_empty());
    }

    #[test]
    fn faults_match_any_service_name_and_operation_globs() {
        let f = Faults::new();
        f.add(
            FaultRule::new("AWSEvents", "InternalException")
                .operation("Put*")
                .status(500)
                .message("boom"),
        );
        let events = ["EventBridge", "events", "AWSEvents"];
        assert_eq!(f.take(&events, "ListRules"), None);
        assert_eq!(f.take(&PIPELINE, "PutEvents"), None, "another service");
        let reply = f.take(&events, "PutEvents").expect("fault");
        assert_eq!((reply.status, reply.message.as_str()), (500, "boom"));
        f.add(FaultRule::new("EVENTS", "AccessDeniedException"));
        assert_eq!(
            f.take(&events, "ListRules").map(|r| r.code),
            Some("AccessDeniedException".into()),
            "no operation: every operation"
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        assert!(FaultRule::new("sqs", "X").status(200).check().is_err());
        assert!(FaultRule::new("sqs", "").check().is_err());
        assert!(FaultRule::new("sqs", "X").count(0).check().is_err());
        assert!(FaultRule::new("sqs", "X").status(503).check().is_ok());
        assert!(serde_json::from_str::<FaultRule>(r#"{"service":"sqs"}"#).is_err());
    }
}

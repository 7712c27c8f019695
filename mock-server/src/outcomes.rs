//! Outcome rules: how simulated work goes (a build phase, a deployment lifecycle event, a pipeline
//! action). By default work succeeds; a test steers it with rules (control API
//! `/_codemock/outcomes` or [`crate::MockServer::outcomes`]) or with a `codemock:outcome` tag on
//! the resource. Every simulated step asks [`Outcomes::decide`].
//!
//! The tag syntax is `OUTCOME` or `OUTCOME:STEP`, e.g. `FAILED` (the first step asked fails) or
//! `FAILED:BUILD` (the BUILD step fails); values that do not parse are ignored, since AWS accepts
//! any tag value and creating the resource must not fail because of it.

use crate::selector::{glob_match, Book, Counted, Stored};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// The tag that steers a resource's work when no rule matched.
pub const OUTCOME_TAG: &str = "codemock:outcome";

/// How a step ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Succeeded,
    Failed,
    TimedOut,
    Stopped,
    /// Never ends by itself (until the work's own timeout, or a stop).
    Hang,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::TimedOut,
        Outcome::Stopped,
        Outcome::Hang,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Succeeded => "SUCCEEDED",
            Outcome::Failed => "FAILED",
            Outcome::TimedOut => "TIMED_OUT",
            Outcome::Stopped => "STOPPED",
            Outcome::Hang => "HANG",
        }
    }

    /// Case-insensitive, for tag values typed by hand.
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// One rule, as posted to `/_codemock/outcomes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutcomeRule {
    /// The service doing the work (`codebuild`, `codedeploy`, `codepipeline`), any case.
    pub service: String,
    /// A glob over the resource's name or ARN (`None`: every resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// A glob over the step (phase, action or lifecycle event), any case (`None`: every step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub outcome: Outcome,
    /// The error code the work reports (e.g. a build phase's context status code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How long the step takes, in virtual seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// How many more times the rule applies (`None`: until removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl OutcomeRule {
    /// `OutcomeRule::new("codebuild", Outcome::Failed).resource("my-*").step("BUILD")`.
    pub fn new(service: impl Into<String>, outcome: Outcome) -> OutcomeRule {
        OutcomeRule {
            service: service.into(),
            resource: None,
            step: None,
            outcome,
            code: None,
            message: None,
            seconds: None,
            count: None,
        }
    }

    pub fn resource(mut self, glob: impl Into<String>) -> Self {
        self.resource = Some(glob.into());
        self
    }

    pub fn step(mut self, glob: impl Into<String>) -> Self {
        self.step = Some(glob.into());
        self
    }

    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn seconds(mut self, seconds: f64) -> Self {
        self.seconds = Some(seconds);
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
        if self.seconds.is_some_and(|s| !s.is_finite() || s < 0.0) {
            return Err("seconds must be a non-negative number".into());
        }
        if self.count == Some(0) {
            return Err("count must be at least 1 (leave it out for no limit)".into());
        }
        Ok(())
    }

    fn matches(&self, q: &OutcomeQuery<'_>) -> bool {
        self.service.eq_ignore_ascii_case(q.service)
            && self
                .resource
                .as_deref()
                .is_none_or(|glob| q.names.iter().any(|n| glob_match(glob, n)))
            && match (self.step.as_deref(), q.step) {
                (None, _) => !q.named_steps_only,
                (Some(glob), Some(step)) => {
                    glob_match(&glob.to_ascii_uppercase(), &step.to_ascii_uppercase())
                }
                // A rule for a named step says nothing about the work as a whole.
                (Some(_), None) => false,
            }
    }
}

impl Counted for OutcomeRule {
    fn remaining(&mut self) -> &mut Option<u32> {
        &mut self.count
    }
}

/// A rule with its id (`outcome-1`, ...), as the control API answers it.
pub type StoredRule = Stored<OutcomeRule>;

/// The question a piece of simulated work asks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutcomeQuery<'a> {
    pub service: &'a str,
    /// The resource's names (name and ARN); a rule's glob may match either.
    pub names: Vec<&'a str>,
    /// The step about to run (`None`: the work as a whole).
    pub step: Option<&'a str>,
    /// The value of the resource's `codemock:outcome` tag, if it has one.
    pub tag: Option<&'a str>,
    /// Only rules and tags that name a step apply (a build asks so for every phase but BUILD,
    /// so that a plain `FAILED` fails the BUILD phase, where commands run).
    pub named_steps_only: bool,
}

impl<'a> OutcomeQuery<'a> {
    pub fn new(service: &'a str) -> Self {
        OutcomeQuery {
            service,
            ..OutcomeQuery::default()
        }
    }

    /// A name or ARN of the resource (call once for each).
    pub fn name(mut self, name: &'a str) -> Self {
        self.names.push(name);
        self
    }

    pub fn step(mut self, step: &'a str) -> Self {
        self.step = Some(step);
        self
    }

    /// Only rules and tags that name a step apply.
    pub fn named_steps_only(mut self) -> Self {
        self.named_steps_only = true;
        self
    }

    /// The resource's tags, as key/value pairs; only `codemock:outcome` is kept.
    pub fn tags(mut self, tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        if let Some((_, v)) = tags.into_iter().find(|(k, _)| *k == OUTCOME_TAG) {
            self.tag = Some(v);
        }
        self
    }
}

/// The answer: how the step goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    pub code: Option<String>,
    pub message: Option<String>,
    /// How long the step takes in virtual seconds (`None`: the service's default duration).
    pub seconds: Option<f64>,
    /// The id of the rule that decided (`None`: the resource's tag did).
    pub rule: Option<String>,
}

/// The server's outcome rules.
#[derive(Debug)]
pub struct Outcomes {
    book: Mutex<Book<OutcomeRule>>,
}

impl Default for Outcomes {
    fn default() -> Self {
        Outcomes {
            book: Mutex::new(Book::new("outcome")),
        }
    }
}

impl Outcomes {
    pub fn new() -> Outcomes {
        Outcomes::default()
    }

    /// Stores a rule; it takes precedence over every older one.
    pub fn add(&self, rule: OutcomeRule) -> StoredRule {
        self.book.lock().add(rule)
    }

    /// Oldest first, with the uses left of counted rules.
    pub fn list(&self) -> Vec<StoredRule> {
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

    /// How the step of `query` goes: the newest matching rule (used once), else the resource's
    /// `codemock:outcome` tag, else `None` (the service's default: success).
    pub fn decide(&self, query: &OutcomeQuery<'_>) -> Option<Decision> {
        if let Some(used) = self.book.lock().take(|r| r.matches(query)) {
            return Some(Decision {
                outcome: used.rule.outcome,
                code: used.rule.code,
                message: used.rule.message,
                seconds: used.rule.seconds,
                rule: Some(used.id),
            });
        }
        let (outcome, step) = parse_tag(query.tag?)?;
        let applies = match (step, query.step) {
            (None, _) => !query.named_steps_only,
            (Some(want), Some(step)) => want.eq_ignore_ascii_case(step),
            (Some(_), None) => false,
        };
        applies.then_some(Decision {
            outcome,
            code: None,
            message: None,
            seconds: None,
            rule: None,
        })
    }
}

/// `FAILED` or `FAILED:BUILD`.
fn parse_tag(value: &str) -> Option<(Outcome, Option<&str>)> {
    let (outcome, step) = match value.split_once(':') {
        Some((o, s)) => (o, Some(s.trim()).filter(|s| !s.is_empty())),
        None => (value, None),
    };
    Some((Outcome::parse(outcome)?, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:codebuild:us-east-1:000000000000:project/my-app";

    fn build<'a>(step: &'a str) -> OutcomeQuery<'a> {
        OutcomeQuery::new("codebuild")
            .name("my-app")
            .name(ARN)
            .step(step)
    }

    #[test]
    fn no_rule_and_no_tag_means_the_default() {
        let o = Outcomes::new();
        assert_eq!(o.decide(&build("BUILD")), None);
    }

    #[test]
    fn a_rule_matches_by_name_or_arn_glob_and_step() {
        let o = Outcomes::new();
        o.add(
            OutcomeRule::new("CodeBuild", Outcome::Failed)
                .resource("my-*")
                .step("build"),
        );
        let d = o.decide(&build("BUILD")).expect("matched");
        assert_eq!(d.outcome, Outcome::Failed);
        assert_eq!(d.rule.as_deref(), Some("outcome-1"));
        assert_eq!(o.decide(&build("INSTALL")), None, "another step");
        o.clear();
        o.add(OutcomeRule::new("codebuild", Outcome::TimedOut).resource("arn:aws:codebuild:*"));
        assert_eq!(
            o.decide(&build("INSTALL")).map(|d| d.outcome),
            Some(Outcome::TimedOut)
        );
        assert_eq!(
            o.decide(&OutcomeQuery::new("codedeploy").name("my-app"))
                .map(|d| d.outcome),
            None,
            "another service"
        );
    }

    #[test]
    fn a_rule_for_a_step_does_not_answer_for_the_whole_work() {
        let o = Outcomes::new();
        o.add(OutcomeRule::new("codebuild", Outcome::Failed).step("BUILD"));
        assert_eq!(
            o.decide(&OutcomeQuery::new("codebuild").name("my-app")),
            None
        );
    }

    #[test]
    fn the_newest_rule_wins() {
        let o = Outcomes::new();
        o.add(OutcomeRule::new("codebuild", Outcome::Failed));
        o.add(
            OutcomeRule::new("codebuild", Outcome::Stopped)
                .code("E1")
                .seconds(3.0),
        );
        let d = o.decide(&build("BUILD")).expect("matched");
        assert_eq!(d.outcome, Outcome::Stopped);
        assert_eq!(d.code.as_deref(), Some("E1"));
        assert_eq!(d.seconds, Some(3.0));
        assert!(o.remove("outcome-2"));
        assert_eq!(
            o.decide(&build("BUILD")).map(|d| d.outcome),
            Some(Outcome::Failed)
        );
    }

    #[test]
    fn a_counted_rule_applies_count_times_then_is_gone() {
        let o = Outcomes::new();
        o.add(OutcomeRule::new("codebuild", Outcome::Failed).count(2));
        assert!(o.decide(&build("BUILD")).is_some());
        assert_eq!(o.list()[0].rule.count, Some(1));
        assert!(o.decide(&build("BUILD")).is_some());
        assert!(o.list().is_empty());
        assert_eq!(o.decide(&build("BUILD")), None);
    }

    #[test]
    fn the_tag_decides_when_no_rule_matched() {
        let o = Outcomes::new();
        let tags = [("team", "x"), (OUTCOME_TAG, "failed:BUILD")];
        let q = build("BUILD").tags(tags);
        let d = o.decide(&q).expect("tag");
        assert_eq!(d.outcome, Outcome::Failed);
        assert_eq!(d.rule, None);
        assert_eq!(o.decide(&build("INSTALL").tags(tags)), None, "other step");
        assert_eq!(
            o.decide(&build("INSTALL").tags([(OUTCOME_TAG, "HANG")]))
                .map(|d| d.outcome),
            Some(Outcome::Hang),
            "no step: every step"
        );
        assert_eq!(
            o.decide(&build("BUILD").tags([(OUTCOME_TAG, "EXPLODE")])),
            None,
            "unparseable values are ignored"
        );
        // A rule beats the tag.
        o.add(OutcomeRule::new("codebuild", Outcome::Succeeded));
        assert_eq!(o.decide(&q).map(|d| d.outcome), Some(Outcome::Succeeded));
    }

    #[test]
    fn rules_read_and_write_the_documented_json() {
        let rule: OutcomeRule = serde_json::from_str(
            r#"{"service":"codebuild","resource":"my-*","step":"BUILD","outcome":"TIMED_OUT","seconds":30,"count":1}"#,
        )
        .expect("parses");
        assert_eq!(rule.outcome, Outcome::TimedOut);
        assert_eq!(rule.seconds, Some(30.0));
        let stored = Outcomes::new().add(rule);
        let v = serde_json::to_value(&stored).expect("json");
        assert_eq!(v["id"], "outcome-1");
        assert_eq!(v["outcome"], "TIMED_OUT");
        assert!(v.get("code").is_none());
        for bad in [
            r#"{"outcome":"FAILED"}"#,
            r#"{"service":"codebuild","outcome":"EXPLODED"}"#,
            r#"{"service":"codebuild","outcome":"FAILED","stpe":"BUILD"}"#,
        ] {
            assert!(serde_json::from_str::<OutcomeRule>(bad).is_err(), "{bad}");
        }
        assert!(OutcomeRule::new("codebuild", Outcome::Failed)
            .count(0)
            .check()
            .is_err());
        assert!(OutcomeRule::new(" ", Outcome::Failed).check().is_err());
    }
}

//! The data-driven fixture table of the pattern language, loaded from
//! `tests/data/event-patterns.json`: each row a pattern, an event and the expected outcome.
//!
//! Two kinds of rows. Rows with a `recorded` field are AWS's recorded behaviour: LocalStack's
//! AWS-validated TestEventPattern suite (localstack/localstack,
//! tests/aws/services/events/event_pattern_templates/ and test_events_patterns.py, outcomes and
//! error messages from test_events_patterns.snapshot.json), imported verbatim by
//! scripts/import-recorded-event-patterns.py; `recorded` names the template and the date AWS last
//! confirmed it. The other rows are our own, grouped by the EventBridge user-guide section they
//! exercise; where one contradicted a recorded row, the recorded one won and the row was
//! corrected. The same file drives the wire test that checks TestEventPattern agrees.

use serde_json::Value;

const TABLE: &str = include_str!("../../../../../tests/data/event-patterns.json");

#[derive(Debug, Clone)]
pub(super) enum Expect {
    Match,
    NoMatch,
    /// Rejected by validation; the text must appear in the error message.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub(super) struct Fixture {
    pub pattern: String,
    pub event: String,
    pub expect: Expect,
}

/// Every row of the table.
pub(super) fn fixtures() -> Vec<Fixture> {
    let rows: Vec<Value> = serde_json::from_str(TABLE).expect("event-patterns.json is valid JSON");
    rows.iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().unwrap_or_default().to_owned();
            let expect = match row["expect"].as_str() {
                Some("match") => Expect::Match,
                Some("no_match") => Expect::NoMatch,
                Some("invalid") => Expect::Invalid(text("reason")),
                other => panic!("unknown expectation {other:?} in event-patterns.json"),
            };
            Fixture {
                pattern: text("pattern"),
                event: if row.get("event").is_some() {
                    text("event")
                } else {
                    "{}".to_owned()
                },
                expect,
            }
        })
        .collect()
}

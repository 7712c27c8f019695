//! The delivery log (`GET /_codemock/events`, `MockServer::events()`): what EventBridge did with
//! each event. Records stay typed while stored, sharing the event (and the target input) with
//! delivery, and become JSON only when the log is read: a put costs a few small copies instead
//! of JSON trees built for every event (the largest cost of PutEvents in `make bench`). Events
//! are kept as their JSON text ([`LoggedEvent`]), which is also what an SQS target receives, so
//! the log holds no event tree once delivery is done.

use serde_json::{json, Value};
use std::sync::Arc;

/// An event as the log keeps it: its id and its JSON text. The text is shared with the targets
/// that receive the whole event (and the SQS messages they became); the tree is not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    /// The event's `id` (null when it has none, as `event.get("id")` would serialize).
    id: Value,
    pub text: Arc<str>,
}

impl LoggedEvent {
    pub fn of(event: &Value) -> Arc<LoggedEvent> {
        // Written into a buffer about an event's size at once, rather than one grown from empty.
        let mut text = Vec::with_capacity(512);
        // A JSON value (string keys only) always serializes, as valid UTF-8.
        let _ = serde_json::to_writer(&mut text, event);
        Arc::new(LoggedEvent {
            id: event.get("id").cloned().unwrap_or(Value::Null),
            text: String::from_utf8(text).unwrap_or_default().into(),
        })
    }

    /// The event again (serde_json's text reads back as the same value).
    fn event(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// One line of the delivery log.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    /// Virtual epoch seconds it happened at.
    pub time: f64,
    kind: Kind,
}

/// Where a record happened: the bus's (or the rule's) partition.
#[derive(Debug, Clone)]
pub struct Place {
    pub account: String,
    pub region: String,
}

/// A target invocation's identity and result, as `TargetInvoked` shows it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub rule_arn: String,
    pub target_id: String,
    pub target_arn: String,
    /// `sqs`, `logs`, `event-bus`, `api-destination`, `recorded`, `transform`...
    pub target_type: &'static str,
    pub event: Arc<LoggedEvent>,
    pub input: Arc<str>,
    pub attempt: u32,
    /// The error code and message of a failed attempt.
    pub failure: Option<(String, String)>,
}

#[derive(Debug, Clone)]
enum Kind {
    EventPut {
        place: Place,
        bus: String,
        event: Arc<LoggedEvent>,
        forwarded: bool,
        replay: Option<String>,
    },
    RuleMatched {
        place: Place,
        bus: String,
        rule: String,
        rule_arn: String,
        event: Arc<LoggedEvent>,
    },
    TargetInvoked {
        place: Place,
        invocation: Box<Invocation>,
    },
    /// The rare records (dropped events, retries, discards, dead letters), already JSON.
    Other(Value),
}

impl DeliveryRecord {
    /// An event put on `bus` (forwarded by another bus's rule, or re-delivered by `replay`).
    pub fn event_put(
        time: f64,
        place: Place,
        bus: &str,
        event: &Arc<LoggedEvent>,
        forwarded: bool,
        replay: Option<&str>,
    ) -> DeliveryRecord {
        DeliveryRecord {
            time,
            kind: Kind::EventPut {
                place,
                bus: bus.to_owned(),
                event: event.clone(),
                forwarded,
                replay: replay.map(str::to_owned),
            },
        }
    }

    /// A rule of `bus` that matched `event`.
    pub fn rule_matched(
        time: f64,
        place: Place,
        bus: &str,
        rule: &str,
        rule_arn: &str,
        event: &Arc<LoggedEvent>,
    ) -> DeliveryRecord {
        DeliveryRecord {
            time,
            kind: Kind::RuleMatched {
                place,
                bus: bus.to_owned(),
                rule: rule.to_owned(),
                rule_arn: rule_arn.to_owned(),
                event: event.clone(),
            },
        }
    }

    /// One attempt at one target.
    pub fn target_invoked(time: f64, place: Place, invocation: Invocation) -> DeliveryRecord {
        DeliveryRecord {
            time,
            kind: Kind::TargetInvoked {
                place,
                invocation: Box::new(invocation),
            },
        }
    }

    /// Any other record, as the JSON object it is read as (`time` is added).
    pub fn other(time: f64, record: Value) -> DeliveryRecord {
        DeliveryRecord {
            time,
            kind: Kind::Other(record),
        }
    }

    /// The record as `GET /_codemock/events` shows it.
    pub fn to_json(&self) -> Value {
        let mut out = match &self.kind {
            Kind::EventPut {
                place,
                bus,
                event,
                forwarded,
                replay,
            } => {
                let mut r = json!({
                    "type": "EventPut",
                    "account": place.account,
                    "region": place.region,
                    "eventBus": bus,
                    "event": event.event(),
                });
                if *forwarded {
                    r["forwarded"] = json!(true);
                }
                if let Some(name) = replay {
                    r["replayName"] = json!(name);
                }
                r
            }
            Kind::RuleMatched {
                place,
                bus,
                rule,
                rule_arn,
                event,
            } => json!({
                "type": "RuleMatched",
                "account": place.account,
                "region": place.region,
                "eventBus": bus,
                "rule": rule,
                "ruleArn": rule_arn,
                "eventId": event.id,
            }),
            Kind::TargetInvoked { place, invocation } => {
                let i = &**invocation;
                let mut r = json!({
                    "type": "TargetInvoked",
                    "account": place.account,
                    "region": place.region,
                    "ruleArn": i.rule_arn,
                    "targetId": i.target_id,
                    "targetArn": i.target_arn,
                    "targetType": i.target_type,
                    "eventId": i.event.id,
                    "input": &*i.input,
                    "attempt": i.attempt,
                    "outcome": if i.failure.is_none() { "Succeeded" } else { "Failed" },
                });
                if let Some((code, message)) = &i.failure {
                    r["errorCode"] = json!(code);
                    r["errorMessage"] = json!(message);
                }
                r
            }
            Kind::Other(v) => v.clone(),
        };
        if let Value::Object(map) = &mut out {
            map.insert("time".into(), json!(self.time));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> Place {
        Place {
            account: "111111111111".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn records_read_as_the_json_the_log_always_showed() {
        let event = LoggedEvent::of(&json!({"id": "e-1", "source": "app"}));
        let put = DeliveryRecord::event_put(5.0, place(), "default", &event, false, None);
        assert_eq!(
            put.to_json(),
            json!({"type": "EventPut", "account": "111111111111", "region": "us-east-1",
                   "eventBus": "default", "event": {"id": "e-1", "source": "app"}, "time": 5.0})
        );
        let matched = DeliveryRecord::rule_matched(5.0, place(), "default", "r", "arn:r", &event);
        assert_eq!(matched.to_json()["eventId"], "e-1");
        let invoked = DeliveryRecord::target_invoked(
            6.0,
            place(),
            Invocation {
                rule_arn: "arn:r".into(),
                target_id: "t".into(),
                target_arn: "arn:q".into(),
                target_type: "sqs",
                event: event.clone(),
                input: "{}".into(),
                attempt: 1,
                failure: Some(("E".into(), "m".into())),
            },
        );
        let j = invoked.to_json();
        assert_eq!(
            (
                &j["outcome"],
                &j["errorCode"],
                &j["input"],
                &j["attempt"],
                &j["time"]
            ),
            (
                &json!("Failed"),
                &json!("E"),
                &json!("{}"),
                &json!(1),
                &json!(6.0)
            )
        );
        let other = DeliveryRecord::other(7.0, json!({"type": "RetryScheduled"}));
        assert_eq!(
            other.to_json(),
            json!({"type": "RetryScheduled", "time": 7.0})
        );
    }
}

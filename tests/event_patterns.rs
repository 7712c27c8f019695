//! The whole pattern fixture table (tests/data/event-patterns.json) through TestEventPattern over
//! the wire: the API agrees with the matcher on every row AWS would accept as a test event, and
//! on every AWS-recorded row gives AWS's recorded result or its exact error message.

use crate::support::*;
use serde_json::{json, Value};

/// TestEventPattern rejects events without these envelope fields (`resources` is not among
/// them: AWS accepts events without it, as the recorded rows show).
const ENVELOPE: [(&str, &str); 6] = [
    ("id", "\"00000000-0000-0000-0000-000000000000\""),
    ("account", "\"123456789012\""),
    ("source", "\"com.example\""),
    ("time", "\"2024-01-01T00:00:00Z\""),
    ("region", "\"us-east-1\""),
    ("detail-type", "\"Example\""),
];

/// Top-level keys a pattern looks at, including inside `$or` branches.
fn top_level_keys(pattern: &Value, out: &mut Vec<String>) {
    if let Some(map) = pattern.as_object() {
        for (k, v) in map {
            if k == "$or" {
                for branch in v.as_array().into_iter().flatten() {
                    top_level_keys(branch, out);
                }
            } else {
                out.push(k.clone());
            }
        }
    }
}

#[tokio::test]
async fn test_event_pattern_agrees_with_every_fixture() {
    let server = MockServer::start().await;
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("data/event-patterns.json")).expect("table");
    let (mut checked, mut skipped, mut recorded) = (0, 0, 0);
    for (i, row) in rows.iter().enumerate() {
        let pattern = row["pattern"].as_str().expect("pattern");
        let expect = row["expect"].as_str().expect("expect");
        if row.get("recorded").is_some() {
            // Sent exactly as it was sent to AWS: the event text is not completed or re-encoded.
            let event = row["event"].as_str().expect("recorded event text");
            let body = json!({"EventPattern": pattern, "Event": event}).to_string();
            let r = call(&server, "AWSEvents.TestEventPattern", &body).await;
            let got = r.json();
            if expect == "invalid" {
                assert_eq!(r.status, 400, "recorded row {i}: {pattern} -> {got}");
                assert_eq!(got["__type"], "InvalidEventPatternException", "row {i}");
                let want = format!(
                    "Event pattern is not valid. Reason: {}",
                    row["reason"].as_str().expect("recorded reason")
                );
                assert_eq!(got["message"], json!(want), "recorded row {i}: {pattern}");
            } else {
                assert_eq!(r.status, 200, "recorded row {i}: {pattern} -> {got}");
                assert_eq!(
                    got["Result"],
                    json!(expect == "match"),
                    "recorded row {i}: {pattern}"
                );
            }
            recorded += 1;
            checked += 1;
            continue;
        }
        let mut event: Value = match row.get("event") {
            Some(e) => serde_json::from_str(e.as_str().expect("event text")).expect("event JSON"),
            None => json!({}),
        };
        if expect != "invalid" {
            // Fill in the envelope the test API insists on, unless the row is about those fields.
            let mut keys = Vec::new();
            if let Ok(p) = serde_json::from_str::<Value>(pattern) {
                top_level_keys(&p, &mut keys);
            }
            let Some(obj) = event.as_object_mut() else {
                skipped += 1;
                continue;
            };
            let missing: Vec<_> = ENVELOPE
                .iter()
                .filter(|(k, _)| !obj.contains_key(*k))
                .collect();
            if missing.iter().any(|(k, _)| keys.iter().any(|p| p == k)) {
                skipped += 1;
                continue;
            }
            for (k, v) in missing {
                obj.insert(
                    (*k).to_owned(),
                    serde_json::from_str(v).expect("envelope value"),
                );
            }
        } else {
            for (k, v) in ENVELOPE {
                event[k] = serde_json::from_str(v).expect("envelope value");
            }
        }
        let body = json!({"EventPattern": pattern, "Event": event.to_string()}).to_string();
        let r = call(&server, "AWSEvents.TestEventPattern", &body).await;
        let got = r.json();
        match expect {
            "invalid" => {
                assert_eq!(r.status, 400, "row {i}: {pattern} -> {got}");
                assert_eq!(
                    got["__type"], "InvalidEventPatternException",
                    "row {i}: {got}"
                );
                let reason = row["reason"].as_str().unwrap_or_default();
                assert!(
                    got["message"].as_str().unwrap_or_default().contains(reason),
                    "row {i}: {got}"
                );
            }
            _ => {
                assert_eq!(r.status, 200, "row {i}: {pattern} -> {got}");
                assert_eq!(
                    got["Result"],
                    json!(expect == "match"),
                    "row {i}: {pattern} on {event}"
                );
            }
        }
        checked += 1;
    }
    // Every recorded row is checked (LocalStack's AWS-validated suite: 155 templates and 6
    // cases written out in its test code).
    assert!(recorded >= 161, "only {recorded} recorded rows");
    // Nearly every row is checkable; the few about envelope fields cannot be sent as test events.
    assert!(
        checked >= rows.len() * 9 / 10,
        "checked {checked}, skipped {skipped}"
    );
}

//! The typed fast path against the value path it stands in for: for each body, either the fast
//! path declines it (the validator then answers, with AWS's words), or it decodes exactly the
//! value the value path would hand the handler. Valid bodies must take the fast path, or it
//! would be dead weight.

use codemock_wire::dispatch::decode_checked;
use codemock_wire::schema::Service;
use codemock_wire::validate::validate;
use codemock_wire::{codepipeline, events, logs, sqs};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the value path makes of `body`: the typed input, or `None` when it refuses it.
fn value_path<I: DeserializeOwned>(service: &Service, op: &str, body: &str) -> Option<I> {
    let text = if body.trim().is_empty() { "{}" } else { body };
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    if !value.is_object() {
        return None;
    }
    let shape = service.operation(op).and_then(|o| o.input);
    if let Some(shape) = shape {
        validate(service, shape, &value).ok()?;
    }
    I::deserialize(value).ok()
}

/// Asserts the fast path agrees with the value path on `body`, and says whether it took it.
fn agrees<I: DeserializeOwned + Serialize>(service: &Service, op: &str, body: &str) -> bool {
    let shape = service.operation(op).and_then(|o| o.input);
    let fast = decode_checked::<I>(service, shape, body.as_bytes());
    let slow = value_path::<I>(service, op, body);
    if let Some(fast) = &fast {
        let slow = slow
            .as_ref()
            .unwrap_or_else(|| panic!("{op}: fast path took what the validator refuses: {body}"));
        assert_eq!(
            serde_json::to_value(fast).ok(),
            serde_json::to_value(slow).ok(),
            "{op}: {body}"
        );
    }
    fast.is_some()
}

#[test]
fn valid_bodies_take_the_fast_path_and_decode_as_the_value_path_does() {
    let entry = r#"{"Source": "shop", "DetailType": "order", "Detail": "{\"n\": 1}"}"#;
    assert!(agrees::<events::PutEventsRequest>(
        &events::SERVICE,
        "PutEvents",
        &format!(r#"{{"Entries": [{entry}]}}"#)
    ));
    assert!(agrees::<events::PutRuleRequest>(
        &events::SERVICE,
        "PutRule",
        r#"{"Name": "r", "EventPattern": "{\"source\": [\"a\"]}", "State": "ENABLED", "Unknown": [1, {"x": null}]}"#
    ));
    assert!(agrees::<events::ListRulesRequest>(
        &events::SERVICE,
        "ListRules",
        ""
    ));
    assert!(agrees::<events::ListRulesRequest>(
        &events::SERVICE,
        "ListRules",
        " \n "
    ));
    assert!(agrees::<sqs::SendMessageRequest>(
        &sqs::SERVICE,
        "SendMessage",
        r#"{"QueueUrl": "q", "MessageBody": "\u00e9\ud83d\ude00", "DelaySeconds": 5,
            "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "AAE="}}}"#
    ));
    assert!(agrees::<logs::PutLogEventsRequest>(
        &logs::SERVICE,
        "PutLogEvents",
        r#"{"logGroupName": "/g", "logStreamName": "s", "logEvents": [{"timestamp": 1704067200000, "message": "hi"}]}"#
    ));
    assert!(agrees::<codepipeline::ListPipelinesInput>(
        &codepipeline::SERVICE,
        "ListPipelines",
        "{}"
    ));
}

#[test]
fn doubtful_or_invalid_bodies_are_left_to_the_validator() {
    let cases: &[(&str, &str)] = &[
        // required member missing, or null
        ("PutEvents", r#"{}"#),
        ("PutEvents", r#"{"Entries": null}"#),
        // length: more than 10 entries, none at all
        (
            "PutEvents",
            &format!(
                r#"{{"Entries": [{}]}}"#,
                [r#"{"Source": "s"}"#; 11].join(",")
            ),
        ),
        ("PutEvents", r#"{"Entries": []}"#),
        // wrong JSON types
        ("PutEvents", r#"{"Entries": "x"}"#),
        ("PutEvents", r#"{"Entries": [{"Source": 5}]}"#),
        ("PutEvents", r#"{"Entries": [null]}"#),
        // not an object, not JSON, trailing garbage
        ("PutEvents", r#"[]"#),
        ("PutEvents", r#"{"Entries": [{"Source": "s"}]"#),
        ("PutEvents", r#"{"Entries": [{"Source": "s"}]} x"#),
    ];
    for (op, body) in cases {
        assert!(
            !agrees::<events::PutEventsRequest>(&events::SERVICE, op, body),
            "{body}"
        );
    }
    let rules: &[&str] = &[
        // pattern, enum, length
        r#"{"Name": "bad name"}"#,
        r#"{"Name": "r", "State": "ON"}"#,
        &format!(r#"{{"Name": "{}"}}"#, "a".repeat(65)),
        r#"{"Name": "r", "Tags": [{"Key": "k"}]}"#,
    ];
    for body in rules {
        assert!(
            !agrees::<events::PutRuleRequest>(&events::SERVICE, "PutRule", body),
            "{body}"
        );
    }
    let sends: &[&str] = &[
        // numeric range, bad base64 blob
        r#"{"QueueUrl": "q", "MessageBody": "m", "DelaySeconds": "5"}"#,
        r#"{"QueueUrl": "q", "MessageBody": "m", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "%%"}}}"#,
    ];
    for body in sends {
        assert!(
            !agrees::<sqs::SendMessageRequest>(&sqs::SERVICE, "SendMessage", body),
            "{body}"
        );
    }
    // a numeric bound
    assert!(!agrees::<logs::GetLogEventsRequest>(
        &logs::SERVICE,
        "GetLogEvents",
        r#"{"logGroupName": "g", "logStreamName": "s", "limit": 10001}"#
    ));
}

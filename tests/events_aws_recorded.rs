//! EventBridge behaviour that AWS was recorded doing, checked over the wire: TestEventPattern's
//! event check and messages, invalid pattern JSON, and the predefined input-transformer
//! variables delivered to SQS. Each test names the recording (LocalStack's AWS-validated
//! snapshots, localstack/localstack tests/aws/services/events/).

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};

async fn ev(server: &MockServer, op: &str, body: Value) -> Reply {
    call(server, &format!("AWSEvents.{op}"), &body.to_string()).await
}

async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = ev(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn sqs(server: &MockServer, op: &str, body: Value) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AmazonSQS.{op}"))
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let r = send(server, req).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// The event of the issue: every mandatory field, no `resources`.
fn event_without_resources() -> Value {
    json!({"id": "1", "account": "123456789012", "source": "aws.ec2",
        "time": "2022-07-13T13:48:01Z", "region": "us-east-2", "detail-type": "x",
        "detail": {"state": "running"}})
}

#[tokio::test]
async fn test_event_pattern_matches_an_event_without_resources() {
    // Recorded: every LocalStack event_pattern_templates event lacks `resources` and AWS answered
    // with a Result (test_events_patterns.validation.json).
    let s = MockServer::start().await;
    let event = event_without_resources().to_string();
    let r = ok(
        &s,
        "TestEventPattern",
        json!({"EventPattern": "{\"source\": [\"aws.ec2\"]}", "Event": event}),
    )
    .await;
    assert_eq!(r, json!({"Result": true}));
    let r = ok(
        &s,
        "TestEventPattern",
        json!({"EventPattern": "{\"detail\": {\"state\": [\"stopped\"]}}", "Event": event}),
    )
    .await;
    assert_eq!(r, json!({"Result": false}));
}

#[tokio::test]
async fn test_event_pattern_refuses_bad_events_with_the_recorded_message() {
    // Recorded (test_events_patterns.snapshot.json): a plain string (test_plain_string_payload),
    // a JSON array (test_array_event_payload) and an object without the mandatory fields
    // (test_invalid_event_payload) all get exactly this message.
    let s = MockServer::start().await;
    let mut bad: Vec<String> = vec![
        "plain string".to_owned(),
        json!(["plain string"]).to_string(),
        json!({"testEvent": "value"}).to_string(),
        "42".to_owned(),
    ];
    for field in ["id", "account", "source", "time", "region", "detail-type"] {
        let mut event = event_without_resources();
        event.as_object_mut().expect("object").remove(field);
        bad.push(event.to_string());
    }
    let pattern = json!({"body": {"test2": [{"numeric": [">", 100]}]}}).to_string();
    for event in bad {
        let r = ev(
            &s,
            "TestEventPattern",
            json!({"EventPattern": pattern, "Event": event}),
        )
        .await;
        assert_eq!(r.status, 400, "{event}");
        let got = r.json();
        assert_eq!(got["__type"], "ValidationException", "{event}");
        assert_eq!(got["message"], "Parameter Event is not valid.", "{event}");
    }
}

#[tokio::test]
async fn test_event_pattern_refuses_pattern_text_that_is_not_a_json_object() {
    // Recorded: test_invalid_json_event_pattern (four patterns, all InvalidEventPatternException,
    // each reason in the words and columns of the JVM's JSON parser).
    let s = MockServer::start().await;
    let event = json!({"id": "1", "source": "test-source", "detail-type": "test-detail-type",
        "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z",
        "detail": {"test": "test"}})
    .to_string();
    let expecting =
        "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
    for (pattern, reason) in [
        (
            "this is valid json but not a dict",
            format!("Unrecognized token 'this': {expecting}\n at [Source: (String)\"this is valid json but not a dict\"; line: 1, column: 5]"),
        ),
        (
            "{'bad': 'quotation'}",
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name\n at [Source: (String)\"{'bad': 'quotation'}\"; line: 1, column: 2]".to_owned(),
        ),
        (
            "{\"not\": closed mark\"",
            format!("Unrecognized token 'closed': {expecting}\n at [Source: (String)\"{{\"not\": closed mark\"\"; line: 1, column: 15]"),
        ),
        (
            "[\"not\", \"a\", \"dict\", \"but valid json\"]",
            "Filter is not an object\n at [Source: (String)\"[\"not\", \"a\", \"dict\", \"but valid json\"]\"; line: 1, column: 2]".to_owned(),
        ),
    ] {
        let r = ev(
            &s,
            "TestEventPattern",
            json!({"EventPattern": pattern, "Event": event}),
        )
        .await;
        assert_eq!(r.status, 400, "{pattern}");
        let got = r.json();
        assert_eq!(got["__type"], "InvalidEventPatternException", "{pattern}");
        assert_eq!(
            got["message"],
            format!("Event pattern is not valid. Reason: {reason}"),
            "{pattern}"
        );
    }
}

#[tokio::test]
async fn predefined_event_variables_reach_sqs_as_json_objects() {
    // Recorded: test_events_inputs.py::test_input_transformer_predefined_variables, template
    // {"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}:
    // the first is the envelope without detail (detail-type spelled detailType), the second the
    // whole event with detail, both JSON objects in the delivered body.
    let s = MockServer::start().await;
    let url = sqs(&s, "CreateQueue", json!({"QueueName": "originals"})).await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ok(
        &s,
        "PutRule",
        json!({"Name": "all-commands", "EventPattern": "{\"source\": [\"core.update-account-command\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "all-commands", "Targets": [{
            "Id": "q",
            "Arn": "arn:aws:sqs:us-east-1:000000000000:originals",
            "InputTransformer": {
                "InputTemplate": "{\"originalEvent\": <aws.events.event>, \"originalEventJson\": <aws.events.event.json>}"
            }
        }]}),
    )
    .await;
    let detail = json!({"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}});
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "core.update-account-command",
            "DetailType": "core.update-account-command", "Detail": detail.to_string()}]}),
    )
    .await;
    let r = sqs(
        &s,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
    )
    .await;
    let messages = r["Messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 1);
    let body: Value =
        serde_json::from_str(messages[0]["Body"].as_str().unwrap_or_default()).expect("JSON body");
    let full = &body["originalEventJson"];
    assert!(full.is_object(), "{body}");
    assert_eq!(full["detail"], detail);
    assert_eq!(full["source"], "core.update-account-command");
    assert_eq!(full["detail-type"], "core.update-account-command");
    assert_eq!(full["resources"], json!([]));
    assert!(full["id"].is_string() && full["time"].is_string(), "{full}");
    let envelope = &body["originalEvent"];
    let mut keys: Vec<&str> = envelope
        .as_object()
        .expect("envelope object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account",
            "detailType",
            "id",
            "region",
            "resources",
            "source",
            "time",
            "version"
        ]
    );
    assert_eq!(envelope["id"], full["id"]);
    assert_eq!(envelope["detailType"], "core.update-account-command");
}

async fn err(server: &MockServer, op: &str, body: Value) -> (String, String) {
    let r = ev(server, op, body).await;
    assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    (
        v["__type"].as_str().unwrap_or_default().to_owned(),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn archive_and_replay_errors_use_the_recorded_wording() {
    let s = MockServer::start().await;
    // Recorded: test_archive_and_replay.py::test_update_archive_error_unknown_archive.
    assert_eq!(
        err(&s, "UpdateArchive", json!({"ArchiveName": "doesnotexist"})).await,
        (
            "ValidationException".to_owned(),
            "At least one of EventPattern, RetentionDays or Description must be provided."
                .to_owned()
        )
    );
    // Recorded: test_describe_archive_error_unknown_archive.
    assert_eq!(
        err(
            &s,
            "UpdateArchive",
            json!({"ArchiveName": "doesnotexist", "RetentionDays": 1})
        )
        .await,
        (
            "ResourceNotFoundException".to_owned(),
            "Archive doesnotexist does not exist.".to_owned()
        )
    );
    // Recorded: test_start_replay_error_unknown_archive.
    assert_eq!(
        err(
            &s,
            "StartReplay",
            json!({"ReplayName": "test-replay",
                "EventSourceArn": "arn:aws:events:us-east-1:000000000000:archive/doesnotexist",
                "EventStartTime": 1_700_000_000, "EventEndTime": 1_700_000_060,
                "Destination": {"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default"}}),
        )
        .await,
        (
            "ValidationException".to_owned(),
            "Parameter EventSourceArn is not valid. Reason: Archive doesnotexist does not exist."
                .to_owned()
        )
    );
}

#[tokio::test]
async fn an_undefined_template_placeholder_is_refused_with_the_recorded_wording() {
    // Recorded: test_events_inputs.py::test_put_events_with_input_transformer_missing_keys.
    let s = MockServer::start().await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"a\"]}"}),
    )
    .await;
    let got = err(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "t1", "Arn": "arn:aws:sqs:us-east-1:000000000000:q",
        "InputTransformer": {
            "InputPathsMap": {"detail-type": "$.detail-type", "timestamp": "$.time"},
            "InputTemplate": "\"Event of <detail-type> type, with not defined key <notdefinedkey>\""
        }}]}),
    )
    .await;
    assert_eq!(
        got,
        (
            "ValidationException".to_owned(),
            "InputTemplate for target t1 contains invalid placeholder notdefinedkey.".to_owned()
        )
    );
}

#[tokio::test]
async fn validation_paths_name_members_with_a_lower_case_first_letter() {
    // Recorded: test_put_target_id_validation (LocalStack's AWS-validated events snapshot):
    // the model's `Targets`/`Id` appear as `targets.1.member.id`.
    let s = MockServer::start().await;
    let r = ev(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"a\"]}"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = ev(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "!@#$@!#$", "Arn": "arn:aws:sqs:us-east-1:000000000000:q"}]}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["message"],
        "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
    );
}

#[tokio::test]
async fn an_empty_pattern_or_schedule_beside_the_other_counts_as_absent() {
    let s = MockServer::start().await;
    for (name, pattern, schedule) in [
        ("timed", "", "rate(5 minutes)"),
        ("matched", "{\"source\": [\"a\"]}", ""),
    ] {
        let r = ev(
            &s,
            "PutRule",
            json!({"Name": name, "EventPattern": pattern, "ScheduleExpression": schedule}),
        )
        .await;
        assert_eq!(
            r.status,
            200,
            "{name}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let d = ev(&s, "DescribeRule", json!({"Name": "timed"}))
        .await
        .json();
    assert_eq!(d["ScheduleExpression"], "rate(5 minutes)");
    assert_eq!(d.get("EventPattern"), None);
    let d = ev(&s, "DescribeRule", json!({"Name": "matched"}))
        .await
        .json();
    assert_eq!(d.get("ScheduleExpression"), None);
    let r = ev(
        &s,
        "PutRule",
        json!({"Name": "neither", "EventPattern": "", "ScheduleExpression": ""}),
    )
    .await;
    assert_eq!(r.status, 400);
}

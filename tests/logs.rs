//! CloudWatch Logs over awsJson1_1 with literal JSON: groups, streams, events, tokens, filters.

use crate::support::{call, MockServer};
use serde_json::{json, Value};

async fn logs(server: &MockServer, op: &str, body: Value) -> crate::support::Reply {
    call(server, &format!("Logs_20140328.{op}"), &body.to_string()).await
}

const T0: i64 = 1_704_067_200_000;

#[tokio::test]
async fn groups_describe_with_both_arns_and_errors_are_aws_shaped() {
    let server = MockServer::start().await;
    let r = logs(
        &server,
        "CreateLogGroup",
        json!({"logGroupName": "/app/web"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = logs(
        &server,
        "CreateLogGroup",
        json!({"logGroupName": "/app/web"}),
    )
    .await;
    assert_eq!(r.json()["__type"], "ResourceAlreadyExistsException");
    logs(
        &server,
        "PutRetentionPolicy",
        json!({"logGroupName": "/app/web", "retentionInDays": 7}),
    )
    .await;
    let r = logs(
        &server,
        "DescribeLogGroups",
        json!({"logGroupNamePrefix": "/app"}),
    )
    .await
    .json();
    let g = &r["logGroups"][0];
    assert_eq!(
        g["arn"],
        "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*"
    );
    assert_eq!(
        g["logGroupArn"],
        "arn:aws:logs:us-east-1:000000000000:log-group:/app/web"
    );
    assert_eq!(g["creationTime"], T0);
    assert_eq!(g["retentionInDays"], 7);
    let r = logs(
        &server,
        "CreateLogStream",
        json!({"logGroupName": "/nope", "logStreamName": "s"}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"__type": "ResourceNotFoundException", "message": "The specified log group does not exist."})
    );
}

#[tokio::test]
async fn put_get_and_page_events_with_forward_and_backward_tokens() {
    let server = MockServer::start().await;
    logs(&server, "CreateLogGroup", json!({"logGroupName": "g"})).await;
    logs(
        &server,
        "CreateLogStream",
        json!({"logGroupName": "g", "logStreamName": "s"}),
    )
    .await;
    let events: Vec<Value> = (0..5)
        .map(|i| json!({"timestamp": T0 + i, "message": format!("m{i}")}))
        .collect();
    let r = logs(
        &server,
        "PutLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "logEvents": events}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.json().get("rejectedLogEventsInfo").is_none());
    // Too new (over 2 hours ahead) is rejected per event, not per request.
    let r = logs(
        &server,
        "PutLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s",
        "logEvents": [{"timestamp": T0 + 3 * 3600 * 1000, "message": "future"}]}),
    )
    .await;
    assert_eq!(
        r.json()["rejectedLogEventsInfo"],
        json!({"tooNewLogEventStartIndex": 0})
    );

    let r = logs(
        &server,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true, "limit": 2}),
    )
    .await
    .json();
    assert_eq!(r["events"][0]["message"], "m0");
    assert_eq!(r["events"][0]["ingestionTime"], T0);
    let fwd = r["nextForwardToken"].as_str().expect("token").to_owned();
    assert!(
        fwd.starts_with("f/")
            && r["nextBackwardToken"]
                .as_str()
                .is_some_and(|b| b.starts_with("b/"))
    );
    let r = logs(
        &server,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "nextToken": fwd, "limit": 2}),
    )
    .await
    .json();
    let msgs: Vec<_> = r["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["message"].clone())
        .collect();
    assert_eq!(msgs, [json!("m2"), json!("m3")]);
    // Without startFromHead the newest events come first page; at the end the token repeats.
    let r = logs(
        &server,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "limit": 1}),
    )
    .await
    .json();
    assert_eq!(r["events"][0]["message"], "m4");
    let end = r["nextForwardToken"].clone();
    let r = logs(
        &server,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "nextToken": end}),
    )
    .await
    .json();
    assert_eq!(r["events"], json!([]));
    assert_eq!(r["nextForwardToken"], end);
}

#[tokio::test]
async fn filter_events_by_terms_and_json_across_streams() {
    let server = MockServer::start().await;
    logs(&server, "CreateLogGroup", json!({"logGroupName": "g"})).await;
    for (s, msgs) in [
        ("a", ["ERROR disk", "{\"level\":\"warn\",\"ms\":900}"]),
        ("b", ["INFO ok", "ERROR net"]),
    ] {
        logs(
            &server,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": s}),
        )
        .await;
        let events: Vec<Value> = msgs.iter().enumerate().map(|(i, m)| json!({"timestamp": T0 + i as i64 * 10 + if s == "b" {5} else {0}, "message": m})).collect();
        logs(
            &server,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": s, "logEvents": events}),
        )
        .await;
    }
    let r = logs(
        &server,
        "FilterLogEvents",
        json!({"logGroupName": "g", "filterPattern": "ERROR"}),
    )
    .await
    .json();
    let got: Vec<_> = r["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["logStreamName"].clone(), e["message"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!("a"), json!("ERROR disk")),
            (json!("b"), json!("ERROR net"))
        ]
    );
    let r = logs(
        &server,
        "FilterLogEvents",
        json!({"logGroupName": "g", "filterPattern": "{ $.ms > 500 }"}),
    )
    .await
    .json();
    assert_eq!(r["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["events"][0]["eventId"].as_str().map(str::len), Some(56));
    let r = logs(
        &server,
        "FilterLogEvents",
        json!({"logGroupName": "g", "logStreamNames": ["b"], "limit": 1}),
    )
    .await
    .json();
    assert_eq!(r["events"][0]["message"], "INFO ok");
    let r = logs(
        &server,
        "FilterLogEvents",
        json!({"logGroupName": "g", "logStreamNames": ["b"], "nextToken": r["nextToken"]}),
    )
    .await
    .json();
    assert_eq!(r["events"][0]["message"], "ERROR net");
}

/// Recorded in LocalStack's AWS-validated logs snapshots (`test_get_too_many_log_events`-style
/// limits, `test_create_log_group_invalid_name_length`): Logs answers constraint violations with
/// InvalidParameterException, and a name over 512 characters with its own sentence.
#[tokio::test]
async fn constraint_violations_are_invalid_parameter_exceptions() {
    let server = MockServer::start().await;
    let r = logs(
        &server,
        "CreateLogGroup",
        json!({"logGroupName": "a".repeat(513)}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "InvalidParameterException",
               "message": "Invalid LogGroup or LogStream, both must have length less than or equal to 512."})
    );
    logs(&server, "CreateLogGroup", json!({"logGroupName": "dummy"})).await;
    logs(
        &server,
        "CreateLogStream",
        json!({"logGroupName": "dummy", "logStreamName": "stream"}),
    )
    .await;
    let r = logs(
        &server,
        "GetLogEvents",
        json!({"logGroupName": "dummy", "logStreamName": "stream", "limit": 10001}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "InvalidParameterException",
               "message": "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"})
    );
    let r = logs(
        &server,
        "DescribeLogStreams",
        json!({"logGroupName": "dummy", "logGroupIdentifier": "dummy"}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"__type": "ValidationException",
               "message": "LogGroup name and LogGroup ARN are mutually exclusive parameters."})
    );
}

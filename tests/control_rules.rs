//! Outcome rules, fault rules and the invocation log, over the control API and the Rust API:
//! bad input is a 400, faults answer in the request's protocol and then let the operation run,
//! EventBridge Lambda targets show up in the invocation log with their exact payload, and a
//! registered error response takes the target's retry and dead-letter path.

use crate::support::*;
use bytes::Bytes;
use codemock::outcomes::{OutcomeQuery, OUTCOME_TAG};
use codemock::{FaultRule, InvocationResponse, Outcome, OutcomeRule, ResponseRule};
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

async fn delete(server: &MockServer, path: &str) -> Reply {
    let req = http::Request::delete(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .expect("request");
    send(server, req).await
}

async fn ev(server: &MockServer, op: &str, body: Value) -> Value {
    let r = call(server, &format!("AWSEvents.{op}"), &body.to_string()).await;
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

fn message(r: &Reply) -> String {
    r.json()["message"].as_str().unwrap_or_default().to_owned()
}

const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:on-order";

// ---------------------------------------------------------------------------------------------
// Outcomes

#[tokio::test]
async fn outcome_rules_are_stored_listed_and_deleted_over_the_control_api() {
    let s = MockServer::start().await;
    let r = post(
        &s,
        "/_codemock/outcomes",
        r#"{"service": "codebuild", "resource": "my-*", "step": "BUILD", "outcome": "FAILED",
            "code": "COMMAND_EXECUTION_ERROR", "message": "exit 1", "seconds": 12, "count": 2}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json(),
        json!({"id": "outcome-1", "service": "codebuild", "resource": "my-*", "step": "BUILD",
               "outcome": "FAILED", "code": "COMMAND_EXECUTION_ERROR", "message": "exit 1",
               "seconds": 12.0, "count": 2})
    );
    let r = post(
        &s,
        "/_codemock/outcomes",
        r#"{"service": "codedeploy", "outcome": "HANG"}"#,
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"id": "outcome-2", "service": "codedeploy", "outcome": "HANG"})
    );
    let listed = get(&s, "/_codemock/outcomes").await.json();
    let ids: Vec<&Value> = listed["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, [&json!("outcome-1"), &json!("outcome-2")]);
    // The rule posted over HTTP is the one the engine consults.
    let d = s
        .outcomes()
        .decide(&OutcomeQuery::new("codebuild").name("my-app").step("BUILD"))
        .expect("decided");
    assert_eq!(d.outcome, Outcome::Failed);
    assert_eq!(d.code.as_deref(), Some("COMMAND_EXECUTION_ERROR"));
    assert_eq!(d.seconds, Some(12.0));
    assert_eq!(
        get(&s, "/_codemock/outcomes").await.json()["rules"][0]["count"],
        1
    );

    let r = delete(&s, "/_codemock/outcomes/outcome-2").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["deleted"], "outcome-2");
    let r = delete(&s, "/_codemock/outcomes/outcome-2").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    assert_eq!(message(&r), "No outcome rule with id outcome-2");
    assert_eq!(delete(&s, "/_codemock/outcomes").await.status, 200);
    assert_eq!(
        get(&s, "/_codemock/outcomes").await.json(),
        json!({"rules": []})
    );
}

#[tokio::test]
async fn bad_outcome_rules_are_a_400_that_says_why() {
    let s = MockServer::start().await;
    for (body, says) in [
        ("not json", "the body is not JSON"),
        ("", "the body is not JSON"),
        ("[1]", "the body must be a JSON object"),
        (r#"{"outcome": "FAILED"}"#, "missing field `service`"),
        (r#"{"service": "codebuild"}"#, "missing field `outcome`"),
        (
            r#"{"service": "codebuild", "outcome": "EXPLODED"}"#,
            "unknown variant `EXPLODED`",
        ),
        (
            r#"{"service": "codebuild", "outcome": "FAILED", "stpe": "BUILD"}"#,
            "unknown field `stpe`",
        ),
        (
            r#"{"service": "codebuild", "outcome": "FAILED", "count": 0}"#,
            "count must be at least 1",
        ),
        (
            r#"{"service": "codebuild", "outcome": "FAILED", "seconds": -3}"#,
            "seconds must be a non-negative number",
        ),
        (
            r#"{"service": "codebuild", "outcome": "FAILED", "count": -1}"#,
            "invalid value",
        ),
    ] {
        let r = post(&s, "/_codemock/outcomes", body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["__type"], "ValidationException", "{body}");
        assert!(
            message(&r).starts_with("Invalid outcome rule: "),
            "{body}: {}",
            message(&r)
        );
        assert!(message(&r).contains(says), "{body}: {}", message(&r));
    }
    assert!(s.outcomes().list().is_empty());
    let r = send(
        &s,
        http::Request::put("/_codemock/outcomes")
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 405);
    assert_eq!(get(&s, "/_codemock/health").await.status, 200, "still up");
}

#[tokio::test]
async fn outcome_rules_through_the_rust_api_and_tags_share_one_lookup() {
    let s = MockServer::start().await;
    let arn = "arn:aws:codebuild:us-east-1:000000000000:project/api";
    let tags = [(OUTCOME_TAG, "TIMED_OUT:POST_BUILD")];
    let query = |step| {
        OutcomeQuery::new("codebuild")
            .name("api")
            .name(arn)
            .step(step)
            .tags(tags)
    };
    // The tag answers when no rule does.
    assert_eq!(
        s.outcomes().decide(&query("POST_BUILD")).map(|d| d.outcome),
        Some(Outcome::TimedOut)
    );
    assert_eq!(s.outcomes().decide(&query("BUILD")), None);
    let stored = s.outcomes().add(
        OutcomeRule::new("codebuild", Outcome::Stopped)
            .resource("arn:aws:codebuild:*:project/api")
            .count(1),
    );
    assert_eq!(stored.id, "outcome-1");
    let d = s.outcomes().decide(&query("POST_BUILD")).expect("rule");
    assert_eq!(
        (d.outcome, d.rule.as_deref()),
        (Outcome::Stopped, Some("outcome-1"))
    );
    // Used up: the tag is back in charge.
    assert_eq!(
        s.outcomes().decide(&query("POST_BUILD")).map(|d| d.rule),
        Some(None)
    );
    s.outcomes()
        .add(OutcomeRule::new("codebuild", Outcome::Failed));
    assert!(!s.outcomes().remove("outcome-1"));
    assert!(s.outcomes().remove("outcome-2"));
    s.outcomes()
        .add(OutcomeRule::new("codebuild", Outcome::Failed));
    s.reset().await;
    assert!(s.outcomes().list().is_empty());
    assert_eq!(
        s.outcomes()
            .add(OutcomeRule::new("codebuild", Outcome::Failed))
            .id,
        "outcome-1",
        "ids restart on reset"
    );
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn a_fault_rule_throttles_list_pipelines_twice_then_it_succeeds() {
    let s = MockServer::start().await;
    let r = post(
        &s,
        "/_codemock/faults",
        r#"{"service": "CodePipeline", "operation": "ListPipelines", "code": "ThrottlingException",
            "message": "Rate exceeded", "count": 2}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["id"], "fault-1");
    for _ in 0..2 {
        let r = call(&s, "CodePipeline_20150709.ListPipelines", "{}").await;
        assert_eq!(r.status, 400);
        // awsJson1_1: the bare shape name, as a retrying SDK classifies it.
        assert_eq!(
            r.json(),
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"})
        );
        assert!(r.header("x-amzn-requestid").is_some());
    }
    let r = call(&s, "CodePipeline_20150709.ListPipelines", "{}").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["pipelines"], json!([]));
    assert_eq!(
        get(&s, "/_codemock/faults").await.json(),
        json!({"rules": []})
    );
    let log = s.requests();
    let codes: Vec<(u16, Option<&str>)> = log
        .iter()
        .map(|r| (r.status, r.error_code.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            (400, Some("ThrottlingException")),
            (400, Some("ThrottlingException")),
            (200, None)
        ]
    );
    assert!(log.iter().all(|r| r.operation == "ListPipelines"));
}

#[tokio::test]
async fn faults_name_services_any_way_and_answer_in_the_services_protocol() {
    let s = MockServer::start().await;
    // The endpoint prefix, every operation, a 500.
    post(
        &s,
        "/_codemock/faults",
        r#"{"service": "events", "code": "InternalException", "status": 500}"#,
    )
    .await;
    let r = call(&s, "AWSEvents.ListRules", "{}").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["__type"], "InternalException");
    assert_eq!(message(&r), "Injected by codemock fault rule fault-1");
    // An unlimited rule stays until deleted.
    assert_eq!(call(&s, "AWSEvents.PutRule", "{}").await.status, 500);
    assert_eq!(delete(&s, "/_codemock/faults/fault-1").await.status, 200);
    assert_eq!(delete(&s, "/_codemock/faults/fault-1").await.status, 404);
    assert_eq!(call(&s, "AWSEvents.ListRules", "{}").await.status, 200);
    // SQS (awsJson1_0, awsQueryCompatible): the full shape id and the query error header.
    s.faults().add(
        FaultRule::new("SQS", "OverLimit")
            .operation("List*")
            .count(1),
    );
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "AmazonSQS.ListQueues")
        .body(Full::new(Bytes::from("{}")))
        .expect("request");
    let r = send(&s, req).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "com.amazonaws.sqs#OverLimit");
    assert_eq!(r.header("x-amzn-query-error"), Some("OverLimit;Sender"));
    assert_eq!(
        sqs(&s, "ListQueues", json!({})).await["QueueUrls"],
        Value::Null
    );
}

#[tokio::test]
async fn a_fault_answers_a_cbor_request_in_cbor_with_the_full_shape_id() {
    let s = MockServer::start().await;
    s.faults().add(
        FaultRule::new("CodeBuild", "ThrottlingException")
            .operation("ListProjects")
            .count(1),
    );
    let rpc = || {
        http::Request::post("/service/CodeBuild_20161006/operation/ListProjects")
            .header("smithy-protocol", "rpc-v2-cbor")
            .header("content-type", "application/cbor")
            .header("accept", "application/cbor")
            .body(Full::new(Bytes::new()))
            .expect("request")
    };
    let r = send(&s, rpc()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
    let v: ciborium::value::Value = ciborium::de::from_reader(&r.body[..]).expect("CBOR error");
    let type_ = v
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("__type")))
        .and_then(|(_, v)| v.as_text().map(str::to_owned));
    assert_eq!(
        type_.as_deref(),
        Some("com.amazonaws.codebuild#ThrottlingException")
    );
    assert_eq!(send(&s, rpc()).await.status, 200, "count used up");
}

#[tokio::test]
async fn bad_fault_rules_are_a_400() {
    let s = MockServer::start().await;
    for (body, says) in [
        ("{", "the body is not JSON"),
        (r#"{"code": "X"}"#, "missing field `service`"),
        (r#"{"service": "sqs"}"#, "missing field `code`"),
        (
            r#"{"service": "sqs", "code": "X", "status": 200}"#,
            "status must be an HTTP error status",
        ),
        (
            r#"{"service": "sqs", "code": "X", "status": 70000}"#,
            "invalid value",
        ),
        (
            r#"{"service": "", "code": "X"}"#,
            "service must not be empty",
        ),
    ] {
        let r = post(&s, "/_codemock/faults", body).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(message(&r).starts_with("Invalid fault rule: "), "{body}");
        assert!(message(&r).contains(says), "{body}: {}", message(&r));
    }
    assert!(s.faults().list().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Invocations

/// A rule on the default bus for `source` with one Lambda target (plus `extra` target settings).
async fn lambda_rule(s: &MockServer, rule: &str, source: &str, extra: Value) {
    ev(
        s,
        "PutRule",
        json!({"Name": rule, "EventPattern": json!({"source": [source]}).to_string()}),
    )
    .await;
    let mut target = json!({"Id": "fn", "Arn": FUNCTION});
    if let (Value::Object(t), Value::Object(e)) = (&mut target, extra) {
        t.extend(e);
    }
    ev(s, "PutTargets", json!({"Rule": rule, "Targets": [target]})).await;
}

async fn put(s: &MockServer, source: &str, detail: Value) -> String {
    let r = ev(
        s,
        "PutEvents",
        json!({"Entries": [{"Source": source, "DetailType": "Order", "Detail": detail.to_string()}]}),
    )
    .await;
    r["Entries"][0]["EventId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_lambda_target_invocation_is_logged_with_the_event_lambda_gets() {
    let s = MockServer::start().await;
    lambda_rule(&s, "orders", "shop", json!({})).await;
    let id = put(&s, "shop", json!({"id": "o-1", "total": 250})).await;
    let log = get(&s, "/_codemock/invocations").await.json();
    let invocations = log["invocations"].as_array().expect("list");
    assert_eq!(invocations.len(), 1);
    let inv = &invocations[0];
    assert_eq!(inv["id"], "invocation-1");
    assert_eq!(inv["function"], FUNCTION);
    // EventBridge invokes Lambda asynchronously (Lambda guide, "Invoking Lambda with EventBridge").
    assert_eq!(inv["invocationType"], "Event");
    assert_eq!(inv["source"], "events");
    assert_eq!(
        inv["sourceArn"],
        "arn:aws:events:us-east-1:000000000000:rule/orders"
    );
    assert_eq!(inv["time"], 1_704_067_200.0);
    assert_eq!(inv["response"], json!({"payload": null}));
    // Without input settings the function gets the event as the bus delivered it.
    let payload: Value =
        serde_json::from_str(inv["payload"].as_str().unwrap_or_default()).expect("payload is JSON");
    let put_event = s
        .events()
        .into_iter()
        .find(|e| e["type"] == "EventPut")
        .expect("put");
    assert_eq!(payload, put_event["event"]);
    assert_eq!(payload["id"], id.as_str());
    assert_eq!(payload["detail"], json!({"id": "o-1", "total": 250}));
    assert_eq!(payload["detail-type"], "Order");
    // The delivery log keeps its record too.
    let invoked: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["type"] == "TargetInvoked")
        .collect();
    assert_eq!(invoked.len(), 1);
    assert_eq!(invoked[0]["outcome"], "Succeeded");
    assert_eq!(invoked[0]["input"], inv["payload"]);
}

#[tokio::test]
async fn a_lambda_target_gets_its_input_transformer_or_constant_input_verbatim() {
    let s = MockServer::start().await;
    lambda_rule(
        &s,
        "shaped",
        "shop",
        json!({"InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total"},
            "InputTemplate": "{\"order\": <id>, \"total\": <total>, \"rule\": <aws.events.rule-name>}"
        }}),
    )
    .await;
    lambda_rule(
        &s,
        "constant",
        "shop",
        json!({"Input": "{\"fixed\":  true}"}),
    )
    .await;
    put(&s, "shop", json!({"id": "o-1", "total": 250})).await;
    let mut payloads: Vec<String> = s
        .invocations()
        .list()
        .into_iter()
        .map(|i| i.payload)
        .collect();
    payloads.sort();
    assert_eq!(
        payloads,
        [
            r#"{"fixed":  true}"#,
            r#"{"order": "o-1", "total": 250, "rule": "shaped"}"#
        ]
    );
    assert_eq!(delete(&s, "/_codemock/invocations").await.status, 200);
    assert_eq!(
        get(&s, "/_codemock/invocations").await.json(),
        json!({"invocations": []})
    );
}

#[tokio::test]
async fn a_registered_error_response_sends_the_event_to_the_dead_letter_queue() {
    let s = MockServer::start().await;
    let dlq = sqs(&s, "CreateQueue", json!({"QueueName": "dlq"})).await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = post(
        &s,
        "/_codemock/invocations/responses",
        r#"{"function": "*:function:on-*", "error": "ResourceNotFoundException",
            "message": "Function not found: on-order"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["id"], "response-1");
    lambda_rule(
        &s,
        "orders",
        "shop",
        json!({"DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}),
    )
    .await;
    let id = put(&s, "shop", json!({"id": "o-1"})).await;
    // A missing function will not appear by itself: no retries, straight to the DLQ (as for a
    // missing queue target).
    let events = s.events();
    let of = |kind: &str| -> Vec<&Value> { events.iter().filter(|e| e["type"] == kind).collect() };
    assert!(of("RetryScheduled").is_empty());
    let invoked = of("TargetInvoked");
    assert_eq!(invoked[0]["outcome"], "Failed");
    assert_eq!(invoked[0]["errorCode"], "ResourceNotFoundException");
    let dead = of("DeadLettered");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0]["attributes"]["ERROR_CODE"],
        "ResourceNotFoundException"
    );
    assert_eq!(
        dead[0]["attributes"]["ERROR_MESSAGE"],
        "Function not found: on-order"
    );
    let messages = sqs(
        &s,
        "ReceiveMessage",
        json!({"QueueUrl": dlq, "MessageAttributeNames": ["All"]}),
    )
    .await["Messages"]
        .clone();
    let body: Value =
        serde_json::from_str(messages[0]["Body"].as_str().unwrap_or_default()).expect("the event");
    assert_eq!(body["id"], id.as_str());
    let inv = &s.invocations().list()[0];
    assert_eq!(inv.response_id.as_deref(), Some("response-1"));
    assert!(inv.response.is_error());
}

#[tokio::test]
async fn a_throttled_invocation_is_retried_on_the_virtual_clock() {
    let s = MockServer::start().await;
    // Rust API: the first invocation is throttled, the retry gets the payload response.
    s.invocations().respond(ResponseRule::payload(
        "on-order",
        json!({"statusCode": 200}),
    ));
    let stored = s.invocations().respond(
        ResponseRule::error("on-order", "TooManyRequestsException", "Rate exceeded").count(1),
    );
    assert_eq!(stored.id, "response-2");
    lambda_rule(&s, "orders", "shop", json!({})).await;
    put(&s, "shop", json!({"id": "o-1"})).await;
    assert_eq!(s.invocations().list().len(), 1);
    let retries: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["type"] == "RetryScheduled")
        .collect();
    assert_eq!(retries.len(), 1);
    s.clock().advance(Duration::from_secs(1)).await;
    let log = s.invocations().list();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].time, log[0].time + 1.0, "retried after 1 s");
    assert_eq!(log[0].payload, log[1].payload, "the same payload again");
    assert_eq!(
        log[1].response,
        InvocationResponse::Payload(json!({"statusCode": 200}))
    );
    let responses = get(&s, "/_codemock/invocations/responses").await.json();
    assert_eq!(responses["responses"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        delete(&s, "/_codemock/invocations/responses").await.status,
        200
    );
    assert!(s.invocations().responses().is_empty());
    assert_eq!(s.invocations().list().len(), 2, "the log stays");
}

#[tokio::test]
async fn bad_invocation_responses_are_a_400() {
    let s = MockServer::start().await;
    for (body, says) in [
        ("[]", "the body must be a JSON object"),
        (
            r#"{"function": "f", "payload": 1, "error": "X"}"#,
            "either payload or error",
        ),
        (
            r#"{"function": "f", "message": "m"}"#,
            "message goes with error",
        ),
        (
            r#"{"function": "f", "count": 0}"#,
            "count must be at least 1",
        ),
        (r#"{"functoin": "f"}"#, "unknown field `functoin`"),
    ] {
        let r = post(&s, "/_codemock/invocations/responses", body).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(
            message(&r).starts_with("Invalid invocation response: "),
            "{body}"
        );
        assert!(message(&r).contains(says), "{body}: {}", message(&r));
    }
    assert_eq!(
        post(&s, "/_codemock/invocations", "{}").await.status,
        405,
        "the log is read-only"
    );
    assert_eq!(delete(&s, "/_codemock/invocations/x").await.status, 404);
}

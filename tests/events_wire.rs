//! EventBridge over the wire: CRUD with AWS's errors, PutEvents to SQS through an input
//! transformer, schedules on the manual clock, retries into a dead-letter queue, API destinations
//! over real HTTP, bus-to-bus forwarding, archives and replays, and the delivery log.

use crate::support::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

async fn ev(server: &MockServer, op: &str, body: Value) -> Reply {
    call(server, &format!("AWSEvents.{op}"), &body.to_string()).await
}

async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = ev(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
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

async fn queue(server: &MockServer, name: &str) -> String {
    sqs(server, "CreateQueue", json!({"QueueName": name})).await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn receive(server: &MockServer, url: &str) -> Vec<Value> {
    let r = sqs(
        server,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"]}),
    )
    .await;
    r["Messages"].as_array().cloned().unwrap_or_default()
}

const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:";

fn events_of(server: &MockServer, kind: &str) -> Vec<Value> {
    server
        .events()
        .into_iter()
        .filter(|e| e["type"] == kind)
        .collect()
}

#[tokio::test]
async fn buses_and_rules_answer_with_aws_errors() {
    let s = MockServer::start().await;
    ok(&s, "CreateEventBus", json!({"Name": "orders"})).await;
    assert_eq!(
        err(&s, "CreateEventBus", json!({"Name": "orders"})).await,
        (
            "ResourceAlreadyExistsException".into(),
            "Event bus orders already exists.".into()
        )
    );
    assert_eq!(
        err(
            &s,
            "PutRule",
            json!({"Name": "r", "EventBusName": "nope", "EventPattern": "{}"})
        )
        .await,
        (
            "ResourceNotFoundException".into(),
            "Event bus nope does not exist.".into()
        )
    );
    let (code, msg) = err(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": \"x\"}"}),
    )
    .await;
    assert_eq!(code, "InvalidEventPatternException");
    assert!(
        msg.starts_with("Event pattern is not valid. Reason:"),
        "{msg}"
    );
    let long = format!("{{\"source\": [\"{}\"]}}", "x".repeat(4090));
    let (code, msg) = err(&s, "PutRule", json!({"Name": "r", "EventPattern": long})).await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.ends_with("Member must have length less than or equal to 4096"),
        "{msg}"
    );
    assert_eq!(
        err(
            &s,
            "PutRule",
            json!({"Name": "r", "EventBusName": "orders", "ScheduleExpression": "rate(5 minutes)"})
        )
        .await
        .1,
        "ScheduleExpression is supported only on the default event bus."
    );
    assert_eq!(
        err(
            &s,
            "PutRule",
            json!({"Name": "r", "ScheduleExpression": "rate(1 minutes)"})
        )
        .await
        .1,
        "Parameter ScheduleExpression is not valid."
    );
    let arn = ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventBusName": "orders", "EventPattern": "{\"source\": [\"shop\"]}"}),
    )
    .await;
    assert_eq!(
        arn["RuleArn"],
        "arn:aws:events:us-east-1:000000000000:rule/orders/r"
    );
    let d = ok(
        &s,
        "DescribeRule",
        json!({"Name": "r", "EventBusName": "orders"}),
    )
    .await;
    assert_eq!(d["State"], "ENABLED");
    assert_eq!(d["CreatedBy"], "000000000000");
    assert_eq!(
        err(&s, "DescribeRule", json!({"Name": "r"})).await.1,
        "Rule r does not exist on EventBus default."
    );
    // Every target parameter is stored and returned.
    let target = json!({
        "Id": "t1",
        "Arn": format!("{QUEUE_ARN}q"),
        "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": "{\"id\": <id>}"},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
        "DeadLetterConfig": {"Arn": format!("{QUEUE_ARN}dlq")},
    });
    let put = ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "EventBusName": "orders", "Targets": [target.clone()]}),
    )
    .await;
    assert_eq!(put["FailedEntryCount"], 0);
    let listed = ok(
        &s,
        "ListTargetsByRule",
        json!({"Rule": "r", "EventBusName": "orders"}),
    )
    .await;
    assert_eq!(listed["Targets"], json!([target]));
    assert_eq!(
        err(
            &s,
            "DeleteRule",
            json!({"Name": "r", "EventBusName": "orders"})
        )
        .await
        .1,
        "Rule can't be deleted since it has targets."
    );
    let many: Vec<Value> = (0..6)
        .map(|i| json!({"Id": format!("x{i}"), "Arn": format!("{QUEUE_ARN}q")}))
        .collect();
    assert_eq!(
        err(
            &s,
            "PutTargets",
            json!({"Rule": "r", "EventBusName": "orders", "Targets": many})
        )
        .await
        .0,
        "LimitExceededException"
    );
    let (_, msg) = err(
        &s,
        "PutTargets",
        json!({"Rule": "r", "EventBusName": "orders", "Targets": [{"Id": "bad", "Arn": "not-an-arn"}]}),
    )
    .await;
    assert_eq!(
        msg,
        "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format."
    );
    let (code, _) = err(
        &s,
        "PutTargets",
        json!({"Rule": "r", "EventBusName": "orders", "Targets": [{"Id": "t", "Arn": format!("{QUEUE_ARN}q"),
            "InputTransformer": {"InputPathsMap": {}, "InputTemplate": "{\"a\": <undefined>}"}}]}),
    )
    .await;
    assert_eq!(code, "ValidationException");
    let names = ok(
        &s,
        "ListRuleNamesByTarget",
        json!({"TargetArn": format!("{QUEUE_ARN}q"), "EventBusName": "orders"}),
    )
    .await;
    assert_eq!(names["RuleNames"], json!(["r"]));
    ok(
        &s,
        "RemoveTargets",
        json!({"Rule": "r", "EventBusName": "orders", "Ids": ["t1"]}),
    )
    .await;
    ok(
        &s,
        "DeleteRule",
        json!({"Name": "r", "EventBusName": "orders"}),
    )
    .await;
    assert_eq!(
        err(&s, "DeleteEventBus", json!({"Name": "default"}))
            .await
            .0,
        "ValidationException"
    );
}

#[tokio::test]
async fn list_rules_pages_with_next_token() {
    let s = MockServer::start().await;
    for i in 0..5 {
        ok(
            &s,
            "PutRule",
            json!({"Name": format!("r{i}"), "EventPattern": "{\"source\": [\"a\"]}"}),
        )
        .await;
    }
    let first = ok(&s, "ListRules", json!({"Limit": 2})).await;
    assert_eq!(first["Rules"].as_array().map(Vec::len), Some(2));
    let mut token = first["NextToken"].as_str().map(str::to_owned);
    let mut seen = 2;
    while let Some(t) = token {
        let page = ok(&s, "ListRules", json!({"Limit": 2, "NextToken": t})).await;
        seen += page["Rules"].as_array().map_or(0, Vec::len);
        token = page["NextToken"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, 5);
    assert_eq!(
        err(&s, "ListRules", json!({"NextToken": "bogus"})).await.0,
        "ValidationException"
    );
}

#[tokio::test]
async fn put_events_reports_each_entry() {
    let s = MockServer::start().await;
    let r = ok(
        &s,
        "PutEvents",
        json!({"Entries": [
            {"Source": "app", "DetailType": "t", "Detail": "{}"},
            {"Source": "app", "DetailType": "t", "Detail": "not json"},
            {"Source": "aws.ec2", "DetailType": "t", "Detail": "{}"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "app", "DetailType": "t", "Detail": "{}", "EventBusName": "missing"},
        ]}),
    )
    .await;
    assert_eq!(r["FailedEntryCount"], 4);
    let entries = r["Entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries[0]["EventId"].as_str().map(str::len), Some(36));
    assert_eq!(entries[1]["ErrorCode"], "MalformedDetail");
    assert_eq!(entries[2]["ErrorCode"], "NotAuthorizedForSourceException");
    assert_eq!(entries[3]["ErrorCode"], "InvalidArgument");
    assert_eq!(entries[4]["ErrorCode"], "ResourceNotFoundException");
    let big = "x".repeat(200 * 1024);
    let (code, msg) = err(
        &s,
        "PutEvents",
        json!({"Entries": [
            {"Source": "app", "DetailType": "t", "Detail": format!("{{\"a\":\"{big}\"}}")},
            {"Source": "app", "DetailType": "t", "Detail": format!("{{\"a\":\"{big}\"}}")},
        ]}),
    )
    .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ValidationException",
            "Total size of the entries in the request is over the limit."
        )
    );
    // Only the good entry was put; nothing of the rejected request was.
    assert_eq!(events_of(&s, "EventPut").len(), 1);
}

#[tokio::test]
async fn an_event_reaches_a_queue_through_an_input_transformer() {
    let s = MockServer::start().await;
    let url = queue(&s, "orders").await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "big-orders", "EventPattern": "{\"source\": [\"shop\"], \"detail\": {\"total\": [{\"numeric\": [\">\", 100]}]}}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "big-orders", "Targets": [{
            "Id": "q",
            "Arn": format!("{QUEUE_ARN}orders"),
            "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total"},
                "InputTemplate": "{\"order\": <id>, \"text\": \"order <id> is worth <total>\", \"rule\": <aws.events.rule-name>}"
            }
        }]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [
            {"Source": "shop", "DetailType": "Order", "Detail": "{\"id\": \"o-1\", \"total\": 250}"},
            {"Source": "shop", "DetailType": "Order", "Detail": "{\"id\": \"o-2\", \"total\": 5}"},
        ]}),
    )
    .await;
    let messages = receive(&s, &url).await;
    assert_eq!(messages.len(), 1);
    let body: Value =
        serde_json::from_str(messages[0]["Body"].as_str().unwrap_or_default()).expect("JSON body");
    assert_eq!(
        body,
        json!({"order": "o-1", "text": "order o-1 is worth 250", "rule": "big-orders"})
    );
    let invoked = events_of(&s, "TargetInvoked");
    assert_eq!(invoked.len(), 1);
    assert_eq!(invoked[0]["outcome"], "Succeeded");
    assert_eq!(invoked[0]["targetType"], "sqs");
    // The same log over the control API.
    let log = get(&s, "/_codemock/events").await.json();
    assert!(log["events"]
        .as_array()
        .is_some_and(|e| e.iter().any(|r| r["type"] == "RuleMatched")));
}

#[tokio::test]
async fn a_rate_rule_fires_twelve_times_in_an_hour_of_manual_clock() {
    let s = MockServer::start().await;
    let url = queue(&s, "ticks").await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "tick", "ScheduleExpression": "rate(5 minutes)"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "tick", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}ticks")}, {"Id": "fn", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:f"}]}),
    )
    .await;
    let r = post(&s, "/_codemock/clock/advance", "{\"seconds\": 3600}").await;
    assert_eq!(r.status, 200);
    let mut bodies = Vec::new();
    loop {
        let batch = receive(&s, &url).await;
        if batch.is_empty() {
            break;
        }
        for m in batch {
            bodies.push(m["Body"].as_str().unwrap_or_default().to_owned());
            sqs(
                &s,
                "DeleteMessage",
                json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
            )
            .await;
        }
    }
    assert_eq!(bodies.len(), 12);
    let first: Value = serde_json::from_str(&bodies[0]).expect("JSON");
    assert_eq!(first["source"], "aws.events");
    assert_eq!(first["detail-type"], "Scheduled Event");
    assert_eq!(first["detail"], json!({}));
    assert_eq!(first["time"], "2024-01-01T00:05:00Z");
    assert_eq!(
        first["resources"],
        json!(["arn:aws:events:us-east-1:000000000000:rule/tick"])
    );
    // The Lambda target is not emulated: its invocations are recorded.
    let lambda: Vec<Value> = events_of(&s, "TargetInvoked")
        .into_iter()
        .filter(|e| e["targetType"] == "recorded")
        .collect();
    assert_eq!(lambda.len(), 12);
    // A disabled rule stops firing.
    ok(&s, "DisableRule", json!({"Name": "tick"})).await;
    s.clock().advance(Duration::from_secs(3600)).await;
    assert!(receive(&s, &url).await.is_empty());
}

/// A tiny HTTP server that answers every request with `status` and remembers what it got.
async fn http_sink(
    status: u16,
) -> (
    String,
    Arc<parking_lot::Mutex<Vec<(http::HeaderMap, String, String)>>>,
) {
    slow_http_sink(status, Duration::ZERO).await
}

/// An HTTP endpoint that answers `status` after `delay` (real time) and logs what it got.
async fn slow_http_sink(
    status: u16,
    delay: Duration,
) -> (
    String,
    Arc<parking_lot::Mutex<Vec<(http::HeaderMap, String, String)>>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let log = log.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let path = parts.uri.to_string();
                            tokio::time::sleep(delay).await;
                            let reply = if path.starts_with("/token") {
                                (200, "{\"access_token\": \"tok\"}".to_owned())
                            } else {
                                (status, "{}".to_owned())
                            };
                            log.lock().push((
                                parts.headers,
                                path,
                                String::from_utf8_lossy(&body).into_owned(),
                            ));
                            let resp = http::Response::builder()
                                .status(reply.0)
                                .body(Full::new(Bytes::from(reply.1)))
                                .expect("response");
                            Ok::<_, std::convert::Infallible>(resp)
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

async fn api_destination(
    s: &MockServer,
    name: &str,
    endpoint: &str,
    auth: Value,
    kind: &str,
) -> String {
    let conn = ok(
        s,
        "CreateConnection",
        json!({"Name": format!("{name}-conn"), "AuthorizationType": kind, "AuthParameters": auth}),
    )
    .await;
    assert_eq!(conn["ConnectionState"], "AUTHORIZED");
    let dest = ok(
        s,
        "CreateApiDestination",
        json!({"Name": name, "ConnectionArn": conn["ConnectionArn"], "InvocationEndpoint": endpoint, "HttpMethod": "POST"}),
    )
    .await;
    dest["ApiDestinationArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn api_destinations_call_the_endpoint_with_the_connection_auth() {
    let s = MockServer::start().await;
    let (base, seen) = http_sink(200).await;
    let basic = api_destination(
        &s,
        "basic",
        &format!("{base}/hooks/*"),
        json!({"BasicAuthParameters": {"Username": "u", "Password": "p"},
               "InvocationHttpParameters": {"HeaderParameters": [{"Key": "x-team", "Value": "a"}]}}),
        "BASIC",
    )
    .await;
    let oauth = api_destination(
        &s,
        "oauth",
        &format!("{base}/oauth"),
        json!({"OAuthParameters": {"ClientParameters": {"ClientID": "id", "ClientSecret": "secret"},
               "AuthorizationEndpoint": format!("{base}/token"), "HttpMethod": "POST"}}),
        "OAUTH_CLIENT_CREDENTIALS",
    )
    .await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "hook", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "hook", "Targets": [
            {"Id": "a", "Arn": basic, "HttpParameters": {"PathParameterValues": ["42"], "QueryStringParameters": {"q": "1 2"}}, "InputPath": "$.detail"},
            {"Id": "b", "Arn": oauth, "Input": "{\"fixed\": true}"},
        ]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{\"n\": 1}"}]}),
    )
    .await;
    // The calls run as jobs after PutEvents answered; settling waits for them.
    s.settle().await;
    let seen = seen.lock().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    let (headers, path, body) = &seen[0];
    assert_eq!(path, "/hooks/42?q=1%202");
    assert_eq!(headers["authorization"], "Basic dTpw");
    assert_eq!(headers["x-team"], "a");
    assert_eq!(body, "{\"n\":1}");
    assert_eq!(seen[1].1, "/token");
    assert_eq!(seen[1].0["authorization"], "Basic aWQ6c2VjcmV0");
    assert_eq!(seen[2].0["authorization"], "Bearer tok");
    assert_eq!(seen[2].2, "{\"fixed\": true}");
}

#[tokio::test]
async fn a_failing_api_destination_ends_in_the_dead_letter_queue() {
    let s = MockServer::start().await;
    let dlq = queue(&s, "dlq").await;
    let (base, seen) = http_sink(500).await;
    let dest = api_destination(
        &s,
        "flaky",
        &base,
        json!({"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"}}),
        "API_KEY",
    )
    .await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "api", "Arn": dest,
            "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": format!("{QUEUE_ARN}dlq")}}]}),
    )
    .await;
    let put = ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    s.settle().await;
    assert_eq!(seen.lock().len(), 1);
    assert!(receive(&s, &dlq).await.is_empty(), "not before the retries");
    s.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(seen.lock().len(), 3, "one try and two retries");
    assert_eq!(seen.lock()[0].0["x-api-key"], "k");
    let messages = receive(&s, &dlq).await;
    assert_eq!(messages.len(), 1);
    let body: Value =
        serde_json::from_str(messages[0]["Body"].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(body["id"], put["Entries"][0]["EventId"]);
    let attrs = &messages[0]["MessageAttributes"];
    assert_eq!(attrs["ERROR_CODE"]["StringValue"], "500");
    assert_eq!(attrs["RETRY_ATTEMPTS"]["StringValue"], "2");
    assert_eq!(
        attrs["TARGET_ARN"]["StringValue"].as_str(),
        Some(dest.as_str())
    );
    let dead = events_of(&s, "DeadLettered");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["attributes"]["ERROR_CODE"], "500");
    assert_eq!(
        dead[0]["attributes"]["EXHAUSTED_RETRY_CONDITION"],
        "MaximumRetryAttempts"
    );
    assert_eq!(
        dead[0]["attributes"]["RULE_ARN"],
        "arn:aws:events:us-east-1:000000000000:rule/r"
    );
}

#[tokio::test]
async fn a_missing_queue_is_not_retried_and_goes_to_the_dead_letter_queue() {
    let s = MockServer::start().await;
    let dlq = queue(&s, "dlq").await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}gone"),
            "DeadLetterConfig": {"Arn": format!("{QUEUE_ARN}dlq")}}]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    assert_eq!(receive(&s, &dlq).await.len(), 1);
    assert!(events_of(&s, "RetryScheduled").is_empty());
}

#[tokio::test]
async fn bus_targets_forward_one_hop_and_logs_targets_write() {
    let s = MockServer::start().await;
    let url = queue(&s, "final").await;
    let logs = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "Logs_20140328.CreateLogGroup")
        .body(Full::new(Bytes::from(
            "{\"logGroupName\": \"/aws/events/all\"}",
        )))
        .expect("request");
    assert_eq!(send(&s, logs).await.status, 200);
    ok(&s, "CreateEventBus", json!({"Name": "b2"})).await;
    let pattern = "{\"source\": [\"app\"]}";
    ok(
        &s,
        "PutRule",
        json!({"Name": "fwd", "EventPattern": pattern}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "fwd", "Targets": [
            {"Id": "bus", "Arn": "arn:aws:events:us-east-1:000000000000:event-bus/b2"},
            {"Id": "log", "Arn": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/all:*"},
        ]}),
    )
    .await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "on-b2", "EventBusName": "b2", "EventPattern": pattern}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "on-b2", "EventBusName": "b2", "Targets": [
            {"Id": "q", "Arn": format!("{QUEUE_ARN}final")},
            {"Id": "back", "Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default"},
        ]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    assert_eq!(receive(&s, &url).await.len(), 1);
    let invoked = events_of(&s, "TargetInvoked");
    let back: Vec<&Value> = invoked.iter().filter(|e| e["targetId"] == "back").collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["errorCode"], "EventBusHopLimit");
    let log = invoked
        .iter()
        .find(|e| e["targetId"] == "log")
        .expect("log target");
    assert_eq!(log["outcome"], "Succeeded");
}

#[tokio::test]
async fn archives_keep_events_and_replays_send_them_again() {
    let s = MockServer::start().await;
    let url = queue(&s, "q").await;
    let bus_arn = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    let archive = ok(
        &s,
        "CreateArchive",
        json!({"ArchiveName": "all", "EventSourceArn": bus_arn, "EventPattern": "{\"source\": [\"app\"]}", "RetentionDays": 1}),
    )
    .await;
    assert_eq!(archive["State"], "ENABLED");
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}q")}]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [
            {"Source": "app", "DetailType": "t", "Detail": "{\"n\": 1}"},
            {"Source": "other", "DetailType": "t", "Detail": "{}"},
        ]}),
    )
    .await;
    let d = ok(&s, "DescribeArchive", json!({"ArchiveName": "all"})).await;
    assert_eq!(d["EventCount"], 1);
    assert_eq!(receive(&s, &url).await.len(), 1);
    let start = 1_704_067_000;
    let replay = ok(
        &s,
        "StartReplay",
        json!({"ReplayName": "again", "EventSourceArn": archive["ArchiveArn"],
               "EventStartTime": start, "EventEndTime": start + 3600,
               "Destination": {"Arn": bus_arn, "FilterArns": ["arn:aws:events:us-east-1:000000000000:rule/r"]}}),
    )
    .await;
    assert_eq!(replay["State"], "STARTING");
    s.clock().advance(Duration::from_secs(1)).await;
    assert_eq!(
        ok(&s, "DescribeReplay", json!({"ReplayName": "again"})).await["State"],
        "RUNNING"
    );
    s.clock().advance(Duration::from_secs(1)).await;
    assert_eq!(
        ok(&s, "DescribeReplay", json!({"ReplayName": "again"})).await["State"],
        "COMPLETED"
    );
    // The visibility timeout of the first delivery has not passed: only the replayed copy shows.
    let replayed: Vec<Value> = events_of(&s, "EventPut")
        .into_iter()
        .filter(|e| e["replayName"] == "again")
        .collect();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0]["event"]["replay-name"], "again");
    assert_eq!(
        ok(&s, "DescribeArchive", json!({"ArchiveName": "all"})).await["EventCount"],
        1
    );
    assert_eq!(
        err(&s, "CancelReplay", json!({"ReplayName": "again"}))
            .await
            .0,
        "IllegalStatusException"
    );
    assert_eq!(
        err(
            &s,
            "StartReplay",
            json!({"ReplayName": "x", "EventSourceArn": archive["ArchiveArn"],
            "EventStartTime": start, "EventEndTime": start + 1,
            "Destination": {"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/other"}})
        )
        .await
        .1,
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
    );
}

#[tokio::test]
async fn test_event_pattern_uses_the_rule_matcher() {
    let s = MockServer::start().await;
    let event = json!({"id": "1", "account": "1", "source": "app", "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1", "resources": [], "detail-type": "t", "detail": {"n": 5}});
    let r = ok(
        &s,
        "TestEventPattern",
        json!({"EventPattern": "{\"detail\": {\"n\": [{\"numeric\": [\">=\", 5]}]}}", "Event": event.to_string()}),
    )
    .await;
    assert_eq!(r["Result"], true);
    assert_eq!(
        err(
            &s,
            "TestEventPattern",
            json!({"EventPattern": "{\"a\": 1}", "Event": event.to_string()})
        )
        .await
        .0,
        "InvalidEventPatternException"
    );
    assert_eq!(
        err(
            &s,
            "TestEventPattern",
            json!({"EventPattern": "{\"source\": [\"app\"]}", "Event": "{}"})
        )
        .await
        .0,
        "ValidationException"
    );
}

/// PutEvents latency with 1, 100 and 1,000 rules on one bus, one rule matching each event. Two
/// shapes: every rule on its own `source` (the index narrows to one candidate), and every rule on
/// the same `source` with its own numeric filter (all rules are evaluated: the worst case).
/// Run with `cargo test --release -p codemock --test wire -- --ignored put_events_latency --nocapture`.
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn put_events_latency() {
    for shared_source in [false, true] {
        for rules in [1usize, 100, 1000] {
            let s = MockServer::start().await;
            let source = |i: usize| {
                if shared_source {
                    "shop".to_owned()
                } else {
                    format!("src{i}")
                }
            };
            for i in 0..rules {
                let pattern =
                    json!({"source": [source(i)], "detail": {"n": [{"numeric": ["=", i]}]}});
                ok(
                    &s,
                    "PutRule",
                    json!({"Name": format!("r{i}"), "EventPattern": pattern.to_string()}),
                )
                .await;
                ok(
                    &s,
                    "PutTargets",
                    json!({"Rule": format!("r{i}"), "Targets": [{"Id": "t", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:f"}]}),
                )
                .await;
            }
            let n: u32 = 300;
            let started = std::time::Instant::now();
            for i in 0..n {
                let i = i as usize % rules;
                let detail = json!({"n": i}).to_string();
                let body = json!({"Entries": [{"Source": source(i), "DetailType": "t", "Detail": detail}]});
                ok(&s, "PutEvents", body).await;
            }
            let http = started.elapsed() / n;
            // The matching alone, in process.
            let event = json!({"source": source(0), "detail-type": "t", "detail": {"n": 0}});
            let partition = s.core().store.partition("000000000000", "us-east-1", 0.0);
            let started = std::time::Instant::now();
            let k = 10_000;
            let mut matched = 0;
            for _ in 0..k {
                let world = partition.lock();
                matched += world
                    .events
                    .indexes
                    .get("default")
                    .map_or(0, |i| i.matching(&event).len());
            }
            let matching = started.elapsed() / k;
            assert_eq!(matched, k as usize);
            println!(
                "rules={rules} shared_source={shared_source}: PutEvents round trip {http:?}, matching {matching:?} per event"
            );
        }
    }
}

#[tokio::test]
async fn a_recreated_schedule_rule_does_not_inherit_old_timers() {
    let s = MockServer::start().await;
    let lambda = "arn:aws:lambda:us-east-1:000000000000:function:f";
    for _ in 0..2 {
        ok(
            &s,
            "PutRule",
            json!({"Name": "tick", "ScheduleExpression": "rate(5 minutes)"}),
        )
        .await;
        ok(
            &s,
            "PutTargets",
            json!({"Rule": "tick", "Targets": [{"Id": "fn", "Arn": lambda}]}),
        )
        .await;
        ok(&s, "RemoveTargets", json!({"Rule": "tick", "Ids": ["fn"]})).await;
        ok(&s, "DeleteRule", json!({"Name": "tick"})).await;
    }
    ok(
        &s,
        "PutRule",
        json!({"Name": "tick", "ScheduleExpression": "cron(0/10 * * * ? *)"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "tick", "Targets": [{"Id": "fn", "Arn": lambda}]}),
    )
    .await;
    s.clock().advance(Duration::from_secs(600)).await;
    assert_eq!(events_of(&s, "TargetInvoked").len(), 1);
}

#[tokio::test]
async fn managed_rules_change_only_with_force() {
    let s = MockServer::start().await;
    let partition = s.core().store.partition("000000000000", "us-east-1", 0.0);
    let arn = partition
        .lock()
        .events
        .put_managed_rule(
            "default",
            "svc-rule",
            "{\"source\": [\"aws.codepipeline\"]}",
            "codepipeline.amazonaws.com",
        )
        .expect("managed rule");
    assert_eq!(arn, "arn:aws:events:us-east-1:000000000000:rule/svc-rule");
    let d = ok(&s, "DescribeRule", json!({"Name": "svc-rule"})).await;
    assert_eq!(d["ManagedBy"], "codepipeline.amazonaws.com");
    assert_eq!(
        err(&s, "DisableRule", json!({"Name": "svc-rule"})).await.0,
        "ManagedRuleException"
    );
    assert_eq!(
        err(&s, "DeleteRule", json!({"Name": "svc-rule"})).await.0,
        "ManagedRuleException"
    );
    ok(&s, "DeleteRule", json!({"Name": "svc-rule", "Force": true})).await;
}

async fn ev_as(server: &MockServer, account: &str, target: &str, body: Value) -> Value {
    let (prefix, content_type) = if target.starts_with("AmazonSQS.") {
        ("sqs", "application/x-amz-json-1.0")
    } else {
        ("events", "application/x-amz-json-1.1")
    };
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .header("authorization", authorization(account, "us-east-1", prefix))
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let r = send(server, req).await;
    assert_eq!(
        r.status,
        200,
        "{target}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

#[tokio::test]
async fn events_cross_accounts_through_bus_arns() {
    let s = MockServer::start().await;
    let other = "111111111111";
    let url = ev_as(
        &s,
        other,
        "AmazonSQS.CreateQueue",
        json!({"QueueName": "inbox"}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ev_as(
        &s,
        other,
        "AWSEvents.CreateEventBus",
        json!({"Name": "shared"}),
    )
    .await;
    ev_as(
        &s,
        other,
        "AWSEvents.PutRule",
        json!({"Name": "in", "EventBusName": "shared", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ev_as(
        &s,
        other,
        "AWSEvents.PutTargets",
        json!({"Rule": "in", "EventBusName": "shared", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:111111111111:inbox"}]}),
    )
    .await;
    let shared = "arn:aws:events:us-east-1:111111111111:event-bus/shared";
    // Straight to the other account's bus, and through a rule whose target is that bus.
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "direct", "Detail": "{}", "EventBusName": shared}]}),
    )
    .await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "out", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "out", "Targets": [{"Id": "bus", "Arn": shared}]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "forwarded", "Detail": "{}"}]}),
    )
    .await;
    let got = ev_as(
        &s,
        other,
        "AmazonSQS.ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
    )
    .await;
    let mut types: Vec<String> = got["Messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|m| serde_json::from_str::<Value>(m["Body"].as_str()?).ok())
        .map(|e| e["detail-type"].as_str().unwrap_or_default().to_owned())
        .collect();
    types.sort();
    assert_eq!(types, vec!["direct", "forwarded"]);
}

/// The call to an API destination runs as a job: PutEvents answers before the endpoint does,
/// and other requests are served meanwhile.
#[tokio::test]
async fn a_slow_api_destination_delays_neither_put_events_nor_other_requests() {
    let s = MockServer::start().await;
    let (base, seen) = slow_http_sink(200, Duration::from_secs(3)).await;
    let dest = api_destination(
        &s,
        "slow",
        &base,
        json!({"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}),
        "API_KEY",
    )
    .await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "api", "Arn": dest}]}),
    )
    .await;
    let put = ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    assert_eq!(put["FailedEntryCount"], 0);
    // The sink logs a request only once its delay is over: nothing yet.
    assert!(seen.lock().is_empty(), "PutEvents waited for the endpoint");
    ok(&s, "ListRules", json!({})).await;
    assert!(seen.lock().is_empty(), "ListRules waited for the endpoint");
    assert!(events_of(&s, "TargetInvoked").is_empty());
    s.settle().await;
    assert_eq!(seen.lock().len(), 1);
    let invoked = events_of(&s, "TargetInvoked");
    assert_eq!(invoked.len(), 1);
    assert_eq!(invoked[0]["outcome"], "Succeeded");
}

/// A target that disappears between the match and the delivery is an AWS-visible failure (a
/// dead letter), never a lost effect or a stuck engine.
#[tokio::test]
async fn a_queue_deleted_before_a_retry_fails_the_delivery_and_the_engine_goes_on() {
    let s = MockServer::start().await;
    let target = queue(&s, "target").await;
    let dlq = queue(&s, "dlq").await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}target"),
            "DeadLetterConfig": {"Arn": format!("{QUEUE_ARN}dlq")}}]}),
    )
    .await;
    sqs(&s, "DeleteQueue", json!({"QueueUrl": target})).await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    let invoked = events_of(&s, "TargetInvoked");
    assert_eq!(invoked.len(), 1);
    assert_eq!(invoked[0]["outcome"], "Failed");
    assert_eq!(invoked[0]["errorCode"], "QueueDoesNotExist");
    let dead = receive(&s, &dlq).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"],
        "QueueDoesNotExist"
    );
    // The engine still serves and delivers.
    let other = queue(&s, "other").await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}other")}]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    assert_eq!(receive(&s, &other).await.len(), 1);
}

/// A retry timer whose rule was deleted meanwhile fires into nothing: the attempt is still
/// made (and fails or succeeds as the target decides), no timer is left behind.
#[tokio::test]
async fn a_retry_after_the_rule_is_gone_still_ends() {
    let s = MockServer::start().await;
    ok(
        &s,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}),
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "q", "Arn": format!("{QUEUE_ARN}later"),
            "RetryPolicy": {"MaximumRetryAttempts": 1}}]}),
    )
    .await;
    // A missing queue is not retried by AWS; a missing bus neither: use a server error instead,
    // an API destination that does not listen.
    ok(&s, "RemoveTargets", json!({"Rule": "r", "Ids": ["q"]})).await;
    let dest = api_destination(
        &s,
        "down",
        "http://127.0.0.1:9",
        json!({"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}),
        "API_KEY",
    )
    .await;
    ok(
        &s,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "api", "Arn": dest,
            "RetryPolicy": {"MaximumRetryAttempts": 1}}]}),
    )
    .await;
    ok(
        &s,
        "PutEvents",
        json!({"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}),
    )
    .await;
    s.settle().await;
    assert_eq!(events_of(&s, "RetryScheduled").len(), 1);
    ok(&s, "RemoveTargets", json!({"Rule": "r", "Ids": ["api"]})).await;
    ok(&s, "DeleteRule", json!({"Name": "r"})).await;
    s.clock().advance(Duration::from_secs(10)).await;
    let invoked = events_of(&s, "TargetInvoked");
    assert_eq!(invoked.len(), 2, "the retry was made");
    assert_eq!(events_of(&s, "EventDiscarded").len(), 1);
    assert_eq!(s.core().pending_timers(), 0);
}

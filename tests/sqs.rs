//! SQS over awsJson1_0 with literal JSON: queues, messages, visibility on the virtual clock, FIFO,
//! and the awsQueryCompatible error headers.

use crate::support::{call, MockServer};
use serde_json::{json, Value};
use std::time::Duration;

async fn sqs(server: &MockServer, op: &str, body: Value) -> crate::support::Reply {
    call(server, &format!("AmazonSQS.{op}"), &body.to_string()).await
}

async fn create(server: &MockServer, body: Value) -> String {
    let r = sqs(server, "CreateQueue", body).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["QueueUrl"].as_str().expect("url").to_owned()
}

#[tokio::test]
async fn queue_urls_point_back_at_the_host_and_create_is_idempotent() {
    let server = MockServer::start().await;
    let url = create(&server, json!({"QueueName": "jobs"})).await;
    assert_eq!(url, "http://localhost/000000000000/jobs");
    // Same attributes: same queue. Different: QueueNameExists with its query code.
    assert_eq!(create(&server, json!({"QueueName": "jobs"})).await, url);
    let r = sqs(
        &server,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"VisibilityTimeout": "5"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "com.amazonaws.sqs#QueueNameExists");
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("QueueAlreadyExists;Sender")
    );
    let r = sqs(&server, "GetQueueUrl", json!({"QueueName": "jobs"})).await;
    assert_eq!(r.json()["QueueUrl"], url);
}

#[tokio::test]
async fn a_missing_queue_carries_the_query_error_code() {
    let server = MockServer::start().await;
    let r = sqs(&server, "GetQueueUrl", json!({"QueueName": "nope"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})
    );
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
}

#[tokio::test]
async fn send_receive_delete_with_exact_md5s() {
    let server = MockServer::start().await;
    let url = create(&server, json!({"QueueName": "q"})).await;
    let r = sqs(
        &server,
        "SendMessage",
        json!({
            "QueueUrl": url,
            "MessageBody": "hello",
            "MessageAttributes": {"colour": {"DataType": "String", "StringValue": "blue"}}
        }),
    )
    .await;
    assert_eq!(r.status, 200);
    let sent = r.json();
    assert_eq!(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
    // name "colour", type "String", transport 1, value "blue", each length-prefixed.
    let mut buf = Vec::new();
    for part in [&b"colour"[..], b"String"] {
        buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
        buf.extend_from_slice(part);
    }
    buf.push(1);
    buf.extend_from_slice(&4u32.to_be_bytes());
    buf.extend_from_slice(b"blue");
    assert_eq!(
        sent["MD5OfMessageAttributes"],
        codemock::services::sqs::md5::md5_hex(&buf)
    );

    let r = sqs(&server, "ReceiveMessage", json!({
        "QueueUrl": url, "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"]
    })).await;
    let m = &r.json()["Messages"][0];
    assert_eq!(m["Body"], "hello");
    assert_eq!(m["MessageId"], sent["MessageId"]);
    assert_eq!(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
    assert_eq!(m["Attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(m["Attributes"]["SentTimestamp"], "1704067200000");
    // Hidden now: a second receive is empty (and `Messages` is left out).
    let r = sqs(&server, "ReceiveMessage", json!({"QueueUrl": url})).await;
    assert_eq!(r.json(), json!({}));
    let r = sqs(
        &server,
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = sqs(
        &server,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["All"]}),
    )
    .await;
    let attrs = &r.json()["Attributes"];
    assert_eq!(attrs["ApproximateNumberOfMessages"], "0");
    assert_eq!(attrs["ApproximateNumberOfMessagesNotVisible"], "0");
    assert_eq!(attrs["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:q");
    assert_eq!(attrs["VisibilityTimeout"], "30");
}

#[tokio::test]
async fn visibility_timeout_and_delay_follow_the_virtual_clock() {
    let server = MockServer::start().await;
    let url = create(
        &server,
        json!({"QueueName": "v", "Attributes": {"VisibilityTimeout": "10"}}),
    )
    .await;
    sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "a"}),
    )
    .await;
    sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "later", "DelaySeconds": 60}),
    )
    .await;
    let r = sqs(
        &server,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessagesDelayed"]}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"Attributes": {"ApproximateNumberOfMessagesDelayed": "1"}})
    );
    let r = sqs(
        &server,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
    )
    .await;
    assert_eq!(r.json()["Messages"].as_array().map(Vec::len), Some(1));
    server.clock().advance(Duration::from_secs(11)).await;
    let r = sqs(
        &server,
        "ReceiveMessage",
        json!({"QueueUrl": url, "AttributeNames": ["All"]}),
    )
    .await;
    assert_eq!(
        r.json()["Messages"][0]["Attributes"]["ApproximateReceiveCount"],
        "2"
    );
    server.clock().advance(Duration::from_secs(60)).await;
    let r = sqs(
        &server,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
    )
    .await;
    let bodies: Vec<_> = r.json()["Messages"]
        .as_array()
        .expect("msgs")
        .iter()
        .map(|m| m["Body"].clone())
        .collect();
    assert_eq!(bodies, [json!("a"), json!("later")]);
}

#[tokio::test]
async fn fifo_queues_deduplicate_and_keep_group_order() {
    let server = MockServer::start().await;
    let r = sqs(
        &server,
        "CreateQueue",
        json!({"QueueName": "no-suffix", "Attributes": {"FifoQueue": "true"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("InvalidParameterValue;Sender")
    );
    let url = create(&server, json!({"QueueName": "f.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}})).await;
    let a = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "one", "MessageGroupId": "g"}),
    )
    .await
    .json();
    let dup = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "one", "MessageGroupId": "g"}),
    )
    .await
    .json();
    assert_eq!(a["MessageId"], dup["MessageId"]);
    assert_eq!(a["SequenceNumber"].as_str().map(str::len), Some(20));
    sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "two", "MessageGroupId": "g"}),
    )
    .await;
    let r = sqs(&server, "ReceiveMessage", json!({"QueueUrl": url})).await;
    assert_eq!(r.json()["Messages"][0]["Body"], "one");
    // The group is locked while "one" is in flight.
    let r = sqs(&server, "ReceiveMessage", json!({"QueueUrl": url})).await;
    assert_eq!(r.json(), json!({}));
    let r = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x"}),
    )
    .await;
    assert_eq!(
        r.json()["message"],
        "The request must contain the parameter MessageGroupId."
    );
}

#[tokio::test]
async fn batches_report_each_entry_and_redrive_moves_to_the_dlq() {
    let server = MockServer::start().await;
    let dlq = create(&server, json!({"QueueName": "dlq"})).await;
    let policy = json!({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "maxReceiveCount": 1}).to_string();
    let url = create(&server, json!({"QueueName": "src", "Attributes": {"RedrivePolicy": policy, "VisibilityTimeout": "1"}})).await;
    let r = sqs(
        &server,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "a", "MessageBody": "ok"},
            {"Id": "b", "MessageBody": "bad\u{0}"}
        ]}),
    )
    .await;
    let out = r.json();
    assert_eq!(out["Successful"][0]["Id"], "a");
    assert_eq!(out["Failed"][0]["Id"], "b");
    assert_eq!(out["Failed"][0]["Code"], "InvalidMessageContents");
    let r = sqs(
        &server,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}
        ]}),
    )
    .await;
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender")
    );
    sqs(&server, "ReceiveMessage", json!({"QueueUrl": url})).await;
    server.clock().advance(Duration::from_secs(2)).await;
    let r = sqs(&server, "ReceiveMessage", json!({"QueueUrl": url})).await;
    assert_eq!(r.json(), json!({}));
    let r = sqs(
        &server,
        "ReceiveMessage",
        json!({"QueueUrl": dlq, "MessageSystemAttributeNames": ["DeadLetterQueueSourceArn"]}),
    )
    .await;
    let m = &r.json()["Messages"][0];
    assert_eq!(m["Body"], "ok");
    assert_eq!(
        m["Attributes"]["DeadLetterQueueSourceArn"],
        "arn:aws:sqs:us-east-1:000000000000:src"
    );
}

#[tokio::test]
async fn a_long_poll_is_woken_by_a_send() {
    let server = MockServer::start().await;
    let url = create(&server, json!({"QueueName": "lp"})).await;
    let started = std::time::Instant::now();
    let (r, _) = tokio::join!(
        sqs(
            &server,
            "ReceiveMessage",
            json!({"QueueUrl": url, "WaitTimeSeconds": 20})
        ),
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            sqs(
                &server,
                "SendMessage",
                json!({"QueueUrl": url, "MessageBody": "wake"}),
            )
            .await
        }
    );
    assert_eq!(r.json()["Messages"][0]["Body"], "wake");
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn list_queues_pages_and_tags_round_trip() {
    let server = MockServer::start().await;
    for n in ["a1", "a2", "b1"] {
        create(&server, json!({"QueueName": n, "tags": {}})).await;
    }
    let r = sqs(
        &server,
        "ListQueues",
        json!({"QueueNamePrefix": "a", "MaxResults": 1}),
    )
    .await
    .json();
    assert_eq!(r["QueueUrls"], json!(["http://localhost/000000000000/a1"]));
    let r = sqs(
        &server,
        "ListQueues",
        json!({"QueueNamePrefix": "a", "MaxResults": 1, "NextToken": r["NextToken"]}),
    )
    .await
    .json();
    assert_eq!(r["QueueUrls"], json!(["http://localhost/000000000000/a2"]));
    assert!(r.get("NextToken").is_none());
    let url = "http://elsewhere:1/000000000000/b1";
    sqs(
        &server,
        "TagQueue",
        json!({"QueueUrl": url, "Tags": {"team": "x"}}),
    )
    .await;
    let r = sqs(&server, "ListQueueTags", json!({"QueueUrl": url})).await;
    assert_eq!(r.json(), json!({"Tags": {"team": "x"}}));
}

#[tokio::test]
async fn receive_accepts_message_system_attribute_names_in_attribute_names() {
    let server = MockServer::start().await;
    let url = create(&server, json!({"QueueName": "legacy"})).await;
    let r = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "hi"}),
    )
    .await;
    assert_eq!(r.status, 200);
    // boto3 code written before MessageSystemAttributeNames asks this way, and SQS answers.
    let r = sqs(
        &server,
        "ReceiveMessage",
        json!({"QueueUrl": url, "AttributeNames": ["SentTimestamp", "ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json());
    let attrs = &r.json()["Messages"][0]["Attributes"];
    assert_eq!(attrs["ApproximateReceiveCount"], "1");
    assert!(attrs["SentTimestamp"]
        .as_str()
        .is_some_and(|t| t.parse::<u64>().is_ok()));
}

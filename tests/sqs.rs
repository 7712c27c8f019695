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

/// Recorded against AWS: LocalStack's validated `test_posting_to_queue_via_queue_name` sends
/// with the queue's name as `QueueUrl`; moto's `aws_verified` `test_get_queue_url_error_not_exists`
/// gets `NonExistentQueue` for an address with no `<account>/<name>` path.
#[tokio::test]
async fn a_queue_name_serves_as_its_url_and_an_odd_address_names_no_queue() {
    let server = MockServer::start().await;
    create(&server, json!({"QueueName": "by-name"})).await;
    let r = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": "by-name", "MessageBody": "Using name instead of URL"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json()["MD5OfMessageBody"],
        "86a83f96652a1bfad3891e7d523750cb"
    );
    for url in ["http://whatever-incorrect-queue-address", "no-such-queue"] {
        let r = sqs(&server, "GetQueueAttributes", json!({"QueueUrl": url})).await;
        assert_eq!(r.status, 400, "{url}");
        assert_eq!(r.json()["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
        assert_eq!(
            r.header("x-amzn-query-error"),
            Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
        );
    }
}

/// Each case as LocalStack's AWS-validated SQS snapshots (`tests/aws/services/sqs/
/// test_sqs.snapshot.json`) recorded it: code, message and, for the two unmodeled parameter
/// errors, the coral `__type` whose name botocore reports as `QueryErrorCode`.
#[tokio::test]
async fn parameter_and_attribute_errors_match_the_recorded_aws_answers() {
    let server = MockServer::start().await;
    let std_url = create(&server, json!({"QueueName": "std"})).await;
    let fifo_url = create(
        &server,
        json!({"QueueName": "f.fifo", "Attributes": {"FifoQueue": "true"}}),
    )
    .await;
    let cases = [
        (
            "CreateQueue",
            json!({"QueueName": "x", "Attributes": {"FifoQueue": "false"}}),
            "com.amazonaws.sqs#InvalidAttributeName",
            "InvalidAttributeName",
            "Unknown Attribute FifoQueue.",
        ),
        (
            "CreateQueue",
            json!({"QueueName": "x", "Attributes": {"DeduplicationScope": "queue"}}),
            "com.amazonaws.sqs#InvalidAttributeName",
            "InvalidAttributeName",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            "CreateQueue",
            json!({"QueueName": "x", "Attributes": {"FifoThroughputLimit": "perQueue"}}),
            "com.amazonaws.sqs#InvalidAttributeName",
            "InvalidAttributeName",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
        (
            "SetQueueAttributes",
            json!({"QueueUrl": std_url, "Attributes": {"FifoQueue": "true"}}),
            "com.amazonaws.sqs#InvalidAttributeName",
            "InvalidAttributeName",
            "Unknown Attribute FifoQueue.",
        ),
        (
            "SetQueueAttributes",
            json!({"QueueUrl": fifo_url, "Attributes": {"FifoQueue": "false"}}),
            "com.amazonaws.sqs#InvalidAttributeValue",
            "InvalidAttributeValue",
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
        ),
        (
            "SendMessage",
            json!({"QueueUrl": std_url, "MessageBody": "test",
                   "MessageAttributes": {"ErrorDetails": {"StringValue": "", "DataType": "String"}}}),
            "com.amazon.coral.service#InvalidParameterValueException",
            "InvalidParameterValue",
            "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
        ),
        (
            "SendMessage",
            json!({"QueueUrl": std_url, "MessageBody": "message", "MessageGroupId": "group 123"}),
            "com.amazon.coral.service#InvalidParameterValueException",
            "InvalidParameterValue",
            "Value group 123 for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        ),
        (
            "SendMessage",
            json!({"QueueUrl": fifo_url, "MessageBody": "m", "MessageGroupId": "test",
                   "MessageDeduplicationId": ""}),
            "com.amazon.coral.service#InvalidParameterValueException",
            "InvalidParameterValue",
            "Value  for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        ),
        (
            "SendMessage",
            json!({"QueueUrl": std_url, "MessageBody": ""}),
            "com.amazon.coral.service#MissingRequiredParameterException",
            "MissingParameter",
            "The request must contain the parameter MessageBody.",
        ),
        (
            "SendMessageBatch",
            json!({"QueueUrl": fifo_url, "Entries": [
                {"Id": "a", "MessageBody": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
                {"Id": "b", "MessageBody": "m", "MessageDeduplicationId": "d2"}]}),
            "com.amazon.coral.service#InvalidParameterValueException",
            "InvalidParameterValue",
            "The request must contain the parameter MessageGroupId.",
        ),
    ];
    for (op, body, type_, query_code, message) in cases {
        let r = sqs(&server, op, body).await;
        assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(
            r.json(),
            json!({"__type": type_, "message": message}),
            "{op}"
        );
        assert_eq!(
            r.header("x-amzn-query-error"),
            Some(format!("{query_code};Sender").as_str()),
            "{op}"
        );
    }
    // The failed FIFO batch sent nothing, its valid entry included.
    let r = sqs(&server, "ReceiveMessage", json!({"QueueUrl": fifo_url})).await;
    assert_eq!(r.json().get("Messages"), None);
    // New queues take 1 MiB messages (the CreateQueue documentation of the botocore 1.44.5 model;
    // the snapshots record "Message must be shorter than 1048576 bytes").
    let r = sqs(
        &server,
        "GetQueueAttributes",
        json!({"QueueUrl": std_url, "AttributeNames": ["MaximumMessageSize"]}),
    )
    .await;
    assert_eq!(r.json()["Attributes"]["MaximumMessageSize"], "1048576");
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

#[tokio::test]
async fn fifo_takes_a_zero_delay_and_redrive_policies_read_back_with_a_numeric_count() {
    // LocalStack's AWS-validated `test_send_message_with_delay_0_works_for_fifo`; moto's
    // `test_redrive_policy_set_attributes_with_string_value` for the policy's form.
    let server = MockServer::start().await;
    let fifo = create(
        &server,
        json!({"QueueName": "z.fifo", "Attributes": {"FifoQueue": "true"}}),
    )
    .await;
    let r = sqs(
        &server,
        "SendMessage",
        json!({"QueueUrl": fifo, "MessageBody": "Hello World!", "DelaySeconds": 0,
               "MessageGroupId": "test", "MessageDeduplicationId": "d"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    create(&server, json!({"QueueName": "dead"})).await;
    let url = create(&server, json!({"QueueName": "live"})).await;
    let policy = r#"{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dead", "maxReceiveCount": "1"}"#;
    let r = sqs(
        &server,
        "SetQueueAttributes",
        json!({"QueueUrl": url, "Attributes": {"RedrivePolicy": policy}}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = sqs(
        &server,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["RedrivePolicy"]}),
    )
    .await;
    assert_eq!(
        r.json()["Attributes"]["RedrivePolicy"],
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":1}"#
    );
}

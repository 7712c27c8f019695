//! aws-sdk-sqs against `MockServer`: send, receive and delete, attributes, MD5 digests the SDK
//! can check, FIFO, typed errors through `x-amzn-query-error`, visibility on the virtual clock,
//! and a long poll woken by a send.

use aws_config::retry::RetryConfig;
use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use codemock::MockServer;
use std::time::Duration;

fn client(server: &MockServer) -> aws_sdk_sqs::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_sqs::Client::new(&conf)
}

#[tokio::test]
async fn send_receive_delete_and_attributes() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let url = sqs
        .create_queue()
        .queue_name("jobs")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    assert!(url.ends_with("/000000000000/jobs"), "{url}");
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .message_attributes(
            "n",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("42")
                .build()
                .expect("attr"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(
        sent.md5_of_message_body(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("receive");
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("hello"));
    assert_eq!(
        m.md5_of_message_attributes(),
        sent.md5_of_message_attributes()
    );
    assert_eq!(
        m.attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .map(String::as_str),
        Some("1")
    );
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().expect("handle"))
        .send()
        .await
        .expect("delete");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("attributes");
    let attrs = attrs.attributes().expect("attributes");
    assert_eq!(
        attrs
            .get(&QueueAttributeName::ApproximateNumberOfMessages)
            .map(String::as_str),
        Some("0")
    );
    assert_eq!(
        attrs.get(&QueueAttributeName::QueueArn).map(String::as_str),
        Some("arn:aws:sqs:us-east-1:000000000000:jobs")
    );
}

#[tokio::test]
async fn errors_are_typed() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let err = sqs
        .get_queue_url()
        .queue_name("missing")
        .send()
        .await
        .expect_err("no queue");
    assert!(err.into_service_error().is_queue_does_not_exist());
    sqs.create_queue()
        .queue_name("q")
        .send()
        .await
        .expect("create");
    let err = sqs
        .create_queue()
        .queue_name("q")
        .attributes(QueueAttributeName::VisibilityTimeout, "5")
        .send()
        .await
        .expect_err("different attributes");
    assert!(err.into_service_error().is_queue_name_exists());
}

#[tokio::test]
async fn visibility_timeout_runs_on_the_virtual_clock() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let url = sqs
        .create_queue()
        .queue_name("v")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    sqs.send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .expect("send");
    let first = sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(30)
        .send()
        .await
        .expect("receive");
    assert_eq!(first.messages().len(), 1);
    assert!(sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("receive")
        .messages()
        .is_empty());
    server.clock().advance(Duration::from_secs(31)).await;
    assert_eq!(
        sqs.receive_message()
            .queue_url(&url)
            .send()
            .await
            .expect("receive")
            .messages()
            .len(),
        1
    );
}

#[tokio::test]
async fn fifo_groups_and_deduplication() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let url = sqs
        .create_queue()
        .queue_name("orders.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    let a = sqs
        .send_message()
        .queue_url(&url)
        .message_body("1")
        .message_group_id("g")
        .message_deduplication_id("d1")
        .send()
        .await
        .expect("send");
    let dup = sqs
        .send_message()
        .queue_url(&url)
        .message_body("1")
        .message_group_id("g")
        .message_deduplication_id("d1")
        .send()
        .await
        .expect("dup");
    assert_eq!(a.message_id(), dup.message_id());
    sqs.send_message()
        .queue_url(&url)
        .message_body("2")
        .message_group_id("g")
        .message_deduplication_id("d2")
        .send()
        .await
        .expect("send");
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    let bodies: Vec<_> = got.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, ["1", "2"]);
}

#[tokio::test]
async fn a_long_poll_is_woken_by_a_send() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let url = sqs
        .create_queue()
        .queue_name("lp")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    let started = std::time::Instant::now();
    let (got, _) = tokio::join!(
        sqs.receive_message()
            .queue_url(&url)
            .wait_time_seconds(20)
            .send(),
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            sqs.send_message()
                .queue_url(&url)
                .message_body("wake")
                .send()
                .await
                .expect("send")
        }
    );
    let got = got.expect("receive");
    assert_eq!(got.messages()[0].body(), Some("wake"));
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn batches_visibility_changes_tags_purge_and_deletion() {
    use aws_sdk_sqs::types::{
        ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
        SendMessageBatchRequestEntry,
    };
    let server = MockServer::start().await;
    let sqs = client(&server);
    let dlq = sqs
        .create_queue()
        .queue_name("dead")
        .send()
        .await
        .expect("dlq")
        .queue_url
        .expect("url");
    let url = sqs
        .create_queue()
        .queue_name("work")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(
            QueueAttributeName::RedrivePolicy,
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"3"}"#,
        )
        .attributes(QueueAttributeName::VisibilityTimeout, "60")
        .send()
        .await
        .expect("SetQueueAttributes");
    let sources = sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .send()
        .await
        .expect("sources");
    assert_eq!(sources.queue_urls(), std::slice::from_ref(&url));

    let batch = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("a")
                .message_body("one")
                .build()
                .expect("entry"),
        )
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("b")
                .message_body("two")
                .build()
                .expect("entry"),
        )
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("a")
                .message_body("dup id")
                .build()
                .expect("entry"),
        )
        .send()
        .await;
    let err = batch.expect_err("duplicate entry ids are refused");
    assert!(
        err.into_service_error().is_batch_entry_ids_not_distinct(),
        "typed error"
    );
    let batch = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("a")
                .message_body("one")
                .build()
                .expect("entry"),
        )
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("b")
                .message_body("two")
                .build()
                .expect("entry"),
        )
        .send()
        .await
        .expect("SendMessageBatch");
    assert_eq!(batch.successful().len(), 2);

    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    assert_eq!(got.messages().len(), 2);
    let handles: Vec<String> = got
        .messages()
        .iter()
        .filter_map(|m| m.receipt_handle().map(str::to_owned))
        .collect();
    // One comes back at once, the other stays hidden for its 60 s.
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&handles[0])
        .visibility_timeout(0)
        .send()
        .await
        .expect("ChangeMessageVisibility");
    let changed = sqs
        .change_message_visibility_batch()
        .queue_url(&url)
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("x")
                .receipt_handle(&handles[1])
                .visibility_timeout(120)
                .build()
                .expect("entry"),
        )
        .send()
        .await
        .expect("ChangeMessageVisibilityBatch");
    assert_eq!(changed.successful().len(), 1);
    let again = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    assert_eq!(again.messages().len(), 1);
    let deleted = sqs
        .delete_message_batch()
        .queue_url(&url)
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("d")
                .receipt_handle(again.messages()[0].receipt_handle().expect("handle"))
                .build()
                .expect("entry"),
        )
        .send()
        .await
        .expect("DeleteMessageBatch");
    assert_eq!(deleted.successful().len(), 1);

    sqs.tag_queue()
        .queue_url(&url)
        .tags("team", "build")
        .tags("env", "test")
        .send()
        .await
        .expect("TagQueue");
    sqs.untag_queue()
        .queue_url(&url)
        .tag_keys("env")
        .send()
        .await
        .expect("UntagQueue");
    let tags = sqs
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .expect("ListQueueTags");
    assert_eq!(tags.tags().map(|t| t.len()), Some(1));
    assert_eq!(
        tags.tags().and_then(|t| t.get("team")).map(String::as_str),
        Some("build")
    );

    sqs.purge_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("PurgeQueue");
    server.clock().advance(Duration::from_secs(300)).await;
    let empty = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("receive");
    assert!(empty.messages().is_empty(), "purged");

    let listed = sqs
        .list_queues()
        .queue_name_prefix("w")
        .send()
        .await
        .expect("ListQueues");
    assert_eq!(listed.queue_urls(), std::slice::from_ref(&url));
    sqs.delete_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("DeleteQueue");
    let err = sqs
        .get_queue_url()
        .queue_name("work")
        .send()
        .await
        .expect_err("deleted");
    assert!(err.into_service_error().is_queue_does_not_exist());
}

#[tokio::test]
async fn permissions_are_statements_of_the_queue_policy() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let url = sqs
        .create_queue()
        .queue_name("shared")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    sqs.add_permission()
        .queue_url(&url)
        .label("partner-send")
        .aws_account_ids("111122223333")
        .actions("SendMessage")
        .send()
        .await
        .expect("AddPermission");
    let err = sqs
        .add_permission()
        .queue_url(&url)
        .label("partner-send")
        .aws_account_ids("111122223333")
        .actions("SendMessage")
        .send()
        .await
        .expect_err("labels are unique");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("InvalidParameterValue")
    );
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .expect("attributes");
    let policy: serde_json::Value = serde_json::from_str(
        attrs
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::Policy))
            .expect("policy"),
    )
    .expect("policy JSON");
    let statement = &policy["Statement"][0];
    assert_eq!(statement["Sid"], "partner-send");
    assert_eq!(
        statement["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(statement["Action"], "SQS:SendMessage");
    assert_eq!(
        statement["Resource"],
        "arn:aws:sqs:us-east-1:000000000000:shared"
    );

    sqs.remove_permission()
        .queue_url(&url)
        .label("partner-send")
        .send()
        .await
        .expect("RemovePermission");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("attributes");
    assert!(attrs
        .attributes()
        .is_some_and(|a| !a.contains_key(&QueueAttributeName::Policy)));
    let err = sqs
        .remove_permission()
        .queue_url(&url)
        .label("partner-send")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("InvalidParameterValue")
    );
}

#[tokio::test]
async fn a_move_task_returns_dead_letters_to_their_queue_at_its_rate() {
    let server = MockServer::start().await;
    let sqs = client(&server);
    let dlq_url = sqs
        .create_queue()
        .queue_name("orders-dlq")
        .send()
        .await
        .expect("dlq")
        .queue_url
        .expect("url");
    let dlq_arn = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";
    let url = sqs
        .create_queue()
        .queue_name("orders")
        .attributes(
            QueueAttributeName::RedrivePolicy,
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}"#),
        )
        .attributes(QueueAttributeName::VisibilityTimeout, "10")
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url");
    for n in 0..3 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("order {n}"))
            .send()
            .await
            .expect("send");
    }
    // Each message is received once and never deleted: the next receive redrives it.
    let first = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    assert_eq!(first.messages().len(), 3);
    server.clock().advance(Duration::from_secs(11)).await;
    let second = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    assert!(
        second.messages().is_empty(),
        "all three went to the dead-letter queue"
    );

    let err = sqs
        .start_message_move_task()
        .source_arn("arn:aws:sqs:us-east-1:000000000000:orders")
        .send()
        .await;
    assert!(err.is_err(), "only a dead-letter queue is a source");
    let handle = sqs
        .start_message_move_task()
        .source_arn(dlq_arn)
        .max_number_of_messages_per_second(2)
        .send()
        .await
        .expect("StartMessageMoveTask")
        .task_handle
        .expect("handle");
    server.clock().advance(Duration::from_secs(1)).await;
    let tasks = sqs
        .list_message_move_tasks()
        .source_arn(dlq_arn)
        .send()
        .await
        .expect("list");
    let task = &tasks.results()[0];
    assert_eq!(task.status(), Some("RUNNING"));
    assert_eq!(task.approximate_number_of_messages_moved(), 2);
    assert_eq!(task.approximate_number_of_messages_to_move(), Some(3));
    assert_eq!(task.task_handle(), Some(handle.as_str()));

    server.clock().advance(Duration::from_secs(1)).await;
    let tasks = sqs
        .list_message_move_tasks()
        .source_arn(dlq_arn)
        .send()
        .await
        .expect("list");
    assert_eq!(tasks.results()[0].status(), Some("COMPLETED"));
    assert_eq!(tasks.results()[0].approximate_number_of_messages_moved(), 3);
    let err = sqs
        .cancel_message_move_task()
        .task_handle(&handle)
        .send()
        .await
        .expect_err("finished");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("AWS.SimpleQueueService.UnsupportedOperation")
    );

    let back = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    let mut bodies: Vec<_> = back.messages().iter().filter_map(|m| m.body()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["order 0", "order 1", "order 2"]);
    let left = sqs
        .receive_message()
        .queue_url(&dlq_url)
        .send()
        .await
        .expect("receive");
    assert!(left.messages().is_empty());
}

//! Cross-service flows through the official SDKs: what the services do together.

use aws_config::retry::RetryConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{EventBridgeConfiguration, NotificationConfiguration};
use codemock::MockServer;
use serde_json::Value;

fn config(server: &MockServer) -> aws_config::SdkConfig {
    server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build()
}

/// A source zip uploaded to a bucket with EventBridge notifications reaches an SQS queue through a
/// rule, as AWS's "Object Created" event: the path that starts a pipeline on upload.
#[tokio::test]
async fn an_upload_reaches_a_queue_as_object_created_through_a_rule() {
    let server = MockServer::start().await;
    let conf = config(&server);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let events = aws_sdk_eventbridge::Client::new(&conf);

    let queue_url = sqs
        .create_queue()
        .queue_name("uploads")
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("url");
    let queue_arn = "arn:aws:sqs:us-east-1:000000000000:uploads";
    events
        .put_rule()
        .name("source-uploaded")
        .event_pattern(
            r#"{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["artifacts"]},"object":{"key":[{"suffix":".zip"}]}}}"#,
        )
        .send()
        .await
        .expect("PutRule");
    let put = events
        .put_targets()
        .rule("source-uploaded")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(queue_arn)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("PutTargets");
    assert_eq!(put.failed_entry_count, 0);

    s3.create_bucket()
        .bucket("artifacts")
        .send()
        .await
        .expect("CreateBucket");
    s3.put_bucket_notification_configuration()
        .bucket("artifacts")
        .notification_configuration(
            NotificationConfiguration::builder()
                .event_bridge_configuration(EventBridgeConfiguration::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("PutBucketNotificationConfiguration");
    // Not a .zip: matches no rule.
    s3.put_object()
        .bucket("artifacts")
        .key("notes.txt")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .expect("PutObject");
    s3.put_object()
        .bucket("artifacts")
        .key("app/source.zip")
        .body(ByteStream::from_static(b"PK\x03\x04 zip bytes"))
        .send()
        .await
        .expect("PutObject");

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("ReceiveMessage");
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "only the .zip matches the rule");
    let event: Value = serde_json::from_str(messages[0].body().expect("body")).expect("event JSON");
    assert_eq!(event["source"], "aws.s3");
    assert_eq!(event["detail-type"], "Object Created");
    assert_eq!(event["account"], "000000000000");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["resources"][0], "arn:aws:s3:::artifacts");
    assert_eq!(event["detail"]["bucket"]["name"], "artifacts");
    assert_eq!(event["detail"]["object"]["key"], "app/source.zip");
    assert_eq!(event["detail"]["object"]["size"], 14);
    assert_eq!(event["detail"]["reason"], "PutObject");
}

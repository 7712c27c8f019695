//! aws-sdk-cloudwatchlogs against `MockServer`: groups and streams, put, get and filter events,
//! typed errors and paginators.

use aws_config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use codemock::MockServer;

const T0: i64 = 1_704_067_200_000;

fn client(server: &MockServer) -> aws_sdk_cloudwatchlogs::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_cloudwatchlogs::Client::new(&conf)
}

#[tokio::test]
async fn put_get_and_filter_events() {
    let server = MockServer::start().await;
    let logs = client(&server);
    logs.create_log_group()
        .log_group_name("/app")
        .send()
        .await
        .expect("group");
    let err = logs
        .create_log_group()
        .log_group_name("/app")
        .send()
        .await
        .expect_err("exists");
    assert!(err
        .into_service_error()
        .is_resource_already_exists_exception());
    logs.create_log_stream()
        .log_group_name("/app")
        .log_stream_name("s")
        .send()
        .await
        .expect("stream");
    let events: Vec<_> = (0..3)
        .map(|i| {
            InputLogEvent::builder()
                .timestamp(T0 + i)
                .message(format!("line {i} ERROR"))
                .build()
                .expect("event")
        })
        .collect();
    logs.put_log_events()
        .log_group_name("/app")
        .log_stream_name("s")
        .set_log_events(Some(events))
        .send()
        .await
        .expect("put");
    let got = logs
        .get_log_events()
        .log_group_name("/app")
        .log_stream_name("s")
        .start_from_head(true)
        .send()
        .await
        .expect("get");
    let msgs: Vec<_> = got.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(msgs, ["line 0 ERROR", "line 1 ERROR", "line 2 ERROR"]);
    let filtered = logs
        .filter_log_events()
        .log_group_name("/app")
        .filter_pattern("\"line 1\"")
        .send()
        .await
        .expect("filter");
    assert_eq!(filtered.events().len(), 1);
    assert_eq!(filtered.events()[0].log_stream_name(), Some("s"));
    let err = logs
        .get_log_events()
        .log_group_name("/nope")
        .log_stream_name("s")
        .send()
        .await
        .expect_err("missing");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn describe_log_groups_paginates() {
    let server = MockServer::start().await;
    let logs = client(&server);
    for i in 0..5 {
        logs.create_log_group()
            .log_group_name(format!("g{i}"))
            .send()
            .await
            .expect("group");
    }
    let pages: Vec<_> = logs
        .describe_log_groups()
        .limit(2)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 3);
    let names: Vec<_> = pages
        .iter()
        .flat_map(|p| p.log_groups())
        .filter_map(|g| g.log_group_name())
        .collect();
    assert_eq!(names, ["g0", "g1", "g2", "g3", "g4"]);
    assert_eq!(pages[0].log_groups()[0].creation_time(), Some(T0));
}

#[tokio::test]
async fn streams_retention_tags_and_deletion() {
    use aws_sdk_cloudwatchlogs::types::OrderBy;
    let server = MockServer::start().await;
    let logs = client(&server);
    logs.create_log_group()
        .log_group_name("/svc")
        .send()
        .await
        .expect("group");
    for stream in ["b-stream", "a-stream"] {
        logs.create_log_stream()
            .log_group_name("/svc")
            .log_stream_name(stream)
            .send()
            .await
            .expect("stream");
    }
    let streams = logs
        .describe_log_streams()
        .log_group_name("/svc")
        .order_by(OrderBy::LogStreamName)
        .send()
        .await
        .expect("DescribeLogStreams");
    let names: Vec<_> = streams
        .log_streams()
        .iter()
        .filter_map(|s| s.log_stream_name())
        .collect();
    assert_eq!(names, ["a-stream", "b-stream"]);

    logs.put_retention_policy()
        .log_group_name("/svc")
        .retention_in_days(7)
        .send()
        .await
        .expect("PutRetentionPolicy");
    let group = logs
        .describe_log_groups()
        .log_group_name_prefix("/svc")
        .send()
        .await
        .expect("describe");
    assert_eq!(group.log_groups()[0].retention_in_days(), Some(7));
    let err = logs
        .put_retention_policy()
        .log_group_name("/svc")
        .retention_in_days(8)
        .send()
        .await
        .expect_err("8 days is not a retention AWS offers");
    assert!(err.into_service_error().is_invalid_parameter_exception());
    logs.delete_retention_policy()
        .log_group_name("/svc")
        .send()
        .await
        .expect("DeleteRetentionPolicy");
    let group = logs
        .describe_log_groups()
        .log_group_name_prefix("/svc")
        .send()
        .await
        .expect("describe");
    assert_eq!(group.log_groups()[0].retention_in_days(), None);

    #[allow(deprecated)] // the older tag operations still work, and tests still call them
    {
        logs.tag_log_group()
            .log_group_name("/svc")
            .tags("team", "ci")
            .send()
            .await
            .expect("TagLogGroup");
        let tags = logs
            .list_tags_log_group()
            .log_group_name("/svc")
            .send()
            .await
            .expect("ListTagsLogGroup");
        assert_eq!(
            tags.tags().and_then(|t| t.get("team")).map(String::as_str),
            Some("ci")
        );
        logs.untag_log_group()
            .log_group_name("/svc")
            .tags("team")
            .send()
            .await
            .expect("UntagLogGroup");
        let tags = logs
            .list_tags_log_group()
            .log_group_name("/svc")
            .send()
            .await
            .expect("ListTagsLogGroup");
        assert!(tags.tags().is_none_or(|t| t.is_empty()));
    }

    logs.delete_log_stream()
        .log_group_name("/svc")
        .log_stream_name("a-stream")
        .send()
        .await
        .expect("DeleteLogStream");
    let streams = logs
        .describe_log_streams()
        .log_group_name("/svc")
        .send()
        .await
        .expect("describe");
    assert_eq!(streams.log_streams().len(), 1);
    logs.delete_log_group()
        .log_group_name("/svc")
        .send()
        .await
        .expect("DeleteLogGroup");
    let err = logs
        .delete_log_group()
        .log_group_name("/svc")
        .send()
        .await
        .expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

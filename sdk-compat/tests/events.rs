//! Every EventBridge operation through the official Rust SDK (aws-sdk-eventbridge): typed outputs,
//! typed errors, paginators; events read back from SQS with aws-sdk-sqs; and a sample of the
//! pattern fixture table cross-checked through TestEventPattern.

use aws_config::retry::RetryConfig;
use aws_sdk_eventbridge as eb;
use aws_smithy_types::DateTime;
use codemock::MockServer;
use eb::error::ProvideErrorMetadata;
use eb::types::{
    ApiDestinationHttpMethod, ConnectionAuthorizationType, ConnectionState,
    CreateConnectionApiKeyAuthRequestParameters, CreateConnectionAuthRequestParameters,
    CreateConnectionBasicAuthRequestParameters, CreateConnectionOAuthClientRequestParameters,
    CreateConnectionOAuthRequestParameters, DeadLetterConfig, EndpointEventBus, EventSourceState,
    FailoverConfig, InputTransformer, Primary, PutEventsRequestEntry, PutPartnerEventsRequestEntry,
    ReplayDestination, ReplayState, RetryPolicy, RoutingConfig, RuleState, Secondary, Tag, Target,
    UpdateConnectionAuthRequestParameters, UpdateConnectionBasicAuthRequestParameters,
};
use std::time::Duration;

const ACCOUNT: &str = "000000000000";

fn config(server: &MockServer) -> aws_config::SdkConfig {
    server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build()
}

fn clients(server: &MockServer) -> (eb::Client, aws_sdk_sqs::Client) {
    let conf = config(server);
    (eb::Client::new(&conf), aws_sdk_sqs::Client::new(&conf))
}

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}")
}

fn bus_arn(name: &str) -> String {
    format!("arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{name}")
}

fn target(id: &str, arn: &str) -> Target {
    Target::builder().id(id).arn(arn).build().expect("target")
}

async fn queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url()
        .unwrap_or_default()
        .to_owned()
}

async fn drain_queue(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    loop {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("ReceiveMessage");
        if out.messages().is_empty() {
            return bodies;
        }
        for m in out.messages() {
            bodies.push(m.body().unwrap_or_default().to_owned());
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("DeleteMessage");
        }
    }
}

fn entry(source: &str, detail: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .source(source)
        .detail_type("Order Placed")
        .detail(detail)
        .build()
}

#[tokio::test]
async fn event_buses_permissions_and_tags() {
    let server = MockServer::start().await;
    let (events, _) = clients(&server);
    let created = events
        .create_event_bus()
        .name("orders")
        .description("orders bus")
        .dead_letter_config(
            DeadLetterConfig::builder()
                .arn(queue_arn("bus-dlq"))
                .build(),
        )
        .tags(Tag::builder().key("team").value("a").build().expect("tag"))
        .send()
        .await
        .expect("CreateEventBus");
    assert_eq!(created.event_bus_arn(), Some(bus_arn("orders").as_str()));
    let err = events
        .create_event_bus()
        .name("orders")
        .send()
        .await
        .expect_err("exists")
        .into_service_error();
    assert!(err.is_resource_already_exists_exception(), "{err:?}");

    let updated = events
        .update_event_bus()
        .name("orders")
        .description("renamed")
        .send()
        .await
        .expect("UpdateEventBus");
    assert_eq!(updated.description(), Some("renamed"));

    events
        .put_permission()
        .event_bus_name("orders")
        .action("events:PutEvents")
        .principal("111122223333")
        .statement_id("acct")
        .send()
        .await
        .expect("PutPermission");
    let described = events
        .describe_event_bus()
        .name("orders")
        .send()
        .await
        .expect("DescribeEventBus");
    assert_eq!(described.description(), Some("renamed"));
    assert_eq!(
        described.dead_letter_config().and_then(|d| d.arn()),
        Some(queue_arn("bus-dlq").as_str())
    );
    let policy: serde_json::Value =
        serde_json::from_str(described.policy().unwrap_or_default()).expect("policy JSON");
    assert_eq!(policy["Statement"][0]["Sid"], "acct");
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    events
        .remove_permission()
        .event_bus_name("orders")
        .statement_id("acct")
        .send()
        .await
        .expect("RemovePermission");
    let err = events
        .remove_permission()
        .event_bus_name("orders")
        .statement_id("acct")
        .send()
        .await
        .expect_err("gone")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");

    let tags = events
        .list_tags_for_resource()
        .resource_arn(bus_arn("orders"))
        .send()
        .await
        .expect("ListTagsForResource");
    assert_eq!(tags.tags().len(), 1);
    events
        .tag_resource()
        .resource_arn(bus_arn("orders"))
        .tags(
            Tag::builder()
                .key("env")
                .value("test")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("TagResource");
    events
        .untag_resource()
        .resource_arn(bus_arn("orders"))
        .tag_keys("team")
        .send()
        .await
        .expect("UntagResource");
    let tags = events
        .list_tags_for_resource()
        .resource_arn(bus_arn("orders"))
        .send()
        .await
        .expect("ListTagsForResource");
    let keys: Vec<_> = tags.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, vec!["env"]);

    let buses = events
        .list_event_buses()
        .send()
        .await
        .expect("ListEventBuses");
    let names: Vec<_> = buses
        .event_buses()
        .iter()
        .filter_map(|b| b.name())
        .collect();
    assert_eq!(names, vec!["default", "orders"]);
    events
        .delete_event_bus()
        .name("orders")
        .send()
        .await
        .expect("DeleteEventBus");
    let err = events
        .describe_event_bus()
        .name("orders")
        .send()
        .await
        .expect_err("deleted")
        .into_service_error();
    assert!(err.is_resource_not_found_exception());
    assert_eq!(err.message(), Some("Event bus orders does not exist."));
}

#[tokio::test]
async fn rules_and_targets() {
    let server = MockServer::start().await;
    let (events, _) = clients(&server);
    let err = events
        .put_rule()
        .name("bad")
        .event_pattern(r#"{"source": "not-an-array"}"#)
        .send()
        .await
        .expect_err("invalid pattern")
        .into_service_error();
    assert!(err.is_invalid_event_pattern_exception(), "{err:?}");

    for i in 0..3 {
        events
            .put_rule()
            .name(format!("rule-{i}"))
            .event_pattern(r#"{"source": ["shop"]}"#)
            .description("d")
            .send()
            .await
            .expect("PutRule");
    }
    let rule = events
        .describe_rule()
        .name("rule-0")
        .send()
        .await
        .expect("DescribeRule");
    assert_eq!(rule.state(), Some(&RuleState::Enabled));
    assert_eq!(
        rule.arn(),
        Some(format!("arn:aws:events:us-east-1:{ACCOUNT}:rule/rule-0").as_str())
    );
    events
        .disable_rule()
        .name("rule-0")
        .send()
        .await
        .expect("DisableRule");
    assert_eq!(
        events
            .describe_rule()
            .name("rule-0")
            .send()
            .await
            .expect("DescribeRule")
            .state(),
        Some(&RuleState::Disabled)
    );
    events
        .enable_rule()
        .name("rule-0")
        .send()
        .await
        .expect("EnableRule");

    // Pages of one, following NextToken (EventBridge's model declares no paginators).
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let page = events
            .list_rules()
            .limit(1)
            .set_next_token(token.take())
            .send()
            .await
            .expect("ListRules");
        pages += page.rules().len();
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);

    let transformer = InputTransformer::builder()
        .input_paths_map("id", "$.detail.id")
        .input_template(r#"{"id": <id>}"#)
        .build()
        .expect("transformer");
    let full = Target::builder()
        .id("q")
        .arn(queue_arn("q"))
        .input_transformer(transformer.clone())
        .retry_policy(
            RetryPolicy::builder()
                .maximum_retry_attempts(3)
                .maximum_event_age_in_seconds(600)
                .build(),
        )
        .dead_letter_config(DeadLetterConfig::builder().arn(queue_arn("dlq")).build())
        .build()
        .expect("target");
    let put = events
        .put_targets()
        .rule("rule-0")
        .targets(full.clone())
        .targets(target(
            "fn",
            "arn:aws:lambda:us-east-1:000000000000:function:f",
        ))
        .send()
        .await
        .expect("PutTargets");
    assert_eq!(put.failed_entry_count(), 0);
    let listed = events
        .list_targets_by_rule()
        .rule("rule-0")
        .send()
        .await
        .expect("ListTargetsByRule");
    assert_eq!(listed.targets().len(), 2);
    assert_eq!(listed.targets()[1], full);
    let names = events
        .list_rule_names_by_target()
        .target_arn(queue_arn("q"))
        .send()
        .await
        .expect("ListRuleNamesByTarget");
    assert_eq!(names.rule_names(), ["rule-0"]);

    let err = events
        .delete_rule()
        .name("rule-0")
        .send()
        .await
        .expect_err("has targets")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    let removed = events
        .remove_targets()
        .rule("rule-0")
        .ids("q")
        .ids("fn")
        .send()
        .await
        .expect("RemoveTargets");
    assert_eq!(removed.failed_entry_count(), 0);
    events
        .delete_rule()
        .name("rule-0")
        .send()
        .await
        .expect("DeleteRule");
    let err = events
        .describe_rule()
        .name("rule-0")
        .send()
        .await
        .expect_err("deleted")
        .into_service_error();
    assert!(err.is_resource_not_found_exception());
}

const EC2_EVENT: &str = r#"{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"detail":{"instance-id":"i-1234567890abcdef0","state":"terminated","count":5,"ip":"10.0.0.7","flag":null}}"#;

/// AWS enforces id, account, source, time, region and detail-type on a test event, not
/// `resources` (recorded: LocalStack's AWS-validated pattern templates carry no `resources`), and
/// refuses an event without one of them with exactly `Parameter Event is not valid.`.
#[tokio::test]
async fn test_event_pattern_accepts_an_event_without_resources() {
    let server = MockServer::start().await;
    let (events, _) = clients(&server);
    let event = r#"{"id":"1","account":"123456789012","source":"aws.ec2","time":"2022-07-13T13:48:01Z","region":"us-east-2","detail-type":"x","detail":{"state":"running"}}"#;
    let out = events
        .test_event_pattern()
        .event_pattern(r#"{"source":["aws.ec2"]}"#)
        .event(event)
        .send()
        .await
        .expect("TestEventPattern");
    assert!(out.result());
    let e = events
        .test_event_pattern()
        .event_pattern(r#"{"source":["aws.ec2"]}"#)
        .event(r#"{"testEvent":"value"}"#)
        .send()
        .await
        .expect_err("no mandatory fields")
        .into_service_error();
    assert_eq!(e.code(), Some("ValidationException"));
    assert_eq!(e.message(), Some("Parameter Event is not valid."));
}

/// A sample of the pattern fixture table (tests/data/event-patterns.json)
/// across the operators, checked through TestEventPattern: match, no match, invalid.
#[tokio::test]
async fn test_event_pattern_agrees_with_the_fixture_table() {
    let server = MockServer::start().await;
    let (events, _) = clients(&server);
    let cases: &[(&str, Option<bool>)] = &[
        (
            r#"{"source":["aws.ec2"],"detail":{"state":["terminated"]}}"#,
            Some(true),
        ),
        (r#"{"source":["aws.s3"]}"#, Some(false)),
        (r#"{"detail":{"state":[{"prefix":"term"}]}}"#, Some(true)),
        (r#"{"detail":{"state":[{"suffix":"ated"}]}}"#, Some(true)),
        (
            r#"{"detail":{"state":[{"anything-but":["terminated"]}]}}"#,
            Some(false),
        ),
        (
            r#"{"detail":{"count":[{"numeric":[">",1,"<=",5]}]}}"#,
            Some(true),
        ),
        (r#"{"detail":{"count":[{"numeric":[">",5]}]}}"#, Some(false)),
        (r#"{"detail":{"missing":[{"exists":false}]}}"#, Some(true)),
        (r#"{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}"#, Some(true)),
        (
            r#"{"detail":{"state":[{"equals-ignore-case":"TERMINATED"}]}}"#,
            Some(true),
        ),
        (
            r#"{"detail":{"state":[{"wildcard":"ter*ed"}]}}"#,
            Some(true),
        ),
        (r#"{"detail":{"flag":[null]}}"#, Some(true)),
        (
            r#"{"$or":[{"source":["x"]},{"detail":{"count":[5]}}]}"#,
            Some(true),
        ),
        (r#"{"source":"aws.ec2"}"#, None),
        (r#"{"detail":{"count":[{"numeric":[">"]}]}}"#, None),
        (r#"not json"#, None),
    ];
    for (pattern, expected) in cases {
        let result = events
            .test_event_pattern()
            .event_pattern(*pattern)
            .event(EC2_EVENT)
            .send()
            .await;
        match (expected, result) {
            (Some(want), Ok(out)) => assert_eq!(out.result(), *want, "{pattern}"),
            (None, Err(e)) => {
                let e = e.into_service_error();
                assert!(e.is_invalid_event_pattern_exception(), "{pattern}: {e:?}");
            }
            (want, got) => panic!("{pattern}: expected {want:?}, got {got:?}"),
        }
    }
}

#[tokio::test]
async fn an_event_reaches_sqs_through_an_input_transformer() {
    let server = MockServer::start().await;
    let (events, sqs) = clients(&server);
    let url = queue(&sqs, "orders").await;
    events
        .put_rule()
        .name("orders")
        .event_pattern(r#"{"source": ["shop"], "detail": {"total": [{"numeric": [">=", 100]}]}}"#)
        .send()
        .await
        .expect("PutRule");
    let transformer = InputTransformer::builder()
        .input_paths_map("id", "$.detail.id")
        .input_paths_map("total", "$.detail.total")
        .input_template(r#"{"order": <id>, "summary": "order <id> totals <total>", "source": "<aws.events.rule-name>"}"#)
        .build()
        .expect("transformer");
    events
        .put_targets()
        .rule("orders")
        .targets(
            Target::builder()
                .id("q")
                .arn(queue_arn("orders"))
                .input_transformer(transformer)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("PutTargets");
    let out = events
        .put_events()
        .entries(entry("shop", r#"{"id": "o-1", "total": 120}"#))
        .entries(entry("shop", r#"{"id": "o-2", "total": 20}"#))
        .entries(entry("shop", "not json"))
        .send()
        .await
        .expect("PutEvents");
    assert_eq!(out.failed_entry_count(), 1);
    assert_eq!(out.entries()[2].error_code(), Some("MalformedDetail"));
    let bodies = drain_queue(&sqs, &url).await;
    assert_eq!(bodies.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&bodies[0]).expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"order": "o-1", "summary": "order o-1 totals 120", "source": "orders"})
    );
    // The delivery log from the Rust API.
    assert!(server
        .events()
        .iter()
        .any(|e| e["type"] == "TargetInvoked" && e["outcome"] == "Succeeded"));
}

#[tokio::test]
async fn a_rate_rule_fires_twelve_times_an_hour() {
    let server = MockServer::start().await;
    let (events, sqs) = clients(&server);
    let url = queue(&sqs, "ticks").await;
    events
        .put_rule()
        .name("every-5")
        .schedule_expression("rate(5 minutes)")
        .send()
        .await
        .expect("PutRule");
    events
        .put_targets()
        .rule("every-5")
        .targets(target("q", &queue_arn("ticks")))
        .send()
        .await
        .expect("PutTargets");
    server.clock().advance(Duration::from_secs(3600)).await;
    let bodies = drain_queue(&sqs, &url).await;
    assert_eq!(bodies.len(), 12);
    let first: serde_json::Value = serde_json::from_str(&bodies[0]).expect("JSON");
    assert_eq!(first["detail-type"], "Scheduled Event");
    assert_eq!(first["source"], "aws.events");
}

#[tokio::test]
async fn archives_and_replays() {
    let server = MockServer::start().await;
    let (events, sqs) = clients(&server);
    let url = queue(&sqs, "replayed").await;
    let archive = events
        .create_archive()
        .archive_name("all")
        .event_source_arn(bus_arn("default"))
        .retention_days(7)
        .send()
        .await
        .expect("CreateArchive");
    let archive_arn = archive.archive_arn().unwrap_or_default().to_owned();
    events
        .update_archive()
        .archive_name("all")
        .description("everything")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .expect("UpdateArchive");
    events
        .put_events()
        .entries(entry("shop", "{}"))
        .entries(entry("other", "{}"))
        .send()
        .await
        .expect("PutEvents");
    let described = events
        .describe_archive()
        .archive_name("all")
        .send()
        .await
        .expect("DescribeArchive");
    assert_eq!(described.event_count(), 1);
    assert_eq!(described.description(), Some("everything"));
    let listed = events
        .list_archives()
        .event_source_arn(bus_arn("default"))
        .send()
        .await
        .expect("ListArchives");
    assert_eq!(listed.archives().len(), 1);

    // The rule exists only now: the archived event reaches it through the replay.
    events
        .put_rule()
        .name("late")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .expect("PutRule");
    events
        .put_targets()
        .rule("late")
        .targets(target("q", &queue_arn("replayed")))
        .send()
        .await
        .expect("PutTargets");
    let start = DateTime::from_secs(1_704_067_200 - 60);
    let end = DateTime::from_secs(1_704_067_200 + 60);
    let started = events
        .start_replay()
        .replay_name("again")
        .event_source_arn(&archive_arn)
        .event_start_time(start)
        .event_end_time(end)
        .destination(
            ReplayDestination::builder()
                .arn(bus_arn("default"))
                .build()
                .expect("destination"),
        )
        .send()
        .await
        .expect("StartReplay");
    assert_eq!(started.state(), Some(&ReplayState::Starting));
    server.clock().advance(Duration::from_secs(5)).await;
    let replay = events
        .describe_replay()
        .replay_name("again")
        .send()
        .await
        .expect("DescribeReplay");
    assert_eq!(replay.state(), Some(&ReplayState::Completed));
    let bodies = drain_queue(&sqs, &url).await;
    assert_eq!(bodies.len(), 1);
    let event: serde_json::Value = serde_json::from_str(&bodies[0]).expect("JSON");
    assert_eq!(event["replay-name"], "again");

    events
        .start_replay()
        .replay_name("cancel-me")
        .event_source_arn(&archive_arn)
        .event_start_time(start)
        .event_end_time(end)
        .destination(
            ReplayDestination::builder()
                .arn(bus_arn("default"))
                .build()
                .expect("destination"),
        )
        .send()
        .await
        .expect("StartReplay");
    let cancelled = events
        .cancel_replay()
        .replay_name("cancel-me")
        .send()
        .await
        .expect("CancelReplay");
    assert_eq!(cancelled.state(), Some(&ReplayState::Cancelling));
    server.clock().advance(Duration::from_secs(5)).await;
    let replays = events.list_replays().send().await.expect("ListReplays");
    let states: Vec<_> = replays
        .replays()
        .iter()
        .map(|r| (r.replay_name().unwrap_or_default(), r.state().cloned()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("again", Some(ReplayState::Completed)),
            ("cancel-me", Some(ReplayState::Cancelled))
        ]
    );
    let err = events
        .cancel_replay()
        .replay_name("again")
        .send()
        .await
        .expect_err("completed")
        .into_service_error();
    assert!(err.is_illegal_status_exception(), "{err:?}");
    events
        .delete_archive()
        .archive_name("all")
        .send()
        .await
        .expect("DeleteArchive");
}

#[tokio::test]
async fn connections_and_api_destinations() {
    let server = MockServer::start().await;
    let (events, sqs) = clients(&server);
    let basic = events
        .create_connection()
        .name("basic")
        .authorization_type(ConnectionAuthorizationType::Basic)
        .auth_parameters(
            CreateConnectionAuthRequestParameters::builder()
                .basic_auth_parameters(
                    CreateConnectionBasicAuthRequestParameters::builder()
                        .username("u")
                        .password("p")
                        .build()
                        .expect("basic"),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateConnection");
    assert_eq!(basic.connection_state(), Some(&ConnectionState::Authorized));
    events
        .create_connection()
        .name("key")
        .authorization_type(ConnectionAuthorizationType::ApiKey)
        .auth_parameters(
            CreateConnectionAuthRequestParameters::builder()
                .api_key_auth_parameters(
                    CreateConnectionApiKeyAuthRequestParameters::builder()
                        .api_key_name("x-api-key")
                        .api_key_value("secret")
                        .build()
                        .expect("key"),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateConnection");
    events
        .create_connection()
        .name("oauth")
        .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
        .auth_parameters(
            CreateConnectionAuthRequestParameters::builder()
                .o_auth_parameters(
                    CreateConnectionOAuthRequestParameters::builder()
                        .client_parameters(
                            CreateConnectionOAuthClientRequestParameters::builder()
                                .client_id("id")
                                .client_secret("s")
                                .build()
                                .expect("client"),
                        )
                        .authorization_endpoint("https://auth.example.com/token")
                        .http_method(eb::types::ConnectionOAuthHttpMethod::Post)
                        .build()
                        .expect("oauth"),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateConnection");
    let described = events
        .describe_connection()
        .name("basic")
        .send()
        .await
        .expect("DescribeConnection");
    assert_eq!(
        described
            .auth_parameters()
            .and_then(|a| a.basic_auth_parameters())
            .and_then(|b| b.username()),
        Some("u")
    );
    assert!(described.secret_arn().is_some());
    events
        .update_connection()
        .name("basic")
        .auth_parameters(
            UpdateConnectionAuthRequestParameters::builder()
                .basic_auth_parameters(
                    UpdateConnectionBasicAuthRequestParameters::builder()
                        .username("v")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("UpdateConnection");
    let listed = events
        .list_connections()
        .send()
        .await
        .expect("ListConnections");
    assert_eq!(listed.connections().len(), 3);

    // An API destination that refuses every call (nothing listens on port 9), retried twice
    // on the virtual clock and then dead-lettered.
    let dlq = queue(&sqs, "dlq").await;
    let dest = events
        .create_api_destination()
        .name("hook")
        .connection_arn(basic.connection_arn().unwrap_or_default())
        .invocation_endpoint("http://127.0.0.1:9/hook")
        .http_method(ApiDestinationHttpMethod::Post)
        .send()
        .await
        .expect("CreateApiDestination");
    let dest_arn = dest.api_destination_arn().unwrap_or_default().to_owned();
    events
        .update_api_destination()
        .name("hook")
        .invocation_rate_limit_per_second(10)
        .send()
        .await
        .expect("UpdateApiDestination");
    let d = events
        .describe_api_destination()
        .name("hook")
        .send()
        .await
        .expect("DescribeApiDestination");
    assert_eq!(d.invocation_rate_limit_per_second(), Some(10));
    assert_eq!(
        events
            .list_api_destinations()
            .send()
            .await
            .expect("ListApiDestinations")
            .api_destinations()
            .len(),
        1
    );
    events
        .put_rule()
        .name("to-hook")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .expect("PutRule");
    events
        .put_targets()
        .rule("to-hook")
        .targets(
            Target::builder()
                .id("hook")
                .arn(&dest_arn)
                .retry_policy(RetryPolicy::builder().maximum_retry_attempts(2).build())
                .dead_letter_config(DeadLetterConfig::builder().arn(queue_arn("dlq")).build())
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("PutTargets");
    events
        .put_events()
        .entries(entry("shop", "{}"))
        .send()
        .await
        .expect("PutEvents");
    server.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(drain_queue(&sqs, &dlq).await.len(), 1);
    let attempts = server
        .events()
        .iter()
        .filter(|e| e["type"] == "TargetInvoked" && e["targetId"] == "hook")
        .count();
    assert_eq!(attempts, 3);

    let deauthorized = events
        .deauthorize_connection()
        .name("key")
        .send()
        .await
        .expect("DeauthorizeConnection");
    assert_eq!(
        deauthorized.connection_state(),
        Some(&ConnectionState::Deauthorizing)
    );
    events
        .delete_api_destination()
        .name("hook")
        .send()
        .await
        .expect("DeleteApiDestination");
    events
        .delete_connection()
        .name("key")
        .send()
        .await
        .expect("DeleteConnection");
    let err = events
        .describe_connection()
        .name("key")
        .send()
        .await
        .expect_err("deleted")
        .into_service_error();
    assert!(err.is_resource_not_found_exception());
}

#[tokio::test]
async fn global_endpoints() {
    let server = MockServer::start().await;
    let (events, _) = clients(&server);
    events
        .create_event_bus()
        .name("primary")
        .send()
        .await
        .expect("CreateEventBus");
    let routing = RoutingConfig::builder()
        .failover_config(
            FailoverConfig::builder()
                .primary(
                    Primary::builder()
                        .health_check("arn:aws:route53:::healthcheck/abc")
                        .build()
                        .expect("primary"),
                )
                .secondary(
                    Secondary::builder()
                        .route("us-west-2")
                        .build()
                        .expect("secondary"),
                )
                .build(),
        )
        .build();
    let bus = |arn: String| {
        EndpointEventBus::builder()
            .event_bus_arn(arn)
            .build()
            .expect("bus")
    };
    let created = events
        .create_endpoint()
        .name("global")
        .routing_config(routing)
        .event_buses(bus(bus_arn("primary")))
        .event_buses(bus(
            "arn:aws:events:us-west-2:000000000000:event-bus/primary".into(),
        ))
        .send()
        .await
        .expect("CreateEndpoint");
    assert_eq!(
        created.arn(),
        Some(format!("arn:aws:events:us-east-1:{ACCOUNT}:endpoint/global").as_str())
    );
    events
        .update_endpoint()
        .name("global")
        .description("failover")
        .send()
        .await
        .expect("UpdateEndpoint");
    let d = events
        .describe_endpoint()
        .name("global")
        .send()
        .await
        .expect("DescribeEndpoint");
    assert_eq!(d.description(), Some("failover"));
    assert!(d.endpoint_url().is_some_and(|u| u.starts_with("https://")));
    assert_eq!(
        events
            .list_endpoints()
            .send()
            .await
            .expect("ListEndpoints")
            .endpoints()
            .len(),
        1
    );
    events
        .delete_endpoint()
        .name("global")
        .send()
        .await
        .expect("DeleteEndpoint");
    let err = events
        .describe_endpoint()
        .name("global")
        .send()
        .await
        .expect_err("deleted")
        .into_service_error();
    assert!(err.is_resource_not_found_exception());
}

#[tokio::test]
async fn partner_event_sources_end_to_end() {
    let server = MockServer::start().await;
    let (events, sqs) = clients(&server);
    let name = "aws.partner/example.com/123/orders";
    // The partner and the customer are the same account here.
    events
        .create_partner_event_source()
        .name(name)
        .account(ACCOUNT)
        .send()
        .await
        .expect("CreatePartnerEventSource");
    let described = events
        .describe_partner_event_source()
        .name(name)
        .send()
        .await
        .expect("DescribePartnerEventSource");
    assert_eq!(described.name(), Some(name));
    assert_eq!(
        events
            .list_partner_event_sources()
            .name_prefix("aws.partner/example.com/")
            .send()
            .await
            .expect("ListPartnerEventSources")
            .partner_event_sources()
            .len(),
        1
    );
    let source = events
        .describe_event_source()
        .name(name)
        .send()
        .await
        .expect("DescribeEventSource");
    assert_eq!(source.state(), Some(&EventSourceState::Pending));
    assert_eq!(
        events
            .list_event_sources()
            .name_prefix("aws.partner/")
            .send()
            .await
            .expect("ListEventSources")
            .event_sources()
            .len(),
        1
    );
    events
        .create_event_bus()
        .name(name)
        .event_source_name(name)
        .send()
        .await
        .expect("CreateEventBus (partner)");
    events
        .deactivate_event_source()
        .name(name)
        .send()
        .await
        .expect("DeactivateEventSource");
    events
        .activate_event_source()
        .name(name)
        .send()
        .await
        .expect("ActivateEventSource");
    let accounts = events
        .list_partner_event_source_accounts()
        .event_source_name(name)
        .send()
        .await
        .expect("ListPartnerEventSourceAccounts");
    assert_eq!(
        accounts.partner_event_source_accounts()[0].state(),
        Some(&EventSourceState::Active)
    );

    let url = queue(&sqs, "partner").await;
    events
        .put_rule()
        .name("all")
        .event_bus_name(name)
        .event_pattern(format!(r#"{{"source": ["{name}"]}}"#))
        .send()
        .await
        .expect("PutRule");
    events
        .put_targets()
        .rule("all")
        .event_bus_name(name)
        .targets(target("q", &queue_arn("partner")))
        .send()
        .await
        .expect("PutTargets");
    let out = events
        .put_partner_events()
        .entries(
            PutPartnerEventsRequestEntry::builder()
                .source(name)
                .detail_type("Order")
                .detail("{}")
                .build(),
        )
        .send()
        .await
        .expect("PutPartnerEvents");
    assert_eq!(out.failed_entry_count(), 0);
    assert_eq!(drain_queue(&sqs, &url).await.len(), 1);
    events
        .delete_partner_event_source()
        .name(name)
        .account(ACCOUNT)
        .send()
        .await
        .expect("DeletePartnerEventSource");
    let source = events
        .describe_event_source()
        .name(name)
        .send()
        .await
        .expect("DescribeEventSource");
    assert_eq!(source.state(), Some(&EventSourceState::Deleted));
}

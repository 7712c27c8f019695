//! The official Rust SDK against `MockServer`: list operations, a typed ValidationException, and
//! the honest 501 of an operation codemock does not implement yet.

use aws_config::retry::RetryConfig;
use codemock::MockServer;

fn config(server: &MockServer) -> aws_config::SdkConfig {
    server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build()
}

#[tokio::test]
async fn list_operations_answer_through_the_sdk() {
    let server = MockServer::start().await;
    let conf = config(&server);
    let pipelines = aws_sdk_codepipeline::Client::new(&conf)
        .list_pipelines()
        .send()
        .await
        .expect("ListPipelines");
    assert!(pipelines.pipelines().is_empty());
    let projects = aws_sdk_codebuild::Client::new(&conf)
        .list_projects()
        .send()
        .await
        .expect("ListProjects");
    assert!(projects.projects().is_empty());
    let apps = aws_sdk_codedeploy::Client::new(&conf)
        .list_applications()
        .send()
        .await
        .expect("ListApplications");
    assert!(apps.applications().is_empty());
    let events = aws_sdk_eventbridge::Client::new(&conf);
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
    assert!(names.contains(&"default"));
    let default = buses
        .event_buses()
        .iter()
        .find(|b| b.name() == Some("default"))
        .expect("default bus");
    assert_eq!(
        default.arn(),
        Some("arn:aws:events:us-east-1:000000000000:event-bus/default")
    );
    let rules = events.list_rules().send().await.expect("ListRules");
    assert!(rules.rules().is_empty());
}

#[tokio::test]
async fn a_bad_request_is_a_typed_validation_exception() {
    let server = MockServer::start().await;
    let client = aws_sdk_codepipeline::Client::new(&config(&server));
    let err = client
        .list_pipelines()
        .max_results(0)
        .send()
        .await
        .expect_err("maxResults 0 is invalid");
    let service_err = err.into_service_error();
    assert!(service_err.is_validation_exception(), "{service_err:?}");
    assert_eq!(
        aws_sdk_codepipeline::error::ProvideErrorMetadata::message(&service_err),
        Some("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
    );
}

#[tokio::test]
async fn an_unimplemented_operation_is_a_501_with_its_name() {
    let server = MockServer::start().await;
    // CloudWatch Logs export tasks are not built (CodeBuild has no 501 left).
    let client = aws_sdk_cloudwatchlogs::Client::new(&config(&server));
    let err = client
        .describe_export_tasks()
        .send()
        .await
        .expect_err("not implemented yet");
    let meta = aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata::meta(&err);
    assert_eq!(meta.code(), Some("NotImplementedException"));
    assert!(meta.message().unwrap_or("").contains("DescribeExportTasks"));
    let raw = err.raw_response().expect("raw response");
    assert_eq!(raw.status().as_u16(), 501);
}

#[tokio::test]
async fn requests_land_in_the_account_and_region_the_sdk_names() {
    let server = MockServer::start().await;
    let conf = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.uri())
        .region(aws_config::Region::new("eu-central-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    "123456789012",
                    "secret",
                    None,
                    None,
                    "test",
                ),
            ),
        )
        .build();
    let buses = aws_sdk_eventbridge::Client::new(&conf)
        .list_event_buses()
        .send()
        .await
        .expect("ok");
    assert_eq!(
        buses.event_buses()[0].arn(),
        Some("arn:aws:events:eu-central-1:123456789012:event-bus/default")
    );
}

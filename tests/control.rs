//! The control API: health, reset, clock, request log, and the compatibility paths.

use crate::support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn health_names_version_services_and_clock_mode() {
    let server = MockServer::start().await;
    let r = get(&server, "/_codemock/health").await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["clock"]["mode"], "manual");
    let services = v["services"].as_array().expect("list");
    for s in [
        "codepipeline",
        "codebuild",
        "codedeploy",
        "events",
        "s3",
        "sqs",
        "logs",
    ] {
        assert!(services.contains(&json!(s)), "{s}");
    }
    let r = get(&server, "/_localstack/health").await;
    assert_eq!(r.json()["services"]["codepipeline"], "running");
}

#[tokio::test]
async fn the_clock_advances_only_when_told() {
    let server = MockServer::start().await;
    let before = get(&server, "/_codemock/clock").await.json();
    assert_eq!(before["mode"], "manual");
    assert_eq!(before["now"], 1_704_067_200.0);
    let r = post(&server, "/_codemock/clock/advance", r#"{"seconds": 90}"#).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["now"], 1_704_067_290.0);
    let r = post(&server, "/_codemock/clock/advance", r#"{"seconds": -1}"#).await;
    assert_eq!(r.status, 400);
    server
        .clock()
        .advance(std::time::Duration::from_secs(10))
        .await;
    assert_eq!(
        get(&server, "/_codemock/clock").await.json()["now"],
        1_704_067_300.0
    );
}

#[tokio::test]
async fn the_request_log_lists_service_operation_status_account_region() {
    let server = MockServer::start().await;
    call(&server, "CodeBuild_20161006.ListProjects", "{}").await;
    call(&server, "CodeBuild_20161006.BatchGetBuilds", "{}").await;
    let log = get(&server, "/_codemock/requests").await.json();
    let requests = log["requests"].as_array().expect("list").clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["service"], "CodeBuild");
    assert_eq!(requests[0]["operation"], "ListProjects");
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[0]["account"], "000000000000");
    assert_eq!(requests[0]["region"], "us-east-1");
    // `ids` is required: the validator's 400.
    assert_eq!(requests[1]["status"], 400);
    assert_eq!(requests[1]["errorCode"], "ValidationException");
}

#[tokio::test]
async fn reset_and_moto_reset_clear_everything() {
    let server = MockServer::start().await;
    call(&server, "CodeBuild_20161006.ListProjects", "{}").await;
    for path in ["/_codemock/reset", "/moto-api/reset"] {
        let r = post(&server, path, "").await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            get(&server, "/_codemock/requests").await.json()["requests"],
            json!([])
        );
        assert!(server.core().store.keys().is_empty());
        call(&server, "CodeBuild_20161006.ListProjects", "{}").await;
    }
}

#[tokio::test]
async fn unknown_control_paths_are_404() {
    let server = MockServer::start().await;
    assert_eq!(get(&server, "/_codemock/nope").await.status, 404);
}

/// Resource ids come from one seeded sequence and request ids from another, so requests that
/// create nothing (a health check, the request log, a failed call) never shift the ids after them.
#[tokio::test]
async fn requests_that_create_nothing_do_not_shift_resource_ids() {
    async fn two_event_ids(server: &MockServer, extra: bool) -> Vec<Value> {
        let put = r#"{"Entries": [{"Source": "app", "DetailType": "t", "Detail": "{}"}]}"#;
        let mut ids = Vec::new();
        for i in 0..2 {
            let r = call(server, "AWSEvents.PutEvents", put).await;
            ids.push(r.json()["Entries"][0]["EventId"].clone());
            if extra && i == 0 {
                get(server, "/_codemock/health").await;
                get(server, "/_codemock/requests").await;
                call(server, "CodeBuild_20161006.BatchGetBuilds", "{}").await;
                call(server, "AWSEvents.DescribeRule", r#"{"Name": "none"}"#).await;
            }
        }
        ids
    }
    let plain = two_event_ids(&MockServer::start().await, false).await;
    let busy = two_event_ids(&MockServer::start().await, true).await;
    assert!(plain[0].is_string() && plain[0] != plain[1]);
    assert_eq!(plain, busy);
}

//! The read-only list operations prove the stack end to end: empty results, and the `default`
//! event bus every account and region has.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn list_pipelines_is_empty_on_a_new_server() {
    let server = MockServer::start().await;
    let r = call(&server, "CodePipeline_20150709.ListPipelines", "{}").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(r.header("x-amzn-requestid").map(str::len), Some(36));
    assert_eq!(r.json(), json!({"pipelines": []}));
}

#[tokio::test]
async fn list_projects_and_applications_are_empty() {
    let server = MockServer::start().await;
    let r = call(&server, "CodeBuild_20161006.ListProjects", "{}").await;
    assert_eq!((r.status, r.json()), (200, json!({"projects": []})));
    let r = call(&server, "CodeDeploy_20141006.ListApplications", "").await;
    assert_eq!((r.status, r.json()), (200, json!({"applications": []})));
}

#[tokio::test]
async fn every_account_and_region_has_a_default_event_bus() {
    let server = MockServer::start().await;
    let r = call(&server, "AWSEvents.ListEventBuses", "{}").await;
    assert_eq!(r.status, 200);
    let buses = r.json()["EventBuses"].clone();
    assert_eq!(buses.as_array().map(Vec::len), Some(1));
    assert_eq!(buses[0]["Name"], "default");
    assert_eq!(
        buses[0]["Arn"],
        "arn:aws:events:us-east-1:000000000000:event-bus/default"
    );

    // Another account (a 12-digit access key) in another region (the SigV4 scope).
    let req = http::Request::post("/")
        .header("x-amz-target", "AWSEvents.ListEventBuses")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            authorization("123456789012", "eu-west-1", "events"),
        )
        .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(
        r.json()["EventBuses"][0]["Arn"],
        "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    );
    let log = server.requests();
    let last = log.last().expect("logged");
    assert_eq!(
        (last.account.as_str(), last.region.as_str()),
        ("123456789012", "eu-west-1")
    );
}

#[tokio::test]
async fn list_rules_is_empty_on_the_default_bus_and_unknown_buses_are_not_found() {
    let server = MockServer::start().await;
    let r = call(&server, "AWSEvents.ListRules", "{}").await;
    assert_eq!((r.status, r.json()), (200, json!({"Rules": []})));
    let r = call(&server, "AWSEvents.ListRules", r#"{"EventBusName":"nope"}"#).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    assert_eq!(r.json()["message"], "Event bus nope does not exist.");
}

#[tokio::test]
async fn a_foreign_next_token_is_refused() {
    let server = MockServer::start().await;
    let r = call(
        &server,
        "CodePipeline_20150709.ListPipelines",
        r#"{"nextToken":"bogus"}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "InvalidNextTokenException");
}

//! The S3 deploy action over the wire: a pipeline's source artifact lands in a website bucket,
//! extracted file by file or as one object, and a missing bucket fails the action.

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

async fn s3(s: &MockServer, method: &str, path: &str, body: Vec<u8>) -> Reply {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    send(s, req).await
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, content) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            std::io::Write::write_all(&mut w, content.as_bytes()).expect("write");
        }
        w.finish().expect("zip");
    }
    buf.into_inner()
}

async fn cp(s: &MockServer, op: &str, body: Value) -> Value {
    let r = call(s, &format!("CodePipeline_20150709.{op}"), &body.to_string()).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn run(s: &MockServer, deploy: Value) -> Value {
    for b in ["/src", "/artifacts"] {
        assert_eq!(s3(s, "PUT", b, Vec::new()).await.status, 200);
    }
    s3(
        s,
        "PUT",
        "/src?versioning",
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".to_vec(),
    )
    .await;
    let site = zip_of(&[("index.html", "<h1>home</h1>"), ("css/site.css", "h1{}")]);
    assert_eq!(s3(s, "PUT", "/src/site.zip", site).await.status, 200);
    cp(
        s,
        "CreatePipeline",
        json!({"pipeline": {
            "name": "web",
            "roleArn": "arn:aws:iam::000000000000:role/pipeline",
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Src",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": "src", "S3ObjectKey": "site.zip", "PollForSourceChanges": "false"},
                    "outputArtifacts": [{"name": "Site"}]
                }]},
                {"name": "Deploy", "actions": [{
                    "name": "Publish",
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": deploy,
                    "inputArtifacts": [{"name": "Site"}]
                }]}
            ]
        }}),
    )
    .await;
    s.clock().advance(Duration::from_secs(60)).await;
    cp(s, "ListActionExecutions", json!({"pipelineName": "web"})).await["actionExecutionDetails"][0]
        .clone()
}

#[tokio::test]
async fn an_extracting_s3_deploy_writes_each_file_of_the_artifact() {
    let s = MockServer::start().await;
    assert_eq!(s3(&s, "PUT", "/www", Vec::new()).await.status, 200);
    let publish = run(
        &s,
        json!({"BucketName": "www", "Extract": "true", "ObjectKey": "v1"}),
    )
    .await;
    assert_eq!(publish["actionName"], "Publish");
    assert_eq!(publish["status"], "Succeeded", "{publish:#}");
    let page = s3(&s, "GET", "/www/v1/index.html", Vec::new()).await;
    assert_eq!(page.status, 200);
    assert_eq!(&page.body[..], b"<h1>home</h1>");
    assert_eq!(
        s3(&s, "GET", "/www/v1/css/site.css", Vec::new())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_non_extracting_s3_deploy_writes_the_artifact_as_one_object() {
    let s = MockServer::start().await;
    assert_eq!(s3(&s, "PUT", "/archive", Vec::new()).await.status, 200);
    let publish = run(
        &s,
        json!({"BucketName": "archive", "Extract": "false", "ObjectKey": "releases/site.zip"}),
    )
    .await;
    assert_eq!(publish["status"], "Succeeded", "{publish:#}");
    let object = s3(&s, "GET", "/archive/releases/site.zip", Vec::new()).await;
    assert_eq!(object.status, 200);
    let zip = zip::ZipArchive::new(std::io::Cursor::new(object.body.to_vec())).expect("zip");
    assert_eq!(zip.len(), 2);
}

#[tokio::test]
async fn an_s3_deploy_to_a_missing_bucket_fails_the_action() {
    let s = MockServer::start().await;
    let publish = run(&s, json!({"BucketName": "nowhere", "Extract": "true"})).await;
    assert_eq!(publish["status"], "Failed", "{publish:#}");
    let error = &publish["output"]["executionResult"]["errorDetails"];
    assert_eq!(error["code"], "JobFailed", "{publish:#}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("bucket does not exist"),
        "{error}"
    );
    let execs = cp(&s, "ListPipelineExecutions", json!({"pipelineName": "web"})).await;
    assert_eq!(execs["pipelineExecutionSummaries"][0]["status"], "Failed");
}

//! The Code services as one system, over the wire: an upload to a source bucket, through S3's
//! EventBridge notification and a rule, starts a pipeline execution whose build action runs a
//! real (simulated) CodeBuild build; the pipeline's and the build's events reach one queue.

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

async fn json11(server: &MockServer, target: &str, body: Value) -> Value {
    json_call(server, "application/x-amz-json-1.1", target, body).await
}

async fn s3(server: &MockServer, method: &str, path: &str, body: &'static [u8]) -> Reply {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from_static(body)))
        .expect("request");
    let r = send(server, req).await;
    assert!(
        r.status < 300,
        "{method} {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r
}

#[tokio::test]
async fn an_upload_starts_the_pipeline_whose_build_runs_in_codebuild() {
    let s = MockServer::start().await;
    s3(&s, "PUT", "/src", b"").await;
    s3(
        &s,
        "PUT",
        "/src?versioning",
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    )
    .await;
    s3(
        &s,
        "PUT",
        "/src?notification",
        b"<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>",
    )
    .await;
    s3(&s, "PUT", "/artifacts", b"").await;
    s3(&s, "PUT", "/src/app.zip", b"PK-first").await;
    json11(
        &s,
        "CodeBuild_20161006.CreateProject",
        json!({
            "name": "builder",
            "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            "serviceRole": "arn:aws:iam::000000000000:role/cb",
        }),
    )
    .await;
    let queue = json_call(
        &s,
        "application/x-amz-json-1.0",
        "AmazonSQS.CreateQueue",
        json!({"QueueName": "ci"}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rule = |name: &str, pattern: Value, target: Value| {
        let s = &s;
        let name = name.to_owned();
        async move {
            json11(
                s,
                "AWSEvents.PutRule",
                json!({"Name": name, "EventPattern": pattern.to_string()}),
            )
            .await;
            json11(
                s,
                "AWSEvents.PutTargets",
                json!({"Rule": name, "Targets": [target]}),
            )
            .await;
        }
    };
    rule(
        "on-upload",
        json!({"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["src"]}, "object": {"key": ["app.zip"]}}}),
        json!({"Id": "p", "Arn": "arn:aws:codepipeline:us-east-1:000000000000:app", "RoleArn": "arn:aws:iam::000000000000:role/events"}),
    )
    .await;
    rule(
        "ci-events",
        json!({"source": ["aws.codepipeline", "aws.codebuild"], "detail-type": ["CodePipeline Pipeline Execution State Change", "CodeBuild Build State Change"]}),
        json!({"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:ci"}),
    )
    .await;
    json11(
        &s,
        "CodePipeline_20150709.CreatePipeline",
        json!({"pipeline": {
            "name": "app",
            "roleArn": "arn:aws:iam::000000000000:role/pipeline",
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Src",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
                    "outputArtifacts": [{"name": "SourceArtifact"}]
                }]},
                {"name": "Build", "actions": [{
                    "name": "Compile",
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": "builder"},
                    "inputArtifacts": [{"name": "SourceArtifact"}],
                    "outputArtifacts": [{"name": "BuildArtifact"}]
                }]}
            ]
        }}),
    )
    .await;
    // The execution CreatePipeline starts, then one the upload starts.
    s.clock().advance(Duration::from_secs(120)).await;
    let second = s3(&s, "PUT", "/src/app.zip", b"PK-second").await;
    let version = second
        .header("x-amz-version-id")
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(120)).await;
    let execs = json11(
        &s,
        "CodePipeline_20150709.ListPipelineExecutions",
        json!({"pipelineName": "app"}),
    )
    .await["pipelineExecutionSummaries"]
        .clone();
    let execs = execs.as_array().cloned().unwrap_or_default();
    assert_eq!(execs.len(), 2, "{execs:#?}");
    let latest = &execs[0];
    assert_eq!(latest["status"], "Succeeded", "{latest:#}");
    assert_eq!(latest["trigger"]["triggerType"], "CloudWatchEvent");
    assert_eq!(
        latest["trigger"]["triggerDetail"],
        "arn:aws:events:us-east-1:000000000000:rule/on-upload"
    );
    assert_eq!(latest["sourceRevisions"][0]["revisionId"], version);
    assert_eq!(execs[1]["trigger"]["triggerType"], "CreatePipeline");
    let builds = json11(
        &s,
        "CodeBuild_20161006.ListBuildsForProject",
        json!({"projectName": "builder"}),
    )
    .await["ids"]
        .clone();
    assert_eq!(builds.as_array().map(Vec::len), Some(2));
    let build = json11(
        &s,
        "CodeBuild_20161006.BatchGetBuilds",
        json!({"ids": [builds[0]]}),
    )
    .await["builds"][0]
        .clone();
    assert_eq!(build["buildStatus"], "SUCCEEDED");
    assert_eq!(build["initiator"], "codepipeline/app");
    let mut states = Vec::new();
    loop {
        let r = json_call(
            &s,
            "application/x-amz-json-1.0",
            "AmazonSQS.ReceiveMessage",
            json!({"QueueUrl": queue, "MaxNumberOfMessages": 10}),
        )
        .await;
        let msgs = r["Messages"].as_array().cloned().unwrap_or_default();
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            let e: Value =
                serde_json::from_str(m["Body"].as_str().unwrap_or_default()).unwrap_or_default();
            let d = &e["detail"];
            states.push(match e["source"].as_str() {
                Some("aws.codebuild") => {
                    format!("build {}", d["build-status"].as_str().unwrap_or_default())
                }
                _ => format!("pipeline {}", d["state"].as_str().unwrap_or_default()),
            });
            json_call(
                &s,
                "application/x-amz-json-1.0",
                "AmazonSQS.DeleteMessage",
                json!({"QueueUrl": queue, "ReceiptHandle": m["ReceiptHandle"]}),
            )
            .await;
        }
    }
    let run = [
        "pipeline STARTED",
        "build IN_PROGRESS",
        "build SUCCEEDED",
        "pipeline SUCCEEDED",
    ];
    assert_eq!(states, [run, run].concat(), "{states:#?}");
}

fn zip_with_appspec() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("appspec.yml", opts).expect("entry");
        std::io::Write::write_all(
            &mut w,
            b"version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n",
        )
        .expect("write");
        w.start_file("scripts/check.sh", opts).expect("entry");
        std::io::Write::write_all(&mut w, b"#!/bin/sh\nexit 0\n").expect("write");
        w.finish().expect("zip");
    }
    buf.into_inner()
}

#[tokio::test]
async fn a_pipeline_deploys_its_source_bundle_with_codedeploy_to_on_premises_instances() {
    let s = MockServer::start().await;
    s3(&s, "PUT", "/src", b"").await;
    s3(
        &s,
        "PUT",
        "/src?versioning",
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    )
    .await;
    s3(&s, "PUT", "/artifacts", b"").await;
    let req = http::Request::put("/src/app.zip")
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(zip_with_appspec())))
        .expect("request");
    assert_eq!(send(&s, req).await.status, 200);
    let cd = |op: &str| format!("CodeDeploy_20141006.{op}");
    json11(
        &s,
        &cd("CreateApplication"),
        json!({"applicationName": "web"}),
    )
    .await;
    json11(
        &s,
        &cd("CreateDeploymentGroup"),
        json!({
            "applicationName": "web",
            "deploymentGroupName": "prod",
            "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
            "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
            "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]
        }),
    )
    .await;
    for name in ["box-1", "box-2"] {
        json11(
            &s,
            &cd("RegisterOnPremisesInstance"),
            json!({"instanceName": name, "iamUserArn": format!("arn:aws:iam::000000000000:user/{name}")}),
        )
        .await;
        json11(
            &s,
            &cd("AddTagsToOnPremisesInstances"),
            json!({"instanceNames": [name], "tags": [{"Key": "env", "Value": "prod"}]}),
        )
        .await;
    }
    json11(
        &s,
        "CodePipeline_20150709.CreatePipeline",
        json!({"pipeline": {
            "name": "ship",
            "roleArn": "arn:aws:iam::000000000000:role/pipeline",
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Src",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
                    "outputArtifacts": [{"name": "SourceArtifact"}]
                }]},
                {"name": "Deploy", "actions": [{
                    "name": "Fleet",
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeploy", "version": "1"},
                    "configuration": {"ApplicationName": "web", "DeploymentGroupName": "prod"},
                    "inputArtifacts": [{"name": "SourceArtifact"}]
                }]}
            ]
        }}),
    )
    .await;
    s.clock().advance(Duration::from_secs(600)).await;
    let exec = json11(
        &s,
        "CodePipeline_20150709.ListPipelineExecutions",
        json!({"pipelineName": "ship"}),
    )
    .await["pipelineExecutionSummaries"][0]
        .clone();
    assert_eq!(exec["status"], "Succeeded", "{exec:#}");
    let deployments = json11(
        &s,
        &cd("ListDeployments"),
        json!({"applicationName": "web", "deploymentGroupName": "prod"}),
    )
    .await["deployments"]
        .clone();
    assert_eq!(deployments.as_array().map(Vec::len), Some(1));
    let d = json11(
        &s,
        &cd("GetDeployment"),
        json!({"deploymentId": deployments[0]}),
    )
    .await["deploymentInfo"]
        .clone();
    assert_eq!(d["status"], "Succeeded", "{d:#}");
    assert_eq!(d["deploymentOverview"]["Succeeded"], 2);
    assert_eq!(d["revision"]["revisionType"], "S3");
    assert_eq!(d["revision"]["s3Location"]["bucket"], "artifacts");
}

//! The Code services as one system, over the wire: an upload to a source bucket, through S3's
//! EventBridge notification and a rule, starts a pipeline execution whose build action runs a
//! real (simulated) CodeBuild build; the pipeline's and the build's events reach one queue. A
//! four-stage V2 pipeline runs S3, a local CodeBuild build, an approval and CodeDeploy together.

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
    on_premises_fleet(&s, "prod", "CodeDeployDefault.AllAtOnce").await;
    let cd = |op: &str| format!("CodeDeploy_20141006.{op}");
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

/// A zip of `entries` (name, content).
fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, content) in entries {
            w.start_file(*name, opts).expect("entry");
            std::io::Write::write_all(&mut w, content.as_bytes()).expect("write");
        }
        w.finish().expect("zip");
    }
    buf.into_inner()
}

/// Every message in `queue`, oldest first, as (source, detail-type, detail), deleting each.
async fn drain_events(s: &MockServer, queue: &str) -> Vec<(String, String, Value)> {
    let mut events = Vec::new();
    loop {
        let r = json_call(
            s,
            "application/x-amz-json-1.0",
            "AmazonSQS.ReceiveMessage",
            json!({"QueueUrl": queue, "MaxNumberOfMessages": 10}),
        )
        .await;
        let msgs = r["Messages"].as_array().cloned().unwrap_or_default();
        if msgs.is_empty() {
            return events;
        }
        for m in msgs {
            let e: Value =
                serde_json::from_str(m["Body"].as_str().unwrap_or_default()).unwrap_or_default();
            events.push((
                e["source"].as_str().unwrap_or_default().to_owned(),
                e["detail-type"].as_str().unwrap_or_default().to_owned(),
                e["detail"].clone(),
            ));
            json_call(
                s,
                "application/x-amz-json-1.0",
                "AmazonSQS.DeleteMessage",
                json!({"QueueUrl": queue, "ReceiptHandle": m["ReceiptHandle"]}),
            )
            .await;
        }
    }
}

/// One line per event, short enough to compare in order: what changed and to which state.
fn summarize(source: &str, detail_type: &str, d: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match detail_type {
        "CodePipeline Pipeline Execution State Change" => format!("pipeline {}", s(&d["state"])),
        "CodePipeline Stage Execution State Change" => {
            format!("stage {} {}", s(&d["stage"]), s(&d["state"]))
        }
        "CodePipeline Action Execution State Change" => {
            format!("action {} {}", s(&d["action"]), s(&d["state"]))
        }
        "CodeBuild Build State Change" => format!("build {}", s(&d["build-status"])),
        "CodeBuild Build Phase Change" => format!(
            "build phase {} {}",
            s(&d["completed-phase"]),
            s(&d["completed-phase-status"])
        ),
        "CodeDeploy Deployment State-change Notification" => {
            format!("deployment {}", s(&d["state"]))
        }
        "CodeDeploy Instance State-change Notification" => {
            format!("instance {} {}", s(&d["instanceId"]), s(&d["state"]))
        }
        other => format!("{source} {other}"),
    }
}

/// The whole chain the CodePipeline issue names: a V2 pipeline whose S3 source is a zip, whose
/// build is a real (local) CodeBuild build that exports a variable and packs the bundle, whose
/// manual approval the test gives, and whose CodeDeploy action deploys the build's artifact to
/// on-premises instances in the deployment group the build's variable names. Every pipeline,
/// stage, action, build and deployment event arrives through one rule in one queue, in order.
#[tokio::test]
async fn source_build_approval_and_deploy_run_as_one_system_with_events_in_order() {
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
    let bundle = zip_of(&[
        (
            "appspec.yml",
            "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n",
        ),
        ("scripts/check.sh", "#!/bin/sh\nexit 0\n"),
        ("app.txt", "release one"),
    ]);
    let req = http::Request::put("/src/app.zip")
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(bundle)))
        .expect("request");
    assert_eq!(send(&s, req).await.status, 200);

    let queue = json_call(
        &s,
        "application/x-amz-json-1.0",
        "AmazonSQS.CreateQueue",
        json!({"QueueName": "all-events"}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    json11(
        &s,
        "AWSEvents.PutRule",
        json!({"Name": "everything", "EventPattern": json!({"source": ["aws.codepipeline", "aws.codebuild", "aws.codedeploy"]}).to_string()}),
    )
    .await;
    json11(
        &s,
        "AWSEvents.PutTargets",
        json!({"Rule": "everything", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:all-events"}]}),
    )
    .await;

    // The build writes the release name into the bundle and exports the group to deploy to.
    let buildspec = "version: 0.2\nenv:\n  exported-variables:\n    - TARGET_GROUP\nphases:\n  build:\n    commands:\n      - export TARGET_GROUP=prod-$(cut -d' ' -f2 app.txt)\n      - echo built >> app.txt\nartifacts:\n  files:\n    - '**/*'\n";
    json11(
        &s,
        "CodeBuild_20161006.CreateProject",
        json!({
            "name": "builder",
            "source": {"type": "CODEPIPELINE", "buildspec": buildspec},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            "serviceRole": "arn:aws:iam::000000000000:role/cb",
            "tags": [{"key": "codemock:executor", "value": "local"}],
        }),
    )
    .await;
    // Only the group the build names has instances: deploying to the unresolved name would fail.
    on_premises_fleet(&s, "prod-one", "CodeDeployDefault.OneAtATime").await;
    let cd = |op: &str| format!("CodeDeploy_20141006.{op}");

    json11(
        &s,
        "CodePipeline_20150709.CreatePipeline",
        json!({"pipeline": {
            "name": "release",
            "pipelineType": "V2",
            "executionMode": "QUEUED",
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
                    "outputArtifacts": [{"name": "BuildArtifact"}],
                    "namespace": "BuildVariables"
                }]},
                {"name": "Approve", "actions": [{
                    "name": "Gate",
                    "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}
                }]},
                {"name": "Deploy", "actions": [{
                    "name": "Fleet",
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeploy", "version": "1"},
                    "configuration": {"ApplicationName": "web", "DeploymentGroupName": "#{BuildVariables.TARGET_GROUP}"},
                    "inputArtifacts": [{"name": "BuildArtifact"}]
                }]}
            ]
        }}),
    )
    .await;
    let cp = |op: &str| format!("CodePipeline_20150709.{op}");
    // Run until the execution waits at the approval.
    let mut token = String::new();
    for _ in 0..30 {
        s.settle().await;
        s.clock().advance(Duration::from_secs(30)).await;
        let state = json11(&s, &cp("GetPipelineState"), json!({"name": "release"})).await;
        let gate = state["stageStates"]
            .as_array()
            .and_then(|st| st.iter().find(|x| x["stageName"] == "Approve"))
            .map(|st| st["actionStates"][0]["latestExecution"].clone())
            .unwrap_or_default();
        if gate["status"] == "InProgress" {
            token = gate["token"].as_str().unwrap_or_default().to_owned();
            break;
        }
    }
    assert!(!token.is_empty(), "the execution reached the approval");
    json11(
        &s,
        &cp("PutApprovalResult"),
        json!({"pipelineName": "release", "stageName": "Approve", "actionName": "Gate",
               "result": {"summary": "ship it", "status": "Approved"}, "token": token}),
    )
    .await;
    for _ in 0..30 {
        s.settle().await;
        s.clock().advance(Duration::from_secs(60)).await;
    }

    let exec = json11(
        &s,
        &cp("ListPipelineExecutions"),
        json!({"pipelineName": "release"}),
    )
    .await["pipelineExecutionSummaries"][0]
        .clone();
    assert_eq!(exec["status"], "Succeeded", "{exec:#}");
    let actions = json11(
        &s,
        &cp("ListActionExecutions"),
        json!({"pipelineName": "release"}),
    )
    .await["actionExecutionDetails"]
        .clone();
    let action = |name: &str| {
        actions
            .as_array()
            .and_then(|a| a.iter().find(|x| x["actionName"] == name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        action("Compile")["output"]["outputVariables"]["TARGET_GROUP"],
        "prod-one"
    );
    assert_eq!(
        action("Fleet")["input"]["resolvedConfiguration"]["DeploymentGroupName"],
        "prod-one"
    );
    assert_eq!(
        action("Gate")["output"]["executionResult"]["externalExecutionSummary"],
        "ship it"
    );

    // The deployment ran the build's artifact (the bundle the build changed) on both boxes.
    let ids = json11(
        &s,
        &cd("ListDeployments"),
        json!({"applicationName": "web", "deploymentGroupName": "prod-one"}),
    )
    .await["deployments"]
        .clone();
    assert_eq!(ids.as_array().map(Vec::len), Some(1), "{ids}");
    let d = json11(&s, &cd("GetDeployment"), json!({"deploymentId": ids[0]})).await
        ["deploymentInfo"]
        .clone();
    assert_eq!(d["status"], "Succeeded", "{d:#}");
    assert_eq!(d["deploymentOverview"]["Succeeded"], 2);
    let key = d["revision"]["s3Location"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(key.starts_with("release/BuildArtif/"), "{key}");
    let artifact = s3(&s, "GET", &format!("/artifacts/{key}"), b"").await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(artifact.body.to_vec())).expect("zip");
    let mut app = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("app.txt").expect("app.txt"), &mut app)
        .expect("read");
    assert_eq!(app, "release onebuilt\n");

    let events = drain_events(&s, &queue).await;
    let lines: Vec<String> = events
        .iter()
        .map(|(src, dt, d)| summarize(src, dt, d))
        .collect();
    // Causal order across the three services, each service's own events in its order: the
    // build runs inside the Compile action, the deployment inside the Fleet action.
    let mut expected = vec![
        "pipeline STARTED",
        "stage Source STARTED",
        "action Src STARTED",
        "action Src SUCCEEDED",
        "stage Source SUCCEEDED",
        "stage Build STARTED",
        "action Compile STARTED",
        "build IN_PROGRESS",
    ];
    let phases = [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "BUILD",
        "POST_BUILD",
        "UPLOAD_ARTIFACTS",
        "FINALIZING",
    ];
    let phase_lines: Vec<String> = phases
        .iter()
        .map(|p| format!("build phase {p} SUCCEEDED"))
        .collect();
    expected.extend(phase_lines.iter().map(String::as_str));
    expected.extend([
        "build SUCCEEDED",
        "action Compile SUCCEEDED",
        "stage Build SUCCEEDED",
        "stage Approve STARTED",
        "action Gate STARTED",
        "action Gate SUCCEEDED",
        "stage Approve SUCCEEDED",
        "stage Deploy STARTED",
        "action Fleet STARTED",
        "deployment START",
        "instance box-1 START",
        "instance box-1 SUCCESS",
        "instance box-2 START",
        "instance box-2 SUCCESS",
        "deployment SUCCESS",
        "action Fleet SUCCEEDED",
        "stage Deploy SUCCEEDED",
        "pipeline SUCCEEDED",
    ]);
    assert_eq!(lines, expected);
    // Every event names its own execution, build or deployment.
    for (src, _, d) in &events {
        match src.as_str() {
            "aws.codepipeline" => assert_eq!(d["execution-id"], exec["pipelineExecutionId"]),
            "aws.codedeploy" => assert_eq!(d["deploymentId"], ids[0]),
            _ => assert_eq!(d["project-name"], "builder"),
        }
    }
}

//! CodeBuild over the wire: projects with AWS's defaults and errors, a simulated build walking
//! every phase on the manual clock, failures and what still runs after them, stops, timeouts,
//! the concurrent build limit, the build log, and the state and phase events on the default bus.

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

async fn cb(server: &MockServer, op: &str, body: Value) -> Reply {
    call(
        server,
        &format!("CodeBuild_20161006.{op}"),
        &body.to_string(),
    )
    .await
}

async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = cb(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn err(server: &MockServer, op: &str, body: Value) -> (String, String) {
    let r = cb(server, op, body).await;
    assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    (
        v["__type"].as_str().unwrap_or_default().to_owned(),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

const ROLE: &str = "arn:aws:iam::000000000000:role/codebuild";

fn project(name: &str) -> Value {
    json!({
        "name": name,
        "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": ROLE,
    })
}

fn phases(build: &Value) -> Vec<(String, String)> {
    build["phases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p["phaseType"].as_str().unwrap_or_default().to_owned(),
                p["phaseStatus"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn get_build(server: &MockServer, id: &str) -> Value {
    ok(server, "BatchGetBuilds", json!({"ids": [id]})).await["builds"][0].clone()
}

#[tokio::test]
async fn projects_get_aws_defaults_and_errors() {
    let s = MockServer::start().await;
    let p = ok(&s, "CreateProject", project("app")).await["project"].clone();
    assert_eq!(
        p["arn"],
        "arn:aws:codebuild:us-east-1:000000000000:project/app"
    );
    assert_eq!(p["timeoutInMinutes"], 60);
    assert_eq!(p["queuedTimeoutInMinutes"], 480);
    assert_eq!(p["cache"], json!({"type": "NO_CACHE"}));
    assert_eq!(p["badge"], json!({"badgeEnabled": false}));
    assert_eq!(p["projectVisibility"], "PRIVATE");
    assert_eq!(
        p["encryptionKey"],
        "arn:aws:kms:us-east-1:000000000000:alias/aws/s3"
    );
    assert_eq!(p["logsConfig"]["cloudWatchLogs"]["status"], "ENABLED");
    assert_eq!(p["logsConfig"]["s3Logs"]["status"], "DISABLED");
    assert_eq!(p["environment"]["imagePullCredentialsType"], "CODEBUILD");
    let (code, msg) = err(&s, "CreateProject", project("app")).await;
    assert_eq!(code, "ResourceAlreadyExistsException");
    assert_eq!(
        msg,
        "Project already exists: arn:aws:codebuild:us-east-1:000000000000:project/app"
    );
    let got = ok(
        &s,
        "BatchGetProjects",
        json!({"names": ["app", "arn:aws:codebuild:us-east-1:000000000000:project/app", "nope"]}),
    )
    .await;
    assert_eq!(got["projects"].as_array().map(Vec::len), Some(2));
    assert_eq!(got["projectsNotFound"], json!(["nope"]));
    let up = ok(
        &s,
        "UpdateProject",
        json!({"name": "app", "description": "d", "timeoutInMinutes": 30}),
    )
    .await;
    assert_eq!(up["project"]["description"], "d");
    assert_eq!(up["project"]["timeoutInMinutes"], 30);
    let (code, msg) = err(&s, "StartBuild", json!({"projectName": "missing"})).await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        msg,
        "Project cannot be found: arn:aws:codebuild:us-east-1:000000000000:project/missing"
    );
    ok(&s, "DeleteProject", json!({"name": "app"})).await;
    let got = ok(&s, "BatchGetProjects", json!({"names": ["app"]})).await;
    assert_eq!(got["projectsNotFound"], json!(["app"]));
}

#[tokio::test]
async fn a_simulated_build_walks_every_phase_on_the_manual_clock() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let started = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    let id = started["id"].as_str().unwrap_or_default().to_owned();
    assert!(id.starts_with("app:"), "{id}");
    assert_eq!(
        started["arn"],
        format!("arn:aws:codebuild:us-east-1:000000000000:build/{id}")
    );
    assert_eq!(started["buildNumber"], 1);
    assert_eq!(started["buildStatus"], "IN_PROGRESS");
    assert_eq!(started["currentPhase"], "QUEUED");
    assert_eq!(started["buildComplete"], false);
    assert_eq!(started["initiator"], "root");
    assert_eq!(started["logs"]["groupName"], "/aws/codebuild/app");
    assert_eq!(
        started["logs"]["streamName"].as_str(),
        id.split_once(':').map(|(_, u)| u)
    );
    assert_eq!(
        phases(&started),
        [
            ("SUBMITTED".into(), "SUCCEEDED".into()),
            ("QUEUED".into(), String::new())
        ]
    );
    s.clock().advance(Duration::from_secs(12)).await;
    let mid = get_build(&s, &id).await;
    assert_eq!(mid["currentPhase"], "DOWNLOAD_SOURCE");
    s.clock().advance(Duration::from_secs(60)).await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "SUCCEEDED");
    assert_eq!(done["buildComplete"], true);
    assert_eq!(done["currentPhase"], "COMPLETED");
    let names: Vec<String> = phases(&done).into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        [
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
            "COMPLETED"
        ]
    );
    let provisioning = &done["phases"][2];
    assert_eq!(provisioning["durationInSeconds"], 10);
    assert_eq!(
        provisioning["contexts"],
        json!([{"statusCode": "", "message": ""}])
    );
    assert!(done["phases"][0].get("contexts").is_none());
    assert!(done["phases"][10].get("phaseStatus").is_none());
    let total = done["endTime"].as_f64().unwrap_or_default()
        - done["startTime"].as_f64().unwrap_or_default();
    assert_eq!(total, 23.0);
    let listed = ok(&s, "ListBuildsForProject", json!({"projectName": "app"})).await;
    assert_eq!(listed["ids"], json!([id]));
    // An idempotency token answers the build it started for five minutes.
    let once = json!({"projectName": "app", "idempotencyToken": "t-1"});
    let a = ok(&s, "StartBuild", once.clone()).await["build"]["id"].clone();
    let b = ok(&s, "StartBuild", once).await["build"]["id"].clone();
    assert_eq!(a, b);
}

#[tokio::test]
async fn a_failing_build_phase_still_runs_post_build_and_upload_artifacts() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["tags"] = json!([{"key": "codemock:outcome", "value": "FAILED:BUILD"}]);
    ok(&s, "CreateProject", p).await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(120)).await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "FAILED");
    let got = phases(&done);
    assert_eq!(got[6], ("BUILD".into(), "FAILED".into()));
    assert_eq!(got[7], ("POST_BUILD".into(), "SUCCEEDED".into()));
    assert_eq!(got[8], ("UPLOAD_ARTIFACTS".into(), "SUCCEEDED".into()));
    assert_eq!(
        done["phases"][6]["contexts"],
        json!([{"statusCode": "COMMAND_EXECUTION_ERROR", "message": "Error while executing command: exit 1. Reason: exit status 1"}])
    );
}

#[tokio::test]
async fn an_outcome_rule_fails_install_with_exit_code_3_and_skips_to_finalizing() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    post(
        &s,
        "/_codemock/outcomes",
        &json!({"service": "codebuild", "resource": "app", "step": "INSTALL", "outcome": "FAILED", "code": "3"}).to_string(),
    )
    .await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(120)).await;
    let done = get_build(&s, &id).await;
    let names: Vec<String> = phases(&done).into_iter().map(|p| p.0).collect();
    assert_eq!(
        &names[3..],
        ["DOWNLOAD_SOURCE", "INSTALL", "FINALIZING", "COMPLETED"]
    );
    assert_eq!(
        done["phases"][4]["contexts"][0]["message"],
        "Error while executing command: exit 3. Reason: exit status 3"
    );
}

#[tokio::test]
async fn stop_build_stops_the_phase_in_progress() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(18)).await;
    assert_eq!(get_build(&s, &id).await["currentPhase"], "BUILD");
    let stopped = ok(&s, "StopBuild", json!({"id": id})).await["build"].clone();
    assert_eq!(stopped["currentPhase"], "FINALIZING");
    s.clock().advance(Duration::from_secs(10)).await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "STOPPED");
    assert_eq!(phases(&done)[6], ("BUILD".into(), "STOPPED".into()));
    let (code, _) = err(&s, "StopBuild", json!({"id": "app:nope"})).await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn a_hanging_build_times_out_after_timeout_in_minutes() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["timeoutInMinutes"] = json!(5);
    p["tags"] = json!([{"key": "codemock:outcome", "value": "HANG:BUILD"}]);
    ok(&s, "CreateProject", p).await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(4 * 60)).await;
    assert_eq!(get_build(&s, &id).await["currentPhase"], "BUILD");
    s.clock().advance(Duration::from_secs(2 * 60)).await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "TIMED_OUT");
    assert_eq!(phases(&done)[6], ("BUILD".into(), "TIMED_OUT".into()));
}

#[tokio::test]
async fn the_concurrent_build_limit_queues_builds() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["concurrentBuildLimit"] = json!(1);
    ok(&s, "CreateProject", p).await;
    let first = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    assert_eq!(second["buildNumber"], 2);
    let second = second["id"].as_str().unwrap_or_default().to_owned();
    s.clock().advance(Duration::from_secs(12)).await;
    assert_eq!(
        get_build(&s, &first).await["currentPhase"],
        "DOWNLOAD_SOURCE"
    );
    assert_eq!(get_build(&s, &second).await["currentPhase"], "QUEUED");
    s.clock().advance(Duration::from_secs(13)).await;
    assert_eq!(get_build(&s, &first).await["buildStatus"], "SUCCEEDED");
    assert_ne!(get_build(&s, &second).await["currentPhase"], "QUEUED");
    s.clock().advance(Duration::from_secs(30)).await;
    assert_eq!(get_build(&s, &second).await["buildStatus"], "SUCCEEDED");
    let all = ok(&s, "ListBuilds", json!({})).await;
    assert_eq!(all["ids"], json!([second, first]), "newest first");
    let asc = ok(&s, "ListBuilds", json!({"sortOrder": "ASCENDING"})).await;
    assert_eq!(asc["ids"], json!([first, second]));
    let del = ok(&s, "BatchDeleteBuilds", json!({"ids": [first, "app:nope"]})).await;
    assert_eq!(del["buildsDeleted"], json!([first]));
    assert_eq!(del["buildsNotDeleted"][0]["statusCode"], "BUILD_NOT_FOUND");
}

#[tokio::test]
async fn build_logs_and_events_reach_logs_and_a_queue_in_order() {
    let s = MockServer::start().await;
    let url = json_call(
        &s,
        "application/x-amz-json-1.0",
        "AmazonSQS.CreateQueue",
        json!({"QueueName": "builds"}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let events = |op: &str| format!("AWSEvents.{op}");
    json_call(
        &s,
        "application/x-amz-json-1.1",
        &events("PutRule"),
        json!({"Name": "cb", "EventPattern": "{\"source\":[\"aws.codebuild\"]}"}),
    )
    .await;
    json_call(
        &s,
        "application/x-amz-json-1.1",
        &events("PutTargets"),
        json!({"Rule": "cb", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:builds"}]}),
    )
    .await;
    ok(&s, "CreateProject", project("app")).await;
    let build = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    s.clock().advance(Duration::from_secs(60)).await;
    let mut got = Vec::new();
    loop {
        let r = json_call(
            &s,
            "application/x-amz-json-1.0",
            "AmazonSQS.ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
        )
        .await;
        let msgs = r["Messages"].as_array().cloned().unwrap_or_default();
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            let e: Value =
                serde_json::from_str(m["Body"].as_str().unwrap_or_default()).unwrap_or_default();
            json_call(
                &s,
                "application/x-amz-json-1.0",
                "AmazonSQS.DeleteMessage",
                json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
            )
            .await;
            got.push(e);
        }
    }
    let summary: Vec<String> = got
        .iter()
        .map(|e| {
            let d = &e["detail"];
            match e["detail-type"].as_str() {
                Some("CodeBuild Build State Change") => {
                    format!("state {}", d["build-status"].as_str().unwrap_or_default())
                }
                _ => format!(
                    "phase {}",
                    d["completed-phase"].as_str().unwrap_or_default()
                ),
            }
        })
        .collect();
    assert_eq!(
        summary,
        [
            "state IN_PROGRESS",
            "phase SUBMITTED",
            "phase QUEUED",
            "phase PROVISIONING",
            "phase DOWNLOAD_SOURCE",
            "phase INSTALL",
            "phase PRE_BUILD",
            "phase BUILD",
            "phase POST_BUILD",
            "phase UPLOAD_ARTIFACTS",
            "phase FINALIZING",
            "state SUCCEEDED"
        ]
    );
    let last = &got[11];
    assert_eq!(last["source"], "aws.codebuild");
    assert_eq!(last["resources"], json!([build["arn"]]));
    assert_eq!(last["detail"]["build-id"], build["arn"]);
    assert_eq!(last["detail"]["project-name"], "app");
    assert_eq!(last["detail"]["current-phase"], "COMPLETED");
    assert_eq!(last["detail"]["version"], "1");
    let info = &last["detail"]["additional-information"];
    assert_eq!(info["build-complete"], true);
    assert_eq!(info["logs"]["group-name"], "/aws/codebuild/app");
    assert_eq!(info["build-start-time"], "Jan 1, 2024 12:00:00 AM");
    let phase = &got[3]["detail"];
    assert_eq!(phase["completed-phase-status"], "SUCCEEDED");
    assert_eq!(phase["completed-phase-duration-seconds"], 10);
    assert_eq!(phase["completed-phase-context"], "[: ]");
    let logs = json_call(
        &s,
        "application/x-amz-json-1.1",
        "Logs_20140328.GetLogEvents",
        json!({
            "logGroupName": "/aws/codebuild/app",
            "logStreamName": build["logs"]["streamName"],
            "startFromHead": true,
        }),
    )
    .await;
    let lines: Vec<String> = logs["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[Container] 2024/01/01 00:00:15.000000 Entering phase BUILD")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("Phase complete: BUILD State: SUCCEEDED")),
        "{lines:#?}"
    );
}

async fn s3(server: &MockServer, method: &str, path: &str, body: Vec<u8>) -> Reply {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    send(server, req).await
}

fn local_project(name: &str, buildspec: &str) -> Value {
    let mut p = project(name);
    p["source"]["buildspec"] = json!(buildspec);
    p["tags"] = json!([{"key": "codemock:executor", "value": "local"}]);
    p
}

async fn log_text(server: &MockServer, build: &Value) -> String {
    let logs = json_call(
        server,
        "application/x-amz-json-1.1",
        "Logs_20140328.GetLogEvents",
        json!({
            "logGroupName": build["logs"]["groupName"],
            "logStreamName": build["logs"]["streamName"],
            "startFromHead": true,
        }),
    )
    .await;
    logs["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

const LOCAL_BUILDSPEC: &str = r#"version: 0.2
env:
  variables:
    GREETING: hello
  exported-variables:
    - RESULT
phases:
  install:
    commands:
      - mkdir -p out
  build:
    commands:
      - cd out
      - echo "$GREETING from $CODEBUILD_BUILD_NUMBER" > greeting.txt
      - export RESULT=built-$(cat greeting.txt | wc -w)
  post_build:
    commands:
      - echo "still in $(basename $(pwd))"
      - printf '<testsuite name="unit" tests="2"><testcase classname="c" name="ok" time="0.5"/><testcase classname="c" name="bad" time="0.25"><failure message="boom">trace</failure></testcase></testsuite>' > ../report.xml
artifacts:
  files:
    - out/**/*
reports:
  unit:
    files:
      - report.xml
"#;

#[tokio::test]
async fn a_local_build_runs_commands_in_one_shell_and_uploads_its_artifact() {
    let s = MockServer::start().await;
    assert_eq!(s3(&s, "PUT", "/art", Vec::new()).await.status, 200);
    let mut p = local_project("app", LOCAL_BUILDSPEC);
    p["artifacts"] =
        json!({"type": "S3", "location": "art", "name": "out.zip", "packaging": "ZIP"});
    ok(&s, "CreateProject", p).await;
    let build = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    let id = build["id"].as_str().unwrap_or_default().to_owned();
    s.settle().await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "SUCCEEDED", "{done:#}");
    assert_eq!(
        done["exportedEnvironmentVariables"],
        json!([{"name": "RESULT", "value": "built-3"}])
    );
    let log = log_text(&s, &build).await;
    assert!(log.contains("Running command cd out"), "{log}");
    assert!(log.contains("still in out"), "{log}");
    assert!(
        log.contains("Phase complete: BUILD State: SUCCEEDED"),
        "{log}"
    );
    let zip = s3(&s, "GET", "/art/out.zip", Vec::new()).await;
    assert_eq!(zip.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.to_vec())).expect("a zip");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("out/greeting.txt").expect("entry"),
        &mut text,
    )
    .expect("read");
    assert_eq!(text, "hello from 1\n");
    // The JUnit report: a group `<project>-<name>` created on first use, with its test cases.
    let report_arns = done["reportArns"].as_array().cloned().unwrap_or_default();
    assert_eq!(report_arns.len(), 1, "{done:#}");
    let reports = ok(&s, "BatchGetReports", json!({"reportArns": report_arns})).await;
    let report = &reports["reports"][0];
    assert_eq!(report["type"], "TEST");
    assert_eq!(report["status"], "FAILED", "one case failed: {report:#}");
    assert_eq!(report["testSummary"]["total"], 2);
    assert_eq!(report["testSummary"]["statusCounts"]["FAILED"], 1);
    assert!(report["reportGroupArn"]
        .as_str()
        .unwrap_or_default()
        .ends_with(":report-group/app-unit"));
    let cases = ok(&s, "DescribeTestCases", json!({"reportArn": report["arn"]})).await;
    let mut names: Vec<&str> = cases["testCases"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    names.sort_unstable();
    assert_eq!(names, ["bad", "ok"]);
}

#[tokio::test]
async fn exit_3_in_build_fails_the_build_with_command_execution_error() {
    let s = MockServer::start().await;
    let spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo before\n      - exit 3\n      - echo never\n  post_build:\n    commands:\n      - echo \"succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n";
    ok(&s, "CreateProject", local_project("app", spec)).await;
    let build = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    let id = build["id"].as_str().unwrap_or_default().to_owned();
    s.settle().await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "FAILED");
    assert_eq!(phases(&done)[6], ("BUILD".into(), "FAILED".into()));
    assert_eq!(phases(&done)[7], ("POST_BUILD".into(), "SUCCEEDED".into()));
    assert_eq!(
        done["phases"][6]["contexts"],
        json!([{"statusCode": "COMMAND_EXECUTION_ERROR", "message": "Error while executing command: exit 3. Reason: exit status 3"}])
    );
    let log = log_text(&s, &build).await;
    assert!(log.contains("before"), "{log}");
    assert!(!log.contains("never"), "{log}");
    assert!(log.contains("succeeding=0"), "{log}");
}

#[tokio::test]
async fn a_bad_buildspec_fails_download_source_with_yaml_file_error() {
    let s = MockServer::start().await;
    ok(
        &s,
        "CreateProject",
        local_project(
            "app",
            "version: 0.3\nphases:\n  build:\n    commands:\n      - echo\n",
        ),
    )
    .await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.settle().await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "FAILED");
    let names: Vec<(String, String)> = phases(&done);
    assert_eq!(names[3], ("DOWNLOAD_SOURCE".into(), "FAILED".into()));
    assert_eq!(names[4].0, "FINALIZING");
    assert_eq!(
        done["phases"][3]["contexts"][0]["statusCode"],
        "YAML_FILE_ERROR"
    );
}

#[tokio::test]
async fn a_local_build_that_sleeps_past_its_timeout_is_timed_out() {
    let s = MockServer::start().await;
    let mut p = local_project(
        "app",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 600\n",
    );
    p["timeoutInMinutes"] = json!(5);
    ok(&s, "CreateProject", p).await;
    let id = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Let the shell reach the sleep (polling the API, not the wall clock).
    s.clock().advance(Duration::ZERO).await;
    let mut phase = String::new();
    for _ in 0..2000 {
        phase = get_build(&s, &id).await["currentPhase"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if phase == "BUILD" {
            break;
        }
    }
    assert_eq!(phase, "BUILD");
    s.clock().advance(Duration::from_secs(6 * 60)).await;
    s.settle().await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "TIMED_OUT");
    assert_eq!(phases(&done)[6], ("BUILD".into(), "TIMED_OUT".into()));
    assert_eq!(done["currentPhase"], "COMPLETED");
}

/// A server with project `app` and a rule `nightly` (source `my.app`) whose one target is the
/// project with `input`; one event put that the rule matches. Answers the project's build ids.
async fn build_started_by_a_rule(input: &str) -> (MockServer, Value) {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let events = |op: &str| format!("AWSEvents.{op}");
    let t = "application/x-amz-json-1.1";
    json_call(
        &s,
        t,
        &events("PutRule"),
        json!({"Name": "nightly", "EventPattern": "{\"source\":[\"my.app\"]}"}),
    )
    .await;
    json_call(
        &s,
        t,
        &events("PutTargets"),
        json!({"Rule": "nightly", "Targets": [{
            "Id": "build",
            "Arn": "arn:aws:codebuild:us-east-1:000000000000:project/app",
            "RoleArn": ROLE,
            "Input": input
        }]}),
    )
    .await;
    json_call(
        &s,
        t,
        &events("PutEvents"),
        json!({"Entries": [{"Source": "my.app", "DetailType": "tick", "Detail": "{}"}]}),
    )
    .await;
    let ids = ok(&s, "ListBuildsForProject", json!({"projectName": "app"})).await["ids"].clone();
    (s, ids)
}

#[tokio::test]
async fn a_rule_targeting_a_project_starts_a_build_with_its_input_as_overrides() {
    let (s, ids) = build_started_by_a_rule(
        r#"{"environmentVariablesOverride":[{"name":"MODE","value":"nightly","type":"PLAINTEXT"}]}"#,
    )
    .await;
    assert_eq!(ids.as_array().map(Vec::len), Some(1), "{ids}");
    let b = get_build(&s, ids[0].as_str().unwrap_or_default()).await;
    assert_eq!(b["initiator"], "rule/nightly");
    assert_eq!(
        b["environment"]["environmentVariables"],
        json!([{"name": "MODE", "value": "nightly", "type": "PLAINTEXT"}])
    );
}

#[tokio::test]
async fn a_rule_target_input_startbuild_would_refuse_fails_the_invocation_and_starts_nothing() {
    // An environment variable without its required `name`: StartBuild answers a
    // ValidationException, so the invocation fails (not retried: it would fail again).
    let (s, ids) =
        build_started_by_a_rule(r#"{"environmentVariablesOverride":[{"value":"nightly"}]}"#).await;
    assert_eq!(ids, json!([]));
    let invoked: Vec<_> = s
        .events()
        .into_iter()
        .filter(|r| r["type"] == "TargetInvoked")
        .collect();
    assert_eq!(invoked.len(), 1, "{invoked:?}");
    assert_eq!(invoked[0]["outcome"], "Failed");
    assert_eq!(invoked[0]["errorCode"], "ValidationException");
    assert!(
        invoked[0]["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("environmentVariablesOverride.1.member.name")),
        "{}",
        invoked[0]["errorMessage"]
    );
}

#[tokio::test]
async fn parameter_store_and_secrets_manager_values_resolve_from_registered_values() {
    let s = MockServer::start().await;
    s.codebuild().set_parameter("/app/token", "t0k");
    let r = post(
        &s,
        "/_codemock/codebuild/secrets",
        &json!({"secretId": "db", "value": "{\"user\":\"admin\"}"}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200);
    let spec = "version: 0.2\nenv:\n  secrets-manager:\n    DB_USER: db:user\nphases:\n  build:\n    commands:\n      - echo \"token=$TOKEN user=$DB_USER\"\n";
    let mut p = local_project("app", spec);
    p["environment"]["environmentVariables"] =
        json!([{"name": "TOKEN", "value": "/app/token", "type": "PARAMETER_STORE"}]);
    ok(&s, "CreateProject", p).await;
    let build = ok(&s, "StartBuild", json!({"projectName": "app"})).await["build"].clone();
    s.settle().await;
    let done = get_build(&s, build["id"].as_str().unwrap_or_default()).await;
    assert_eq!(done["buildStatus"], "SUCCEEDED");
    let log = log_text(&s, &build).await;
    assert!(log.contains("token=t0k user=admin"), "{log}");
    // A missing parameter fails DOWNLOAD_SOURCE, simulated or not.
    let mut p = project("other");
    p["environment"]["environmentVariables"] =
        json!([{"name": "X", "value": "/missing", "type": "PARAMETER_STORE"}]);
    ok(&s, "CreateProject", p).await;
    let id = ok(&s, "StartBuild", json!({"projectName": "other"})).await["build"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.clock().advance(Duration::from_secs(60)).await;
    let done = get_build(&s, &id).await;
    assert_eq!(done["buildStatus"], "FAILED");
    assert_eq!(
        done["phases"][3]["contexts"][0]["message"],
        "parameter does not exist: /missing"
    );
}

#[tokio::test]
async fn a_batch_graph_runs_builds_as_their_dependencies_succeed() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["source"]["buildspec"] = json!("version: 0.2\nbatch:\n  build-graph:\n    - identifier: first\n    - identifier: second\n      depend-on:\n        - first\n      env:\n        variables:\n          STAGE: two\nphases:\n  build:\n    commands:\n      - echo hi\n");
    p["buildBatchConfig"] = json!({"serviceRole": ROLE});
    ok(&s, "CreateProject", p).await;
    let batch =
        ok(&s, "StartBuildBatch", json!({"projectName": "app"})).await["buildBatch"].clone();
    let id = batch["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(batch["currentPhase"], "DOWNLOAD_BATCHSPEC");
    assert_eq!(batch["buildBatchStatus"], "IN_PROGRESS");
    assert!(batch["arn"]
        .as_str()
        .unwrap_or_default()
        .contains(":build-batch/app:"));
    s.clock().advance(Duration::from_secs(3)).await;
    let running = get_batch(&s, &id).await;
    assert_eq!(running["currentPhase"], "IN_PROGRESS");
    let groups = running["buildGroups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(groups.len(), 2);
    assert!(groups[0]["currentBuildSummary"]["arn"].is_string());
    assert!(
        groups[1]["currentBuildSummary"].is_null(),
        "waits for first"
    );
    s.clock().advance(Duration::from_secs(30)).await;
    assert!(get_batch(&s, &id).await["buildGroups"][1]["currentBuildSummary"]["arn"].is_string());
    s.clock().advance(Duration::from_secs(60)).await;
    let done = get_batch(&s, &id).await;
    assert_eq!(done["buildBatchStatus"], "SUCCEEDED", "{done:#}");
    assert_eq!(done["complete"], true);
    let phases: Vec<&str> = done["phases"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["phaseType"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        phases,
        [
            "SUBMITTED",
            "DOWNLOAD_BATCHSPEC",
            "IN_PROGRESS",
            "SUCCEEDED"
        ]
    );
    let builds = ok(&s, "ListBuildsForProject", json!({"projectName": "app"})).await["ids"].clone();
    let second = get_build(&s, builds[0].as_str().unwrap_or_default()).await;
    assert_eq!(second["buildBatchArn"], done["arn"]);
    assert!(second["environment"]["environmentVariables"]
        .as_array()
        .is_some_and(|v| v
            .iter()
            .any(|e| e["name"] == "STAGE" && e["value"] == "two")));
    let listed = ok(
        &s,
        "ListBuildBatchesForProject",
        json!({"projectName": "app"}),
    )
    .await;
    assert_eq!(listed["ids"], json!([id]));
    let del = ok(&s, "DeleteBuildBatch", json!({"id": id})).await;
    assert_eq!(del["buildsDeleted"].as_array().map(Vec::len), Some(2));
}

async fn get_batch(server: &MockServer, id: &str) -> Value {
    ok(server, "BatchGetBuildBatches", json!({"ids": [id]})).await["buildBatches"][0].clone()
}

//! CodePipeline over the wire with literal JSON: structure validation, versions, tags, and
//! executions that really run on the manual clock (an S3 source read from a versioned bucket, a
//! manual approval, a simulated deploy), with their states, action executions and the events a
//! rule delivers to an SQS queue.

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

const ACCOUNT: &str = "000000000000";

async fn cp(server: &MockServer, op: &str, body: Value) -> Reply {
    call(
        server,
        &format!("CodePipeline_20150709.{op}"),
        &body.to_string(),
    )
    .await
}

async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = cp(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn err(server: &MockServer, op: &str, body: Value) -> (String, String) {
    let r = cp(server, op, body).await;
    assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    (
        v["__type"].as_str().unwrap_or_default().to_owned(),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn json10(server: &MockServer, target: &str, body: Value) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", target)
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let r = send(server, req).await;
    assert_eq!(
        r.status,
        200,
        "{target}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

async fn s3(server: &MockServer, method: &str, path: &str, body: &'static [u8]) -> Reply {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from_static(body)))
        .expect("request");
    send(server, req).await
}

/// A versioned source bucket holding `app.zip`, and an artifact bucket.
async fn buckets(server: &MockServer) -> String {
    assert_eq!(s3(server, "PUT", "/src-bucket", b"").await.status, 200);
    let r = s3(
        server,
        "PUT",
        "/src-bucket?versioning",
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(s3(server, "PUT", "/artifacts", b"").await.status, 200);
    let r = s3(server, "PUT", "/src-bucket/app.zip", b"PK-source-bytes").await;
    assert_eq!(r.status, 200);
    r.header("x-amz-version-id").unwrap_or_default().to_owned()
}

fn pipeline(name: &str) -> Value {
    json!({
        "name": name,
        "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/pipeline"),
        "artifactStore": {"type": "S3", "location": "artifacts"},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Src",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": "src-bucket", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceArtifact"}],
                "namespace": "SourceVariables"
            }]},
            {"name": "Approve", "actions": [{
                "name": "Gate",
                "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}
            }]},
            {"name": "Deploy", "actions": [{
                "name": "Stack",
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                "configuration": {
                    "ActionMode": "CREATE_UPDATE",
                    "StackName": "app-#{SourceVariables.VersionId}",
                    "RoleArn": "arn:aws:iam::000000000000:role/cfn"
                },
                "inputArtifacts": [{"name": "SourceArtifact"}]
            }]}
        ]
    })
}

fn stage<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["stageStates"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["stageName"] == name))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn structures_aws_refuses_answer_with_its_texts() {
    let s = MockServer::start().await;
    let mut one = pipeline("p");
    one["stages"] = json!([one["stages"][0]]);
    let (code, msg) = err(&s, "CreatePipeline", json!({"pipeline": one})).await;
    assert_eq!(code, "InvalidStructureException");
    assert_eq!(
        msg,
        "Pipeline has only 1 stage(s). There should be a minimum of 2 stages in a pipeline"
    );
    let mut missing = pipeline("p");
    missing["stages"][0]["actions"][0]["configuration"] = json!({"S3Bucket": "b"});
    let (code, msg) = err(&s, "CreatePipeline", json!({"pipeline": missing})).await;
    assert_eq!(code, "InvalidActionDeclarationException");
    assert!(msg.contains("'S3ObjectKey'"), "{msg}");
    let mut dangling = pipeline("p");
    dangling["stages"][2]["actions"][0]["inputArtifacts"] = json!([{"name": "Nope"}]);
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": dangling})).await;
    assert_eq!(code, "InvalidStructureException");
    let mut source_late = pipeline("p");
    source_late["stages"][1]["actions"][0]["actionTypeId"]["category"] = json!("Source");
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": source_late})).await;
    assert_eq!(code, "InvalidStructureException");
    let (code, msg) = err(&s, "GetPipeline", json!({"name": "nope"})).await;
    assert_eq!(code, "PipelineNotFoundException");
    assert_eq!(
        msg,
        "Account '000000000000' does not have a pipeline with name 'nope'"
    );
    // Nothing half done: no pipeline was created.
    let list = ok(&s, "ListPipelines", json!({})).await;
    assert_eq!(list["pipelines"], json!([]));
}

#[tokio::test]
async fn versions_metadata_and_tags() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let created = ok(
        &s,
        "CreatePipeline",
        json!({"pipeline": pipeline("p"), "tags": [{"key": "team", "value": "a"}]}),
    )
    .await;
    assert_eq!(created["pipeline"]["version"], 1);
    assert_eq!(created["pipeline"]["pipelineType"], "V1");
    assert_eq!(
        created["pipeline"]["stages"][1]["actions"][0]["runOrder"],
        1
    );
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": pipeline("p")})).await;
    assert_eq!(code, "PipelineNameInUseException");
    let got = ok(&s, "GetPipeline", json!({"name": "p"})).await;
    let arn = "arn:aws:codepipeline:us-east-1:000000000000:p";
    assert_eq!(got["metadata"]["pipelineArn"], arn);
    assert!(got["metadata"]["created"].is_number());
    let updated = ok(&s, "UpdatePipeline", json!({"pipeline": pipeline("p")})).await;
    assert_eq!(updated["pipeline"]["version"], 2);
    let v1 = ok(&s, "GetPipeline", json!({"name": "p", "version": 1})).await;
    assert_eq!(v1["pipeline"]["version"], 1);
    let (code, _) = err(&s, "GetPipeline", json!({"name": "p", "version": 7})).await;
    assert_eq!(code, "PipelineVersionNotFoundException");
    let list = ok(&s, "ListPipelines", json!({})).await;
    assert_eq!(list["pipelines"][0]["version"], 2);

    ok(
        &s,
        "TagResource",
        json!({"resourceArn": arn, "tags": [{"key": "env", "value": "prod"}]}),
    )
    .await;
    ok(
        &s,
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["team"]}),
    )
    .await;
    let tags = ok(&s, "ListTagsForResource", json!({"resourceArn": arn})).await;
    assert_eq!(tags["tags"], json!([{"key": "env", "value": "prod"}]));
    let (code, _) = err(
        &s,
        "TagResource",
        json!({"resourceArn": arn, "tags": [{"key": "aws:x", "value": "1"}]}),
    )
    .await;
    assert_eq!(code, "InvalidTagsException");

    ok(&s, "DeletePipeline", json!({"name": "p"})).await;
    let (code, _) = err(&s, "GetPipeline", json!({"name": "p"})).await;
    assert_eq!(code, "PipelineNotFoundException");
}

#[tokio::test]
async fn an_execution_runs_source_approval_and_deploy_with_events_in_order() {
    let s = MockServer::start().await;
    let version = buckets(&s).await;
    let url = json10(&s, "AmazonSQS.CreateQueue", json!({"QueueName": "cp"})).await["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    call(
        &s,
        "AWSEvents.PutRule",
        &json!({"Name": "cp", "EventPattern": "{\"source\": [\"aws.codepipeline\"]}"}).to_string(),
    )
    .await;
    call(
        &s,
        "AWSEvents.PutTargets",
        &json!({"Rule": "cp", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:cp"}]})
            .to_string(),
    )
    .await;

    // CreatePipeline starts an execution, as AWS does.
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let summary = &execs["pipelineExecutionSummaries"][0];
    assert_eq!(summary["trigger"]["triggerType"], "CreatePipeline");
    assert_eq!(summary["status"], "InProgress");
    assert_eq!(
        summary["sourceRevisions"][0]["revisionId"],
        version.as_str()
    );
    let exec = summary["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(state["pipelineVersion"], 1);
    let src = stage(&state, "Source");
    assert_eq!(src["latestExecution"]["status"], "Succeeded");
    assert_eq!(src["inboundTransitionState"]["enabled"], true);
    assert_eq!(
        src["actionStates"][0]["currentRevision"]["revisionId"],
        version.as_str()
    );
    let gate = &stage(&state, "Approve")["actionStates"][0]["latestExecution"];
    assert_eq!(gate["status"], "InProgress");
    let token = gate["token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty());

    // A wrong token is refused and changes nothing.
    let (code, _) = err(
        &s,
        "PutApprovalResult",
        json!({"pipelineName": "app", "stageName": "Approve", "actionName": "Gate",
               "result": {"summary": "ok", "status": "Approved"}, "token": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(code, "InvalidApprovalTokenException");
    let approved = ok(
        &s,
        "PutApprovalResult",
        json!({"pipelineName": "app", "stageName": "Approve", "actionName": "Gate",
               "result": {"summary": "looks good", "status": "Approved"}, "token": token}),
    )
    .await;
    assert!(approved["approvedAt"].is_number());
    let (code, _) = err(
        &s,
        "PutApprovalResult",
        json!({"pipelineName": "app", "stageName": "Approve", "actionName": "Gate",
               "result": {"summary": "again", "status": "Approved"}, "token": token}),
    )
    .await;
    assert_eq!(code, "ApprovalAlreadyCompletedException");
    s.settle().await;

    let got = ok(
        &s,
        "GetPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": exec}),
    )
    .await;
    assert_eq!(got["pipelineExecution"]["status"], "Succeeded");
    assert_eq!(
        got["pipelineExecution"]["artifactRevisions"][0]["name"],
        "SourceArtifact"
    );

    let actions = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": exec}}),
    )
    .await;
    let details = actions["actionExecutionDetails"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = details
        .iter()
        .filter_map(|d| d["actionName"].as_str())
        .collect();
    assert_eq!(names, vec!["Stack", "Gate", "Src"], "newest first");
    assert_eq!(
        details[1]["output"]["executionResult"]["externalExecutionSummary"],
        "looks good"
    );
    let deploy = &details[0];
    assert_eq!(
        deploy["input"]["resolvedConfiguration"]["StackName"],
        format!("app-{version}")
    );
    let key = deploy["input"]["inputArtifacts"][0]["s3location"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(key.starts_with("app/SourceArti/"), "{key}");
    assert_eq!(key.len(), "app/SourceArti/".len() + 7);
    let src = &details[2];
    assert_eq!(
        src["output"]["outputVariables"]["VersionId"],
        version.as_str()
    );
    // The artifact really is in the artifact store, with the source's bytes.
    let r = s3(&s, "GET", &format!("/artifacts/{key}"), b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..], b"PK-source-bytes");
    // The filter is honoured.
    let (code, _) = err(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": "00000000-0000-0000-0000-000000000000"}}),
    )
    .await;
    assert_eq!(code, "PipelineExecutionNotFoundException");

    // Every transition's event, in order, through one rule into the queue.
    let mut events = Vec::new();
    loop {
        let r = json10(
            &s,
            "AmazonSQS.ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
        )
        .await;
        let batch = r["Messages"].as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            break;
        }
        for m in batch {
            let body: Value =
                serde_json::from_str(m["Body"].as_str().unwrap_or_default()).expect("event");
            events.push(body);
        }
    }
    let seen: Vec<String> = events
        .iter()
        .map(|e| {
            let d = &e["detail"];
            let what = d["action"]
                .as_str()
                .or(d["stage"].as_str())
                .unwrap_or("pipeline");
            format!("{what}:{}", d["state"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            "pipeline:STARTED",
            "Source:STARTED",
            "Src:STARTED",
            "Src:SUCCEEDED",
            "Source:SUCCEEDED",
            "Approve:STARTED",
            "Gate:STARTED",
            "Gate:SUCCEEDED",
            "Approve:SUCCEEDED",
            "Deploy:STARTED",
            "Stack:STARTED",
            "Stack:SUCCEEDED",
            "Deploy:SUCCEEDED",
            "pipeline:SUCCEEDED",
        ]
    );
    let first = &events[0];
    assert_eq!(
        first["detail-type"],
        "CodePipeline Pipeline Execution State Change"
    );
    assert_eq!(
        first["resources"],
        json!(["arn:aws:codepipeline:us-east-1:000000000000:app"])
    );
    assert_eq!(
        first["detail"]["execution-trigger"]["trigger-type"],
        "CreatePipeline"
    );
    assert_eq!(events[2]["detail"]["type"]["provider"], "S3");
    assert_eq!(
        events[3]["detail"]["output-artifacts"][0]["name"],
        "SourceArtifact"
    );
}

#[tokio::test]
async fn a_rejected_approval_fails_the_execution_and_the_stage_can_be_retried() {
    let s = MockServer::start().await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let gate = &stage(&state, "Approve")["actionStates"][0]["latestExecution"];
    let token = gate["token"].as_str().unwrap_or_default().to_owned();
    ok(
        &s,
        "PutApprovalResult",
        json!({"pipelineName": "app", "stageName": "Approve", "actionName": "Gate",
               "result": {"summary": "no", "status": "Rejected"}, "token": token}),
    )
    .await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    assert_eq!(approve["latestExecution"]["status"], "Failed");
    let latest = &approve["actionStates"][0]["latestExecution"];
    assert_eq!(latest["status"], "Failed");
    assert_eq!(latest["summary"], "no");
    assert_eq!(latest["errorDetails"]["code"], "JobFailed");
    let exec = approve["latestExecution"]["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (code, _) = err(
        &s,
        "RetryStageExecution",
        json!({"pipelineName": "app", "stageName": "Source", "pipelineExecutionId": exec, "retryMode": "FAILED_ACTIONS"}),
    )
    .await;
    assert_eq!(code, "StageNotRetryableException");
    ok(
        &s,
        "RetryStageExecution",
        json!({"pipelineName": "app", "stageName": "Approve", "pipelineExecutionId": exec, "retryMode": "FAILED_ACTIONS"}),
    )
    .await;
    let got = ok(
        &s,
        "GetPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": exec}),
    )
    .await;
    assert_eq!(got["pipelineExecution"]["status"], "InProgress");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let again = &stage(&state, "Approve")["actionStates"][0]["latestExecution"];
    assert_eq!(again["status"], "InProgress");
    assert_ne!(again["token"].as_str(), Some(token.as_str()), "a new token");
    let all = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": exec}}),
    )
    .await;
    assert_eq!(
        all["actionExecutionDetails"].as_array().map(Vec::len),
        Some(3)
    );
    let latest = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"latestInPipelineExecution": {"pipelineExecutionId": exec, "startTimeRange": "Latest"}}}),
    )
    .await;
    assert_eq!(
        latest["actionExecutionDetails"].as_array().map(Vec::len),
        Some(2),
        "the retried approval once"
    );
    let meta = &stage(&state, "Approve")["retryStageMetadata"];
    assert_eq!(meta["manualStageRetryAttempt"], 1);
    assert_eq!(meta["latestRetryTrigger"], "ManualStageRetry");
    // This pipeline declares no stage conditions: no rule runs, and none is there to override.
    let rules = ok(&s, "ListRuleExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(rules["ruleExecutionDetails"], json!([]));
    let (code, _) = err(
        &s,
        "OverrideStageCondition",
        json!({"pipelineName": "app", "stageName": "Approve", "pipelineExecutionId": exec, "conditionType": "BEFORE_ENTRY"}),
    )
    .await;
    assert_eq!(code, "ConditionNotOverridableException");
}

#[tokio::test]
async fn an_approval_expires_after_seven_virtual_days() {
    let s = MockServer::start().await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    s.clock()
        .advance(Duration::from_secs(7 * 24 * 3600 - 60))
        .await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(
        stage(&state, "Approve")["latestExecution"]["status"],
        "InProgress"
    );
    s.clock().advance(Duration::from_secs(120)).await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(
        stage(&state, "Approve")["latestExecution"]["status"],
        "Failed"
    );
}

#[tokio::test]
async fn stop_with_abandon_and_a_disabled_transition() {
    let s = MockServer::start().await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let first = execs["pipelineExecutionSummaries"][0]["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (code, _) = err(
        &s,
        "StopPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(code, "PipelineExecutionNotFoundException");
    ok(
        &s,
        "StopPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": first, "abandon": true, "reason": "no need"}),
    )
    .await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    assert_eq!(approve["latestExecution"]["status"], "Stopped");
    assert_eq!(
        approve["actionStates"][0]["latestExecution"]["status"],
        "Abandoned"
    );
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(execs["pipelineExecutionSummaries"][0]["status"], "Stopped");
    assert_eq!(
        execs["pipelineExecutionSummaries"][0]["stopTrigger"]["reason"],
        "no need"
    );
    let (code, _) = err(
        &s,
        "StopPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": first}),
    )
    .await;
    assert_eq!(code, "PipelineExecutionNotStoppableException");

    // A disabled inbound transition holds the next execution before Approve.
    ok(
        &s,
        "DisableStageTransition",
        json!({"pipelineName": "app", "stageName": "Approve", "transitionType": "Inbound", "reason": "freeze"}),
    )
    .await;
    let started = ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    let second = started["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    assert_eq!(approve["inboundTransitionState"]["enabled"], false);
    assert_eq!(
        approve["inboundTransitionState"]["disabledReason"],
        "freeze"
    );
    assert_eq!(
        approve["inboundExecution"]["pipelineExecutionId"],
        second.as_str()
    );
    assert_eq!(
        approve["latestExecution"]["pipelineExecutionId"],
        first.as_str()
    );
    ok(
        &s,
        "EnableStageTransition",
        json!({"pipelineName": "app", "stageName": "Approve", "transitionType": "Inbound"}),
    )
    .await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    assert_eq!(
        approve["latestExecution"]["pipelineExecutionId"],
        second.as_str()
    );
    assert_eq!(approve["latestExecution"]["status"], "InProgress");
    assert!(approve["inboundExecution"].is_null());
}

#[tokio::test]
async fn a_missing_source_object_fails_the_source_action() {
    let s = MockServer::start().await;
    assert_eq!(s3(&s, "PUT", "/src-bucket", b"").await.status, 200);
    assert_eq!(s3(&s, "PUT", "/artifacts", b"").await.status, 200);
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let src = stage(&state, "Source");
    assert_eq!(src["latestExecution"]["status"], "Failed");
    let latest = &src["actionStates"][0]["latestExecution"];
    assert_eq!(latest["errorDetails"]["code"], "JobFailed");
    assert!(latest["errorDetails"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("app.zip")));
}

#[tokio::test]
async fn a_custom_action_is_done_by_a_job_worker() {
    let s = MockServer::start().await;
    buckets(&s).await;
    ok(
        &s,
        "CreateCustomActionType",
        json!({"category": "Deploy", "provider": "MyDeployer", "version": "1",
               "configurationProperties": [{"name": "Target", "required": true, "key": true, "secret": false, "queryable": true}],
               "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
               "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 0}}),
    )
    .await;
    let types = ok(
        &s,
        "ListActionTypes",
        json!({"actionOwnerFilter": "Custom"}),
    )
    .await;
    assert_eq!(types["actionTypes"][0]["id"]["provider"], "MyDeployer");
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Custom",
        "actionTypeId": {"category": "Deploy", "owner": "Custom", "provider": "MyDeployer", "version": "1"},
        "configuration": {"Target": "blue"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let type_id =
        json!({"category": "Deploy", "owner": "Custom", "provider": "MyDeployer", "version": "1"});
    let none = ok(
        &s,
        "PollForJobs",
        json!({"actionTypeId": type_id, "queryParam": {"Target": "green"}}),
    )
    .await;
    assert_eq!(none["jobs"], json!([]));
    let polled = ok(
        &s,
        "PollForJobs",
        json!({"actionTypeId": type_id, "maxBatchSize": 5}),
    )
    .await;
    let job = &polled["jobs"][0];
    let id = job["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(job["data"]["pipelineContext"]["stage"]["name"], "Approve");
    assert_eq!(
        job["data"]["actionConfiguration"]["configuration"]["Target"],
        "blue"
    );
    assert_eq!(
        job["data"]["inputArtifacts"][0]["location"]["s3Location"]["bucketName"],
        "artifacts"
    );
    let (code, _) = err(&s, "AcknowledgeJob", json!({"jobId": id, "nonce": "bad"})).await;
    assert_eq!(code, "InvalidNonceException");
    let ack = ok(
        &s,
        "AcknowledgeJob",
        json!({"jobId": id, "nonce": job["nonce"]}),
    )
    .await;
    assert_eq!(ack["status"], "InProgress");
    ok(
        &s,
        "PutJobSuccessResult",
        json!({"jobId": id, "executionDetails": {"summary": "deployed", "externalExecutionId": "x-1"}}),
    )
    .await;
    let (code, _) = err(&s, "PutJobSuccessResult", json!({"jobId": id})).await;
    assert_eq!(code, "InvalidJobStateException");
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(
        execs["pipelineExecutionSummaries"][0]["status"],
        "Succeeded"
    );
}

#[tokio::test]
async fn a_lambda_invoke_action_is_completed_by_its_job_result() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Fn",
        "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1"},
        "configuration": {"FunctionName": "checker", "UserParameters": "x"}
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let invoked = s.invocations().list();
    assert_eq!(invoked.len(), 1);
    let event = invoked[0].payload_json().expect("json");
    let job = &event["CodePipeline.job"];
    assert_eq!(
        job["data"]["actionConfiguration"]["configuration"]["UserParameters"],
        "x"
    );
    let id = job["id"].as_str().unwrap_or_default().to_owned();
    ok(
        &s,
        "PutJobFailureResult",
        json!({"jobId": id, "failureDetails": {"type": "JobFailed", "message": "check failed"}}),
    )
    .await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let latest = &stage(&state, "Approve")["actionStates"][0]["latestExecution"];
    assert_eq!(latest["status"], "Failed");
    assert_eq!(latest["errorDetails"]["message"], "check failed");
}

#[tokio::test]
async fn a_failing_outcome_rule_fails_a_simulated_deploy() {
    let s = MockServer::start().await;
    buckets(&s).await;
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codepipeline", codemock::outcomes::Outcome::Failed)
            .resource("app")
            .step("Stack")
            .message("stack rolled back"),
    );
    let mut p = pipeline("app");
    p["stages"].as_array_mut().map(|s| s.remove(1));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let latest = &stage(&state, "Deploy")["actionStates"][0]["latestExecution"];
    assert_eq!(latest["status"], "Failed");
    assert_eq!(latest["errorDetails"]["message"], "stack rolled back");
}

async fn statuses(s: &MockServer, name: &str) -> Vec<(String, String)> {
    let execs = ok(s, "ListPipelineExecutions", json!({"pipelineName": name})).await;
    let mut out: Vec<(String, String)> = execs["pipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["pipelineExecutionId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.reverse(); // oldest first
    out
}

#[tokio::test]
async fn a_newer_execution_supersedes_the_one_waiting_and_queued_mode_waits() {
    for (mode, expected) in [
        (None, ["InProgress", "Superseded", "InProgress"]),
        (Some("QUEUED"), ["InProgress", "InProgress", "InProgress"]),
    ] {
        let s = MockServer::start().await;
        buckets(&s).await;
        let mut p = pipeline("app");
        if let Some(mode) = mode {
            p["pipelineType"] = json!("V2");
            p["executionMode"] = json!(mode);
        }
        ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
        s.settle().await; // the first waits for its approval
        ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
        s.settle().await; // the second waits for Approve
        ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
        s.settle().await; // the third arrives at the same wait
        let got = statuses(&s, "app").await;
        let got: Vec<&str> = got.iter().map(|(_, st)| st.as_str()).collect();
        assert_eq!(got, expected, "mode {mode:?}");
        let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
        let approve = stage(&state, "Approve");
        if mode.is_some() {
            assert_eq!(
                approve["inboundExecutions"].as_array().map(Vec::len),
                Some(2)
            );
        } else {
            assert!(approve["inboundExecution"]["pipelineExecutionId"].is_string());
        }
        let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
        let first = &execs["pipelineExecutionSummaries"][2];
        if mode.is_some() {
            assert_eq!(first["executionMode"], "QUEUED");
        }
    }
}

#[tokio::test]
async fn v2_pipeline_variables_resolve_with_defaults_and_overrides() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["pipelineType"] = json!("V2");
    p["variables"] = json!([{"name": "env", "defaultValue": "dev"}]);
    p["stages"].as_array_mut().map(|s| s.remove(1));
    p["stages"][1]["actions"][0]["configuration"]["StackName"] =
        json!("app-#{variables.env}-#{codepipeline.PipelineExecutionId}");
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let (code, _) = err(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "variables": [{"name": "nope", "value": "x"}]}),
    )
    .await;
    assert_eq!(code, "ValidationException");
    let started = ok(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "variables": [{"name": "env", "value": "prod"}]}),
    )
    .await;
    let id = started["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.settle().await;
    let got = ok(
        &s,
        "GetPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": id}),
    )
    .await;
    assert_eq!(
        got["pipelineExecution"]["variables"],
        json!([{"name": "env", "resolvedValue": "prod"}])
    );
    assert_eq!(
        got["pipelineExecution"]["trigger"]["triggerType"],
        "StartPipelineExecution"
    );
    let actions = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": id}}),
    )
    .await;
    assert_eq!(
        actions["actionExecutionDetails"][0]["input"]["resolvedConfiguration"]["StackName"],
        format!("app-prod-{id}")
    );
    assert_eq!(
        actions["actionExecutionDetails"].as_array().map(Vec::len),
        Some(2),
        "only this execution's actions"
    );
}

#[tokio::test]
async fn a_codebuild_action_fails_with_codebuilds_answer_when_it_refuses_the_build() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Build",
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "does-not-exist"},
        "inputArtifacts": [{"name": "SourceArtifact"}],
        "outputArtifacts": [{"name": "BuildArtifact"}]
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    assert_eq!(approve["latestExecution"]["status"], "Failed");
    let latest = &approve["actionStates"][0]["latestExecution"];
    assert_eq!(latest["status"], "Failed");
    assert_eq!(latest["errorDetails"]["code"], "JobFailed");
}

#[tokio::test]
async fn put_action_revision_starts_an_execution_for_a_new_revision_only() {
    let s = MockServer::start().await;
    let first = buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    s.settle().await;
    let same = ok(
        &s,
        "PutActionRevision",
        json!({"pipelineName": "app", "stageName": "Source", "actionName": "Src",
               "actionRevision": {"revisionId": first, "revisionChangeId": first, "created": 1}}),
    )
    .await;
    assert_eq!(same["newRevision"], false);
    let r = s3(&s, "PUT", "/src-bucket/app.zip", b"PK-second").await;
    let second = r.header("x-amz-version-id").unwrap_or_default().to_owned();
    let new = ok(
        &s,
        "PutActionRevision",
        json!({"pipelineName": "app", "stageName": "Source", "actionName": "Src",
               "actionRevision": {"revisionId": second, "revisionChangeId": second, "created": 1}}),
    )
    .await;
    assert_eq!(new["newRevision"], true);
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let latest = &execs["pipelineExecutionSummaries"][0];
    assert_eq!(latest["trigger"]["triggerType"], "PutActionRevision");
    assert_eq!(latest["sourceRevisions"][0]["revisionId"], second.as_str());
}

#[tokio::test]
async fn rule_types_are_listed() {
    let s = MockServer::start().await;
    let rules = ok(&s, "ListRuleTypes", json!({})).await;
    assert!(rules["ruleTypes"]
        .as_array()
        .is_some_and(|r| r.iter().any(|t| t["id"]["provider"] == "VariableCheck")));
}

#[tokio::test]
async fn the_start_port_starts_an_execution_for_an_eventbridge_target() {
    use codemock::services::codepipeline::ports::Command;
    let s = MockServer::start().await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": pipeline("app")})).await;
    let mut effects = codemock::effects::Effects::new();
    effects.send(
        ACCOUNT,
        "us-east-1",
        Command::StartPipelineExecution {
            name: "app".into(),
            trigger_type: "CloudWatchEvent".into(),
            trigger_detail: Some("arn:aws:events:us-east-1:000000000000:rule/r".into()),
        },
    );
    s.core().apply(effects);
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let latest = &execs["pipelineExecutionSummaries"][0];
    assert_eq!(latest["trigger"]["triggerType"], "CloudWatchEvent");
    assert_eq!(
        latest["trigger"]["triggerDetail"],
        "arn:aws:events:us-east-1:000000000000:rule/r"
    );
}

#[tokio::test]
async fn a_codebuild_action_runs_a_real_codemock_build() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let r = call(
        &s,
        "CodeBuild_20161006.CreateProject",
        &json!({
            "name": "builder",
            "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            "serviceRole": format!("arn:aws:iam::{ACCOUNT}:role/cb"),
        })
        .to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Build",
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "builder"},
        "inputArtifacts": [{"name": "SourceArtifact"}],
        "outputArtifacts": [{"name": "BuildArtifact"}],
        "namespace": "BuildVariables"
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    s.clock().advance(Duration::from_secs(3600)).await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let build = &stage(&state, "Approve")["actionStates"][0]["latestExecution"];
    assert_eq!(build["status"], "Succeeded", "{state}");
    let build_id = build["externalExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(build_id.starts_with("builder:"), "{build_id}");
    let builds = call(
        &s,
        "CodeBuild_20161006.BatchGetBuilds",
        &json!({"ids": [build_id]}).to_string(),
    )
    .await
    .json();
    assert_eq!(builds["builds"][0]["initiator"], "codepipeline/app");
    assert_eq!(builds["builds"][0]["buildStatus"], "SUCCEEDED");
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(
        execs["pipelineExecutionSummaries"][0]["status"],
        "Succeeded"
    );
}

#[tokio::test]
async fn a_polled_s3_source_starts_an_execution_for_a_new_object_version() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][0]["actions"][0]["configuration"]
        .as_object_mut()
        .map(|c| c.remove("PollForSourceChanges"));
    p["stages"].as_array_mut().map(|s| s.remove(1));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    s.clock().advance(Duration::from_secs(300)).await;
    assert_eq!(
        statuses(&s, "app").await.len(),
        1,
        "the same version starts nothing"
    );
    let r = s3(&s, "PUT", "/src-bucket/app.zip", b"PK-v2").await;
    let v2 = r.header("x-amz-version-id").unwrap_or_default().to_owned();
    s.clock().advance(Duration::from_secs(61)).await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let list = execs["pipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["trigger"]["triggerType"], "PollForSourceChanges");
    assert_eq!(list[0]["sourceRevisions"][0]["revisionId"], v2.as_str());
    assert_eq!(list[0]["status"], "Succeeded");
    s.clock().advance(Duration::from_secs(600)).await;
    assert_eq!(statuses(&s, "app").await.len(), 2);
}

#[tokio::test]
async fn a_client_token_starts_one_execution_and_third_party_workers_use_client_tokens() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Partner",
        "actionTypeId": {"category": "Test", "owner": "ThirdParty", "provider": "Partner", "version": "1"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    let a = ok(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "clientRequestToken": "tok-1"}),
    )
    .await;
    let b = ok(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "clientRequestToken": "tok-1"}),
    )
    .await;
    assert_eq!(a["pipelineExecutionId"], b["pipelineExecutionId"]);
    assert_eq!(statuses(&s, "app").await.len(), 2);
    s.settle().await;
    let type_id =
        json!({"category": "Test", "owner": "ThirdParty", "provider": "Partner", "version": "1"});
    let polled = ok(
        &s,
        "PollForThirdPartyJobs",
        json!({"actionTypeId": type_id}),
    )
    .await;
    let job = &polled["jobs"][0];
    let (id, client) = (job["jobId"].clone(), job["clientId"].clone());
    let (code, _) = err(
        &s,
        "GetThirdPartyJobDetails",
        json!({"jobId": id, "clientToken": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(code, "InvalidClientTokenException");
    let details = ok(
        &s,
        "GetThirdPartyJobDetails",
        json!({"jobId": id, "clientToken": client}),
    )
    .await;
    let nonce = details["jobDetails"]["nonce"].clone();
    let ack = ok(
        &s,
        "AcknowledgeThirdPartyJob",
        json!({"jobId": id, "nonce": nonce, "clientToken": client}),
    )
    .await;
    assert_eq!(ack["status"], "InProgress");
    ok(
        &s,
        "PutThirdPartyJobFailureResult",
        json!({"jobId": id, "clientToken": client, "failureDetails": {"type": "JobFailed", "message": "partner says no"}}),
    )
    .await;
    s.settle().await;
    let actions = ok(&s, "ListActionExecutions", json!({"pipelineName": "app"})).await;
    let failed: Vec<Value> = actions["actionExecutionDetails"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["actionName"] == "Partner" && d["status"] == "Failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0]["output"]["executionResult"]["errorDetails"]["message"],
        "partner says no"
    );
    // The waiting execution entered the stage once the first one failed: its own job is queued.
    let next = ok(
        &s,
        "PollForThirdPartyJobs",
        json!({"actionTypeId": type_id}),
    )
    .await;
    assert_eq!(next["jobs"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn abandoning_an_execution_stops_its_running_build() {
    let s = MockServer::start().await;
    buckets(&s).await;
    call(
        &s,
        "CodeBuild_20161006.CreateProject",
        &json!({
            "name": "builder",
            "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            "serviceRole": format!("arn:aws:iam::{ACCOUNT}:role/cb"),
        })
        .to_string(),
    )
    .await;
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0] = json!({
        "name": "Build",
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "builder"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let approve = stage(&state, "Approve");
    let build = &approve["actionStates"][0]["latestExecution"];
    assert_eq!(build["status"], "InProgress");
    let build_id = build["externalExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!build_id.is_empty(), "the build id is known while it runs");
    let exec = approve["latestExecution"]["pipelineExecutionId"].clone();
    ok(
        &s,
        "StopPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": exec, "abandon": true}),
    )
    .await;
    s.clock().advance(Duration::from_secs(600)).await;
    let builds = call(
        &s,
        "CodeBuild_20161006.BatchGetBuilds",
        &json!({"ids": [build_id]}).to_string(),
    )
    .await
    .json();
    assert_eq!(builds["builds"][0]["buildStatus"], "STOPPED");
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(execs["pipelineExecutionSummaries"][0]["status"], "Stopped");
}

#[tokio::test]
async fn a_codedeploy_action_fails_with_codedeploys_answer_when_it_refuses() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][2]["actions"][0] = json!({
        "name": "Deploy",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeploy", "version": "1"},
        "configuration": {"ApplicationName": "missing", "DeploymentGroupName": "missing"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    });
    p["stages"].as_array_mut().map(|s| s.remove(1));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let latest = &stage(&state, "Deploy")["actionStates"][0]["latestExecution"];
    assert_eq!(latest["status"], "Failed");
    assert_eq!(latest["errorDetails"]["code"], "JobFailed");
}

#[tokio::test]
async fn rollback_stage_reruns_a_stage_with_an_earlier_executions_artifacts() {
    let s = MockServer::start().await;
    let first_version = buckets(&s).await;
    let mut p = pipeline("app");
    p["pipelineType"] = json!("V2");
    p["stages"].as_array_mut().map(|s| s.remove(1));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let good = statuses(&s, "app").await[0].0.clone();
    s3(&s, "PUT", "/src-bucket/app.zip", b"PK-broken").await;
    ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    let r = ok(
        &s,
        "RollbackStage",
        json!({"pipelineName": "app", "stageName": "Deploy", "targetPipelineExecutionId": good}),
    )
    .await;
    let id = r["pipelineExecutionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.settle().await;
    let got = ok(
        &s,
        "GetPipelineExecution",
        json!({"pipelineName": "app", "pipelineExecutionId": id}),
    )
    .await;
    let e = &got["pipelineExecution"];
    assert_eq!(e["status"], "Succeeded");
    assert_eq!(e["executionType"], "ROLLBACK");
    assert_eq!(e["trigger"]["triggerType"], "ManualRollback");
    assert_eq!(
        e["rollbackMetadata"]["rollbackTargetPipelineExecutionId"],
        good.as_str()
    );
    let actions = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": id}}),
    )
    .await;
    let details = actions["actionExecutionDetails"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(details.len(), 1, "only the rolled-back stage runs");
    assert_eq!(
        details[0]["input"]["resolvedConfiguration"]["StackName"],
        format!("app-{first_version}"),
        "with the target's variables"
    );
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(
        stage(&state, "Deploy")["latestExecution"]["type"],
        "ROLLBACK"
    );
    let (code, _) = err(
        &s,
        "RollbackStage",
        json!({"pipelineName": "app", "stageName": "Source", "targetPipelineExecutionId": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(code, "PipelineExecutionNotFoundException");
}

#[tokio::test]
async fn an_approval_with_a_timeout_expires_after_it() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("app");
    p["stages"][1]["actions"][0]["timeoutInMinutes"] = json!(30);
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    s.clock().advance(Duration::from_secs(29 * 60)).await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(
        stage(&state, "Approve")["latestExecution"]["status"],
        "InProgress"
    );
    s.clock().advance(Duration::from_secs(120)).await;
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert_eq!(
        stage(&state, "Approve")["latestExecution"]["status"],
        "Failed"
    );
}

/// The wall time of 3-stage runs to completion on the manual clock (run with `--ignored
/// --nocapture`; a debug build's figure).
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn three_stage_runs_wall_time() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut p = pipeline("bench");
    p["stages"][1]["actions"][0] = json!({
        "name": "Test",
        "actionTypeId": {"category": "Test", "owner": "AWS", "provider": "ECS", "version": "1"},
        "configuration": {"ClusterName": "c", "ServiceName": "s"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    });
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let runs = 200;
    let started = std::time::Instant::now();
    for _ in 0..runs {
        ok(&s, "StartPipelineExecution", json!({"name": "bench"})).await;
        s.settle().await;
    }
    let elapsed = started.elapsed();
    let statuses = statuses(&s, "bench").await;
    assert!(statuses.iter().all(|(_, st)| st == "Succeeded"));
    println!(
        "3-stage run to completion: {:.2} ms each, {:.0} executions/s",
        elapsed.as_secs_f64() * 1000.0 / f64::from(runs),
        f64::from(runs) / elapsed.as_secs_f64()
    );
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, text) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            std::io::Write::write_all(&mut w, text.as_bytes()).expect("write");
        }
        w.finish().expect("zip");
    }
    out.into_inner()
}

#[tokio::test]
async fn a_local_builds_exported_variable_resolves_in_the_deploy_configuration() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let body = zip_of(&[("hello.txt", "hi there")]);
    let req = http::Request::put("/src-bucket/app.zip")
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    assert_eq!(send(&s, req).await.status, 200);
    let buildspec = "version: 0.2\nenv:\n  exported-variables:\n    - WORDS\nphases:\n  build:\n    commands:\n      - export WORDS=words-$(cat hello.txt | wc -w | tr -d ' ')\n";
    let r = call(
        &s,
        "CodeBuild_20161006.CreateProject",
        &json!({
            "name": "builder",
            "source": {"type": "CODEPIPELINE", "buildspec": buildspec},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            "serviceRole": format!("arn:aws:iam::{ACCOUNT}:role/cb"),
            "tags": [{"key": "codemock:executor", "value": "local"}],
        })
        .to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let mut p = pipeline("app");
    p["stages"][1] = json!({"name": "Build", "actions": [{
        "name": "Build",
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "builder"},
        "inputArtifacts": [{"name": "SourceArtifact"}],
        "namespace": "BuildVariables"
    }]});
    p["stages"][2]["actions"][0]["configuration"]["StackName"] =
        json!("app-#{BuildVariables.WORDS}");
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    for _ in 0..20 {
        s.settle().await;
        s.clock().advance(Duration::from_secs(60)).await;
    }
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let exec = &execs["pipelineExecutionSummaries"][0];
    assert_eq!(exec["status"], "Succeeded", "{execs}");
    let actions = ok(&s, "ListActionExecutions", json!({"pipelineName": "app"})).await;
    let deploy = &actions["actionExecutionDetails"][0];
    assert_eq!(
        deploy["input"]["resolvedConfiguration"]["StackName"],
        "app-words-2"
    );
    let build = &actions["actionExecutionDetails"][1];
    assert_eq!(build["output"]["outputVariables"]["WORDS"], "words-2");
}

// Stage conditions and automatic retries and rollbacks, on the manual clock.

/// A V2 pipeline Source (S3) -> Deploy (simulated CloudFormation) whose Deploy stage gets
/// `deploy` merged in (conditions, onFailure), with pipeline variable `env` (default `dev`).
fn gated_pipeline(deploy: Value) -> Value {
    let mut p = pipeline("app");
    p["pipelineType"] = json!("V2");
    p["variables"] = json!([{"name": "env", "defaultValue": "dev"}]);
    if let Some(stages) = p["stages"].as_array_mut() {
        stages.remove(1);
        if let (Some(d), Some(extra)) = (stages[1].as_object_mut(), deploy.as_object()) {
            for (k, v) in extra {
                d.insert(k.clone(), v.clone());
            }
        }
    }
    p
}

fn rule(name: &str, provider: &str, configuration: Value) -> Value {
    json!({
        "name": name,
        "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": configuration,
    })
}

async fn newest(s: &MockServer) -> Value {
    let execs = ok(s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    execs["pipelineExecutionSummaries"][0].clone()
}

/// 2024-01-01T00:00:00Z, a Monday.
fn monday_midnight() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

#[tokio::test]
async fn a_before_entry_variable_check_that_fails_fails_the_stage_before_it_runs() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let p = gated_pipeline(
        json!({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [
            rule("IsProd", "VariableCheck", json!({"Variable": "#{variables.env}", "Operator": "EQ", "Value": "prod"}))
        ]}]}}),
    );
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let first = newest(&s).await;
    assert_eq!(first["status"], "Failed");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let deploy = stage(&state, "Deploy");
    assert_eq!(deploy["latestExecution"]["status"], "Failed");
    assert!(
        deploy["actionStates"][0]["latestExecution"].is_null(),
        "the action never ran: {deploy}"
    );
    let cond = &deploy["beforeEntryConditionState"];
    assert_eq!(cond["latestExecution"]["status"], "Failed");
    let rule_state = &cond["conditionStates"][0]["ruleStates"][0];
    assert_eq!(rule_state["ruleName"], "IsProd");
    assert_eq!(rule_state["latestExecution"]["status"], "Failed");
    let rules = ok(&s, "ListRuleExecutions", json!({"pipelineName": "app"})).await;
    let detail = &rules["ruleExecutionDetails"][0];
    assert_eq!(detail["status"], "Failed");
    assert_eq!(detail["stageName"], "Deploy");
    assert_eq!(detail["pipelineExecutionId"], first["pipelineExecutionId"]);
    assert_eq!(detail["input"]["resolvedConfiguration"]["Variable"], "dev");
    assert_eq!(detail["input"]["ruleTypeId"]["provider"], "VariableCheck");
    // With the variable set to prod the condition is met and the stage runs.
    let started = ok(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "variables": [{"name": "env", "value": "prod"}]}),
    )
    .await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Succeeded");
    let filtered = ok(
        &s,
        "ListRuleExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": started["pipelineExecutionId"]}}),
    )
    .await;
    assert_eq!(
        filtered["ruleExecutionDetails"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(filtered["ruleExecutionDetails"][0]["status"], "Succeeded");
}

#[tokio::test]
async fn a_before_entry_variable_check_with_skip_skips_the_stage() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let p = gated_pipeline(
        json!({"beforeEntry": {"conditions": [{"result": "SKIP", "rules": [
            rule("IsProd", "VariableCheck", json!({"Variable": "#{variables.env}", "Operator": "EQ", "Value": "prod"}))
        ]}]}}),
    );
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Succeeded");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    assert!(stage(&state, "Deploy")["actionStates"][0]["latestExecution"].is_null());
}

fn window_pipeline() -> Value {
    gated_pipeline(
        json!({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [
            rule("BusinessHours", "DeploymentWindow", json!({"Cron": "* * 9-17 ? * MON-FRI", "TimeZone": "UTC"}))
        ]}]}}),
    )
}

#[tokio::test]
async fn a_deployment_window_holds_the_execution_until_the_window_opens() {
    let s = MockServer::builder()
        .start_time(monday_midnight())
        .start()
        .await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": window_pipeline()})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "InProgress");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let deploy = stage(&state, "Deploy");
    assert_eq!(
        deploy["beforeEntryConditionState"]["latestExecution"]["status"],
        "InProgress"
    );
    assert!(deploy["actionStates"][0]["latestExecution"].is_null());
    // 08:59: still closed.
    s.clock()
        .advance(Duration::from_secs(8 * 3600 + 59 * 60))
        .await;
    assert_eq!(newest(&s).await["status"], "InProgress");
    // 09:00: the window opens and the stage runs.
    s.clock().advance(Duration::from_secs(60)).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Succeeded");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let cond = &stage(&state, "Deploy")["beforeEntryConditionState"];
    assert_eq!(cond["latestExecution"]["status"], "Succeeded");
    assert_eq!(
        cond["conditionStates"][0]["ruleStates"][0]["latestExecution"]["status"],
        "Succeeded"
    );
}

#[tokio::test]
async fn override_stage_condition_releases_a_waiting_before_entry_condition() {
    let s = MockServer::builder()
        .start_time(monday_midnight())
        .start()
        .await;
    buckets(&s).await;
    ok(&s, "CreatePipeline", json!({"pipeline": window_pipeline()})).await;
    s.settle().await;
    let exec = newest(&s).await["pipelineExecutionId"].clone();
    // The onSuccess condition is not in progress: nothing to override there.
    let (code, _) = err(
        &s,
        "OverrideStageCondition",
        json!({"pipelineName": "app", "stageName": "Deploy", "pipelineExecutionId": exec, "conditionType": "ON_SUCCESS"}),
    )
    .await;
    assert_eq!(code, "ConditionNotOverridableException");
    let r = ok(
        &s,
        "OverrideStageCondition",
        json!({"pipelineName": "app", "stageName": "Deploy", "pipelineExecutionId": exec, "conditionType": "BEFORE_ENTRY"}),
    )
    .await;
    assert_eq!(r, json!({}));
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Succeeded");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let cond = &stage(&state, "Deploy")["beforeEntryConditionState"];
    assert_eq!(cond["latestExecution"]["status"], "Overridden");
    let rules = ok(&s, "ListRuleExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(rules["ruleExecutionDetails"][0]["status"], "Abandoned");
    // Once released, the condition is no longer overridable.
    let (code, _) = err(
        &s,
        "OverrideStageCondition",
        json!({"pipelineName": "app", "stageName": "Deploy", "pipelineExecutionId": exec, "conditionType": "BEFORE_ENTRY"}),
    )
    .await;
    assert_eq!(code, "ConditionNotOverridableException");
}

#[tokio::test]
async fn on_failure_retry_retries_a_failed_stage_once_automatically() {
    let s = MockServer::start().await;
    buckets(&s).await;
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codepipeline", codemock::outcomes::Outcome::Failed)
            .resource("app")
            .step("Stack")
            .count(1),
    );
    let p = gated_pipeline(
        json!({"onFailure": {"result": "RETRY", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}}}),
    );
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let exec = newest(&s).await;
    assert_eq!(exec["status"], "Succeeded", "the retry succeeded");
    let actions = ok(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": exec["pipelineExecutionId"]}}),
    )
    .await;
    let stack: Vec<&Value> = actions["actionExecutionDetails"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["actionName"] == "Stack").collect())
        .unwrap_or_default();
    let states: Vec<&Value> = stack.iter().map(|d| &d["status"]).collect();
    assert_eq!(states, vec!["Succeeded", "Failed"], "newest first");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let meta = &stage(&state, "Deploy")["retryStageMetadata"];
    assert_eq!(meta["autoStageRetryAttempt"], 1);
    assert_eq!(meta["manualStageRetryAttempt"], 0);
    assert_eq!(meta["latestRetryTrigger"], "AutomatedStageRetry");
    // A stage that fails again after its automatic retry fails the execution.
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codepipeline", codemock::outcomes::Outcome::Failed)
            .resource("app")
            .step("Stack")
            .count(2),
    );
    ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Failed");
}

#[tokio::test]
async fn on_failure_rollback_rolls_the_stage_back_to_the_last_successful_execution() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let p = gated_pipeline(json!({"onFailure": {"result": "ROLLBACK"}}));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let good = newest(&s).await;
    assert_eq!(good["status"], "Succeeded");
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codepipeline", codemock::outcomes::Outcome::Failed)
            .resource("app")
            .step("Stack")
            .count(1),
    );
    let bad = ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    let execs = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let list = execs["pipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 3, "{list:?}");
    let rollback = &list[0];
    assert_eq!(rollback["executionType"], "ROLLBACK");
    assert_eq!(rollback["trigger"]["triggerType"], "AutomatedRollback");
    assert_eq!(rollback["status"], "Succeeded");
    assert_eq!(
        rollback["rollbackMetadata"]["rollbackTargetPipelineExecutionId"],
        good["pipelineExecutionId"]
    );
    assert_eq!(list[1]["pipelineExecutionId"], bad["pipelineExecutionId"]);
    assert_eq!(list[1]["status"], "Failed");
    let state = ok(&s, "GetPipelineState", json!({"name": "app"})).await;
    let latest = &stage(&state, "Deploy")["latestExecution"];
    assert_eq!(
        latest["pipelineExecutionId"],
        rollback["pipelineExecutionId"]
    );
    assert_eq!(latest["type"], "ROLLBACK");
}

#[tokio::test]
async fn an_on_success_alarm_rule_waits_then_rolls_back_while_the_alarm_stays_on() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let p = gated_pipeline(
        json!({"onSuccess": {"conditions": [{"result": "ROLLBACK", "rules": [
            rule("NoAlarm", "CloudWatchAlarm", json!({"AlarmName": "app-errors", "AlarmStates": "ALARM", "WaitTime": "5"}))
        ]}]}}),
    );
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    let good = newest(&s).await;
    assert_eq!(
        good["status"], "Succeeded",
        "no alarm: the condition is met"
    );
    // The alarm goes on (the control API's alarm states, shared with CodeDeploy).
    s.codedeploy()
        .set_alarm_state("app-errors", "ALARM")
        .expect("a valid state");
    ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    assert_eq!(
        newest(&s).await["status"],
        "InProgress",
        "waiting for the alarm"
    );
    s.clock().advance(Duration::from_secs(5 * 60)).await;
    s.settle().await;
    let list = ok(&s, "ListPipelineExecutions", json!({"pipelineName": "app"})).await;
    let list = list["pipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list[1]["status"], "Failed");
    assert_eq!(list[0]["trigger"]["triggerType"], "AutomatedRollback");
}

#[tokio::test]
async fn a_lambda_invoke_rule_is_answered_by_the_registered_response() {
    let s = MockServer::start().await;
    buckets(&s).await;
    s.invocations().respond(
        codemock::invocations::ResponseRule::error(
            "gate-fn",
            "ResourceNotFoundException",
            "Function not found",
        )
        .count(1),
    );
    let p = gated_pipeline(json!({"beforeEntry": {"conditions": [{"rules": [
        rule("Gate", "LambdaInvoke", json!({"FunctionName": "gate-fn", "UserParameters": "x"}))
    ]}]}}));
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Failed");
    let invoked: Vec<_> = s
        .invocations()
        .list()
        .into_iter()
        .filter(|i| i.function == "gate-fn")
        .collect();
    assert_eq!(invoked.len(), 1);
    let payload = invoked[0].payload_json().unwrap_or_default();
    assert_eq!(payload["ruleName"], "Gate");
    assert_eq!(payload["configuration"]["UserParameters"], "x");
    // Without an error the function's answer succeeds the rule.
    ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    let rules = ok(&s, "ListRuleExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(
        rules["ruleExecutionDetails"][0]["status"], "Succeeded",
        "{rules}"
    );
    assert_eq!(newest(&s).await["status"], "Succeeded");
}

#[tokio::test]
async fn conditions_aws_refuses_are_refused() {
    let s = MockServer::start().await;
    let mut v1 = gated_pipeline(json!({"onFailure": {"result": "ROLLBACK"}}));
    v1["pipelineType"] = json!("V1");
    v1.as_object_mut().map(|o| o.remove("variables"));
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": v1})).await;
    assert_eq!(code, "ValidationException");
    let skip_on_success = gated_pipeline(
        json!({"onSuccess": {"conditions": [{"result": "SKIP", "rules": [
            rule("W", "DeploymentWindow", json!({"Cron": "* * * ? * *"}))
        ]}]}}),
    );
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": skip_on_success})).await;
    assert_eq!(code, "InvalidStructureException");
}

fn bundle_with_appspec() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("appspec.yml", opts).expect("entry");
        std::io::Write::write_all(&mut w, b"version: 0.0\nos: linux\n").expect("write");
        w.finish().expect("zip");
    }
    buf.into_inner()
}

#[tokio::test]
async fn list_deploy_action_execution_targets_answers_the_deployments_instances() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let req = http::Request::put("/src-bucket/bundle.zip")
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(Full::new(Bytes::from(bundle_with_appspec())))
        .expect("request");
    assert_eq!(send(&s, req).await.status, 200);
    on_premises_fleet(&s, "prod", "CodeDeployDefault.AllAtOnce").await;
    let mut p = pipeline("app");
    p["stages"][0]["actions"][0]["configuration"]["S3ObjectKey"] = json!("bundle.zip");
    p["stages"] = json!([p["stages"][0], {"name": "Deploy", "actions": [{
        "name": "Fleet",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeploy", "version": "1"},
        "configuration": {"ApplicationName": "web", "DeploymentGroupName": "prod"},
        "inputArtifacts": [{"name": "SourceArtifact"}]
    }]}]);
    ok(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.clock().advance(Duration::from_secs(600)).await;
    let exec = newest(&s).await;
    assert_eq!(exec["status"], "Succeeded", "{exec:#}");
    let actions = ok(&s, "ListActionExecutions", json!({"pipelineName": "app"})).await;
    let fleet = actions["actionExecutionDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["actionName"] == "Fleet"))
        .cloned()
        .unwrap_or_default();
    let targets = ok(
        &s,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "app", "actionExecutionId": fleet["actionExecutionId"]}),
    )
    .await;
    let list = targets["targets"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&Value> = list.iter().map(|t| &t["targetId"]).collect();
    assert_eq!(ids, vec!["box-1", "box-2"], "{targets:#}");
    assert_eq!(list[0]["status"], "Succeeded");
    assert_eq!(list[0]["targetType"], "InstanceTarget");
    assert!(list[0]["endTime"].is_number());
    assert!(list[0]["events"]
        .as_array()
        .is_some_and(|e| e.iter().any(|e| e["name"] == "Install")));
    let none = ok(
        &s,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "app", "actionExecutionId": fleet["actionExecutionId"],
               "filters": [{"name": "TARGET_STATUS", "values": ["Failed"]}]}),
    )
    .await;
    assert_eq!(none["targets"], json!([]));
    let page = ok(
        &s,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "app", "actionExecutionId": fleet["actionExecutionId"], "maxResults": 1}),
    )
    .await;
    assert_eq!(page["targets"].as_array().map(Vec::len), Some(1));
    assert!(page["nextToken"].is_string());
    let (code, _) = err(
        &s,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "app", "actionExecutionId": "nope"}),
    )
    .await;
    assert_eq!(code, "ActionExecutionNotFoundException");
    let (code, _) = err(
        &s,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "other", "actionExecutionId": "nope"}),
    )
    .await;
    assert_eq!(code, "PipelineNotFoundException");
}

#[tokio::test]
async fn a_commands_rule_is_simulated_and_fails_as_the_outcome_rule_says() {
    let s = MockServer::start().await;
    buckets(&s).await;
    let mut commands = rule("Smoke", "Commands", json!({}));
    commands["commands"] = json!(["curl -f https://example.com/health"]);
    let p = gated_pipeline(
        json!({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [commands]}]}}),
    );
    ok(&s, "CreatePipeline", json!({"pipeline": p.clone()})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Succeeded");

    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codepipeline", codemock::outcomes::Outcome::Failed)
            .resource("app")
            .step("Smoke"),
    );
    ok(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.settle().await;
    assert_eq!(newest(&s).await["status"], "Failed");
    let rules = ok(&s, "ListRuleExecutions", json!({"pipelineName": "app"})).await;
    let detail = &rules["ruleExecutionDetails"][0];
    assert_eq!(detail["status"], "Failed", "{rules:#}");
    assert_eq!(detail["input"]["ruleTypeId"]["provider"], "Commands");

    // An empty command list is refused by the model's length rule (a missing one is accepted:
    // whether AWS refuses it is unrecorded, so codemock stays lenient).
    let mut empty = p;
    empty["name"] = json!("empty");
    empty["stages"][1]["beforeEntry"]["conditions"][0]["rules"][0]["commands"] = json!([]);
    let (code, _) = err(&s, "CreatePipeline", json!({"pipeline": empty})).await;
    assert_eq!(code, "ValidationException");
}

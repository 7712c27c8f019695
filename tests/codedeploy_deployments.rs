//! CodeDeploy deployments over the wire, walked on the manual clock: in-place deployments to
//! on-premises fleets under OneAtATime / HalfAtATime / AllAtOnce, hook order and diagnostics,
//! queueing and stopping, S3 bundles, a Lambda canary completed by
//! PutLifecycleEventHookExecutionStatus, and the state-change events reaching SQS.

use crate::codedeploy_wire::{cd, fails, ok};
use crate::support::{call, send, MockServer};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;

const APPSPEC: &str = "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/install_deps.sh\n      timeout: 300\n  ValidateService:\n    - location: scripts/check.sh\n";

/// An application `web`, a group `prod` on instances tagged env=prod, and `n` such instances
/// (`box-0`..), the ones in `failing` tagged to fail ValidateService.
async fn fleet(s: &MockServer, n: usize, config: &str, failing: &[usize]) {
    ok(s, "CreateApplication", json!({"applicationName": "web"})).await;
    ok(
        s,
        "CreateDeploymentGroup",
        json!({
            "applicationName": "web",
            "deploymentGroupName": "prod",
            "deploymentConfigName": config,
            "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
            "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]
        }),
    )
    .await;
    for i in 0..n {
        let name = format!("box-{i}");
        ok(
            s,
            "RegisterOnPremisesInstance",
            json!({"instanceName": name, "iamUserArn": format!("arn:aws:iam::000000000000:user/{name}")}),
        )
        .await;
        let mut tags = vec![json!({"Key": "env", "Value": "prod"})];
        if failing.contains(&i) {
            tags.push(json!({"Key": "codemock:fail-hook", "Value": "ValidateService"}));
        }
        ok(
            s,
            "AddTagsToOnPremisesInstances",
            json!({"instanceNames": [name], "tags": tags}),
        )
        .await;
    }
}

async fn deploy(s: &MockServer, content: &str) -> String {
    ok(
        s,
        "CreateDeployment",
        json!({
            "applicationName": "web",
            "deploymentGroupName": "prod",
            "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}
        }),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned()
}

async fn info(s: &MockServer, id: &str) -> Value {
    ok(s, "GetDeployment", json!({"deploymentId": id})).await["deploymentInfo"].clone()
}

async fn target(s: &MockServer, id: &str, t: &str) -> Value {
    ok(
        s,
        "GetDeploymentTarget",
        json!({"deploymentId": id, "targetId": t}),
    )
    .await["deploymentTarget"]
        .clone()
}

async fn target_status(s: &MockServer, id: &str, t: &str) -> String {
    let t = target(s, id, t).await;
    t["instanceTarget"]["status"]
        .as_str()
        .expect("ok")
        .to_owned()
}

fn overview(i: &Value) -> (i64, i64, i64, i64, i64) {
    let o = &i["deploymentOverview"];
    let n = |k: &str| o[k].as_i64().expect("ok");
    (
        n("Pending"),
        n("InProgress"),
        n("Succeeded"),
        n("Failed"),
        n("Skipped"),
    )
}

/// Events that run per instance with APPSPEC: DownloadBundle, BeforeInstall, Install,
/// ValidateService, one virtual second each.
const PER_INSTANCE: u64 = 4;

#[tokio::test]
async fn one_at_a_time_updates_instances_in_turn_with_hooks_in_aws_order() {
    let s = MockServer::start().await;
    fleet(&s, 3, "CodeDeployDefault.OneAtATime", &[]).await;
    let id = deploy(&s, APPSPEC).await;
    assert!(id.starts_with("d-") && id.len() == 11);
    assert_eq!(info(&s, &id).await["status"], "Created");
    assert_eq!(
        fails(&s, "ListDeploymentTargets", json!({"deploymentId": id})).await,
        "DeploymentNotStartedException"
    );
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "InProgress");
    assert_eq!(overview(&i), (2, 1, 0, 0, 0));
    assert_eq!(target_status(&s, &id, "box-0").await, "InProgress");
    assert_eq!(target_status(&s, &id, "box-1").await, "Pending");
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(target_status(&s, &id, "box-0").await, "Succeeded");
    assert_eq!(target_status(&s, &id, "box-1").await, "InProgress");
    s.clock()
        .advance(Duration::from_secs(2 * PER_INSTANCE))
        .await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(overview(&i), (0, 0, 3, 0, 0));
    assert!(i["completeTime"].as_f64().expect("ok") > i["startTime"].as_f64().expect("ok"));
    let t = target(&s, &id, "box-0").await;
    assert_eq!(t["deploymentTargetType"], "InstanceTarget");
    let events = t["instanceTarget"]["lifecycleEvents"]
        .as_array()
        .expect("ok");
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["lifecycleEventName"].as_str().expect("ok"))
        .collect();
    assert_eq!(
        names,
        [
            "BeforeBlockTraffic",
            "BlockTraffic",
            "AfterBlockTraffic",
            "ApplicationStop",
            "DownloadBundle",
            "BeforeInstall",
            "Install",
            "AfterInstall",
            "ApplicationStart",
            "ValidateService",
            "BeforeAllowTraffic",
            "AllowTraffic",
            "AfterAllowTraffic"
        ]
    );
    let status: Vec<&str> = events
        .iter()
        .map(|e| e["status"].as_str().expect("ok"))
        .collect();
    assert_eq!(
        status,
        [
            "Skipped",
            "Skipped",
            "Skipped",
            "Skipped",
            "Succeeded",
            "Succeeded",
            "Succeeded",
            "Skipped",
            "Skipped",
            "Succeeded",
            "Skipped",
            "Skipped",
            "Skipped"
        ]
    );
    assert_eq!(events[5]["diagnostics"]["errorCode"], "Success");
    assert_eq!(
        events[5]["endTime"].as_f64().expect("ok") - events[5]["startTime"].as_f64().expect("ok"),
        1.0
    );
    let listed = ok(&s, "ListDeploymentTargets", json!({"deploymentId": id})).await;
    assert_eq!(listed["targetIds"], json!(["box-0", "box-1", "box-2"]));
    // The group remembers the deployment and its revision.
    let g = ok(
        &s,
        "GetDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod"}),
    )
    .await["deploymentGroupInfo"]
        .clone();
    assert_eq!(g["lastSuccessfulDeployment"]["deploymentId"], id.as_str());
    assert_eq!(g["targetRevision"]["revisionType"], "AppSpecContent");
}

#[tokio::test]
async fn one_at_a_time_fails_on_the_first_failed_instance_and_skips_the_rest() {
    let s = MockServer::start().await;
    fleet(&s, 3, "CodeDeployDefault.OneAtATime", &[0]).await;
    let id = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(60)).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    assert_eq!(i["errorInformation"]["code"], "HEALTH_CONSTRAINTS");
    assert_eq!(overview(&i), (0, 0, 0, 1, 2));
    let t = target(&s, &id, "box-0").await;
    let v = &t["instanceTarget"]["lifecycleEvents"][9];
    assert_eq!(v["lifecycleEventName"], "ValidateService");
    assert_eq!(v["status"], "Failed");
    assert_eq!(v["diagnostics"]["errorCode"], "ScriptFailed");
    assert_eq!(v["diagnostics"]["scriptName"], "scripts/check.sh");
    assert_eq!(
        v["diagnostics"]["message"],
        "Script at specified location: scripts/check.sh run as user root failed with exit code 1"
    );
    assert_eq!(
        t["instanceTarget"]["lifecycleEvents"][10]["status"],
        "Skipped"
    );
    assert_eq!(target_status(&s, &id, "box-2").await, "Skipped");
}

#[tokio::test]
async fn half_at_a_time_runs_half_the_fleet_and_fails_when_too_few_stay_healthy() {
    let s = MockServer::start().await;
    fleet(&s, 4, "CodeDeployDefault.HalfAtATime", &[0, 1]).await;
    let id = deploy(&s, APPSPEC).await;
    s.settle().await;
    assert_eq!(overview(&info(&s, &id).await), (2, 2, 0, 0, 0));
    s.clock().advance(Duration::from_secs(60)).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    assert_eq!(overview(&i), (0, 0, 0, 2, 2));
}

#[tokio::test]
async fn all_at_once_succeeds_while_one_instance_succeeds() {
    let s = MockServer::start().await;
    fleet(&s, 3, "CodeDeployDefault.AllAtOnce", &[0, 2]).await;
    let id = deploy(&s, APPSPEC).await;
    s.settle().await;
    assert_eq!(overview(&info(&s, &id).await), (0, 3, 0, 0, 0));
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(overview(&i), (0, 0, 1, 2, 0));
}

#[tokio::test]
async fn outcome_rules_steer_hooks_and_their_duration() {
    let s = MockServer::start().await;
    fleet(&s, 1, "CodeDeployDefault.AllAtOnce", &[]).await;
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codedeploy", codemock::outcomes::Outcome::TimedOut)
            .resource("prod")
            .step("BeforeInstall"),
    );
    let id = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(200)).await;
    assert_eq!(info(&s, &id).await["status"], "InProgress");
    // The script's own timeout (300 s) ends it.
    s.clock().advance(Duration::from_secs(200)).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    let t = target(&s, &id, "box-0").await;
    let e = &t["instanceTarget"]["lifecycleEvents"][5];
    assert_eq!(e["diagnostics"]["errorCode"], "ScriptTimedOut");
    assert_eq!(
        e["diagnostics"]["message"],
        "Script at specified location: scripts/install_deps.sh failed to complete in 300 seconds"
    );
}

#[tokio::test]
async fn a_second_deployment_is_refused_while_one_is_active_and_a_stop_ends_one() {
    let s = MockServer::start().await;
    fleet(&s, 2, "CodeDeployDefault.OneAtATime", &[]).await;
    let first = deploy(&s, APPSPEC).await;
    // AWS allows one active deployment per group.
    let r = cd(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "DeploymentLimitExceededException");
    assert_eq!(
        r.json()["message"],
        format!("The Deployment Group 'prod' already has an active Deployment '{first}'")
    );
    s.settle().await;
    let q = ok(
        &s,
        "ListDeployments",
        json!({"applicationName": "web", "deploymentGroupName": "prod", "includeOnlyStatuses": ["InProgress"]}),
    )
    .await;
    assert_eq!(q["deployments"], json!([first]));
    let stop = ok(&s, "StopDeployment", json!({"deploymentId": first})).await;
    assert_eq!(stop["status"], "Pending");
    let i = info(&s, &first).await;
    assert_eq!(i["status"], "Stopped");
    assert_eq!(i["errorInformation"]["code"], "MANUAL_STOP");
    assert_eq!(overview(&i), (0, 0, 0, 1, 1));
    assert_eq!(
        fails(&s, "StopDeployment", json!({"deploymentId": first})).await,
        "DeploymentAlreadyCompletedException"
    );
    // The group is free again.
    let second = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(info(&s, &second).await["status"], "Succeeded");
    let all = ok(&s, "ListDeployments", json!({})).await;
    assert_eq!(all["deployments"], json!([second, first]));
    let b = ok(
        &s,
        "BatchGetDeployments",
        json!({"deploymentIds": [first, second]}),
    )
    .await;
    assert_eq!(b["deploymentsInfo"][0]["previousRevision"], Value::Null);
    assert_eq!(
        fails(&s, "GetDeployment", json!({"deploymentId": "d-AAAAAAAAA"})).await,
        "DeploymentDoesNotExistException"
    );
    assert_eq!(
        fails(&s, "GetDeployment", json!({"deploymentId": "nope"})).await,
        "InvalidDeploymentIdException"
    );
}

#[tokio::test]
async fn bad_revisions_and_empty_fleets_fail_the_deployment() {
    let s = MockServer::start().await;
    fleet(&s, 0, "CodeDeployDefault.OneAtATime", &[]).await;
    let none = deploy(&s, APPSPEC).await;
    s.settle().await;
    let bad = deploy(&s, "hooks: [").await;
    s.settle().await;
    let missing = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "S3", "s3Location": {"bucket": "nope", "key": "a.zip", "bundleType": "zip"}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned();
    // Until the clock moves the revision is unread: a deployment is Created, whatever its source.
    assert_eq!(info(&s, &missing).await["status"], "Created");
    s.settle().await;
    let i = info(&s, &none).await;
    assert_eq!(i["status"], "Failed");
    assert_eq!(i["errorInformation"]["code"], "NO_INSTANCES");
    assert_eq!(
        info(&s, &bad).await["errorInformation"]["code"],
        "INVALID_REVISION"
    );
    assert_eq!(
        info(&s, &missing).await["errorInformation"]["code"],
        "REVISION_MISSING"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeployment",
            json!({"applicationName": "web", "deploymentGroupName": "nope"})
        )
        .await,
        "DeploymentGroupDoesNotExistException"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeployment",
            json!({"applicationName": "web", "deploymentGroupName": "prod"})
        )
        .await,
        "RevisionRequiredException"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeployment",
            json!({"applicationName": "web", "deploymentGroupName": "prod",
                   "deploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce",
                   "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}})
        )
        .await,
        "InvalidDeploymentConfigNameException"
    );
}

fn zip_with_appspec(text: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("appspec.yml", zip::write::SimpleFileOptions::default())
            .expect("ok");
        w.write_all(text.as_bytes()).expect("ok");
        w.start_file("scripts/check.sh", zip::write::SimpleFileOptions::default())
            .expect("ok");
        w.write_all(b"#!/bin/sh\n").expect("ok");
        w.finish().expect("ok");
    }
    buf.into_inner()
}

async fn s3_put(s: &MockServer, path: &str, body: Vec<u8>) {
    let req = http::Request::put(path)
        .header("host", "localhost")
        .header(
            "authorization",
            crate::support::authorization("AKID", "us-east-1", "s3"),
        )
        .body(Full::new(Bytes::from(body)))
        .expect("ok");
    let r = send(s, req).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_zip_bundle_in_s3_is_read_and_its_appspec_deployed() {
    let s = MockServer::start().await;
    fleet(&s, 1, "CodeDeployDefault.AllAtOnce", &[]).await;
    s3_put(&s, "/artifacts", Vec::new()).await;
    s3_put(&s, "/artifacts/web.zip", zip_with_appspec(APPSPEC)).await;
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "S3", "s3Location": {"bucket": "artifacts", "key": "web.zip", "bundleType": "zip"}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned();
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(info(&s, &id).await["status"], "Succeeded");
    let t = target(&s, &id, "box-0").await;
    assert_eq!(
        t["instanceTarget"]["lifecycleEvents"][9]["status"],
        "Succeeded"
    );
    // The revision was registered by its use.
    let r = ok(
        &s,
        "ListApplicationRevisions",
        json!({"applicationName": "web", "deployed": "include"}),
    )
    .await;
    assert_eq!(r["revisions"][0]["s3Location"]["key"], "web.zip");
    // The deprecated instance views agree.
    let l = ok(&s, "ListDeploymentInstances", json!({"deploymentId": id})).await;
    assert_eq!(l["instancesList"], json!(["box-0"]));
    let g = ok(
        &s,
        "GetDeploymentInstance",
        json!({"deploymentId": id, "instanceId": "box-0"}),
    )
    .await;
    assert_eq!(g["instanceSummary"]["status"], "Succeeded");
}

const LAMBDA_APPSPEC: &str = r#"{"version": 0.0, "Resources": [{"fn": {"Type": "AWS::Lambda::Function", "Properties": {"Name": "orders", "Alias": "live", "CurrentVersion": "1", "TargetVersion": "2"}}}], "Hooks": [{"BeforeAllowTraffic": "pre-check"}, {"AfterAllowTraffic": "post-check"}]}"#;

async fn lambda_setup(s: &MockServer, config: &str) -> String {
    ok(
        s,
        "CreateApplication",
        json!({"applicationName": "fn", "computePlatform": "Lambda"}),
    )
    .await;
    ok(
        s,
        "CreateDeploymentGroup",
        json!({"applicationName": "fn", "deploymentGroupName": "live",
               "deploymentConfigName": config,
               "serviceRoleArn": "arn:aws:iam::000000000000:role/cd"}),
    )
    .await;
    let content = LAMBDA_APPSPEC;
    ok(
        s,
        "CreateDeployment",
        json!({"applicationName": "fn", "deploymentGroupName": "live",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned()
}

fn hook_executions(s: &MockServer, function: &str) -> Vec<Value> {
    s.invocations()
        .list()
        .into_iter()
        .filter(|i| i.function == function)
        .filter_map(|i| i.payload_json())
        .collect()
}

#[tokio::test]
async fn lambda_canary_waits_for_hooks_and_shifts_traffic_on_time() {
    let s = MockServer::start().await;
    let id = lambda_setup(&s, "CodeDeployDefault.LambdaCanary10Percent5Minutes").await;
    s.settle().await;
    let pre = hook_executions(&s, "pre-check");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0]["DeploymentId"], id.as_str());
    let exec = pre[0]["LifecycleEventHookExecutionId"]
        .as_str()
        .expect("ok")
        .to_owned();
    assert_eq!(info(&s, &id).await["status"], "InProgress");
    // Server-only status calls are refused; unknown executions too.
    assert_eq!(
        fails(
            &s,
            "PutLifecycleEventHookExecutionStatus",
            json!({"deploymentId": id, "lifecycleEventHookExecutionId": "nope", "status": "Succeeded"})
        )
        .await,
        "InvalidLifecycleEventHookExecutionIdException"
    );
    let put = ok(
        &s,
        "PutLifecycleEventHookExecutionStatus",
        json!({"deploymentId": id, "lifecycleEventHookExecutionId": exec, "status": "Succeeded"}),
    )
    .await;
    assert_eq!(put["lifecycleEventHookExecutionId"], exec.as_str());
    assert_eq!(
        fails(
            &s,
            "PutLifecycleEventHookExecutionStatus",
            json!({"deploymentId": id, "lifecycleEventHookExecutionId": exec, "status": "Succeeded"})
        )
        .await,
        "LifecycleEventAlreadyCompletedException"
    );
    s.settle().await;
    let t = ok(
        &s,
        "GetDeploymentTarget",
        json!({"deploymentId": id, "targetId": "orders:live"}),
    )
    .await["deploymentTarget"]
        .clone();
    assert_eq!(t["deploymentTargetType"], "LambdaTarget");
    assert_eq!(
        t["lambdaTarget"]["lambdaFunctionInfo"]["targetVersionWeight"],
        0.1
    );
    assert!(hook_executions(&s, "post-check").is_empty());
    s.clock().advance(Duration::from_secs(299)).await;
    assert!(hook_executions(&s, "post-check").is_empty());
    s.clock().advance(Duration::from_secs(1)).await;
    let post = hook_executions(&s, "post-check");
    assert_eq!(post.len(), 1);
    let exec = post[0]["LifecycleEventHookExecutionId"]
        .as_str()
        .expect("ok")
        .to_owned();
    ok(
        &s,
        "PutLifecycleEventHookExecutionStatus",
        json!({"deploymentId": id, "lifecycleEventHookExecutionId": exec, "status": "Succeeded"}),
    )
    .await;
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(i["computePlatform"], "Lambda");
    let t = ok(
        &s,
        "BatchGetDeploymentTargets",
        json!({"deploymentId": id, "targetIds": ["orders:live"]}),
    )
    .await;
    let l = &t["deploymentTargets"][0]["lambdaTarget"];
    assert_eq!(l["lambdaFunctionInfo"]["targetVersionWeight"], 1.0);
    let names: Vec<&str> = l["lifecycleEvents"]
        .as_array()
        .expect("ok")
        .iter()
        .map(|e| e["lifecycleEventName"].as_str().expect("ok"))
        .collect();
    assert_eq!(
        names,
        [
            "Start",
            "BeforeAllowTraffic",
            "AllowTraffic",
            "AfterAllowTraffic",
            "End"
        ]
    );
}

#[tokio::test]
async fn lambda_hook_failure_timeout_and_registered_responses() {
    let s = MockServer::start().await;
    // A failed status fails the deployment.
    let id = lambda_setup(&s, "CodeDeployDefault.LambdaAllAtOnce").await;
    s.settle().await;
    let exec = hook_executions(&s, "pre-check")[0]["LifecycleEventHookExecutionId"]
        .as_str()
        .expect("ok")
        .to_owned();
    ok(
        &s,
        "PutLifecycleEventHookExecutionStatus",
        json!({"deploymentId": id, "lifecycleEventHookExecutionId": exec, "status": "Failed"}),
    )
    .await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    // A second deployment whose hook never answers fails after the hour.
    let rev =
        json!({"revisionType": "AppSpecContent", "appSpecContent": {"content": LAMBDA_APPSPEC}});
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "fn", "deploymentGroupName": "live", "revision": rev}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned();
    s.clock().advance(Duration::from_secs(3599)).await;
    assert_eq!(info(&s, &id).await["status"], "InProgress");
    s.clock().advance(Duration::from_secs(1)).await;
    assert_eq!(info(&s, &id).await["status"], "Failed");
    // Responses registered for the hook functions answer for them.
    s.invocations()
        .respond(codemock::invocations::ResponseRule::payload(
            "*-check",
            json!({"status": "Succeeded"}),
        ));
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "fn", "deploymentGroupName": "live", "revision": rev}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("ok")
        .to_owned();
    s.settle().await;
    assert_eq!(info(&s, &id).await["status"], "Succeeded");
}

async fn sqs(s: &MockServer, op: &str, body: Value) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AmazonSQS.{op}"))
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("ok");
    let r = send(s, req).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[tokio::test]
async fn state_changes_reach_an_sqs_queue_through_a_rule_in_order() {
    let s = MockServer::start().await;
    let url = sqs(&s, "CreateQueue", json!({"QueueName": "deploys"})).await["QueueUrl"]
        .as_str()
        .expect("ok")
        .to_owned();
    let rule = call(
        &s,
        "AWSEvents.PutRule",
        &json!({"Name": "cd", "EventPattern": "{\"source\": [\"aws.codedeploy\"]}"}).to_string(),
    )
    .await;
    assert_eq!(rule.status, 200);
    let t = call(
        &s,
        "AWSEvents.PutTargets",
        &json!({"Rule": "cd", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:deploys"}]})
            .to_string(),
    )
    .await;
    assert_eq!(t.status, 200);
    fleet(&s, 1, "CodeDeployDefault.OneAtATime", &[]).await;
    let id = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(info(&s, &id).await["status"], "Succeeded");
    let mut got = Vec::new();
    for _ in 0..3 {
        let r = sqs(
            &s,
            "ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
        )
        .await;
        for m in r["Messages"].as_array().cloned().unwrap_or_default() {
            got.push(serde_json::from_str::<Value>(m["Body"].as_str().expect("ok")).expect("ok"));
        }
    }
    let seen: Vec<(String, String)> = got
        .iter()
        .map(|e| {
            (
                e["detail-type"].as_str().expect("ok").to_owned(),
                e["detail"]["state"].as_str().expect("ok").to_owned(),
            )
        })
        .collect();
    let d = "CodeDeploy Deployment State-change Notification".to_owned();
    let i = "CodeDeploy Instance State-change Notification".to_owned();
    assert_eq!(
        seen,
        [
            (d.clone(), "START".to_owned()),
            (i.clone(), "START".to_owned()),
            (i, "SUCCESS".to_owned()),
            (d, "SUCCESS".to_owned())
        ]
    );
    let first = &got[0];
    assert_eq!(first["source"], "aws.codedeploy");
    assert_eq!(first["detail"]["deploymentId"], id.as_str());
    assert_eq!(first["detail"]["application"], "web");
    assert_eq!(first["detail"]["deploymentGroup"], "prod");
    assert_eq!(
        first["resources"],
        json!([
            "arn:aws:codedeploy:us-east-1:000000000000:application:web",
            "arn:aws:codedeploy:us-east-1:000000000000:deploymentgroup:web/prod"
        ])
    );
    assert_eq!(
        got[1]["resources"][0],
        "arn:aws:codedeploy:us-east-1:000000000000:instance/box-0"
    );
    assert!(first["time"].as_str().expect("ok").ends_with('Z'));
}

#[tokio::test]
async fn unknown_bodies_stay_answered_with_modeled_errors() {
    let s = MockServer::start().await;
    let r = cd(
        &s,
        "GetDeploymentTarget",
        json!({"deploymentId": "d-ABCDEFGHI", "targetId": "x"}),
    )
    .await;
    assert_eq!(r.json()["__type"], "DeploymentDoesNotExistException");
}

#[tokio::test]
async fn the_port_creates_a_deployment_from_s3_and_reports_its_end() {
    use codemock::effects::{Effects, Notify};
    use codemock::services::codedeploy::ports::{Command, CreateDeployment, DeploymentFinished};
    use std::sync::{Arc, Mutex};
    let s = MockServer::start().await;
    fleet(&s, 2, "CodeDeployDefault.AllAtOnce", &[]).await;
    s3_put(&s, "/artifacts", Vec::new()).await;
    s3_put(&s, "/artifacts/web.zip", zip_with_appspec(APPSPEC)).await;
    let answer = Arc::new(Mutex::new(None));
    let finished: Arc<Mutex<Vec<DeploymentFinished>>> = Arc::default();
    let (a, f) = (answer.clone(), finished.clone());
    let mut effects = Effects::new();
    effects.send_then(
        "000000000000",
        "us-east-1",
        Command::CreateDeployment(Box::new(CreateDeployment {
            application: "web".into(),
            deployment_group: "prod".into(),
            bucket: "artifacts".into(),
            key: "web.zip".into(),
            bundle_type: "zip".into(),
            version: None,
            etag: None,
            description: Some("from the pipeline".into()),
            creator: "CodeDeploy".into(),
            on_finish: Some(Notify::new(move |done| {
                f.lock().expect("lock").push(done);
                None
            })),
        })),
        move |r| {
            *a.lock().expect("lock") = Some(r.map_err(|e| e.code));
            None
        },
    );
    s.core().apply(effects);
    s.settle().await;
    let id = answer
        .lock()
        .expect("lock")
        .clone()
        .expect("answered")
        .expect("created")["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    let i = info(&s, &id).await;
    assert_eq!(i["creator"], "CodeDeploy");
    assert_eq!(i["description"], "from the pipeline");
    assert!(finished.lock().expect("lock").is_empty());
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(
        *finished.lock().expect("lock"),
        vec![DeploymentFinished {
            deployment_id: id,
            status: "Succeeded".into(),
            error: None
        }]
    );
    // A deployment group that does not exist is refused with AWS's error.
    let answer = Arc::new(Mutex::new(None));
    let a = answer.clone();
    let mut effects = Effects::new();
    effects.send_then(
        "000000000000",
        "us-east-1",
        Command::CreateDeployment(Box::new(CreateDeployment {
            application: "web".into(),
            deployment_group: "nope".into(),
            bucket: "artifacts".into(),
            key: "web.zip".into(),
            bundle_type: "zip".into(),
            version: None,
            etag: None,
            description: None,
            creator: "CodeDeploy".into(),
            on_finish: None,
        })),
        move |r| {
            *a.lock().expect("lock") = Some(r.map_err(|e| e.code));
            None
        },
    );
    s.core().apply(effects);
    assert_eq!(
        answer.lock().expect("lock").clone(),
        Some(Err("DeploymentGroupDoesNotExistException".to_owned()))
    );
}

async fn enable_rollback(s: &MockServer) {
    ok(
        s,
        "UpdateDeploymentGroup",
        json!({"applicationName": "web", "currentDeploymentGroupName": "prod",
               "autoRollbackConfiguration": {"enabled": true, "events": ["DEPLOYMENT_FAILURE"]}}),
    )
    .await;
}

#[tokio::test]
async fn a_failed_deployment_rolls_back_to_the_last_good_revision() {
    let s = MockServer::start().await;
    fleet(&s, 1, "CodeDeployDefault.AllAtOnce", &[]).await;
    enable_rollback(&s).await;
    // Without a last good revision there is nothing to roll back to.
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codedeploy", codemock::outcomes::Outcome::Failed)
            .resource("prod")
            .step("ValidateService")
            .count(1),
    );
    let first = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    let i = info(&s, &first).await;
    assert_eq!(i["status"], "Failed");
    assert!(i["rollbackInfo"]["rollbackDeploymentId"].is_null());
    assert!(i["rollbackInfo"]["rollbackMessage"].is_string());
    let good = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(info(&s, &good).await["status"], "Succeeded");
    s.outcomes().add(
        codemock::outcomes::OutcomeRule::new("codedeploy", codemock::outcomes::Outcome::Failed)
            .resource("prod")
            .step("ValidateService")
            .count(1),
    );
    let bad_spec = format!("{APPSPEC}  ApplicationStart:\n    - location: scripts/start.sh\n");
    let bad = deploy(&s, &bad_spec).await;
    s.clock()
        .advance(Duration::from_secs(PER_INSTANCE + 1))
        .await;
    let i = info(&s, &bad).await;
    assert_eq!(i["status"], "Failed");
    let rb = i["rollbackInfo"]["rollbackDeploymentId"]
        .as_str()
        .expect("rolled back")
        .to_owned();
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    let r = info(&s, &rb).await;
    assert_eq!(r["creator"], "codeDeployRollback");
    assert_eq!(
        r["rollbackInfo"]["rollbackTriggeringDeploymentId"],
        bad.as_str()
    );
    assert_eq!(r["revision"], info(&s, &good).await["revision"]);
    assert_eq!(r["status"], "Succeeded");
}

#[tokio::test]
async fn a_stop_with_auto_rollback_redeploys_the_last_good_revision() {
    let s = MockServer::start().await;
    fleet(&s, 1, "CodeDeployDefault.AllAtOnce", &[]).await;
    let good = deploy(&s, APPSPEC).await;
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(info(&s, &good).await["status"], "Succeeded");
    let next = deploy(&s, APPSPEC).await;
    s.settle().await;
    ok(
        &s,
        "StopDeployment",
        json!({"deploymentId": next, "autoRollbackEnabled": true}),
    )
    .await;
    let i = info(&s, &next).await;
    assert_eq!(i["status"], "Stopped");
    let rb = i["rollbackInfo"]["rollbackDeploymentId"]
        .as_str()
        .expect("rollback")
        .to_owned();
    s.clock().advance(Duration::from_secs(PER_INSTANCE)).await;
    assert_eq!(info(&s, &rb).await["status"], "Succeeded");
}

#[tokio::test]
async fn github_tokens_are_none_and_external_ids_match_nothing() {
    let s = MockServer::start().await;
    let l = ok(&s, "ListGitHubAccountTokenNames", json!({})).await;
    assert_eq!(l["tokenNameList"], json!([]));
    assert_eq!(
        fails(&s, "DeleteGitHubAccountToken", json!({"tokenName": "t"})).await,
        "GitHubAccountTokenDoesNotExistException"
    );
    ok(
        &s,
        "DeleteResourcesByExternalId",
        json!({"externalId": "x"}),
    )
    .await;
}

/// The figure the issue asks for: wall time of a 100-instance HalfAtATime deployment on the
/// manual clock. Runs by default (it is quick); prints one `CodeDeploy bench:` line with
/// `-- --nocapture`.
#[tokio::test]
async fn bench_a_100_instance_half_at_a_time_deployment_on_the_manual_clock() {
    let s = MockServer::start().await;
    fleet(&s, 100, "CodeDeployDefault.HalfAtATime", &[]).await;
    let start = std::time::Instant::now();
    let id = deploy(&s, APPSPEC).await;
    // 50 at a time, two waves of 4 one-second events.
    s.clock()
        .advance(Duration::from_secs(2 * PER_INSTANCE))
        .await;
    let elapsed = start.elapsed();
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(overview(&i), (0, 0, 100, 0, 0));
    println!(
        "CodeDeploy bench: 100-instance HalfAtATime deployment completed in {:.1} ms wall time ({} virtual seconds)",
        elapsed.as_secs_f64() * 1000.0,
        2 * PER_INSTANCE
    );
}

#[tokio::test]
async fn an_ecs_deployment_runs_its_hooks_in_aws_order() {
    let s = MockServer::start().await;
    ok(
        &s,
        "CreateApplication",
        json!({"applicationName": "svc", "computePlatform": "ECS"}),
    )
    .await;
    ok(
        &s,
        "CreateDeploymentGroup",
        json!({"applicationName": "svc", "deploymentGroupName": "blue-green",
               "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
               "ecsServices": [{"serviceName": "web", "clusterName": "main"}]}),
    )
    .await;
    s.invocations()
        .respond(codemock::invocations::ResponseRule::payload(
            "smoke-test",
            json!({"status": "Succeeded"}),
        ));
    let spec = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: arn:aws:ecs:us-east-1:000000000000:task-definition/web:2\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\nHooks:\n  - AfterAllowTestTraffic: smoke-test\n";
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "svc", "deploymentGroupName": "blue-green",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": spec}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(i["deploymentConfigName"], "CodeDeployDefault.ECSAllAtOnce");
    let t = ok(
        &s,
        "GetDeploymentTarget",
        json!({"deploymentId": id, "targetId": "main:web"}),
    )
    .await["deploymentTarget"]
        .clone();
    assert_eq!(t["deploymentTargetType"], "ECSTarget");
    let events: Vec<(String, String)> = t["ecsTarget"]["lifecycleEvents"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["lifecycleEventName"].as_str().expect("name").to_owned(),
                e["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect();
    let expect = [
        ("Start", "Succeeded"),
        ("BeforeInstall", "Skipped"),
        ("Install", "Succeeded"),
        ("AfterInstall", "Skipped"),
        ("AllowTestTraffic", "Succeeded"),
        ("AfterAllowTestTraffic", "Succeeded"),
        ("BeforeAllowTraffic", "Skipped"),
        ("AllowTraffic", "Succeeded"),
        ("AfterAllowTraffic", "Skipped"),
        ("End", "Succeeded"),
    ];
    assert_eq!(
        events,
        expect.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    assert_eq!(
        fails(&s, "ListDeploymentInstances", json!({"deploymentId": id})).await,
        "InvalidComputePlatformException"
    );
}

#[tokio::test]
async fn a_minimum_the_fleet_cannot_meet_and_blue_green_without_ec2_fail_the_deployment() {
    let s = MockServer::start().await;
    ok(
        &s,
        "CreateDeploymentConfig",
        json!({"deploymentConfigName": "KeepTwo", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 2}}),
    )
    .await;
    fleet(&s, 2, "KeepTwo", &[]).await;
    let id = deploy(&s, APPSPEC).await;
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    assert_eq!(i["errorInformation"]["code"], "HEALTH_CONSTRAINTS_INVALID");
    ok(
        &s,
        "UpdateDeploymentGroup",
        json!({"applicationName": "web", "currentDeploymentGroupName": "prod",
               "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
               "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}}),
    )
    .await;
    let id = deploy(&s, APPSPEC).await;
    s.settle().await;
    assert_eq!(
        info(&s, &id).await["errorInformation"]["code"],
        "NO_INSTANCES"
    );
}

//! CodeDeploy blue/green deployments to on-premises instances standing in for EC2 (replacements
//! discovered by `targetInstances` tags), the Ready wait and ContinueDeployment, the termination
//! wait and SkipWaitTimeForInstanceTermination; alarm-based stops and rollbacks through
//! `/_codemock/cloudwatch/alarms`; deployment-group triggers read from `/_codemock/sns/notifications`.
//! All on the manual clock.

use crate::codedeploy_wire::{cd, fails, ok};
use crate::support::{get, post, MockServer};
use serde_json::{json, Value};
use std::time::Duration;

const APPSPEC: &str = "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/install_deps.sh\n  ValidateService:\n    - location: scripts/check.sh\n";

async fn register(s: &MockServer, name: &str, tags: Value) {
    ok(
        s,
        "RegisterOnPremisesInstance",
        json!({"instanceName": name, "iamUserArn": format!("arn:aws:iam::000000000000:user/{name}")}),
    )
    .await;
    ok(
        s,
        "AddTagsToOnPremisesInstances",
        json!({"instanceNames": [name], "tags": tags}),
    )
    .await;
}

/// Application `web`, blue/green group `prod` (originals tagged env=prod) with `bg` as its
/// blueGreenDeploymentConfiguration; `blue` originals and `green` replacements (env=green).
async fn blue_green_fleet(s: &MockServer, bg: Value, blue: usize, green: usize) {
    ok(s, "CreateApplication", json!({"applicationName": "web"})).await;
    ok(
        s,
        "CreateDeploymentGroup",
        json!({
            "applicationName": "web",
            "deploymentGroupName": "prod",
            "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
            "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
            "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
            "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "loadBalancerInfo": {"targetGroupInfoList": [{"name": "web-tg"}]},
            "blueGreenDeploymentConfiguration": bg
        }),
    )
    .await;
    for i in 0..blue {
        register(
            s,
            &format!("blue-{i}"),
            json!([{"Key": "env", "Value": "prod"}]),
        )
        .await;
    }
    for i in 0..green {
        register(
            s,
            &format!("green-{i}"),
            json!([{"Key": "env", "Value": "green"}]),
        )
        .await;
    }
}

fn green_targets() -> Value {
    json!({"tagFilters": [{"Key": "env", "Value": "green", "Type": "KEY_AND_VALUE"}]})
}

async fn deploy(s: &MockServer) -> String {
    ok(
        s,
        "CreateDeployment",
        json!({
            "applicationName": "web",
            "deploymentGroupName": "prod",
            "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}},
            "targetInstances": green_targets()
        }),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
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
    .await["deploymentTarget"]["instanceTarget"]
        .clone()
}

fn events(t: &Value) -> Vec<(String, String)> {
    t["lifecycleEvents"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["lifecycleEventName"].as_str().expect("name").to_owned(),
                e["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

async fn advance(s: &MockServer, secs: u64) {
    s.clock().advance(Duration::from_secs(secs)).await;
}

/// Green events that run with APPSPEC before the hold: DownloadBundle, BeforeInstall, Install,
/// ValidateService, one virtual second each.
const INSTALL: u64 = 4;

#[tokio::test]
async fn stop_deployment_waits_in_ready_until_continue_then_reroutes_blocks_and_terminates() {
    let s = MockServer::start().await;
    blue_green_fleet(
        &s,
        json!({
            "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30},
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
            "greenFleetProvisioningOption": {"action": "DISCOVER_EXISTING"}
        }),
        2,
        2,
    )
    .await;
    let id = deploy(&s).await;
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "InProgress");
    assert_eq!(i["targetInstances"], green_targets());
    assert_eq!(
        i["blueGreenDeploymentConfiguration"]["deploymentReadyOption"]["actionOnTimeout"],
        "STOP_DEPLOYMENT"
    );
    assert_eq!(i["deploymentStyle"]["deploymentType"], "BLUE_GREEN");
    // The replacements install at once (AllAtOnce); the originals wait.
    assert_eq!(target(&s, &id, "green-0").await["status"], "InProgress");
    assert_eq!(target(&s, &id, "blue-0").await["status"], "Pending");
    assert_eq!(
        fails(
            &s,
            "ContinueDeployment",
            json!({"deploymentId": id, "deploymentWaitType": "READY_WAIT"})
        )
        .await,
        "DeploymentIsNotInReadyStateException"
    );
    advance(&s, INSTALL).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Ready");
    assert_eq!(i["deploymentOverview"]["Ready"], 2);
    assert_eq!(i["deploymentOverview"]["Pending"], 2);
    let g = target(&s, &id, "green-0").await;
    assert_eq!(g["status"], "Ready");
    assert_eq!(g["instanceLabel"], "Green");
    // It waits: the 30 minutes are not over after 10.
    advance(&s, 600).await;
    assert_eq!(info(&s, &id).await["status"], "Ready");
    ok(
        &s,
        "ContinueDeployment",
        json!({"deploymentId": id, "deploymentWaitType": "READY_WAIT"}),
    )
    .await;
    assert_eq!(info(&s, &id).await["status"], "InProgress");
    // AllowTraffic on the replacements, then BlockTraffic on the originals.
    advance(&s, 1).await;
    assert_eq!(target(&s, &id, "green-1").await["status"], "Succeeded");
    assert_eq!(target(&s, &id, "blue-1").await["status"], "InProgress");
    advance(&s, 1).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "InProgress");
    assert_eq!(i["instanceTerminationWaitTimeStarted"], true);
    assert_eq!(i["deploymentOverview"]["Succeeded"], 4);
    let g = target(&s, &id, "green-0").await;
    assert_eq!(
        events(&g),
        [
            ("ApplicationStop", "Skipped"),
            ("DownloadBundle", "Succeeded"),
            ("BeforeInstall", "Succeeded"),
            ("Install", "Succeeded"),
            ("AfterInstall", "Skipped"),
            ("ApplicationStart", "Skipped"),
            ("ValidateService", "Succeeded"),
            ("BeforeAllowTraffic", "Skipped"),
            ("AllowTraffic", "Succeeded"),
            ("AfterAllowTraffic", "Skipped"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let b = target(&s, &id, "blue-0").await;
    assert_eq!(b["instanceLabel"], "Blue");
    assert_eq!(
        events(&b),
        [
            ("BeforeBlockTraffic", "Skipped"),
            ("BlockTraffic", "Succeeded"),
            ("AfterBlockTraffic", "Skipped"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let greens = ok(
        &s,
        "ListDeploymentTargets",
        json!({"deploymentId": id, "targetFilters": {"ServerInstanceLabel": ["Green"]}}),
    )
    .await;
    assert_eq!(greens["targetIds"], json!(["green-0", "green-1"]));
    let inst = ok(
        &s,
        "GetDeploymentInstance",
        json!({"deploymentId": id, "instanceId": "green-1"}),
    )
    .await;
    assert_eq!(inst["instanceSummary"]["instanceType"], "Green");
    // The originals are terminated 5 minutes later, and then the deployment succeeds.
    advance(&s, 299).await;
    assert_eq!(info(&s, &id).await["status"], "InProgress");
    advance(&s, 1).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(
        fails(&s, "ContinueDeployment", json!({"deploymentId": id})).await,
        "DeploymentAlreadyCompletedException"
    );
}

#[tokio::test]
async fn the_ready_wait_ending_without_continue_stops_the_deployment() {
    let s = MockServer::start().await;
    blue_green_fleet(
        &s,
        json!({"deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 1}}),
        1,
        1,
    )
    .await;
    let id = deploy(&s).await;
    s.settle().await;
    advance(&s, INSTALL).await;
    assert_eq!(info(&s, &id).await["status"], "Ready");
    advance(&s, 60).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Stopped");
    assert_eq!(i["errorInformation"]["code"], "TIMEOUT");
    assert_eq!(target(&s, &id, "blue-0").await["status"], "Skipped");
}

#[tokio::test]
async fn skip_wait_time_and_continue_termination_wait_end_the_termination_wait_early() {
    let s = MockServer::start().await;
    blue_green_fleet(
        &s,
        json!({"terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60}}),
        1,
        1,
    )
    .await;
    let id = deploy(&s).await;
    s.settle().await;
    // CONTINUE_DEPLOYMENT (the default): no Ready status, traffic moves as soon as installed.
    advance(&s, INSTALL + 2).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "InProgress");
    assert_eq!(i["instanceTerminationWaitTimeStarted"], true);
    ok(
        &s,
        "SkipWaitTimeForInstanceTermination",
        json!({"deploymentId": id}),
    )
    .await;
    assert_eq!(info(&s, &id).await["status"], "Succeeded");

    // The same with ContinueDeployment TERMINATION_WAIT, asked before the wait began.
    let id = deploy(&s).await;
    s.settle().await;
    ok(
        &s,
        "ContinueDeployment",
        json!({"deploymentId": id, "deploymentWaitType": "TERMINATION_WAIT"}),
    )
    .await;
    advance(&s, INSTALL + 2).await;
    assert_eq!(info(&s, &id).await["status"], "Succeeded");
}

#[tokio::test]
async fn keep_alive_succeeds_once_traffic_moved_and_copy_auto_scaling_group_fails() {
    let s = MockServer::start().await;
    blue_green_fleet(
        &s,
        json!({"terminateBlueInstancesOnDeploymentSuccess": {"action": "KEEP_ALIVE"}}),
        1,
        1,
    )
    .await;
    let id = deploy(&s).await;
    s.settle().await;
    advance(&s, INSTALL + 2).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(i["instanceTerminationWaitTimeStarted"], false);
    ok(
        &s,
        "UpdateDeploymentGroup",
        json!({"applicationName": "web", "currentDeploymentGroupName": "prod",
               "blueGreenDeploymentConfiguration": {"greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"}}}),
    )
    .await;
    let id = deploy(&s).await;
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Failed");
    assert_eq!(i["errorInformation"]["code"], "AUTO_SCALING_CONFIGURATION");
}

#[tokio::test]
async fn a_failed_blue_green_deployment_rolls_back_traffic_to_the_original_fleet() {
    let s = MockServer::start().await;
    blue_green_fleet(&s, json!({}), 1, 1).await;
    ok(
        &s,
        "UpdateDeploymentGroup",
        json!({"applicationName": "web", "currentDeploymentGroupName": "prod",
               "autoRollbackConfiguration": {"enabled": true, "events": ["DEPLOYMENT_FAILURE"]}}),
    )
    .await;
    let good = deploy(&s).await;
    s.settle().await;
    advance(&s, INSTALL + 2).await;
    assert_eq!(info(&s, &good).await["status"], "Succeeded");
    ok(
        &s,
        "AddTagsToOnPremisesInstances",
        json!({"instanceNames": ["green-0"], "tags": [{"Key": "codemock:fail-hook", "Value": "ValidateService"}]}),
    )
    .await;
    let bad = deploy(&s).await;
    s.settle().await;
    advance(&s, INSTALL).await;
    let i = info(&s, &bad).await;
    assert_eq!(i["status"], "Failed");
    let rb = i["rollbackInfo"]["rollbackDeploymentId"]
        .as_str()
        .expect("rollback")
        .to_owned();
    s.settle().await;
    advance(&s, 2).await;
    let r = info(&s, &rb).await;
    assert_eq!(r["status"], "Succeeded");
    assert_eq!(r["creator"], "codeDeployRollback");
    let back = target(&s, &rb, "blue-0").await;
    assert_eq!(back["instanceLabel"], "Blue");
    assert_eq!(
        events(&back).into_iter().map(|e| e.0).collect::<Vec<_>>(),
        ["BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"]
    );
    let off = target(&s, &rb, "green-0").await;
    assert_eq!(
        events(&off).into_iter().map(|e| e.0).collect::<Vec<_>>(),
        ["BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"]
    );
}

#[tokio::test]
async fn target_instances_are_refused_in_place_and_continue_is_unsupported_there() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    ok(
        &s,
        "CreateDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
               "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]}),
    )
    .await;
    register(&s, "box-0", json!([{"Key": "env", "Value": "prod"}])).await;
    let revision =
        json!({"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}});
    assert_eq!(
        fails(
            &s,
            "CreateDeployment",
            json!({"applicationName": "web", "deploymentGroupName": "prod",
                   "revision": revision, "targetInstances": green_targets()})
        )
        .await,
        "InvalidTargetInstancesException"
    );
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod", "revision": revision}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    assert_eq!(
        fails(&s, "ContinueDeployment", json!({"deploymentId": id})).await,
        "UnsupportedActionForDeploymentTypeException"
    );
    assert_eq!(
        fails(
            &s,
            "SkipWaitTimeForInstanceTermination",
            json!({"deploymentId": id})
        )
        .await,
        "UnsupportedActionForDeploymentTypeException"
    );
    assert_eq!(
        fails(
            &s,
            "ContinueDeployment",
            json!({"deploymentId": "d-AAAAAAAAA"})
        )
        .await,
        "DeploymentDoesNotExistException"
    );
    // Nothing in codedeploy answers 501 any more.
    let r = cd(&s, "ContinueDeployment", json!({"deploymentId": "bad"})).await;
    assert_eq!(r.status, 400);
}

async fn alarm(s: &MockServer, name: &str, state: &str) {
    let r = post(
        s,
        "/_codemock/cloudwatch/alarms",
        &json!({"name": name, "state": state}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn an_alarm_in_alarm_stops_the_deployment_and_rolls_it_back() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    ok(
        &s,
        "CreateDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
               "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
               "alarmConfiguration": {"enabled": true, "alarms": [{"name": "HighErrors"}]},
               "autoRollbackConfiguration": {"enabled": true, "events": ["DEPLOYMENT_STOP_ON_ALARM"]}}),
    )
    .await;
    register(&s, "box-0", json!([{"Key": "env", "Value": "prod"}])).await;
    let revision =
        json!({"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}});
    let create =
        json!({"applicationName": "web", "deploymentGroupName": "prod", "revision": revision});
    let good = ok(&s, "CreateDeployment", create.clone()).await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    // An alarm in OK (or INSUFFICIENT_DATA) lets it run.
    alarm(&s, "HighErrors", "INSUFFICIENT_DATA").await;
    advance(&s, INSTALL).await;
    assert_eq!(info(&s, &good).await["status"], "Succeeded");
    let id = ok(&s, "CreateDeployment", create).await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    advance(&s, 1).await;
    alarm(&s, "HighErrors", "ALARM").await;
    advance(&s, 1).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Stopped");
    assert_eq!(i["errorInformation"]["code"], "ALARM_ACTIVE");
    assert!(i["errorInformation"]["message"]
        .as_str()
        .expect("message")
        .contains("HighErrors"));
    // The rollback runs to its end although the alarm is still in ALARM.
    let rb = i["rollbackInfo"]["rollbackDeploymentId"]
        .as_str()
        .expect("rollback")
        .to_owned();
    s.settle().await;
    advance(&s, INSTALL).await;
    assert_eq!(info(&s, &rb).await["status"], "Succeeded");
    // A state CloudWatch does not have is refused.
    let r = post(
        &s,
        "/_codemock/cloudwatch/alarms",
        r#"{"name": "HighErrors", "state": "RED"}"#,
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn an_override_alarm_configuration_replaces_the_groups_alarms() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    ok(
        &s,
        "CreateDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
               "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
               "alarmConfiguration": {"enabled": true, "alarms": [{"name": "HighErrors"}]}}),
    )
    .await;
    register(&s, "box-0", json!([{"Key": "env", "Value": "prod"}])).await;
    alarm(&s, "HighErrors", "ALARM").await;
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}},
               "overrideAlarmConfiguration": {"enabled": false, "alarms": []}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    advance(&s, INSTALL).await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Succeeded");
    assert_eq!(i["overrideAlarmConfiguration"]["enabled"], false);
    // Without the override the group's alarm stops the next one at once.
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    let i = info(&s, &id).await;
    assert_eq!(i["status"], "Stopped");
    assert_eq!(i["errorInformation"]["code"], "ALARM_ACTIVE");
}

#[tokio::test]
async fn triggers_record_the_sns_messages_aws_sends() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    let topic = "arn:aws:sns:us-east-1:000000000000:deploys";
    ok(
        &s,
        "CreateDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
        "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
        "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
        "triggerConfigurations": [
            {"triggerName": "deploys", "triggerTargetArn": topic,
             "triggerEvents": ["DeploymentStart", "DeploymentSuccess", "DeploymentFailure"]},
            {"triggerName": "instances", "triggerTargetArn": topic,
             "triggerEvents": ["InstanceSuccess", "InstanceFailure"]}
        ]}),
    )
    .await;
    register(&s, "box-0", json!([{"Key": "env", "Value": "prod"}])).await;
    let id = ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}}),
    )
    .await["deploymentId"]
        .as_str()
        .expect("id")
        .to_owned();
    s.settle().await;
    advance(&s, INSTALL).await;
    let r = get(&s, "/_codemock/sns/notifications").await;
    assert_eq!(r.status, 200);
    let all = r.json()["notifications"].clone();
    let all = all.as_array().expect("list");
    assert_eq!(all.len(), 3);
    let bodies: Vec<Value> = all
        .iter()
        .map(|n| {
            assert_eq!(n["topicArn"], topic);
            assert_eq!(n["source"], "codedeploy");
            serde_json::from_str(n["message"].as_str().expect("message")).expect("json body")
        })
        .collect();
    let start = &bodies[0];
    assert_eq!(start["eventTriggerName"], "deploys");
    assert_eq!(start["status"], "InProgress");
    assert_eq!(start["applicationName"], "web");
    assert_eq!(start["deploymentGroupName"], "prod");
    assert_eq!(start["deploymentId"], id.as_str());
    assert_eq!(start["accountId"], "000000000000");
    assert_eq!(start["region"], "us-east-1");
    assert!(start.get("completeTime").is_none());
    let instance = &bodies[1];
    assert_eq!(instance["eventTriggerName"], "instances");
    assert_eq!(instance["instanceStatus"], "Succeeded");
    assert!(instance["instanceId"]
        .as_str()
        .expect("arn")
        .ends_with(":instance/box-0"));
    let le = instance["lifecycleEvents"].as_array().expect("events");
    assert_eq!(le[0]["LifecycleEvent"], "DownloadBundle");
    assert_eq!(le[0]["LifecycleEventStatus"], "Succeeded");
    // Epoch seconds with milliseconds, in strings.
    let t = le[0]["StartTime"].as_str().expect("time");
    assert!(t.parse::<f64>().is_ok() && t.split('.').nth(1).map(str::len) == Some(3));
    let success = &bodies[2];
    assert_eq!(success["status"], "Succeeded");
    assert_eq!(success["deploymentOverview"]["Succeeded"], "1");
    assert!(success["completeTime"].is_string());
    assert!(success.get("errorInformation").is_none());
    assert_eq!(s.sns_notifications().len(), 3);

    // A failure carries AWS's errorInformation keys.
    ok(
        &s,
        "AddTagsToOnPremisesInstances",
        json!({"instanceNames": ["box-0"], "tags": [{"Key": "codemock:fail-hook", "Value": "ValidateService"}]}),
    )
    .await;
    ok(
        &s,
        "CreateDeployment",
        json!({"applicationName": "web", "deploymentGroupName": "prod",
               "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}}),
    )
    .await;
    s.settle().await;
    advance(&s, INSTALL).await;
    let all = s.sns_notifications();
    let last: Value = serde_json::from_str(&all[all.len() - 1].message).expect("json");
    assert_eq!(last["status"], "Failed");
    assert_eq!(last["errorInformation"]["ErrorCode"], "HEALTH_CONSTRAINTS");
    assert!(last["errorInformation"]["ErrorMessage"].is_string());
    let inst: Value = serde_json::from_str(&all[all.len() - 2].message).expect("json");
    assert_eq!(inst["instanceStatus"], "Failed");
    // A reset forgets the notifications and the alarm states.
    s.codedeploy()
        .set_alarm_state("HighErrors", "ALARM")
        .expect("state");
    assert_eq!(post(&s, "/_codemock/reset", "").await.status, 200);
    assert!(s.sns_notifications().is_empty());
    assert_eq!(s.codedeploy().state("HighErrors"), "OK");
}

//! CodeDeploy resources over the wire with literal JSON: applications, predefined and custom
//! deployment configurations, deployment groups (every field stored and returned), on-premises
//! instances, revisions and tags, with AWS's error codes.

use crate::support::{call, MockServer, Reply};
use serde_json::{json, Value};

pub async fn cd(server: &MockServer, op: &str, body: Value) -> Reply {
    call(
        server,
        &format!("CodeDeploy_20141006.{op}"),
        &body.to_string(),
    )
    .await
}

pub async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = cd(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

pub async fn fails(server: &MockServer, op: &str, body: Value) -> String {
    let r = cd(server, op, body).await;
    assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()["__type"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn applications_are_created_listed_renamed_and_deleted() {
    let s = MockServer::start().await;
    let id = ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    assert!(id["applicationId"].is_string());
    ok(
        &s,
        "CreateApplication",
        json!({"applicationName": "fn", "computePlatform": "Lambda"}),
    )
    .await;
    assert_eq!(
        fails(&s, "CreateApplication", json!({"applicationName": "web"})).await,
        "ApplicationAlreadyExistsException"
    );
    let app = ok(&s, "GetApplication", json!({"applicationName": "web"})).await;
    assert_eq!(app["application"]["computePlatform"], "Server");
    assert_eq!(app["application"]["linkedToGitHub"], false);
    let batch = ok(
        &s,
        "BatchGetApplications",
        json!({"applicationNames": ["web", "fn"]}),
    )
    .await;
    assert_eq!(batch["applicationsInfo"][1]["computePlatform"], "Lambda");
    assert_eq!(
        fails(&s, "GetApplication", json!({"applicationName": "nope"})).await,
        "ApplicationDoesNotExistException"
    );
    ok(
        &s,
        "UpdateApplication",
        json!({"applicationName": "web", "newApplicationName": "site"}),
    )
    .await;
    let list = ok(&s, "ListApplications", json!({})).await;
    assert_eq!(list["applications"], json!(["fn", "site"]));
    ok(&s, "DeleteApplication", json!({"applicationName": "site"})).await;
    // Deleting what is not there succeeds, as AWS models it.
    ok(&s, "DeleteApplication", json!({"applicationName": "site"})).await;
    let list = ok(&s, "ListApplications", json!({})).await;
    assert_eq!(list["applications"], json!(["fn"]));
}

#[tokio::test]
async fn predefined_configs_are_listed_and_cannot_be_deleted() {
    let s = MockServer::start().await;
    let list = ok(&s, "ListDeploymentConfigs", json!({})).await;
    let names = list["deploymentConfigsList"].as_array().expect("ok");
    assert_eq!(names.len(), 17);
    assert!(names.contains(&json!("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")));
    let half = ok(
        &s,
        "GetDeploymentConfig",
        json!({"deploymentConfigName": "CodeDeployDefault.HalfAtATime"}),
    )
    .await;
    assert_eq!(
        half["deploymentConfigInfo"]["minimumHealthyHosts"],
        json!({"type": "FLEET_PERCENT", "value": 50})
    );
    assert_eq!(half["deploymentConfigInfo"]["computePlatform"], "Server");
    // AWS answers a type its model does not list (reference/events-and-states.md §3.5).
    let one = ok(
        &s,
        "GetDeploymentConfig",
        json!({"deploymentConfigName": "CodeDeployDefault.OneAtATime"}),
    )
    .await;
    assert_eq!(
        one["deploymentConfigInfo"]["minimumHealthyHosts"],
        json!({"type": "MOST_CONCURRENCY", "value": 1})
    );
    let canary = ok(
        &s,
        "GetDeploymentConfig",
        json!({"deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}),
    )
    .await;
    assert_eq!(
        canary["deploymentConfigInfo"]["trafficRoutingConfig"],
        json!({"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}})
    );
    assert_eq!(
        fails(
            &s,
            "DeleteDeploymentConfig",
            json!({"deploymentConfigName": "CodeDeployDefault.AllAtOnce"})
        )
        .await,
        "InvalidOperationException"
    );
    assert_eq!(
        fails(
            &s,
            "GetDeploymentConfig",
            json!({"deploymentConfigName": "nope"})
        )
        .await,
        "DeploymentConfigDoesNotExistException"
    );
}

#[tokio::test]
async fn custom_configs_are_checked_created_and_deleted() {
    let s = MockServer::start().await;
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentConfig",
            json!({"deploymentConfigName": "x"})
        )
        .await,
        "InvalidMinimumHealthyHostValueException"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentConfig",
            json!({"deploymentConfigName": "x", "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 100}})
        )
        .await,
        "InvalidMinimumHealthyHostValueException"
    );
    let r = ok(
        &s,
        "CreateDeploymentConfig",
        json!({"deploymentConfigName": "Two", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 2}}),
    )
    .await;
    assert!(r["deploymentConfigId"].is_string());
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentConfig",
            json!({"deploymentConfigName": "Two", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 2}})
        )
        .await,
        "DeploymentConfigAlreadyExistsException"
    );
    let got = ok(
        &s,
        "GetDeploymentConfig",
        json!({"deploymentConfigName": "Two"}),
    )
    .await;
    assert_eq!(
        got["deploymentConfigInfo"]["minimumHealthyHosts"]["value"],
        2
    );
    ok(
        &s,
        "DeleteDeploymentConfig",
        json!({"deploymentConfigName": "Two"}),
    )
    .await;
    assert_eq!(
        fails(
            &s,
            "GetDeploymentConfig",
            json!({"deploymentConfigName": "Two"})
        )
        .await,
        "DeploymentConfigDoesNotExistException"
    );
}

#[tokio::test]
async fn deployment_groups_store_every_field() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    let full = json!({
        "applicationName": "web",
        "deploymentGroupName": "prod",
        "deploymentConfigName": "CodeDeployDefault.HalfAtATime",
        "serviceRoleArn": "arn:aws:iam::000000000000:role/cd",
        "onPremisesInstanceTagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
        "autoScalingGroups": ["asg-1"],
        "triggerConfigurations": [{"triggerName": "t", "triggerTargetArn": "arn:aws:sns:us-east-1:000000000000:t", "triggerEvents": ["DeploymentFailure"]}],
        "alarmConfiguration": {"enabled": true, "ignorePollAlarmFailure": false, "alarms": [{"name": "high-errors"}]},
        "autoRollbackConfiguration": {"enabled": true, "events": ["DEPLOYMENT_FAILURE"]},
        "outdatedInstancesStrategy": "IGNORE",
        "loadBalancerInfo": {"targetGroupInfoList": [{"name": "tg"}]},
        "tags": [{"Key": "team", "Value": "a"}]
    });
    let id = ok(&s, "CreateDeploymentGroup", full).await;
    let g = ok(
        &s,
        "GetDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "prod"}),
    )
    .await["deploymentGroupInfo"]
        .clone();
    assert_eq!(g["deploymentGroupId"], id["deploymentGroupId"]);
    assert_eq!(g["deploymentConfigName"], "CodeDeployDefault.HalfAtATime");
    assert_eq!(g["autoScalingGroups"], json!([{"name": "asg-1"}]));
    assert_eq!(
        g["alarmConfiguration"]["alarms"],
        json!([{"name": "high-errors"}])
    );
    assert_eq!(g["outdatedInstancesStrategy"], "IGNORE");
    assert_eq!(
        g["deploymentStyle"],
        json!({"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"})
    );
    assert_eq!(
        g["loadBalancerInfo"]["targetGroupInfoList"][0]["name"],
        "tg"
    );
    assert_eq!(g["computePlatform"], "Server");
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentGroup",
            json!({"applicationName": "web", "deploymentGroupName": "prod", "serviceRoleArn": "arn:aws:iam::000000000000:role/cd"})
        )
        .await,
        "DeploymentGroupAlreadyExistsException"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentGroup",
            json!({"applicationName": "web", "deploymentGroupName": "x", "serviceRoleArn": "arn:aws:iam::000000000000:role/cd", "deploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce"})
        )
        .await,
        "InvalidDeploymentConfigNameException"
    );
    assert_eq!(
        fails(
            &s,
            "CreateDeploymentGroup",
            json!({"applicationName": "web", "deploymentGroupName": "x", "serviceRoleArn": "r",
                   "onPremisesInstanceTagFilters": [{"Key": "a", "Value": "b", "Type": "KEY_AND_VALUE"}],
                   "onPremisesTagSet": {"onPremisesTagSetList": [[{"Key": "a", "Value": "b", "Type": "KEY_AND_VALUE"}]]}})
        )
        .await,
        "InvalidOnPremisesTagCombinationException"
    );
    // The configuration in use cannot be deleted.
    ok(
        &s,
        "CreateDeploymentConfig",
        json!({"deploymentConfigName": "One", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 1}}),
    )
    .await;
    ok(
        &s,
        "UpdateDeploymentGroup",
        json!({"applicationName": "web", "currentDeploymentGroupName": "prod", "newDeploymentGroupName": "live", "deploymentConfigName": "One"}),
    )
    .await;
    assert_eq!(
        fails(
            &s,
            "DeleteDeploymentConfig",
            json!({"deploymentConfigName": "One"})
        )
        .await,
        "DeploymentConfigInUseException"
    );
    let list = ok(
        &s,
        "ListDeploymentGroups",
        json!({"applicationName": "web"}),
    )
    .await;
    assert_eq!(list["deploymentGroups"], json!(["live"]));
    let b = ok(
        &s,
        "BatchGetDeploymentGroups",
        json!({"applicationName": "web", "deploymentGroupNames": ["live", "gone"]}),
    )
    .await;
    assert_eq!(
        b["deploymentGroupsInfo"][0]["outdatedInstancesStrategy"],
        "IGNORE"
    );
    assert!(b["errorMessage"].as_str().expect("ok").contains("gone"));
    // Tags on the group, by ARN.
    let arn = "arn:aws:codedeploy:us-east-1:000000000000:deploymentgroup:web/live";
    ok(
        &s,
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "cost", "Value": "1"}]}),
    )
    .await;
    ok(
        &s,
        "UntagResource",
        json!({"ResourceArn": arn, "TagKeys": ["team"]}),
    )
    .await;
    let tags = ok(&s, "ListTagsForResource", json!({"ResourceArn": arn})).await;
    assert_eq!(tags["Tags"], json!([{"Key": "cost", "Value": "1"}]));
    assert_eq!(
        fails(
            &s,
            "ListTagsForResource",
            json!({"ResourceArn": "arn:aws:s3:::b"})
        )
        .await,
        "InvalidArnException"
    );
    ok(
        &s,
        "DeleteDeploymentGroup",
        json!({"applicationName": "web", "deploymentGroupName": "live"}),
    )
    .await;
    assert_eq!(
        fails(
            &s,
            "GetDeploymentGroup",
            json!({"applicationName": "web", "deploymentGroupName": "live"})
        )
        .await,
        "DeploymentGroupDoesNotExistException"
    );
}

#[tokio::test]
async fn on_premises_instances_register_tag_and_deregister() {
    let s = MockServer::start().await;
    ok(
        &s,
        "RegisterOnPremisesInstance",
        json!({"instanceName": "box-1", "iamUserArn": "arn:aws:iam::000000000000:user/box-1"}),
    )
    .await;
    assert_eq!(
        fails(
            &s,
            "RegisterOnPremisesInstance",
            json!({"instanceName": "box-2"})
        )
        .await,
        "IamArnRequiredException"
    );
    assert_eq!(
        fails(
            &s,
            "RegisterOnPremisesInstance",
            json!({"instanceName": "box-1", "iamSessionArn": "arn:aws:sts::000000000000:assumed-role/r/s"})
        )
        .await,
        "InstanceNameAlreadyRegisteredException"
    );
    ok(
        &s,
        "AddTagsToOnPremisesInstances",
        json!({"instanceNames": ["box-1"], "tags": [{"Key": "env", "Value": "prod"}]}),
    )
    .await;
    assert_eq!(
        fails(
            &s,
            "AddTagsToOnPremisesInstances",
            json!({"instanceNames": ["ghost"], "tags": [{"Key": "env", "Value": "prod"}]})
        )
        .await,
        "InstanceNotRegisteredException"
    );
    let i = ok(
        &s,
        "GetOnPremisesInstance",
        json!({"instanceName": "box-1"}),
    )
    .await;
    assert_eq!(
        i["instanceInfo"]["tags"],
        json!([{"Key": "env", "Value": "prod"}])
    );
    assert_eq!(
        i["instanceInfo"]["instanceArn"],
        "arn:aws:codedeploy:us-east-1:000000000000:instance/box-1"
    );
    let l = ok(
        &s,
        "ListOnPremisesInstances",
        json!({"tagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]}),
    )
    .await;
    assert_eq!(l["instanceNames"], json!(["box-1"]));
    ok(
        &s,
        "RemoveTagsFromOnPremisesInstances",
        json!({"instanceNames": ["box-1"], "tags": [{"Key": "env", "Value": "prod"}]}),
    )
    .await;
    ok(
        &s,
        "DeregisterOnPremisesInstance",
        json!({"instanceName": "box-1"}),
    )
    .await;
    let l = ok(
        &s,
        "ListOnPremisesInstances",
        json!({"registrationStatus": "Deregistered"}),
    )
    .await;
    assert_eq!(l["instanceNames"], json!(["box-1"]));
    let b = ok(
        &s,
        "BatchGetOnPremisesInstances",
        json!({"instanceNames": ["box-1", "x"]}),
    )
    .await;
    assert!(b["instanceInfos"][0]["deregisterTime"].is_number());
    assert_eq!(b["instanceInfos"].as_array().expect("ok").len(), 1);
}

#[tokio::test]
async fn revisions_are_registered_listed_and_described() {
    let s = MockServer::start().await;
    ok(&s, "CreateApplication", json!({"applicationName": "web"})).await;
    let rev = json!({"revisionType": "S3", "s3Location": {"bucket": "b", "key": "app.zip", "bundleType": "zip"}});
    ok(
        &s,
        "RegisterApplicationRevision",
        json!({"applicationName": "web", "revision": rev, "description": "first"}),
    )
    .await;
    let content =
        json!({"revisionType": "AppSpecContent", "appSpecContent": {"content": "version: 0.0\n"}});
    ok(
        &s,
        "RegisterApplicationRevision",
        json!({"applicationName": "web", "revision": content}),
    )
    .await;
    let got = ok(
        &s,
        "GetApplicationRevision",
        json!({"applicationName": "web", "revision": rev}),
    )
    .await;
    assert_eq!(got["revisionInfo"]["description"], "first");
    assert_eq!(got["revisionInfo"]["deploymentGroups"], json!([]));
    let list = ok(
        &s,
        "ListApplicationRevisions",
        json!({"applicationName": "web", "s3Bucket": "b"}),
    )
    .await;
    assert_eq!(list["revisions"], json!([rev]));
    assert_eq!(
        fails(
            &s,
            "ListApplicationRevisions",
            json!({"applicationName": "web", "s3KeyPrefix": "a"})
        )
        .await,
        "BucketNameFilterRequiredException"
    );
    let b = ok(
        &s,
        "BatchGetApplicationRevisions",
        json!({"applicationName": "web", "revisions": [content]}),
    )
    .await;
    // AWS fills the content's SHA-256.
    assert_eq!(
        b["revisions"][0]["revisionLocation"]["appSpecContent"]["sha256"]
            .as_str()
            .expect("ok")
            .len(),
        64
    );
    assert_eq!(
        fails(
            &s,
            "GetApplicationRevision",
            json!({"applicationName": "web", "revision": {"revisionType": "S3", "s3Location": {"bucket": "b", "key": "other.zip", "bundleType": "zip"}}})
        )
        .await,
        "RevisionDoesNotExistException"
    );
}

//! aws-sdk-codedeploy against `MockServer`: applications, configurations, deployment groups,
//! on-premises instances, revisions, tags, an in-place deployment walked on the manual clock
//! (targets, deprecated instance views, the deployment-successful waiter), stop, a blue/green
//! deployment continued from Ready with ContinueDeployment and its termination wait skipped, and
//! a Lambda deployment completed by PutLifecycleEventHookExecutionStatus; typed errors and
//! paginators.

use aws_config::retry::RetryConfig;
use aws_sdk_codedeploy::client::Waiters as _;
use aws_sdk_codedeploy::types::{
    AppSpecContent, ComputePlatform, DeploymentStatus, LifecycleEventStatus, MinimumHealthyHosts,
    MinimumHealthyHostsType, RevisionLocation, RevisionLocationType, Tag, TagFilter, TagFilterType,
    TargetStatus,
};
use aws_sdk_codedeploy::Client;
use codemock::MockServer;
use std::time::Duration;

fn client(server: &MockServer) -> Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    Client::new(&conf)
}

const APPSPEC: &str =
    "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n";

fn content(text: &str) -> RevisionLocation {
    RevisionLocation::builder()
        .revision_type(RevisionLocationType::AppSpecContent)
        .app_spec_content(AppSpecContent::builder().content(text).build())
        .build()
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

#[tokio::test]
async fn applications_configs_groups_instances_and_tags() {
    let server = MockServer::start().await;
    let cd = client(&server);
    cd.create_application()
        .application_name("web")
        .send()
        .await
        .expect("app");
    let err = cd
        .create_application()
        .application_name("web")
        .send()
        .await
        .expect_err("exists");
    assert!(err
        .into_service_error()
        .is_application_already_exists_exception());
    let app = cd
        .get_application()
        .application_name("web")
        .send()
        .await
        .expect("get");
    assert_eq!(
        app.application().and_then(|a| a.compute_platform()),
        Some(&ComputePlatform::Server)
    );
    let apps = cd
        .batch_get_applications()
        .application_names("web")
        .send()
        .await
        .expect("batch");
    assert_eq!(apps.applications_info().len(), 1);
    cd.update_application()
        .application_name("web")
        .new_application_name("site")
        .send()
        .await
        .expect("rename");
    let names: Vec<String> = cd
        .list_applications()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("list");
    assert_eq!(names, ["site"]);

    let configs: Vec<String> = cd
        .list_deployment_configs()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("configs");
    assert_eq!(configs.len(), 17);
    let half = cd
        .get_deployment_config()
        .deployment_config_name("CodeDeployDefault.HalfAtATime")
        .send()
        .await
        .expect("half");
    let min = half
        .deployment_config_info()
        .and_then(|c| c.minimum_healthy_hosts())
        .expect("min");
    assert_eq!(min.r#type(), Some(&MinimumHealthyHostsType::FleetPercent));
    assert_eq!(min.value(), 50);
    cd.create_deployment_config()
        .deployment_config_name("Two")
        .minimum_healthy_hosts(
            MinimumHealthyHosts::builder()
                .r#type(MinimumHealthyHostsType::HostCount)
                .value(2)
                .build(),
        )
        .send()
        .await
        .expect("custom");
    let err = cd
        .delete_deployment_config()
        .deployment_config_name("CodeDeployDefault.OneAtATime")
        .send()
        .await
        .expect_err("predefined");
    assert!(err.into_service_error().is_invalid_operation_exception());
    cd.delete_deployment_config()
        .deployment_config_name("Two")
        .send()
        .await
        .expect("delete config");

    cd.create_deployment_group()
        .application_name("site")
        .deployment_group_name("prod")
        .service_role_arn("arn:aws:iam::000000000000:role/cd")
        .on_premises_instance_tag_filters(
            TagFilter::builder()
                .key("env")
                .value("prod")
                .r#type(TagFilterType::KeyAndValue)
                .build(),
        )
        .tags(tag("team", "a"))
        .send()
        .await
        .expect("group");
    let g = cd
        .get_deployment_group()
        .application_name("site")
        .deployment_group_name("prod")
        .send()
        .await
        .expect("get group");
    let info = g.deployment_group_info().expect("info");
    assert_eq!(
        info.deployment_config_name(),
        Some("CodeDeployDefault.OneAtATime")
    );
    assert_eq!(info.on_premises_instance_tag_filters().len(), 1);
    let groups = cd
        .batch_get_deployment_groups()
        .application_name("site")
        .deployment_group_names("prod")
        .send()
        .await
        .expect("batch groups");
    assert_eq!(groups.deployment_groups_info().len(), 1);
    let listed = cd
        .list_deployment_groups()
        .application_name("site")
        .send()
        .await
        .expect("list groups");
    assert_eq!(listed.deployment_groups(), ["prod"]);
    cd.update_deployment_group()
        .application_name("site")
        .current_deployment_group_name("prod")
        .deployment_config_name("CodeDeployDefault.AllAtOnce")
        .send()
        .await
        .expect("update group");
    let arn = "arn:aws:codedeploy:us-east-1:000000000000:application:site";
    cd.tag_resource()
        .resource_arn(arn)
        .tags(tag("k", "v"))
        .send()
        .await
        .expect("tag");
    cd.untag_resource()
        .resource_arn(arn)
        .tag_keys("k")
        .send()
        .await
        .expect("untag");
    let tags = cd
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("tags");
    assert!(tags.tags().is_empty());

    cd.register_on_premises_instance()
        .instance_name("box")
        .iam_user_arn("arn:aws:iam::000000000000:user/box")
        .send()
        .await
        .expect("register");
    cd.add_tags_to_on_premises_instances()
        .instance_names("box")
        .tags(tag("env", "prod"))
        .send()
        .await
        .expect("add tags");
    let i = cd
        .get_on_premises_instance()
        .instance_name("box")
        .send()
        .await
        .expect("instance");
    assert_eq!(i.instance_info().map(|i| i.tags().len()), Some(1));
    let b = cd
        .batch_get_on_premises_instances()
        .instance_names("box")
        .send()
        .await
        .expect("batch instances");
    assert_eq!(b.instance_infos().len(), 1);
    let l = cd
        .list_on_premises_instances()
        .send()
        .await
        .expect("list instances");
    assert_eq!(l.instance_names(), ["box"]);
    cd.remove_tags_from_on_premises_instances()
        .instance_names("box")
        .tags(tag("env", "prod"))
        .send()
        .await
        .expect("remove tags");
    cd.deregister_on_premises_instance()
        .instance_name("box")
        .send()
        .await
        .expect("deregister");
    let err = cd
        .add_tags_to_on_premises_instances()
        .instance_names("box")
        .tags(tag("env", "prod"))
        .send()
        .await
        .expect_err("deregistered");
    assert!(err
        .into_service_error()
        .is_instance_not_registered_exception());

    cd.register_application_revision()
        .application_name("site")
        .revision(content(APPSPEC))
        .description("v1")
        .send()
        .await
        .expect("register revision");
    let r = cd
        .get_application_revision()
        .application_name("site")
        .revision(content(APPSPEC))
        .send()
        .await
        .expect("revision");
    assert_eq!(r.revision_info().and_then(|i| i.description()), Some("v1"));
    let rs = cd
        .list_application_revisions()
        .application_name("site")
        .send()
        .await
        .expect("revisions");
    assert_eq!(rs.revisions().len(), 1);
    let rb = cd
        .batch_get_application_revisions()
        .application_name("site")
        .revisions(content(APPSPEC))
        .send()
        .await
        .expect("batch revisions");
    assert_eq!(rb.revisions().len(), 1);
    cd.delete_deployment_group()
        .application_name("site")
        .deployment_group_name("prod")
        .send()
        .await
        .expect("delete group");
    cd.delete_application()
        .application_name("site")
        .send()
        .await
        .expect("delete app");
    let err = cd
        .get_application()
        .application_name("site")
        .send()
        .await
        .expect_err("gone");
    assert!(err
        .into_service_error()
        .is_application_does_not_exist_exception());
}

async fn fleet(cd: &Client, n: usize) {
    cd.create_application()
        .application_name("web")
        .send()
        .await
        .expect("app");
    cd.create_deployment_group()
        .application_name("web")
        .deployment_group_name("prod")
        .service_role_arn("arn:aws:iam::000000000000:role/cd")
        .on_premises_instance_tag_filters(
            TagFilter::builder()
                .key("env")
                .value("prod")
                .r#type(TagFilterType::KeyAndValue)
                .build(),
        )
        .send()
        .await
        .expect("group");
    for i in 0..n {
        let name = format!("box-{i}");
        cd.register_on_premises_instance()
            .instance_name(&name)
            .iam_user_arn(format!("arn:aws:iam::000000000000:user/{name}"))
            .send()
            .await
            .expect("register");
        cd.add_tags_to_on_premises_instances()
            .instance_names(&name)
            .tags(tag("env", "prod"))
            .send()
            .await
            .expect("tag");
    }
}

#[tokio::test]
#[allow(
    deprecated,
    reason = "the deprecated instance operations are served too"
)]
async fn an_in_place_deployment_runs_on_the_manual_clock() {
    let server = MockServer::start().await;
    let cd = client(&server);
    fleet(&cd, 2).await;
    let id = cd
        .create_deployment()
        .application_name("web")
        .deployment_group_name("prod")
        .revision(content(APPSPEC))
        .send()
        .await
        .expect("deploy")
        .deployment_id()
        .expect("id")
        .to_owned();
    server.settle().await;
    let d = cd
        .get_deployment()
        .deployment_id(&id)
        .send()
        .await
        .expect("get");
    let info = d.deployment_info().expect("info");
    assert_eq!(info.status(), Some(&DeploymentStatus::InProgress));
    assert_eq!(info.deployment_overview().map(|o| o.in_progress()), Some(1));
    // OneAtATime: 3 events per instance, one second each.
    server.clock().advance(Duration::from_secs(6)).await;
    cd.wait_until_deployment_successful()
        .deployment_id(&id)
        .wait(Duration::from_secs(30))
        .await
        .expect("waiter sees Succeeded");
    let targets = cd
        .list_deployment_targets()
        .deployment_id(&id)
        .send()
        .await
        .expect("targets");
    assert_eq!(targets.target_ids(), ["box-0", "box-1"]);
    let t = cd
        .get_deployment_target()
        .deployment_id(&id)
        .target_id("box-0")
        .send()
        .await
        .expect("target");
    let it = t
        .deployment_target()
        .and_then(|t| t.instance_target())
        .expect("instance target");
    assert_eq!(it.status(), Some(&TargetStatus::Succeeded));
    assert_eq!(it.lifecycle_events().len(), 13);
    let bt = cd
        .batch_get_deployment_targets()
        .deployment_id(&id)
        .target_ids("box-0")
        .target_ids("box-1")
        .send()
        .await
        .expect("batch targets");
    assert_eq!(bt.deployment_targets().len(), 2);
    let li = cd
        .list_deployment_instances()
        .deployment_id(&id)
        .send()
        .await
        .expect("instances");
    assert_eq!(li.instances_list().len(), 2);
    let gi = cd
        .get_deployment_instance()
        .deployment_id(&id)
        .instance_id("box-1")
        .send()
        .await
        .expect("instance");
    assert!(gi.instance_summary().is_some());
    let bi = cd
        .batch_get_deployment_instances()
        .deployment_id(&id)
        .instance_ids("box-1")
        .send()
        .await
        .expect("batch instances");
    assert_eq!(bi.instances_summary().len(), 1);
    let bd = cd
        .batch_get_deployments()
        .deployment_ids(&id)
        .send()
        .await
        .expect("batch deployments");
    assert_eq!(bd.deployments_info().len(), 1);
    let ids: Vec<String> = cd
        .list_deployments()
        .application_name("web")
        .deployment_group_name("prod")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("list");
    assert_eq!(ids, std::slice::from_ref(&id));
    // A second one is stopped; stopping it again is a typed error.
    let second = cd
        .create_deployment()
        .application_name("web")
        .deployment_group_name("prod")
        .revision(content(APPSPEC))
        .send()
        .await
        .expect("deploy")
        .deployment_id()
        .expect("id")
        .to_owned();
    server.settle().await;
    cd.stop_deployment()
        .deployment_id(&second)
        .send()
        .await
        .expect("stop");
    let err = cd
        .stop_deployment()
        .deployment_id(&second)
        .send()
        .await
        .expect_err("completed");
    assert!(err
        .into_service_error()
        .is_deployment_already_completed_exception());
    let err = cd
        .get_deployment()
        .deployment_id("d-AAAAAAAAA")
        .send()
        .await
        .expect_err("missing");
    assert!(err
        .into_service_error()
        .is_deployment_does_not_exist_exception());
}

#[tokio::test]
async fn a_lambda_deployment_waits_for_its_hook_status() {
    let server = MockServer::start().await;
    let cd = client(&server);
    cd.create_application()
        .application_name("fn")
        .compute_platform(ComputePlatform::Lambda)
        .send()
        .await
        .expect("app");
    cd.create_deployment_group()
        .application_name("fn")
        .deployment_group_name("live")
        .service_role_arn("arn:aws:iam::000000000000:role/cd")
        .send()
        .await
        .expect("group");
    let spec = "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: orders\n        Alias: live\n        CurrentVersion: \"1\"\n        TargetVersion: \"2\"\nHooks:\n  - BeforeAllowTraffic: pre-check\n";
    let id = cd
        .create_deployment()
        .application_name("fn")
        .deployment_group_name("live")
        .revision(content(spec))
        .send()
        .await
        .expect("deploy")
        .deployment_id()
        .expect("id")
        .to_owned();
    server.settle().await;
    let inv = server.invocations().list();
    let payload = inv
        .iter()
        .find(|i| i.function == "pre-check")
        .and_then(|i| i.payload_json())
        .expect("hook invoked");
    let exec = payload["LifecycleEventHookExecutionId"]
        .as_str()
        .expect("execution id")
        .to_owned();
    cd.put_lifecycle_event_hook_execution_status()
        .deployment_id(&id)
        .lifecycle_event_hook_execution_id(&exec)
        .status(LifecycleEventStatus::Succeeded)
        .send()
        .await
        .expect("status");
    server.settle().await;
    let d = cd
        .get_deployment()
        .deployment_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(
        d.deployment_info().and_then(|i| i.status()),
        Some(&DeploymentStatus::Succeeded)
    );
    let t = cd
        .get_deployment_target()
        .deployment_id(&id)
        .target_id("orders:live")
        .send()
        .await
        .expect("target");
    let lt = t
        .deployment_target()
        .and_then(|t| t.lambda_target())
        .expect("lambda target");
    assert_eq!(
        lt.lambda_function_info().map(|f| f.target_version_weight()),
        Some(1.0)
    );
}

#[tokio::test]
#[allow(
    deprecated,
    reason = "SkipWaitTimeForInstanceTermination is deprecated and still served"
)]
async fn a_blue_green_deployment_waits_ready_continues_and_skips_the_termination_wait() {
    use aws_sdk_codedeploy::types::{
        BlueGreenDeploymentConfiguration, BlueInstanceTerminationOption, DeploymentOption,
        DeploymentReadyAction, DeploymentReadyOption, DeploymentStyle, DeploymentType,
        DeploymentWaitType, Ec2TagFilter, Ec2TagFilterType, GreenFleetProvisioningAction,
        GreenFleetProvisioningOption, InstanceAction, LoadBalancerInfo, TargetGroupInfo,
        TargetInstances, TargetLabel,
    };
    let server = MockServer::start().await;
    let cd = client(&server);
    // box-0 is the original fleet (env=prod); new-0 the replacement, discovered by its tag.
    fleet(&cd, 1).await;
    cd.register_on_premises_instance()
        .instance_name("new-0")
        .iam_user_arn("arn:aws:iam::000000000000:user/new-0")
        .send()
        .await
        .expect("register");
    cd.add_tags_to_on_premises_instances()
        .instance_names("new-0")
        .tags(tag("env", "green"))
        .send()
        .await
        .expect("tag");
    cd.update_deployment_group()
        .application_name("web")
        .current_deployment_group_name("prod")
        .deployment_style(
            DeploymentStyle::builder()
                .deployment_type(DeploymentType::BlueGreen)
                .deployment_option(DeploymentOption::WithTrafficControl)
                .build(),
        )
        .load_balancer_info(
            LoadBalancerInfo::builder()
                .target_group_info_list(TargetGroupInfo::builder().name("web-tg").build())
                .build(),
        )
        .blue_green_deployment_configuration(
            BlueGreenDeploymentConfiguration::builder()
                .deployment_ready_option(
                    DeploymentReadyOption::builder()
                        .action_on_timeout(DeploymentReadyAction::StopDeployment)
                        .wait_time_in_minutes(60)
                        .build(),
                )
                .terminate_blue_instances_on_deployment_success(
                    BlueInstanceTerminationOption::builder()
                        .action(InstanceAction::Terminate)
                        .termination_wait_time_in_minutes(30)
                        .build(),
                )
                .green_fleet_provisioning_option(
                    GreenFleetProvisioningOption::builder()
                        .action(GreenFleetProvisioningAction::DiscoverExisting)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("blue/green group");
    let id = cd
        .create_deployment()
        .application_name("web")
        .deployment_group_name("prod")
        .revision(content(APPSPEC))
        .target_instances(
            TargetInstances::builder()
                .tag_filters(
                    Ec2TagFilter::builder()
                        .key("env")
                        .value("green")
                        .r#type(Ec2TagFilterType::KeyAndValue)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("deploy")
        .deployment_id()
        .expect("id")
        .to_owned();
    server.settle().await;
    let status = |cd: Client, id: String| async move {
        cd.get_deployment()
            .deployment_id(id)
            .send()
            .await
            .expect("get")
            .deployment_info()
            .cloned()
            .expect("info")
    };
    let err = cd
        .continue_deployment()
        .deployment_id(&id)
        .deployment_wait_type(DeploymentWaitType::ReadyWait)
        .send()
        .await
        .expect_err("not ready yet");
    assert!(err
        .into_service_error()
        .is_deployment_is_not_in_ready_state_exception());
    // DownloadBundle, Install, ValidateService on the replacement: then Ready.
    server.clock().advance(Duration::from_secs(3)).await;
    let info = status(cd.clone(), id.clone()).await;
    assert_eq!(info.status(), Some(&DeploymentStatus::Ready));
    assert_eq!(info.deployment_overview().map(|o| o.ready()), Some(1));
    let green = cd
        .get_deployment_target()
        .deployment_id(&id)
        .target_id("new-0")
        .send()
        .await
        .expect("target");
    let green = green
        .deployment_target()
        .and_then(|t| t.instance_target())
        .expect("instance target");
    assert_eq!(green.instance_label(), Some(&TargetLabel::Green));
    assert_eq!(green.status(), Some(&TargetStatus::Ready));
    cd.continue_deployment()
        .deployment_id(&id)
        .deployment_wait_type(DeploymentWaitType::ReadyWait)
        .send()
        .await
        .expect("continue");
    // AllowTraffic on the replacement, BlockTraffic on the original: the termination wait.
    server.clock().advance(Duration::from_secs(2)).await;
    let info = status(cd.clone(), id.clone()).await;
    assert_eq!(info.status(), Some(&DeploymentStatus::InProgress));
    assert!(info.instance_termination_wait_time_started());
    assert_eq!(
        info.deployment_style().and_then(|s| s.deployment_type()),
        Some(&DeploymentType::BlueGreen)
    );
    assert!(info.target_instances().is_some());
    cd.skip_wait_time_for_instance_termination()
        .deployment_id(&id)
        .send()
        .await
        .expect("skip");
    cd.wait_until_deployment_successful()
        .deployment_id(&id)
        .wait(Duration::from_secs(30))
        .await
        .expect("waiter sees Succeeded");
    let blue = cd
        .list_deployment_targets()
        .deployment_id(&id)
        .target_filters(
            aws_sdk_codedeploy::types::TargetFilterName::ServerInstanceLabel,
            vec!["Blue".to_owned()],
        )
        .send()
        .await
        .expect("blue targets");
    assert_eq!(blue.target_ids(), ["box-0"]);
}

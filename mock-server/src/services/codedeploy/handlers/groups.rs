//! Deployment configurations (predefined and custom) and deployment groups.

use super::applications::app;
use super::{bad_token, batch_limit, err, no_config, no_group};
use crate::error::ServiceError;
use crate::services::codedeploy::configs;
use crate::services::codedeploy::state::Group;
use crate::services::codedeploy::Call;
use crate::services::pagination::paginate;
use codemock_wire::codedeploy::*;
use codemock_wire::types::{Empty, Timestamp};

/// The configuration `name`, predefined or custom.
pub(crate) fn config(call: &Call<'_>, name: &str) -> Result<DeploymentConfigInfo, ServiceError> {
    configs::find_predefined(name)
        .or_else(|| call.state.configs.get(name).cloned())
        .ok_or_else(|| no_config(name))
}

pub(crate) fn get_deployment_config(
    call: &mut Call<'_>,
    input: GetDeploymentConfigInput,
) -> Result<GetDeploymentConfigOutput, ServiceError> {
    let name = input.deployment_config_name;
    Ok(GetDeploymentConfigOutput {
        deployment_config_info: Some(config(call, &name)?),
    })
}

pub(crate) fn list_deployment_configs(
    call: &mut Call<'_>,
    input: ListDeploymentConfigsInput,
) -> Result<ListDeploymentConfigsOutput, ServiceError> {
    let mut names: Vec<String> = configs::predefined()
        .into_iter()
        .filter_map(|c| c.deployment_config_name)
        .chain(call.state.configs.keys().cloned())
        .collect();
    names.sort();
    let page = paginate(
        names.iter().map(|n| (n.as_str(), n)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListDeploymentConfigsOutput {
        deployment_configs_list: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn create_deployment_config(
    call: &mut Call<'_>,
    input: CreateDeploymentConfigInput,
) -> Result<CreateDeploymentConfigOutput, ServiceError> {
    let name = input.deployment_config_name;
    if configs::find_predefined(&name).is_some() || call.state.configs.contains_key(&name) {
        return Err(err(
            "DeploymentConfigAlreadyExistsException",
            format!("Deployment Configuration already exists with name {name}"),
        ));
    }
    let platform = input.compute_platform.unwrap_or(ComputePlatform::Server);
    let bad_min = |m: &str| err("InvalidMinimumHealthyHostValueException", m.to_owned());
    match platform {
        ComputePlatform::Server => {
            let Some(m) = &input.minimum_healthy_hosts else {
                return Err(bad_min("Minimum healthy hosts must be specified."));
            };
            let v = m.value.unwrap_or(0);
            match m.r#type {
                None => return Err(bad_min("Minimum healthy hosts type must be specified.")),
                Some(MinimumHealthyHostsType::FleetPercent) if !(0..100).contains(&v) => {
                    // FLEET_PERCENT must leave at least one host to deploy to.
                    return Err(bad_min(
                        "The minimum healthy hosts value for FLEET_PERCENT must be between 0 and 99.",
                    ));
                }
                Some(_) if v < 0 => {
                    return Err(bad_min(
                        "The minimum healthy hosts value must not be negative.",
                    ))
                }
                _ => {}
            }
            if input.traffic_routing_config.is_some() {
                return Err(err(
                    "InvalidTrafficRoutingConfigurationException",
                    "Traffic routing configuration is not supported for compute platform Server.",
                ));
            }
        }
        ComputePlatform::Lambda | ComputePlatform::Ecs => {
            if let Some(t) = &input.traffic_routing_config {
                let bad = || {
                    err(
                        "InvalidTrafficRoutingConfigurationException",
                        "The traffic routing configuration is invalid.",
                    )
                };
                match t.r#type {
                    Some(TrafficRoutingType::TimeBasedCanary) => {
                        let c = t.time_based_canary.as_ref().ok_or_else(bad)?;
                        if !(1..100).contains(&c.canary_percentage.unwrap_or(0))
                            || c.canary_interval.unwrap_or(0) < 1
                        {
                            return Err(bad());
                        }
                    }
                    Some(TrafficRoutingType::TimeBasedLinear) => {
                        let c = t.time_based_linear.as_ref().ok_or_else(bad)?;
                        if !(1..100).contains(&c.linear_percentage.unwrap_or(0))
                            || c.linear_interval.unwrap_or(0) < 1
                        {
                            return Err(bad());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let id = call.core.ids.uuid();
    call.state.configs.insert(
        name.clone(),
        DeploymentConfigInfo {
            deployment_config_id: Some(id.clone()),
            deployment_config_name: Some(name),
            minimum_healthy_hosts: input.minimum_healthy_hosts,
            create_time: Some(Timestamp(call.ctx.received_at)),
            compute_platform: Some(platform),
            traffic_routing_config: input.traffic_routing_config,
            zonal_config: input.zonal_config,
        },
    );
    Ok(CreateDeploymentConfigOutput {
        deployment_config_id: Some(id),
    })
}

pub(crate) fn delete_deployment_config(
    call: &mut Call<'_>,
    input: DeleteDeploymentConfigInput,
) -> Result<Empty, ServiceError> {
    let name = input.deployment_config_name;
    if configs::find_predefined(&name).is_some() {
        return Err(err(
            "InvalidOperationException",
            "The default deployment configurations cannot be deleted.",
        ));
    }
    let in_use = call
        .state
        .groups
        .values()
        .any(|g| g.info.deployment_config_name.as_deref() == Some(name.as_str()));
    if in_use {
        return Err(err(
            "DeploymentConfigInUseException",
            format!("The deployment configuration {name} is in use by a deployment group."),
        ));
    }
    call.state.configs.remove(&name);
    Ok(Empty {})
}

fn group<'a>(call: &'a Call<'_>, app_name: &str, name: &str) -> Result<&'a Group, ServiceError> {
    app(call, app_name)?;
    call.state
        .groups
        .get(&(app_name.to_owned(), name.to_owned()))
        .ok_or_else(|| no_group(name))
}

/// Everything a group's description says, from CreateDeploymentGroup or UpdateDeploymentGroup.
struct Fields {
    config: Option<String>,
    ec2_tag_filters: Option<Vec<EC2TagFilter>>,
    on_premises_instance_tag_filters: Option<Vec<TagFilter>>,
    auto_scaling_groups: Option<Vec<String>>,
    service_role_arn: Option<String>,
    trigger_configurations: Option<Vec<TriggerConfig>>,
    alarm_configuration: Option<AlarmConfiguration>,
    auto_rollback_configuration: Option<AutoRollbackConfiguration>,
    outdated_instances_strategy: Option<OutdatedInstancesStrategy>,
    deployment_style: Option<DeploymentStyle>,
    blue_green_deployment_configuration: Option<BlueGreenDeploymentConfiguration>,
    load_balancer_info: Option<LoadBalancerInfo>,
    ec2_tag_set: Option<EC2TagSet>,
    ecs_services: Option<Vec<ECSService>>,
    on_premises_tag_set: Option<OnPremisesTagSet>,
    ec2_deployment_options: Option<EC2DeploymentOptions>,
    termination_hook_enabled: Option<bool>,
}

/// Applies `f` over `g`, checking what AWS checks.
fn apply(call: &Call<'_>, g: &mut DeploymentGroupInfo, f: Fields) -> Result<(), ServiceError> {
    let platform = g.compute_platform.unwrap_or(ComputePlatform::Server);
    if let Some(c) = f.config {
        let info = config(call, &c)?;
        if info.compute_platform.is_some_and(|p| p != platform) {
            return Err(err(
                "InvalidDeploymentConfigNameException",
                format!(
                    "The deployment configuration {c} is for compute platform {}, not {platform}.",
                    info.compute_platform
                        .map(|p| p.as_str())
                        .unwrap_or_default()
                ),
            ));
        }
        g.deployment_config_name = Some(c);
    }
    if let Some(v) = f.ec2_tag_filters {
        g.ec2_tag_filters = Some(v);
    }
    if let Some(v) = f.ec2_tag_set {
        g.ec2_tag_set = Some(v);
    }
    if !g.ec2_tag_filters.as_deref().unwrap_or_default().is_empty()
        && g.ec2_tag_set
            .as_ref()
            .is_some_and(|s| !s.ec2_tag_set_list.as_deref().unwrap_or_default().is_empty())
    {
        return Err(err(
            "InvalidEC2TagCombinationException",
            "The Amazon EC2 tags and Amazon EC2 tag sets cannot both be specified.",
        ));
    }
    if let Some(v) = f.on_premises_instance_tag_filters {
        g.on_premises_instance_tag_filters = Some(v);
    }
    if let Some(v) = f.on_premises_tag_set {
        let sets = v.on_premises_tag_set_list.as_deref().unwrap_or_default();
        if sets.len() > 3 {
            return Err(err(
                "TagSetListLimitExceededException",
                "The number of tag groups included in the tag set list exceeded the maximum allowed limit of 3.",
            ));
        }
        g.on_premises_tag_set = Some(v);
    }
    if !g
        .on_premises_instance_tag_filters
        .as_deref()
        .unwrap_or_default()
        .is_empty()
        && g.on_premises_tag_set.as_ref().is_some_and(|s| {
            !s.on_premises_tag_set_list
                .as_deref()
                .unwrap_or_default()
                .is_empty()
        })
    {
        return Err(err(
            "InvalidOnPremisesTagCombinationException",
            "The on-premises tags and on-premises tag sets cannot both be specified.",
        ));
    }
    if let Some(v) = f.auto_scaling_groups {
        g.auto_scaling_groups = Some(
            v.into_iter()
                .map(|name| AutoScalingGroup {
                    name: Some(name),
                    hook: None,
                    termination_hook: None,
                })
                .collect(),
        );
    }
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = f.$f { g.$f = Some(v); } )* };
    }
    set!(
        service_role_arn,
        trigger_configurations,
        alarm_configuration,
        auto_rollback_configuration,
        outdated_instances_strategy,
        deployment_style,
        blue_green_deployment_configuration,
        load_balancer_info,
        ecs_services,
        ec2_deployment_options,
        termination_hook_enabled
    );
    Ok(())
}

pub(crate) fn create_deployment_group(
    call: &mut Call<'_>,
    input: CreateDeploymentGroupInput,
) -> Result<CreateDeploymentGroupOutput, ServiceError> {
    let app_name = input.application_name;
    let name = input.deployment_group_name;
    let platform = app(call, &app_name)?
        .info
        .compute_platform
        .unwrap_or(ComputePlatform::Server);
    if call
        .state
        .groups
        .contains_key(&(app_name.clone(), name.clone()))
    {
        return Err(err(
            "DeploymentGroupAlreadyExistsException",
            format!("Deployment Group already exists with name {name}"),
        ));
    }
    let id = call.core.ids.uuid();
    let (default_config, style) = match platform {
        ComputePlatform::Server => (
            configs::DEFAULT_SERVER,
            (
                DeploymentType::InPlace,
                DeploymentOption::WithoutTrafficControl,
            ),
        ),
        ComputePlatform::Lambda => (
            configs::DEFAULT_LAMBDA,
            (
                DeploymentType::BlueGreen,
                DeploymentOption::WithTrafficControl,
            ),
        ),
        ComputePlatform::Ecs => (
            configs::DEFAULT_ECS,
            (
                DeploymentType::BlueGreen,
                DeploymentOption::WithTrafficControl,
            ),
        ),
    };
    // What AWS answers for a group created with nothing but a name and a role.
    let mut info = DeploymentGroupInfo {
        application_name: Some(app_name.clone()),
        deployment_group_id: Some(id.clone()),
        deployment_group_name: Some(name.clone()),
        deployment_config_name: Some(default_config.to_owned()),
        ec2_tag_filters: Some(Vec::new()),
        on_premises_instance_tag_filters: Some(Vec::new()),
        auto_scaling_groups: Some(Vec::new()),
        trigger_configurations: Some(Vec::new()),
        alarm_configuration: Some(AlarmConfiguration {
            enabled: Some(false),
            ignore_poll_alarm_failure: Some(false),
            alarms: Some(Vec::new()),
        }),
        deployment_style: Some(DeploymentStyle {
            deployment_type: Some(style.0),
            deployment_option: Some(style.1),
        }),
        outdated_instances_strategy: Some(OutdatedInstancesStrategy::Update),
        compute_platform: Some(platform),
        termination_hook_enabled: Some(false),
        ..DeploymentGroupInfo::default()
    };
    apply(
        call,
        &mut info,
        Fields {
            config: input.deployment_config_name,
            ec2_tag_filters: input.ec2_tag_filters,
            on_premises_instance_tag_filters: input.on_premises_instance_tag_filters,
            auto_scaling_groups: input.auto_scaling_groups,
            service_role_arn: Some(input.service_role_arn),
            trigger_configurations: input.trigger_configurations,
            alarm_configuration: input.alarm_configuration,
            auto_rollback_configuration: input.auto_rollback_configuration,
            outdated_instances_strategy: input.outdated_instances_strategy,
            deployment_style: input.deployment_style,
            blue_green_deployment_configuration: input.blue_green_deployment_configuration,
            load_balancer_info: input.load_balancer_info,
            ec2_tag_set: input.ec2_tag_set,
            ecs_services: input.ecs_services,
            on_premises_tag_set: input.on_premises_tag_set,
            ec2_deployment_options: input.ec2_deployment_options,
            termination_hook_enabled: input.termination_hook_enabled,
        },
    )?;
    call.state.groups.insert(
        (app_name, name),
        Group {
            info,
            tags: input.tags.unwrap_or_default(),
        },
    );
    Ok(CreateDeploymentGroupOutput {
        deployment_group_id: Some(id),
    })
}

pub(crate) fn get_deployment_group(
    call: &mut Call<'_>,
    input: GetDeploymentGroupInput,
) -> Result<GetDeploymentGroupOutput, ServiceError> {
    let a = input.application_name;
    let n = input.deployment_group_name;
    Ok(GetDeploymentGroupOutput {
        deployment_group_info: Some(group(call, &a, &n)?.info.clone()),
    })
}

pub(crate) fn batch_get_deployment_groups(
    call: &mut Call<'_>,
    input: BatchGetDeploymentGroupsInput,
) -> Result<BatchGetDeploymentGroupsOutput, ServiceError> {
    let a = input.application_name;
    app(call, &a)?;
    let names = input.deployment_group_names;
    if names.len() > 100 {
        return Err(batch_limit());
    }
    let mut infos = Vec::new();
    let mut missing = Vec::new();
    for n in &names {
        match call.state.groups.get(&(a.clone(), n.clone())) {
            Some(g) => infos.push(g.info.clone()),
            None => missing.push(n.as_str()),
        }
    }
    Ok(BatchGetDeploymentGroupsOutput {
        deployment_groups_info: Some(infos),
        error_message: (!missing.is_empty()).then(|| {
            format!(
                "Deployment groups not found for names: {}",
                missing.join(", ")
            )
        }),
    })
}

pub(crate) fn list_deployment_groups(
    call: &mut Call<'_>,
    input: ListDeploymentGroupsInput,
) -> Result<ListDeploymentGroupsOutput, ServiceError> {
    let a = input.application_name;
    app(call, &a)?;
    let names: Vec<&String> = call
        .state
        .groups
        .keys()
        .filter(|(x, _)| *x == a)
        .map(|(_, n)| n)
        .collect();
    let page = paginate(
        names.iter().map(|n| (n.as_str(), *n)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListDeploymentGroupsOutput {
        application_name: Some(a),
        deployment_groups: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn update_deployment_group(
    call: &mut Call<'_>,
    input: UpdateDeploymentGroupInput,
) -> Result<UpdateDeploymentGroupOutput, ServiceError> {
    let a = input.application_name;
    let n = input.current_deployment_group_name;
    let mut info = group(call, &a, &n)?.info.clone();
    let new_name = input.new_deployment_group_name.filter(|x| *x != n);
    if let Some(new) = &new_name {
        if call.state.groups.contains_key(&(a.clone(), new.clone())) {
            return Err(err(
                "DeploymentGroupAlreadyExistsException",
                format!("Deployment Group already exists with name {new}"),
            ));
        }
    }
    apply(
        call,
        &mut info,
        Fields {
            config: input.deployment_config_name,
            ec2_tag_filters: input.ec2_tag_filters,
            on_premises_instance_tag_filters: input.on_premises_instance_tag_filters,
            auto_scaling_groups: input.auto_scaling_groups,
            service_role_arn: input.service_role_arn,
            trigger_configurations: input.trigger_configurations,
            alarm_configuration: input.alarm_configuration,
            auto_rollback_configuration: input.auto_rollback_configuration,
            outdated_instances_strategy: input.outdated_instances_strategy,
            deployment_style: input.deployment_style,
            blue_green_deployment_configuration: input.blue_green_deployment_configuration,
            load_balancer_info: input.load_balancer_info,
            ec2_tag_set: input.ec2_tag_set,
            ecs_services: input.ecs_services,
            on_premises_tag_set: input.on_premises_tag_set,
            ec2_deployment_options: input.ec2_deployment_options,
            termination_hook_enabled: input.termination_hook_enabled,
        },
    )?;
    let Some(mut g) = call.state.groups.remove(&(a.clone(), n.clone())) else {
        return Err(no_group(&n));
    };
    let name = new_name.unwrap_or(n);
    info.deployment_group_name = Some(name.clone());
    g.info = info;
    call.state.groups.insert((a, name), g);
    Ok(UpdateDeploymentGroupOutput {
        hooks_not_cleaned_up: Some(Vec::new()),
    })
}

pub(crate) fn delete_deployment_group(
    call: &mut Call<'_>,
    input: DeleteDeploymentGroupInput,
) -> Result<DeleteDeploymentGroupOutput, ServiceError> {
    // AWS models no DoesNotExist error here: deleting a missing group succeeds.
    let a = input.application_name;
    let n = input.deployment_group_name;
    call.state.groups.remove(&(a, n));
    Ok(DeleteDeploymentGroupOutput {
        hooks_not_cleaned_up: Some(Vec::new()),
    })
}

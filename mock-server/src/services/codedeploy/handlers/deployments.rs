//! Deployments and their targets: create, describe, list, stop; targets and the deprecated
//! instance views; the status Lambda/ECS hooks put.

use super::{arn, bad_token, batch_limit, err, no_application, no_group};
use crate::error::ServiceError;
use crate::services::codedeploy::deployment::{self, Input, Label, Status, Step, Wait};
use crate::services::codedeploy::runner::{self, wire_status, NewDeployment};
use crate::services::codedeploy::state::{Deployment, TargetKind};
use crate::services::codedeploy::Call;
use crate::services::pagination::paginate;
use codemock_wire::codedeploy::*;
use codemock_wire::types::{Empty, Timestamp};

pub(crate) fn no_deployment(id: &str) -> ServiceError {
    err(
        "DeploymentDoesNotExistException",
        format!("The deployment {id} could not be found."),
    )
}

fn check_id(id: &str) -> Result<(), ServiceError> {
    // Deployment ids are `d-` and 9 upper-case alphanumerics.
    let ok = id.len() == 11
        && id.starts_with("d-")
        && id[2..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(err(
            "InvalidDeploymentIdException",
            format!("Specified DeploymentId is not in the valid format: {id}"),
        ))
    }
}

fn deployment<'a>(call: &'a Call<'_>, id: Option<&str>) -> Result<&'a Deployment, ServiceError> {
    let Some(id) = id else {
        return Err(err(
            "DeploymentIdRequiredException",
            "At least one deployment ID must be specified.",
        ));
    };
    check_id(id)?;
    call.state
        .deployments
        .get(id)
        .ok_or_else(|| no_deployment(id))
}

fn step_status(s: Step) -> TargetStatus {
    match s {
        Step::Pending => TargetStatus::Pending,
        Step::InProgress => TargetStatus::InProgress,
        Step::Ready => TargetStatus::Ready,
        Step::Succeeded => TargetStatus::Succeeded,
        Step::Failed => TargetStatus::Failed,
        Step::Skipped => TargetStatus::Skipped,
    }
}

fn instance_status(s: Step) -> InstanceStatus {
    match s {
        Step::Pending => InstanceStatus::Pending,
        Step::InProgress => InstanceStatus::InProgress,
        Step::Ready => InstanceStatus::Ready,
        Step::Succeeded => InstanceStatus::Succeeded,
        Step::Failed => InstanceStatus::Failed,
        Step::Skipped => InstanceStatus::Skipped,
    }
}

fn event_status(s: Step) -> LifecycleEventStatus {
    match s {
        // Events never hold; a held target's next event is still Pending.
        Step::Pending | Step::Ready => LifecycleEventStatus::Pending,
        Step::InProgress => LifecycleEventStatus::InProgress,
        Step::Succeeded => LifecycleEventStatus::Succeeded,
        Step::Failed => LifecycleEventStatus::Failed,
        Step::Skipped => LifecycleEventStatus::Skipped,
    }
}

fn lifecycle_events(t: &deployment::Target) -> Vec<LifecycleEvent> {
    t.events
        .iter()
        .map(|e| LifecycleEvent {
            lifecycle_event_name: Some(e.name.clone()),
            diagnostics: match (&e.diagnostics, e.status) {
                (Some(d), _) => Some(Diagnostics {
                    error_code: Some(d.error_code),
                    script_name: Some(d.script_name.clone()),
                    message: Some(d.message.clone()),
                    log_tail: Some(d.log_tail.clone()),
                }),
                // AWS reports a successful event as errorCode Success, message "Succeeded".
                (None, Step::Succeeded) => Some(Diagnostics {
                    error_code: Some(LifecycleErrorCode::Success),
                    script_name: Some(String::new()),
                    message: Some("Succeeded".into()),
                    log_tail: Some(String::new()),
                }),
                _ => None,
            },
            start_time: e.start.map(Timestamp),
            end_time: e.end.map(Timestamp),
            status: Some(event_status(e.status)),
        })
        .collect()
}

pub(crate) fn info(call: &Call<'_>, d: &Deployment) -> DeploymentInfo {
    let m = &d.machine;
    let o = m.overview();
    let group = call
        .state
        .groups
        .get(&(d.application.clone(), d.group.clone()))
        .map(|g| g.info.clone());
    let rollback_events_failure = d.auto_rollback.clone();
    DeploymentInfo {
        application_name: Some(d.application.clone()),
        deployment_group_name: Some(d.group.clone()),
        deployment_config_name: Some(d.config_name.clone()),
        deployment_id: Some(d.id.clone()),
        previous_revision: d.previous_revision.clone(),
        revision: Some(d.revision.clone()),
        status: Some(wire_status(m.status)),
        error_information: m
            .failure
            .as_ref()
            .filter(|_| m.status != Status::Succeeded)
            .map(|f| ErrorInformation {
                code: ErrorCode::from_name(&f.code),
                message: Some(f.message.clone()),
            }),
        create_time: Some(Timestamp(d.create_time)),
        start_time: m.start.map(Timestamp),
        complete_time: m.end.map(Timestamp),
        deployment_overview: Some(DeploymentOverview {
            pending: Some(o.pending),
            in_progress: Some(o.in_progress),
            succeeded: Some(o.succeeded),
            failed: Some(o.failed),
            skipped: Some(o.skipped),
            ready: Some(o.ready),
        }),
        description: d.description.clone(),
        creator: DeploymentCreator::from_name(&d.creator).or(Some(DeploymentCreator::User)),
        ignore_application_stop_failures: Some(d.ignore_application_stop_failures),
        auto_rollback_configuration: rollback_events_failure,
        update_outdated_instances_only: Some(false),
        deployment_style: group.as_ref().and_then(|g| g.deployment_style.clone()),
        instance_termination_wait_time_started: Some(
            m.blue_green
                .as_ref()
                .is_some_and(|b| b.termination_wait_started),
        ),
        blue_green_deployment_configuration: d.blue_green_config.clone(),
        target_instances: d.target_instances.clone(),
        override_alarm_configuration: d.override_alarms.clone(),
        load_balancer_info: group.as_ref().and_then(|g| g.load_balancer_info.clone()),
        file_exists_behavior: d
            .file_exists_behavior
            .as_deref()
            .and_then(FileExistsBehavior::from_name)
            .or(Some(FileExistsBehavior::Disallow)),
        deployment_status_messages: Some(Vec::new()),
        compute_platform: Some(d.compute_platform),
        rollback_info: d.rollback_info.clone(),
        ..DeploymentInfo::default()
    }
}

pub(crate) fn create_deployment(
    call: &mut Call<'_>,
    input: CreateDeploymentInput,
) -> Result<CreateDeploymentOutput, ServiceError> {
    let id = runner::create(
        call,
        NewDeployment {
            application: Some(input.application_name),
            group: input.deployment_group_name,
            revision: input.revision,
            config: input.deployment_config_name,
            description: input.description,
            creator: "user".into(),
            ignore_application_stop_failures: input
                .ignore_application_stop_failures
                .unwrap_or(false),
            file_exists_behavior: input.file_exists_behavior,
            auto_rollback: input.auto_rollback_configuration,
            on_finish: None,
            rollback_of: None,
            target_instances: input.target_instances,
            override_alarms: input.override_alarm_configuration,
        },
    )?;
    Ok(CreateDeploymentOutput {
        deployment_id: Some(id),
    })
}

pub(crate) fn get_deployment(
    call: &mut Call<'_>,
    input: GetDeploymentInput,
) -> Result<GetDeploymentOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    Ok(GetDeploymentOutput {
        deployment_info: Some(info(call, d)),
    })
}

pub(crate) fn batch_get_deployments(
    call: &mut Call<'_>,
    input: BatchGetDeploymentsInput,
) -> Result<BatchGetDeploymentsOutput, ServiceError> {
    let ids = input.deployment_ids;
    if ids.len() > 25 {
        // BatchGetDeployments takes at most 25 ids (API reference).
        return Err(err(
            "BatchLimitExceededException",
            "The maximum number of names or IDs allowed for this request (25) was exceeded.",
        ));
    }
    let mut out = Vec::new();
    for id in &ids {
        check_id(id)?;
        if let Some(d) = call.state.deployments.get(id) {
            out.push(info(call, d));
        }
    }
    Ok(BatchGetDeploymentsOutput {
        deployments_info: Some(out),
    })
}

pub(crate) fn list_deployments(
    call: &mut Call<'_>,
    input: ListDeploymentsInput,
) -> Result<ListDeploymentsOutput, ServiceError> {
    match (&input.application_name, &input.deployment_group_name) {
        (Some(a), Some(g)) => {
            if !call.state.applications.contains_key(a) {
                return Err(no_application(a));
            }
            if !call.state.groups.contains_key(&(a.clone(), g.clone())) {
                return Err(no_group(g));
            }
        }
        (Some(_), None) => {
            return Err(err(
                "DeploymentGroupNameRequiredException",
                "If applicationName is specified, then deploymentGroupName must be specified.",
            ))
        }
        (None, Some(_)) => {
            return Err(err(
                "ApplicationNameRequiredException",
                "If deploymentGroupName is specified, then applicationName must be specified.",
            ))
        }
        (None, None) => {}
    }
    let statuses = input.include_only_statuses.unwrap_or_default();
    let range = input.create_time_range.unwrap_or_default();
    // Newest first, as AWS lists them.
    let ids: Vec<(String, String)> = call
        .state
        .deployment_order
        .iter()
        .rev()
        .filter_map(|id| call.state.deployments.get(id))
        .filter(|d| {
            input
                .application_name
                .as_ref()
                .is_none_or(|a| *a == d.application)
                && input
                    .deployment_group_name
                    .as_ref()
                    .is_none_or(|g| *g == d.group)
                && (statuses.is_empty() || statuses.contains(&wire_status(d.machine.status)))
                // No deployment has an external id (CloudFormation creates those).
                && input.external_id.is_none()
                && range.start.is_none_or(|s| d.create_time >= s.0)
                && range.end.is_none_or(|e| d.create_time <= e.0)
        })
        .enumerate()
        .map(|(i, d)| (format!("{i:08}"), d.id.clone()))
        .collect();
    let page = paginate(
        ids.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListDeploymentsOutput {
        deployments: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn stop_deployment(
    call: &mut Call<'_>,
    input: StopDeploymentInput,
) -> Result<StopDeploymentOutput, ServiceError> {
    let id = deployment(call, Some(input.deployment_id.as_str()))?
        .id
        .clone();
    runner::stop(call, &id, input.auto_rollback_enabled.unwrap_or(false))?;
    // AWS answers Pending while the agents are told; here the stop is already done.
    Ok(StopDeploymentOutput {
        status: Some(StopStatus::Pending),
        status_message: Some(
            "Stopping Pending. Stopping to schedule commands in the deployment instances".into(),
        ),
    })
}

fn started(d: &Deployment) -> Result<(), ServiceError> {
    if matches!(d.machine.status, Status::Created | Status::Queued) && d.machine.start.is_none() {
        return Err(err(
            "DeploymentNotStartedException",
            "The specified deployment has not started.",
        ));
    }
    Ok(())
}

fn target_wire(call: &Call<'_>, d: &Deployment, i: usize) -> DeploymentTarget {
    let t = &d.machine.targets[i];
    match d.kind {
        TargetKind::Instance => DeploymentTarget {
            deployment_target_type: Some(DeploymentTargetType::InstanceTarget),
            instance_target: Some(InstanceTarget {
                deployment_id: Some(d.id.clone()),
                target_id: Some(t.id.clone()),
                target_arn: Some(arn(call, &format!("instance/{}", t.id))),
                status: Some(step_status(t.status)),
                last_updated_at: Some(Timestamp(t.updated)),
                lifecycle_events: Some(lifecycle_events(t)),
                // In-place targets are the original ("Blue") fleet.
                instance_label: Some(match t.label {
                    Label::Blue => TargetLabel::Blue,
                    Label::Green => TargetLabel::Green,
                }),
            }),
            ..DeploymentTarget::default()
        },
        TargetKind::Lambda => {
            let l = d
                .appspec
                .as_ref()
                .and_then(|s| s.lambda.clone())
                .unwrap_or_default();
            DeploymentTarget {
                deployment_target_type: Some(DeploymentTargetType::LambdaTarget),
                lambda_target: Some(LambdaTarget {
                    deployment_id: Some(d.id.clone()),
                    target_id: Some(t.id.clone()),
                    target_arn: Some(format!(
                        "arn:aws:lambda:{}:{}:function:{}:{}",
                        call.ctx.region, call.ctx.account_id, l.name, l.alias
                    )),
                    status: Some(step_status(t.status)),
                    last_updated_at: Some(Timestamp(t.updated)),
                    lifecycle_events: Some(lifecycle_events(t)),
                    lambda_function_info: Some(LambdaFunctionInfo {
                        function_name: Some(l.name),
                        function_alias: Some(l.alias),
                        current_version: Some(l.current_version),
                        target_version: Some(l.target_version),
                        target_version_weight: Some(d.weight / 100.0),
                    }),
                }),
                ..DeploymentTarget::default()
            }
        }
        TargetKind::Ecs => DeploymentTarget {
            deployment_target_type: Some(DeploymentTargetType::ECSTarget),
            ecs_target: Some(ECSTarget {
                deployment_id: Some(d.id.clone()),
                target_id: Some(t.id.clone()),
                target_arn: Some(format!(
                    "arn:aws:ecs:{}:{}:service/{}",
                    call.ctx.region,
                    call.ctx.account_id,
                    t.id.replace(':', "/")
                )),
                last_updated_at: Some(Timestamp(t.updated)),
                lifecycle_events: Some(lifecycle_events(t)),
                status: Some(step_status(t.status)),
                task_sets_info: Some(Vec::new()),
            }),
            ..DeploymentTarget::default()
        },
    }
}

fn target_index(d: &Deployment, target_id: &str) -> Result<usize, ServiceError> {
    d.machine
        .targets
        .iter()
        .position(|t| t.id == target_id)
        .ok_or_else(|| {
            err(
                "DeploymentTargetDoesNotExistException",
                format!("The provided target ID does not belong to the deployment: {target_id}"),
            )
        })
}

pub(crate) fn list_deployment_targets(
    call: &mut Call<'_>,
    input: ListDeploymentTargetsInput,
) -> Result<ListDeploymentTargetsOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    started(d)?;
    let filters = input.target_filters.unwrap_or_default();
    for k in filters.keys() {
        if k != "TargetStatus" && k != "ServerInstanceLabel" {
            return Err(err(
                "InvalidTargetFilterNameException",
                format!("The target filter name {k} is invalid."),
            ));
        }
    }
    let statuses = filters.get("TargetStatus");
    let labels = filters.get("ServerInstanceLabel");
    let ids: Vec<&String> = d
        .machine
        .targets
        .iter()
        .filter(|t| statuses.is_none_or(|s| s.iter().any(|x| x == t.status.as_str())))
        .filter(|t| {
            let label = match t.label {
                Label::Blue => "Blue",
                Label::Green => "Green",
            };
            labels.is_none_or(|l| l.iter().any(|x| x == label))
        })
        .map(|t| &t.id)
        .collect();
    let page = paginate(
        ids.iter().map(|n| (n.as_str(), *n)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListDeploymentTargetsOutput {
        target_ids: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn get_deployment_target(
    call: &mut Call<'_>,
    input: GetDeploymentTargetInput,
) -> Result<GetDeploymentTargetOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    started(d)?;
    // Required: the validator refused a request without it.
    let t = input.target_id;
    let i = target_index(d, &t)?;
    Ok(GetDeploymentTargetOutput {
        deployment_target: Some(target_wire(call, d, i)),
    })
}

pub(crate) fn batch_get_deployment_targets(
    call: &mut Call<'_>,
    input: BatchGetDeploymentTargetsInput,
) -> Result<BatchGetDeploymentTargetsOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    started(d)?;
    let ids = input.target_ids;
    if ids.is_empty() {
        return Err(err(
            "DeploymentTargetIdRequiredException",
            "A deployment target ID was not provided.",
        ));
    }
    if ids.len() > 25 {
        return Err(err(
            "DeploymentTargetListSizeExceededException",
            "The maximum number of targets that can be associated with an Amazon ECS or AWS Lambda deployment was exceeded. The target list of both types of deployments must have exactly one item. This exception does not apply to EC2/On-premises deployments.",
        ));
    }
    let mut out = Vec::new();
    for t in &ids {
        let i = target_index(d, t)?;
        out.push(target_wire(call, d, i));
    }
    Ok(BatchGetDeploymentTargetsOutput {
        deployment_targets: Some(out),
    })
}

fn server_only(d: &Deployment) -> Result<(), ServiceError> {
    if d.kind != TargetKind::Instance {
        return Err(err(
            "InvalidComputePlatformException",
            "The computePlatform is invalid. The computePlatform should be Lambda, Server, or ECS. This operation supports only EC2/On-premises deployments.",
        ));
    }
    Ok(())
}

fn summary(d: &Deployment, i: usize) -> InstanceSummary {
    let t = &d.machine.targets[i];
    InstanceSummary {
        deployment_id: Some(d.id.clone()),
        instance_id: Some(t.id.clone()),
        status: Some(instance_status(t.status)),
        last_updated_at: Some(Timestamp(t.updated)),
        lifecycle_events: Some(lifecycle_events(t)),
        instance_type: Some(match t.label {
            Label::Blue => InstanceType::Blue,
            Label::Green => InstanceType::Green,
        }),
    }
}

pub(crate) fn list_deployment_instances(
    call: &mut Call<'_>,
    input: ListDeploymentInstancesInput,
) -> Result<ListDeploymentInstancesOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    server_only(d)?;
    started(d)?;
    let statuses = input.instance_status_filter.unwrap_or_default();
    let ids: Vec<&String> = d
        .machine
        .targets
        .iter()
        .filter(|t| statuses.is_empty() || statuses.contains(&instance_status(t.status)))
        .map(|t| &t.id)
        .collect();
    let page = paginate(
        ids.iter().map(|n| (n.as_str(), *n)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListDeploymentInstancesOutput {
        instances_list: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn get_deployment_instance(
    call: &mut Call<'_>,
    input: GetDeploymentInstanceInput,
) -> Result<GetDeploymentInstanceOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    server_only(d)?;
    // Required: the validator refused a request without it.
    let t = input.instance_id;
    let i = d
        .machine
        .targets
        .iter()
        .position(|x| x.id == t)
        .ok_or_else(|| {
            err(
                "InstanceDoesNotExistException",
                format!("The specified instance does not exist in the deployment group: {t}"),
            )
        })?;
    Ok(GetDeploymentInstanceOutput {
        instance_summary: Some(summary(d, i)),
    })
}

pub(crate) fn batch_get_deployment_instances(
    call: &mut Call<'_>,
    input: BatchGetDeploymentInstancesInput,
) -> Result<BatchGetDeploymentInstancesOutput, ServiceError> {
    let d = deployment(call, Some(input.deployment_id.as_str()))?;
    server_only(d)?;
    let ids = input.instance_ids;
    if ids.is_empty() {
        return Err(err(
            "InstanceIdRequiredException",
            "The instance ID was not specified.",
        ));
    }
    if ids.len() > 100 {
        return Err(batch_limit());
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for t in &ids {
        match d.machine.targets.iter().position(|x| x.id == *t) {
            Some(i) => out.push(summary(d, i)),
            None => missing.push(t.as_str()),
        }
    }
    Ok(BatchGetDeploymentInstancesOutput {
        instances_summary: Some(out),
        error_message: (!missing.is_empty()).then(|| {
            format!(
                "Instances not found in the deployment: {}",
                missing.join(", ")
            )
        }),
    })
}

pub(crate) fn put_lifecycle_event_hook_execution_status(
    call: &mut Call<'_>,
    input: PutLifecycleEventHookExecutionStatusInput,
) -> Result<PutLifecycleEventHookExecutionStatusOutput, ServiceError> {
    let d = deployment(call, input.deployment_id.as_deref())?;
    if d.kind == TargetKind::Instance {
        return Err(err(
            "UnsupportedActionForDeploymentTypeException",
            "PutLifecycleEventHookExecutionStatus is supported only for AWS Lambda and Amazon ECS deployments.",
        ));
    }
    let id = d.id.clone();
    let exec_id = input.lifecycle_event_hook_execution_id.unwrap_or_default();
    let Some(h) = call
        .state
        .hook_executions
        .get(&exec_id)
        .filter(|h| h.deployment_id == id)
        .cloned()
    else {
        return Err(err(
            "InvalidLifecycleEventHookExecutionIdException",
            format!(
                "The lifecycle event hook execution ID {exec_id} is not valid for deployment {id}."
            ),
        ));
    };
    if h.done {
        return Err(err(
            "LifecycleEventAlreadyCompletedException",
            format!("The lifecycle event hook execution {exec_id} has already completed."),
        ));
    }
    let result = match input.status {
        Some(LifecycleEventStatus::Succeeded) => Ok(()),
        Some(LifecycleEventStatus::Failed) => Err(runner::hook_failed(
            "The lifecycle event hook reported the status Failed.".into(),
        )),
        other => {
            return Err(err(
                "InvalidLifecycleEventHookExecutionStatusException",
                format!(
                "The status {} is not valid: a hook execution status must be Succeeded or Failed.",
                other.map(|s| s.as_str()).unwrap_or("")
            ),
            ))
        }
    };
    if let Some(x) = call.state.hook_executions.get_mut(&exec_id) {
        x.done = true;
    }
    call.effects.cancel(runner::hook_timer_key(&exec_id));
    let _ = runner::feed(
        call,
        &id,
        Input::Done {
            target: h.target,
            event: h.event,
            result,
        },
    );
    Ok(PutLifecycleEventHookExecutionStatusOutput {
        lifecycle_event_hook_execution_id: Some(exec_id),
    })
}

pub(crate) fn continue_deployment(
    call: &mut Call<'_>,
    input: ContinueDeploymentInput,
) -> Result<Empty, ServiceError> {
    let id = deployment(call, input.deployment_id.as_deref())?.id.clone();
    let wait = match input.deployment_wait_type {
        Some(DeploymentWaitType::TerminationWait) => Wait::Termination,
        // READY_WAIT is the default when no type is given (API reference).
        _ => Wait::Ready,
    };
    runner::continue_deployment(call, &id, wait)?;
    Ok(Empty {})
}

/// Deprecated: `ContinueDeployment` with `TERMINATION_WAIT`.
pub(crate) fn skip_wait_time_for_instance_termination(
    call: &mut Call<'_>,
    input: SkipWaitTimeForInstanceTerminationInput,
) -> Result<Empty, ServiceError> {
    let d = deployment(call, input.deployment_id.as_deref())?;
    if !d.machine.status.is_final() {
        started(d)?;
    }
    let id = d.id.clone();
    runner::continue_deployment(call, &id, Wait::Termination)?;
    Ok(Empty {})
}

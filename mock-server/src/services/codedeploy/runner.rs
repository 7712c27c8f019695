//! The shell around the pure deployment machine: it creates deployments, reads their revision
//! (from S3 through its port, or from the AppSpec content), chooses their targets, feeds the
//! machine its inputs, and turns its outputs into effects: simulated hook scripts on virtual
//! time, Lambda hook invocations, traffic shifts, EventBridge events, the next queued deployment
//! of the group, and the `on_finish` notification of the service that asked.

use super::appspec;
use super::configs::{self, MinHealthy, Shift};
use super::deployment::{
    self, BlueGreen, Diagnostics, Failure, Input, Label, Machine, Output, Phase, Status, Target,
    Wait,
};
use super::handlers::{arn, err, no_application, no_group};
use super::ports::{Command, DeploymentFinished};
use super::state::{Deployment, HookExecution, TargetKind};
use super::{Call, Timer};
use crate::effects::{partition, Notify};
use crate::error::ServiceError;
use crate::invocations::{InvocationResponse, InvocationType, InvokeRequest};
use crate::outcomes::{Outcome, OutcomeQuery};
use crate::services::s3;
use codemock_wire::codedeploy::{
    AlarmConfiguration, AutoRollbackConfiguration, AutoRollbackEvent, ComputePlatform,
    DeploymentGroupInfo, DeploymentReadyAction, DeploymentStatus, DeploymentType,
    FileExistsBehavior, GreenFleetProvisioningAction, InstanceAction, LastDeploymentInfo,
    LifecycleErrorCode, OnPremisesTagSet, RevisionLocation, RevisionLocationType, RollbackInfo,
    Tag, TagFilter, TagFilterType, TargetInstances,
};
use codemock_wire::types::Timestamp;
use serde_json::json;

/// Virtual seconds a lifecycle event takes unless an outcome rule says otherwise.
pub const DEFAULT_EVENT_SECONDS: f64 = 1.0;
/// A Lambda/ECS hook fails when its status has not come within an hour (AWS's hook timeout).
pub const HOOK_TIMEOUT_SECONDS: f64 = 3600.0;
/// The instance tag naming hooks that fail on that instance (comma-separated).
pub const FAIL_HOOK_TAG: &str = "codemock:fail-hook";

/// EC2/on-premises in-place lifecycle events, in run order (reference §3.4).
pub const SERVER_EVENTS: [&str; 13] = [
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
    "AfterAllowTraffic",
];
/// Blue/green replacement ("Green") instances' events, in run order (reference §3.4); they
/// hold before BeforeAllowTraffic until traffic is rerouted.
pub const GREEN_EVENTS: [&str; 10] = [
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];
/// Where Green instances wait for traffic rerouting: the index of BeforeAllowTraffic.
pub const GREEN_HOLD: usize = 7;
/// Blue/green original ("Blue") instances' events.
pub const BLUE_EVENTS: [&str; 3] = ["BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"];
/// A blue/green rollback: the originals take the traffic back, the replacements give it up.
pub const ROLLBACK_BLUE_EVENTS: [&str; 3] =
    ["BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"];

pub const LAMBDA_EVENTS: [&str; 5] = [
    "Start",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
    "End",
];
pub const ECS_EVENTS: [&str; 10] = [
    "Start",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
    "End",
];

/// A deployment to create, from the API or another service's port.
#[derive(Debug)]
pub struct NewDeployment {
    pub application: Option<String>,
    pub group: Option<String>,
    pub revision: Option<RevisionLocation>,
    pub config: Option<String>,
    pub description: Option<String>,
    pub creator: String,
    pub ignore_application_stop_failures: bool,
    pub file_exists_behavior: Option<FileExistsBehavior>,
    pub auto_rollback: Option<AutoRollbackConfiguration>,
    pub on_finish: Option<Notify<DeploymentFinished>>,
    /// The deployment this one rolls back (creator `codeDeployRollback`).
    pub rollback_of: Option<String>,
    /// Blue/green: the replacement instances (`targetInstances`).
    pub target_instances: Option<TargetInstances>,
    /// `overrideAlarmConfiguration`.
    pub override_alarms: Option<AlarmConfiguration>,
}

/// Creates a deployment (status Created) and starts reading its revision.
pub fn create(call: &mut Call<'_>, new: NewDeployment) -> Result<String, ServiceError> {
    let app_name = new.application.ok_or_else(|| {
        err(
            "ApplicationNameRequiredException",
            "The minimum number of required application names was not specified.",
        )
    })?;
    let group_name = new.group.ok_or_else(|| {
        err(
            "DeploymentGroupNameRequiredException",
            "The deployment group name was not specified.",
        )
    })?;
    let app = call
        .state
        .applications
        .get(&app_name)
        .ok_or_else(|| no_application(&app_name))?;
    let platform = app.info.compute_platform.unwrap_or(ComputePlatform::Server);
    let group = call
        .state
        .groups
        .get(&(app_name.clone(), group_name.clone()))
        .ok_or_else(|| no_group(&group_name))?;
    if new
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 100)
    {
        return Err(err(
            "DescriptionTooLongException",
            "The description is too long.",
        ));
    }
    let revision = match new.revision.or_else(|| group.info.target_revision.clone()) {
        Some(r) => super::handlers::normalize_revision(r)?,
        None => {
            return Err(err(
                "RevisionRequiredException",
                "The revision ID was not specified.",
            ))
        }
    };
    let config_name = new
        .config
        .or_else(|| group.info.deployment_config_name.clone())
        .unwrap_or_else(|| configs::DEFAULT_SERVER.to_owned());
    let config_info = super::handlers::config(call, &config_name)?;
    if config_info.compute_platform.is_some_and(|p| p != platform) {
        return Err(err(
            "InvalidDeploymentConfigNameException",
            format!("The deployment configuration {config_name} is not for compute platform {platform}."),
        ));
    }
    // One active deployment per group: AWS refuses another with this error (message as the AWS
    // CLI shows it, e.g. CircleCI-Public/aws-ecs-orb#181; clients parse the id out of it).
    let active = call.state.deployment_order.iter().rev().find(|id| {
        call.state.deployments.get(*id).is_some_and(|d| {
            d.application == app_name && d.group == group_name && !d.machine.status.is_final()
        })
    });
    if let Some(active) = active {
        return Err(err(
            "DeploymentLimitExceededException",
            format!(
                "The Deployment Group '{group_name}' already has an active Deployment '{active}'"
            ),
        ));
    }
    let blue_green = platform == ComputePlatform::Server
        && group
            .info
            .deployment_style
            .as_ref()
            .and_then(|s| s.deployment_type)
            == Some(DeploymentType::BlueGreen);
    if new.target_instances.is_some() && !blue_green {
        // The model's documentation of the error (InvalidTargetInstancesException).
        return Err(err(
            "InvalidTargetInstancesException",
            "The target instance configuration is invalid. Possible causes include: Configuration data for target instances was entered for an in-place deployment.",
        ));
    }
    let blue_green_config = blue_green.then(|| {
        group
            .info
            .blue_green_deployment_configuration
            .clone()
            .unwrap_or_default()
    });
    let group_id = group.info.deployment_group_id.clone().unwrap_or_default();
    let auto_rollback = new
        .auto_rollback
        .or_else(|| group.info.auto_rollback_configuration.clone());
    let previous_revision =
        last_successful(call, &app_name, &group_name).map(|d| d.revision.clone());
    let now = call.ctx.received_at;
    let id = format!("d-{}", call.core.ids.alphanumeric_upper(9));
    let kind = match platform {
        ComputePlatform::Server => TargetKind::Instance,
        ComputePlatform::Lambda => TargetKind::Lambda,
        ComputePlatform::Ecs => TargetKind::Ecs,
    };
    if let Some(a) = call.state.applications.get_mut(&app_name) {
        super::handlers::record_revision(a, &revision, None, Some(&group_name), now);
    }
    let mut machine = Machine::new(Vec::new(), 0, 1);
    machine.ignore_application_stop_failures = new.ignore_application_stop_failures;
    let d = Deployment {
        id: id.clone(),
        application: app_name,
        group: group_name,
        group_id,
        config_name,
        compute_platform: platform,
        revision: revision.clone(),
        previous_revision,
        description: new.description,
        creator: new.creator,
        create_time: now,
        ignore_application_stop_failures: new.ignore_application_stop_failures,
        file_exists_behavior: new.file_exists_behavior.map(|f| f.as_str().to_owned()),
        auto_rollback,
        kind,
        machine,
        appspec: None,
        weight: 0.0,
        on_finish: new.on_finish,
        target_tags: Vec::new(),
        rollback_info: new.rollback_of.map(|of| RollbackInfo {
            rollback_deployment_id: None,
            rollback_triggering_deployment_id: Some(of),
            rollback_message: None,
        }),
        rollback_on_stop: false,
        target_instances: new.target_instances,
        blue_green_config,
        override_alarms: new.override_alarms,
    };
    call.state.deployments.insert(id.clone(), d);
    call.state.deployment_order.push(id.clone());
    // The deployment stays Created until the clock moves, whatever its revision: AWS reads the
    // revision after CreateDeployment has answered, so a GetDeployment right after it sees
    // `Created` (moto's CreateDeployment tests read it so).
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    call.effects.arm(
        now,
        &account,
        &region,
        Timer::Begin {
            deployment_id: id.clone(),
        },
    );
    Ok(id)
}

fn last_successful<'a>(call: &'a Call<'_>, app: &str, group: &str) -> Option<&'a Deployment> {
    call.state
        .deployment_order
        .iter()
        .rev()
        .filter_map(|id| call.state.deployments.get(id))
        .find(|d| d.application == app && d.group == group && d.machine.status == Status::Succeeded)
}

/// The revision of a content revision is ready (the `Begin` timer).
pub fn begin(call: &mut Call<'_>, id: &str) {
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    if d.revision.revision_type == Some(RevisionLocationType::S3) {
        // An S3 bundle is read through S3's port; its answer comes back as `BundleRead`.
        let s = d.revision.s3_location.clone().unwrap_or_default();
        let bundle_type = s
            .bundle_type
            .map(|b| b.as_str().to_owned())
            .unwrap_or_default();
        let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
        let to = partition(&account, &region);
        let deployment_id = id.to_owned();
        call.effects.send(
            &account,
            &region,
            s3::ports::Command::GetObject {
                bucket: s.bucket.unwrap_or_default(),
                key: s.key.unwrap_or_default(),
                version_id: s.version,
                then: Notify::new(move |result: Result<s3::ports::ObjectRead, ServiceError>| {
                    Some((
                        to,
                        Command::BundleRead {
                            deployment_id,
                            bundle_type,
                            result: result.map(|o| o.body.to_vec()).map_err(|e| e.message),
                        }
                        .into(),
                    ))
                }),
            },
        );
        return;
    }
    let text = match d.revision.revision_type {
        Some(RevisionLocationType::GitHub) => Err(Failure {
            code: "MISSING_GITHUB_TOKEN".into(),
            // codemock connects to no GitHub account, so a GitHub revision cannot be fetched.
            message: "The deployment failed because the GitHub revision could not be fetched: no GitHub account is connected.".into(),
        }),
        _ => super::handlers::content_of(&d.revision).ok_or_else(|| Failure {
            code: "INVALID_REVISION".into(),
            message: "The revision has no AppSpec content.".into(),
        }),
    };
    revision_ready(call, id, text);
}

/// S3 answered with the bundle (or an error).
pub fn bundle_read(
    call: &mut Call<'_>,
    id: &str,
    bundle_type: &str,
    result: Result<Vec<u8>, String>,
) {
    let text = match result {
        Err(message) => Err(Failure {
            code: "REVISION_MISSING".into(),
            message: format!("The revision could not be read from Amazon S3: {message}"),
        }),
        Ok(bytes) => appspec::from_bundle(bundle_type, &bytes).map_err(|e| Failure {
            code: "INVALID_REVISION".into(),
            message: e.0,
        }),
    };
    revision_ready(call, id, text);
}

fn revision_ready(call: &mut Call<'_>, id: &str, text: Result<String, Failure>) {
    let now = call.ctx.received_at;
    let parsed = text.and_then(|t| {
        appspec::parse(&t).map_err(|e| Failure {
            code: "INVALID_REVISION".into(),
            message: e.0,
        })
    });
    let spec = match parsed {
        Ok(s) => s,
        Err(f) => {
            feed(call, id, Input::Reject(f));
            return;
        }
    };
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    if d.machine.status != Status::Created {
        return;
    }
    // Previous successful revision's ApplicationStop runs (AWS runs the scripts of the last
    // revision deployed successfully to the group).
    let previous_stop = last_successful(call, &d.application, &d.group)
        .and_then(|p| p.appspec.as_ref())
        .is_some_and(|s| {
            s.scripts
                .get("ApplicationStop")
                .is_some_and(|v| !v.is_empty())
        });
    let group = call
        .state
        .groups
        .get(&(d.application.clone(), d.group.clone()))
        .map(|g| g.info.clone())
        .unwrap_or_default();
    let config = super::handlers::config(call, &d.config_name).ok();
    let rolled_back = d
        .rollback_info
        .as_ref()
        .and_then(|r| r.rollback_triggering_deployment_id.as_deref())
        .and_then(|of| call.state.deployments.get(of))
        .filter(|o| o.machine.blue_green.is_some());
    let mut plan = None;
    let (targets, tags, required, max_down, err) = match d.kind {
        TargetKind::Instance if rolled_back.is_some() => {
            let (t, tags, bg) = rollback_fleets(rolled_back, &spec, now);
            plan = Some(bg);
            let n = t.len();
            (t, tags, 0, n, None)
        }
        TargetKind::Instance if d.blue_green_config.is_some() => {
            let (t, tags, required, max_down, bg, error) =
                blue_green_fleets(call, d, &spec, &group, config.as_ref(), now);
            plan = Some(bg);
            (t, tags, required, max_down, error)
        }
        TargetKind::Instance => {
            let with_lb = group.load_balancer_info.as_ref().is_some_and(|lb| {
                !lb.elb_info_list.as_deref().unwrap_or_default().is_empty()
                    || !lb
                        .target_group_info_list
                        .as_deref()
                        .unwrap_or_default()
                        .is_empty()
            });
            let events: Vec<(&str, bool)> = SERVER_EVENTS
                .iter()
                .map(|e| {
                    let scripted = spec.scripts.get(*e).is_some_and(|v| !v.is_empty());
                    let runs = match *e {
                        "DownloadBundle" | "Install" => true,
                        "BlockTraffic" | "AllowTraffic" => with_lb,
                        "BeforeBlockTraffic" | "AfterBlockTraffic" | "BeforeAllowTraffic"
                        | "AfterAllowTraffic" => with_lb && scripted,
                        "ApplicationStop" => previous_stop,
                        _ => scripted,
                    };
                    (*e, runs)
                })
                .collect();
            // In place, EC2 tag filters match nothing (codemock has no EC2); on-premises tags
            // choose the fleet.
            let chosen = super::handlers::select_instances(
                call,
                group
                    .on_premises_instance_tag_filters
                    .as_deref()
                    .unwrap_or_default(),
                group.on_premises_tag_set.as_ref(),
            );
            let n = chosen.len();
            let rule = config
                .as_ref()
                .map_or(MinHealthy::OneAtATime, configs::min_healthy);
            let required = rule.required(n);
            let mut error = None;
            if n > 0 && required >= n && rule != MinHealthy::OneAtATime {
                error = Some(Failure {
                    code: "HEALTH_CONSTRAINTS_INVALID".into(),
                    message: "The deployment failed because the minimum number of healthy instances for the deployment configuration can't be met by the number of instances in the deployment group.".into(),
                });
            }
            let targets = chosen
                .iter()
                .map(|(name, _)| Target::new(name.clone(), &events, now))
                .collect();
            let tags = chosen.into_iter().map(|(_, t)| t).collect();
            (targets, tags, required, n.saturating_sub(required), error)
        }
        TargetKind::Lambda | TargetKind::Ecs => {
            let names: &[&str] = if d.kind == TargetKind::Lambda {
                &LAMBDA_EVENTS
            } else {
                &ECS_EVENTS
            };
            let events: Vec<(&str, bool)> = names
                .iter()
                .map(|e| {
                    let hook = e.starts_with("Before") || e.starts_with("After");
                    (*e, !hook || spec.functions.contains_key(*e))
                })
                .collect();
            let target_id = match d.kind {
                TargetKind::Lambda => spec
                    .lambda
                    .as_ref()
                    .map_or_else(String::new, |l| format!("{}:{}", l.name, l.alias)),
                _ => group
                    .ecs_services
                    .as_ref()
                    .and_then(|s| s.first())
                    .map_or_else(String::new, |s| {
                        format!(
                            "{}:{}",
                            s.cluster_name.clone().unwrap_or_default(),
                            s.service_name.clone().unwrap_or_default()
                        )
                    }),
            };
            let error = (d.kind == TargetKind::Lambda && spec.lambda.is_none()).then(|| Failure {
                code: "INVALID_REVISION".into(),
                message: "The AppSpec file names no AWS::Lambda::Function resource.".into(),
            });
            (
                vec![Target::new(target_id, &events, now)],
                vec![Vec::new()],
                1,
                1,
                error,
            )
        }
    };
    // CreateDeployment refuses a second active deployment per group, so this only guards the
    // machine's Queued path (a deployment made ready while another still runs waits its turn).
    let busy = call.state.deployments.values().any(|o| {
        o.id != id
            && o.application == d.application
            && o.group == d.group
            && matches!(o.machine.status, Status::InProgress | Status::Ready)
    });
    if let Some(d) = call.state.deployments.get_mut(id) {
        d.appspec = Some(spec);
        let ignore = d.machine.ignore_application_stop_failures;
        d.machine = Machine::new(targets, required, max_down);
        d.machine.ignore_application_stop_failures = ignore;
        d.machine.blue_green = plan;
        d.target_tags = tags;
    }
    if let Some(f) = err {
        feed(call, id, Input::Reject(f));
    } else if busy {
        feed(call, id, Input::Queue);
    } else {
        feed(call, id, Input::Start);
    }
}

/// Feeds the machine of deployment `id` and applies what comes out.
pub fn feed(
    call: &mut Call<'_>,
    id: &str,
    input: Input,
) -> Option<Result<(), deployment::Illegal>> {
    let now = call.ctx.received_at;
    let d = call.state.deployments.get_mut(id)?;
    let outputs = match deployment::step(&mut d.machine, input, now) {
        Ok(o) => o,
        Err(e) => return Some(Err(e)),
    };
    for o in outputs {
        match o {
            Output::Run { target, event } => run_event(call, id, target, event),
            Output::Deployment(state) => {
                deployment_event(call, id, state);
                super::triggers::deployment(call, id, state);
                if state == "START" {
                    poll_alarms(call, id);
                }
            }
            Output::Instance { target, state } => {
                instance_event(call, id, target, state);
                super::triggers::instance(call, id, target, state);
            }
            Output::Wait { wait, seconds } => {
                let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
                call.effects.arm_keyed(
                    wait_timer_key(id, wait),
                    now + seconds,
                    &account,
                    &region,
                    Timer::WaitOver {
                        deployment_id: id.to_owned(),
                        wait,
                    },
                );
            }
        }
    }
    let final_status = call
        .state
        .deployments
        .get(id)
        .map(|d| d.machine.status)
        .filter(|s| s.is_final());
    if let Some(status) = final_status {
        finished(call, id, status);
    }
    Some(Ok(()))
}

/// Runs lifecycle event `event` of `target`: arms its end, or invokes its hook.
fn run_event(call: &mut Call<'_>, id: &str, target: usize, event: usize) {
    let now = call.ctx.received_at;
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    let name = d.machine.targets[target].events[event].name.clone();
    let done = |result| Timer::EventDone {
        deployment_id: id.to_owned(),
        target,
        event,
        result,
    };
    match d.kind {
        TargetKind::Instance => {
            let scripts = d
                .appspec
                .as_ref()
                .and_then(|s| s.scripts.get(&name))
                .cloned()
                .unwrap_or_default();
            let tags = d.target_tags.get(target).cloned().unwrap_or_default();
            let instance = d.machine.targets[target].id.clone();
            let fail_tag = tags.iter().any(|t| {
                t.key.as_deref() == Some(FAIL_HOOK_TAG)
                    && t.value
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .any(|h| h.trim().eq_ignore_ascii_case(&name))
            });
            let decision = call.core.outcomes.decide(
                &OutcomeQuery::new("codedeploy")
                    .name(&d.group)
                    .name(&d.application)
                    .name(&instance)
                    .step(&name)
                    .tags(
                        tags.iter()
                            .filter_map(|t| Some((t.key.as_deref()?, t.value.as_deref()?))),
                    ),
            );
            let outcome = if fail_tag {
                Outcome::Failed
            } else {
                decision.as_ref().map_or(Outcome::Succeeded, |d| d.outcome)
            };
            let script = scripts.first();
            let location = script.map(|s| s.location.clone()).unwrap_or_default();
            let timeout: f64 = scripts
                .iter()
                .map(|s| s.timeout)
                .sum::<f64>()
                .max(if scripts.is_empty() { 3600.0 } else { 0.0 });
            let seconds = decision
                .as_ref()
                .and_then(|d| d.seconds)
                .unwrap_or(DEFAULT_EVENT_SECONDS);
            let message = decision.as_ref().and_then(|d| d.message.clone());
            let (at, result) = match outcome {
                Outcome::Succeeded => (now + seconds, Ok(())),
                Outcome::Failed | Outcome::Stopped => (
                    now + seconds,
                    Err(Diagnostics {
                        error_code: if scripts.is_empty() {
                            LifecycleErrorCode::UnknownError
                        } else {
                            LifecycleErrorCode::ScriptFailed
                        },
                        script_name: location.clone(),
                        message: message.unwrap_or_else(|| {
                            if scripts.is_empty() {
                                format!("The {name} step failed.")
                            } else {
                                // The agent's wording for a script that exits non-zero.
                                format!(
                                    "Script at specified location: {location} run as user {} failed with exit code 1",
                                    script.and_then(|s| s.runas.clone()).unwrap_or_else(|| "root".into())
                                )
                            }
                        }),
                        log_tail: String::new(),
                    }),
                ),
                Outcome::TimedOut | Outcome::Hang => (
                    now + timeout,
                    Err(Diagnostics {
                        error_code: LifecycleErrorCode::ScriptTimedOut,
                        script_name: location.clone(),
                        message: message.unwrap_or_else(|| {
                            format!("Script at specified location: {location} failed to complete in {timeout} seconds")
                        }),
                        log_tail: String::new(),
                    }),
                ),
            };
            call.effects.arm(at, &account, &region, done(result));
        }
        TargetKind::Lambda | TargetKind::Ecs => {
            let function = d
                .appspec
                .as_ref()
                .and_then(|s| s.functions.get(&name))
                .cloned();
            if let Some(function) = function {
                let execution_id = call.core.ids.uuid();
                let payload = json!({
                    "DeploymentId": id,
                    "LifecycleEventHookExecutionId": execution_id,
                })
                .to_string();
                let response = call.core.invocations.invoke(InvokeRequest {
                    function: function.clone(),
                    invocation_type: InvocationType::Event,
                    payload,
                    source: "codedeploy".into(),
                    source_arn: Some(id.to_owned()),
                    account: account.clone(),
                    region: region.clone(),
                    time: now,
                });
                call.state.hook_executions.insert(
                    execution_id.clone(),
                    HookExecution {
                        deployment_id: id.to_owned(),
                        target,
                        event,
                        done: false,
                    },
                );
                // A response registered for the function answers for it: an invoke error fails
                // the hook; `{"status": "Succeeded"|"Failed"}` is the status the function would
                // put; anything else leaves the hook waiting for PutLifecycleEventHookExecutionStatus.
                let answered = match &response {
                    InvocationResponse::Error { code, message } => Some(Err(format!(
                        "The Lambda function {function} could not be invoked: {code}: {message}"
                    ))),
                    InvocationResponse::Payload(p) => {
                        match p.get("status").and_then(|s| s.as_str()) {
                            Some("Succeeded") => Some(Ok(())),
                            Some("Failed") => Some(Err(format!(
                                "The Lambda function {function} reported the hook as Failed."
                            ))),
                            _ => None,
                        }
                    }
                };
                match answered {
                    Some(result) => {
                        if let Some(h) = call.state.hook_executions.get_mut(&execution_id) {
                            h.done = true;
                        }
                        call.effects
                            .arm(now, &account, &region, done(result.map_err(hook_failed)));
                    }
                    None => call.effects.arm_keyed(
                        hook_timer_key(&execution_id),
                        now + HOOK_TIMEOUT_SECONDS,
                        &account,
                        &region,
                        Timer::HookTimeout { execution_id },
                    ),
                }
            } else if name == "AllowTraffic" {
                let shift = super::handlers::config(call, &d.config_name)
                    .map(|c| Shift::from_wire(c.traffic_routing_config.as_ref()))
                    .unwrap_or(Shift::AllAtOnce);
                let steps = shift.steps();
                let last = steps.len().saturating_sub(1);
                for (i, (after, weight)) in steps.into_iter().enumerate() {
                    call.effects.arm(
                        now + after,
                        &account,
                        &region,
                        Timer::Shift {
                            deployment_id: id.to_owned(),
                            target,
                            event,
                            weight,
                            last: i == last,
                        },
                    );
                }
            } else {
                // Start, Install, AllowTestTraffic, End: CodeDeploy's own steps.
                call.effects.arm(now, &account, &region, done(Ok(())));
            }
        }
    }
}

pub fn hook_timer_key(execution_id: &str) -> String {
    format!("codedeploy-hook-{execution_id}")
}

pub fn hook_failed(message: String) -> Diagnostics {
    Diagnostics {
        error_code: LifecycleErrorCode::UnknownError,
        script_name: String::new(),
        message,
        log_tail: String::new(),
    }
}

/// A traffic step of AllowTraffic came due.
pub fn shift(call: &mut Call<'_>, id: &str, target: usize, event: usize, weight: f64, last: bool) {
    let Some(d) = call.state.deployments.get_mut(id) else {
        return;
    };
    let current = d.machine.targets.get(target).and_then(Target::current);
    if d.machine.status != Status::InProgress || current != Some(event) {
        return;
    }
    d.weight = weight;
    if last {
        feed(
            call,
            id,
            Input::Done {
                target,
                event,
                result: Ok(()),
            },
        );
    }
}

fn envelope(
    call: &mut Call<'_>,
    detail_type: &str,
    resources: Vec<String>,
    detail: serde_json::Value,
) {
    let event = json!({
        "version": "0",
        "id": call.core.ids.uuid(),
        "detail-type": detail_type,
        "source": "aws.codedeploy",
        "account": call.ctx.account_id,
        "time": crate::protocol::timestamps::iso8601(call.ctx.received_at),
        "region": call.ctx.region,
        "resources": resources,
        "detail": detail,
    });
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    crate::services::events::ports::put_event(call.effects, &account, &region, "default", event);
}

fn deployment_event(call: &mut Call<'_>, id: &str, state: &str) {
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    let (app, group, group_id) = (d.application.clone(), d.group.clone(), d.group_id.clone());
    let resources = vec![
        arn(call, &format!("application:{app}")),
        arn(call, &format!("deploymentgroup:{app}/{group}")),
    ];
    let detail = json!({
        "instanceGroupId": group_id,
        "region": call.ctx.region,
        "application": app,
        "deploymentId": id,
        "state": state,
        "deploymentGroup": group,
    });
    envelope(
        call,
        "CodeDeploy Deployment State-change Notification",
        resources,
        detail,
    );
}

fn instance_event(call: &mut Call<'_>, id: &str, target: usize, state: &str) {
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    if d.kind != TargetKind::Instance {
        return;
    }
    let instance = d.machine.targets[target].id.clone();
    let (app, group, group_id) = (d.application.clone(), d.group.clone(), d.group_id.clone());
    let resources = vec![
        arn(call, &format!("instance/{instance}")),
        arn(call, &format!("deploymentgroup:{app}/{group}")),
        arn(call, &format!("application:{app}")),
    ];
    let detail = json!({
        "instanceId": instance,
        "region": call.ctx.region,
        "state": state,
        "application": app,
        "deploymentId": id,
        "instanceGroupId": group_id,
        "deploymentGroup": group,
    });
    envelope(
        call,
        "CodeDeploy Instance State-change Notification",
        resources,
        detail,
    );
}

pub fn wire_status(s: Status) -> DeploymentStatus {
    match s {
        Status::Created => DeploymentStatus::Created,
        Status::Queued => DeploymentStatus::Queued,
        Status::InProgress => DeploymentStatus::InProgress,
        Status::Ready => DeploymentStatus::Ready,
        Status::Succeeded => DeploymentStatus::Succeeded,
        Status::Failed => DeploymentStatus::Failed,
        Status::Stopped => DeploymentStatus::Stopped,
    }
}

/// A deployment ended: the group remembers it, the asker is told, the next queued one starts,
/// and a failed one may roll back.
fn finished(call: &mut Call<'_>, id: &str, status: Status) {
    let Some(d) = call.state.deployments.get_mut(id) else {
        return;
    };
    let on_finish = d.on_finish.take();
    let (app, group) = (d.application.clone(), d.group.clone());
    let last = LastDeploymentInfo {
        deployment_id: Some(id.to_owned()),
        status: Some(wire_status(status)),
        end_time: d.machine.end.map(Timestamp),
        create_time: Some(Timestamp(d.create_time)),
    };
    let revision = d.revision.clone();
    let failure = d.machine.failure.clone();
    // Pending hook executions of the deployment end with it.
    let execs: Vec<String> = call
        .state
        .hook_executions
        .iter()
        .filter(|(_, h)| h.deployment_id == id && !h.done)
        .map(|(k, _)| k.clone())
        .collect();
    call.effects.cancel(wait_timer_key(id, Wait::Ready));
    call.effects.cancel(wait_timer_key(id, Wait::Termination));
    call.effects.cancel(alarm_timer_key(id));
    for e in execs {
        call.effects.cancel(hook_timer_key(&e));
        if let Some(h) = call.state.hook_executions.get_mut(&e) {
            h.done = true;
        }
    }
    if let Some(g) = call.state.groups.get_mut(&(app.clone(), group.clone())) {
        g.info.last_attempted_deployment = Some(last.clone());
        if status == Status::Succeeded {
            g.info.last_successful_deployment = Some(last);
            g.info.target_revision = Some(revision);
        }
    }
    if let Some(n) = on_finish {
        n.fire(
            DeploymentFinished {
                deployment_id: id.to_owned(),
                status: status.as_str().to_owned(),
                error: if status == Status::Succeeded {
                    None
                } else {
                    failure.map(|f| (f.code, f.message))
                },
            },
            call.effects,
        );
    }
    if rollback(call, id, status) {
        // The rollback runs before anything queued; its own end starts the next one.
        return;
    }
    // The oldest queued deployment of the group goes next.
    let next = call
        .state
        .deployment_order
        .iter()
        .find(|o| {
            call.state.deployments.get(*o).is_some_and(|x| {
                x.application == app && x.group == group && x.machine.status == Status::Queued
            })
        })
        .cloned();
    if let Some(next) = next {
        feed(call, &next, Input::Start);
    }
}

/// `StopDeployment`: the deployment stops at once (targets in progress fail, the rest are Skipped).
pub fn stop(call: &mut Call<'_>, id: &str, auto_rollback: bool) -> Result<(), ServiceError> {
    let status = call
        .state
        .deployments
        .get(id)
        .map(|d| d.machine.status)
        .ok_or_else(|| super::handlers::no_deployment(id))?;
    if status.is_final() {
        return Err(err(
            "DeploymentAlreadyCompletedException",
            format!("The deployment {id} has already completed."),
        ));
    }
    if let Some(d) = call.state.deployments.get_mut(id) {
        d.rollback_on_stop = auto_rollback;
    }
    let _ = feed(call, id, Input::Stop);
    Ok(())
}

/// Rolls back a deployment that failed (automatic rollback on `DEPLOYMENT_FAILURE`) or was
/// stopped with `autoRollbackEnabled`: a new deployment of the group's last successful revision,
/// `rollbackInfo` on both. Returns whether a rollback deployment was created.
fn rollback(call: &mut Call<'_>, id: &str, status: Status) -> bool {
    let Some(d) = call.state.deployments.get(id) else {
        return false;
    };
    // A rollback does not roll back itself.
    if d.creator == "codeDeployRollback" {
        return false;
    }
    let on_failure = status == Status::Failed
        && d.auto_rollback.as_ref().is_some_and(|c| {
            c.enabled == Some(true)
                && c.events
                    .as_deref()
                    .unwrap_or_default()
                    .contains(&AutoRollbackEvent::DeploymentFailure)
        });
    let on_alarm = status == Status::Stopped
        && d.machine
            .failure
            .as_ref()
            .is_some_and(|f| f.code == ALARM_ACTIVE)
        && d.auto_rollback.as_ref().is_some_and(|c| {
            c.enabled == Some(true)
                && c.events
                    .as_deref()
                    .unwrap_or_default()
                    .contains(&AutoRollbackEvent::DeploymentStopOnAlarm)
        });
    let on_stop = status == Status::Stopped && (d.rollback_on_stop || on_alarm);
    if !on_failure && !on_stop {
        return false;
    }
    let (app, group) = (d.application.clone(), d.group.clone());
    let last_good =
        last_successful(call, &app, &group).map(|p| (p.revision.clone(), p.config_name.clone()));
    let Some((revision, config)) = last_good else {
        if let Some(d) = call.state.deployments.get_mut(id) {
            d.rollback_info = Some(RollbackInfo {
                rollback_deployment_id: None,
                rollback_triggering_deployment_id: None,
                // Our wording: AWS says no rollback happens without a last good revision.
                rollback_message: Some(
                    "Automatic rollback was not performed: no previous successful revision exists for the deployment group.".into(),
                ),
            });
        }
        return false;
    };
    let created = create(
        call,
        NewDeployment {
            application: Some(app),
            group: Some(group),
            revision: Some(revision),
            config: Some(config),
            description: None,
            creator: "codeDeployRollback".into(),
            ignore_application_stop_failures: false,
            file_exists_behavior: None,
            auto_rollback: None,
            on_finish: None,
            rollback_of: Some(id.to_owned()),
            target_instances: None,
            override_alarms: None,
        },
    );
    let Ok(new_id) = created else {
        return false;
    };
    super::triggers::deployment(call, id, "ROLLBACK");
    if let Some(d) = call.state.deployments.get_mut(id) {
        d.rollback_info = Some(RollbackInfo {
            rollback_deployment_id: Some(new_id),
            rollback_triggering_deployment_id: None,
            rollback_message: None,
        });
    }
    true
}

/// The errorInformation code of a deployment an alarm stopped.
pub const ALARM_ACTIVE: &str = "ALARM_ACTIVE";

pub fn wait_timer_key(id: &str, wait: Wait) -> String {
    match wait {
        Wait::Ready => format!("codedeploy-ready-{id}"),
        Wait::Termination => format!("codedeploy-termination-{id}"),
    }
}

fn alarm_timer_key(id: &str) -> String {
    format!("codedeploy-alarms-{id}")
}

/// The alarms deployment `d` watches: its `overrideAlarmConfiguration`, else its group's, when
/// enabled.
fn watched_alarms(call: &Call<'_>, d: &Deployment) -> Vec<String> {
    // A rollback runs while the alarm that caused it may still be in ALARM, and AWS completes
    // it (a Lambda canary rolled back on alarm returns to the old version): rollbacks do not watch.
    if d.creator == "codeDeployRollback" {
        return Vec::new();
    }
    let config = d.override_alarms.clone().or_else(|| {
        call.state
            .groups
            .get(&(d.application.clone(), d.group.clone()))
            .and_then(|g| g.info.alarm_configuration.clone())
    });
    config
        .filter(|c| c.enabled == Some(true))
        .and_then(|c| c.alarms)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.name)
        .collect()
}

/// Looks at the alarms of deployment `id` (in progress or Ready): one in ALARM stops it with
/// `ALARM_ACTIVE`; otherwise the next look is armed.
pub fn poll_alarms(call: &mut Call<'_>, id: &str) {
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    if !matches!(d.machine.status, Status::InProgress | Status::Ready) {
        return;
    }
    let names = watched_alarms(call, d);
    if names.is_empty() {
        return;
    }
    let active = call.core.codedeploy_alarms.active(&names);
    if active.is_empty() {
        let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
        call.effects.arm_keyed(
            alarm_timer_key(id),
            call.ctx.received_at + super::alarms::POLL_SECONDS,
            &account,
            &region,
            Timer::AlarmPoll {
                deployment_id: id.to_owned(),
            },
        );
        return;
    }
    let _ = feed(
        call,
        id,
        Input::Halt(Failure {
            code: ALARM_ACTIVE.into(),
            // Unconfirmed wording: AWS's text for ALARM_ACTIVE was not found in its docs.
            message: format!(
                "The deployment was stopped because the following alarms were activated: {}.",
                active.join(", ")
            ),
        }),
    );
}

/// Converts EC2 tag filters (`targetInstances`, `ec2TagFilters`) to the on-premises shape the
/// instance selector takes: codemock has no EC2, so registered instances stand in for EC2 ones.
fn ec2_filters(f: &[codemock_wire::codedeploy::EC2TagFilter]) -> Vec<TagFilter> {
    f.iter()
        .map(|f| TagFilter {
            key: f.key.clone(),
            value: f.value.clone(),
            r#type: f.r#type.and_then(|t| TagFilterType::from_name(t.as_str())),
        })
        .collect()
}

fn ec2_set(s: Option<&codemock_wire::codedeploy::EC2TagSet>) -> Option<OnPremisesTagSet> {
    s.map(|s| OnPremisesTagSet {
        on_premises_tag_set_list: s
            .ec2_tag_set_list
            .as_ref()
            .map(|l| l.iter().map(|g| ec2_filters(g)).collect()),
    })
}

type Fleets = (
    Vec<Target>,
    Vec<Vec<Tag>>,
    usize,
    usize,
    BlueGreen,
    Option<Failure>,
);

/// A blue/green deployment's fleets. The replacement (Green) fleet is chosen by the deployment's
/// `targetInstances` (DISCOVER_EXISTING: existing instances by EC2 tag filters or tag set, matched
/// against the registered instances); the original (Blue) fleet by the group's on-premises and EC2
/// tags, minus the replacements. The deployment configuration's rule applies to the Green fleet.
fn blue_green_fleets(
    call: &Call<'_>,
    d: &Deployment,
    spec: &appspec::AppSpec,
    group: &DeploymentGroupInfo,
    config: Option<&codemock_wire::codedeploy::DeploymentConfigInfo>,
    now: f64,
) -> Fleets {
    let bgc = d.blue_green_config.clone().unwrap_or_default();
    // Defaults when the group leaves an option out (unconfirmed: AWS documents none): traffic
    // moves at once, originals are kept, replacements are discovered.
    let ready_wait = bgc
        .deployment_ready_option
        .as_ref()
        .filter(|r| r.action_on_timeout == Some(DeploymentReadyAction::StopDeployment))
        .map(|r| f64::from(r.wait_time_in_minutes.unwrap_or(0).max(0)) * 60.0);
    let termination_wait = bgc
        .terminate_blue_instances_on_deployment_success
        .as_ref()
        .filter(|t| t.action == Some(InstanceAction::Terminate))
        .map(|t| f64::from(t.termination_wait_time_in_minutes.unwrap_or(0).max(0)) * 60.0);
    let plan = BlueGreen::new(ready_wait, termination_wait);
    let copy_asg = bgc
        .green_fleet_provisioning_option
        .as_ref()
        .and_then(|g| g.action)
        == Some(GreenFleetProvisioningAction::CopyAutoScalingGroup);
    if copy_asg {
        // codemock has no Auto Scaling to copy a group with; codemock's wording.
        let f = Failure {
            code: "AUTO_SCALING_CONFIGURATION".into(),
            message: "The replacement environment could not be provisioned: codemock has no Amazon EC2 Auto Scaling to copy the deployment group's Auto Scaling group (COPY_AUTO_SCALING_GROUP). Use DISCOVER_EXISTING with targetInstances.".into(),
        };
        return (Vec::new(), Vec::new(), 0, 1, plan, Some(f));
    }
    let ti = d.target_instances.clone().unwrap_or_default();
    let green = super::handlers::select_instances(
        call,
        &ec2_filters(ti.tag_filters.as_deref().unwrap_or_default()),
        ec2_set(ti.ec2_tag_set.as_ref()).as_ref(),
    );
    let mut blue = super::handlers::select_instances(
        call,
        group
            .on_premises_instance_tag_filters
            .as_deref()
            .unwrap_or_default(),
        group.on_premises_tag_set.as_ref(),
    );
    for b in super::handlers::select_instances(
        call,
        &ec2_filters(group.ec2_tag_filters.as_deref().unwrap_or_default()),
        ec2_set(group.ec2_tag_set.as_ref()).as_ref(),
    ) {
        if !blue.iter().any(|x| x.0 == b.0) {
            blue.push(b);
        }
    }
    blue.retain(|b| !green.iter().any(|g| g.0 == b.0));
    let scripted = |e: &str| spec.scripts.get(e).is_some_and(|v| !v.is_empty());
    let green_events: Vec<(&str, bool)> = GREEN_EVENTS
        .iter()
        .map(|e| {
            let runs = match *e {
                "DownloadBundle" | "Install" | "AllowTraffic" => true,
                // A replacement instance has no previous revision to stop.
                "ApplicationStop" => false,
                _ => scripted(e),
            };
            (*e, runs)
        })
        .collect();
    let blue_events: Vec<(&str, bool)> = BLUE_EVENTS
        .iter()
        .map(|e| (*e, *e == "BlockTraffic" || scripted(e)))
        .collect();
    let n = green.len();
    let rule = config.map_or(MinHealthy::OneAtATime, configs::min_healthy);
    let required = rule.required(n);
    let error = (n > 0 && required >= n && rule != MinHealthy::OneAtATime).then(|| Failure {
        code: "HEALTH_CONSTRAINTS_INVALID".into(),
        message: "The deployment failed because the minimum number of healthy instances for the deployment configuration can't be met by the number of instances in the deployment group.".into(),
    });
    let mut targets: Vec<Target> = green
        .iter()
        .map(|(name, _)| {
            Target::new(name.clone(), &green_events, now).labeled(Label::Green, Some(GREEN_HOLD))
        })
        .collect();
    targets.extend(
        blue.iter()
            .map(|(name, _)| Target::new(name.clone(), &blue_events, now)),
    );
    let tags = green.into_iter().chain(blue).map(|(_, t)| t).collect();
    (
        targets,
        tags,
        required,
        n.saturating_sub(required),
        plan,
        error,
    )
}

/// The fleets of a blue/green rollback: the original instances allow traffic again, then the
/// replacement instances block it (reference §3.4); the replacements are kept.
fn rollback_fleets(
    of: Option<&Deployment>,
    spec: &appspec::AppSpec,
    now: f64,
) -> (Vec<Target>, Vec<Vec<Tag>>, BlueGreen) {
    let scripted = |e: &str| spec.scripts.get(e).is_some_and(|v| !v.is_empty());
    let allow: Vec<(&str, bool)> = ROLLBACK_BLUE_EVENTS
        .iter()
        .map(|e| (*e, *e == "AllowTraffic" || scripted(e)))
        .collect();
    let block: Vec<(&str, bool)> = BLUE_EVENTS
        .iter()
        .map(|e| (*e, *e == "BlockTraffic" || scripted(e)))
        .collect();
    let mut targets = Vec::new();
    let mut tags = Vec::new();
    if let Some(o) = of {
        for label in [Label::Blue, Label::Green] {
            for (i, t) in o.machine.targets.iter().enumerate() {
                if t.label != label {
                    continue;
                }
                let events = if label == Label::Blue { &allow } else { &block };
                targets.push(Target::new(t.id.clone(), events, now).labeled(label, None));
                tags.push(o.target_tags.get(i).cloned().unwrap_or_default());
            }
        }
    }
    let mut plan = BlueGreen::new(None, None);
    plan.first = Label::Blue;
    plan.phase = Phase::Reroute;
    (targets, tags, plan)
}

/// `ContinueDeployment` / `SkipWaitTimeForInstanceTermination`: ends a wait of a blue/green
/// deployment. A termination wait not begun yet is shortened to nothing, so that the originals
/// go as soon as traffic has moved (AWS: "starts terminating instances immediately after the
/// traffic routing is complete").
pub fn continue_deployment(call: &mut Call<'_>, id: &str, wait: Wait) -> Result<(), ServiceError> {
    let Some(d) = call.state.deployments.get_mut(id) else {
        return Err(super::handlers::no_deployment(id));
    };
    if d.machine.status.is_final() {
        return Err(err(
            "DeploymentAlreadyCompletedException",
            format!("The deployment {id} has already completed."),
        ));
    }
    let status = d.machine.status;
    let Some(bg) = d.machine.blue_green.as_mut() else {
        // The model's documentation of the error.
        return Err(err(
            "UnsupportedActionForDeploymentTypeException",
            "A call was submitted that is not supported for the specified deployment type.",
        ));
    };
    match wait {
        Wait::Ready => {
            if status != Status::Ready {
                // The model's documentation of the error.
                return Err(err(
                    "DeploymentIsNotInReadyStateException",
                    "The deployment does not have a status of Ready and can't continue yet.",
                ));
            }
            call.effects.cancel(wait_timer_key(id, Wait::Ready));
        }
        Wait::Termination => {
            if bg.phase != Phase::TerminationWait {
                bg.termination_wait = bg.termination_wait.map(|_| 0.0);
                return Ok(());
            }
            call.effects.cancel(wait_timer_key(id, Wait::Termination));
        }
    }
    let _ = feed(call, id, Input::Continue(wait));
    Ok(())
}

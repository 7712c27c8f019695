//! Runs builds: starts them (StartBuild, RetryBuild, the port), feeds their phase machine what
//! happened (a phase's end from the executor, a stop, a timeout), and turns each transition into
//! what AWS shows: the `Build` view, the agent's log lines, the "CodeBuild Build State Change" and
//! "CodeBuild Build Phase Change" events, the queue behind the concurrent build limit, and the
//! notification of whoever waits for the build.

use super::build::{Input, Machine, Output, PhaseEnd, PhaseRecord};
use super::executor;
use super::ports::{BuildFinished, PipelineArtifacts};
use super::state::{build_id_of, project_name_of, BuildRecord, ExecutorKind, LogTarget};
use super::{Call, Timer};
use crate::effects::{Effects, Notify};
use crate::error::ServiceError;
use crate::protocol::timestamps::{codebuild_event_time, codebuild_log_time, iso8601};
use crate::services::{events, logs};
use codemock_wire::codebuild::{
    Build, BuildArtifacts, BuildPhase, BuildPhaseType as Phase, EnvironmentVariable,
    EnvironmentVariableType, LogsLocation, PhaseContext, Project, ProjectArtifacts, ProjectSource,
    StartBuildInput, StatusType,
};
use codemock_wire::types::Timestamp;
use serde_json::{json, Value};

/// The tag that picks a project's executor (`simulate` or `local`).
pub const EXECUTOR_TAG: &str = "codemock:executor";

/// Who asks for a build and who waits for it.
#[derive(Debug)]
pub struct StartRequest {
    pub input: StartBuildInput,
    pub initiator: String,
    pub pipeline: Option<PipelineArtifacts>,
    pub on_finish: Option<Notify<BuildFinished>>,
}

pub fn project_arn(call: &Call<'_>, name: &str) -> String {
    format!(
        "arn:aws:codebuild:{}:{}:project/{name}",
        call.ctx.region, call.ctx.account_id
    )
}

pub fn project_not_found(call: &Call<'_>, name: &str) -> ServiceError {
    // As AWS words it for StartBuild (moto writes the same text).
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Project cannot be found: {}", project_arn(call, name)),
    )
}

/// A project's tags as key/value pairs (outcome tags, `codemock:executor`).
pub fn project_tags(project: &Project) -> Vec<(String, String)> {
    project
        .tags
        .iter()
        .flatten()
        .filter_map(|t| Some((t.key.clone()?, t.value.clone().unwrap_or_default())))
        .collect()
}

/// The executor the `codemock:executor` tag picks, else the server's default.
pub fn executor_for(call: &Call<'_>, tags: &[(String, String)]) -> ExecutorKind {
    tags.iter()
        .find(|(k, _)| k == EXECUTOR_TAG)
        .and_then(|(_, v)| ExecutorKind::parse(v))
        .unwrap_or(call.core.config.codebuild_executor)
}

/// Starts a build of the project `req.input.projectName` with its overrides.
pub fn start(call: &mut Call<'_>, req: StartRequest) -> Result<Build, ServiceError> {
    let name = project_name_of(req.input.project_name.as_str()).to_owned();
    let project = call
        .state
        .projects
        .get(&name)
        .cloned()
        .ok_or_else(|| project_not_found(call, &name))?;
    let now = call.ctx.received_at;
    let uuid = call.core.ids.uuid();
    let id = format!("{name}:{uuid}");
    let arn = format!(
        "arn:aws:codebuild:{}:{}:build/{id}",
        call.ctx.region, call.ctx.account_id
    );
    let number = {
        let n = call.state.build_numbers.entry(name.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let tags = project_tags(&project);
    let executor = executor_for(call, &tags);
    let input = req.input;
    let view = initial_view(
        call,
        &project,
        &input,
        &id,
        &arn,
        number,
        now,
        &req.initiator,
        &uuid,
    );
    let log = view.logs.as_ref().and_then(|l| {
        Some(LogTarget {
            group: l.group_name.clone()?,
            stream: l.stream_name.clone()?,
        })
    });
    let buildspec = input
        .buildspec_override
        .clone()
        .or_else(|| project.source.as_ref().and_then(|s| s.buildspec.clone()))
        .filter(|b| !b.is_empty());
    let (env, env_error) = build_environment(call, &view, &input, &project);
    let record = BuildRecord {
        view,
        machine: Machine::new(now),
        project: name.clone(),
        tags,
        executor,
        log,
        buildspec,
        pipeline: req.pipeline,
        on_finish: req.on_finish,
        exported: Vec::new(),
        kill: None,
        env,
        primary_artifacts: input
            .artifacts_override
            .clone()
            .or_else(|| project.artifacts.clone()),
        secondary_artifacts: input
            .secondary_artifacts_override
            .clone()
            .or_else(|| project.secondary_artifacts.clone())
            .unwrap_or_default(),
        env_error,
        pending_sources: 0,
        sources: Vec::new(),
        holds_slot: false,
    };
    call.state.builds.insert(id.clone(), record);
    call.state.build_order.push(id.clone());
    emit_state_change(call, &id);
    log_lines(
        call,
        &id,
        now,
        [
            "Waiting for agent ping".to_owned(),
            "Waiting for DOWNLOAD_SOURCE".to_owned(),
        ],
    );
    // SUBMITTED ends at once: StartBuild already answers with the build QUEUED.
    feed(call, &id, Input::PhaseEnded(PhaseEnd::succeeded()));
    let queued_timeout = call.state.builds[&id]
        .view
        .queued_timeout_in_minutes
        .unwrap_or(480);
    call.effects.arm_keyed(
        queued_timer_key(&id),
        now + f64::from(queued_timeout) * 60.0,
        &call.ctx.account_id,
        &call.ctx.region,
        Timer::QueuedTimedOut {
            build_id: id.clone(),
        },
    );
    Ok(call.state.builds[&id].view.clone())
}

fn phase_timer_key(id: &str) -> String {
    format!("codebuild:phase:{id}")
}

fn timeout_timer_key(id: &str) -> String {
    format!("codebuild:timeout:{id}")
}

fn queued_timer_key(id: &str) -> String {
    format!("codebuild:queued:{id}")
}

/// A phase of the build ended (the executor's report).
pub fn phase_ended(call: &mut Call<'_>, build_id: &str, phase: Phase, end: PhaseEnd) {
    let Some(b) = call.state.builds.get(build_id) else {
        return;
    };
    // A late report (the build was stopped or timed out meanwhile) changes nothing.
    if b.machine.current != phase {
        return;
    }
    feed(call, build_id, Input::PhaseEnded(end));
}

/// S3 answered with (or without) one of a local build's sources.
pub fn source_read(
    call: &mut Call<'_>,
    build_id: &str,
    index: usize,
    name: String,
    result: Result<bytes::Bytes, ServiceError>,
) {
    let Some(b) = call.state.builds.get_mut(build_id) else {
        return;
    };
    if b.machine.current != Phase::DownloadSource || b.pending_sources == 0 {
        return;
    }
    match result {
        Ok(bytes) => {
            b.sources.push((index, name, bytes));
            b.pending_sources -= 1;
            if b.pending_sources == 0 {
                executor::local_start::spawn(call, build_id);
            }
        }
        Err(e) => {
            b.pending_sources = 0;
            // The agent's words for a source it cannot download.
            let end = PhaseEnd::failed(
                StatusType::Failed,
                "CLIENT_ERROR",
                format!("{}: {}", e.code, e.message),
            );
            feed(call, build_id, Input::PhaseEnded(end));
            // No job ran, so nothing else ends FINALIZING.
            phase_ended(call, build_id, Phase::Finalizing, PhaseEnd::succeeded());
        }
    }
}

/// A local build's job ended: what it exported and the reports it read.
pub fn local_finished(
    call: &mut Call<'_>,
    build_id: &str,
    exported: Vec<(String, String)>,
    reports: Vec<(String, super::reports::Parsed)>,
) {
    let Some(b) = call.state.builds.get_mut(build_id) else {
        return;
    };
    b.kill = None;
    b.exported = exported;
    let now = call.core.clock.now();
    refresh_view(b, now);
    let (project, arn) = (b.project.clone(), b.view.arn.clone().unwrap_or_default());
    let report_arns: Vec<String> = reports
        .into_iter()
        .map(|(group, parsed)| record_report(call, &group, &project, &arn, parsed, now))
        .collect();
    if let Some(b) = call.state.builds.get_mut(build_id) {
        if !report_arns.is_empty() {
            b.view.report_arns = Some(report_arns);
        }
    }
    // The job's end is FINALIZING's end (also after a stop or a timeout killed it).
    phase_ended(call, build_id, Phase::Finalizing, PhaseEnd::succeeded());
}

/// Records a report the build's `reports` section produced; answers its ARN.
fn record_report(
    call: &mut Call<'_>,
    group: &str,
    project: &str,
    build_arn: &str,
    parsed: super::reports::Parsed,
    now: f64,
) -> String {
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    call.state.resources.record_report(
        &account,
        &region,
        group,
        project,
        build_arn,
        parsed,
        now,
        &call.core.ids,
    )
}

/// StopBuild.
pub fn stop(call: &mut Call<'_>, id: &str) -> Result<Build, ServiceError> {
    let id = build_id_of(id).to_owned();
    let Some(b) = call.state.builds.get(&id) else {
        return Err(build_not_found(&id));
    };
    if !b.machine.is_complete() {
        feed(call, &id, Input::Stop);
    }
    Ok(call.state.builds[&id].view.clone())
}

pub fn build_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Build {id} does not exist"),
    )
}

/// A timeout timer fired.
pub fn timed_out(call: &mut Call<'_>, build_id: &str, queued: bool) {
    let Some(b) = call.state.builds.get(build_id) else {
        return;
    };
    let in_queue = matches!(b.machine.current, Phase::Submitted | Phase::Queued);
    if b.machine.is_complete() || in_queue != queued {
        return;
    }
    feed(call, build_id, Input::TimedOut);
}

/// Steps the machine and carries out what it says.
fn feed(call: &mut Call<'_>, id: &str, input: Input) {
    let now = call.core.clock.now().max(call.ctx.received_at);
    let stopping = matches!(input, Input::Stop | Input::TimedOut);
    let Some(b) = call.state.builds.get_mut(id) else {
        return;
    };
    let Ok(outputs) = b.machine.step(input, now) else {
        return;
    };
    if stopping {
        if let Some(kill) = b.kill.take() {
            kill.notify_one();
        }
        call.effects.cancel(phase_timer_key(id));
    }
    refresh_view(b, now);
    for output in outputs {
        match output {
            Output::PhaseCompleted(record) => phase_completed(call, id, &record),
            Output::Entered(phase) => entered(call, id, phase, now),
            Output::Finished(status) => finished(call, id, status, now),
        }
    }
}

fn phase_completed(call: &mut Call<'_>, id: &str, record: &PhaseRecord) {
    let Some(end) = &record.end else { return };
    let name = record.phase.as_str();
    // The agent's log starts in the build container: nothing before DOWNLOAD_SOURCE.
    if !matches!(
        record.phase,
        Phase::Submitted | Phase::Queued | Phase::Provisioning
    ) {
        log_lines(
            call,
            id,
            record.end_time,
            [
                format!("Phase complete: {name} State: {}", end.status.as_str()),
                format!(
                    "Phase context status code: {} Message: {}",
                    end.code, end.message
                ),
            ],
        );
    }
    emit_phase_change(call, id, record);
}

fn entered(call: &mut Call<'_>, id: &str, phase: Phase, now: f64) {
    match phase {
        Phase::Queued => try_dequeue(call, id, now),
        Phase::Provisioning => {
            let Some(b) = call.state.builds.get(id) else {
                return;
            };
            let minutes = b.view.timeout_in_minutes.unwrap_or(60);
            call.effects.cancel(queued_timer_key(id));
            call.effects.arm_keyed(
                timeout_timer_key(id),
                now + f64::from(minutes) * 60.0,
                &call.ctx.account_id,
                &call.ctx.region,
                Timer::TimedOut {
                    build_id: id.to_owned(),
                },
            );
            run_phase(call, id, phase, now);
        }
        _ => {
            let line = match phase {
                Phase::DownloadSource => Some("Phase is DOWNLOAD_SOURCE".to_owned()),
                Phase::Finalizing | Phase::Completed => None,
                other => Some(format!("Entering phase {}", other.as_str())),
            };
            if let Some(line) = line {
                log_lines(call, id, now, [line]);
            }
            run_phase(call, id, phase, now);
        }
    }
}

/// Leaves QUEUED when the project's concurrent build limit allows.
fn try_dequeue(call: &mut Call<'_>, id: &str, now: f64) {
    let Some(b) = call.state.builds.get(id) else {
        return;
    };
    let project = b.project.clone();
    let limit = call
        .state
        .projects
        .get(&project)
        .and_then(|p| p.concurrent_build_limit)
        .filter(|l| *l > 0);
    if let Some(limit) = limit {
        if call.state.running_builds(&project) >= usize::try_from(limit).unwrap_or(usize::MAX) {
            return;
        }
    }
    if let Some(b) = call.state.builds.get_mut(id) {
        b.holds_slot = true;
    }
    run_phase(call, id, Phase::Queued, now);
}

/// Asks the build's executor to carry out `phase`; its end comes back as a timer or a message.
fn run_phase(call: &mut Call<'_>, id: &str, phase: Phase, now: f64) {
    let plan = executor::plan(call, id, phase);
    let build_id = id.to_owned();
    let (seconds, timer) = match plan {
        executor::Plan::After { seconds, end } => (
            seconds,
            Timer::PhaseEnded {
                build_id,
                phase,
                end,
            },
        ),
        executor::Plan::Stop { seconds } => (seconds, Timer::Stop { build_id }),
        executor::Plan::TimeOut { seconds } => (seconds, Timer::TimedOut { build_id }),
        executor::Plan::Hang | executor::Plan::External => return,
    };
    call.effects.arm_keyed(
        phase_timer_key(id),
        now + seconds,
        &call.ctx.account_id,
        &call.ctx.region,
        timer,
    );
}

fn finished(call: &mut Call<'_>, id: &str, status: StatusType, now: f64) {
    call.effects.cancel(timeout_timer_key(id));
    call.effects.cancel(queued_timer_key(id));
    call.effects.cancel(phase_timer_key(id));
    emit_state_change(call, id);
    let Some(b) = call.state.builds.get_mut(id) else {
        return;
    };
    let failed = b.machine.phases.iter().find(|p| {
        p.end
            .as_ref()
            .is_some_and(|e| e.status != StatusType::Succeeded)
    });
    let finished = BuildFinished {
        build_id: id.to_owned(),
        build_arn: b.view.arn.clone().unwrap_or_default(),
        status: status.as_str().to_owned(),
        failed_phase: failed.map(|p| p.phase.as_str().to_owned()),
        message: failed
            .and_then(|p| p.end.as_ref())
            .map(|e| e.message.clone()),
        exported_variables: b.exported.clone(),
    };
    if let Some(notify) = b.on_finish.take() {
        notify.fire(finished, call.effects);
    }
    // The next queued build of the project may start now (only a limit makes builds wait).
    let project = b.project.clone();
    let limited = call
        .state
        .projects
        .get(&project)
        .and_then(|p| p.concurrent_build_limit)
        .is_some_and(|l| l > 0);
    if !limited {
        return;
    }
    let next = call
        .state
        .build_order
        .iter()
        .find(|other| {
            call.state
                .builds
                .get(*other)
                .is_some_and(|o| o.project == project && o.machine.current == Phase::Queued)
        })
        .cloned();
    if let Some(next) = next {
        try_dequeue(call, &next, now);
    }
}

/// Rebuilds the API view from the machine.
fn refresh_view(b: &mut BuildRecord, now: f64) {
    let m = &b.machine;
    let mut phases: Vec<BuildPhase> = m.phases.iter().map(wire_phase).collect();
    if !m.is_complete() {
        phases.push(BuildPhase {
            phase_type: Some(m.current),
            start_time: Some(Timestamp(m.current_start)),
            ..BuildPhase::default()
        });
    }
    b.view.phases = Some(phases);
    b.view.current_phase = Some(m.current.as_str().to_owned());
    b.view.build_status = Some(m.status);
    b.view.build_complete = Some(m.is_complete());
    if m.is_complete() {
        b.view.end_time = Some(Timestamp(now));
    }
    if !b.exported.is_empty() {
        b.view.exported_environment_variables = Some(
            b.exported
                .iter()
                .map(
                    |(k, v)| codemock_wire::codebuild::ExportedEnvironmentVariable {
                        name: Some(k.clone()),
                        value: Some(v.clone()),
                    },
                )
                .collect(),
        );
    }
}

fn wire_phase(p: &PhaseRecord) -> BuildPhase {
    let Some(end) = &p.end else {
        return BuildPhase {
            phase_type: Some(p.phase),
            start_time: Some(Timestamp(p.start)),
            ..BuildPhase::default()
        };
    };
    // SUBMITTED and QUEUED carry no contexts; the others one, empty on success (as BatchGetBuilds
    // shows them).
    let contexts = (!matches!(p.phase, Phase::Submitted | Phase::Queued)).then(|| {
        vec![PhaseContext {
            status_code: Some(end.code.clone()),
            message: Some(end.message.clone()),
        }]
    });
    BuildPhase {
        phase_type: Some(p.phase),
        phase_status: Some(end.status),
        start_time: Some(Timestamp(p.start)),
        end_time: Some(Timestamp(p.end_time)),
        duration_in_seconds: Some(duration(p)),
        contexts,
    }
}

fn duration(p: &PhaseRecord) -> i64 {
    seconds_between(p.start, p.end_time)
}

/// Whole seconds from `start` to `end`, as AWS reports durations.
pub fn seconds_between(start: f64, end: f64) -> i64 {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "virtual durations are small"
    )]
    let secs = (end - start).max(0.0).floor() as i64;
    secs
}

#[allow(clippy::too_many_arguments)] // the build's identity, each from a different place
fn initial_view(
    call: &Call<'_>,
    project: &Project,
    input: &StartBuildInput,
    id: &str,
    arn: &str,
    number: i64,
    now: f64,
    initiator: &str,
    uuid: &str,
) -> Build {
    let mut source = project.source.clone().unwrap_or_default();
    if let Some(t) = input.source_type_override {
        source.r#type = t;
    }
    if let Some(l) = &input.source_location_override {
        source.location = Some(l.clone());
    }
    if let Some(b) = &input.buildspec_override {
        source.buildspec = Some(b.clone());
    }
    if let Some(d) = input.git_clone_depth_override {
        source.git_clone_depth = Some(d);
    }
    if let Some(i) = input.insecure_ssl_override {
        source.insecure_ssl = Some(i);
    }
    if let Some(a) = &input.source_auth_override {
        source.auth = Some(a.clone());
    }
    let mut environment = project.environment.clone().unwrap_or_default();
    if let Some(t) = input.environment_type_override {
        environment.r#type = t;
    }
    if let Some(i) = &input.image_override {
        environment.image = i.clone();
    }
    if let Some(c) = input.compute_type_override {
        environment.compute_type = c;
    }
    if let Some(p) = input.privileged_mode_override {
        environment.privileged_mode = Some(p);
    }
    if let Some(c) = &input.certificate_override {
        environment.certificate = Some(c.clone());
    }
    if let Some(over) = &input.environment_variables_override {
        let mut vars = environment
            .environment_variables
            .clone()
            .unwrap_or_default();
        for v in over {
            vars.retain(|x| x.name != v.name);
            vars.push(v.clone());
        }
        environment.environment_variables = Some(vars);
    }
    let artifacts = input
        .artifacts_override
        .clone()
        .or_else(|| project.artifacts.clone());
    let secondary_artifacts = input
        .secondary_artifacts_override
        .clone()
        .or_else(|| project.secondary_artifacts.clone());
    let logs_config = input
        .logs_config_override
        .clone()
        .or_else(|| project.logs_config.clone());
    let logs = logs_location(
        call,
        project.name.as_deref().unwrap_or_default(),
        logs_config.as_ref(),
        uuid,
    );
    Build {
        id: Some(id.to_owned()),
        arn: Some(arn.to_owned()),
        build_number: Some(number),
        start_time: Some(Timestamp(now)),
        current_phase: Some("SUBMITTED".into()),
        build_status: Some(StatusType::InProgress),
        source_version: input
            .source_version
            .clone()
            .or_else(|| project.source_version.clone()),
        project_name: project.name.clone(),
        phases: Some(Vec::new()),
        source: Some(source),
        secondary_sources: input
            .secondary_sources_override
            .clone()
            .or_else(|| project.secondary_sources.clone()),
        secondary_source_versions: input
            .secondary_sources_version_override
            .clone()
            .or_else(|| project.secondary_source_versions.clone()),
        artifacts: Some(build_artifacts(artifacts.as_ref(), id)),
        secondary_artifacts: secondary_artifacts
            .map(|list| list.iter().map(|a| build_artifacts(Some(a), id)).collect()),
        cache: input
            .cache_override
            .clone()
            .or_else(|| project.cache.clone()),
        environment: Some(environment),
        service_role: input
            .service_role_override
            .clone()
            .or_else(|| project.service_role.clone()),
        logs: Some(logs),
        timeout_in_minutes: input
            .timeout_in_minutes_override
            .or(project.timeout_in_minutes)
            .or(Some(60)),
        queued_timeout_in_minutes: input
            .queued_timeout_in_minutes_override
            .or(project.queued_timeout_in_minutes)
            .or(Some(480)),
        build_complete: Some(false),
        initiator: Some(initiator.to_owned()),
        vpc_config: project.vpc_config.clone(),
        encryption_key: input
            .encryption_key_override
            .clone()
            .or_else(|| project.encryption_key.clone()),
        file_system_locations: project.file_system_locations.clone(),
        ..Build::default()
    }
}

/// Where a build's (or a sandbox session's) log goes, as `logs` reports it: the project's
/// CloudWatch Logs group (`/aws/codebuild/<project>` by default) and a stream named by `uuid`
/// (under the configured stream prefix), or the console link alone when CloudWatch is disabled.
pub fn logs_location(
    call: &Call<'_>,
    project_name: &str,
    logs_config: Option<&codemock_wire::codebuild::LogsConfig>,
    uuid: &str,
) -> LogsLocation {
    let cw_enabled = logs_config
        .and_then(|l| l.cloud_watch_logs.as_ref())
        .map(|c| c.status)
        .is_none_or(|s| s.as_str() == "ENABLED");
    let cw = logs_config.and_then(|l| l.cloud_watch_logs.as_ref());
    let group = cw
        .and_then(|c| c.group_name.clone())
        .unwrap_or_else(|| format!("/aws/codebuild/{project_name}"));
    let stream = match cw.and_then(|c| c.stream_name.as_deref()) {
        Some(prefix) => format!("{prefix}/{uuid}"),
        None => uuid.to_owned(),
    };
    let region = &call.ctx.region;
    if cw_enabled {
        LogsLocation {
            group_name: Some(group.clone()),
            stream_name: Some(stream.clone()),
            deep_link: Some(format!(
                "https://console.aws.amazon.com/cloudwatch/home?region={region}#logEvent:group={group};stream={stream}"
            )),
            cloud_watch_logs_arn: Some(format!(
                "arn:aws:logs:{region}:{}:log-group:{group}:log-stream:{stream}",
                call.ctx.account_id
            )),
            cloud_watch_logs: logs_config.and_then(|l| l.cloud_watch_logs.clone()).or_else(|| {
                Some(codemock_wire::codebuild::CloudWatchLogsConfig {
                    status: codemock_wire::codebuild::LogsConfigStatusType::Enabled,
                    ..Default::default()
                })
            }),
            s3_logs: logs_config.and_then(|l| l.s3_logs.clone()).or_else(|| {
                Some(codemock_wire::codebuild::S3LogsConfig {
                    status: codemock_wire::codebuild::LogsConfigStatusType::Disabled,
                    ..Default::default()
                })
            }),
            ..LogsLocation::default()
        }
    } else {
        LogsLocation {
            deep_link: Some(
                "https://console.aws.amazon.com/cloudwatch/home?region=".to_owned() + region,
            ),
            cloud_watch_logs: cw.cloned(),
            s3_logs: logs_config.and_then(|l| l.s3_logs.clone()),
            ..LogsLocation::default()
        }
    }
}

/// Where a build's artifact goes, as `artifacts.location` reports it.
fn build_artifacts(a: Option<&ProjectArtifacts>, id: &str) -> BuildArtifacts {
    let Some(a) = a else {
        return BuildArtifacts {
            location: Some(String::new()),
            ..BuildArtifacts::default()
        };
    };
    let kind = a.r#type.as_str();
    let location = match kind {
        "S3" => {
            let bucket = a.location.clone().unwrap_or_default();
            let mut parts = vec![bucket];
            if let Some(p) = a.path.as_deref().filter(|p| !p.is_empty()) {
                parts.push(p.trim_matches('/').to_owned());
            }
            if a.namespace_type.map(|n| n.as_str()) == Some("BUILD_ID") {
                parts.push(id.split_once(':').map_or(id, |(_, u)| u).to_owned());
            }
            if let Some(n) = a.name.as_deref().filter(|n| !n.is_empty()) {
                parts.push(n.to_owned());
            }
            format!("arn:aws:s3:::{}", parts.join("/"))
        }
        _ => String::new(),
    };
    BuildArtifacts {
        location: Some(location),
        artifact_identifier: a.artifact_identifier.clone(),
        override_artifact_name: a.override_artifact_name,
        encryption_disabled: a.encryption_disabled,
        bucket_owner_access: a.bucket_owner_access,
        ..BuildArtifacts::default()
    }
}

/// A variable that did not resolve: (status code, message) of the phase it fails.
type Unresolved = (String, String);

/// The variables a build's commands see: CodeBuild's own, then the project's and the overrides.
fn build_environment(
    call: &Call<'_>,
    view: &Build,
    input: &StartBuildInput,
    project: &Project,
) -> (Vec<(String, String)>, Option<Unresolved>) {
    let id = view.id.clone().unwrap_or_default();
    let region = call.ctx.region.clone();
    let image = view
        .environment
        .as_ref()
        .map(|e| e.image.clone())
        .unwrap_or_default();
    let source_version = view.source_version.clone().unwrap_or_default();
    let mut env = vec![
        ("AWS_REGION".to_owned(), region.clone()),
        ("AWS_DEFAULT_REGION".to_owned(), region),
        ("CODEBUILD_BUILD_ID".to_owned(), id.clone()),
        (
            "CODEBUILD_BUILD_ARN".to_owned(),
            view.arn.clone().unwrap_or_default(),
        ),
        (
            "CODEBUILD_BUILD_NUMBER".to_owned(),
            view.build_number.unwrap_or(1).to_string(),
        ),
        ("CODEBUILD_BUILD_IMAGE".to_owned(), image),
        ("CODEBUILD_BUILD_SUCCEEDING".to_owned(), "1".to_owned()),
        (
            "CODEBUILD_INITIATOR".to_owned(),
            view.initiator.clone().unwrap_or_default(),
        ),
        (
            "CODEBUILD_KMS_KEY_ID".to_owned(),
            view.encryption_key.clone().unwrap_or_default(),
        ),
        (
            "CODEBUILD_LOG_PATH".to_owned(),
            view.logs
                .as_ref()
                .and_then(|l| l.stream_name.clone())
                .unwrap_or_default(),
        ),
        (
            "CODEBUILD_PROJECT_ARN".to_owned(),
            project.arn.clone().unwrap_or_default(),
        ),
        (
            "CODEBUILD_SOURCE_VERSION".to_owned(),
            source_version.clone(),
        ),
        (
            "CODEBUILD_RESOLVED_SOURCE_VERSION".to_owned(),
            source_version,
        ),
        (
            "CODEBUILD_SOURCE_REPO_URL".to_owned(),
            view.source
                .as_ref()
                .and_then(|s| s.location.clone())
                .unwrap_or_default(),
        ),
        (
            "CODEBUILD_START_TIME".to_owned(),
            // Epoch milliseconds, as the agent sets it.
            format!("{:.0}", view.start_time.map_or(0.0, |t| t.0) * 1000.0),
        ),
        ("CODEBUILD_CI".to_owned(), "true".to_owned()),
    ];
    let vars = view
        .environment
        .as_ref()
        .and_then(|e| e.environment_variables.clone())
        .unwrap_or_default();
    let _ = input;
    let mut error = None;
    for EnvironmentVariable {
        name,
        value,
        r#type,
    } in vars
    {
        let values = &call.core.codebuild_values;
        let resolved = match r#type {
            Some(EnvironmentVariableType::ParameterStore) => values.parameter(&value),
            Some(EnvironmentVariableType::SecretsManager) => values.secret(&value),
            _ => Ok(value),
        };
        match resolved {
            Ok(v) => {
                env.retain(|(k, _)| *k != name);
                env.push((name, v));
            }
            Err(e) => {
                error.get_or_insert((e.code.to_owned(), e.message));
            }
        }
    }
    (env, error)
}

/// Appends the agent's lines to the build's log stream.
pub fn log_lines(call: &mut Call<'_>, id: &str, at: f64, lines: impl IntoIterator<Item = String>) {
    let Some(target) = call.state.builds.get(id).and_then(|b| b.log.clone()) else {
        return;
    };
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    agent_lines(call.effects, &account, &region, target, at, lines);
}

/// Appends the agent's `[Container] <time> <line>` lines to a log stream (a build's or a
/// sandbox session's).
pub fn agent_lines(
    effects: &mut Effects,
    account: &str,
    region: &str,
    target: LogTarget,
    at: f64,
    lines: impl IntoIterator<Item = String>,
) {
    let stamp = codebuild_log_time(at);
    #[allow(clippy::cast_possible_truncation, reason = "epoch milliseconds fit")]
    let ms = (at * 1000.0).floor() as i64;
    let lines: Vec<(i64, String)> = lines
        .into_iter()
        .map(|l| (ms, format!("[Container] {stamp} {l}")))
        .collect();
    write_log(effects, account, region, target, lines);
}

/// Sends raw lines (a command's output) to the build's log stream.
pub fn write_log(
    effects: &mut Effects,
    account: &str,
    region: &str,
    target: LogTarget,
    lines: Vec<(i64, String)>,
) {
    if lines.is_empty() {
        return;
    }
    effects.send(
        account,
        region,
        logs::ports::Command::WriteLines {
            group: target.group,
            stream: target.stream,
            lines,
        },
    );
}

fn emit_state_change(call: &mut Call<'_>, id: &str) {
    let Some(b) = call.state.builds.get(id) else {
        return;
    };
    let current = b.machine.current.as_str();
    let context = current_context(b);
    let detail = json!({
        "build-status": b.machine.status.as_str(),
        "project-name": b.project,
        "build-id": b.view.arn,
        "additional-information": additional_information(b),
        "current-phase": current,
        "current-phase-context": context,
        "version": "1",
    });
    publish(call, id, "CodeBuild Build State Change", detail);
}

fn emit_phase_change(call: &mut Call<'_>, id: &str, record: &PhaseRecord) {
    let Some(b) = call.state.builds.get(id) else {
        return;
    };
    let Some(end) = &record.end else { return };
    let detail = json!({
        "completed-phase": record.phase.as_str(),
        "project-name": b.project,
        "build-id": b.view.arn,
        "completed-phase-context": format!("[{}]", phase_context(record).join(", ")),
        "additional-information": additional_information(b),
        "completed-phase-status": end.status.as_str(),
        "completed-phase-duration-seconds": duration(record),
        "version": "1",
        "completed-phase-start": codebuild_event_time(record.start),
        "completed-phase-end": codebuild_event_time(record.end_time),
    });
    publish(call, id, "CodeBuild Build Phase Change", detail);
}

fn publish(call: &mut Call<'_>, id: &str, detail_type: &str, detail: Value) {
    let arn = call
        .state
        .builds
        .get(id)
        .and_then(|b| b.view.arn.clone())
        .unwrap_or_default();
    let now = call.core.clock.now().max(call.ctx.received_at);
    let event = json!({
        "version": "0",
        "id": call.core.ids.uuid(),
        "detail-type": detail_type,
        "source": "aws.codebuild",
        "account": call.ctx.account_id,
        "time": iso8601(now),
        "region": call.ctx.region,
        "resources": [arn],
        "detail": detail,
    });
    events::ports::put_event(
        call.effects,
        &call.ctx.account_id,
        &call.ctx.region,
        "default",
        event,
    );
}

/// A phase's contexts as the events write them: `["CODE: message"]` (`[": "]` on success);
/// SUBMITTED and QUEUED have none.
fn phase_context(p: &PhaseRecord) -> Vec<String> {
    match (&p.end, p.phase) {
        (_, Phase::Submitted | Phase::Queued) | (None, _) => Vec::new(),
        (Some(end), _) => vec![format!("{}: {}", end.code, end.message)],
    }
}

fn current_context(b: &BuildRecord) -> String {
    let last = b.machine.phases.iter().rev().find(|p| p.end.is_some());
    match last {
        Some(p) if b.machine.is_complete() || p.phase != Phase::Submitted => {
            format!("[{}]", phase_context(p).join(", "))
        }
        _ => "[]".to_owned(),
    }
}

fn additional_information(b: &BuildRecord) -> Value {
    let v = &b.view;
    // A view without an environment (or source) reports none: their members are required
    // only when they are present.
    let env = v.environment.as_ref();
    let mut phases: Vec<Value> = b
        .machine
        .phases
        .iter()
        .map(|p| match &p.end {
            Some(end) => json!({
                "phase-context": phase_context(p),
                "start-time": codebuild_event_time(p.start),
                "end-time": codebuild_event_time(p.end_time),
                "duration-in-seconds": duration(p),
                "phase-type": p.phase.as_str(),
                "phase-status": end.status.as_str(),
            }),
            None => json!({
                "start-time": codebuild_event_time(p.start),
                "phase-type": p.phase.as_str(),
            }),
        })
        .collect();
    if !b.machine.is_complete() {
        phases.push(json!({
            "start-time": codebuild_event_time(b.machine.current_start),
            "phase-type": b.machine.current.as_str(),
        }));
    }
    let default_source = ProjectSource::default();
    let source = v.source.as_ref().unwrap_or(&default_source);
    let kind = v.source.as_ref().map_or("NO_SOURCE", |s| s.r#type.as_str());
    let mut source_json = json!({ "type": kind });
    if let Some(l) = &source.location {
        source_json["location"] = json!(l);
    }
    if let Some(b) = &source.buildspec {
        source_json["buildspec"] = json!(b);
    }
    let mut info = json!({
        "environment": {
            "image": env.map(|e| e.image.as_str()),
            "privileged-mode": env.and_then(|e| e.privileged_mode).unwrap_or(false),
            "compute-type": env.map(|e| e.compute_type.as_str()),
            "type": env.map(|e| e.r#type.as_str()),
            "environment-variables": env.and_then(|e| e.environment_variables.as_ref()).map(Vec::as_slice).unwrap_or_default().iter().map(|e| json!({
                "name": e.name, "type": e.r#type.map(|t| t.as_str()).unwrap_or("PLAINTEXT"), "value": e.value,
            })).collect::<Vec<_>>(),
        },
        "timeout-in-minutes": v.timeout_in_minutes,
        "build-complete": b.machine.is_complete(),
        "initiator": v.initiator,
        "build-start-time": codebuild_event_time(v.start_time.map_or(0.0, |t| t.0)),
        "source": source_json,
        "source-version": v.source_version,
        "logs": v.logs.as_ref().map(|l| json!({
            "group-name": l.group_name,
            "stream-name": l.stream_name,
            "deep-link": l.deep_link,
        })),
        "phases": phases,
        "queued-timeout-in-minutes": v.queued_timeout_in_minutes,
        "build-number": v.build_number,
    });
    if let Some(loc) = v
        .artifacts
        .as_ref()
        .and_then(|a| a.location.clone())
        .filter(|l| !l.is_empty())
    {
        info["artifact"] = json!({ "location": loc });
    }
    info
}

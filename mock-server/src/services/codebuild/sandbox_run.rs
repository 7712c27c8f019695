//! Runs sandboxes: starts them from their project (StartSandbox), feeds their session machine
//! ([`super::sandbox`]) what happened (a phase's end on the virtual clock, a stop, a timeout),
//! runs their commands one at a time (simulated on the virtual clock with exit codes from the
//! outcome rules, or really in a shell with the local executor), and keeps the `Sandbox` and
//! `CommandExecution` views and the session log current. AWS publishes no EventBridge event for sandboxes (none is listed
//! among CodeBuild's events), so no transition emits one.
//!
//! Ids follow builds (unconfirmed: no AWS example shows a sandbox id): a sandbox is
//! `<project>:<uuid>` with ARN `arn:aws:codebuild:<region>:<account>:sandbox/<id>`; its session
//! and its command executions are uuids.

use super::build::PhaseEnd;
use super::executor::sandbox_shell;
use super::run::{self, agent_lines, project_not_found};
use super::sandbox::{
    Command as CommandMachine, CommandInput, CommandStatus, Input, Machine, Output, Phase,
};
use super::state::{project_name_of, ExecutorKind, LogTarget};
use super::{Call, Timer};
use crate::error::ServiceError;
use crate::outcomes::{Outcome, OutcomeQuery};
use codemock_wire::codebuild::{
    CommandExecution, CommandType, LogsLocation, PhaseContext, Sandbox, SandboxSession,
    SandboxSessionPhase, StatusType,
};
use codemock_wire::types::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;

/// The outcome-rule step a command execution asks for (codemock's name, not AWS's).
pub const COMMAND_STEP: &str = "COMMAND_EXECUTION";

/// Virtual seconds a simulated command takes unless an outcome rule says otherwise.
pub const COMMAND_SECONDS: f64 = 1.0;

/// Tells local workspaces apart across the servers of one process.
static WORKSPACES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One sandbox: what the API shows and what drives it.
#[derive(Debug)]
pub struct SandboxRecord {
    /// The `Sandbox` as BatchGetSandboxes returns it, kept current by every transition.
    pub view: Sandbox,
    pub machine: Machine,
    pub project: String,
    /// The project's tags when the sandbox started (outcome tags, `codemock:executor`).
    pub tags: Vec<(String, String)>,
    pub executor: ExecutorKind,
    /// Where the session's log goes (`None`: CloudWatch Logs disabled).
    pub log: Option<LogTarget>,
    pub logs: LogsLocation,
    /// Command executions in submission order.
    pub commands: Vec<CommandRecord>,
    /// The local executor's workspace (created by the first command, removed at the end) and
    /// the variables its commands get.
    pub workspace: PathBuf,
    pub env: Vec<(String, String)>,
    /// Kills the local command running now (stop, timeout).
    pub kill: Option<Arc<tokio::sync::Notify>>,
}

/// One command execution.
#[derive(Debug)]
pub struct CommandRecord {
    pub view: CommandExecution,
    pub machine: CommandMachine,
}

/// `arn:aws:codebuild:<region>:<account>:sandbox/<id>` or `<id>` -> `<id>`.
pub fn sandbox_id_of(id_or_arn: &str) -> &str {
    match id_or_arn.split_once(":sandbox/") {
        Some((prefix, id)) if prefix.starts_with("arn:") => id,
        _ => id_or_arn,
    }
}

/// Unconfirmed wording: AWS's message for an unknown sandbox is not documented; this follows
/// the build's ("Build `<id>` does not exist").
pub fn sandbox_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Sandbox {id} does not exist"),
    )
}

fn phase_timer_key(id: &str) -> String {
    format!("codebuild:sandbox-phase:{id}")
}

fn timeout_timer_key(id: &str) -> String {
    format!("codebuild:sandbox-timeout:{id}")
}

fn command_timer_key(id: &str) -> String {
    format!("codebuild:sandbox-command:{id}")
}

/// StartSandbox: a sandbox of `project_name`, filled from the project as a build is.
pub fn start(call: &mut Call<'_>, project_name: &str) -> Result<Sandbox, ServiceError> {
    let name = project_name_of(project_name).to_owned();
    let project = call
        .state
        .projects
        .get(&name)
        .cloned()
        .ok_or_else(|| project_not_found(call, &name))?;
    let now = call.ctx.received_at;
    let id = format!("{name}:{}", call.core.ids.uuid());
    let arn = format!(
        "arn:aws:codebuild:{}:{}:sandbox/{id}",
        call.ctx.region, call.ctx.account_id
    );
    let session_id = call.core.ids.uuid();
    // The session's log stream is named by the session, as a build's by the build's uuid.
    let logs = run::logs_location(call, &name, project.logs_config.as_ref(), &session_id);
    let log = logs.group_name.clone().zip(logs.stream_name.clone());
    let tags = run::project_tags(&project);
    let executor = run::executor_for(call, &tags);
    let env = command_environment(call, &project);
    // No I/O here: the first local command creates it. Servers in one process share the seed,
    // so the name also carries the process and a counter (the path is never shown by the API).
    let workspace = std::env::temp_dir().join(format!(
        "codemock-sandbox-{}-{}-{session_id}",
        std::process::id(),
        WORKSPACES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let view = Sandbox {
        id: Some(id.clone()),
        arn: Some(arn),
        project_name: Some(name.clone()),
        request_time: Some(Timestamp(now)),
        source: project.source.clone(),
        source_version: project.source_version.clone(),
        secondary_sources: project.secondary_sources.clone(),
        secondary_source_versions: project.secondary_source_versions.clone(),
        environment: project.environment.clone(),
        file_system_locations: project.file_system_locations.clone(),
        timeout_in_minutes: project.timeout_in_minutes.or(Some(60)),
        queued_timeout_in_minutes: project.queued_timeout_in_minutes.or(Some(480)),
        vpc_config: project.vpc_config.clone(),
        log_config: project.logs_config.clone(),
        encryption_key: project.encryption_key.clone(),
        service_role: project.service_role.clone(),
        current_session: Some(SandboxSession {
            id: Some(session_id),
            start_time: Some(Timestamp(now)),
            resolved_source_version: project.source_version.clone(),
            logs: Some(logs.clone()),
            ..SandboxSession::default()
        }),
        ..Sandbox::default()
    };
    let record = SandboxRecord {
        view,
        machine: Machine::new(now),
        project: name,
        tags,
        executor,
        log: log.map(|(group, stream)| LogTarget { group, stream }),
        logs,
        commands: Vec::new(),
        workspace,
        env,
        kill: None,
    };
    call.state.sandboxes.insert(id.clone(), record);
    call.state.sandbox_order.push(id.clone());
    refresh_view(call, &id, now);
    // SUBMITTED ends at once, as a build's does: StartSandbox answers with the sandbox QUEUED.
    feed(call, &id, Input::PhaseEnded(PhaseEnd::succeeded()));
    let queued = call.state.sandboxes[&id]
        .view
        .queued_timeout_in_minutes
        .unwrap_or(480);
    call.effects.arm_keyed(
        timeout_timer_key(&id),
        now + f64::from(queued) * 60.0,
        &call.ctx.account_id,
        &call.ctx.region,
        Timer::SandboxTimedOut {
            sandbox_id: id.clone(),
        },
    );
    Ok(call.state.sandboxes[&id].view.clone())
}

/// StopSandbox: stops a sandbox that is not stopping yet; answers its view either way.
pub fn stop(call: &mut Call<'_>, id_or_arn: &str) -> Result<Sandbox, ServiceError> {
    let id = sandbox_id_of(id_or_arn).to_owned();
    let Some(s) = call.state.sandboxes.get(&id) else {
        return Err(sandbox_not_found(id_or_arn));
    };
    if s.machine.takes_commands() {
        feed(call, &id, Input::Stop);
    }
    Ok(call.state.sandboxes[&id].view.clone())
}

/// A phase timer fired.
pub fn phase_ended(call: &mut Call<'_>, id: &str, phase: Phase, end: PhaseEnd) {
    let Some(s) = call.state.sandboxes.get(id) else {
        return;
    };
    // A late report (the sandbox was stopped meanwhile) changes nothing.
    if s.machine.current != phase {
        return;
    }
    feed(call, id, Input::PhaseEnded(end));
}

/// The queued or the run timeout passed (one keyed timer, re-armed when provisioning starts).
pub fn timed_out(call: &mut Call<'_>, id: &str) {
    if call
        .state
        .sandboxes
        .get(id)
        .is_some_and(|s| s.machine.takes_commands())
    {
        feed(call, id, Input::TimedOut);
    }
}

/// An outcome rule stops the sandbox.
pub fn stopped_by_rule(call: &mut Call<'_>, id: &str) {
    let _ = stop(call, id);
}

/// Steps the session machine and carries out what it says.
fn feed(call: &mut Call<'_>, id: &str, input: Input) {
    let now = call.core.clock.now().max(call.ctx.received_at);
    let Some(s) = call.state.sandboxes.get_mut(id) else {
        return;
    };
    let Ok(outputs) = s.machine.step(input, now) else {
        return;
    };
    for output in outputs {
        match output {
            Output::PhaseCompleted(record) => {
                let Some(end) = &record.end else { continue };
                // As a build's log: nothing before the container exists.
                if !matches!(
                    record.phase,
                    Phase::Submitted | Phase::Queued | Phase::Provisioning
                ) {
                    lines(
                        call,
                        id,
                        record.end_time,
                        [
                            format!(
                                "Phase complete: {} State: {}",
                                record.phase.as_str(),
                                end.status.as_str()
                            ),
                            format!(
                                "Phase context status code: {} Message: {}",
                                end.code, end.message
                            ),
                        ],
                    );
                }
            }
            Output::Entered(phase) => entered(call, id, phase, now),
            Output::Finished(_) => {
                call.effects.cancel(phase_timer_key(id));
                call.effects.cancel(timeout_timer_key(id));
                call.effects.cancel(command_timer_key(id));
                remove_workspace(call, id);
            }
        }
    }
    refresh_view(call, id, now);
}

fn entered(call: &mut Call<'_>, id: &str, phase: Phase, now: f64) {
    match phase {
        Phase::Provisioning => {
            let Some(s) = call.state.sandboxes.get_mut(id) else {
                return;
            };
            s.view.start_time = Some(Timestamp(now));
            let minutes = s.view.timeout_in_minutes.unwrap_or(60);
            // Replaces the queued timeout.
            call.effects.arm_keyed(
                timeout_timer_key(id),
                now + f64::from(minutes) * 60.0,
                &call.ctx.account_id,
                &call.ctx.region,
                Timer::SandboxTimedOut {
                    sandbox_id: id.to_owned(),
                },
            );
        }
        Phase::DownloadSource => lines(call, id, now, ["Phase is DOWNLOAD_SOURCE".to_owned()]),
        Phase::RunSandbox => {
            lines(call, id, now, ["Entering phase RUN_SANDBOX".to_owned()]);
            // Commands submitted while the sandbox was getting ready run now.
            next_command(call, id, now);
            return;
        }
        Phase::Finalizing => {
            call.effects.cancel(command_timer_key(id));
            if let Some(s) = call.state.sandboxes.get_mut(id) {
                if let Some(kill) = s.kill.take() {
                    kill.notify_one();
                }
                for c in &mut s.commands {
                    if c.machine.step(CommandInput::SandboxStopped, now) {
                        refresh_command(c);
                    }
                }
            }
        }
        Phase::Submitted | Phase::Queued | Phase::Completed => {}
    }
    plan_phase(call, id, phase, now);
}

/// Arms the end of `phase`: simulated durations and outcome rules (step = the phase name),
/// no time at all for the local executor, whose work is the commands.
fn plan_phase(call: &mut Call<'_>, id: &str, phase: Phase, now: f64) {
    if matches!(phase, Phase::RunSandbox | Phase::Completed) {
        return;
    }
    let Some(s) = call.state.sandboxes.get(id) else {
        return;
    };
    let default = match (s.executor, phase) {
        (ExecutorKind::Local, _) => 0.0,
        (_, Phase::Submitted) => 0.0,
        (_, Phase::Queued) => 1.0,
        (_, Phase::Provisioning) => 10.0,
        (_, Phase::DownloadSource) => 2.0,
        _ => 1.0,
    };
    let arn = s.view.arn.clone().unwrap_or_default();
    let query = OutcomeQuery::new("codebuild")
        .name(&s.project)
        .name(&arn)
        .name(id)
        .step(phase.as_str())
        .tags(s.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .named_steps_only();
    let decision = if phase == Phase::Finalizing {
        None
    } else {
        call.core.outcomes.decide(&query)
    };
    let sandbox_id = id.to_owned();
    let (seconds, timer) = match decision {
        None => (
            default,
            Timer::SandboxPhaseEnded {
                sandbox_id,
                phase,
                end: PhaseEnd::succeeded(),
            },
        ),
        Some(d) => {
            let seconds = d.seconds.unwrap_or(default);
            match d.outcome {
                Outcome::Succeeded => (
                    seconds,
                    Timer::SandboxPhaseEnded {
                        sandbox_id,
                        phase,
                        end: PhaseEnd::succeeded(),
                    },
                ),
                Outcome::Failed => (
                    seconds,
                    Timer::SandboxPhaseEnded {
                        sandbox_id,
                        phase,
                        end: PhaseEnd::failed(
                            StatusType::Failed,
                            d.code.unwrap_or_else(|| "CLIENT_ERROR".to_owned()),
                            d.message.unwrap_or_default(),
                        ),
                    },
                ),
                Outcome::Stopped => (seconds, Timer::SandboxStop { sandbox_id }),
                Outcome::TimedOut => (seconds, Timer::SandboxTimedOut { sandbox_id }),
                Outcome::Hang => return,
            }
        }
    };
    call.effects.arm_keyed(
        phase_timer_key(id),
        now + seconds,
        &call.ctx.account_id,
        &call.ctx.region,
        timer,
    );
}

/// StartCommandExecution: queues `command` in the sandbox and starts it if the sandbox is ready
/// and idle.
pub fn start_command(
    call: &mut Call<'_>,
    id_or_arn: &str,
    command: String,
    kind: Option<CommandType>,
) -> Result<CommandExecution, ServiceError> {
    let id = sandbox_id_of(id_or_arn).to_owned();
    let Some(s) = call.state.sandboxes.get(&id) else {
        return Err(sandbox_not_found(id_or_arn));
    };
    if !s.machine.takes_commands() {
        // Unconfirmed: AWS's code and wording for a command sent to a stopped sandbox are not
        // documented; InvalidInputException is the only other error the operation models.
        return Err(ServiceError::new(
            "InvalidInputException",
            format!("Sandbox {id} is not running"),
        ));
    }
    let now = call.ctx.received_at;
    let command_id = call.core.ids.uuid();
    let view = CommandExecution {
        id: Some(command_id.clone()),
        sandbox_id: Some(id.clone()),
        sandbox_arn: s.view.arn.clone(),
        submit_time: Some(Timestamp(now)),
        status: Some(CommandStatus::Submitted.as_str().to_owned()),
        command: Some(command),
        r#type: Some(kind.unwrap_or(CommandType::Shell)),
        logs: Some(s.logs.clone()),
        ..CommandExecution::default()
    };
    if let Some(s) = call.state.sandboxes.get_mut(&id) {
        s.commands.push(CommandRecord {
            view,
            machine: CommandMachine::new(now),
        });
    }
    next_command(call, &id, now);
    call.state
        .sandboxes
        .get(&id)
        .and_then(|s| {
            s.commands
                .iter()
                .find(|c| c.view.id.as_ref() == Some(&command_id))
        })
        .map(|c| c.view.clone())
        .ok_or_else(|| ServiceError::internal("command execution vanished"))
}

/// Starts the oldest waiting command when the sandbox is ready and runs none.
fn next_command(call: &mut Call<'_>, id: &str, now: f64) {
    let Some(s) = call.state.sandboxes.get_mut(id) else {
        return;
    };
    if !s.machine.is_ready()
        || s.commands
            .iter()
            .any(|c| c.machine.status == CommandStatus::InProgress)
    {
        return;
    }
    let Some(c) = s
        .commands
        .iter_mut()
        .find(|c| c.machine.status == CommandStatus::Submitted)
    else {
        return;
    };
    c.machine.step(CommandInput::Started, now);
    refresh_command(c);
    let command_id = c.view.id.clone().unwrap_or_default();
    let text = c.view.command.clone().unwrap_or_default();
    let local = (s.executor == ExecutorKind::Local).then(|| {
        let kill = Arc::new(tokio::sync::Notify::new());
        s.kill = Some(kill.clone());
        (s.workspace.clone(), s.env.clone(), kill)
    });
    lines(call, id, now, [format!("Running command {text}")]);
    if let Some((workspace, env, kill)) = local {
        let job = sandbox_shell::CommandJob {
            account: call.ctx.account_id.clone(),
            region: call.ctx.region.clone(),
            sandbox_id: id.to_owned(),
            command_id,
            command: text,
            workspace,
            env,
            kill,
        };
        call.effects.spawn(sandbox_shell::run(job));
    } else {
        plan_command(call, id, &command_id, now);
    }
}

/// The variables a local command sees: the region, the endpoint (so that `aws` in a command
/// talks to codemock) and the project's plain-text variables. Unconfirmed: which `CODEBUILD_*`
/// variables a sandbox sets is not documented, so none is invented.
fn command_environment(
    call: &Call<'_>,
    project: &codemock_wire::codebuild::Project,
) -> Vec<(String, String)> {
    let region = call.ctx.region.clone();
    let mut env = vec![
        ("AWS_REGION".to_owned(), region.clone()),
        ("AWS_DEFAULT_REGION".to_owned(), region),
        ("AWS_ACCESS_KEY_ID".to_owned(), call.ctx.account_id.clone()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), "codemock".to_owned()),
        ("CODEBUILD_CI".to_owned(), "true".to_owned()),
    ];
    if let Some(endpoint) = call.core.endpoint.get() {
        env.push(("AWS_ENDPOINT_URL".to_owned(), endpoint.clone()));
    }
    let vars = project
        .environment
        .as_ref()
        .and_then(|e| e.environment_variables.clone())
        .unwrap_or_default();
    for v in vars {
        let plain = v
            .r#type
            .is_none_or(|t| t == codemock_wire::codebuild::EnvironmentVariableType::Plaintext);
        if plain {
            env.retain(|(k, _)| *k != v.name);
            env.push((v.name, v.value));
        }
    }
    env
}

/// Removes a local sandbox's workspace once the sandbox is over (a job: it is file I/O).
fn remove_workspace(call: &mut Call<'_>, id: &str) {
    let Some(s) = call.state.sandboxes.get(id) else {
        return;
    };
    if s.executor != ExecutorKind::Local {
        return;
    }
    let dir = s.workspace.clone();
    call.effects.spawn(async move {
        let _ = std::fs::remove_dir_all(dir);
        crate::effects::Effects::new()
    });
}

/// How the running command ends (simulated): the outcome rules for step COMMAND_EXECUTION, or
/// the project's plain `codemock:outcome` tag (as a build's plain tag fails the phase where its
/// commands run); by default it exits 0 after a second.
fn plan_command(call: &mut Call<'_>, id: &str, command_id: &str, now: f64) {
    let Some(s) = call.state.sandboxes.get(id) else {
        return;
    };
    let arn = s.view.arn.clone().unwrap_or_default();
    let query = OutcomeQuery::new("codebuild")
        .name(&s.project)
        .name(&arn)
        .name(id)
        .step(COMMAND_STEP)
        .tags(s.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let decision = call.core.outcomes.decide(&query);
    let sandbox_id = id.to_owned();
    let exited = |exit_code: i64, stderr: Option<String>, seconds: f64| {
        (
            seconds,
            Timer::CommandExited {
                sandbox_id: id.to_owned(),
                command_id: command_id.to_owned(),
                exit_code,
                stderr,
            },
        )
    };
    let (seconds, timer) = match decision {
        None => exited(0, None, COMMAND_SECONDS),
        Some(d) => {
            let seconds = d.seconds.unwrap_or(COMMAND_SECONDS);
            match d.outcome {
                Outcome::Succeeded => exited(0, None, seconds),
                // A numeric code is the exit code (as for a build's failing command).
                Outcome::Failed => exited(
                    d.code.as_deref().and_then(|c| c.parse().ok()).unwrap_or(1),
                    d.message,
                    seconds,
                ),
                Outcome::Stopped => (seconds, Timer::SandboxStop { sandbox_id }),
                Outcome::TimedOut => (seconds, Timer::SandboxTimedOut { sandbox_id }),
                Outcome::Hang => return,
            }
        }
    };
    call.effects.arm_keyed(
        command_timer_key(id),
        now + seconds,
        &call.ctx.account_id,
        &call.ctx.region,
        timer,
    );
}

/// A command exited (the simulated executor's timer, or a local shell's report).
pub fn command_exited(
    call: &mut Call<'_>,
    id: &str,
    command_id: &str,
    exit_code: i64,
    stdout: Option<String>,
    stderr: Option<String>,
) {
    let now = call.core.clock.now();
    let Some(s) = call.state.sandboxes.get_mut(id) else {
        return;
    };
    let Some(c) = s
        .commands
        .iter_mut()
        .find(|c| c.view.id.as_deref() == Some(command_id))
    else {
        return;
    };
    if !c.machine.step(CommandInput::Exited(exit_code), now) {
        return;
    }
    s.kill = None;
    // The model's minimum length is 1: empty output is left out.
    c.view.standard_output_content = stdout.filter(|o| !o.is_empty());
    c.view.standard_err_content = stderr.filter(|e| !e.is_empty());
    refresh_command(c);
    let text = c.view.command.clone().unwrap_or_default();
    // A local command's output goes to the session log as it would from the container.
    let output: Vec<String> = [
        &c.view.standard_output_content,
        &c.view.standard_err_content,
    ]
    .into_iter()
    .flatten()
    .flat_map(|o| o.lines().map(str::to_owned).collect::<Vec<_>>())
    .collect();
    if let Some(target) = s.log.clone().filter(|_| !output.is_empty()) {
        #[allow(clippy::cast_possible_truncation, reason = "epoch milliseconds fit")]
        let ms = (now * 1000.0).floor() as i64;
        let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
        run::write_log(
            call.effects,
            &account,
            &region,
            target,
            output.into_iter().map(|l| (ms, l)).collect(),
        );
    }
    if exit_code != 0 {
        lines(
            call,
            id,
            now,
            [format!(
                "Command did not exit successfully {text} exit status {exit_code}"
            )],
        );
    }
    next_command(call, id, now);
}

fn refresh_command(c: &mut CommandRecord) {
    let m = &c.machine;
    c.view.status = Some(m.status.as_str().to_owned());
    c.view.start_time = m.started.map(Timestamp);
    c.view.end_time = m.ended.map(Timestamp);
    c.view.exit_code = m.exit_code.map(|e| e.to_string());
}

/// Rebuilds the sandbox view from its machine.
fn refresh_view(call: &mut Call<'_>, id: &str, now: f64) {
    let Some(s) = call.state.sandboxes.get_mut(id) else {
        return;
    };
    let m = &s.machine;
    let mut phases: Vec<SandboxSessionPhase> = m
        .phases
        .iter()
        .map(|p| match &p.end {
            Some(end) => SandboxSessionPhase {
                phase_type: Some(p.phase.as_str().to_owned()),
                phase_status: Some(end.status),
                start_time: Some(Timestamp(p.start)),
                end_time: Some(Timestamp(p.end_time)),
                duration_in_seconds: Some(run::seconds_between(p.start, p.end_time)),
                // As a build's: SUBMITTED and QUEUED carry no contexts.
                contexts: (!matches!(p.phase, Phase::Submitted | Phase::Queued)).then(|| {
                    vec![PhaseContext {
                        status_code: Some(end.code.clone()),
                        message: Some(end.message.clone()),
                    }]
                }),
            },
            None => SandboxSessionPhase {
                phase_type: Some(p.phase.as_str().to_owned()),
                start_time: Some(Timestamp(p.start)),
                ..SandboxSessionPhase::default()
            },
        })
        .collect();
    if !m.is_complete() {
        phases.push(SandboxSessionPhase {
            phase_type: Some(m.current.as_str().to_owned()),
            start_time: Some(Timestamp(m.current_start)),
            ..SandboxSessionPhase::default()
        });
    }
    s.view.status = Some(m.status().as_str().to_owned());
    if m.is_complete() {
        s.view.end_time = Some(Timestamp(now));
    }
    if let Some(session) = s.view.current_session.as_mut() {
        session.status = Some(m.session_status.as_str().to_owned());
        session.current_phase = Some(m.current.as_str().to_owned());
        session.phases = Some(phases);
        if m.is_complete() {
            session.end_time = Some(Timestamp(now));
        }
    }
}

/// Appends the agent's lines to the session's log stream.
fn lines(call: &mut Call<'_>, id: &str, at: f64, lines: impl IntoIterator<Item = String>) {
    let Some(target) = call.state.sandboxes.get(id).and_then(|s| s.log.clone()) else {
        return;
    };
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    agent_lines(call.effects, &account, &region, target, at, lines);
}

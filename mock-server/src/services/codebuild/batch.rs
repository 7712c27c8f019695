//! Batch builds: a build list, matrix or graph from the buildspec's `batch` section, each entry a
//! real build of the project (with the entry's overrides), run in parallel or, for a graph, as
//! its `depend-on` edges allow. The batch walks SUBMITTED, DOWNLOAD_BATCHSPEC, IN_PROGRESS,
//! (COMBINE_ARTIFACTS when the project combines them) and ends SUCCEEDED, FAILED or STOPPED;
//! `fast-fail` stops the other builds at the first failure that is not ignored.
//!
//! [`plan_next`] is the pure part: given the entries' states, which builds start now and whether
//! the batch is over.

use super::buildspec::{self, BatchEntry, BatchKind};
use super::executor::simulated::is_inline;
use super::ports::BuildFinished;
use super::run::{self, StartRequest};
use super::state::{build_id_of, project_name_of};
use super::{Call, Timer};
use crate::effects::{partition, Notify};
use crate::error::ServiceError;
use codemock_wire::codebuild::{
    BuildBatch, BuildBatchPhase, BuildBatchPhaseType as BPhase, BuildGroup, BuildSummary,
    ComputeType, EnvironmentType, EnvironmentVariable, EnvironmentVariableType, PhaseContext,
    StartBuildBatchInput, StartBuildInput, StatusType,
};
use codemock_wire::types::Timestamp;

/// Virtual seconds DOWNLOAD_BATCHSPEC and COMBINE_ARTIFACTS take.
const BATCHSPEC_SECONDS: f64 = 2.0;
const COMBINE_SECONDS: f64 = 1.0;

/// One build of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub spec: BatchEntry,
    /// The build running or run for it.
    pub build_id: Option<String>,
    /// Its final status, once it ended.
    pub status: Option<StatusType>,
    /// Earlier runs (RetryBuildBatch): (build ARN, status).
    pub prior: Vec<BuildSummary>,
}

/// A batch build.
#[derive(Debug)]
pub struct BatchRecord {
    pub view: BuildBatch,
    pub project: String,
    pub input: StartBuildBatchInput,
    pub fast_fail: bool,
    pub entries: Vec<Entry>,
    pub phase: BPhase,
    pub phase_start: f64,
    pub phases: Vec<BuildBatchPhase>,
    pub status: StatusType,
}

/// What to do next in a running batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Start these entries (by index); the batch goes on.
    Start(Vec<usize>),
    /// Every entry that can run has ended: the batch ends so.
    Done(StatusType),
}

/// Which entries start now, or how the batch ends (pure).
pub fn plan_next(entries: &[Entry], fast_fail: bool) -> Next {
    let failed_hard =
        |e: &Entry| e.status.is_some_and(|s| s != StatusType::Succeeded) && !e.spec.ignore_failure;
    if fast_fail && entries.iter().any(failed_hard) {
        return Next::Done(StatusType::Failed);
    }
    let ok = |id: &str| {
        entries.iter().any(|e| {
            e.spec.identifier == id
                && (e.status == Some(StatusType::Succeeded)
                    || (e.status.is_some() && e.spec.ignore_failure))
        })
    };
    let blocked = |e: &Entry| {
        e.spec.depend_on.iter().any(|d| {
            entries
                .iter()
                .any(|o| o.spec.identifier == *d && o.status.is_some() && !ok(d))
        })
    };
    let start: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.build_id.is_none() && !blocked(e) && e.spec.depend_on.iter().all(|d| ok(d))
        })
        .map(|(i, _)| i)
        .collect();
    if !start.is_empty() {
        return Next::Start(start);
    }
    let running = entries
        .iter()
        .any(|e| e.build_id.is_some() && e.status.is_none());
    if running {
        return Next::Start(Vec::new());
    }
    let all_ran = entries.iter().all(|e| e.status.is_some());
    if all_ran && !entries.iter().any(failed_hard) {
        Next::Done(StatusType::Succeeded)
    } else {
        Next::Done(StatusType::Failed)
    }
}

fn batch_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Build batch {id} does not exist"),
    )
}

/// StartBuildBatch.
pub fn start(call: &mut Call<'_>, input: StartBuildBatchInput) -> Result<BuildBatch, ServiceError> {
    let name = project_name_of(input.project_name.as_str()).to_owned();
    let project = call
        .state
        .projects
        .get(&name)
        .cloned()
        .ok_or_else(|| run::project_not_found(call, &name))?;
    let now = call.ctx.received_at;
    let id = format!("{name}:{}", call.core.ids.uuid());
    let arn = format!(
        "arn:aws:codebuild:{}:{}:build-batch/{id}",
        call.ctx.region, call.ctx.account_id
    );
    let number = {
        let n = call.state.batch_numbers.entry(name.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let view = BuildBatch {
        id: Some(id.clone()),
        arn: Some(arn),
        start_time: Some(Timestamp(now)),
        current_phase: Some("SUBMITTED".into()),
        build_batch_status: Some(StatusType::InProgress),
        source_version: input
            .source_version
            .clone()
            .or_else(|| project.source_version.clone()),
        project_name: Some(name.clone()),
        phases: Some(Vec::new()),
        source: project.source.clone(),
        secondary_sources: project.secondary_sources.clone(),
        artifacts: None,
        cache: project.cache.clone(),
        environment: project.environment.clone(),
        service_role: input
            .service_role_override
            .clone()
            .or_else(|| project.service_role.clone()),
        log_config: project.logs_config.clone(),
        build_timeout_in_minutes: input
            .build_timeout_in_minutes_override
            .or(project.timeout_in_minutes),
        queued_timeout_in_minutes: input
            .queued_timeout_in_minutes_override
            .or(project.queued_timeout_in_minutes),
        complete: Some(false),
        initiator: Some("root".into()),
        encryption_key: project.encryption_key.clone(),
        build_batch_number: Some(number),
        build_batch_config: input
            .build_batch_config_override
            .clone()
            .or_else(|| project.build_batch_config.clone()),
        build_groups: Some(Vec::new()),
        debug_session_enabled: input.debug_session_enabled,
        ..BuildBatch::default()
    };
    let record = BatchRecord {
        view,
        project: name,
        input,
        fast_fail: false,
        entries: Vec::new(),
        phase: BPhase::Submitted,
        phase_start: now,
        phases: Vec::new(),
        status: StatusType::InProgress,
    };
    call.state.batches.insert(id.clone(), record);
    call.state.batch_order.push(id.clone());
    enter(
        call,
        &id,
        BPhase::DownloadBatchspec,
        StatusType::Succeeded,
        None,
    );
    call.effects.arm(
        now + BATCHSPEC_SECONDS,
        &call.ctx.account_id,
        &call.ctx.region,
        Timer::BatchSpecRead {
            batch_id: id.clone(),
        },
    );
    Ok(call.state.batches[&id].view.clone())
}

/// Ends the current phase with `status` and enters `next`.
fn enter(
    call: &mut Call<'_>,
    id: &str,
    next: BPhase,
    status: StatusType,
    context: Option<(String, String)>,
) {
    let now = call.core.clock.now().max(call.ctx.received_at);
    let Some(b) = call.state.batches.get_mut(id) else {
        return;
    };
    #[allow(
        clippy::cast_possible_truncation,
        reason = "virtual durations are small"
    )]
    let duration = (now - b.phase_start).max(0.0).floor() as i64;
    b.phases.push(BuildBatchPhase {
        phase_type: Some(b.phase),
        phase_status: Some(status),
        start_time: Some(Timestamp(b.phase_start)),
        end_time: Some(Timestamp(now)),
        duration_in_seconds: Some(duration),
        contexts: context.map(|(c, m)| {
            vec![PhaseContext {
                status_code: Some(c),
                message: Some(m),
            }]
        }),
    });
    b.phase = next;
    b.phase_start = now;
    let terminal = matches!(next, BPhase::Succeeded | BPhase::Failed | BPhase::Stopped);
    let mut phases = b.phases.clone();
    phases.push(BuildBatchPhase {
        phase_type: Some(next),
        start_time: Some(Timestamp(now)),
        ..BuildBatchPhase::default()
    });
    b.view.phases = Some(phases);
    b.view.current_phase = Some(next.as_str().to_owned());
    if terminal {
        b.status = match next {
            BPhase::Succeeded => StatusType::Succeeded,
            BPhase::Stopped => StatusType::Stopped,
            _ => StatusType::Failed,
        };
        b.view.build_batch_status = Some(b.status);
        b.view.complete = Some(true);
        b.view.end_time = Some(Timestamp(now));
    }
}

/// DOWNLOAD_BATCHSPEC ended: read the batch section and start the first builds.
pub fn batchspec_read(call: &mut Call<'_>, id: &str) {
    let Some(b) = call.state.batches.get(id) else {
        return;
    };
    if b.phase != BPhase::DownloadBatchspec {
        return;
    }
    let text = b
        .input
        .buildspec_override
        .clone()
        .or_else(|| b.view.source.as_ref().and_then(|s| s.buildspec.clone()))
        .filter(|t| is_inline(t));
    let parsed = match text {
        // A buildspec in the source is not readable by a simulated batch: one build runs it.
        None => Ok(None),
        Some(t) => buildspec::parse(&t).map(|s| s.batch),
    };
    let batch = match parsed {
        Err(e) => {
            let ctx = Some(("YAML_FILE_ERROR".to_owned(), e.message));
            enter(call, id, BPhase::Failed, StatusType::Failed, ctx);
            return;
        }
        Ok(batch) => batch,
    };
    let (fast_fail, specs) = match batch {
        Some(spec) => {
            let entries = match spec.kind {
                BatchKind::List(list) | BatchKind::Graph(list) => list,
                BatchKind::Matrix(m) => m.expand(),
                BatchKind::Fanout { parallelism, .. } => (1..=parallelism.max(1))
                    .map(|i| BatchEntry {
                        identifier: format!("build{i}"),
                        ..BatchEntry::default()
                    })
                    .collect(),
            };
            (spec.fast_fail, entries)
        }
        None => (
            false,
            vec![BatchEntry {
                identifier: "build1".into(),
                ..BatchEntry::default()
            }],
        ),
    };
    if let Some(b) = call.state.batches.get_mut(id) {
        b.fast_fail = fast_fail;
        b.entries = specs
            .into_iter()
            .map(|spec| Entry {
                spec,
                build_id: None,
                status: None,
                prior: Vec::new(),
            })
            .collect();
    }
    enter(call, id, BPhase::InProgress, StatusType::Succeeded, None);
    advance(call, id);
}

/// Starts what can start, or ends the batch.
fn advance(call: &mut Call<'_>, id: &str) {
    let Some(b) = call.state.batches.get(id) else {
        return;
    };
    if b.phase != BPhase::InProgress {
        return;
    }
    match plan_next(&b.entries, b.fast_fail) {
        Next::Start(list) => {
            for i in list {
                start_entry(call, id, i);
            }
        }
        Next::Done(status) => {
            // fast-fail: the builds still running are stopped.
            let running: Vec<String> = b
                .entries
                .iter()
                .filter(|e| e.status.is_none())
                .filter_map(|e| e.build_id.clone())
                .collect();
            for build in running {
                let _ = run::stop(call, &build);
            }
            let combine = call.state.batches.get(id).is_some_and(|b| {
                b.view
                    .build_batch_config
                    .as_ref()
                    .and_then(|c| c.combine_artifacts)
                    == Some(true)
            });
            let end = if status == StatusType::Succeeded {
                BPhase::Succeeded
            } else {
                BPhase::Failed
            };
            if combine && status == StatusType::Succeeded {
                enter(
                    call,
                    id,
                    BPhase::CombineArtifacts,
                    StatusType::Succeeded,
                    None,
                );
                let now = call.core.clock.now();
                call.effects.arm(
                    now + COMBINE_SECONDS,
                    &call.ctx.account_id,
                    &call.ctx.region,
                    Timer::BatchCombined {
                        batch_id: id.to_owned(),
                    },
                );
            } else {
                let phase_status = status;
                enter(call, id, end, phase_status, None);
            }
        }
    }
    refresh_groups(call, id);
}

/// COMBINE_ARTIFACTS ended.
pub fn combined(call: &mut Call<'_>, id: &str) {
    if call
        .state
        .batches
        .get(id)
        .is_some_and(|b| b.phase == BPhase::CombineArtifacts)
    {
        enter(call, id, BPhase::Succeeded, StatusType::Succeeded, None);
    }
}

fn start_entry(call: &mut Call<'_>, id: &str, index: usize) {
    let Some(b) = call.state.batches.get(id) else {
        return;
    };
    let Some(entry) = b.entries.get(index) else {
        return;
    };
    let spec = entry.spec.clone();
    let mut vars: Vec<EnvironmentVariable> = b
        .input
        .environment_variables_override
        .clone()
        .unwrap_or_default();
    for (k, v) in &spec.env.variables {
        vars.retain(|x| x.name != *k);
        vars.push(EnvironmentVariable {
            name: k.clone(),
            value: v.clone(),
            r#type: Some(EnvironmentVariableType::Plaintext),
        });
    }
    let input = StartBuildInput {
        project_name: b.project.clone(),
        source_version: b.input.source_version.clone(),
        buildspec_override: spec
            .buildspec
            .clone()
            .or_else(|| b.input.buildspec_override.clone()),
        environment_variables_override: (!vars.is_empty()).then_some(vars),
        image_override: spec
            .env
            .image
            .clone()
            .or_else(|| b.input.image_override.clone()),
        compute_type_override: spec
            .env
            .compute_type
            .as_deref()
            .and_then(ComputeType::from_name)
            .or(b.input.compute_type_override),
        environment_type_override: spec
            .env
            .environment_type
            .as_deref()
            .and_then(EnvironmentType::from_name)
            .or(b.input.environment_type_override),
        privileged_mode_override: spec.env.privileged_mode,
        timeout_in_minutes_override: b.input.build_timeout_in_minutes_override,
        ..StartBuildInput::default()
    };
    let initiator = format!("{}/{}", b.project, build_id_of(id));
    let batch_arn = b.view.arn.clone();
    let me = partition(&call.ctx.account_id, &call.ctx.region);
    let batch_id = id.to_owned();
    let on_finish = Notify::new(move |f: BuildFinished| {
        Some((
            me,
            super::ports::Command::BatchBuildFinished {
                batch_id,
                index,
                status: f.status,
            }
            .into(),
        ))
    });
    let started = run::start(
        call,
        StartRequest {
            input,
            initiator,
            pipeline: None,
            on_finish: Some(on_finish),
        },
    );
    match started {
        Ok(build) => {
            let build_id = build.id.clone().unwrap_or_default();
            if let Some(rec) = call.state.builds.get_mut(&build_id) {
                rec.view.build_batch_arn = batch_arn;
            }
            if let Some(b) = call.state.batches.get_mut(id) {
                if let Some(e) = b.entries.get_mut(index) {
                    e.build_id = Some(build_id);
                }
            }
        }
        Err(_) => {
            if let Some(e) = call
                .state
                .batches
                .get_mut(id)
                .and_then(|b| b.entries.get_mut(index))
            {
                e.build_id = Some(String::new());
                e.status = Some(StatusType::Fault);
            }
        }
    }
}

/// A build of the batch ended.
pub fn build_finished(call: &mut Call<'_>, id: &str, index: usize, status: &str) {
    let Some(b) = call.state.batches.get_mut(id) else {
        return;
    };
    if let Some(e) = b.entries.get_mut(index) {
        e.status = Some(StatusType::from_name(status).unwrap_or(StatusType::Failed));
    }
    advance(call, id);
}

/// StopBuildBatch.
pub fn stop(call: &mut Call<'_>, id: &str) -> Result<BuildBatch, ServiceError> {
    let id = id.to_owned();
    let b = call
        .state
        .batches
        .get(&id)
        .ok_or_else(|| batch_not_found(&id))?;
    if b.view.complete != Some(true) {
        let running: Vec<String> = b
            .entries
            .iter()
            .filter(|e| e.status.is_none())
            .filter_map(|e| e.build_id.clone())
            .collect();
        enter(call, &id, BPhase::Stopped, StatusType::Stopped, None);
        for build in running {
            let _ = run::stop(call, &build);
        }
    }
    refresh_groups(call, &id);
    Ok(call.state.batches[&id].view.clone())
}

/// RetryBuildBatch: the failed builds (or all) run again.
pub fn retry(call: &mut Call<'_>, id: &str, all: bool) -> Result<BuildBatch, ServiceError> {
    let id = id.to_owned();
    let b = call
        .state
        .batches
        .get_mut(&id)
        .ok_or_else(|| batch_not_found(&id))?;
    if b.view.complete != Some(true) {
        return Err(ServiceError::new(
            "InvalidInputException",
            format!("Build batch {id} is still in progress"),
        ));
    }
    let views: Vec<(usize, Option<String>)> = b
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i, e.build_id.clone()))
        .collect();
    for (i, build) in views {
        let Some(e) = b.entries.get_mut(i) else {
            continue;
        };
        let redo = all || e.status != Some(StatusType::Succeeded);
        if redo {
            if let Some(build) = build.filter(|b| !b.is_empty()) {
                e.prior.push(BuildSummary {
                    arn: Some(build),
                    build_status: e.status,
                    ..BuildSummary::default()
                });
            }
            e.build_id = None;
            e.status = None;
        }
    }
    b.status = StatusType::InProgress;
    b.view.build_batch_status = Some(StatusType::InProgress);
    b.view.complete = Some(false);
    b.view.end_time = None;
    b.phase = BPhase::InProgress;
    let now = call.core.clock.now().max(call.ctx.received_at);
    b.phase_start = now;
    b.view.current_phase = Some("IN_PROGRESS".into());
    advance(call, &id);
    Ok(call.state.batches[&id].view.clone())
}

/// Keeps `buildGroups` current.
fn refresh_groups(call: &mut Call<'_>, id: &str) {
    let Some(b) = call.state.batches.get(id) else {
        return;
    };
    let groups: Vec<BuildGroup> = b
        .entries
        .iter()
        .map(|e| {
            let current = e.build_id.as_ref().filter(|x| !x.is_empty()).map(|bid| {
                let v = call.state.builds.get(bid).map(|r| &r.view);
                BuildSummary {
                    arn: v.and_then(|v| v.arn.clone()),
                    requested_on: v.and_then(|v| v.start_time),
                    build_status: e.status.or(Some(StatusType::InProgress)),
                    ..BuildSummary::default()
                }
            });
            BuildGroup {
                identifier: Some(e.spec.identifier.clone()),
                depends_on: Some(e.spec.depend_on.clone()),
                ignore_failure: Some(e.spec.ignore_failure),
                current_build_summary: current,
                prior_build_summary_list: (!e.prior.is_empty()).then(|| e.prior.clone()),
            }
        })
        .collect();
    if let Some(b) = call.state.batches.get_mut(id) {
        b.view.build_groups = Some(groups);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, deps: &[&str]) -> Entry {
        Entry {
            spec: BatchEntry {
                identifier: id.into(),
                depend_on: deps.iter().map(|d| (*d).to_owned()).collect(),
                ..BatchEntry::default()
            },
            build_id: None,
            status: None,
            prior: Vec::new(),
        }
    }

    #[test]
    fn a_graph_starts_builds_as_their_dependencies_succeed() {
        let mut e = vec![entry("a", &[]), entry("b", &["a"]), entry("c", &["a", "b"])];
        assert_eq!(plan_next(&e, false), Next::Start(vec![0]));
        e[0].build_id = Some("x".into());
        assert_eq!(plan_next(&e, false), Next::Start(vec![]));
        e[0].status = Some(StatusType::Succeeded);
        assert_eq!(plan_next(&e, false), Next::Start(vec![1]));
        e[1].build_id = Some("y".into());
        e[1].status = Some(StatusType::Succeeded);
        assert_eq!(plan_next(&e, false), Next::Start(vec![2]));
        e[2].build_id = Some("z".into());
        e[2].status = Some(StatusType::Succeeded);
        assert_eq!(plan_next(&e, false), Next::Done(StatusType::Succeeded));
    }

    #[test]
    fn a_failed_dependency_blocks_its_dependents_and_fails_the_batch() {
        let mut e = vec![entry("a", &[]), entry("b", &["a"])];
        e[0].build_id = Some("x".into());
        e[0].status = Some(StatusType::Failed);
        assert_eq!(plan_next(&e, false), Next::Done(StatusType::Failed));
        e[0].spec.ignore_failure = true;
        assert_eq!(plan_next(&e, false), Next::Start(vec![1]));
    }

    #[test]
    fn fast_fail_ends_the_batch_at_the_first_failure() {
        let mut e = vec![entry("a", &[]), entry("b", &[])];
        for x in &mut e {
            x.build_id = Some("x".into());
        }
        e[0].status = Some(StatusType::Failed);
        assert_eq!(plan_next(&e, true), Next::Done(StatusType::Failed));
        assert_eq!(plan_next(&e, false), Next::Start(vec![]));
    }
}

//! The runtime between the pure engine and the world: it starts executions, turns the engine's
//! outputs into action executions (records, resolved configuration, artifact locations, the
//! provider's work) and EventBridge events, and feeds the ends of actions back into the engine.

use super::actions::{self, ActionJob, Begun, Outcome};
use super::execution::{Ev, ExecStatus, Mode, Out, Refused};
use super::state::{ActionRecord, ExecRecord, Pipeline, Waiting};
use super::Call;
use crate::error::ServiceError;
use crate::protocol::timestamps::iso8601;
use crate::services::events::ports::put_event;
use codemock_wire::codepipeline::{
    ActionExecutionInput, ActionExecutionOutput, ActionExecutionResult, ActionTypeId,
    ArtifactDetail, ArtifactRevision, ErrorDetails, PipelineDeclaration, PipelineVariable,
    S3Location, SourceRevision, SourceRevisionOverride,
};
use codemock_wire::types::Timestamp;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};

pub fn pipeline_not_found(account: &str, name: &str) -> ServiceError {
    // Text recorded from AWS (moto's tests assert it verbatim).
    ServiceError::new(
        "PipelineNotFoundException",
        format!("Account '{account}' does not have a pipeline with name '{name}'"),
    )
}

/// The engine's mode for a declaration: V1 pipelines supersede.
pub fn mode_of(d: &PipelineDeclaration) -> Mode {
    match d.execution_mode.map(|m| m.as_str()) {
        Some("QUEUED") => Mode::Queued,
        Some("PARALLEL") => Mode::Parallel,
        _ => Mode::Superseded,
    }
}

/// The engine's gates of each stage of a declaration (its conditions, onFailure).
pub fn gates_of(d: &PipelineDeclaration) -> Vec<super::execution::Gates> {
    d.stages.iter().map(super::conditions::gates_of).collect()
}

/// The engine's plan of a declaration: stages with their actions' run orders.
pub fn plan_of(d: &PipelineDeclaration) -> Vec<(String, Vec<(String, i32)>)> {
    d.stages
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.actions
                    .iter()
                    .map(|a| (a.name.clone(), a.run_order.unwrap_or(1)))
                    .collect(),
            )
        })
        .collect()
}

/// Starts an execution of pipeline `name`; answers its id.
pub fn start_execution(
    call: &mut Call<'_>,
    name: &str,
    trigger_type: &str,
    trigger_detail: Option<String>,
    variables: Vec<PipelineVariable>,
    overrides: Vec<SourceRevisionOverride>,
) -> Result<String, ServiceError> {
    let account = call.ctx.account_id.clone();
    let now = call.core.clock.now();
    let p = call
        .state
        .pipelines
        .get(name)
        .ok_or_else(|| pipeline_not_found(&account, name))?;
    let d = &p.declaration;
    // V2 pipeline variables: declared ones with their defaults, overridden at start.
    let declared = d.variables.clone().unwrap_or_default();
    let mut resolved = Vec::new();
    for v in &variables {
        let vname = v.name.clone();
        if !declared.iter().any(|dv| dv.name.as_str() == vname) {
            return Err(ServiceError::new(
                "ValidationException",
                format!("Variable '{vname}' is not defined in the pipeline"),
            ));
        }
    }
    for dv in &declared {
        let vname = dv.name.clone();
        let value = variables
            .iter()
            .find(|v| v.name.as_str() == vname)
            .map(|v| v.value.clone())
            .or_else(|| dv.default_value.clone());
        match value {
            Some(value) => resolved.push((vname, value)),
            None => {
                return Err(ServiceError::new(
                    "ValidationException",
                    format!("No value was provided for the pipeline variable '{vname}', which has no default value"),
                ))
            }
        }
    }
    let plan = plan_of(d);
    let gates = gates_of(d);
    let version = d.version.unwrap_or(1);
    let mode = match d.pipeline_type.map(|t| t.as_str()) {
        Some("V2") => d.execution_mode.map(|m| m.as_str()).unwrap_or("SUPERSEDED"),
        _ => "SUPERSEDED",
    };
    let id = call.core.ids.uuid();
    let mut namespaces = BTreeMap::new();
    namespaces.insert(
        "codepipeline".to_owned(),
        BTreeMap::from([("PipelineExecutionId".to_owned(), id.clone())]),
    );
    namespaces.insert(
        "variables".to_owned(),
        resolved.iter().cloned().collect::<BTreeMap<_, _>>(),
    );
    let record = ExecRecord {
        id: id.clone(),
        version,
        trigger_type: trigger_type.to_owned(),
        trigger_detail,
        start: now,
        updated: now,
        status_summary: None,
        stop_reason: None,
        mode: mode.to_owned(),
        variables: resolved,
        namespaces,
        artifacts: BTreeMap::new(),
        source_revisions: Vec::new(),
        artifact_revisions: Vec::new(),
        retries: BTreeMap::new(),
        auto_retries: BTreeMap::new(),
        last_retry: BTreeMap::new(),
        execution_type: "STANDARD".to_owned(),
        rollback_target: None,
        revision_overrides: overrides
            .iter()
            .map(|o| {
                (
                    o.action_name.clone(),
                    (
                        o.revision_type.as_str().to_owned(),
                        o.revision_value.clone(),
                    ),
                )
            })
            .collect(),
    };
    let p = call
        .state
        .pipelines
        .get_mut(name)
        .ok_or_else(|| pipeline_not_found(&account, name))?;
    p.executions.insert(id.clone(), record);
    p.order.push(id.clone());
    let outs = p.runs.start_gated(&id, &plan, &gates);
    drive(call, name, outs);
    Ok(id)
}

/// RollbackStage: a new execution (type ROLLBACK, trigger ManualRollback) of one stage with the
/// artifacts and variables of an earlier execution that succeeded in it (V2 pipelines only).
pub fn start_rollback(
    call: &mut Call<'_>,
    name: &str,
    stage: &str,
    target: &str,
    trigger_type: &str,
    by: String,
) -> Result<String, ServiceError> {
    let account = call.ctx.account_id.clone();
    let now = call.core.clock.now();
    let unable = |m: String| ServiceError::new("UnableToRollbackStageException", m);
    let p = call
        .state
        .pipelines
        .get(name)
        .ok_or_else(|| pipeline_not_found(&account, name))?;
    if p.declaration.pipeline_type.map(|t| t.as_str()) != Some("V2") {
        return Err(unable(format!(
            "Pipeline '{name}' is of type V1: stage rollback needs a pipeline of type V2"
        )));
    }
    let Some(source) = p.executions.get(target).cloned() else {
        return Err(refused(Refused::UnknownExecution, target, stage, name));
    };
    let succeeded = p.runs.get(target).is_some_and(|e| {
        e.stages
            .iter()
            .any(|s| s.name == stage && s.status == super::execution::StageStatus::Succeeded)
    });
    if !succeeded {
        return Err(unable(format!(
            "Pipeline execution '{target}' did not succeed in stage '{stage}', so it cannot be a rollback target"
        )));
    }
    if p.runs.occupant(stage).is_some() {
        return Err(unable(format!(
            "Stage '{stage}' has an execution in progress; it can be rolled back once that ends"
        )));
    }
    let d = p.versions.get(&source.version).unwrap_or(&p.declaration);
    let plan: Vec<_> = plan_of(d).into_iter().filter(|(s, _)| s == stage).collect();
    // A rollback's own failure is not rolled back again (nor retried automatically).
    let gates: Vec<_> = d
        .stages
        .iter()
        .filter(|s| s.name.as_str() == stage)
        .map(|s| super::execution::Gates {
            on_failure: super::execution::OnFailure::Fail,
            ..super::conditions::gates_of(s)
        })
        .collect();
    if plan.is_empty() {
        return Err(refused(Refused::UnknownStage, target, stage, name));
    }
    let id = call.core.ids.uuid();
    let mut record = source;
    record.id = id.clone();
    record.trigger_type = trigger_type.to_owned();
    record.trigger_detail = Some(by);
    record.start = now;
    record.updated = now;
    record.status_summary = None;
    record.stop_reason = None;
    record.retries = BTreeMap::new();
    record.auto_retries = BTreeMap::new();
    record.last_retry = BTreeMap::new();
    record.execution_type = "ROLLBACK".to_owned();
    record.rollback_target = Some(target.to_owned());
    record.namespaces.insert(
        "codepipeline".to_owned(),
        BTreeMap::from([("PipelineExecutionId".to_owned(), id.clone())]),
    );
    let p = call
        .state
        .pipelines
        .get_mut(name)
        .ok_or_else(|| pipeline_not_found(&account, name))?;
    p.executions.insert(id.clone(), record);
    p.order.push(id.clone());
    let outs = p.runs.start_gated(&id, &plan, &gates);
    drive(call, name, outs);
    Ok(id)
}

/// An automated rollback (onFailure or onSuccess result ROLLBACK) of `stage` after execution
/// `failed` failed in it: to the newest other execution that succeeded in the stage, as
/// RollbackStage does, with trigger `AutomatedRollback` (its detail: the failed execution,
/// unconfirmed). Without such an execution there is nothing to roll back to.
fn auto_rollback(call: &mut Call<'_>, pipeline: &str, failed: &str, stage: &str) {
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return;
    };
    if p.executions
        .get(failed)
        .is_some_and(|r| r.execution_type == "ROLLBACK")
    {
        return;
    }
    let target = p.order.iter().rev().find(|id| {
        id.as_str() != failed
            && p.runs.get(id).is_some_and(|e| {
                e.stages.iter().any(|s| {
                    s.name == stage && s.status == super::execution::StageStatus::Succeeded
                })
            })
    });
    let Some(target) = target.cloned() else {
        return;
    };
    let _ = start_rollback(
        call,
        pipeline,
        stage,
        &target,
        "AutomatedRollback",
        failed.to_owned(),
    );
}

/// Refusals of the engine as AWS's errors. The codes are the model's; no recording of these
/// texts was found (LocalStack's CodePipeline moved to its paid edition, moto does not model
/// them), so they follow the model's descriptions of each exception.
pub fn refused(r: Refused, exec: &str, stage: &str, pipeline: &str) -> ServiceError {
    match r {
        Refused::UnknownExecution => ServiceError::new(
            "PipelineExecutionNotFoundException",
            format!("Pipeline execution with id '{exec}' does not exist in pipeline with name '{pipeline}'"),
        ),
        Refused::UnknownStage => ServiceError::new(
            "StageNotFoundException",
            format!("Stage with name '{stage}' does not exist in pipeline with name '{pipeline}'"),
        ),
        Refused::NotStoppable => ServiceError::new(
            "PipelineExecutionNotStoppableException",
            format!("Pipeline execution with id '{exec}' is not in progress and cannot be stopped"),
        ),
        Refused::DuplicatedStop => ServiceError::new(
            "DuplicatedStopRequestException",
            format!("Pipeline execution with id '{exec}' is already being stopped"),
        ),
        Refused::NotRetryable => ServiceError::new(
            "StageNotRetryableException",
            format!("Stage '{stage}' in pipeline execution '{exec}' is not in a failed or stopped state and cannot be retried"),
        ),
        Refused::NotLatest => ServiceError::new(
            "NotLatestPipelineExecutionException",
            format!("Pipeline execution '{exec}' is not the latest execution of stage '{stage}'"),
        ),
        Refused::NotChecking => ServiceError::new(
            "ConditionNotOverridableException",
            format!("Stage '{stage}' of pipeline execution '{exec}' has no condition in progress to override"),
        ),
    }
}

/// Applies the engine's outputs in order; action work that ends at once feeds back in.
pub fn drive(call: &mut Call<'_>, pipeline: &str, outs: Vec<Out>) {
    let mut queue: VecDeque<Out> = outs.into();
    while let Some(out) = queue.pop_front() {
        let more = apply(call, pipeline, out);
        queue.extend(more);
    }
}

fn apply(call: &mut Call<'_>, pipeline: &str, out: Out) -> Vec<Out> {
    let now = call.core.clock.now();
    match out {
        Out::Pipeline { exec, state } => {
            let Some(p) = call.state.pipelines.get_mut(pipeline) else {
                return vec![];
            };
            let arn = p.arn.clone();
            let version = p.executions.get(&exec).map(|r| r.version).unwrap_or(1);
            let mut detail = json!({
                "pipeline": pipeline,
                "execution-id": exec,
                "state": state.as_str(),
                "version": version,
            });
            if let Some(r) = p.executions.get_mut(&exec) {
                r.updated = now;
                match state {
                    Ev::Started => {
                        let mut trigger = json!({"trigger-type": r.trigger_type});
                        if let Some(d) = &r.trigger_detail {
                            trigger["trigger-detail"] = json!(d);
                        }
                        detail["execution-trigger"] = trigger;
                    }
                    Ev::Stopping => {
                        if let Some(reason) = &r.stop_reason {
                            detail["stop-execution-comments"] = json!(reason);
                        }
                    }
                    Ev::Superseded => {
                        r.status_summary =
                            Some("This execution was superseded by a newer execution".to_owned());
                    }
                    _ => {}
                }
            }
            emit(
                call,
                "CodePipeline Pipeline Execution State Change",
                &arn,
                detail,
            );
            vec![]
        }
        Out::Stage { exec, stage, state } => {
            let Some(p) = call.state.pipelines.get_mut(pipeline) else {
                return vec![];
            };
            if matches!(state, Ev::Started) {
                p.stage_latest.insert(stage.clone(), exec.clone());
            }
            let version = p.executions.get(&exec).map(|r| r.version).unwrap_or(1);
            if let Some(r) = p.executions.get_mut(&exec) {
                r.updated = now;
            }
            let arn = p.arn.clone();
            let detail = json!({
                "pipeline": pipeline,
                "version": version,
                "execution-id": exec,
                "stage": stage,
                "state": state.as_str(),
            });
            emit(
                call,
                "CodePipeline Stage Execution State Change",
                &arn,
                detail,
            );
            vec![]
        }
        Out::Action {
            exec,
            stage,
            action,
            state,
        } => {
            let Some(p) = call.state.pipelines.get_mut(pipeline) else {
                return vec![];
            };
            let arn = p.arn.clone();
            let Some(rec) = latest_record_mut(p, &exec, &stage, &action) else {
                return vec![];
            };
            rec.updated = now;
            if state == Ev::Abandoned {
                rec.status = "Abandoned".to_owned();
            }
            let rec = rec.clone();
            let detail = action_detail(pipeline, &rec, state);
            emit(
                call,
                "CodePipeline Action Execution State Change",
                &arn,
                detail,
            );
            vec![]
        }
        Out::Run {
            exec,
            stage,
            action,
        } => run_action(call, pipeline, &exec, &stage, &action),
        Out::Check { exec, stage, cond } => {
            if cond == super::execution::Cond::BeforeEntry {
                // The execution is the stage's latest once its entry is being decided.
                if let Some(p) = call.state.pipelines.get_mut(pipeline) {
                    p.stage_latest.insert(stage.clone(), exec.clone());
                }
            }
            super::conditions::start(call, pipeline, &exec, &stage, cond)
        }
        Out::CheckAbandon { exec, stage, cond } => {
            super::conditions::abandon(call, pipeline, &exec, &stage, cond);
            vec![]
        }
        Out::Rollback { exec, stage } => {
            auto_rollback(call, pipeline, &exec, &stage);
            vec![]
        }
        Out::AutoRetry { exec, stage } => {
            if let Some(r) = call
                .state
                .pipelines
                .get_mut(pipeline)
                .and_then(|p| p.executions.get_mut(&exec))
            {
                *r.auto_retries.entry(stage.clone()).or_insert(0) += 1;
                r.last_retry.insert(stage, "AutomatedStageRetry".to_owned());
            }
            vec![]
        }
        Out::Abandon {
            exec,
            stage,
            action,
        } => {
            let Some(p) = call.state.pipelines.get(pipeline) else {
                return vec![];
            };
            let Some(rec) = latest_record(p, &exec, &stage, &action).cloned() else {
                return vec![];
            };
            if let Some(job) = job_of(call, pipeline, &rec) {
                let provider = actions::provider_for(&job.category, &job.owner, &job.provider);
                provider.abandon(call, &job, &rec.waiting);
            }
            vec![]
        }
    }
}

fn emit(call: &mut Call<'_>, detail_type: &str, arn: &str, detail: Value) {
    let account = call.ctx.account_id.clone();
    let region = call.ctx.region.clone();
    let event = json!({
        "version": "0",
        "id": call.core.ids.uuid(),
        "detail-type": detail_type,
        "source": "aws.codepipeline",
        "account": account,
        "time": iso8601(call.core.clock.now()),
        "region": region,
        "resources": [arn],
        "detail": detail,
    });
    put_event(call.effects, &account, &region, "default", event);
}

fn artifacts_json(list: &Option<Vec<ArtifactDetail>>) -> Value {
    Value::Array(
        list.iter()
            .flatten()
            .map(|a| {
                let loc = a.s3location.clone().unwrap_or_default();
                json!({"name": a.name, "s3location": {"bucket": loc.bucket, "key": loc.key}})
            })
            .collect(),
    )
}

fn action_detail(pipeline: &str, rec: &ActionRecord, state: Ev) -> Value {
    let t = rec.input.action_type_id.clone().unwrap_or_default();
    let mut d = json!({
        "pipeline": pipeline,
        "execution-id": rec.exec_id,
        "stage": rec.stage,
        "action": rec.action,
        "state": state.as_str(),
        "region": rec.input.region,
        "type": {
            "owner": t.owner.as_str(),
            "category": t.category.as_str(),
            "provider": t.provider,
            "version": t.version,
        },
        "version": rec.version,
    });
    match state {
        Ev::Started => {
            d["input-artifacts"] = artifacts_json(&rec.input.input_artifacts);
        }
        Ev::Succeeded | Ev::Failed => {
            let mut result = serde_json::Map::new();
            if let Some(u) = &rec.external_url {
                result.insert("external-execution-url".into(), json!(u));
            }
            if let Some(s) = &rec.summary {
                result.insert("external-execution-summary".into(), json!(s));
            }
            if let Some(id) = &rec.external_id {
                result.insert("external-execution-id".into(), json!(id));
            }
            if let Some((code, _)) = &rec.error {
                result.insert("error-code".into(), json!(code));
            }
            if !result.is_empty() {
                d["execution-result"] = Value::Object(result);
            }
            if state == Ev::Succeeded {
                d["output-artifacts"] = artifacts_json(&rec.output.output_artifacts);
            }
        }
        _ => {}
    }
    d
}

pub fn latest_record<'p>(
    p: &'p Pipeline,
    exec: &str,
    stage: &str,
    action: &str,
) -> Option<&'p ActionRecord> {
    p.actions
        .iter()
        .rev()
        .find(|r| r.exec_id == exec && r.stage == stage && r.action == action)
}

fn latest_record_mut<'p>(
    p: &'p mut Pipeline,
    exec: &str,
    stage: &str,
    action: &str,
) -> Option<&'p mut ActionRecord> {
    p.actions
        .iter_mut()
        .rev()
        .find(|r| r.exec_id == exec && r.stage == stage && r.action == action)
}

fn type_strings(t: &ActionTypeId) -> (String, String, String, String) {
    (
        t.category.as_str().to_owned(),
        t.owner.as_str().to_owned(),
        t.provider.clone(),
        t.version.clone(),
    )
}

/// The provider's view of an action execution record.
fn job_of(call: &Call<'_>, pipeline: &str, rec: &ActionRecord) -> Option<ActionJob> {
    let p = call.state.pipelines.get(pipeline)?;
    let d = p.versions.get(&rec.version).unwrap_or(&p.declaration);
    let decl = d
        .stages
        .iter()
        .find(|s| s.name.as_str() == rec.stage)?
        .actions
        .iter()
        .find(|a| a.name.as_str() == rec.action)?;
    let (category, owner, provider, version) =
        type_strings(&rec.input.action_type_id.clone().unwrap_or_default());
    let loc = |list: &Option<Vec<ArtifactDetail>>| {
        list.iter()
            .flatten()
            .map(|a| {
                let l = a.s3location.clone().unwrap_or_default();
                (
                    a.name.clone().unwrap_or_default(),
                    l.bucket.unwrap_or_default(),
                    l.key.unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>()
    };
    Some(ActionJob {
        account: call.ctx.account_id.clone(),
        region: call.ctx.region.clone(),
        pipeline: pipeline.to_owned(),
        pipeline_arn: p.arn.clone(),
        exec_id: rec.exec_id.clone(),
        stage: rec.stage.clone(),
        action: rec.action.clone(),
        action_execution_id: rec.id.clone(),
        category,
        owner,
        provider,
        version,
        config: rec.input.resolved_configuration.clone().unwrap_or_default(),
        inputs: loc(&rec.input.input_artifacts),
        outputs: rec.planned.clone(),
        tags: p.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        timeout_minutes: decl.timeout_in_minutes,
        revision_override: p
            .executions
            .get(&rec.exec_id)
            .and_then(|e| e.revision_overrides.get(&rec.action).cloned()),
    })
}

/// The artifact store bucket of a declaration for `region`.
fn store_bucket(d: &PipelineDeclaration, region: &str) -> String {
    d.artifact_store
        .as_ref()
        .map(|s| s.location.clone())
        .or_else(|| {
            d.artifact_stores
                .as_ref()
                .and_then(|m| m.get(region).map(|s| s.location.clone()))
        })
        .unwrap_or_default()
}

/// AWS names artifact objects `<pipeline name, 20 chars>/<artifact name, 10 chars>/<random>`
/// (the user guide's event samples: `myPipeline/SourceArti/KEYEXAMPLE`; real keys end in 7
/// random letters and digits).
fn artifact_key(call: &Call<'_>, pipeline: &str, artifact: &str) -> String {
    let p: String = pipeline.chars().take(20).collect();
    let a: String = artifact.chars().take(10).collect();
    let random: String = call
        .core
        .ids
        .alphanumeric_upper(7)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 1 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    format!("{p}/{a}/{random}")
}

fn run_action(
    call: &mut Call<'_>,
    pipeline: &str,
    exec: &str,
    stage: &str,
    action: &str,
) -> Vec<Out> {
    let now = call.core.clock.now();
    let region = call.ctx.region.clone();
    let id = call.core.ids.uuid();
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return vec![];
    };
    let Some(er) = p.executions.get(exec) else {
        return vec![];
    };
    let d = p
        .versions
        .get(&er.version)
        .unwrap_or(&p.declaration)
        .clone();
    let Some(decl) = d
        .stages
        .iter()
        .find(|s| s.name.as_str() == stage)
        .and_then(|s| s.actions.iter().find(|a| a.name.as_str() == action))
        .cloned()
    else {
        return vec![];
    };
    let bucket = store_bucket(&d, decl.region.as_deref().unwrap_or(&region));
    let config = decl.configuration.clone().unwrap_or_default();
    let mut resolved = BTreeMap::new();
    let mut unresolved = None;
    for (k, v) in &config {
        match super::variables::resolve(v, &er.namespaces) {
            Ok(r) => {
                resolved.insert(k.clone(), r);
            }
            Err(reference) => {
                unresolved.get_or_insert(reference);
                resolved.insert(k.clone(), v.clone());
            }
        }
    }
    let inputs: Vec<ArtifactDetail> = decl
        .input_artifacts
        .iter()
        .flatten()
        .filter_map(|a| {
            let name = a.name.clone();
            let (b, k) = er.artifacts.get(&name)?.clone();
            Some(ArtifactDetail {
                name: Some(name),
                s3location: Some(S3Location {
                    bucket: Some(b),
                    key: Some(k),
                }),
            })
        })
        .collect();
    let names: Vec<String> = decl
        .output_artifacts
        .iter()
        .flatten()
        .map(|a| a.name.clone())
        .collect();
    let planned: Vec<(String, String, String)> = names
        .iter()
        .map(|n| (n.clone(), bucket.clone(), artifact_key(call, pipeline, n)))
        .collect();
    let record = ActionRecord {
        exec_id: exec.to_owned(),
        id: id.clone(),
        stage: stage.to_owned(),
        action: action.to_owned(),
        version: er.version,
        start: now,
        updated: now,
        status: "InProgress".to_owned(),
        summary: None,
        external_id: None,
        external_url: None,
        error: None,
        updated_by: None,
        input: ActionExecutionInput {
            action_type_id: Some(decl.action_type_id.clone()),
            configuration: Some(config),
            resolved_configuration: Some(resolved),
            role_arn: decl.role_arn.clone(),
            region: Some(decl.region.clone().unwrap_or_else(|| region.clone())),
            input_artifacts: Some(inputs),
            namespace: decl.namespace.clone(),
        },
        output: ActionExecutionOutput::default(),
        waiting: Waiting::Nothing,
        revision: None,
        planned,
    };
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return vec![];
    };
    let arn = p.arn.clone();
    p.actions.push(record.clone());
    emit(
        call,
        "CodePipeline Action Execution State Change",
        &arn,
        action_detail(pipeline, &record, Ev::Started),
    );
    let begun = match (unresolved, job_of(call, pipeline, &record)) {
        (Some(reference), _) => Begun::Done(Outcome::failed(
            "ConfigurationError",
            format!("Unable to resolve variable reference '#{{{reference}}}' in the action configuration"),
        )),
        (None, None) => return vec![],
        (None, Some(job)) => {
            let provider = actions::provider_for(&job.category, &job.owner, &job.provider);
            provider.start(call, &job)
        }
    };
    match begun {
        Begun::Waiting(w) => {
            if let Some(r) = call
                .state
                .pipelines
                .get_mut(pipeline)
                .and_then(|p| p.actions.iter_mut().rev().find(|r| r.id == id))
            {
                r.waiting = w;
            }
            vec![]
        }
        Begun::Done(outcome) => finish(call, pipeline, &id, outcome),
    }
}

/// An action execution's work ended: record it and move the engine.
pub fn complete(call: &mut Call<'_>, pipeline: &str, action_execution_id: &str, outcome: Outcome) {
    let outs = finish(call, pipeline, action_execution_id, outcome);
    drive(call, pipeline, outs);
}

/// The outside id of an action's work is known (a build id).
pub fn external_started(
    call: &mut Call<'_>,
    pipeline: &str,
    action_execution_id: &str,
    external_id: String,
) {
    if let Some(r) = find_record_mut(call, pipeline, action_execution_id) {
        r.external_id = Some(external_id.clone());
        r.waiting = match &r.waiting {
            Waiting::Build { .. } => Waiting::Build {
                build_id: Some(external_id),
            },
            Waiting::Deployment { .. } => Waiting::Deployment {
                deployment_id: Some(external_id),
            },
            other => other.clone(),
        };
    }
}

pub fn find_record_mut<'c>(
    call: &'c mut Call<'_>,
    pipeline: &str,
    action_execution_id: &str,
) -> Option<&'c mut ActionRecord> {
    call.state
        .pipelines
        .get_mut(pipeline)?
        .actions
        .iter_mut()
        .rev()
        .find(|r| r.id == action_execution_id)
}

fn finish(
    call: &mut Call<'_>,
    pipeline: &str,
    action_execution_id: &str,
    outcome: Outcome,
) -> Vec<Out> {
    let now = call.core.clock.now();
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return vec![];
    };
    let Some(idx) = p.actions.iter().rposition(|r| r.id == action_execution_id) else {
        return vec![];
    };
    if p.actions[idx].status != "InProgress" {
        return vec![]; // abandoned or already answered
    }
    let rec = &mut p.actions[idx];
    rec.status = if outcome.ok { "Succeeded" } else { "Failed" }.to_owned();
    rec.updated = now;
    rec.summary = outcome.summary.clone().or(rec.summary.take());
    if outcome.external_id.is_some() {
        rec.external_id = outcome.external_id.clone();
    }
    if outcome.external_url.is_some() {
        rec.external_url = outcome.external_url.clone();
    }
    rec.error = outcome.error.clone();
    rec.updated_by = outcome.updated_by.clone();
    rec.revision = outcome.revision.clone();
    rec.waiting = Waiting::Nothing;
    let outputs: Vec<ArtifactDetail> = if outcome.ok {
        rec.planned
            .iter()
            .map(|(n, b, k)| ArtifactDetail {
                name: Some(n.clone()),
                s3location: Some(S3Location {
                    bucket: Some(b.clone()),
                    key: Some(k.clone()),
                }),
            })
            .collect()
    } else {
        Vec::new()
    };
    rec.output = ActionExecutionOutput {
        output_artifacts: Some(outputs),
        execution_result: Some(ActionExecutionResult {
            external_execution_id: rec.external_id.clone(),
            external_execution_summary: rec.summary.clone(),
            external_execution_url: rec.external_url.clone(),
            error_details: rec.error.clone().map(|(code, message)| ErrorDetails {
                code: Some(code),
                message: Some(message),
            }),
            log_stream_arn: None,
        }),
        output_variables: (!outcome.output_variables.is_empty())
            .then(|| outcome.output_variables.clone()),
    };
    let rec = rec.clone();
    if let Some(er) = p.executions.get_mut(&rec.exec_id) {
        if outcome.ok {
            for (n, b, k) in &rec.planned {
                er.artifacts.insert(n.clone(), (b.clone(), k.clone()));
            }
            if let Some(ns) = &rec.input.namespace {
                er.namespaces
                    .insert(ns.clone(), outcome.output_variables.clone());
            }
            if let Some((revision, summary)) = &outcome.revision {
                er.source_revisions.push(SourceRevision {
                    action_name: Some(rec.action.clone()),
                    revision_id: Some(revision.clone()),
                    revision_summary: summary.clone(),
                    revision_url: None,
                });
                for (n, _, _) in &rec.planned {
                    er.artifact_revisions.push(ArtifactRevision {
                        name: Some(n.clone()),
                        revision_id: Some(revision.clone()),
                        revision_change_identifier: None,
                        revision_summary: summary.clone(),
                        created: Some(Timestamp(now)),
                        revision_url: None,
                    });
                }
            }
        } else if let Some((_, message)) = &outcome.error {
            er.status_summary = Some(message.clone());
        }
    }
    p.runs
        .action_done(&rec.exec_id, &rec.stage, &rec.action, outcome.ok)
        .unwrap_or_default()
}

/// StopPipelineExecution.
pub fn stop(
    call: &mut Call<'_>,
    pipeline: &str,
    exec: &str,
    abandon: bool,
    reason: Option<String>,
) -> Result<(), ServiceError> {
    let account = call.ctx.account_id.clone();
    let p = call
        .state
        .pipelines
        .get_mut(pipeline)
        .ok_or_else(|| pipeline_not_found(&account, pipeline))?;
    if let Some(r) = p.executions.get_mut(exec) {
        if reason.is_some() {
            r.stop_reason = reason;
        }
    }
    let outs = p
        .runs
        .stop(exec, abandon)
        .map_err(|e| refused(e, exec, "", pipeline))?;
    drive(call, pipeline, outs);
    Ok(())
}

/// The status of an execution, for the API.
pub fn exec_status(p: &Pipeline, exec: &str) -> &'static str {
    p.runs
        .get(exec)
        .map(|e| e.status)
        .unwrap_or(ExecStatus::Succeeded)
        .as_str()
}

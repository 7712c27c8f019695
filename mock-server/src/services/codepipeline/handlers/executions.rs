//! Executions: start, stop, retry, approvals, and what GetPipelineState, GetPipelineExecution,
//! ListPipelineExecutions and ListActionExecutions report of them.

use super::{find, find_mut};
use crate::error::ServiceError;
use crate::services::codepipeline::conditions;
use crate::services::codepipeline::execution::{Cond, StageStatus};
use crate::services::codepipeline::runtime::{self, refused};
use crate::services::codepipeline::state::{ActionRecord, ExecRecord, Pipeline, Waiting};
use crate::services::codepipeline::{actions, Call};
use codemock_wire::codepipeline::*;
use codemock_wire::types::Timestamp;

/// Who the API says acted (codemock signs nothing, so the account's root).
fn caller(call: &Call<'_>) -> String {
    format!("arn:aws:iam::{}:root", call.ctx.account_id)
}

pub fn start_pipeline_execution(
    call: &mut Call<'_>,
    input: StartPipelineExecutionInput,
) -> Result<StartPipelineExecutionOutput, ServiceError> {
    let name = input.name;
    let detail = caller(call);
    // The same client token answers the execution it started, without starting another.
    let token = input.client_request_token.clone();
    if let Some(t) = &token {
        if let Some(id) = find(call, &name)?.client_tokens.get(t) {
            return Ok(StartPipelineExecutionOutput {
                pipeline_execution_id: Some(id.clone()),
            });
        }
    }
    let id = runtime::start_execution(
        call,
        &name,
        "StartPipelineExecution",
        Some(detail),
        input.variables.unwrap_or_default(),
        input.source_revisions.unwrap_or_default(),
    )?;
    if let Some(t) = token {
        find_mut(call, &name)?.client_tokens.insert(t, id.clone());
    }
    Ok(StartPipelineExecutionOutput {
        pipeline_execution_id: Some(id),
    })
}

pub fn stop_pipeline_execution(
    call: &mut Call<'_>,
    input: StopPipelineExecutionInput,
) -> Result<StopPipelineExecutionOutput, ServiceError> {
    let name = input.pipeline_name;
    let exec = input.pipeline_execution_id;
    runtime::stop(
        call,
        &name,
        &exec,
        input.abandon.unwrap_or(false),
        input.reason,
    )?;
    Ok(StopPipelineExecutionOutput {
        pipeline_execution_id: Some(exec),
    })
}

pub fn retry_stage_execution(
    call: &mut Call<'_>,
    input: RetryStageExecutionInput,
) -> Result<RetryStageExecutionOutput, ServiceError> {
    let name = input.pipeline_name;
    let stage = input.stage_name;
    let exec = input.pipeline_execution_id;
    let all = input.retry_mode == StageRetryMode::AllActions;
    let p = find_mut(call, &name)?;
    let outs = p
        .runs
        .retry(&exec, &stage, all)
        .map_err(|e| refused(e, &exec, &stage, &name))?;
    if let Some(r) = p.executions.get_mut(&exec) {
        *r.retries.entry(stage.clone()).or_insert(0) += 1;
        r.last_retry
            .insert(stage.clone(), "ManualStageRetry".to_owned());
    }
    runtime::drive(call, &name, outs);
    Ok(RetryStageExecutionOutput {
        pipeline_execution_id: Some(exec),
    })
}

fn action_exists(p: &Pipeline, stage: &str, action: &str) -> (bool, bool) {
    let s = p
        .declaration
        .stages
        .iter()
        .find(|s| s.name.as_str() == stage);
    let a = s.is_some_and(|s| s.actions.iter().any(|a| a.name.as_str() == action));
    (s.is_some(), a)
}

/// StageNotFoundException or ActionNotFoundException unless `stage`/`action` is in `p`.
fn require_action(p: &Pipeline, name: &str, stage: &str, action: &str) -> Result<(), ServiceError> {
    match action_exists(p, stage, action) {
        (false, _) => Err(ServiceError::new(
            "StageNotFoundException",
            format!("Stage with name '{stage}' does not exist in pipeline with name '{name}'"),
        )),
        (true, false) => Err(ServiceError::new(
            "ActionNotFoundException",
            format!("Action with name '{action}' does not exist in stage '{stage}' of pipeline '{name}'"),
        )),
        _ => Ok(()),
    }
}

pub fn put_approval_result(
    call: &mut Call<'_>,
    input: PutApprovalResultInput,
) -> Result<PutApprovalResultOutput, ServiceError> {
    let name = input.pipeline_name;
    let stage = input.stage_name;
    let action = input.action_name;
    let token = input.token;
    let result = input.result;
    let now = call.core.clock.now();
    let by = caller(call);
    let p = find(call, &name)?;
    require_action(p, &name, &stage, &action)?;
    let pending = p
        .actions
        .iter()
        .rev()
        .find(|r| r.stage == stage && r.action == action && r.status == "InProgress");
    let id = match pending {
        Some(r) if matches!(&r.waiting, Waiting::Approval { token: t } if *t == token) => {
            r.id.clone()
        }
        // The model: "The approval request already received a response or has expired."
        Some(_) => {
            return Err(ServiceError::new(
                "InvalidApprovalTokenException",
                format!("The token '{token}' is not valid for the approval action '{action}': the approval request already received a response or has expired"),
            ))
        }
        None => {
            return Err(ServiceError::new(
                "ApprovalAlreadyCompletedException",
                format!("The approval action '{action}' has already been approved or rejected"),
            ))
        }
    };
    call.effects.cancel(actions::timer_key("approval", &id));
    let approved = result.status == ApprovalStatus::Approved;
    let summary = result.summary.clone();
    let outcome = if approved {
        actions::Outcome {
            ok: true,
            summary: Some(summary),
            updated_by: Some(by),
            ..actions::Outcome::default()
        }
    } else {
        actions::Outcome {
            summary: Some(summary),
            updated_by: Some(by),
            ..actions::Outcome::failed("JobFailed", "Rejected")
        }
    };
    runtime::complete(call, &name, &id, outcome);
    Ok(PutApprovalResultOutput {
        approved_at: Some(Timestamp(now)),
    })
}

fn action_execution(r: &ActionRecord) -> ActionExecution {
    ActionExecution {
        action_execution_id: Some(r.id.clone()),
        status: ActionExecutionStatus::from_name(&r.status),
        summary: r.summary.clone(),
        last_status_change: Some(Timestamp(r.updated)),
        token: match &r.waiting {
            Waiting::Approval { token } if r.status == "InProgress" => Some(token.clone()),
            _ => None,
        },
        last_updated_by: r.updated_by.clone(),
        external_execution_id: r.external_id.clone(),
        external_execution_url: r.external_url.clone(),
        percent_complete: None,
        error_details: r.error.clone().map(|(code, message)| ErrorDetails {
            code: Some(code),
            message: Some(message),
        }),
        log_stream_arn: None,
    }
}

fn stage_status(p: &Pipeline, exec: &str, stage: &str) -> Option<StageExecutionStatus> {
    let e = p.runs.get(exec)?;
    let s = e.stages.iter().find(|s| s.name == stage)?;
    let name = match s.status {
        StageStatus::Pending => return None,
        other => other.as_str(),
    };
    StageExecutionStatus::from_name(name)
}

pub fn get_pipeline_state(
    call: &mut Call<'_>,
    input: GetPipelineStateInput,
) -> Result<GetPipelineStateOutput, ServiceError> {
    let name = input.name;
    let p = find(call, &name)?;
    let v2 = p.declaration.pipeline_type == Some(PipelineType::V2);
    let mut stages = Vec::new();
    for s in p.declaration.stages.iter() {
        let sname = s.name.clone();
        let transition = p.transitions.get(&sname);
        let waiting: Vec<StageExecution> = p
            .runs
            .waiting(&sname)
            .into_iter()
            .map(|e| StageExecution {
                pipeline_execution_id: Some(e.id.clone()),
                status: Some(StageExecutionStatus::InProgress),
                r#type: Some(ExecutionType::Standard),
            })
            .collect();
        let latest = p.stage_latest.get(&sname).and_then(|exec| {
            Some(StageExecution {
                pipeline_execution_id: Some(exec.clone()),
                status: Some(stage_status(p, exec, &sname)?),
                r#type: p
                    .executions
                    .get(exec)
                    .and_then(|r| ExecutionType::from_name(&r.execution_type)),
            })
        });
        let action_states = s
            .actions
            .iter()
            .map(|a| {
                let aname = a.name.clone();
                let rec = p
                    .actions
                    .iter()
                    .rev()
                    .find(|r| r.stage == sname && r.action == aname);
                ActionState {
                    action_name: Some(aname.clone()),
                    current_revision: p
                        .actions
                        .iter()
                        .rev()
                        .filter(|r| r.stage == sname && r.action == aname)
                        .find_map(|r| {
                            let (id, _) = r.revision.clone()?;
                            Some(ActionRevision {
                                revision_id: id.clone(),
                                revision_change_id: id,
                                created: Timestamp(r.updated),
                            })
                        }),
                    latest_execution: rec.map(action_execution),
                    entity_url: None,
                    revision_url: None,
                }
            })
            .collect();
        stages.push(StageState {
            stage_name: Some(sname.clone()),
            inbound_execution: if v2 { None } else { waiting.first().cloned() },
            inbound_executions: (v2 && !waiting.is_empty()).then_some(waiting),
            inbound_transition_state: Some(TransitionState {
                enabled: Some(transition.is_none_or(|t| t.enabled)),
                last_changed_by: transition.map(|t| t.changed_by.clone()),
                last_changed_at: transition.map(|t| Timestamp(t.changed_at)),
                disabled_reason: transition.and_then(|t| {
                    if t.enabled {
                        None
                    } else {
                        t.reason.clone()
                    }
                }),
            }),
            action_states: Some(action_states),
            latest_execution: latest,
            before_entry_condition_state: condition_state(p, &sname, Cond::BeforeEntry),
            on_success_condition_state: condition_state(p, &sname, Cond::OnSuccess),
            on_failure_condition_state: condition_state(p, &sname, Cond::OnFailure),
            retry_stage_metadata: p
                .stage_latest
                .get(&sname)
                .and_then(|exec| p.executions.get(exec))
                .and_then(|r| {
                    let manual = r.retries.get(&sname).copied().unwrap_or(0);
                    let auto = r.auto_retries.get(&sname).copied().unwrap_or(0);
                    (manual + auto > 0).then(|| RetryStageMetadata {
                        auto_stage_retry_attempt: Some(auto),
                        manual_stage_retry_attempt: Some(manual),
                        latest_retry_trigger: r
                            .last_retry
                            .get(&sname)
                            .and_then(|t| RetryTrigger::from_name(t)),
                    })
                }),
        });
    }
    Ok(GetPipelineStateOutput {
        pipeline_name: Some(name),
        pipeline_version: p.declaration.version,
        stage_states: Some(stages),
        created: Some(Timestamp(p.created)),
        updated: Some(Timestamp(p.updated)),
    })
}

fn error_details(e: &Option<(String, String)>) -> Option<ErrorDetails> {
    e.clone().map(|(code, message)| ErrorDetails {
        code: Some(code),
        message: Some(message),
    })
}

/// The latest check of a stage's conditions of kind `cond`, as GetPipelineState reports it.
fn condition_state(p: &Pipeline, stage: &str, cond: Cond) -> Option<StageConditionState> {
    let check = p
        .checks
        .iter()
        .rev()
        .find(|c| c.stage == stage && c.cond == cond)?;
    let rule = |id: &String| p.rules.iter().rev().find(|r| &r.id == id);
    Some(StageConditionState {
        latest_execution: Some(StageConditionsExecution {
            status: ConditionExecutionStatus::from_name(&check.status),
            summary: check.summary.clone(),
        }),
        condition_states: Some(
            check
                .conditions
                .iter()
                .map(|c| ConditionState {
                    latest_execution: Some(ConditionExecution {
                        status: ConditionExecutionStatus::from_name(&c.status),
                        summary: c.summary.clone(),
                        last_status_change: Some(Timestamp(c.updated)),
                    }),
                    rule_states: Some(
                        c.rules
                            .iter()
                            .filter_map(rule)
                            .map(|r| RuleState {
                                rule_name: Some(r.rule.clone()),
                                current_revision: None,
                                latest_execution: Some(RuleExecution {
                                    rule_execution_id: Some(r.id.clone()),
                                    status: RuleExecutionStatus::from_name(&r.status),
                                    summary: r.summary.clone(),
                                    last_status_change: Some(Timestamp(r.updated)),
                                    token: None,
                                    last_updated_by: None,
                                    external_execution_id: r.external_id.clone(),
                                    external_execution_url: None,
                                    error_details: error_details(&r.error),
                                }),
                                entity_url: None,
                                revision_url: None,
                            })
                            .collect(),
                    ),
                })
                .collect(),
        ),
    })
}

fn exec_not_found(exec: &str, pipeline: &str) -> ServiceError {
    refused(
        crate::services::codepipeline::execution::Refused::UnknownExecution,
        exec,
        "",
        pipeline,
    )
}

fn rollback(r: &ExecRecord) -> Option<PipelineRollbackMetadata> {
    r.rollback_target.clone().map(|t| PipelineRollbackMetadata {
        rollback_target_pipeline_execution_id: Some(t),
    })
}

fn trigger(r: &ExecRecord) -> ExecutionTrigger {
    ExecutionTrigger {
        trigger_type: TriggerType::from_name(&r.trigger_type),
        trigger_detail: r.trigger_detail.clone(),
    }
}

fn status(p: &Pipeline, r: &ExecRecord) -> Option<PipelineExecutionStatus> {
    PipelineExecutionStatus::from_name(runtime::exec_status(p, &r.id))
}

pub fn get_pipeline_execution(
    call: &mut Call<'_>,
    input: GetPipelineExecutionInput,
) -> Result<GetPipelineExecutionOutput, ServiceError> {
    let name = input.pipeline_name;
    let exec = input.pipeline_execution_id;
    let p = find(call, &name)?;
    let r = p
        .executions
        .get(&exec)
        .ok_or_else(|| exec_not_found(&exec, &name))?;
    let v2 = p.declaration.pipeline_type == Some(PipelineType::V2);
    Ok(GetPipelineExecutionOutput {
        pipeline_execution: Some(PipelineExecution {
            pipeline_name: Some(name.clone()),
            pipeline_version: Some(r.version),
            pipeline_execution_id: Some(r.id.clone()),
            status: status(p, r),
            status_summary: r.status_summary.clone(),
            artifact_revisions: Some(r.artifact_revisions.clone()),
            variables: v2.then(|| {
                r.variables
                    .iter()
                    .map(|(n, v)| ResolvedPipelineVariable {
                        name: Some(n.clone()),
                        resolved_value: Some(v.clone()),
                    })
                    .collect()
            }),
            trigger: Some(trigger(r)),
            execution_mode: ExecutionMode::from_name(&r.mode),
            execution_type: ExecutionType::from_name(&r.execution_type),
            rollback_metadata: rollback(r),
        }),
    })
}

/// A page position token: the index of the next item.
fn page<T: Clone>(
    items: &[T],
    token: Option<&str>,
    max: Option<i32>,
    default: usize,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let start = match token {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| super::invalid_token())?,
    };
    let limit = max.map(|m| m.max(1) as usize).unwrap_or(default);
    let end = (start + limit).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    Ok((slice, (end < items.len()).then(|| end.to_string())))
}

pub fn list_pipeline_executions(
    call: &mut Call<'_>,
    input: ListPipelineExecutionsInput,
) -> Result<ListPipelineExecutionsOutput, ServiceError> {
    let name = input.pipeline_name;
    let p = find(call, &name)?;
    let succeeded_in = input
        .filter
        .and_then(|f| f.succeeded_in_stage)
        .and_then(|s| s.stage_name);
    // Newest first, as AWS lists them.
    let all: Vec<PipelineExecutionSummary> = p
        .order
        .iter()
        .rev()
        .filter_map(|id| p.executions.get(id))
        .filter(|r| {
            succeeded_in
                .as_ref()
                .is_none_or(|s| stage_status(p, &r.id, s) == Some(StageExecutionStatus::Succeeded))
        })
        .map(|r| PipelineExecutionSummary {
            pipeline_execution_id: Some(r.id.clone()),
            status: status(p, r),
            status_summary: r.status_summary.clone(),
            start_time: Some(Timestamp(r.start)),
            last_update_time: Some(Timestamp(r.updated)),
            source_revisions: Some(r.source_revisions.clone()),
            trigger: Some(trigger(r)),
            stop_trigger: r.stop_reason.clone().map(|reason| StopExecutionTrigger {
                reason: Some(reason),
            }),
            execution_mode: ExecutionMode::from_name(&r.mode),
            execution_type: ExecutionType::from_name(&r.execution_type),
            rollback_metadata: rollback(r),
        })
        .collect();
    let (items, next) = page(&all, input.next_token.as_deref(), input.max_results, 100)?;
    Ok(ListPipelineExecutionsOutput {
        pipeline_execution_summaries: Some(items),
        next_token: next,
    })
}

pub fn list_action_executions(
    call: &mut Call<'_>,
    input: ListActionExecutionsInput,
) -> Result<ListActionExecutionsOutput, ServiceError> {
    let name = input.pipeline_name;
    let p = find(call, &name)?;
    let f = input.filter.unwrap_or_default();
    // `latestInPipelineExecution` (V2): one execution, and with `Latest` only the newest action
    // execution of each action (a retried action's earlier attempts left out).
    let latest = f.latest_in_pipeline_execution.clone();
    let filter = f
        .pipeline_execution_id
        .or_else(|| latest.as_ref().map(|l| l.pipeline_execution_id.clone()));
    let only_latest = latest.is_some_and(|l| l.start_time_range == StartTimeRange::Latest);
    if let Some(exec) = &filter {
        if !p.executions.contains_key(exec) {
            return Err(exec_not_found(exec, &name));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let all: Vec<ActionExecutionDetail> = p
        .actions
        .iter()
        .rev()
        .filter(|r| filter.as_ref().is_none_or(|e| *e == r.exec_id))
        .filter(|r| {
            !only_latest || seen.insert((r.exec_id.clone(), r.stage.clone(), r.action.clone()))
        })
        .map(|r| ActionExecutionDetail {
            pipeline_execution_id: Some(r.exec_id.clone()),
            action_execution_id: Some(r.id.clone()),
            pipeline_version: Some(r.version),
            stage_name: Some(r.stage.clone()),
            action_name: Some(r.action.clone()),
            start_time: Some(Timestamp(r.start)),
            last_update_time: Some(Timestamp(r.updated)),
            updated_by: r.updated_by.clone(),
            status: ActionExecutionStatus::from_name(&r.status),
            input: Some(r.input.clone()),
            output: (r.status != "InProgress").then(|| r.output.clone()),
        })
        .collect();
    let (items, next) = page(&all, input.next_token.as_deref(), input.max_results, 100)?;
    Ok(ListActionExecutionsOutput {
        action_execution_details: Some(items),
        next_token: next,
    })
}

pub fn put_action_revision(
    call: &mut Call<'_>,
    input: PutActionRevisionInput,
) -> Result<PutActionRevisionOutput, ServiceError> {
    let name = input.pipeline_name;
    let stage = input.stage_name;
    let action = input.action_name;
    let revision = input.action_revision.revision_id;
    let p = find(call, &name)?;
    require_action(p, &name, &stage, &action)?;
    // The same revision as the action's current one starts nothing (`newRevision: false`).
    let current = p
        .actions
        .iter()
        .rev()
        .filter(|r| r.stage == stage && r.action == action)
        .find_map(|r| r.revision.clone().map(|(id, _)| id));
    if current.as_deref() == Some(revision.as_str()) {
        return Ok(PutActionRevisionOutput {
            new_revision: Some(false),
            pipeline_execution_id: None,
        });
    }
    let is_s3 = p
        .declaration
        .stages
        .iter()
        .flat_map(|s| s.actions.iter())
        .any(|a| a.name.as_str() == action.as_str() && a.action_type_id.provider == "S3");
    let id = runtime::start_execution(
        call,
        &name,
        "PutActionRevision",
        Some(caller(call)),
        Vec::new(),
        vec![SourceRevisionOverride {
            action_name: action,
            revision_type: if is_s3 {
                SourceRevisionType::S3ObjectVersionId
            } else {
                SourceRevisionType::CommitId
            },
            revision_value: revision,
        }],
    )?;
    Ok(PutActionRevisionOutput {
        new_revision: Some(true),
        pipeline_execution_id: Some(id),
    })
}

/// Rule executions, newest first; `pipelineExecutionId` (or `latestInPipelineExecution`) keeps
/// one execution's, and with `Latest` only the newest of each rule.
pub fn list_rule_executions(
    call: &mut Call<'_>,
    input: ListRuleExecutionsInput,
) -> Result<ListRuleExecutionsOutput, ServiceError> {
    let name = input.pipeline_name;
    let p = find(call, &name)?;
    let f = input.filter.unwrap_or_default();
    let latest = f.latest_in_pipeline_execution.clone();
    let filter = f
        .pipeline_execution_id
        .or_else(|| latest.as_ref().map(|l| l.pipeline_execution_id.clone()));
    let only_latest = latest.is_some_and(|l| l.start_time_range == StartTimeRange::Latest);
    if let Some(exec) = &filter {
        if !p.executions.contains_key(exec) {
            return Err(exec_not_found(exec, &name));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let all: Vec<RuleExecutionDetail> = p
        .rules
        .iter()
        .rev()
        .filter(|r| filter.as_ref().is_none_or(|e| *e == r.exec_id))
        .filter(|r| {
            !only_latest || seen.insert((r.exec_id.clone(), r.stage.clone(), r.rule.clone()))
        })
        .map(|r| RuleExecutionDetail {
            pipeline_execution_id: Some(r.exec_id.clone()),
            rule_execution_id: Some(r.id.clone()),
            pipeline_version: Some(r.version),
            stage_name: Some(r.stage.clone()),
            rule_name: Some(r.rule.clone()),
            start_time: Some(Timestamp(r.start)),
            last_update_time: Some(Timestamp(r.updated)),
            updated_by: None,
            status: RuleExecutionStatus::from_name(&r.status),
            input: Some(r.input.clone()),
            output: (r.status != "InProgress").then(|| RuleExecutionOutput {
                execution_result: Some(RuleExecutionResult {
                    external_execution_id: r.external_id.clone(),
                    external_execution_summary: r.summary.clone(),
                    external_execution_url: None,
                    error_details: error_details(&r.error),
                }),
            }),
        })
        .collect();
    let (items, next) = page(&all, input.next_token.as_deref(), input.max_results, 100)?;
    Ok(ListRuleExecutionsOutput {
        rule_execution_details: Some(items),
        next_token: next,
    })
}

/// OverrideStageCondition: a beforeEntry (or onSuccess) check in progress ends Overridden and
/// the execution enters (or leaves) the stage. A check that already ended cannot be overridden
/// (unconfirmed whether AWS lets a failed one be).
pub fn override_stage_condition(
    call: &mut Call<'_>,
    input: OverrideStageConditionInput,
) -> Result<codemock_wire::types::Empty, ServiceError> {
    let name = input.pipeline_name;
    let stage = input.stage_name;
    let exec = input.pipeline_execution_id;
    let cond = match input.condition_type {
        ConditionType::OnSuccess => Cond::OnSuccess,
        _ => Cond::BeforeEntry,
    };
    let p = find(call, &name)?;
    let (has_stage, _) = action_exists(p, &stage, "");
    if !has_stage {
        return Err(ServiceError::new(
            "StageNotFoundException",
            format!("Stage with name '{stage}' does not exist in pipeline with name '{name}'"),
        ));
    }
    if !p.executions.contains_key(&exec) {
        return Err(exec_not_found(&exec, &name));
    }
    conditions::override_check(call, &name, &exec, &stage, cond)?;
    Ok(codemock_wire::types::Empty::default())
}

pub fn rollback_stage(
    call: &mut Call<'_>,
    input: RollbackStageInput,
) -> Result<RollbackStageOutput, ServiceError> {
    let name = input.pipeline_name;
    let stage = input.stage_name;
    let target = input.target_pipeline_execution_id;
    let by = caller(call);
    let id = runtime::start_rollback(call, &name, &stage, &target, "ManualRollback", by)?;
    Ok(RollbackStageOutput {
        pipeline_execution_id: Some(id),
    })
}

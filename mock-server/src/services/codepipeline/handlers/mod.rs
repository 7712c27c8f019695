//! CodePipeline's operation handlers and the table that names them.

mod catalog;
mod executions;
mod jobs;
mod pipelines;
mod targets;

use crate::error::ServiceError;
use crate::services::codepipeline::runtime::pipeline_not_found;
use crate::services::codepipeline::state::Pipeline;
use crate::services::codepipeline::Call;
use crate::services::Api;

/// PutApprovalResult for whatever approval waits in the action, with its current token (a
/// wrong or missing one gives PutApprovalResult's errors): the test helpers' way to answer.
pub fn answer_approval(
    call: &mut Call<'_>,
    pipeline: String,
    stage: String,
    action: String,
    approved: bool,
    summary: String,
) -> Result<serde_json::Value, ServiceError> {
    use codemock_wire::codepipeline::{ApprovalResult, ApprovalStatus, PutApprovalResultInput};
    let token = call
        .state
        .pipelines
        .get(&pipeline)
        .and_then(|p| {
            p.actions
                .iter()
                .rev()
                .find(|r| r.stage == stage && r.action == action && r.status == "InProgress")
        })
        .and_then(|r| match &r.waiting {
            super::state::Waiting::Approval { token } => Some(token.clone()),
            _ => None,
        });
    let status = if approved {
        ApprovalStatus::Approved
    } else {
        ApprovalStatus::Rejected
    };
    let out = executions::put_approval_result(
        call,
        PutApprovalResultInput {
            pipeline_name: pipeline,
            stage_name: stage,
            action_name: action,
            result: ApprovalResult { summary, status },
            token: token.unwrap_or_default(),
        },
    )?;
    Ok(serde_json::json!({"approvedAt": out.approved_at.map(|t| t.0)}))
}

/// The jobs waiting for a job worker or a Lambda function's result, oldest first, as
/// `[{"jobId", "pipelineName", "stageName", "actionName", "status", "provider"}]`.
pub fn pending_jobs(call: &mut Call<'_>) -> serde_json::Value {
    let list: Vec<serde_json::Value> = call
        .state
        .jobs
        .values()
        .filter(|j| matches!(j.status.as_str(), "Queued" | "Dispatched" | "InProgress"))
        .map(|j| {
            let rec = call
                .state
                .pipelines
                .get(&j.pipeline)
                .and_then(|p| p.actions.iter().find(|r| r.id == j.action_execution_id));
            serde_json::json!({
                "jobId": j.id,
                "pipelineName": j.pipeline,
                "stageName": rec.map(|r| r.stage.clone()),
                "actionName": rec.map(|r| r.action.clone()),
                "status": j.status,
                "provider": j.type_id.provider,
            })
        })
        .collect();
    serde_json::Value::Array(list)
}

/// PutJobSuccessResult (with output variables) or PutJobFailureResult (type JobFailed) for
/// a job, with their errors: the test helpers' way to play a job worker or a function.
pub fn answer_job(
    call: &mut Call<'_>,
    job_id: String,
    result: Result<std::collections::BTreeMap<String, String>, String>,
) -> Result<serde_json::Value, ServiceError> {
    use codemock_wire::codepipeline::{
        FailureDetails, FailureType, PutJobFailureResultInput, PutJobSuccessResultInput,
    };
    match result {
        Ok(vars) => jobs::put_job_success_result(
            call,
            PutJobSuccessResultInput {
                job_id,
                output_variables: (!vars.is_empty()).then_some(vars),
                ..PutJobSuccessResultInput::default()
            },
        )?,
        Err(message) => jobs::put_job_failure_result(
            call,
            PutJobFailureResultInput {
                job_id,
                failure_details: FailureDetails {
                    r#type: FailureType::JobFailed,
                    message,
                    external_execution_id: None,
                },
            },
        )?,
    };
    Ok(serde_json::Value::Null)
}

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::codepipeline::Handlers<Api<super::state::State>> =
    codemock_wire::codepipeline::Handlers {
        create_pipeline: Some(pipelines::create_pipeline),
        get_pipeline: Some(pipelines::get_pipeline),
        update_pipeline: Some(pipelines::update_pipeline),
        delete_pipeline: Some(pipelines::delete_pipeline),
        list_pipelines: Some(pipelines::list_pipelines),
        tag_resource: Some(pipelines::tag_resource),
        untag_resource: Some(pipelines::untag_resource),
        list_tags_for_resource: Some(pipelines::list_tags_for_resource),
        enable_stage_transition: Some(pipelines::enable_stage_transition),
        disable_stage_transition: Some(pipelines::disable_stage_transition),
        start_pipeline_execution: Some(executions::start_pipeline_execution),
        stop_pipeline_execution: Some(executions::stop_pipeline_execution),
        retry_stage_execution: Some(executions::retry_stage_execution),
        rollback_stage: Some(executions::rollback_stage),
        put_approval_result: Some(executions::put_approval_result),
        put_action_revision: Some(executions::put_action_revision),
        list_rule_executions: Some(executions::list_rule_executions),
        override_stage_condition: Some(executions::override_stage_condition),
        get_pipeline_state: Some(executions::get_pipeline_state),
        get_pipeline_execution: Some(executions::get_pipeline_execution),
        list_pipeline_executions: Some(executions::list_pipeline_executions),
        list_action_executions: Some(executions::list_action_executions),
        poll_for_jobs: Some(jobs::poll_for_jobs),
        acknowledge_job: Some(jobs::acknowledge_job),
        get_job_details: Some(jobs::get_job_details),
        put_job_success_result: Some(jobs::put_job_success_result),
        put_job_failure_result: Some(jobs::put_job_failure_result),
        poll_for_third_party_jobs: Some(jobs::poll_for_third_party_jobs),
        acknowledge_third_party_job: Some(jobs::acknowledge_third_party_job),
        get_third_party_job_details: Some(jobs::get_third_party_job_details),
        put_third_party_job_success_result: Some(jobs::put_third_party_job_success_result),
        put_third_party_job_failure_result: Some(jobs::put_third_party_job_failure_result),
        list_action_types: Some(catalog::list_action_types),
        list_rule_types: Some(catalog::list_rule_types),
        get_action_type: Some(catalog::get_action_type),
        create_custom_action_type: Some(catalog::create_custom_action_type),
        delete_custom_action_type: Some(catalog::delete_custom_action_type),
        update_action_type: Some(catalog::update_action_type),
        put_webhook: Some(catalog::put_webhook),
        delete_webhook: Some(catalog::delete_webhook),
        list_webhooks: Some(catalog::list_webhooks),
        register_webhook_with_third_party: Some(catalog::register_webhook_with_third_party),
        deregister_webhook_with_third_party: Some(catalog::deregister_webhook_with_third_party),
        ..codemock_wire::codepipeline::Handlers::NONE
    };

/// The operations that read another service's state (see `targets`).
pub fn async_handler(operation: &str) -> Option<crate::services::AsyncHandler> {
    match operation {
        "ListDeployActionExecutionTargets" => Some(|core, ctx, input| {
            Box::pin(targets::list_deploy_action_execution_targets(
                core, ctx, input,
            ))
        }),
        _ => None,
    }
}

fn invalid_token() -> ServiceError {
    ServiceError::new("InvalidNextTokenException", "The next token is not valid.")
}

fn find<'c>(call: &'c Call<'_>, name: &str) -> Result<&'c Pipeline, ServiceError> {
    call.state
        .pipelines
        .get(name)
        .ok_or_else(|| pipeline_not_found(&call.ctx.account_id, name))
}

fn find_mut<'c>(call: &'c mut Call<'_>, name: &str) -> Result<&'c mut Pipeline, ServiceError> {
    let account = call.ctx.account_id.clone();
    call.state
        .pipelines
        .get_mut(name)
        .ok_or_else(|| pipeline_not_found(&account, name))
}

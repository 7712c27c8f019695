//! ListDeployActionExecutionTargets: the targets of a CodeDeploy deploy action's deployment (its
//! instances with their lifecycle events), read from CodeDeploy through its port. It reads two
//! services' state, so it runs as an async handler that locks the partition twice (never across
//! an `.await`): CodePipeline's for the action execution, CodeDeploy's for the deployment.

use crate::core::{Core, RequestContext};
use crate::error::ServiceError;
use crate::services::codedeploy::ports::deployment_targets;
use crate::services::codepipeline::runtime::pipeline_not_found;
use codemock_wire::codepipeline::{
    DeployActionExecutionTarget, DeployTargetEvent, DeployTargetEventContext,
    ListDeployActionExecutionTargetsInput, ListDeployActionExecutionTargetsOutput,
    TargetFilterName,
};
use codemock_wire::types::Timestamp;
use serde_json::Value;
use std::sync::Arc;

pub async fn list_deploy_action_execution_targets(
    core: Arc<Core>,
    ctx: RequestContext,
    input: Value,
) -> Result<Value, ServiceError> {
    let input: ListDeployActionExecutionTargetsInput = serde_json::from_value(input)
        .map_err(|e| ServiceError::new("SerializationException", e.to_string()))?;
    let pipeline = input.pipeline_name.clone().unwrap_or_default();
    let action_execution_id = input.action_execution_id.clone();
    // The deployment of the action execution (`None`: the action deploys with something else).
    let deployment = core.with_state(
        &ctx,
        |w| &mut w.codepipeline,
        |call| {
            let p = call
                .state
                .pipelines
                .get(&pipeline)
                .ok_or_else(|| pipeline_not_found(&call.ctx.account_id, &pipeline))?;
            let rec = p
                .actions
                .iter()
                .rev()
                .find(|r| r.id == action_execution_id)
                .ok_or_else(|| {
                    ServiceError::new(
                        "ActionExecutionNotFoundException",
                        format!("Action execution with id '{action_execution_id}' does not exist in pipeline with name '{pipeline}'"),
                    )
                })?;
            let is_codedeploy = rec
                .input
                .action_type_id
                .as_ref()
                .map(|t| t.provider.as_str())
                == Some("CodeDeploy");
            Ok(is_codedeploy.then(|| rec.external_id.clone()).flatten())
        },
    )?;
    let views = match deployment {
        Some(id) => core
            .with_state(
                &ctx,
                |w| &mut w.codedeploy,
                |call| Ok(deployment_targets(call.state, &id)),
            )?
            .unwrap_or_default(),
        // Unconfirmed: what AWS answers for an action that is not a CodeDeploy deployment (or
        // whose deployment has not started); an empty list here.
        None => Vec::new(),
    };
    let statuses: Option<Vec<String>> = input.filters.as_ref().map(|fs| {
        fs.iter()
            .filter(|f| f.name == Some(TargetFilterName::TargetStatus))
            .flat_map(|f| f.values.clone().unwrap_or_default())
            .collect()
    });
    let targets: Vec<DeployActionExecutionTarget> = views
        .into_iter()
        .filter(|t| {
            statuses
                .as_ref()
                .is_none_or(|s| s.is_empty() || s.iter().any(|v| v == t.status))
        })
        .map(|t| DeployActionExecutionTarget {
            target_id: Some(t.id),
            target_type: Some(t.target_type.to_owned()),
            status: Some(t.status.to_owned()),
            start_time: t.start.map(Timestamp),
            end_time: t.end.map(Timestamp),
            events: Some(
                t.events
                    .into_iter()
                    .map(|e| DeployTargetEvent {
                        name: Some(e.name),
                        status: Some(e.status.to_owned()),
                        start_time: e.start.map(Timestamp),
                        end_time: e.end.map(Timestamp),
                        context: e.message.map(|m| DeployTargetEventContext {
                            ssm_command_id: None,
                            message: Some(m),
                        }),
                    })
                    .collect(),
            ),
        })
        .collect();
    let start = match input.next_token.as_deref() {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| super::invalid_token())?,
    };
    let limit = input.max_results.map_or(100, |m| m.max(1) as usize);
    let end = (start + limit).min(targets.len());
    let page = targets.get(start..end).unwrap_or_default().to_vec();
    let output = ListDeployActionExecutionTargetsOutput {
        targets: Some(page),
        next_token: (end < targets.len()).then(|| end.to_string()),
    };
    serde_json::to_value(output).map_err(|e| ServiceError::internal(e.to_string()))
}

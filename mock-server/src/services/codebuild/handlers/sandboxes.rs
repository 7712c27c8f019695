//! Sandboxes and their command executions: start, stop, read, list, connect, run commands.

use super::builds::page_ids;
use crate::error::ServiceError;
use crate::services::codebuild::run::project_arn;
use crate::services::codebuild::sandbox::Status;
use crate::services::codebuild::sandbox_run::{self, sandbox_id_of, sandbox_not_found};
use crate::services::codebuild::state::project_name_of;
use crate::services::codebuild::Call;
use codemock_wire::codebuild::*;

/// CodeBuild's list operations answer 100 at a time unless asked for fewer.
fn page_size(max_results: Option<i32>) -> usize {
    max_results
        .and_then(|m| usize::try_from(m).ok())
        .filter(|m| *m > 0)
        .unwrap_or(100)
}

pub fn start_sandbox(
    call: &mut Call<'_>,
    input: StartSandboxInput,
) -> Result<StartSandboxOutput, ServiceError> {
    // As StartBuild's token: a repeated request within five minutes answers the same sandbox.
    let now = call.ctx.received_at;
    let token = input.idempotency_token.clone().filter(|t| !t.is_empty());
    if let Some(t) = &token {
        let earlier = call
            .state
            .sandbox_tokens
            .get(t)
            .filter(|(_, at)| now - at < 300.0)
            .and_then(|(id, _)| call.state.sandboxes.get(id));
        if let Some(s) = earlier {
            return Ok(StartSandboxOutput {
                sandbox: Some(s.view.clone()),
            });
        }
    }
    let sandbox = sandbox_run::start(call, input.project_name.as_deref().unwrap_or_default())?;
    if let (Some(t), Some(id)) = (token, sandbox.id.clone()) {
        call.state.sandbox_tokens.insert(t, (id, now));
    }
    Ok(StartSandboxOutput {
        sandbox: Some(sandbox),
    })
}

pub fn stop_sandbox(
    call: &mut Call<'_>,
    input: StopSandboxInput,
) -> Result<StopSandboxOutput, ServiceError> {
    let sandbox = sandbox_run::stop(call, input.id.as_str())?;
    Ok(StopSandboxOutput {
        sandbox: Some(sandbox),
    })
}

pub fn batch_get_sandboxes(
    call: &mut Call<'_>,
    input: BatchGetSandboxesInput,
) -> Result<BatchGetSandboxesOutput, ServiceError> {
    let mut sandboxes = Vec::new();
    let mut missing = Vec::new();
    for id in input.ids {
        match call.state.sandboxes.get(sandbox_id_of(&id)) {
            Some(s) => sandboxes.push(s.view.clone()),
            None => missing.push(id),
        }
    }
    Ok(BatchGetSandboxesOutput {
        sandboxes: Some(sandboxes),
        sandboxes_not_found: Some(missing),
    })
}

pub fn list_sandboxes(
    call: &mut Call<'_>,
    input: ListSandboxesInput,
) -> Result<ListSandboxesOutput, ServiceError> {
    let (ids, next_token) = page_ids(
        call.state.sandbox_order.iter().enumerate(),
        input.sort_order,
        page_size(input.max_results),
        input.next_token.as_deref(),
    )?;
    Ok(ListSandboxesOutput {
        ids: Some(ids),
        next_token,
    })
}

pub fn list_sandboxes_for_project(
    call: &mut Call<'_>,
    input: ListSandboxesForProjectInput,
) -> Result<ListSandboxesForProjectOutput, ServiceError> {
    let name = project_name_of(input.project_name.as_str()).to_owned();
    if !call.state.projects.contains_key(&name) {
        // ListBuildsForProject's wording.
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!(
                "The provided project {} does not exist",
                project_arn(call, &name)
            ),
        ));
    }
    let (ids, next_token) = page_ids(
        call.state
            .sandbox_order
            .iter()
            .enumerate()
            .filter(|(_, id)| {
                call.state
                    .sandboxes
                    .get(*id)
                    .is_some_and(|s| s.project == name)
            }),
        input.sort_order,
        page_size(input.max_results),
        input.next_token.as_deref(),
    )?;
    Ok(ListSandboxesForProjectOutput {
        ids: Some(ids),
        next_token,
    })
}

pub fn start_sandbox_connection(
    call: &mut Call<'_>,
    input: StartSandboxConnectionInput,
) -> Result<StartSandboxConnectionOutput, ServiceError> {
    let raw = input.sandbox_id;
    let id = sandbox_id_of(&raw).to_owned();
    let Some(s) = call.state.sandboxes.get(&id) else {
        return Err(sandbox_not_found(&raw));
    };
    let arn = s.view.arn.clone().unwrap_or_default();
    let session = s
        .view
        .current_session
        .as_ref()
        .and_then(|c| c.id.clone())
        .unwrap_or_default();
    if s.machine.status() != Status::Ready {
        // The wording the user guide's troubleshooting page shows when the sandbox's SSM agent
        // is not connected (here: the sandbox is not ready, or no longer running).
        return Err(ServiceError::new(
            "InvalidInputException",
            format!(
                "Failed to start SSM session for sandbox {arn}: codebuild:{session} is not connected."
            ),
        ));
    }
    // No SSM session exists: codemock has no Session Manager. The values only have the shapes
    // of SSM StartSession's answer (a session id `<user>-<hex>`, the ssmmessages data-channel
    // URL, an opaque token), derived from the seeded ids so that they are deterministic.
    let hex: String = call
        .core
        .ids
        .uuid()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(17)
        .collect();
    let session_id = format!("codebuild-{hex}");
    let region = &call.ctx.region;
    let token = call.core.ids.uuid();
    Ok(StartSandboxConnectionOutput {
        ssm_session: Some(SSMSession {
            stream_url: Some(format!(
                "wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe"
            )),
            session_id: Some(session_id),
            token_value: Some(format!("codemock-no-ssm-session-{token}")),
        }),
    })
}

pub fn start_command_execution(
    call: &mut Call<'_>,
    input: StartCommandExecutionInput,
) -> Result<StartCommandExecutionOutput, ServiceError> {
    let execution =
        sandbox_run::start_command(call, input.sandbox_id.as_str(), input.command, input.r#type)?;
    Ok(StartCommandExecutionOutput {
        command_execution: Some(execution),
    })
}

pub fn batch_get_command_executions(
    call: &mut Call<'_>,
    input: BatchGetCommandExecutionsInput,
) -> Result<BatchGetCommandExecutionsOutput, ServiceError> {
    let sandbox = call
        .state
        .sandboxes
        .get(sandbox_id_of(input.sandbox_id.as_str()));
    let mut found = Vec::new();
    let mut missing = Vec::new();
    // The operation models no ResourceNotFoundException: ids of an unknown sandbox are not found.
    for id in input.command_execution_ids {
        match sandbox.and_then(|s| s.commands.iter().find(|c| c.view.id.as_ref() == Some(&id))) {
            Some(c) => found.push(c.view.clone()),
            None => missing.push(id),
        }
    }
    Ok(BatchGetCommandExecutionsOutput {
        command_executions: Some(found),
        command_executions_not_found: Some(missing),
    })
}

pub fn list_command_executions_for_sandbox(
    call: &mut Call<'_>,
    input: ListCommandExecutionsForSandboxInput,
) -> Result<ListCommandExecutionsForSandboxOutput, ServiceError> {
    let raw = input.sandbox_id;
    let Some(s) = call.state.sandboxes.get(sandbox_id_of(&raw)) else {
        return Err(sandbox_not_found(&raw));
    };
    let ids: Vec<String> = s
        .commands
        .iter()
        .map(|c| c.view.id.clone().unwrap_or_default())
        .collect();
    let (page, next_token) = page_ids(
        ids.iter().enumerate(),
        input.sort_order,
        page_size(input.max_results),
        input.next_token.as_deref(),
    )?;
    let command_executions = page
        .iter()
        .filter_map(|id| s.commands.iter().find(|c| c.view.id.as_ref() == Some(id)))
        .map(|c| c.view.clone())
        .collect();
    Ok(ListCommandExecutionsForSandboxOutput {
        command_executions: Some(command_executions),
        next_token,
    })
}

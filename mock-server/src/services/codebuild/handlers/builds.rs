//! Builds: start, stop, retry, read, list and delete.

use crate::error::ServiceError;
use crate::services::codebuild::run::{self, build_not_found, project_arn, StartRequest};
use crate::services::codebuild::state::{build_id_of, project_name_of};
use crate::services::codebuild::Call;
use crate::services::pagination::{paginate_ordered, Order};
use codemock_wire::codebuild::*;

/// The caller as `initiator` names it: the IAM user of the access key is unknown to codemock,
/// so it reports the account's root user, as AWS does for root credentials.
fn initiator(_call: &Call<'_>) -> String {
    "root".to_owned()
}

pub fn start_build(
    call: &mut Call<'_>,
    input: StartBuildInput,
) -> Result<StartBuildOutput, ServiceError> {
    // "The token is included in the StartBuild request and is valid for 5 minutes": a repeated
    // request with it answers the build it started.
    let now = call.ctx.received_at;
    let token = input.idempotency_token.clone().filter(|t| !t.is_empty());
    if let Some(t) = &token {
        let earlier = call
            .state
            .build_tokens
            .get(t)
            .filter(|(_, at)| now - at < 300.0)
            .and_then(|(id, _)| call.state.builds.get(id));
        if let Some(b) = earlier {
            return Ok(StartBuildOutput {
                build: Some(b.view.clone()),
            });
        }
    }
    let initiator = initiator(call);
    let build = run::start(
        call,
        StartRequest {
            input,
            initiator,
            pipeline: None,
            on_finish: None,
        },
    )?;
    if let (Some(t), Some(id)) = (token, build.id.clone()) {
        call.state.build_tokens.insert(t, (id, now));
    }
    Ok(StartBuildOutput { build: Some(build) })
}

pub fn stop_build(
    call: &mut Call<'_>,
    input: StopBuildInput,
) -> Result<StopBuildOutput, ServiceError> {
    let build = run::stop(call, input.id.as_str())?;
    Ok(StopBuildOutput { build: Some(build) })
}

pub fn retry_build(
    call: &mut Call<'_>,
    input: RetryBuildInput,
) -> Result<RetryBuildOutput, ServiceError> {
    let id = build_id_of(input.id.as_deref().unwrap_or_default()).to_owned();
    let Some(old) = call.state.builds.get(&id) else {
        return Err(build_not_found(&id));
    };
    if !old.machine.is_complete() {
        return Err(ServiceError::new(
            "InvalidInputException",
            format!("Build {id} is still in progress"),
        ));
    }
    // A retry runs the same build again with the overrides the original had.
    let v = &old.view;
    // A view without an environment overrides none (its members are required when present).
    let env = v.environment.clone();
    let start = StartBuildInput {
        project_name: old.project.clone(),
        source_version: v.source_version.clone(),
        artifacts_override: None,
        environment_variables_override: env.as_ref().and_then(|e| e.environment_variables.clone()),
        buildspec_override: old.buildspec.clone(),
        image_override: env.as_ref().map(|e| e.image.clone()),
        compute_type_override: env.as_ref().map(|e| e.compute_type),
        environment_type_override: env.as_ref().map(|e| e.r#type),
        timeout_in_minutes_override: v.timeout_in_minutes,
        queued_timeout_in_minutes_override: v.queued_timeout_in_minutes,
        ..StartBuildInput::default()
    };
    let pipeline = old.pipeline.clone();
    let initiator = initiator(call);
    let build = run::start(
        call,
        StartRequest {
            input: start,
            initiator,
            pipeline,
            on_finish: None,
        },
    )?;
    Ok(RetryBuildOutput { build: Some(build) })
}

pub fn batch_get_builds(
    call: &mut Call<'_>,
    input: BatchGetBuildsInput,
) -> Result<BatchGetBuildsOutput, ServiceError> {
    let mut builds = Vec::new();
    let mut missing = Vec::new();
    for id in input.ids {
        match call.state.builds.get(build_id_of(&id)) {
            Some(b) => builds.push(b.view.clone()),
            None => missing.push(id),
        }
    }
    Ok(BatchGetBuildsOutput {
        builds: Some(builds),
        builds_not_found: Some(missing),
    })
}

/// Pages over ids in start order (builds, batches), `limit` at a time; CodeBuild lists the
/// newest first unless asked otherwise.
pub(super) fn page_ids<'a>(
    ids: impl Iterator<Item = (usize, &'a String)>,
    sort: Option<SortOrderType>,
    limit: usize,
    token: Option<&str>,
) -> Result<(Vec<String>, Option<String>), ServiceError> {
    let mut keyed: Vec<(String, &String)> = ids.map(|(i, id)| (format!("{i:012}"), id)).collect();
    let order = if sort == Some(SortOrderType::Ascending) {
        Order::Ascending
    } else {
        keyed.reverse();
        Order::Descending
    };
    let page = paginate_ordered(
        keyed.iter().map(|(k, v)| (k.as_str(), *v)),
        token,
        limit,
        order,
    )
    .map_err(|_| ServiceError::new("InvalidInputException", "Invalid next token"))?;
    Ok((page.items, page.next_token))
}

pub fn list_builds(
    call: &mut Call<'_>,
    input: ListBuildsInput,
) -> Result<ListBuildsOutput, ServiceError> {
    let (ids, next_token) = page_ids(
        call.state.build_order.iter().enumerate(),
        input.sort_order,
        100,
        input.next_token.as_deref(),
    )?;
    Ok(ListBuildsOutput {
        ids: Some(ids),
        next_token,
    })
}

pub fn list_builds_for_project(
    call: &mut Call<'_>,
    input: ListBuildsForProjectInput,
) -> Result<ListBuildsForProjectOutput, ServiceError> {
    let name = project_name_of(input.project_name.as_str()).to_owned();
    if !call.state.projects.contains_key(&name) {
        // As moto words it.
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!(
                "The provided project {} does not exist",
                project_arn(call, &name)
            ),
        ));
    }
    let prefix = format!("{name}:");
    let (ids, next_token) = page_ids(
        call.state
            .build_order
            .iter()
            .enumerate()
            .filter(|(_, id)| id.starts_with(&prefix)),
        input.sort_order,
        100,
        input.next_token.as_deref(),
    )?;
    Ok(ListBuildsForProjectOutput {
        ids: Some(ids),
        next_token,
    })
}

pub fn batch_delete_builds(
    call: &mut Call<'_>,
    input: BatchDeleteBuildsInput,
) -> Result<BatchDeleteBuildsOutput, ServiceError> {
    let mut deleted = Vec::new();
    let mut not_deleted = Vec::new();
    for raw in input.ids {
        let id = build_id_of(&raw).to_owned();
        match call.state.builds.get(&id) {
            None => not_deleted.push(BuildNotDeleted {
                id: Some(raw),
                status_code: Some("BUILD_NOT_FOUND".into()),
            }),
            Some(b) if !b.machine.is_complete() => not_deleted.push(BuildNotDeleted {
                id: Some(raw),
                status_code: Some("BUILD_IN_PROGRESS".into()),
            }),
            Some(_) => {
                call.state.builds.remove(&id);
                call.state.build_order.retain(|x| *x != id);
                deleted.push(raw);
            }
        }
    }
    Ok(BatchDeleteBuildsOutput {
        builds_deleted: Some(deleted),
        builds_not_deleted: Some(not_deleted),
    })
}

//! Pipelines: Create/Get/Update/Delete/List, tags, and stage transitions.

use super::{find, find_mut};
use crate::error::ServiceError;
use crate::services::codepipeline::execution::Runs;
use crate::services::codepipeline::runtime::{self, mode_of};
use crate::services::codepipeline::state::{Pipeline, TransitionRecord};
use crate::services::codepipeline::{validate, Call};
use crate::services::pagination::paginate;
use codemock_wire::codepipeline::*;
use codemock_wire::types::{Empty, Timestamp};
use std::collections::BTreeMap;

fn summary(p: &Pipeline) -> PipelineSummary {
    PipelineSummary {
        name: Some(p.declaration.name.clone()),
        version: p.declaration.version,
        pipeline_type: p.declaration.pipeline_type,
        execution_mode: p.declaration.execution_mode,
        created: Some(Timestamp(p.created)),
        updated: Some(Timestamp(p.updated)),
    }
}

fn tags_out(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

/// AWS refuses tag keys in the `aws:` namespace (text recorded by moto's tests).
fn check_tags(tags: &[Tag], total: usize) -> Result<(), ServiceError> {
    if tags.iter().any(|t| t.key.starts_with("aws:")) {
        return Err(ServiceError::new(
            "InvalidTagsException",
            "Not allowed to modify system tags. System tags start with 'aws:'. msg=[Caller is an end user and not allowed to mutate system tags]",
        ));
    }
    if total > 50 {
        return Err(ServiceError::new(
            "TooManyTagsException",
            "Tag limit exceeded: a resource can have at most 50 tags",
        ));
    }
    Ok(())
}

pub fn create_pipeline(
    call: &mut Call<'_>,
    input: CreatePipelineInput,
) -> Result<CreatePipelineOutput, ServiceError> {
    let mut d = input.pipeline;
    let name = d.name.clone();
    let account = call.ctx.account_id.clone();
    if call.state.pipelines.contains_key(&name) {
        return Err(ServiceError::new(
            "PipelineNameInUseException",
            format!("A pipeline with the name '{name}' already exists in account '{account}'"),
        ));
    }
    validate::check(&mut d)?;
    let tags = input.tags.unwrap_or_default();
    check_tags(&tags, tags.len())?;
    d.version = Some(1);
    let now = call.core.clock.now();
    let arn = format!("arn:aws:codepipeline:{}:{account}:{name}", call.ctx.region);
    let tag_map: BTreeMap<String, String> = tags
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    call.state.pipelines.insert(
        name.clone(),
        Pipeline {
            declaration: d.clone(),
            versions: BTreeMap::from([(1, d.clone())]),
            arn,
            created: now,
            updated: now,
            tags: tag_map.clone(),
            runs: Runs::new(mode_of(&d)),
            executions: BTreeMap::new(),
            order: Vec::new(),
            actions: Vec::new(),
            transitions: BTreeMap::new(),
            client_tokens: BTreeMap::new(),
            stage_latest: BTreeMap::new(),
            checks: Vec::new(),
            rules: Vec::new(),
        },
    );
    // AWS starts an execution as soon as a pipeline is created (trigger type CreatePipeline).
    // Its trigger detail names the caller, as for StartPipelineExecution.
    let caller = format!("arn:aws:iam::{account}:root");
    runtime::start_execution(
        call,
        &name,
        "CreatePipeline",
        Some(caller),
        Vec::new(),
        Vec::new(),
    )?;
    crate::services::codepipeline::actions::s3_source::schedule_poll(call, &name);
    Ok(CreatePipelineOutput {
        pipeline: Some(d),
        tags: (!tags.is_empty()).then(|| tags_out(&tag_map)),
    })
}

pub fn get_pipeline(
    call: &mut Call<'_>,
    input: GetPipelineInput,
) -> Result<GetPipelineOutput, ServiceError> {
    let name = input.name;
    let p = find(call, &name)?;
    let d = match input.version {
        None => p.declaration.clone(),
        Some(v) => p.versions.get(&v).cloned().ok_or_else(|| {
            ServiceError::new(
                "PipelineVersionNotFoundException",
                format!("Pipeline version {v} does not exist for pipeline with name '{name}'"),
            )
        })?,
    };
    Ok(GetPipelineOutput {
        pipeline: Some(d),
        metadata: Some(PipelineMetadata {
            pipeline_arn: Some(p.arn.clone()),
            created: Some(Timestamp(p.created)),
            updated: Some(Timestamp(p.updated)),
            polling_disabled_at: None,
        }),
    })
}

pub fn update_pipeline(
    call: &mut Call<'_>,
    input: UpdatePipelineInput,
) -> Result<UpdatePipelineOutput, ServiceError> {
    let mut d = input.pipeline;
    let name = d.name.clone();
    let account = call.ctx.account_id.clone();
    if !call.state.pipelines.contains_key(&name) {
        // UpdatePipeline of an unknown name (text recorded by moto's tests).
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("The account with id '{account}' does not include a pipeline with the name '{name}'"),
        ));
    }
    validate::check(&mut d)?;
    let now = call.core.clock.now();
    let p = find_mut(call, &name)?;
    let version = p.declaration.version.unwrap_or(1) + 1;
    d.version = Some(version);
    p.versions.insert(version, d.clone());
    p.declaration = d.clone();
    p.updated = now;
    p.runs.mode = mode_of(&d);
    crate::services::codepipeline::actions::s3_source::schedule_poll(call, &name);
    Ok(UpdatePipelineOutput { pipeline: Some(d) })
}

pub fn delete_pipeline(
    call: &mut Call<'_>,
    input: DeletePipelineInput,
) -> Result<Empty, ServiceError> {
    // AWS answers DeletePipeline of an unknown name with success.
    let name = input.name;
    if let Some(p) = call.state.pipelines.remove(&name) {
        call.effects
            .cancel(crate::services::codepipeline::actions::timer_key(
                "poll", &name,
            ));
        for r in &p.actions {
            if r.status == "InProgress" {
                call.effects
                    .cancel(crate::services::codepipeline::actions::timer_key(
                        "approval", &r.id,
                    ));
            }
        }
        call.state.jobs.retain(|_, j| j.pipeline != name);
    }
    Ok(Empty {})
}

pub fn list_pipelines(
    call: &mut Call<'_>,
    input: ListPipelinesInput,
) -> Result<ListPipelinesOutput, ServiceError> {
    // AWS pages ListPipelines at 100 by default, 1000 at most (maxResults' documented range).
    let limit = input.max_results.unwrap_or(100) as usize;
    let summaries: Vec<(String, PipelineSummary)> = call
        .state
        .pipelines
        .iter()
        .map(|(k, p)| (k.clone(), summary(p)))
        .collect();
    let page = paginate(
        summaries.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        limit,
    )
    .map_err(|_| super::invalid_token())?;
    Ok(ListPipelinesOutput {
        pipelines: Some(page.items),
        next_token: page.next_token,
    })
}

/// The pipeline an ARN names (`arn:aws:codepipeline:<region>:<account>:<name>`).
fn by_arn<'c>(call: &'c mut Call<'_>, arn: &str) -> Result<&'c mut Pipeline, ServiceError> {
    let account = call.ctx.account_id.clone();
    let prefix = format!("arn:aws:codepipeline:{}:{account}:", call.ctx.region);
    let name = arn.strip_prefix(&prefix).ok_or_else(|| {
        ServiceError::new(
            "InvalidArnException",
            format!("The ARN '{arn}' is not valid"),
        )
    })?;
    let name = name.to_owned();
    call.state.pipelines.get_mut(&name).ok_or_else(|| {
        ServiceError::new(
            "ResourceNotFoundException",
            format!("The account with id '{account}' does not include a pipeline with the name '{name}'"),
        )
    })
}

pub fn list_tags_for_resource(
    call: &mut Call<'_>,
    input: ListTagsForResourceInput,
) -> Result<ListTagsForResourceOutput, ServiceError> {
    let arn = input.resource_arn;
    let p = by_arn(call, &arn)?;
    Ok(ListTagsForResourceOutput {
        tags: Some(tags_out(&p.tags)),
        next_token: None,
    })
}

pub fn tag_resource(
    call: &mut Call<'_>,
    input: TagResourceInput,
) -> Result<TagResourceOutput, ServiceError> {
    let arn = input.resource_arn;
    let tags = input.tags;
    let p = by_arn(call, &arn)?;
    let new = tags
        .iter()
        .filter(|t| !p.tags.contains_key(t.key.as_str()))
        .count();
    check_tags(&tags, p.tags.len() + new)?;
    for t in tags {
        p.tags.insert(t.key, t.value);
    }
    Ok(TagResourceOutput {})
}

pub fn untag_resource(
    call: &mut Call<'_>,
    input: UntagResourceInput,
) -> Result<UntagResourceOutput, ServiceError> {
    let arn = input.resource_arn;
    let p = by_arn(call, &arn)?;
    for k in input.tag_keys {
        p.tags.remove(&k);
    }
    Ok(UntagResourceOutput {})
}

fn stage_exists(p: &Pipeline, stage: &str) -> bool {
    p.declaration
        .stages
        .iter()
        .any(|s| s.name.as_str() == stage)
}

fn set_transition(
    call: &mut Call<'_>,
    pipeline: &str,
    stage: &str,
    kind: Option<StageTransitionType>,
    enabled: bool,
    reason: Option<String>,
) -> Result<Empty, ServiceError> {
    let now = call.core.clock.now();
    let by = format!("arn:aws:iam::{}:root", call.ctx.account_id);
    let p = find_mut(call, pipeline)?;
    if !stage_exists(p, stage) {
        return Err(ServiceError::new(
            "StageNotFoundException",
            format!("Stage with name '{stage}' does not exist in pipeline with name '{pipeline}'"),
        ));
    }
    // Outbound transitions of a stage are the inbound ones of the next stage.
    let target = match kind {
        Some(StageTransitionType::Outbound) => {
            let stages = p.declaration.stages.clone();
            let i = stages
                .iter()
                .position(|s| s.name.as_str() == stage)
                .unwrap_or(0);
            match stages.get(i + 1).map(|s| s.name.clone()) {
                Some(next) => next,
                None => return Ok(Empty {}),
            }
        }
        _ => stage.to_owned(),
    };
    p.transitions.insert(
        target.clone(),
        TransitionRecord {
            enabled,
            changed_by: by,
            changed_at: now,
            reason,
        },
    );
    let outs = p.runs.set_transition(&target, enabled);
    runtime::drive(call, pipeline, outs);
    Ok(Empty {})
}

pub fn disable_stage_transition(
    call: &mut Call<'_>,
    input: DisableStageTransitionInput,
) -> Result<Empty, ServiceError> {
    set_transition(
        call,
        &input.pipeline_name,
        &input.stage_name,
        Some(input.transition_type),
        false,
        Some(input.reason),
    )
}

pub fn enable_stage_transition(
    call: &mut Call<'_>,
    input: EnableStageTransitionInput,
) -> Result<Empty, ServiceError> {
    set_transition(
        call,
        &input.pipeline_name,
        &input.stage_name,
        Some(input.transition_type),
        true,
        None,
    )
}

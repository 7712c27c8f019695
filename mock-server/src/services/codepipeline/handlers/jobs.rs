//! The job-worker protocol: PollForJobs, AcknowledgeJob, GetJobDetails, PutJobSuccessResult
//! (with continuation tokens and output variables), PutJobFailureResult, and their ThirdParty
//! variants with client tokens. A result completes the job's action execution.

use crate::error::ServiceError;
use crate::services::codepipeline::actions::{self, lambda, Outcome};
use crate::services::codepipeline::state::Job;
use crate::services::codepipeline::{runtime, Call};
use codemock_wire::codepipeline::*;
use codemock_wire::types::Empty;

fn not_found(id: &str) -> ServiceError {
    ServiceError::new(
        "JobNotFoundException",
        format!("Job with id '{id}' does not exist"),
    )
}

fn job<'c>(call: &'c mut Call<'_>, id: &str) -> Result<&'c mut Job, ServiceError> {
    call.state.jobs.get_mut(id).ok_or_else(|| not_found(id))
}

fn same_type(a: &ActionTypeId, b: &ActionTypeId) -> bool {
    a.category == b.category
        && a.owner == b.owner
        && a.provider == b.provider
        && a.version == b.version
}

fn poll(
    call: &mut Call<'_>,
    type_id: &ActionTypeId,
    max: usize,
    query: &std::collections::BTreeMap<String, String>,
) -> Vec<Job> {
    let mut out = Vec::new();
    for j in call.state.jobs.values_mut() {
        if out.len() >= max {
            break;
        }
        let config = j
            .data
            .action_configuration
            .as_ref()
            .and_then(|c| c.configuration.clone())
            .unwrap_or_default();
        let matches_query = query.iter().all(|(k, v)| config.get(k) == Some(v));
        if j.status == "Queued" && same_type(&j.type_id, type_id) && matches_query {
            j.status = "Dispatched".into();
            out.push(j.clone());
        }
    }
    out
}

pub fn poll_for_jobs(
    call: &mut Call<'_>,
    input: PollForJobsInput,
) -> Result<PollForJobsOutput, ServiceError> {
    let type_id = input.action_type_id;
    let max = input.max_batch_size.unwrap_or(1).max(1) as usize;
    let query = input.query_param.unwrap_or_default();
    let jobs = poll(call, &type_id, max, &query);
    Ok(PollForJobsOutput {
        jobs: Some(
            jobs.into_iter()
                .map(|j| codemock_wire::codepipeline::Job {
                    id: Some(j.id),
                    data: Some(j.data),
                    nonce: Some(j.nonce),
                    account_id: Some(j.account),
                })
                .collect(),
        ),
    })
}

pub fn poll_for_third_party_jobs(
    call: &mut Call<'_>,
    input: PollForThirdPartyJobsInput,
) -> Result<PollForThirdPartyJobsOutput, ServiceError> {
    let type_id = input.action_type_id;
    let max = input.max_batch_size.unwrap_or(1).max(1) as usize;
    let jobs = poll(call, &type_id, max, &Default::default());
    let mut out = Vec::new();
    for j in jobs {
        let token = call.core.ids.uuid();
        if let Some(stored) = call.state.jobs.get_mut(&j.id) {
            stored.client_token = Some(token.clone());
        }
        out.push(ThirdPartyJob {
            client_id: Some(token),
            job_id: Some(j.id),
        });
    }
    Ok(PollForThirdPartyJobsOutput { jobs: Some(out) })
}

fn check_client(j: &Job, token: Option<&str>) -> Result<(), ServiceError> {
    if j.client_token.as_deref() != token {
        return Err(ServiceError::new(
            "InvalidClientTokenException",
            "The client token was specified in an invalid format",
        ));
    }
    Ok(())
}

fn acknowledge(j: &mut Job, nonce: &str) -> Result<JobStatus, ServiceError> {
    if j.nonce != nonce {
        return Err(ServiceError::new(
            "InvalidNonceException",
            format!("The nonce '{nonce}' is not valid for job '{}'", j.id),
        ));
    }
    if j.status == "Dispatched" {
        j.status = "InProgress".into();
    }
    Ok(JobStatus::from_name(&j.status).unwrap_or(JobStatus::InProgress))
}

pub fn acknowledge_job(
    call: &mut Call<'_>,
    input: AcknowledgeJobInput,
) -> Result<AcknowledgeJobOutput, ServiceError> {
    let id = input.job_id;
    let j = job(call, &id)?;
    let status = acknowledge(j, &input.nonce)?;
    Ok(AcknowledgeJobOutput {
        status: Some(status),
    })
}

pub fn acknowledge_third_party_job(
    call: &mut Call<'_>,
    input: AcknowledgeThirdPartyJobInput,
) -> Result<AcknowledgeThirdPartyJobOutput, ServiceError> {
    let id = input.job_id;
    let j = job(call, &id)?;
    check_client(j, Some(input.client_token.as_str()))?;
    let status = acknowledge(j, &input.nonce)?;
    Ok(AcknowledgeThirdPartyJobOutput {
        status: Some(status),
    })
}

pub fn get_job_details(
    call: &mut Call<'_>,
    input: GetJobDetailsInput,
) -> Result<GetJobDetailsOutput, ServiceError> {
    let id = input.job_id;
    let j = job(call, &id)?;
    Ok(GetJobDetailsOutput {
        job_details: Some(JobDetails {
            id: Some(j.id.clone()),
            data: Some(j.data.clone()),
            account_id: Some(j.account.clone()),
        }),
    })
}

pub fn get_third_party_job_details(
    call: &mut Call<'_>,
    input: GetThirdPartyJobDetailsInput,
) -> Result<GetThirdPartyJobDetailsOutput, ServiceError> {
    let id = input.job_id;
    let j = job(call, &id)?;
    check_client(j, Some(input.client_token.as_str()))?;
    let d = j.data.clone();
    Ok(GetThirdPartyJobDetailsOutput {
        job_details: Some(ThirdPartyJobDetails {
            id: Some(j.id.clone()),
            data: Some(ThirdPartyJobData {
                action_type_id: d.action_type_id,
                action_configuration: d.action_configuration,
                pipeline_context: d.pipeline_context,
                input_artifacts: d.input_artifacts,
                output_artifacts: d.output_artifacts,
                artifact_credentials: d.artifact_credentials,
                continuation_token: d.continuation_token,
                encryption_key: d.encryption_key,
            }),
            nonce: Some(j.nonce.clone()),
        }),
    })
}

/// A job is answerable once dispatched to a worker (or handed to a Lambda function).
fn take_answerable(call: &mut Call<'_>, id: &str) -> Result<Job, ServiceError> {
    let j = job(call, id)?;
    if !matches!(j.status.as_str(), "Dispatched" | "InProgress") {
        return Err(ServiceError::new(
            "InvalidJobStateException",
            format!(
                "Job '{id}' is in state {} and cannot accept a result",
                j.status
            ),
        ));
    }
    Ok(j.clone())
}

fn succeed(
    call: &mut Call<'_>,
    id: &str,
    continuation: Option<String>,
    details: Option<ExecutionDetails>,
    revision: Option<CurrentRevision>,
    variables: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), ServiceError> {
    let j = take_answerable(call, id)?;
    if let Some(stored) = call.state.jobs.get_mut(id) {
        stored.status = "Succeeded".into();
    }
    if let Some(token) = continuation {
        // The action stays in progress: a new job carries the token (a Lambda is invoked again).
        let Some(rec) = runtime::find_record_mut(call, &j.pipeline, &j.action_execution_id) else {
            return Ok(());
        };
        if rec.status != "InProgress" {
            return Ok(());
        }
        let data = {
            let mut d = j.data.clone();
            d.continuation_token = Some(token);
            d
        };
        let new_id = call.core.ids.uuid();
        let nonce = call.core.ids.hex(8);
        let is_lambda =
            j.type_id.provider.as_str() == "Lambda" && j.type_id.owner == ActionOwner::Aws;
        call.state.jobs.insert(
            new_id.clone(),
            Job {
                id: new_id.clone(),
                nonce,
                status: if is_lambda { "InProgress" } else { "Queued" }.into(),
                data,
                ..j.clone()
            },
        );
        if let Some(rec) = runtime::find_record_mut(call, &j.pipeline, &j.action_execution_id) {
            rec.waiting = crate::services::codepipeline::state::Waiting::Job {
                job_id: new_id.clone(),
            };
        }
        if is_lambda {
            let job = lambda_job(call, &j);
            if let Some(job) = job {
                if let actions::Begun::Done(outcome) = lambda::invoke(call, &job, &new_id) {
                    runtime::complete(call, &j.pipeline, &j.action_execution_id, outcome);
                }
            }
        }
        return Ok(());
    }
    let details = details.unwrap_or_default();
    let outcome = Outcome {
        ok: true,
        summary: details.summary,
        external_id: details.external_execution_id,
        output_variables: variables.unwrap_or_default(),
        revision: revision.map(|r| (r.revision, r.revision_summary)),
        ..Outcome::default()
    };
    runtime::complete(call, &j.pipeline, &j.action_execution_id, outcome);
    Ok(())
}

/// The provider's view of a Lambda job's action, for a re-invocation.
fn lambda_job(call: &Call<'_>, j: &Job) -> Option<actions::ActionJob> {
    let config = j
        .data
        .action_configuration
        .as_ref()
        .and_then(|c| c.configuration.clone())
        .unwrap_or_default();
    let ctx = j.data.pipeline_context.clone().unwrap_or_default();
    Some(actions::ActionJob {
        account: j.account.clone(),
        region: call.ctx.region.clone(),
        pipeline: j.pipeline.clone(),
        pipeline_arn: ctx.pipeline_arn.unwrap_or_default(),
        exec_id: j.exec_id.clone(),
        stage: ctx.stage.and_then(|s| s.name).unwrap_or_default(),
        action: ctx.action.and_then(|a| a.name).unwrap_or_default(),
        action_execution_id: j.action_execution_id.clone(),
        category: "Invoke".into(),
        owner: "AWS".into(),
        provider: "Lambda".into(),
        version: "1".into(),
        config,
        inputs: Vec::new(),
        outputs: Vec::new(),
        tags: Vec::new(),
        timeout_minutes: None,
        revision_override: None,
    })
}

fn fail(call: &mut Call<'_>, id: &str, f: FailureDetails) -> Result<(), ServiceError> {
    let j = take_answerable(call, id)?;
    if let Some(stored) = call.state.jobs.get_mut(id) {
        stored.status = "Failed".into();
    }
    let mut outcome = Outcome::failed(f.r#type.as_str(), f.message.clone());
    outcome.external_id = f.external_execution_id;
    outcome.summary = Some(f.message);
    runtime::complete(call, &j.pipeline, &j.action_execution_id, outcome);
    Ok(())
}

pub fn put_job_success_result(
    call: &mut Call<'_>,
    input: PutJobSuccessResultInput,
) -> Result<Empty, ServiceError> {
    let id = input.job_id;
    succeed(
        call,
        &id,
        input.continuation_token,
        input.execution_details,
        input.current_revision,
        input.output_variables,
    )?;
    Ok(Empty {})
}

pub fn put_job_failure_result(
    call: &mut Call<'_>,
    input: PutJobFailureResultInput,
) -> Result<Empty, ServiceError> {
    let id = input.job_id;
    fail(call, &id, input.failure_details)?;
    Ok(Empty {})
}

pub fn put_third_party_job_success_result(
    call: &mut Call<'_>,
    input: PutThirdPartyJobSuccessResultInput,
) -> Result<Empty, ServiceError> {
    let id = input.job_id;
    check_client(job(call, &id)?, Some(input.client_token.as_str()))?;
    succeed(
        call,
        &id,
        input.continuation_token,
        input.execution_details,
        input.current_revision,
        None,
    )?;
    Ok(Empty {})
}

pub fn put_third_party_job_failure_result(
    call: &mut Call<'_>,
    input: PutThirdPartyJobFailureResultInput,
) -> Result<Empty, ServiceError> {
    let id = input.job_id;
    check_client(job(call, &id)?, Some(input.client_token.as_str()))?;
    fail(call, &id, input.failure_details)?;
    Ok(Empty {})
}

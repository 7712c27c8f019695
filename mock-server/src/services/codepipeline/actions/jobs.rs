//! Custom and third-party actions: a job per action execution for job workers
//! (PollForJobs / PollForThirdPartyJobs, AcknowledgeJob, PutJobSuccessResult with continuation
//! tokens, PutJobFailureResult). The job's `data` is what AWS hands a worker.

use super::{ActionJob, Begun, Provider};
use crate::services::codepipeline::state::{Job, Waiting};
use crate::services::codepipeline::Call;
use codemock_wire::codepipeline::{
    AWSSessionCredentials, ActionCategory, ActionConfiguration, ActionContext, ActionOwner,
    ActionTypeId, Artifact, ArtifactLocation, ArtifactLocationType, JobData, PipelineContext,
    S3ArtifactLocation, StageContext,
};

pub struct JobWorker;

impl Provider for JobWorker {
    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let job_id = create(call, job, "Queued", None);
        Begun::Waiting(Waiting::Job { job_id })
    }

    fn abandon(&self, call: &mut Call<'_>, _job: &ActionJob, waiting: &Waiting) {
        if let Waiting::Job { job_id } = waiting {
            if let Some(j) = call.state.jobs.get_mut(job_id) {
                j.status = "Failed".into();
            }
        }
    }
}

fn artifacts(list: &[(String, String, String)]) -> Vec<Artifact> {
    list.iter()
        .map(|(name, bucket, key)| Artifact {
            name: Some(name.clone()),
            revision: None,
            location: Some(ArtifactLocation {
                r#type: Some(ArtifactLocationType::S3),
                s3_location: Some(S3ArtifactLocation {
                    bucket_name: Some(bucket.clone()),
                    object_key: Some(key.clone()),
                }),
            }),
        })
        .collect()
}

/// The job data AWS hands a worker (or a Lambda function) for `job`.
pub fn data(call: &Call<'_>, job: &ActionJob, continuation: Option<String>) -> JobData {
    JobData {
        action_type_id: Some(ActionTypeId {
            // The job's type came from a validated declaration: always a model value.
            category: ActionCategory::from_name(&job.category).unwrap_or_default(),
            owner: ActionOwner::from_name(&job.owner).unwrap_or_default(),
            provider: job.provider.clone(),
            version: job.version.clone(),
        }),
        action_configuration: Some(ActionConfiguration {
            configuration: Some(job.config.clone()),
        }),
        pipeline_context: Some(PipelineContext {
            pipeline_name: Some(job.pipeline.clone()),
            stage: Some(StageContext {
                name: Some(job.stage.clone()),
            }),
            action: Some(ActionContext {
                name: Some(job.action.clone()),
                action_execution_id: Some(job.action_execution_id.clone()),
            }),
            pipeline_arn: Some(job.pipeline_arn.clone()),
            pipeline_execution_id: Some(job.exec_id.clone()),
        }),
        input_artifacts: Some(artifacts(&job.inputs)),
        output_artifacts: Some(artifacts(&job.outputs)),
        // Temporary credentials for the artifact bucket; codemock accepts any.
        artifact_credentials: Some(AWSSessionCredentials {
            access_key_id: Some(format!("ASIA{}", call.core.ids.alphanumeric_upper(16))),
            secret_access_key: Some(call.core.ids.hex(40)),
            session_token: Some(call.core.ids.hex(64)),
        }),
        continuation_token: continuation,
        encryption_key: None,
    }
}

/// Creates the job of an action execution with `status` (`Queued` for workers).
pub fn create(
    call: &mut Call<'_>,
    job: &ActionJob,
    status: &str,
    continuation: Option<String>,
) -> String {
    let id = call.core.ids.uuid();
    let data = data(call, job, continuation);
    let nonce = call.core.ids.hex(8);
    call.state.jobs.insert(
        id.clone(),
        Job {
            id: id.clone(),
            nonce,
            status: status.into(),
            type_id: data.action_type_id.clone().unwrap_or_default(),
            pipeline: job.pipeline.clone(),
            exec_id: job.exec_id.clone(),
            action_execution_id: job.action_execution_id.clone(),
            data,
            account: job.account.clone(),
            client_token: None,
        },
    );
    id
}

//! The test's side of CodePipeline, for the Rust API (`MockServer::codepipeline()`) and the
//! control API: playing the git host behind hosted sources (see `git.rs`), answering manual
//! approvals without reading their tokens first, and playing job workers and Lambda functions
//! for custom and Invoke actions. Each goes through CodePipeline's port, so it
//! runs under the partition's lock like any request.

use super::git::Push;
use super::ports::Command;
use crate::core::Core;
use crate::error::ServiceError;
use std::sync::Arc;

/// What a push did.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushed {
    pub commit_id: String,
    /// The executions it started, one per triggered pipeline.
    pub pipeline_execution_ids: Vec<String>,
}

/// A job waiting for its result.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingJob {
    pub job_id: String,
    pub pipeline_name: String,
    pub stage_name: Option<String>,
    pub action_name: Option<String>,
    /// `Queued`, `Dispatched` or `InProgress`.
    pub status: String,
    /// The action type's provider (`Lambda`, a custom provider).
    pub provider: Option<String>,
}

/// CodePipeline's helpers for tests, in the server's account and region unless told otherwise.
pub struct CodePipelineControl<'a> {
    core: &'a Arc<Core>,
    account: String,
    region: String,
}

impl<'a> CodePipelineControl<'a> {
    pub fn new(core: &'a Arc<Core>) -> Self {
        CodePipelineControl {
            core,
            account: core.config.account_id.clone(),
            region: core.config.region.clone(),
        }
    }

    /// The same helpers for the pipelines of another account and region.
    pub fn in_partition(mut self, account: &str, region: &str) -> Self {
        self.account = account.to_owned();
        self.region = region.to_owned();
        self
    }

    /// Pushes a commit to a hosted repository: it becomes the branch head source actions
    /// read, and the pipelines it triggers have started when this returns.
    pub fn push(&self, push: Push) -> Result<Pushed, ServiceError> {
        let v = self
            .core
            .command(&self.account, &self.region, Command::Push(Box::new(push)))?;
        Ok(Pushed {
            commit_id: v["commitId"].as_str().unwrap_or_default().to_owned(),
            pipeline_execution_ids: v["pipelineExecutionIds"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Approves the approval action waiting in `pipeline`/`stage`/`action`, as
    /// PutApprovalResult with its current token does (with its errors when none waits).
    pub fn approve(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        summary: &str,
    ) -> Result<(), ServiceError> {
        self.answer(pipeline, stage, action, true, summary)
    }

    /// Rejects the approval action waiting in `pipeline`/`stage`/`action`.
    pub fn reject(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        summary: &str,
    ) -> Result<(), ServiceError> {
        self.answer(pipeline, stage, action, false, summary)
    }

    /// The jobs waiting for a job worker's or a Lambda function's result, oldest first.
    pub fn pending_jobs(&self) -> Vec<PendingJob> {
        let v = self
            .core
            .command(&self.account, &self.region, Command::PendingJobs)
            .unwrap_or_default();
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Succeeds a job with `output_variables`, as PutJobSuccessResult does (with its errors
    /// for a job that is not waiting).
    pub fn succeed_job(
        &self,
        job_id: &str,
        output_variables: std::collections::BTreeMap<String, String>,
    ) -> Result<(), ServiceError> {
        self.job_result(job_id, Ok(output_variables))
    }

    /// Fails a job with `message` (type JobFailed), as PutJobFailureResult does.
    pub fn fail_job(&self, job_id: &str, message: &str) -> Result<(), ServiceError> {
        self.job_result(job_id, Err(message.to_owned()))
    }

    fn job_result(
        &self,
        job_id: &str,
        result: Result<std::collections::BTreeMap<String, String>, String>,
    ) -> Result<(), ServiceError> {
        self.core
            .command(
                &self.account,
                &self.region,
                Command::JobResult {
                    job_id: job_id.to_owned(),
                    result,
                },
            )
            .map(|_| ())
    }

    fn answer(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        approved: bool,
        summary: &str,
    ) -> Result<(), ServiceError> {
        self.core
            .command(
                &self.account,
                &self.region,
                Command::Answer {
                    pipeline: pipeline.to_owned(),
                    stage: stage.to_owned(),
                    action: action.to_owned(),
                    approved,
                    summary: summary.to_owned(),
                },
            )
            .map(|_| ())
    }
}

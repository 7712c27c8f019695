//! What other services may ask of CodePipeline: starting an execution (an EventBridge rule
//! targeting the pipeline, an upload to an S3 source), and the answers to what its actions asked
//! of other services (an object read, a build's or a deployment's end).

use super::actions::Outcome;
use super::Call;
use crate::error::ServiceError;
use crate::services::codebuild::ports::BuildFinished;
use crate::services::codedeploy::ports::DeploymentFinished;
use crate::services::s3::ports::ObjectRead;
use serde_json::{json, Value};

/// The commands CodePipeline accepts.
#[derive(Debug)]
pub enum Command {
    /// Starts an execution of pipeline `name` as StartPipelineExecution does; answers
    /// `{"pipelineExecutionId"}`. `trigger_type` is the API's `TriggerType` (`CloudWatchEvent`
    /// for an EventBridge target), `trigger_detail` what caused it (the rule ARN).
    StartPipelineExecution {
        name: String,
        trigger_type: String,
        trigger_detail: Option<String>,
    },
    /// A commit pushed to a hosted git repository (the test plays the git host); answers
    /// `{"commitId", "pipelineExecutionIds"}`.
    Push(Box<super::git::Push>),
    /// Answers the manual approval waiting in an action (approved or rejected), with its
    /// current token, as PutApprovalResult does.
    Answer {
        pipeline: String,
        stage: String,
        action: String,
        approved: bool,
        summary: String,
    },
    /// An S3 source action's object, read through the S3 port.
    SourceRead {
        pipeline: String,
        action_execution_id: String,
        result: Result<ObjectRead, ServiceError>,
    },
    /// The jobs waiting for a worker's or a function's result (test helpers).
    PendingJobs,
    /// A job's result, as PutJobSuccessResult (output variables) or PutJobFailureResult (the
    /// message) would give it (test helpers).
    JobResult {
        job_id: String,
        result: Result<std::collections::BTreeMap<String, String>, String>,
    },
    /// An S3 deploy action's input artifact, read through the S3 port.
    DeployRead {
        pipeline: String,
        action_execution_id: String,
        result: Result<ObjectRead, ServiceError>,
    },
    /// A polled S3 source's current object, read through the S3 port.
    Polled {
        pipeline: String,
        action: String,
        result: Result<ObjectRead, ServiceError>,
    },
    /// The action's work ended (an artifact stored, a port command refused).
    ActionDone {
        pipeline: String,
        action_execution_id: String,
        outcome: Outcome,
    },
    /// The outside id of an action's work (a build id, a deployment id), once known.
    ExternalStarted {
        pipeline: String,
        action_execution_id: String,
        external_id: String,
    },
    BuildFinished {
        pipeline: String,
        action_execution_id: String,
        finished: BuildFinished,
    },
    DeploymentFinished {
        pipeline: String,
        action_execution_id: String,
        finished: DeploymentFinished,
    },
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::StartPipelineExecution {
            name,
            trigger_type,
            trigger_detail,
        } => {
            let id = super::runtime::start_execution(
                call,
                &name,
                &trigger_type,
                trigger_detail,
                Vec::new(),
                Vec::new(),
            )?;
            Ok(json!({ "pipelineExecutionId": id }))
        }
        Command::Push(push) => super::git::on_push(call, *push),
        Command::Answer {
            pipeline,
            stage,
            action,
            approved,
            summary,
        } => super::handlers::answer_approval(call, pipeline, stage, action, approved, summary),
        Command::SourceRead {
            pipeline,
            action_execution_id,
            result,
        } => {
            super::actions::s3_source::read(call, &pipeline, &action_execution_id, result);
            Ok(Value::Null)
        }
        Command::PendingJobs => Ok(super::handlers::pending_jobs(call)),
        Command::JobResult { job_id, result } => super::handlers::answer_job(call, job_id, result),
        Command::DeployRead {
            pipeline,
            action_execution_id,
            result,
        } => {
            super::actions::s3_deploy::read(call, &pipeline, &action_execution_id, result);
            Ok(Value::Null)
        }
        Command::Polled {
            pipeline,
            action,
            result,
        } => {
            super::actions::s3_source::polled(call, &pipeline, &action, result);
            Ok(Value::Null)
        }
        Command::ActionDone {
            pipeline,
            action_execution_id,
            outcome,
        } => {
            super::runtime::complete(call, &pipeline, &action_execution_id, outcome);
            Ok(Value::Null)
        }
        Command::ExternalStarted {
            pipeline,
            action_execution_id,
            external_id,
        } => {
            super::runtime::external_started(call, &pipeline, &action_execution_id, external_id);
            Ok(Value::Null)
        }
        Command::BuildFinished {
            pipeline,
            action_execution_id,
            finished,
        } => {
            let outcome = super::actions::codebuild::outcome(&finished);
            super::runtime::complete(call, &pipeline, &action_execution_id, outcome);
            Ok(Value::Null)
        }
        Command::DeploymentFinished {
            pipeline,
            action_execution_id,
            finished,
        } => {
            let outcome = super::actions::codedeploy::outcome(&finished);
            super::runtime::complete(call, &pipeline, &action_execution_id, outcome);
            Ok(Value::Null)
        }
    }
}

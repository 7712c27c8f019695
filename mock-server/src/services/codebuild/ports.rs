//! What other services may ask of CodeBuild: starting a build (CodePipeline's Build and Test
//! actions, EventBridge targets) and being told when it ends.

use super::{run, Call};
use crate::effects::Notify;
use crate::error::ServiceError;
use codemock_wire::codebuild::StartBuildInput;
use serde_json::Value;

/// The commands CodeBuild accepts from other services.
#[derive(Debug)]
pub enum Command {
    /// Starts a build as `StartBuild` does with `input` (the project name and its overrides);
    /// answers the `Build` as StartBuild returns it (JSON, camelCase members).
    StartBuild(Box<StartBuild>),
    /// Stops a build as `StopBuild` does (a pipeline execution stopped with abandon).
    StopBuild { build_id: String },
    /// S3's answer: the bytes of a local build's source `index`.
    SourceRead {
        build_id: String,
        index: usize,
        name: String,
        result: Result<bytes::Bytes, ServiceError>,
    },
    /// A local build's job: a phase ended.
    LocalPhaseEnded {
        build_id: String,
        phase: codemock_wire::codebuild::BuildPhaseType,
        end: super::build::PhaseEnd,
    },
    /// A build of batch `batch_id` (its entry `index`) ended.
    BatchBuildFinished {
        batch_id: String,
        index: usize,
        status: String,
    },
    /// A local build's job ended: exported variables and parsed reports.
    LocalFinished {
        build_id: String,
        exported: Vec<(String, String)>,
        reports: Vec<(String, super::reports::Parsed)>,
    },
    /// A sandbox's command, run by the local executor, exited.
    LocalCommandExited {
        sandbox_id: String,
        command_id: String,
        exit_code: i64,
        stdout: String,
        stderr: String,
    },
}

/// A build another service starts.
#[derive(Debug)]
pub struct StartBuild {
    pub input: StartBuildInput,
    /// Who started it, as `initiator` reports it (`codepipeline/<pipeline-name>`, or the rule
    /// ARN's name for an EventBridge target).
    pub initiator: String,
    /// For CodePipeline: the input artifacts as sources (the first the primary one, the others
    /// secondary with their names as source identifiers) and where the output artifacts go.
    pub pipeline: Option<PipelineArtifacts>,
    /// Fired once when the build ends in any state.
    pub on_finish: Option<Notify<BuildFinished>>,
}

/// The artifacts a pipeline action hands a build.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PipelineArtifacts {
    pub inputs: Vec<ArtifactLocation>,
    pub outputs: Vec<ArtifactLocation>,
}

/// A pipeline artifact: its name and the S3 object that holds it (a zip).
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactLocation {
    pub name: String,
    pub bucket: String,
    pub key: String,
}

/// How a build ended.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildFinished {
    pub build_id: String,
    pub build_arn: String,
    /// `SUCCEEDED`, `FAILED`, `FAULT`, `TIMED_OUT` or `STOPPED`.
    pub status: String,
    /// The phase that failed and its context message, when the build did not succeed.
    pub failed_phase: Option<String>,
    pub message: Option<String>,
    /// The buildspec's `exported-variables` with their values at the end of the build.
    pub exported_variables: Vec<(String, String)>,
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::StartBuild(req) => {
            let StartBuild {
                input,
                initiator,
                pipeline,
                on_finish,
            } = *req;
            let build = run::start(
                call,
                run::StartRequest {
                    input,
                    initiator,
                    pipeline,
                    on_finish,
                },
            )?;
            serde_json::to_value(&build)
                .map_err(|e| ServiceError::new("InternalFailure", e.to_string()))
        }
        Command::StopBuild { build_id } => {
            let build = run::stop(call, &build_id)?;
            serde_json::to_value(&build)
                .map_err(|e| ServiceError::new("InternalFailure", e.to_string()))
        }
        Command::SourceRead {
            build_id,
            index,
            name,
            result,
        } => {
            run::source_read(call, &build_id, index, name, result);
            Ok(Value::Null)
        }
        Command::LocalPhaseEnded {
            build_id,
            phase,
            end,
        } => {
            run::phase_ended(call, &build_id, phase, end);
            Ok(Value::Null)
        }
        Command::BatchBuildFinished {
            batch_id,
            index,
            status,
        } => {
            super::batch::build_finished(call, &batch_id, index, &status);
            Ok(Value::Null)
        }
        Command::LocalFinished {
            build_id,
            exported,
            reports,
        } => {
            run::local_finished(call, &build_id, exported, reports);
            Ok(Value::Null)
        }
        Command::LocalCommandExited {
            sandbox_id,
            command_id,
            exit_code,
            stdout,
            stderr,
        } => {
            super::sandbox_run::command_exited(
                call,
                &sandbox_id,
                &command_id,
                exit_code,
                Some(stdout),
                Some(stderr),
            );
            Ok(Value::Null)
        }
    }
}

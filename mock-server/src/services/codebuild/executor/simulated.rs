//! The simulated executor: each phase takes a virtual duration and ends as the outcome rules
//! (`/_codemock/outcomes`, service `codebuild`, step = the phase) or the project's
//! `codemock:outcome` tag say; by default every phase succeeds. A plain `FAILED` (no phase named)
//! fails BUILD, where a real build's commands run.

use super::Plan;
use crate::core::Env;
use crate::outcomes::{Outcome, OutcomeQuery};
use crate::services::codebuild::build::PhaseEnd;
use crate::services::codebuild::state::BuildRecord;
use codemock_wire::codebuild::{BuildPhaseType as Phase, StatusType};

/// Default virtual seconds per phase, near what small AWS builds show (provisioning dominates).
pub fn default_seconds(phase: Phase) -> f64 {
    match phase {
        Phase::Submitted | Phase::Completed => 0.0,
        Phase::Queued => 1.0,
        Phase::Provisioning => 10.0,
        Phase::DownloadSource => 2.0,
        Phase::Install | Phase::PreBuild | Phase::PostBuild => 1.0,
        Phase::Build => 5.0,
        Phase::UploadArtifacts | Phase::Finalizing => 1.0,
    }
}

/// The context AWS writes when a command exits with `code`.
pub fn command_failed(code: i64) -> PhaseEnd {
    PhaseEnd::failed(
        StatusType::Failed,
        "COMMAND_EXECUTION_ERROR",
        format!("Error while executing command: exit {code}. Reason: exit status {code}"),
    )
}

pub fn plan(env: &Env, b: &BuildRecord, phase: Phase) -> Plan {
    let default = default_seconds(phase);
    if phase == Phase::Queued {
        return Plan::After {
            seconds: default,
            end: PhaseEnd::succeeded(),
        };
    }
    // An inline buildspec is read in DOWNLOAD_SOURCE; a bad one fails it as AWS does.
    if phase == Phase::DownloadSource {
        if let Some(text) = b.buildspec.as_deref().filter(|t| is_inline(t)) {
            if let Err(e) = crate::services::codebuild::buildspec::parse(text) {
                return Plan::After {
                    seconds: default,
                    end: PhaseEnd::failed(StatusType::Failed, "YAML_FILE_ERROR", e.message),
                };
            }
        }
    }
    let arn = b.view.arn.as_deref().unwrap_or_default();
    let mut query = OutcomeQuery::new("codebuild")
        .name(&b.project)
        .name(arn)
        .step(phase.as_str())
        .tags(b.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if phase != Phase::Build {
        query = query.named_steps_only();
    }
    let Some(decision) = env.outcomes.decide(&query) else {
        return Plan::After {
            seconds: default,
            end: PhaseEnd::succeeded(),
        };
    };
    let seconds = decision.seconds.unwrap_or(default);
    match decision.outcome {
        Outcome::Succeeded => Plan::After {
            seconds,
            end: PhaseEnd::succeeded(),
        },
        Outcome::Failed => {
            let end = match (decision.code.as_deref(), decision.message) {
                // A number is the exit code of the failing command.
                (None, None) => command_failed(1),
                (Some(code), None) if code.parse::<i64>().is_ok() => {
                    command_failed(code.parse().unwrap_or(1))
                }
                (code, message) => PhaseEnd::failed(
                    StatusType::Failed,
                    code.unwrap_or(match phase {
                        Phase::Install | Phase::PreBuild | Phase::Build | Phase::PostBuild => {
                            "COMMAND_EXECUTION_ERROR"
                        }
                        _ => "CLIENT_ERROR",
                    }),
                    message.unwrap_or_default(),
                ),
            };
            Plan::After { seconds, end }
        }
        Outcome::TimedOut => Plan::TimeOut { seconds },
        Outcome::Stopped => Plan::Stop { seconds },
        Outcome::Hang => Plan::Hang,
    }
}

/// Whether a `buildspec` value is the buildspec itself rather than a path in the source (AWS
/// tells them apart the same way: a path has no line breaks and no `key: value`).
pub fn is_inline(buildspec: &str) -> bool {
    buildspec.contains('\n') || buildspec.contains(": ")
}

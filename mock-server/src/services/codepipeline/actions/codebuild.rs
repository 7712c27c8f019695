//! Build and Test actions, provider CodeBuild: starts a build of `ProjectName` through the
//! CodeBuild port with the input artifacts as sources and the output locations, waits for its
//! end (a notification, never polling), and turns its exported variables into the action's
//! output variables. A refused StartBuild fails the action with CodeBuild's error.

use super::{home, ActionJob, Begun, Outcome, Provider};
use crate::effects::Notify;
use crate::services::codebuild::ports::{
    ArtifactLocation, BuildFinished, Command as Cb, PipelineArtifacts, StartBuild,
};
use crate::services::codepipeline::ports::Command as Cp;
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;
use codemock_wire::codebuild::{EnvironmentVariable, EnvironmentVariableType, StartBuildInput};

pub struct CodeBuild;

fn location((name, bucket, key): &(String, String, String)) -> ArtifactLocation {
    ArtifactLocation {
        name: name.clone(),
        bucket: bucket.clone(),
        key: key.clone(),
    }
}

/// `EnvironmentVariables` is a JSON list of `{name, value, type}` (CodePipeline's CodeBuild
/// action reference).
fn environment(config: &str) -> Option<Vec<EnvironmentVariable>> {
    let list: Vec<serde_json::Value> = serde_json::from_str(config).ok()?;
    Some(
        list.iter()
            // Unvalidated configuration: an entry without a string name and value is dropped,
            // as the build skipped it when these members were optional.
            .filter_map(|v| {
                Some(EnvironmentVariable {
                    name: v["name"].as_str()?.to_owned(),
                    value: v["value"].as_str()?.to_owned(),
                    r#type: v["type"]
                        .as_str()
                        .and_then(EnvironmentVariableType::from_name)
                        .or(Some(EnvironmentVariableType::Plaintext)),
                })
            })
            .collect(),
    )
}

impl Provider for CodeBuild {
    fn required(&self) -> &'static [&'static str] {
        &["ProjectName"]
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let input = StartBuildInput {
            // Required by `required()`, so checked before the action starts.
            project_name: job.config.get("ProjectName").cloned().unwrap_or_default(),
            environment_variables_override: job
                .config
                .get("EnvironmentVariables")
                .and_then(|c| environment(c)),
            ..StartBuildInput::default()
        };
        let to = home(job);
        let (pipeline, id) = (job.pipeline.clone(), job.action_execution_id.clone());
        let on_finish = Notify::new(move |finished: BuildFinished| {
            Some((
                to,
                Cp::BuildFinished {
                    pipeline,
                    action_execution_id: id,
                    finished,
                }
                .into(),
            ))
        });
        let start = StartBuild {
            input,
            initiator: format!("codepipeline/{}", job.pipeline),
            pipeline: Some(PipelineArtifacts {
                inputs: job.inputs.iter().map(location).collect(),
                outputs: job.outputs.iter().map(location).collect(),
            }),
            on_finish: Some(on_finish),
        };
        let to = home(job);
        let (pipeline, id) = (job.pipeline.clone(), job.action_execution_id.clone());
        call.effects.send_then(
            &job.account,
            &job.region,
            Cb::StartBuild(Box::new(start)),
            move |answer| {
                let command = match answer {
                    Ok(build) => Cp::ExternalStarted {
                        pipeline,
                        action_execution_id: id,
                        external_id: build["id"].as_str().unwrap_or_default().to_owned(),
                    },
                    Err(e) => Cp::ActionDone {
                        pipeline,
                        action_execution_id: id,
                        outcome: Outcome::failed("JobFailed", format!("{}: {}", e.code, e.message)),
                    },
                };
                Some((to, command.into()))
            },
        );
        Begun::Waiting(Waiting::Build { build_id: None })
    }

    fn abandon(&self, call: &mut Call<'_>, job: &ActionJob, waiting: &Waiting) {
        if let Waiting::Build {
            build_id: Some(build_id),
        } = waiting
        {
            call.effects.send(
                &job.account,
                &job.region,
                Cb::StopBuild {
                    build_id: build_id.clone(),
                },
            );
        }
    }
}

/// The action's outcome for a build's end.
pub fn outcome(f: &BuildFinished) -> Outcome {
    let url = format!(
        "https://console.aws.amazon.com/codebuild/home#/builds/{}/view/new",
        f.build_id
    );
    let mut o = if f.status == "SUCCEEDED" {
        Outcome::succeeded()
    } else {
        let mut message = format!("Build terminated with state: {}", f.status);
        if let Some(phase) = &f.failed_phase {
            message.push_str(&format!(". Phase: {phase}"));
        }
        if let Some(m) = &f.message {
            message.push_str(&format!(", Message: {m}"));
        }
        Outcome::failed("JobFailed", message)
    };
    o.external_id = Some(f.build_id.clone());
    o.external_url = Some(url);
    o.output_variables = f.exported_variables.iter().cloned().collect();
    o
}

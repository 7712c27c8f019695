//! Deploy action, provider CodeDeploy: creates a deployment of `ApplicationName` /
//! `DeploymentGroupName` from the first input artifact (a zip bundle) through the CodeDeploy
//! port and waits for its end. A refused CreateDeployment fails the action with its error.

use super::{home, ActionJob, Begun, Outcome, Provider};
use crate::effects::Notify;
use crate::services::codedeploy::ports::{Command as Cd, CreateDeployment, DeploymentFinished};
use crate::services::codepipeline::ports::Command as Cp;
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;

pub struct CodeDeploy;

impl Provider for CodeDeploy {
    fn required(&self) -> &'static [&'static str] {
        &["ApplicationName", "DeploymentGroupName"]
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let Some((_, bucket, key)) = job.inputs.first().cloned() else {
            return Begun::Done(Outcome::failed(
                "ConfigurationError",
                "The CodeDeploy action needs an input artifact",
            ));
        };
        let to = home(job);
        let (pipeline, id) = (job.pipeline.clone(), job.action_execution_id.clone());
        let on_finish = Notify::new(move |finished: DeploymentFinished| {
            Some((
                to,
                Cp::DeploymentFinished {
                    pipeline,
                    action_execution_id: id,
                    finished,
                }
                .into(),
            ))
        });
        let create = CreateDeployment {
            application: job
                .config
                .get("ApplicationName")
                .cloned()
                .unwrap_or_default(),
            deployment_group: job
                .config
                .get("DeploymentGroupName")
                .cloned()
                .unwrap_or_default(),
            bucket,
            key,
            bundle_type: "zip".into(),
            version: None,
            etag: None,
            description: None,
            creator: "user".into(),
            on_finish: Some(on_finish),
        };
        let to = home(job);
        let (pipeline, id) = (job.pipeline.clone(), job.action_execution_id.clone());
        call.effects.send_then(
            &job.account,
            &job.region,
            Cd::CreateDeployment(Box::new(create)),
            move |answer| {
                let command = match answer {
                    Ok(v) => Cp::ExternalStarted {
                        pipeline,
                        action_execution_id: id,
                        external_id: v["deploymentId"].as_str().unwrap_or_default().to_owned(),
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
        Begun::Waiting(Waiting::Deployment {
            deployment_id: None,
        })
    }

    fn abandon(&self, call: &mut Call<'_>, job: &ActionJob, waiting: &Waiting) {
        if let Waiting::Deployment {
            deployment_id: Some(deployment_id),
        } = waiting
        {
            call.effects.send(
                &job.account,
                &job.region,
                Cd::StopDeployment {
                    deployment_id: deployment_id.clone(),
                },
            );
        }
    }
}

/// The action's outcome for a deployment's end.
pub fn outcome(f: &DeploymentFinished) -> Outcome {
    let mut o = if f.status == "Succeeded" {
        Outcome::succeeded()
    } else {
        let (code, message) = f
            .error
            .clone()
            .unwrap_or_else(|| ("UNKNOWN".into(), String::new()));
        Outcome::failed(
            "JobFailed",
            format!("Deployment {} failed. {code}: {message}", f.deployment_id),
        )
    };
    o.external_id = Some(f.deployment_id.clone());
    o.summary = Some(format!(
        "Deployment {} {}",
        f.deployment_id,
        f.status.to_lowercase()
    ));
    o
}

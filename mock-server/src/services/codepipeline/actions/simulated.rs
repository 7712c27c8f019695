//! Providers codemock simulates (CloudFormation, ECS, Elastic Beanstalk, Step
//! Functions, ...): AWS's required configuration is checked at CreatePipeline; a run takes the
//! virtual time and ends the way the outcome rules say (service `codepipeline`, resource the
//! pipeline's name or ARN, step the action's name), succeeding by default.

use super::{write_empty_outputs, ActionJob, Begun, Outcome, Provider};
use crate::outcomes::{Outcome as O, OutcomeQuery};
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::{Call, Timer};

/// A simulated provider and the configuration AWS requires for it.
pub struct Simulated {
    pub required: &'static [&'static str],
}

/// The required configuration of AWS's providers (the `required` properties `ListActionTypes`
/// reports for them).
pub fn for_provider(provider: &str) -> &'static Simulated {
    match provider {
        "CloudFormation" => &Simulated {
            required: &["ActionMode", "StackName"],
        },
        "ECS" => &Simulated {
            required: &["ClusterName", "ServiceName"],
        },
        "CodeDeployToECS" => &Simulated {
            required: &[
                "ApplicationName",
                "DeploymentGroupName",
                "TaskDefinitionTemplateArtifact",
                "AppSpecTemplateArtifact",
            ],
        },
        "ElasticBeanstalk" => &Simulated {
            required: &["ApplicationName", "EnvironmentName"],
        },
        "StepFunctions" => &Simulated {
            required: &["StateMachineArn"],
        },
        "ServiceCatalog" => &Simulated {
            required: &["ProductId"],
        },
        "ECR" => &Simulated {
            required: &["RepositoryName"],
        },
        _ => &Simulated { required: &[] },
    }
}

/// How a simulated run of `job` goes, from the outcome rules (service `codepipeline`, resource
/// the pipeline's name or ARN, step the action's name): the outcome (`None`: it hangs) and the
/// virtual seconds it takes. Succeeding at once by default.
pub fn decide(call: &Call<'_>, job: &ActionJob) -> (Option<Outcome>, f64) {
    let decision = call.core.outcomes.decide(
        &OutcomeQuery::new("codepipeline")
            .name(&job.pipeline)
            .name(&job.pipeline_arn)
            .step(&job.action)
            .tags(job.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    );
    match decision {
        None => (Some(Outcome::succeeded()), 0.0),
        Some(d) => {
            let message = |default: &str| d.message.clone().unwrap_or_else(|| default.into());
            let code = d.code.clone().unwrap_or_else(|| "JobFailed".into());
            let outcome = match d.outcome {
                O::Succeeded => Some(Outcome::succeeded()),
                O::Failed => Some(Outcome::failed(
                    code,
                    message("The action failed (codemock outcome rule)"),
                )),
                O::TimedOut => Some(Outcome::failed(code, message("The action timed out"))),
                O::Stopped => Some(Outcome::failed(code, message("The action was stopped"))),
                O::Hang => None,
            };
            (outcome, d.seconds.unwrap_or(0.0))
        }
    }
}

impl Provider for Simulated {
    fn required(&self) -> &'static [&'static str] {
        self.required
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let (outcome, seconds) = decide(call, job);
        if let Some(mut outcome) = outcome {
            if outcome.ok {
                write_empty_outputs(call, job);
                if job.category == "Source" {
                    // A simulated source's (ECR...) revision: the one asked for, else a made-up id.
                    let revision = job
                        .revision_override
                        .as_ref()
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| call.core.ids.hex(40));
                    outcome.external_id = Some(revision.clone());
                    outcome
                        .output_variables
                        .insert("CommitId".into(), revision.clone());
                    outcome.revision = Some((revision, None));
                }
            }
            finish_after(call, job, outcome, seconds);
        }
        Begun::Waiting(Waiting::Nothing)
    }
}

/// Ends `job` with `outcome` after `seconds` of virtual time.
pub fn finish_after(call: &mut Call<'_>, job: &ActionJob, outcome: Outcome, seconds: f64) {
    let at = call.core.clock.now() + seconds;
    call.effects.arm(
        at,
        &job.account,
        &job.region,
        Timer::ActionDone {
            pipeline: job.pipeline.clone(),
            action_execution_id: job.action_execution_id.clone(),
            outcome: Box::new(outcome),
        },
    );
}

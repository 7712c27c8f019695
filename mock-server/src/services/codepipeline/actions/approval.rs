//! Approval action, provider Manual: a token shown in GetPipelineState, answered by
//! PutApprovalResult, or failed after 7 days without an answer (AWS's documented expiry), on
//! virtual time.

use super::{timer_key, ActionJob, Begun, Outcome, Provider};
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::{runtime, Call, Timer};

/// Seven days: "If you do not respond to an approval request within seven days, the action
/// returns a status of Failed" (CodePipeline user guide, manual approvals).
pub const EXPIRY_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

pub struct Manual;

impl Provider for Manual {
    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let token = call.core.ids.uuid();
        // `timeoutInMinutes` applies to manual approvals only (the model's ActionDeclaration doc).
        let seconds = job
            .timeout_minutes
            .filter(|m| *m > 0)
            .map_or(EXPIRY_SECONDS, |m| f64::from(m) * 60.0);
        let at = call.core.clock.now() + seconds;
        call.effects.arm_keyed(
            timer_key("approval", &job.action_execution_id),
            at,
            &job.account,
            &job.region,
            Timer::ApprovalExpired {
                pipeline: job.pipeline.clone(),
                action_execution_id: job.action_execution_id.clone(),
            },
        );
        Begun::Waiting(Waiting::Approval { token })
    }

    fn abandon(&self, call: &mut Call<'_>, job: &ActionJob, _waiting: &Waiting) {
        call.effects
            .cancel(timer_key("approval", &job.action_execution_id));
    }
}

/// The approval was not answered in time.
pub fn expire(call: &mut Call<'_>, pipeline: &str, action_execution_id: &str) {
    runtime::complete(
        call,
        pipeline,
        action_execution_id,
        Outcome {
            summary: Some("Approval expired".into()),
            ..Outcome::failed("JobFailed", "The approval request expired after 7 days")
        },
    );
}

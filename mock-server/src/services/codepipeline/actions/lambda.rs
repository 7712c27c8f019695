//! Invoke action, provider Lambda: invokes `FunctionName` asynchronously with the CodePipeline
//! job event (`{"CodePipeline.job": {id, accountId, data}}`, as the user guide's Lambda examples
//! read it), logged in the invocation log; the function (the test) completes the job with
//! PutJobSuccessResult or PutJobFailureResult. A failed Invoke fails the action.

use super::{jobs, ActionJob, Begun, Outcome, Provider};
use crate::invocations::{InvocationResponse, InvocationType, InvokeRequest};
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;
use serde_json::json;

pub struct Lambda;

impl Provider for Lambda {
    fn required(&self) -> &'static [&'static str] {
        &["FunctionName"]
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let job_id = jobs::create(call, job, "InProgress", None);
        invoke(call, job, &job_id)
    }
}

/// Invokes the function for job `job_id` (again, for a continuation token).
pub fn invoke(call: &mut Call<'_>, job: &ActionJob, job_id: &str) -> Begun {
    let Some(data) = call.state.jobs.get(job_id).map(|j| j.data.clone()) else {
        return Begun::Done(Outcome::failed("JobFailed", "job vanished"));
    };
    let event = json!({"CodePipeline.job": {"id": job_id, "accountId": job.account, "data": data}});
    let response = call.core.invocations.invoke(InvokeRequest {
        function: job.config.get("FunctionName").cloned().unwrap_or_default(),
        invocation_type: InvocationType::Event,
        payload: event.to_string(),
        source: "codepipeline".into(),
        source_arn: Some(job.pipeline_arn.clone()),
        account: job.account.clone(),
        region: job.region.clone(),
        time: call.core.clock.now(),
    });
    match response {
        InvocationResponse::Error { code, message } => {
            Begun::Done(Outcome::failed("JobFailed", format!("{code}: {message}")))
        }
        InvocationResponse::Payload(_) => Begun::Waiting(Waiting::Job {
            job_id: job_id.to_owned(),
        }),
    }
}

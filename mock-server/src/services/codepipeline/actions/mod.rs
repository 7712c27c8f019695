//! Action providers: one small module per kind of work behind [`Provider`]. The runtime hands a
//! provider an [`ActionJob`] (the action execution, its resolved configuration and artifact
//! locations); the provider starts the work (a read through the S3 port, a build through the
//! CodeBuild port, an approval token, a job for workers, a simulated run on virtual time) and the
//! work's end comes back to the runtime as an [`Outcome`] (a port command, a timer, or an API
//! call such as PutApprovalResult).

pub mod approval;
pub mod codebuild;
pub mod codedeploy;
pub mod hosted_source;
pub mod jobs;
pub mod lambda;
pub mod s3_deploy;
pub mod s3_source;
pub mod simulated;

use super::state::Waiting;
use super::Call;
use std::collections::BTreeMap;

/// One action execution, as its provider sees it.
#[derive(Debug, Clone)]
pub struct ActionJob {
    pub account: String,
    pub region: String,
    pub pipeline: String,
    pub pipeline_arn: String,
    pub exec_id: String,
    pub stage: String,
    pub action: String,
    pub action_execution_id: String,
    pub category: String,
    pub owner: String,
    pub provider: String,
    pub version: String,
    /// The configuration with its variables resolved.
    pub config: BTreeMap<String, String>,
    /// Input artifacts: (name, bucket, key).
    pub inputs: Vec<(String, String, String)>,
    /// Output artifacts and where they go: (name, bucket, key).
    pub outputs: Vec<(String, String, String)>,
    pub tags: Vec<(String, String)>,
    pub timeout_minutes: Option<i32>,
    /// A source revision asked for at start (`S3_OBJECT_VERSION_ID`, value).
    pub revision_override: Option<(String, String)>,
}

/// How an action execution ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub ok: bool,
    pub summary: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    /// `errorDetails` (a `FailureType` such as `JobFailed`, and a message) when it failed.
    pub error: Option<(String, String)>,
    pub output_variables: BTreeMap<String, String>,
    /// A source action's revision: (revision id, revision summary).
    pub revision: Option<(String, Option<String>)>,
    pub updated_by: Option<String>,
}

impl Outcome {
    pub fn succeeded() -> Outcome {
        Outcome {
            ok: true,
            ..Outcome::default()
        }
    }

    pub fn failed(code: impl Into<String>, message: impl Into<String>) -> Outcome {
        Outcome {
            ok: false,
            error: Some((code.into(), message.into())),
            summary: None,
            ..Outcome::default()
        }
    }
}

/// What starting an action gave.
#[derive(Debug)]
pub enum Begun {
    /// The work runs; its end comes later.
    Waiting(Waiting),
    /// It ended at once (a configuration that cannot work).
    Done(Outcome),
}

/// A kind of action work.
pub trait Provider: Sync {
    /// The configuration keys AWS requires in the action's declaration.
    fn required(&self) -> &'static [&'static str] {
        &[]
    }

    /// Starts the work of `job`.
    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun;

    /// Stops the outside work of an abandoned action execution (a build, a deployment).
    fn abandon(&self, _call: &mut Call<'_>, _job: &ActionJob, _waiting: &Waiting) {}
}

/// The provider doing the work of an action type.
pub fn provider_for(category: &str, owner: &str, provider: &str) -> &'static dyn Provider {
    match (category, owner, provider) {
        ("Source", "AWS", "S3") => &s3_source::S3Source,
        ("Deploy", "AWS", "S3") => &s3_deploy::S3Deploy,
        ("Source", "AWS", "CodeStarSourceConnection") => &hosted_source::CONNECTION,
        ("Source", "AWS", "CodeCommit") => &hosted_source::CODECOMMIT,
        ("Source", "ThirdParty", "GitHub") => &hosted_source::GITHUB_V1,
        ("Approval", "AWS", "Manual") => &approval::Manual,
        ("Build" | "Test", "AWS", "CodeBuild") => &codebuild::CodeBuild,
        ("Deploy", "AWS", "CodeDeploy") => &codedeploy::CodeDeploy,
        ("Invoke", "AWS", "Lambda") => &lambda::Lambda,
        (_, "Custom" | "ThirdParty", _) => &jobs::JobWorker,
        _ => simulated::for_provider(provider),
    }
}

/// The key of a keyed timer or job belonging to one action execution.
pub fn timer_key(kind: &str, action_execution_id: &str) -> String {
    format!("codepipeline/{kind}/{action_execution_id}")
}

/// Where a command's answer comes back: this service in the job's partition.
pub fn home(job: &ActionJob) -> crate::store::PartitionKey {
    crate::effects::partition(&job.account, &job.region)
}

/// An empty zip file (just the end-of-central-directory record): the content of output
/// artifacts of simulated actions.
pub const EMPTY_ZIP: &[u8] = &[
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// Writes an (empty) output artifact for each output of `job` through the S3 port.
pub fn write_empty_outputs(call: &mut Call<'_>, job: &ActionJob) {
    for (_, bucket, key) in &job.outputs {
        call.effects.send(
            &job.account,
            &job.region,
            crate::services::s3::ports::Command::PutObject {
                bucket: bucket.clone(),
                key: key.clone(),
                body: bytes::Bytes::from_static(EMPTY_ZIP),
                content_type: Some("application/zip".into()),
            },
        );
    }
}

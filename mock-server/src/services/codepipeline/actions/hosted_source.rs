//! Source actions on hosted git (CodeStarSourceConnection, CodeCommit, GitHub version 1): the
//! commit comes from what the test pushed (see `git.rs`): the one the execution was started for,
//! else the head of the tracked branch. Its tree is the output artifact; the commit fills the
//! revision, the summary and the output variables AWS documents for each provider. A repository
//! nobody pushed to gives a made-up commit and an empty artifact, so that pipelines that do not
//! care about their source still run. Outcome rules apply as to simulated actions.

use super::simulated::{decide, finish_after};
use super::{ActionJob, Begun, Outcome, Provider, EMPTY_ZIP};
use crate::protocol::timestamps::iso8601;
use crate::services::codepipeline::git::{self, Commit};
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;
use bytes::Bytes;
use serde_json::json;

/// A hosted source provider and the configuration AWS requires for it.
pub struct HostedSource {
    pub required: &'static [&'static str],
}

pub const CONNECTION: HostedSource = HostedSource {
    required: &["ConnectionArn", "FullRepositoryId", "BranchName"],
};
pub const CODECOMMIT: HostedSource = HostedSource {
    required: &["RepositoryName", "BranchName"],
};
pub const GITHUB_V1: HostedSource = HostedSource {
    required: &["Owner", "Repo", "Branch", "OAuthToken"],
};

impl Provider for HostedSource {
    fn required(&self) -> &'static [&'static str] {
        self.required
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let (outcome, seconds) = decide(call, job);
        if let Some(mut outcome) = outcome {
            if outcome.ok {
                let commit = commit_for(call, job);
                for (_, bucket, key) in &job.outputs {
                    call.effects.send(
                        &job.account,
                        &job.region,
                        crate::services::s3::ports::Command::PutObject {
                            bucket: bucket.clone(),
                            key: key.clone(),
                            body: commit.archive.clone(),
                            content_type: Some("application/zip".into()),
                        },
                    );
                }
                fill(&mut outcome, job, &commit);
            }
            finish_after(call, job, outcome, seconds);
        }
        Begun::Waiting(Waiting::Nothing)
    }
}

/// The commit `job` runs with: the one asked for at start (a trigger's commit, a
/// `sourceRevisions` override), else the tracked branch's head, else a made-up one.
fn commit_for(call: &Call<'_>, job: &ActionJob) -> Commit {
    let (repository, branch) = git::tracked(&job.provider, &job.config).unwrap_or_default();
    let asked = job.revision_override.as_ref().map(|(_, v)| v.clone());
    let known = match &asked {
        Some(id) => call.state.git.commit(id),
        None => branch
            .as_deref()
            .and_then(|b| call.state.git.head(&repository, b)),
    };
    known.cloned().unwrap_or_else(|| Commit {
        id: asked.unwrap_or_else(|| call.core.ids.hex(40)),
        repository,
        branch,
        message: String::new(),
        author_date: iso8601(call.core.clock.now()),
        provider_type: "GitHub".into(),
        archive: Bytes::from_static(EMPTY_ZIP),
    })
}

/// The revision, summary and output variables of a successful run on `commit`.
fn fill(outcome: &mut Outcome, job: &ActionJob, commit: &Commit) {
    let config = |k: &str| job.config.get(k).cloned().unwrap_or_default();
    let branch = commit.branch.clone().unwrap_or_default();
    let vars = &mut outcome.output_variables;
    vars.insert("CommitId".into(), commit.id.clone());
    vars.insert("CommitMessage".into(), commit.message.clone());
    vars.insert("AuthorDate".into(), commit.author_date.clone());
    vars.insert("BranchName".into(), branch);
    let summary = match job.provider.as_str() {
        "CodeStarSourceConnection" => {
            // The output variables of the CodeStarSourceConnection action reference.
            vars.insert("ConnectionArn".into(), config("ConnectionArn"));
            vars.insert("FullRepositoryName".into(), commit.repository.clone());
            // As GetPipelineState recorded from AWS shows a connection source's summary.
            json!({"ProviderType": commit.provider_type, "CommitMessage": commit.message})
                .to_string()
        }
        provider => {
            // CodeCommit's and GitHub's variables (the action references); the summary is the
            // commit message (unconfirmed for these two providers).
            vars.insert("CommitterDate".into(), commit.author_date.clone());
            vars.insert("RepositoryName".into(), commit.repository.clone());
            if provider == "GitHub" {
                vars.insert(
                    "CommitUrl".into(),
                    format!(
                        "https://github.com/{}/commit/{}",
                        commit.repository, commit.id
                    ),
                );
            }
            commit.message.clone()
        }
    };
    outcome.external_id = Some(commit.id.clone());
    outcome.summary = Some(summary.clone());
    outcome.revision = Some((commit.id.clone(), Some(summary)));
}

//! CodeBuild's state in one account and region: projects, their builds (each with its phase
//! machine and the view `BatchGetBuilds` returns), their sandboxes, and the other resources.

use super::build::Machine;
use super::ports::{BuildFinished, PipelineArtifacts};
use crate::effects::Notify;
use codemock_wire::codebuild::{Build, Project};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct State {
    /// Projects by name.
    pub projects: BTreeMap<String, Project>,
    /// Builds by id (`<project>:<uuid>`).
    pub builds: HashMap<String, BuildRecord>,
    /// Build ids in start order (ListBuilds pages over it, newest first by default).
    pub build_order: Vec<String>,
    /// StartBuild idempotency tokens: token -> (build id, when it was used).
    pub build_tokens: HashMap<String, (String, f64)>,
    /// The last build number handed out per project name.
    pub build_numbers: HashMap<String, i64>,
    /// Batch builds by id, in start order, and the last batch number per project.
    pub batches: HashMap<String, super::batch::BatchRecord>,
    pub batch_order: Vec<String>,
    pub batch_numbers: HashMap<String, i64>,
    /// Report groups, reports, fleets, credentials, policies.
    pub resources: super::resources::Resources,
    /// Sandboxes by id (`<project>:<uuid>`), in start order, and StartSandbox's idempotency
    /// tokens: token -> (sandbox id, when it was used).
    pub sandboxes: HashMap<String, super::sandbox_run::SandboxRecord>,
    pub sandbox_order: Vec<String>,
    pub sandbox_tokens: HashMap<String, (String, f64)>,
}

/// One build: what the API shows and what drives it.
#[derive(Debug)]
pub struct BuildRecord {
    /// The `Build` as BatchGetBuilds returns it, kept current by every transition.
    pub view: Build,
    pub machine: Machine,
    pub project: String,
    /// The project's tags when the build started (outcome tags, `codemock:executor`).
    pub tags: Vec<(String, String)>,
    pub executor: ExecutorKind,
    /// Where the build's log goes (`None`: CloudWatch Logs disabled).
    pub log: Option<LogTarget>,
    /// The buildspec text the build runs (inline, from the project or the override).
    pub buildspec: Option<String>,
    /// Set by a CodePipeline action: its input and output artifacts.
    pub pipeline: Option<PipelineArtifacts>,
    /// Told once when the build ends.
    pub on_finish: Option<Notify<BuildFinished>>,
    /// `exported-variables` with their values at the end.
    pub exported: Vec<(String, String)>,
    /// A local build's process is killed when this is notified (stop, timeout).
    pub kill: Option<Arc<tokio::sync::Notify>>,
    /// The environment variables the build's commands get, in order.
    pub env: Vec<(String, String)>,
    /// The project's (or the overriding) artifacts, for the local executor's upload.
    pub primary_artifacts: Option<codemock_wire::codebuild::ProjectArtifacts>,
    pub secondary_artifacts: Vec<codemock_wire::codebuild::ProjectArtifacts>,
    /// Sources the local executor still waits for, and those that arrived (index, id, bytes).
    pub pending_sources: usize,
    pub sources: Vec<(usize, String, bytes::Bytes)>,
    /// A PARAMETER_STORE or SECRETS_MANAGER variable that did not resolve: (code, message);
    /// the build fails in DOWNLOAD_SOURCE with it.
    pub env_error: Option<(String, String)>,
    /// The build took a slot of its project's concurrent build limit (it is leaving QUEUED).
    pub holds_slot: bool,
}

/// How a build's phases are carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutorKind {
    /// Phases take virtual time; outcomes come from the outcome rules and tags.
    Simulate,
    /// The buildspec's commands run in a shell in a fresh workspace.
    Local,
}

impl ExecutorKind {
    pub fn parse(s: &str) -> Option<ExecutorKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "simulate" | "simulated" => Some(ExecutorKind::Simulate),
            "local" => Some(ExecutorKind::Local),
            _ => None,
        }
    }
}

/// A build's log stream.
#[derive(Debug, Clone, PartialEq)]
pub struct LogTarget {
    pub group: String,
    pub stream: String,
}

impl State {
    /// The build with `id` (a build id or a build ARN).
    pub fn build_mut(&mut self, id: &str) -> Option<&mut BuildRecord> {
        let id = build_id_of(id);
        self.builds.get_mut(id)
    }

    /// Builds of `project` holding a slot of its concurrent build limit.
    pub fn running_builds(&self, project: &str) -> usize {
        self.builds
            .values()
            .filter(|b| b.project == project && b.holds_slot && !b.machine.is_complete())
            .count()
    }
}

/// `arn:aws:codebuild:<region>:<account>:build/<id>` or `<id>` -> `<id>`.
pub fn build_id_of(id_or_arn: &str) -> &str {
    match id_or_arn.split_once(":build/") {
        Some((prefix, id)) if prefix.starts_with("arn:") => id,
        _ => id_or_arn,
    }
}

/// A project name from a name or a project ARN.
pub fn project_name_of(name_or_arn: &str) -> &str {
    match name_or_arn.split_once(":project/") {
        Some((prefix, name)) if prefix.starts_with("arn:") => name,
        _ => name_or_arn,
    }
}

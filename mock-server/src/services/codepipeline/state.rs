//! CodePipeline's state in one account and region: pipelines with their versions, tags,
//! transitions and executions (the engine's [`Runs`] plus what the API reports of each
//! execution and action execution), custom action types, webhooks and jobs for job workers.

use super::execution::{Cond, Runs};
use codemock_wire::codepipeline::{
    ActionExecutionInput, ActionExecutionOutput, ActionTypeId, ArtifactRevision,
    PipelineDeclaration, RuleExecutionInput, SourceRevision,
};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    /// Pipelines by name (sorted, as ListPipelines returns them).
    pub pipelines: BTreeMap<String, Pipeline>,
    /// Custom action types by (category, provider, version).
    pub custom_types: BTreeMap<(String, String, String), CustomType>,
    pub webhooks: BTreeMap<String, Webhook>,
    /// Jobs for job workers and Lambda invoke actions, by job id.
    pub jobs: BTreeMap<String, Job>,
    /// Commits pushed to hosted git repositories (the test plays the git host).
    pub git: super::git::Repositories,
}

#[derive(Debug)]
pub struct Pipeline {
    /// The current declaration (defaults filled, `version` set).
    pub declaration: PipelineDeclaration,
    /// Every version, for GetPipeline with `version` and for executions of older versions.
    pub versions: BTreeMap<i32, PipelineDeclaration>,
    pub arn: String,
    pub created: f64,
    pub updated: f64,
    pub tags: BTreeMap<String, String>,
    pub runs: Runs,
    /// Execution records by id, and their start order.
    pub executions: BTreeMap<String, ExecRecord>,
    pub order: Vec<String>,
    /// Action executions, in start order.
    pub actions: Vec<ActionRecord>,
    /// Inbound transitions that were changed, by stage name.
    pub transitions: BTreeMap<String, TransitionRecord>,
    /// StartPipelineExecution's `clientRequestToken`s and the executions they started.
    pub client_tokens: BTreeMap<String, String>,
    /// The execution that last entered each stage (GetPipelineState's `latestExecution`).
    pub stage_latest: BTreeMap<String, String>,
    /// Every check of a stage's conditions, in start order.
    pub checks: Vec<CheckRecord>,
    /// Rule executions (ListRuleExecutions), in start order.
    pub rules: Vec<RuleRecord>,
}

/// One check of a stage's conditions of one kind, for one execution.
#[derive(Debug, Clone)]
pub struct CheckRecord {
    pub exec_id: String,
    pub stage: String,
    pub cond: Cond,
    /// `ConditionExecutionStatus`: `InProgress`, `Succeeded`, `Failed`, `Overridden`,
    /// `Cancelled`.
    pub status: String,
    pub summary: Option<String>,
    pub updated: f64,
    pub conditions: Vec<ConditionRecord>,
}

/// One condition of a check: its result and the rule executions of its rules.
#[derive(Debug, Clone)]
pub struct ConditionRecord {
    /// The API's `Result` (`FAIL`, `SKIP`, `ROLLBACK`, `RETRY`).
    pub result: String,
    pub status: String,
    pub summary: Option<String>,
    pub updated: f64,
    /// Rule execution ids, in the condition's rule order.
    pub rules: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RuleRecord {
    pub exec_id: String,
    pub id: String,
    pub stage: String,
    pub rule: String,
    pub cond: Cond,
    pub version: i32,
    pub start: f64,
    pub updated: f64,
    /// `RuleExecutionStatus`: `InProgress`, `Succeeded`, `Failed`, `Abandoned`.
    pub status: String,
    pub summary: Option<String>,
    pub external_id: Option<String>,
    pub error: Option<(String, String)>,
    pub input: RuleExecutionInput,
}

#[derive(Debug, Clone)]
pub struct TransitionRecord {
    pub enabled: bool,
    pub changed_by: String,
    pub changed_at: f64,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExecRecord {
    pub id: String,
    pub version: i32,
    pub trigger_type: String,
    pub trigger_detail: Option<String>,
    pub start: f64,
    pub updated: f64,
    pub status_summary: Option<String>,
    pub stop_reason: Option<String>,
    pub mode: String,
    /// V2 pipeline variables as resolved at start.
    pub variables: Vec<(String, String)>,
    /// Output variables by namespace.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// Artifacts produced so far: name -> (bucket, key).
    pub artifacts: BTreeMap<String, (String, String)>,
    pub source_revisions: Vec<SourceRevision>,
    pub artifact_revisions: Vec<ArtifactRevision>,
    /// `STANDARD`, or `ROLLBACK` for RollbackStage's executions (with their target).
    pub execution_type: String,
    pub rollback_target: Option<String>,
    /// Manual retries (RetryStageExecution) by stage.
    pub retries: BTreeMap<String, i32>,
    /// Automatic retries (onFailure RETRY) by stage.
    pub auto_retries: BTreeMap<String, i32>,
    /// The trigger of each stage's latest retry (`ManualStageRetry`, `AutomatedStageRetry`).
    pub last_retry: BTreeMap<String, String>,
    /// Revisions asked for at start (StartPipelineExecution `sourceRevisions`), by action.
    pub revision_overrides: BTreeMap<String, (String, String)>,
}

/// What an action execution waits for.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    Nothing,
    Approval { token: String },
    Job { job_id: String },
    Build { build_id: Option<String> },
    Deployment { deployment_id: Option<String> },
}

#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub exec_id: String,
    pub id: String,
    pub stage: String,
    pub action: String,
    pub version: i32,
    pub start: f64,
    pub updated: f64,
    /// `InProgress`, `Succeeded`, `Failed` or `Abandoned`.
    pub status: String,
    pub summary: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub error: Option<(String, String)>,
    pub updated_by: Option<String>,
    pub input: ActionExecutionInput,
    pub output: ActionExecutionOutput,
    pub waiting: Waiting,
    /// A source action's revision (GetPipelineState `currentRevision`).
    pub revision: Option<(String, Option<String>)>,
    /// Output artifacts and where they go: (name, bucket, key), chosen at start.
    pub planned: Vec<(String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct CustomType {
    pub declaration: codemock_wire::codepipeline::ActionType,
    pub tags: Vec<codemock_wire::codepipeline::Tag>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub item: codemock_wire::codepipeline::ListWebhookItem,
    pub registered: bool,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub nonce: String,
    /// `Queued`, `Dispatched`, `InProgress`, `Succeeded`, `Failed`, `TimedOut`.
    pub status: String,
    pub type_id: ActionTypeId,
    pub pipeline: String,
    pub exec_id: String,
    pub action_execution_id: String,
    pub data: codemock_wire::codepipeline::JobData,
    pub account: String,
    /// Third-party jobs carry a client token.
    pub client_token: Option<String>,
}

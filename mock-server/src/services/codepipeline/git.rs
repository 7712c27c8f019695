//! Hosted git sources: the commits a test pushes to a repository behind a CodeStar connection
//! (GitHub, GitLab, Bitbucket), CodeCommit or GitHub (version 1), since codemock talks to none of
//! them. A push (control API `POST /_codemock/codepipeline/pushes`, Rust API
//! `MockServer::codepipeline().push(..)`, both in `testing.rs`) moves a branch head, which source actions then read,
//! and starts the pipelines it triggers: those whose V2 triggers' push or pull-request filters
//! match it, or, for a source action without triggers, a push to the branch it tracks (when
//! `DetectChanges` is not `false`), as AWS's change detection does.

use super::state::Pipeline;
use super::Call;
use crate::error::ServiceError;
use crate::protocol::timestamps::iso8601;
use bytes::Bytes;
use codemock_wire::codepipeline::{
    ActionDeclaration, GitBranchFilterCriteria, GitConfiguration, GitFilePathFilterCriteria,
    GitPullRequestFilter, GitPushFilter, GitTagFilterCriteria, PipelineDeclaration,
    SourceRevisionOverride, SourceRevisionType,
};
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One push (or pull-request event) as the test describes it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Push {
    /// `owner/repo` (a connection's `FullRepositoryId`, GitHub v1's `Owner/Repo`) or a
    /// CodeCommit repository name.
    pub repository: String,
    /// The branch pushed to (the source branch of a pull request).
    #[serde(default)]
    pub branch: Option<String>,
    /// A pushed tag, for push filters on tags.
    #[serde(default)]
    pub tag: Option<String>,
    /// The commit's full SHA; codemock makes one up when absent.
    #[serde(default)]
    pub commit_id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// ISO-8601; the virtual clock's now when absent.
    #[serde(default)]
    pub author_date: Option<String>,
    /// The connection's provider (`GitHub`, `GitLab`, `Bitbucket`, `GitHubEnterpriseServer`...),
    /// reported in the source action's summary. Default `GitHub`.
    #[serde(default)]
    pub provider_type: Option<String>,
    /// The paths the commit changed, for file-path filters; default: the paths of `files`.
    #[serde(default)]
    pub file_paths: Option<Vec<String>>,
    /// The repository's tree at this commit (path -> content): the source artifact's zip.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    #[serde(default)]
    pub pull_request: Option<PullRequest>,
}

/// A pull-request event: the head commit is the push's, on `sourceBranch`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PullRequest {
    /// `OPEN`, `UPDATED` or `CLOSED`.
    pub event: String,
    pub source_branch: String,
    pub destination_branch: String,
    #[serde(default)]
    pub id: Option<String>,
}

impl Push {
    /// What a push must say: its repository, and a branch or a tag.
    pub fn check(&self) -> Result<(), String> {
        if self.repository.is_empty() {
            return Err("A push names its \"repository\"".into());
        }
        if self.branch.is_none() && self.tag.is_none() {
            return Err("A push names a \"branch\" or a \"tag\"".into());
        }
        Ok(())
    }
}

/// A commit a source action can read.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    pub id: String,
    pub repository: String,
    pub branch: Option<String>,
    pub message: String,
    pub author_date: String,
    pub provider_type: String,
    /// The source artifact: a zip of the pushed tree.
    pub archive: Bytes,
}

/// The pushed commits of one account and region.
#[derive(Debug, Default)]
pub struct Repositories {
    /// The latest commit of each (repository, branch).
    heads: BTreeMap<(String, String), String>,
    /// Every pushed commit, by id.
    commits: BTreeMap<String, Commit>,
}

impl Repositories {
    /// Records `commit` and moves its branch's head to it.
    pub fn record(&mut self, commit: Commit) {
        if let Some(branch) = &commit.branch {
            self.heads.insert(
                (commit.repository.clone(), branch.clone()),
                commit.id.clone(),
            );
        }
        self.commits.insert(commit.id.clone(), commit);
    }

    pub fn head(&self, repository: &str, branch: &str) -> Option<&Commit> {
        let id = self
            .heads
            .get(&(repository.to_owned(), branch.to_owned()))?;
        self.commits.get(id)
    }

    pub fn commit(&self, id: &str) -> Option<&Commit> {
        self.commits.get(id)
    }
}

/// The repository and branch a hosted source action tracks, from its configuration.
pub fn tracked(
    provider: &str,
    config: &BTreeMap<String, String>,
) -> Option<(String, Option<String>)> {
    let get = |k: &str| config.get(k).cloned();
    match provider {
        "CodeStarSourceConnection" => Some((get("FullRepositoryId")?, get("BranchName"))),
        "CodeCommit" => Some((get("RepositoryName")?, get("BranchName"))),
        "GitHub" => Some((format!("{}/{}", get("Owner")?, get("Repo")?), get("Branch"))),
        _ => None,
    }
}

/// Whether `provider` is a hosted git source provider.
pub fn is_hosted(provider: &str) -> bool {
    matches!(
        provider,
        "CodeStarSourceConnection" | "CodeCommit" | "GitHub"
    )
}

/// A glob as AWS's trigger filters use them: `*` stays within a path segment, `**` spans
/// segments, `?` is one character.
fn glob(pattern: &str) -> Option<GlobMatcher> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Included by one of `includes` (all when there are none) and excluded by none of
/// `excludes`: an exclude wins over an include.
fn included(value: &str, includes: &Option<Vec<String>>, excludes: &Option<Vec<String>>) -> bool {
    let any = |list: &Vec<String>| {
        list.iter()
            .any(|p| glob(p).is_some_and(|g| g.is_match(value)))
    };
    let inc = includes.as_ref().filter(|l| !l.is_empty()).is_none_or(any);
    let exc = excludes.as_ref().is_some_and(any);
    inc && !exc
}

fn branch_ok(branch: Option<&str>, c: &Option<GitBranchFilterCriteria>) -> bool {
    match (c, branch) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(c), Some(b)) => included(b, &c.includes, &c.excludes),
    }
}

fn tag_ok(tag: &str, c: &GitTagFilterCriteria) -> bool {
    included(tag, &c.includes, &c.excludes)
}

/// At least one changed path is included and not excluded (no criteria: any change).
fn paths_ok(paths: &[String], c: &Option<GitFilePathFilterCriteria>) -> bool {
    match c {
        None => true,
        Some(c) => paths.iter().any(|p| included(p, &c.includes, &c.excludes)),
    }
}

/// The paths a push changed.
fn changed(push: &Push) -> Vec<String> {
    push.file_paths
        .clone()
        .unwrap_or_else(|| push.files.keys().cloned().collect())
}

/// Whether a push filter matches a push: a tag push matches filters on tags, a branch push
/// filters on branches (and file paths).
pub fn push_matches(f: &GitPushFilter, push: &Push) -> bool {
    if push.pull_request.is_some() {
        return false;
    }
    match (&push.tag, &f.tags) {
        (Some(tag), Some(c)) => tag_ok(tag, c),
        (Some(_), None) | (None, Some(_)) => false,
        (None, None) => {
            branch_ok(push.branch.as_deref(), &f.branches)
                && paths_ok(&changed(push), &f.file_paths)
        }
    }
}

/// Whether a pull-request filter matches a pull-request event: its events (all when absent),
/// the destination branch against `branches`, the changed paths against `filePaths`.
pub fn pull_request_matches(f: &GitPullRequestFilter, push: &Push) -> bool {
    let Some(pr) = &push.pull_request else {
        return false;
    };
    let event_ok = f
        .events
        .as_ref()
        .filter(|e| !e.is_empty())
        .is_none_or(|events| events.iter().any(|e| e.as_str() == pr.event));
    event_ok
        && branch_ok(Some(&pr.destination_branch), &f.branches)
        && paths_ok(&changed(push), &f.file_paths)
}

/// Whether a git configuration (one V2 trigger) fires for a push.
pub fn trigger_fires(gc: &GitConfiguration, push: &Push) -> bool {
    gc.push.iter().flatten().any(|f| push_matches(f, push))
        || gc
            .pull_request
            .iter()
            .flatten()
            .any(|f| pull_request_matches(f, push))
}

fn config_of(a: &ActionDeclaration) -> BTreeMap<String, String> {
    a.configuration
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// The source actions of `d` a push starts an execution for, with the trigger that fired
/// (`None`: change detection without triggers).
pub fn started_by(d: &PipelineDeclaration, push: &Push) -> Vec<String> {
    let sources = d.stages.iter().take(1).flat_map(|s| s.actions.iter());
    let triggers: Vec<&GitConfiguration> = d
        .triggers
        .iter()
        .flatten()
        .map(|t| &t.git_configuration)
        .collect();
    let mut out = Vec::new();
    for a in sources {
        let t = &a.action_type_id;
        let provider = t.provider.clone();
        if !is_hosted(&provider) {
            continue;
        }
        let config = config_of(a);
        let Some((repo, branch)) = tracked(&provider, &config) else {
            continue;
        };
        if repo != push.repository {
            continue;
        }
        let name = a.name.clone();
        let own: Vec<&&GitConfiguration> = triggers
            .iter()
            .filter(|g| g.source_action_name == name)
            .collect();
        let fires = if own.is_empty() {
            // Without a trigger, change detection: a push to the tracked branch.
            let detect = config
                .get("DetectChanges")
                .or_else(|| config.get("PollForSourceChanges"))
                .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
            detect
                && push.pull_request.is_none()
                && push.tag.is_none()
                && branch.is_some()
                && push.branch == branch
        } else {
            own.iter().any(|g| trigger_fires(g, push))
        };
        if fires {
            out.push(name);
        }
    }
    out
}

/// The trigger-declaration rules AWS checks at CreatePipeline and UpdatePipeline. The message is
/// the one AWS answers (recorded in aws/aws-cdk issue 28694).
pub fn check_triggers(d: &PipelineDeclaration) -> Result<(), String> {
    const WRONG: &str = "Triggers for connection must reference a CodeStarSourceConnection action. Note that when you specify a trigger, you cant specify more than one trigger per source action.";
    let sources: Vec<(&str, &str)> = d
        .stages
        .iter()
        .take(1)
        .flat_map(|s| s.actions.iter())
        .map(|a| (a.name.as_str(), a.action_type_id.provider.as_str()))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for t in d.triggers.iter().flatten() {
        let name = t.git_configuration.source_action_name.as_str();
        let is_connection = sources
            .iter()
            .any(|(n, p)| *n == name && *p == "CodeStarSourceConnection");
        if !is_connection || !seen.insert(name) {
            return Err(WRONG.to_owned());
        }
    }
    Ok(())
}

/// The pipelines (by name) and their source actions a push starts.
pub fn pipelines_started<'p>(
    pipelines: impl Iterator<Item = (&'p String, &'p Pipeline)>,
    push: &Push,
) -> Vec<(String, String)> {
    pipelines
        .flat_map(|(name, p)| {
            started_by(&p.declaration, push)
                .into_iter()
                .map(move |a| (name.clone(), a))
        })
        .collect()
}

/// A zip of `files` (the pushed tree), deflated, entries in path order.
pub fn zip_tree(files: &BTreeMap<String, String>) -> Result<Bytes, String> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (path, content) in files {
            w.start_file(path.as_str(), opts)
                .map_err(|e| format!("file {path}: {e}"))?;
            std::io::Write::write_all(&mut w, content.as_bytes())
                .map_err(|e| format!("file {path}: {e}"))?;
        }
        w.finish().map_err(|e| e.to_string())?;
    }
    Ok(Bytes::from(buf.into_inner()))
}

/// A push arrives: the commit is recorded, its branch head moves, and every pipeline it
/// triggers starts an execution for exactly this commit. Answers `{"commitId",
/// "pipelineExecutionIds"}`.
pub fn on_push(call: &mut Call<'_>, push: Push) -> Result<Value, ServiceError> {
    let invalid = |m: &str| ServiceError::new("ValidationException", m);
    push.check().map_err(|m| invalid(&m))?;
    let archive = if push.files.is_empty() {
        Bytes::from_static(super::actions::EMPTY_ZIP)
    } else {
        zip_tree(&push.files).map_err(|e| invalid(&e))?
    };
    let id = push
        .commit_id
        .clone()
        .unwrap_or_else(|| call.core.ids.hex(40));
    call.state.git.record(Commit {
        id: id.clone(),
        repository: push.repository.clone(),
        branch: push.branch.clone(),
        message: push.message.clone().unwrap_or_default(),
        author_date: push
            .author_date
            .clone()
            .unwrap_or_else(|| iso8601(call.core.clock.now())),
        provider_type: push
            .provider_type
            .clone()
            .unwrap_or_else(|| "GitHub".into()),
        archive,
    });
    // One execution per pipeline, with this commit for each source action it triggered.
    let mut by_pipeline: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (pipeline, action) in pipelines_started(call.state.pipelines.iter(), &push) {
        by_pipeline.entry(pipeline).or_default().push(action);
    }
    let mut started = Vec::new();
    for (pipeline, actions) in by_pipeline {
        let (trigger, detail) = trigger_of(call, &pipeline, &actions[0]);
        let overrides = actions
            .iter()
            .map(|a| SourceRevisionOverride {
                action_name: a.clone(),
                revision_type: SourceRevisionType::CommitId,
                revision_value: id.clone(),
            })
            .collect();
        // A pipeline that cannot start (its definition refers to something gone) is skipped,
        // as AWS's change detection drops the event; the others still start.
        match super::runtime::start_execution(
            call,
            &pipeline,
            trigger,
            detail,
            Vec::new(),
            overrides,
        ) {
            Ok(exec) => started.push(exec),
            Err(e) => {
                tracing::warn!(pipeline, error = %e.message, "a push could not start the pipeline")
            }
        }
    }
    Ok(json!({"commitId": id, "pipelineExecutionIds": started}))
}

/// The trigger an execution started by a push reports. A connection's push is `WebhookV2`
/// (recorded from AWS); CodeCommit's change detection is an EventBridge rule and GitHub v1's a
/// webhook, hence `CloudWatchEvent` and `Webhook`. The details (the connection ARN, the
/// repository) are unconfirmed.
fn trigger_of(call: &Call<'_>, pipeline: &str, action: &str) -> (&'static str, Option<String>) {
    let a = call.state.pipelines.get(pipeline).and_then(|p| {
        p.declaration
            .stages
            .iter()
            .flat_map(|s| s.actions.iter())
            .find(|a| a.name.as_str() == action)
            .cloned()
    });
    let provider = a
        .as_ref()
        .map(|a| a.action_type_id.provider.clone())
        .unwrap_or_default();
    let config = a.as_ref().map(config_of).unwrap_or_default();
    match provider.as_str() {
        "CodeStarSourceConnection" => ("WebhookV2", config.get("ConnectionArn").cloned()),
        "CodeCommit" => ("CloudWatchEvent", config.get("RepositoryName").cloned()),
        _ => ("Webhook", tracked(&provider, &config).map(|(r, _)| r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decl(v: serde_json::Value) -> PipelineDeclaration {
        serde_json::from_value(v).expect("declaration")
    }

    fn pipeline(triggers: serde_json::Value) -> PipelineDeclaration {
        decl(json!({
            "name": "p", "pipelineType": "V2",
            "stages": [{"name": "Source", "actions": [{
                "name": "Src",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection", "version": "1"},
                "configuration": {"ConnectionArn": "arn:aws:codeconnections:us-east-1:000000000000:connection/c", "FullRepositoryId": "me/app", "BranchName": "main"}
            }]}],
            "triggers": triggers
        }))
    }

    fn push(branch: &str, files: &[&str]) -> Push {
        Push {
            repository: "me/app".into(),
            branch: Some(branch.into()),
            file_paths: Some(files.iter().map(|f| f.to_string()).collect()),
            ..Push::default()
        }
    }

    #[test]
    fn without_triggers_a_push_to_the_tracked_branch_starts_the_pipeline() {
        let d = pipeline(json!([]));
        assert_eq!(started_by(&d, &push("main", &["a"])), ["Src"]);
        assert!(started_by(&d, &push("dev", &["a"])).is_empty());
        let other = Push {
            repository: "me/other".into(),
            ..push("main", &["a"])
        };
        assert!(started_by(&d, &other).is_empty());
    }

    #[test]
    fn detect_changes_false_turns_change_detection_off() {
        let mut d = pipeline(json!([]));
        d.stages[0].actions[0]
            .configuration
            .get_or_insert_with(Default::default)
            .insert("DetectChanges".into(), "false".into());
        assert!(started_by(&d, &push("main", &["a"])).is_empty());
    }

    #[test]
    fn branch_globs_include_and_exclude_with_exclude_winning() {
        let d = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
                "sourceActionName": "Src",
                "push": [{"branches": {"includes": ["release/**", "main"], "excludes": ["release/old*"]}}]
            }}]),
        );
        assert_eq!(started_by(&d, &push("release/v1/hotfix", &["a"])), ["Src"]);
        assert_eq!(started_by(&d, &push("main", &["a"])), ["Src"]);
        assert!(started_by(&d, &push("release/old-1", &["a"])).is_empty());
        assert!(started_by(&d, &push("feature", &["a"])).is_empty());
    }

    #[test]
    fn file_path_filters_need_one_included_change() {
        let d = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
                "sourceActionName": "Src",
                "push": [{"branches": {"includes": ["main"]}, "filePaths": {"includes": ["src/**"], "excludes": ["**/*.md"]}}]
            }}]),
        );
        assert_eq!(
            started_by(&d, &push("main", &["README.md", "src/lib.rs"])),
            ["Src"]
        );
        assert!(started_by(&d, &push("main", &["src/notes.md"])).is_empty());
        assert!(started_by(&d, &push("main", &["docs/x.txt"])).is_empty());
    }

    #[test]
    fn tag_filters_match_tag_pushes_only() {
        let d = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
                "sourceActionName": "Src",
                "push": [{"tags": {"includes": ["v*"], "excludes": ["v0*"]}}]
            }}]),
        );
        let tag = |t: &str| Push {
            repository: "me/app".into(),
            tag: Some(t.into()),
            ..Push::default()
        };
        assert_eq!(started_by(&d, &tag("v1.2")), ["Src"]);
        assert!(started_by(&d, &tag("v0.9")).is_empty());
        assert!(started_by(&d, &push("main", &["a"])).is_empty());
    }

    #[test]
    fn pull_request_filters_match_events_and_destination_branch() {
        let d = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
                "sourceActionName": "Src",
                "pullRequest": [{"events": ["OPEN", "UPDATED"], "branches": {"includes": ["main"]}}]
            }}]),
        );
        let pr = |event: &str, dest: &str| Push {
            pull_request: Some(PullRequest {
                event: event.into(),
                source_branch: "feature".into(),
                destination_branch: dest.into(),
                id: Some("7".into()),
            }),
            ..push("feature", &["a"])
        };
        assert_eq!(started_by(&d, &pr("OPEN", "main")), ["Src"]);
        assert!(started_by(&d, &pr("CLOSED", "main")).is_empty());
        assert!(started_by(&d, &pr("OPEN", "dev")).is_empty());
        // A pull request is not a push: the push to the tracked branch does not fire either.
        assert!(started_by(&d, &push("main", &["a"])).is_empty());
    }

    #[test]
    fn triggers_must_name_a_connection_source_action_once() {
        let ok = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Src"}}]),
        );
        assert!(check_triggers(&ok).is_ok());
        let unknown = pipeline(
            json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Nope"}}]),
        );
        assert!(check_triggers(&unknown).is_err());
        let twice = pipeline(json!([
            {"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Src"}},
            {"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Src"}}
        ]));
        assert!(check_triggers(&twice).is_err());
    }

    #[test]
    fn heads_move_with_each_push_and_commits_stay_readable() {
        let mut r = Repositories::default();
        let commit = |id: &str| Commit {
            id: id.into(),
            repository: "me/app".into(),
            branch: Some("main".into()),
            message: String::new(),
            author_date: String::new(),
            provider_type: "GitHub".into(),
            archive: Bytes::new(),
        };
        r.record(commit("a1"));
        r.record(commit("b2"));
        assert_eq!(r.head("me/app", "main").map(|c| c.id.as_str()), Some("b2"));
        assert!(r.commit("a1").is_some());
        assert!(r.head("me/app", "dev").is_none());
    }
}

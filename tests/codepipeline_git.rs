//! Hosted git sources over the wire: the test plays the git host (`POST
//! /_codemock/codepipeline/pushes`, `MockServer::codepipeline().push`), a push starts the V2
//! pipelines its triggers or change detection select, and the connection source action hands on
//! the pushed tree, the commit as its revision and the variables AWS documents. The same Rust
//! API answers manual approvals and plays the job workers and functions of actions.

use crate::support::*;
use codemock::services::codepipeline::git::Push;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

async fn cp(s: &MockServer, op: &str, body: Value) -> Value {
    let r = call(s, &format!("CodePipeline_20150709.{op}"), &body.to_string()).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn bucket(s: &MockServer) {
    let req = http::Request::put("/artifacts")
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    assert_eq!(send(s, req).await.status, 200);
}

const CONNECTION: &str =
    "arn:aws:codeconnections:us-east-1:000000000000:connection/0f0e0d0c-aaaa-bbbb-cccc-000000000001";

/// A V2 pipeline: a connection source on `me/app` branch `main`, then a simulated deploy whose
/// configuration uses the source's variables.
fn pipeline(name: &str, triggers: Value) -> Value {
    json!({
        "name": name,
        "pipelineType": "V2",
        "executionMode": "QUEUED",
        "roleArn": "arn:aws:iam::000000000000:role/pipeline",
        "artifactStore": {"type": "S3", "location": "artifacts"},
        "triggers": triggers,
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Src",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection", "version": "1"},
                "configuration": {"ConnectionArn": CONNECTION, "FullRepositoryId": "me/app", "BranchName": "main"},
                "outputArtifacts": [{"name": "Code"}],
                "namespace": "SourceVariables"
            }]},
            {"name": "Deploy", "actions": [{
                "name": "Stack",
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app-#{SourceVariables.CommitId}"},
                "inputArtifacts": [{"name": "Code"}]
            }]}
        ]
    })
}

async fn push(s: &MockServer, body: Value) -> Reply {
    post(s, "/_codemock/codepipeline/pushes", &body.to_string()).await
}

async fn executions(s: &MockServer, name: &str) -> Vec<Value> {
    cp(s, "ListPipelineExecutions", json!({"pipelineName": name})).await
        ["pipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_push_to_the_tracked_branch_runs_the_pipeline_on_that_commit() {
    let s = MockServer::start().await;
    bucket(&s).await;
    cp(
        &s,
        "CreatePipeline",
        json!({"pipeline": pipeline("app", json!([]))}),
    )
    .await;
    s.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(
        executions(&s, "app").await.len(),
        1,
        "the CreatePipeline run"
    );

    let sha = "9fceb02d0ae598e95dc970b74767f19372d61af8";
    let r = push(
        &s,
        json!({"repository": "me/app", "branch": "main", "commitId": sha,
               "message": "Add the index page", "providerType": "GitHub",
               "authorDate": "2026-12-01T10:00:00Z",
               "files": {"index.html": "<h1>hi</h1>", "src/app.js": "go()"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["commitId"], sha);
    s.clock().advance(Duration::from_secs(60)).await;

    let execs = executions(&s, "app").await;
    assert_eq!(execs.len(), 2);
    let latest = &execs[0];
    assert_eq!(latest["status"], "Succeeded", "{latest:#}");
    assert_eq!(latest["trigger"]["triggerType"], "WebhookV2");
    assert_eq!(latest["sourceRevisions"][0]["revisionId"], sha);
    let summary =
        json!({"ProviderType": "GitHub", "CommitMessage": "Add the index page"}).to_string();
    assert_eq!(
        latest["sourceRevisions"][0]["revisionSummary"],
        summary.as_str()
    );

    let actions = cp(
        &s,
        "ListActionExecutions",
        json!({"pipelineName": "app", "filter": {"pipelineExecutionId": latest["pipelineExecutionId"]}}),
    )
    .await["actionExecutionDetails"]
        .clone();
    let by_name = |n: &str| {
        actions
            .as_array()
            .and_then(|a| a.iter().find(|x| x["actionName"] == n))
            .cloned()
            .unwrap_or_default()
    };
    let src = by_name("Src");
    let vars = &src["output"]["outputVariables"];
    assert_eq!(vars["CommitId"], sha);
    assert_eq!(vars["BranchName"], "main");
    assert_eq!(vars["CommitMessage"], "Add the index page");
    assert_eq!(vars["AuthorDate"], "2026-12-01T10:00:00Z");
    assert_eq!(vars["ConnectionArn"], CONNECTION);
    assert_eq!(vars["FullRepositoryName"], "me/app");
    assert_eq!(src["output"]["executionResult"]["externalExecutionId"], sha);
    assert_eq!(
        by_name("Stack")["input"]["resolvedConfiguration"]["StackName"],
        format!("app-{sha}")
    );

    // The output artifact is the pushed tree.
    let location = &src["output"]["outputArtifacts"][0]["s3location"];
    let path = format!(
        "/{}/{}",
        location["bucket"].as_str().unwrap_or_default(),
        location["key"].as_str().unwrap_or_default()
    );
    let req = http::Request::get(path.as_str())
        .header("host", "localhost")
        .header("authorization", authorization("AKID", "us-east-1", "s3"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let object = send(&s, req).await;
    assert_eq!(object.status, 200, "{path}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(object.body.to_vec())).expect("zip");
    let mut page = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("index.html").expect("entry"), &mut page)
        .expect("read");
    assert_eq!(page, "<h1>hi</h1>");

    // The state shows the commit as the source's current revision.
    let state = cp(&s, "GetPipelineState", json!({"name": "app"})).await;
    let source = &state["stageStates"][0]["actionStates"][0];
    assert_eq!(source["currentRevision"]["revisionId"], sha);
    assert_eq!(source["latestExecution"]["summary"], summary.as_str());

    // Other branches, other repositories and tags start nothing.
    for other in [
        json!({"repository": "me/app", "branch": "dev"}),
        json!({"repository": "me/other", "branch": "main"}),
        json!({"repository": "me/app", "tag": "v1"}),
    ] {
        assert_eq!(push(&s, other).await.status, 200);
    }
    s.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(executions(&s, "app").await.len(), 2);
}

#[tokio::test]
async fn trigger_filters_choose_the_pushes_that_start_the_pipeline() {
    let s = MockServer::start().await;
    bucket(&s).await;
    let triggers = json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
        "sourceActionName": "Src",
        "push": [
            {"branches": {"includes": ["main", "release/**"]}, "filePaths": {"includes": ["src/**"], "excludes": ["**/*.md"]}},
            {"tags": {"includes": ["v*"]}}
        ],
        "pullRequest": [{"events": ["OPEN"], "branches": {"includes": ["main"]}}]
    }}]);
    cp(
        &s,
        "CreatePipeline",
        json!({"pipeline": pipeline("app", triggers)}),
    )
    .await;
    s.clock().advance(Duration::from_secs(60)).await;
    let base = executions(&s, "app").await.len();

    let cases = [
        (
            json!({"repository": "me/app", "branch": "main", "filePaths": ["README.md"]}),
            false,
        ),
        (
            json!({"repository": "me/app", "branch": "main", "filePaths": ["src/lib.rs"]}),
            true,
        ),
        (
            json!({"repository": "me/app", "branch": "release/2/x", "filePaths": ["src/a"]}),
            true,
        ),
        (
            json!({"repository": "me/app", "branch": "feature", "filePaths": ["src/a"]}),
            false,
        ),
        (json!({"repository": "me/app", "tag": "v2.0"}), true),
        (json!({"repository": "me/app", "tag": "nightly"}), false),
        (
            json!({"repository": "me/app", "branch": "feature", "pullRequest":
            {"event": "OPEN", "sourceBranch": "feature", "destinationBranch": "main"}}),
            true,
        ),
        (
            json!({"repository": "me/app", "branch": "feature", "pullRequest":
            {"event": "CLOSED", "sourceBranch": "feature", "destinationBranch": "main"}}),
            false,
        ),
    ];
    let mut expected = base;
    for (body, starts) in cases {
        let r = push(&s, body.clone()).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        s.clock().advance(Duration::from_secs(60)).await;
        expected += usize::from(starts);
        let execs = executions(&s, "app").await;
        assert_eq!(execs.len(), expected, "{body}");
        if starts {
            assert_eq!(execs[0]["trigger"]["triggerType"], "WebhookV2");
            assert_eq!(
                execs[0]["sourceRevisions"][0]["revisionId"],
                r.json()["commitId"]
            );
        }
    }
}

#[tokio::test]
async fn triggers_must_reference_a_connection_source_action() {
    let s = MockServer::start().await;
    bucket(&s).await;
    let bad = json!([{"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Nope"}}]);
    let r = call(
        &s,
        "CodePipeline_20150709.CreatePipeline",
        &json!({"pipeline": pipeline("app", bad)}).to_string(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Triggers for connection must reference a CodeStarSourceConnection action"));
    let r = call(&s, "CodePipeline_20150709.ListPipelines", "{}").await;
    assert_eq!(r.json()["pipelines"], json!([]), "nothing created");
}

#[tokio::test]
async fn a_push_without_repository_or_ref_is_refused() {
    let s = MockServer::start().await;
    for body in [
        json!({"branch": "main"}),
        json!({"repository": "me/app"}),
        json!({"repository": "me/app", "branch": "main", "bogus": 1}),
    ] {
        let r = push(&s, body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["__type"], "ValidationException");
    }
    assert_eq!(push(&s, json!("not an object")).await.status, 400);
}

#[tokio::test]
async fn the_rust_api_pushes_too_and_a_start_override_picks_an_older_commit() {
    let s = MockServer::start().await;
    bucket(&s).await;
    cp(
        &s,
        "CreatePipeline",
        json!({"pipeline": pipeline("app", json!([]))}),
    )
    .await;
    s.clock().advance(Duration::from_secs(60)).await;
    let first = s
        .codepipeline()
        .push(Push {
            repository: "me/app".into(),
            branch: Some("main".into()),
            message: Some("one".into()),
            files: BTreeMap::from([("v.txt".into(), "1".into())]),
            ..Push::default()
        })
        .expect("pushed")
        .commit_id;
    assert_eq!(first.len(), 40);
    s.clock().advance(Duration::from_secs(60)).await;
    let second = s
        .codepipeline()
        .push(Push {
            repository: "me/app".into(),
            branch: Some("main".into()),
            message: Some("two".into()),
            ..Push::default()
        })
        .expect("pushed");
    assert_eq!(second.pipeline_execution_ids.len(), 1);
    let second = second.commit_id;
    s.clock().advance(Duration::from_secs(60)).await;
    let execs = executions(&s, "app").await;
    assert_eq!(execs.len(), 3);
    assert_eq!(
        execs[0]["sourceRevisions"][0]["revisionId"],
        second.as_str()
    );
    assert_eq!(execs[1]["sourceRevisions"][0]["revisionId"], first.as_str());

    // StartPipelineExecution with a COMMIT_ID override runs the older commit.
    cp(
        &s,
        "StartPipelineExecution",
        json!({"name": "app", "sourceRevisions": [{"actionName": "Src", "revisionType": "COMMIT_ID", "revisionValue": first}]}),
    )
    .await;
    s.clock().advance(Duration::from_secs(60)).await;
    let latest = &executions(&s, "app").await[0];
    assert_eq!(latest["trigger"]["triggerType"], "StartPipelineExecution");
    assert_eq!(latest["sourceRevisions"][0]["revisionId"], first.as_str());
    assert_eq!(
        latest["sourceRevisions"][0]["revisionSummary"],
        json!({"ProviderType": "GitHub", "CommitMessage": "one"})
            .to_string()
            .as_str()
    );
}

#[tokio::test]
async fn the_rust_api_answers_approvals_with_put_approval_results_rules() {
    let s = MockServer::start().await;
    bucket(&s).await;
    let mut p = pipeline("app", json!([]));
    p["stages"][1] = json!({"name": "Approve", "actions": [{
        "name": "Gate",
        "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}
    }]});
    cp(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.clock().advance(Duration::from_secs(60)).await;
    let control = s.codepipeline();
    control
        .approve("app", "Approve", "Gate", "fine by me")
        .expect("approved");
    s.clock().advance(Duration::from_secs(60)).await;
    let latest = &executions(&s, "app").await[0];
    assert_eq!(latest["status"], "Succeeded", "{latest:#}");
    // Nothing waits any more: PutApprovalResult's error.
    let e = control
        .reject("app", "Approve", "Gate", "too late")
        .expect_err("nothing to answer");
    assert_eq!(e.code, "ApprovalAlreadyCompletedException");
    let e = control
        .approve("app", "Nope", "Gate", "")
        .expect_err("no such stage");
    assert_eq!(e.code, "StageNotFoundException");
}

#[tokio::test]
async fn the_rust_api_plays_the_function_of_an_invoke_action() {
    let s = MockServer::start().await;
    bucket(&s).await;
    let mut p = pipeline("app", json!([]));
    p["stages"][1] = json!({"name": "Check", "actions": [{
        "name": "Fn",
        "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1"},
        "configuration": {"FunctionName": "checker"},
        "namespace": "Checked"
    }]});
    cp(&s, "CreatePipeline", json!({"pipeline": p})).await;
    s.clock().advance(Duration::from_secs(60)).await;
    let control = s.codepipeline();
    let jobs = control.pending_jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].pipeline_name, "app");
    assert_eq!(jobs[0].stage_name.as_deref(), Some("Check"));
    assert_eq!(jobs[0].action_name.as_deref(), Some("Fn"));
    assert_eq!(jobs[0].provider.as_deref(), Some("Lambda"));
    control
        .succeed_job(
            &jobs[0].job_id,
            BTreeMap::from([("Verdict".to_owned(), "ok".to_owned())]),
        )
        .expect("succeeded");
    s.clock().advance(Duration::from_secs(60)).await;
    assert!(control.pending_jobs().is_empty());
    let latest = &executions(&s, "app").await[0];
    assert_eq!(latest["status"], "Succeeded", "{latest:#}");
    let actions = cp(&s, "ListActionExecutions", json!({"pipelineName": "app"})).await;
    assert_eq!(
        actions["actionExecutionDetails"][0]["output"]["outputVariables"]["Verdict"],
        "ok"
    );
    // A job already answered: PutJobFailureResult's error.
    let e = control
        .fail_job(&jobs[0].job_id, "late")
        .expect_err("not waiting");
    assert!(!e.code.is_empty());

    // The next run's job fails the action with the message.
    cp(&s, "StartPipelineExecution", json!({"name": "app"})).await;
    s.clock().advance(Duration::from_secs(60)).await;
    let job = control.pending_jobs().remove(0);
    control
        .fail_job(&job.job_id, "check failed")
        .expect("failed");
    s.clock().advance(Duration::from_secs(60)).await;
    let latest = &executions(&s, "app").await[0];
    assert_eq!(latest["status"], "Failed", "{latest:#}");
}

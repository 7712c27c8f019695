//! CodeBuild sandboxes over the wire: a sandbox filled from its project walks its session from
//! QUEUED through PROVISIONING to READY on the manual clock, runs commands one at a time (exit
//! codes from outcome rules), answers a connection, stops, lists with paging, and refuses what
//! AWS refuses.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn cb(server: &MockServer, op: &str, body: Value) -> Reply {
    call(
        server,
        &format!("CodeBuild_20161006.{op}"),
        &body.to_string(),
    )
    .await
}

async fn ok(server: &MockServer, op: &str, body: Value) -> Value {
    let r = cb(server, op, body).await;
    assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn err(server: &MockServer, op: &str, body: Value) -> (String, String) {
    let r = cb(server, op, body).await;
    assert_eq!(r.status, 400, "{op}: {}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    (
        v["__type"].as_str().unwrap_or_default().to_owned(),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

fn project(name: &str) -> Value {
    json!({
        "name": name,
        "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": "arn:aws:iam::000000000000:role/codebuild",
        "timeoutInMinutes": 30,
    })
}

async fn start(server: &MockServer, project: &str) -> Value {
    ok(server, "StartSandbox", json!({"projectName": project})).await["sandbox"].clone()
}

async fn get_path(server: &MockServer, path: &str) -> Reply {
    crate::support::get(server, path).await
}

async fn get(server: &MockServer, id: &str) -> Value {
    ok(server, "BatchGetSandboxes", json!({"ids": [id]})).await["sandboxes"][0].clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn phase_names(sandbox: &Value) -> Vec<String> {
    sandbox["currentSession"]["phases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["phaseType"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_sandbox_is_filled_from_its_project_and_gets_ready_on_the_manual_clock() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let sb = start(&s, "app").await;
    let id = id_of(&sb);
    assert!(id.starts_with("app:"), "{id}");
    assert_eq!(
        sb["arn"],
        format!("arn:aws:codebuild:us-east-1:000000000000:sandbox/{id}")
    );
    assert_eq!(sb["projectName"], "app");
    assert_eq!(sb["status"], "QUEUED");
    assert_eq!(sb["environment"]["image"], "aws/codebuild/standard:7.0");
    assert_eq!(sb["source"]["type"], "NO_SOURCE");
    assert_eq!(
        sb["serviceRole"],
        "arn:aws:iam::000000000000:role/codebuild"
    );
    assert_eq!(sb["timeoutInMinutes"], 30);
    assert_eq!(sb["queuedTimeoutInMinutes"], 480);
    assert!(sb["requestTime"].is_number());
    let session = &sb["currentSession"];
    assert_eq!(session["status"], "IN_PROGRESS");
    assert_eq!(session["currentPhase"], "QUEUED");
    assert_eq!(session["logs"]["groupName"], "/aws/codebuild/app");
    assert_eq!(session["logs"]["streamName"], session["id"]);
    assert_eq!(phase_names(&sb), ["SUBMITTED", "QUEUED"]);

    s.clock().advance(Duration::from_secs(5)).await;
    assert_eq!(get(&s, &id).await["status"], "PROVISIONING");
    s.clock().advance(Duration::from_secs(10)).await;
    let ready = get(&s, &id).await;
    assert_eq!(ready["status"], "READY");
    assert!(ready["startTime"].is_number());
    assert_eq!(ready["currentSession"]["currentPhase"], "RUN_SANDBOX");
    assert_eq!(
        phase_names(&ready),
        [
            "SUBMITTED",
            "QUEUED",
            "PROVISIONING",
            "DOWNLOAD_SOURCE",
            "RUN_SANDBOX"
        ]
    );
    assert_eq!(
        ready["currentSession"]["phases"][2]["durationInSeconds"],
        10
    );
    // A sandbox waits for commands: 20 minutes later (within its 30-minute timeout) it is
    // still ready.
    s.clock().advance(Duration::from_secs(20 * 60)).await;
    assert_eq!(get(&s, &id).await["status"], "READY");

    let by_arn = ok(
        &s,
        "BatchGetSandboxes",
        json!({"ids": [ready["arn"], "app:nope"]}),
    )
    .await;
    assert_eq!(by_arn["sandboxes"][0]["id"], id.as_str());
    assert_eq!(by_arn["sandboxesNotFound"], json!(["app:nope"]));
}

#[tokio::test]
async fn commands_wait_for_the_sandbox_then_run_one_at_a_time() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let id = id_of(&start(&s, "app").await);
    let first = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "echo one"}),
    )
    .await["commandExecution"]
        .clone();
    assert_eq!(first["status"], "SUBMITTED");
    assert_eq!(first["type"], "SHELL");
    assert_eq!(first["sandboxId"], id.as_str());
    assert_eq!(first["command"], "echo one");
    assert!(first["sandboxArn"]
        .as_str()
        .unwrap_or_default()
        .ends_with(&format!(":sandbox/{id}")));
    assert!(first.get("startTime").is_none());
    let second = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "echo two", "type": "SHELL"}),
    )
    .await["commandExecution"]
        .clone();
    // Ready after 13 s; each command takes a second.
    s.clock().advance(Duration::from_secs(13)).await;
    let ids = json!([first["id"], second["id"]]);
    let got = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": ids}),
    )
    .await;
    assert_eq!(got["commandExecutions"][0]["status"], "IN_PROGRESS");
    assert_eq!(got["commandExecutions"][1]["status"], "SUBMITTED");
    s.clock().advance(Duration::from_secs(2)).await;
    let got = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": [first["id"], second["id"], "nope"]}),
    )
    .await;
    let one = &got["commandExecutions"][0];
    assert_eq!(one["status"], "SUCCEEDED");
    assert_eq!(one["exitCode"], "0");
    assert_eq!(
        one["endTime"].as_f64().unwrap_or_default() - one["startTime"].as_f64().unwrap_or_default(),
        1.0
    );
    assert_eq!(got["commandExecutions"][1]["status"], "SUCCEEDED");
    assert_eq!(got["commandExecutionsNotFound"], json!(["nope"]));

    // Listed newest first by default, in order when asked, a page at a time.
    let listed = ok(
        &s,
        "ListCommandExecutionsForSandbox",
        json!({"sandboxId": id}),
    )
    .await;
    let order: Vec<&str> = listed["commandExecutions"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["command"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(order, ["echo two", "echo one"]);
    let page = ok(
        &s,
        "ListCommandExecutionsForSandbox",
        json!({"sandboxId": id, "sortOrder": "ASCENDING", "maxResults": 1}),
    )
    .await;
    assert_eq!(page["commandExecutions"][0]["command"], "echo one");
    let rest = ok(
        &s,
        "ListCommandExecutionsForSandbox",
        json!({"sandboxId": id, "sortOrder": "ASCENDING", "maxResults": 1, "nextToken": page["nextToken"]}),
    )
    .await;
    assert_eq!(rest["commandExecutions"][0]["command"], "echo two");
    assert!(rest.get("nextToken").is_none());

    // The session log shows the commands.
    let session = get(&s, &id).await["currentSession"].clone();
    let logs = json_call(
        &s,
        "application/x-amz-json-1.1",
        "Logs_20140328.GetLogEvents",
        json!({
            "logGroupName": "/aws/codebuild/app",
            "logStreamName": session["logs"]["streamName"],
            "startFromHead": true,
        }),
    )
    .await;
    let lines: Vec<String> = logs["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[Container] ") && l.ends_with("Running command echo one")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn an_outcome_rule_gives_a_command_its_exit_code() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    post(
        &s,
        "/_codemock/outcomes",
        &json!({"service": "codebuild", "resource": "app", "step": "COMMAND_EXECUTION", "outcome": "FAILED", "code": "3", "message": "boom", "seconds": 4}).to_string(),
    )
    .await;
    let id = id_of(&start(&s, "app").await);
    s.clock().advance(Duration::from_secs(13)).await;
    let c = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "make test"}),
    )
    .await["commandExecution"]
        .clone();
    assert_eq!(c["status"], "IN_PROGRESS");
    s.clock().advance(Duration::from_secs(4)).await;
    let done = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": [c["id"]]}),
    )
    .await["commandExecutions"][0]
        .clone();
    assert_eq!(done["status"], "FAILED");
    assert_eq!(done["exitCode"], "3");
    assert_eq!(done["standardErrContent"], "boom");
    // The sandbox stays ready for the next command.
    assert_eq!(get(&s, &id).await["status"], "READY");
}

#[tokio::test]
async fn stop_sandbox_stops_its_commands_and_refuses_new_ones() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let sb = start(&s, "app").await;
    let id = id_of(&sb);
    s.clock().advance(Duration::from_secs(13)).await;
    post(
        &s,
        "/_codemock/outcomes",
        &json!({"service": "codebuild", "step": "COMMAND_EXECUTION", "outcome": "HANG"})
            .to_string(),
    )
    .await;
    let c = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "sleep 1000"}),
    )
    .await["commandExecution"]
        .clone();
    let stopping = ok(&s, "StopSandbox", json!({"id": sb["arn"]})).await["sandbox"].clone();
    assert_eq!(stopping["status"], "STOPPING");
    assert_eq!(stopping["currentSession"]["currentPhase"], "FINALIZING");
    let run = &stopping["currentSession"]["phases"][4];
    assert_eq!(run["phaseType"], "RUN_SANDBOX");
    assert_eq!(run["phaseStatus"], "STOPPED");
    let (code, message) = err(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "ls"}),
    )
    .await;
    assert_eq!(code, "InvalidInputException");
    assert_eq!(message, format!("Sandbox {id} is not running"));
    s.clock().advance(Duration::from_secs(2)).await;
    let stopped = get(&s, &id).await;
    assert_eq!(stopped["status"], "STOPPED");
    assert!(stopped["endTime"].is_number());
    assert_eq!(stopped["currentSession"]["status"], "STOPPED");
    assert_eq!(stopped["currentSession"]["currentPhase"], "COMPLETED");
    assert!(stopped["currentSession"]["endTime"].is_number());
    let cmd = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": [c["id"]]}),
    )
    .await["commandExecutions"][0]
        .clone();
    assert_eq!(cmd["status"], "STOPPED");
    assert!(cmd.get("exitCode").is_none());
    // Stopping again answers the stopped sandbox.
    let again = ok(&s, "StopSandbox", json!({"id": id})).await["sandbox"].clone();
    assert_eq!(again["status"], "STOPPED");
    let (code, message) = err(&s, "StartSandboxConnection", json!({"sandboxId": id})).await;
    assert_eq!(code, "InvalidInputException");
    assert!(
        message.starts_with(&format!(
            "Failed to start SSM session for sandbox {}: codebuild:",
            sb["arn"].as_str().unwrap_or_default()
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_ready_sandbox_answers_a_connection_with_an_ssm_session_shape() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let id = id_of(&start(&s, "app").await);
    s.clock().advance(Duration::from_secs(13)).await;
    let c = ok(&s, "StartSandboxConnection", json!({"sandboxId": id})).await["ssmSession"].clone();
    let session = c["sessionId"].as_str().unwrap_or_default();
    assert!(session.starts_with("codebuild-"), "{session}");
    assert_eq!(
        c["streamUrl"],
        format!(
            "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{session}?role=publish_subscribe"
        )
    );
    assert!(c["tokenValue"].is_string());
}

#[tokio::test]
async fn sandboxes_list_newest_first_with_paging_and_per_project() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("web")).await;
    ok(&s, "CreateProject", project("api")).await;
    let a1 = id_of(&start(&s, "web").await);
    let b1 = id_of(&start(&s, "api").await);
    let a2 = id_of(&start(&s, "arn:aws:codebuild:us-east-1:000000000000:project/web").await);
    let all = ok(&s, "ListSandboxes", json!({})).await;
    assert_eq!(all["ids"], json!([a2, b1, a1]));
    assert!(all.get("nextToken").is_none());
    let page = ok(
        &s,
        "ListSandboxes",
        json!({"sortOrder": "ASCENDING", "maxResults": 2}),
    )
    .await;
    assert_eq!(page["ids"], json!([a1, b1]));
    let rest = ok(
        &s,
        "ListSandboxes",
        json!({"sortOrder": "ASCENDING", "maxResults": 2, "nextToken": page["nextToken"]}),
    )
    .await;
    assert_eq!(rest["ids"], json!([a2]));
    let of_a = ok(&s, "ListSandboxesForProject", json!({"projectName": "web"})).await;
    assert_eq!(of_a["ids"], json!([a2, a1]));
    let (code, message) = err(
        &s,
        "ListSandboxesForProject",
        json!({"projectName": "nope"}),
    )
    .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        message,
        "The provided project arn:aws:codebuild:us-east-1:000000000000:project/nope does not exist"
    );
    let (code, _) = err(&s, "ListSandboxes", json!({"nextToken": "garbage"})).await;
    assert_eq!(code, "InvalidInputException");
}

#[tokio::test]
async fn unknown_projects_and_sandboxes_are_resource_not_found() {
    let s = MockServer::start().await;
    let (code, message) = err(&s, "StartSandbox", json!({"projectName": "nope"})).await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        message,
        "Project cannot be found: arn:aws:codebuild:us-east-1:000000000000:project/nope"
    );
    for (op, body) in [
        ("StopSandbox", json!({"id": "nope:1"})),
        ("StartSandboxConnection", json!({"sandboxId": "nope:1"})),
        (
            "StartCommandExecution",
            json!({"sandboxId": "nope:1", "command": "ls"}),
        ),
        (
            "ListCommandExecutionsForSandbox",
            json!({"sandboxId": "nope:1"}),
        ),
    ] {
        let (code, message) = err(&s, op, body).await;
        assert_eq!(code, "ResourceNotFoundException", "{op}");
        assert_eq!(message, "Sandbox nope:1 does not exist", "{op}");
    }
    let got = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": "nope:1", "commandExecutionIds": ["x"]}),
    )
    .await;
    assert_eq!(got["commandExecutions"], json!([]));
    assert_eq!(got["commandExecutionsNotFound"], json!(["x"]));
    // StartCommandExecution requires its command, as the model says.
    let (code, message) = err(&s, "StartCommandExecution", json!({"sandboxId": "x"})).await;
    assert_eq!(code, "ValidationException");
    assert!(message.contains("'command'"), "{message}");
}

#[tokio::test]
async fn an_idempotency_token_answers_the_same_sandbox_and_timeouts_stop_it() {
    let s = MockServer::start().await;
    ok(&s, "CreateProject", project("app")).await;
    let once = json!({"projectName": "app", "idempotencyToken": "t-1"});
    let a = ok(&s, "StartSandbox", once.clone()).await["sandbox"]["id"].clone();
    let b = ok(&s, "StartSandbox", once).await["sandbox"]["id"].clone();
    assert_eq!(a, b);
    let id = a.as_str().unwrap_or_default().to_owned();
    // timeoutInMinutes counts from PROVISIONING (1 s after the request).
    s.clock().advance(Duration::from_secs(30 * 60 + 1)).await;
    let after = get(&s, &id).await;
    assert_eq!(
        after["currentSession"]["phases"][4]["phaseStatus"],
        "TIMED_OUT"
    );
    s.clock().advance(Duration::from_secs(2)).await;
    let done = get(&s, &id).await;
    assert_eq!(done["status"], "STOPPED");
    assert_eq!(done["currentSession"]["status"], "TIMED_OUT");
    // AWS documents no sandbox event: none was put on a bus.
    let log = get_path(&s, "/_codemock/events").await.json().to_string();
    assert!(!log.contains(":sandbox/"), "{log}");
}

#[tokio::test]
async fn the_local_executor_really_runs_commands_in_one_workspace() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["tags"] = json!([{"key": "codemock:executor", "value": "local"}]);
    p["environment"]["environmentVariables"] = json!([{"name": "GREETING", "value": "hello"}]);
    ok(&s, "CreateProject", p).await;
    let id = id_of(&start(&s, "app").await);
    s.settle().await;
    assert_eq!(get(&s, &id).await["status"], "READY");
    let write = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "echo \"$GREETING\" > note.txt"}),
    )
    .await["commandExecution"]
        .clone();
    let read = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "cat note.txt; echo oops >&2; exit 3"}),
    )
    .await["commandExecution"]
        .clone();
    // Settling runs the two commands' jobs one after the other.
    s.settle().await;
    let got = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": [write["id"], read["id"]]}),
    )
    .await["commandExecutions"]
        .clone();
    assert_eq!(got[0]["status"], "SUCCEEDED");
    assert_eq!(got[0]["exitCode"], "0");
    assert!(got[0].get("standardOutputContent").is_none());
    assert_eq!(got[1]["status"], "FAILED");
    assert_eq!(got[1]["exitCode"], "3");
    assert_eq!(got[1]["standardOutputContent"], "hello\n", "{got}");
    assert_eq!(got[1]["standardErrContent"], "oops\n");
    ok(&s, "StopSandbox", json!({"id": id})).await;
    s.settle().await;
    assert_eq!(get(&s, &id).await["status"], "STOPPED");
}

#[tokio::test]
async fn stopping_a_local_sandbox_kills_its_running_command() {
    let s = MockServer::start().await;
    let mut p = project("app");
    p["tags"] = json!([{"key": "codemock:executor", "value": "local"}]);
    ok(&s, "CreateProject", p).await;
    let id = id_of(&start(&s, "app").await);
    s.settle().await;
    let c = ok(
        &s,
        "StartCommandExecution",
        json!({"sandboxId": id, "command": "sleep 600"}),
    )
    .await["commandExecution"]
        .clone();
    assert_eq!(c["status"], "IN_PROGRESS");
    ok(&s, "StopSandbox", json!({"id": id})).await;
    // Settling waits for running jobs: it returns because the stop killed the shell.
    s.settle().await;
    let got = ok(
        &s,
        "BatchGetCommandExecutions",
        json!({"sandboxId": id, "commandExecutionIds": [c["id"]]}),
    )
    .await["commandExecutions"][0]
        .clone();
    assert_eq!(got["status"], "STOPPED");
    assert_eq!(get(&s, &id).await["status"], "STOPPED");
}

//! aws-sdk-codebuild against `MockServer`: all nine sandbox operations. A sandbox gets ready on
//! the manual clock, runs commands (one failing by an outcome rule), answers a connection, pages
//! through the list paginators, stops, and answers the typed errors.

use aws_config::retry::RetryConfig;
use aws_sdk_codebuild::types::{
    ArtifactsType, CommandType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
    ProjectSource, SortOrderType, SourceType,
};
use codemock::{MockServer, Outcome, OutcomeRule};
use std::time::Duration;

fn client(server: &MockServer) -> aws_sdk_codebuild::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_codebuild::Client::new(&conf)
}

async fn create(cb: &aws_sdk_codebuild::Client, name: &str) {
    cb.create_project()
        .name(name)
        .source(
            ProjectSource::builder()
                .r#type(SourceType::NoSource)
                .buildspec("version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n")
                .build()
                .expect("source"),
        )
        .artifacts(
            ProjectArtifacts::builder()
                .r#type(ArtifactsType::NoArtifacts)
                .build()
                .expect("artifacts"),
        )
        .environment(
            ProjectEnvironment::builder()
                .r#type(EnvironmentType::LinuxContainer)
                .image("aws/codebuild/standard:7.0")
                .compute_type(ComputeType::BuildGeneral1Small)
                .build()
                .expect("environment"),
        )
        .service_role("arn:aws:iam::000000000000:role/cb")
        .send()
        .await
        .expect("create project");
}

#[tokio::test]
async fn a_sandbox_gets_ready_runs_commands_and_stops() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(&cb, "app").await;
    let sandbox = cb
        .start_sandbox()
        .project_name("app")
        .send()
        .await
        .expect("start sandbox")
        .sandbox
        .expect("sandbox");
    let id = sandbox.id().unwrap_or_default().to_owned();
    assert_eq!(sandbox.status(), Some("QUEUED"));
    assert_eq!(sandbox.project_name(), Some("app"));
    assert_eq!(
        sandbox.environment().map(|e| e.image()),
        Some("aws/codebuild/standard:7.0")
    );
    let session = sandbox.current_session().expect("session");
    assert_eq!(
        session.logs().and_then(|l| l.group_name()),
        Some("/aws/codebuild/app")
    );

    // A command sent before the sandbox is ready waits for it.
    let early = cb
        .start_command_execution()
        .sandbox_id(&id)
        .command("echo early")
        .r#type(CommandType::Shell)
        .send()
        .await
        .expect("start command")
        .command_execution
        .expect("execution");
    assert_eq!(early.status(), Some("SUBMITTED"));
    server.clock().advance(Duration::from_secs(15)).await;
    let got = cb
        .batch_get_sandboxes()
        .ids(sandbox.arn().unwrap_or_default())
        .send()
        .await
        .expect("get sandboxes");
    let ready = &got.sandboxes()[0];
    assert_eq!(ready.status(), Some("READY"));
    assert_eq!(
        ready.current_session().and_then(|s| s.current_phase()),
        Some("RUN_SANDBOX")
    );
    assert!(got.sandboxes_not_found().is_empty());

    server.outcomes().add(
        OutcomeRule::new("codebuild", Outcome::Failed)
            .resource("app")
            .step("COMMAND_EXECUTION")
            .code("2"),
    );
    let failing = cb
        .start_command_execution()
        .sandbox_id(&id)
        .command("false")
        .send()
        .await
        .expect("start command")
        .command_execution
        .expect("execution");
    assert_eq!(failing.status(), Some("IN_PROGRESS"));
    server.clock().advance(Duration::from_secs(2)).await;
    let executions = cb
        .batch_get_command_executions()
        .sandbox_id(&id)
        .command_execution_ids(early.id().unwrap_or_default())
        .command_execution_ids(failing.id().unwrap_or_default())
        .command_execution_ids("missing")
        .send()
        .await
        .expect("get executions");
    let [first, second] = executions.command_executions() else {
        panic!("{executions:?}");
    };
    assert_eq!(
        (first.status(), first.exit_code()),
        (Some("SUCCEEDED"), Some("0"))
    );
    assert_eq!(
        (second.status(), second.exit_code()),
        (Some("FAILED"), Some("2"))
    );
    assert_eq!(executions.command_executions_not_found(), ["missing"]);

    // The paginator walks the executions one page at a time, oldest first when asked.
    let commands: Vec<String> = cb
        .list_command_executions_for_sandbox()
        .sandbox_id(&id)
        .sort_order(SortOrderType::Ascending)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("list executions")
        .iter()
        .map(|c| c.command().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(commands, ["echo early", "false"]);

    let ssm = cb
        .start_sandbox_connection()
        .sandbox_id(&id)
        .send()
        .await
        .expect("connect")
        .ssm_session
        .expect("ssm session");
    assert!(ssm
        .stream_url()
        .is_some_and(|u| u.starts_with("wss://ssmmessages.us-east-1.amazonaws.com/")));
    assert!(ssm.session_id().is_some() && ssm.token_value().is_some());

    let stopping = cb
        .stop_sandbox()
        .id(&id)
        .send()
        .await
        .expect("stop")
        .sandbox
        .expect("sandbox");
    assert_eq!(stopping.status(), Some("STOPPING"));
    server.clock().advance(Duration::from_secs(2)).await;
    let stopped = cb
        .batch_get_sandboxes()
        .ids(&id)
        .send()
        .await
        .expect("get")
        .sandboxes()[0]
        .clone();
    assert_eq!(stopped.status(), Some("STOPPED"));
    assert_eq!(
        stopped.current_session().and_then(|s| s.status()),
        Some("STOPPED")
    );
    let err = cb
        .start_command_execution()
        .sandbox_id(&id)
        .command("ls")
        .send()
        .await
        .expect_err("a stopped sandbox takes no command")
        .into_service_error();
    assert!(err.is_invalid_input_exception(), "{err:?}");
}

#[tokio::test]
async fn sandboxes_list_through_the_paginators_and_unknown_ones_are_typed_errors() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(&cb, "web").await;
    create(&cb, "api").await;
    let mut started = Vec::new();
    for project in ["web", "api", "web"] {
        let s = cb
            .start_sandbox()
            .project_name(project)
            .send()
            .await
            .expect("start");
        started.push(s.sandbox.and_then(|s| s.id).unwrap_or_default());
    }
    let all: Vec<String> = cb
        .list_sandboxes()
        .sort_order(SortOrderType::Ascending)
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("list sandboxes");
    assert_eq!(all, started);
    let web: Vec<String> = cb
        .list_sandboxes_for_project()
        .project_name("web")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("list for project");
    assert_eq!(web, [started[2].clone(), started[0].clone()]);

    let err = cb
        .list_sandboxes_for_project()
        .project_name("nope")
        .send()
        .await
        .expect_err("unknown project")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let err = cb
        .start_sandbox()
        .project_name("nope")
        .send()
        .await
        .expect_err("unknown project")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let err = cb
        .stop_sandbox()
        .id("web:missing")
        .send()
        .await
        .expect_err("unknown sandbox")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let err = cb
        .start_sandbox_connection()
        .sandbox_id("web:missing")
        .send()
        .await
        .expect_err("unknown sandbox")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let got = cb
        .batch_get_sandboxes()
        .ids("web:missing")
        .send()
        .await
        .expect("batch get");
    assert!(got.sandboxes().is_empty());
    assert_eq!(got.sandboxes_not_found(), ["web:missing"]);
}

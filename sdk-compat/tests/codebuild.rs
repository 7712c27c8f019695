//! aws-sdk-codebuild against `MockServer`: projects, a simulated build walked on the manual
//! clock, a failing outcome, StopBuild, the build list paginator, typed errors, and a local build
//! whose `aws` command talks back to codemock.

use aws_config::retry::RetryConfig;
use aws_sdk_codebuild::types::{
    ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
    ProjectSource, SourceType, StatusType, Tag,
};
use codemock::MockServer;
use std::time::Duration;

fn client(server: &MockServer) -> aws_sdk_codebuild::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_codebuild::Client::new(&conf)
}

async fn create(cb: &aws_sdk_codebuild::Client, name: &str, tags: Vec<Tag>) {
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
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create project");
}

#[tokio::test]
async fn a_build_runs_to_success_on_the_manual_clock() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(&cb, "app", Vec::new()).await;
    let projects = cb.list_projects().send().await.expect("list");
    assert_eq!(projects.projects(), ["app"]);
    let build = cb
        .start_build()
        .project_name("app")
        .send()
        .await
        .expect("start")
        .build_value
        .expect("build");
    assert_eq!(build.build_status(), Some(&StatusType::InProgress));
    assert_eq!(build.build_number(), Some(1));
    let id = build.id().unwrap_or_default().to_owned();
    server.clock().advance(Duration::from_secs(60)).await;
    let got = cb.batch_get_builds().ids(&id).send().await.expect("get");
    let b = &got.builds()[0];
    assert_eq!(b.build_status(), Some(&StatusType::Succeeded));
    assert_eq!(b.current_phase(), Some("COMPLETED"));
    assert_eq!(b.phases().len(), 11);
    assert!(b.end_time().is_some());
    assert!(got.builds_not_found().is_empty());
}

#[tokio::test]
async fn a_failing_phase_stop_and_typed_errors() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(
        &cb,
        "app",
        vec![Tag::builder()
            .key("codemock:outcome")
            .value("FAILED:BUILD")
            .build()],
    )
    .await;
    let failing = cb
        .start_build()
        .project_name("app")
        .send()
        .await
        .expect("start");
    let stopped = cb
        .start_build()
        .project_name("app")
        .send()
        .await
        .expect("start");
    let stopped_id = stopped
        .build_value()
        .and_then(|b| b.id())
        .unwrap_or_default();
    let s = cb.stop_build().id(stopped_id).send().await.expect("stop");
    assert_eq!(
        s.build_value().and_then(|b| b.current_phase()),
        Some("COMPLETED")
    );
    server.clock().advance(Duration::from_secs(60)).await;
    let id = failing
        .build_value()
        .and_then(|b| b.id())
        .unwrap_or_default();
    let got = cb
        .batch_get_builds()
        .ids(id)
        .ids(stopped_id)
        .send()
        .await
        .expect("get");
    assert_eq!(got.builds()[0].build_status(), Some(&StatusType::Failed));
    assert_eq!(got.builds()[1].build_status(), Some(&StatusType::Stopped));
    let err = cb
        .start_build()
        .project_name("missing")
        .send()
        .await
        .expect_err("no project");
    assert!(err.into_service_error().is_resource_not_found_exception());
    let err = cb
        .create_project()
        .name("app")
        .source(
            ProjectSource::builder()
                .r#type(SourceType::NoSource)
                .buildspec("version: 0.2")
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
                .image("i")
                .compute_type(ComputeType::BuildGeneral1Small)
                .build()
                .expect("environment"),
        )
        .service_role("r")
        .send()
        .await
        .expect_err("exists");
    assert!(err
        .into_service_error()
        .is_resource_already_exists_exception());
    let ids: Vec<String> = cb
        .list_builds_for_project()
        .project_name("app")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("paginate");
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], stopped_id, "newest first");
}

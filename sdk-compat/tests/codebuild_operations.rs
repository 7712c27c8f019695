//! aws-sdk-codebuild against `MockServer` for the operations no other SDK test calls: batch
//! builds (start, stop, retry, read, list, delete), retried and deleted builds, the build list,
//! project updates, deletion and visibility, webhooks, and code coverage from a local build's
//! Clover report.

use aws_config::retry::RetryConfig;
use aws_sdk_codebuild::types::{
    ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectBuildBatchConfig,
    ProjectEnvironment, ProjectSource, ProjectVisibilityType, ReportType, RetryBuildBatchType,
    SortOrderType, SourceType, StatusType, Tag, WebhookFilter, WebhookFilterType,
};
use codemock::MockServer;
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/cb";

fn client(server: &MockServer) -> aws_sdk_codebuild::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_codebuild::Client::new(&conf)
}

fn environment() -> ProjectEnvironment {
    ProjectEnvironment::builder()
        .r#type(EnvironmentType::LinuxContainer)
        .image("aws/codebuild/standard:7.0")
        .compute_type(ComputeType::BuildGeneral1Small)
        .build()
        .expect("environment")
}

fn no_artifacts() -> ProjectArtifacts {
    ProjectArtifacts::builder()
        .r#type(ArtifactsType::NoArtifacts)
        .build()
        .expect("artifacts")
}

async fn create(cb: &aws_sdk_codebuild::Client, name: &str, source: ProjectSource, tags: Vec<Tag>) {
    cb.create_project()
        .name(name)
        .source(source)
        .artifacts(no_artifacts())
        .environment(environment())
        .service_role(ROLE)
        .build_batch_config(
            ProjectBuildBatchConfig::builder()
                .service_role(ROLE)
                .build(),
        )
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create project");
}

fn inline(buildspec: &str) -> ProjectSource {
    ProjectSource::builder()
        .r#type(SourceType::NoSource)
        .buildspec(buildspec)
        .build()
        .expect("source")
}

const BATCH_BUILDSPEC: &str = "version: 0.2\nbatch:\n  build-graph:\n    - identifier: first\n    - identifier: second\n      depend-on:\n        - first\nphases:\n  build:\n    commands:\n      - echo hi\n";

async fn batch_status(cb: &aws_sdk_codebuild::Client, id: &str) -> Option<StatusType> {
    let got = cb
        .batch_get_build_batches()
        .ids(id)
        .send()
        .await
        .expect("get batch");
    got.build_batches()
        .first()
        .and_then(|b| b.build_batch_status())
        .cloned()
}

#[tokio::test]
async fn batches_run_stop_retry_list_and_delete_through_the_sdk() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(&cb, "app", inline(BATCH_BUILDSPEC), Vec::new()).await;
    let first = cb
        .start_build_batch()
        .project_name("app")
        .send()
        .await
        .expect("start batch")
        .build_batch
        .expect("batch");
    assert_eq!(first.build_batch_status(), Some(&StatusType::InProgress));
    let first_id = first.id().expect("id").to_owned();
    assert!(first.arn().expect("arn").contains(":build-batch/app:"));
    for secs in [3, 30, 60] {
        server.clock().advance(Duration::from_secs(secs)).await;
    }
    let got = cb
        .batch_get_build_batches()
        .ids(&first_id)
        .ids("app:nope")
        .send()
        .await
        .expect("get batches");
    let done = &got.build_batches()[0];
    assert_eq!(done.build_batch_status(), Some(&StatusType::Succeeded));
    assert!(done.complete());
    assert_eq!(done.build_groups().len(), 2);
    assert_eq!(got.build_batches_not_found(), ["app:nope"]);

    let second = cb
        .start_build_batch()
        .project_name("app")
        .send()
        .await
        .expect("start batch")
        .build_batch
        .expect("batch");
    let second_id = second.id().expect("id").to_owned();
    server.clock().advance(Duration::from_secs(3)).await;
    let err = cb
        .retry_build_batch()
        .id(&second_id)
        .send()
        .await
        .expect_err("still running");
    assert!(err.into_service_error().is_invalid_input_exception());
    cb.stop_build_batch()
        .id(&second_id)
        .send()
        .await
        .expect("stop batch");
    server.clock().advance(Duration::from_secs(5)).await;
    assert_eq!(
        batch_status(&cb, &second_id).await,
        Some(StatusType::Stopped)
    );

    let listed = cb.list_build_batches().send().await.expect("list batches");
    assert_eq!(
        listed.ids(),
        [second_id.clone(), first_id.clone()],
        "newest first"
    );
    let ascending = cb
        .list_build_batches_for_project()
        .project_name("app")
        .sort_order(SortOrderType::Ascending)
        .send()
        .await
        .expect("list for project");
    assert_eq!(ascending.ids(), [first_id.clone(), second_id.clone()]);
    let err = cb
        .list_build_batches_for_project()
        .project_name("nope")
        .send()
        .await
        .expect_err("no project");
    assert!(err.into_service_error().is_resource_not_found_exception());

    let retried = cb
        .retry_build_batch()
        .id(&second_id)
        .retry_type(RetryBuildBatchType::RetryFailedBuilds)
        .send()
        .await
        .expect("retry batch")
        .build_batch
        .expect("batch");
    assert_eq!(retried.id(), Some(second_id.as_str()));
    assert_eq!(retried.build_batch_status(), Some(&StatusType::InProgress));
    for secs in [3, 30, 60] {
        server.clock().advance(Duration::from_secs(secs)).await;
    }
    assert_eq!(
        batch_status(&cb, &second_id).await,
        Some(StatusType::Succeeded)
    );

    let deleted = cb
        .delete_build_batch()
        .id(&first_id)
        .send()
        .await
        .expect("delete batch");
    assert_eq!(deleted.builds_deleted().len(), 2);
    assert!(deleted.builds_not_deleted().is_empty());
    let got = cb
        .batch_get_build_batches()
        .ids(&first_id)
        .send()
        .await
        .expect("get");
    assert!(got.build_batches().is_empty());
    assert_eq!(
        got.build_batches_not_found(),
        std::slice::from_ref(&first_id)
    );
}

#[tokio::test]
async fn builds_retry_list_and_delete_through_the_sdk() {
    let server = MockServer::start().await;
    let cb = client(&server);
    let spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n";
    create(&cb, "app", inline(spec), Vec::new()).await;
    create(&cb, "other", inline(spec), Vec::new()).await;
    let mut ids = Vec::new();
    for name in ["app", "other"] {
        let b = cb
            .start_build()
            .project_name(name)
            .send()
            .await
            .expect("start");
        ids.push(b.build_value().and_then(|b| b.id()).expect("id").to_owned());
    }
    let err = cb
        .retry_build()
        .id(&ids[0])
        .send()
        .await
        .expect_err("in progress");
    assert!(err.into_service_error().is_invalid_input_exception());
    let not_deleted = cb
        .batch_delete_builds()
        .ids(&ids[0])
        .send()
        .await
        .expect("delete in progress");
    assert_eq!(
        not_deleted.builds_not_deleted()[0].status_code(),
        Some("BUILD_IN_PROGRESS")
    );
    server.clock().advance(Duration::from_secs(60)).await;

    let retried = cb
        .retry_build()
        .id(&ids[0])
        .send()
        .await
        .expect("retry")
        .build_value
        .expect("build");
    let retried_id = retried.id().expect("id").to_owned();
    assert_ne!(retried_id, ids[0]);
    assert_eq!(retried.project_name(), Some("app"));
    assert_eq!(retried.build_number(), Some(2));

    let all = cb.list_builds().send().await.expect("list builds");
    assert_eq!(
        all.ids(),
        [retried_id.clone(), ids[1].clone(), ids[0].clone()],
        "newest first"
    );
    let oldest_first = cb
        .list_builds()
        .sort_order(SortOrderType::Ascending)
        .send()
        .await
        .expect("list ascending");
    assert_eq!(
        oldest_first.ids(),
        [ids[0].clone(), ids[1].clone(), retried_id.clone()]
    );

    server.clock().advance(Duration::from_secs(60)).await;
    let deleted = cb
        .batch_delete_builds()
        .ids(&ids[0])
        .ids("app:00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .expect("delete builds");
    assert_eq!(deleted.builds_deleted(), std::slice::from_ref(&ids[0]));
    assert_eq!(
        deleted.builds_not_deleted()[0].status_code(),
        Some("BUILD_NOT_FOUND")
    );
    let got = cb
        .batch_get_builds()
        .ids(&ids[0])
        .send()
        .await
        .expect("get");
    assert_eq!(got.builds_not_found(), std::slice::from_ref(&ids[0]));
    let err = cb
        .retry_build()
        .id(&ids[0])
        .send()
        .await
        .expect_err("deleted");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn projects_update_change_visibility_and_delete_through_the_sdk() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(&cb, "app", inline("version: 0.2"), Vec::new()).await;
    let updated = cb
        .update_project()
        .name("app")
        .description("the web app")
        .timeout_in_minutes(20)
        .send()
        .await
        .expect("update")
        .project
        .expect("project");
    assert_eq!(updated.description(), Some("the web app"));
    assert_eq!(updated.timeout_in_minutes(), Some(20));
    let arn = updated.arn().expect("arn").to_owned();
    let err = cb
        .update_project()
        .name("nope")
        .description("x")
        .send()
        .await
        .expect_err("no project");
    assert!(err.into_service_error().is_resource_not_found_exception());

    let visible = cb
        .update_project_visibility()
        .project_arn(&arn)
        .project_visibility(ProjectVisibilityType::PublicRead)
        .resource_access_role(ROLE)
        .send()
        .await
        .expect("visibility");
    assert_eq!(visible.project_arn(), Some(arn.as_str()));
    assert_eq!(
        visible.project_visibility(),
        Some(&ProjectVisibilityType::PublicRead)
    );
    assert!(visible
        .public_project_alias()
        .is_some_and(|a| !a.is_empty()));

    let got = cb
        .batch_get_projects()
        .names("app")
        .names("nope")
        .send()
        .await
        .expect("batch get");
    let p = &got.projects()[0];
    assert_eq!(p.description(), Some("the web app"));
    assert_eq!(
        p.project_visibility(),
        Some(&ProjectVisibilityType::PublicRead)
    );
    assert_eq!(got.projects_not_found(), ["nope"]);

    cb.delete_project()
        .name("app")
        .send()
        .await
        .expect("delete");
    let got = cb
        .batch_get_projects()
        .names("app")
        .send()
        .await
        .expect("batch get");
    assert!(got.projects().is_empty());
    assert_eq!(got.projects_not_found(), ["app"]);
}

#[tokio::test]
async fn webhooks_keep_their_filter_groups_through_the_sdk() {
    let server = MockServer::start().await;
    let cb = client(&server);
    let github = ProjectSource::builder()
        .r#type(SourceType::Github)
        .location("https://github.com/octo/app.git")
        .buildspec("version: 0.2")
        .build()
        .expect("source");
    create(&cb, "app", github, Vec::new()).await;
    create(&cb, "plain", inline("version: 0.2"), Vec::new()).await;
    let filter = |t: WebhookFilterType, p: &str| {
        WebhookFilter::builder()
            .r#type(t)
            .pattern(p)
            .build()
            .expect("filter")
    };
    let created = cb
        .create_webhook()
        .project_name("app")
        .filter_groups(vec![
            filter(WebhookFilterType::Event, "PUSH"),
            filter(WebhookFilterType::HeadRef, "^refs/heads/main$"),
        ])
        .send()
        .await
        .expect("create webhook")
        .webhook
        .expect("webhook");
    assert!(created
        .url()
        .is_some_and(|u| u.starts_with("https://codebuild.")));
    let groups = created.filter_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0][1].pattern(), "^refs/heads/main$");
    let err = cb
        .create_webhook()
        .project_name("app")
        .send()
        .await
        .expect_err("exists");
    assert!(err
        .into_service_error()
        .is_resource_already_exists_exception());
    let err = cb
        .create_webhook()
        .project_name("plain")
        .send()
        .await
        .expect_err("no webhooks for NO_SOURCE");
    assert!(err.into_service_error().is_invalid_input_exception());

    let updated = cb
        .update_webhook()
        .project_name("app")
        .filter_groups(vec![filter(
            WebhookFilterType::Event,
            "PULL_REQUEST_CREATED",
        )])
        .send()
        .await
        .expect("update webhook")
        .webhook
        .expect("webhook");
    assert_eq!(
        updated.filter_groups()[0][0].pattern(),
        "PULL_REQUEST_CREATED"
    );
    let project = cb
        .batch_get_projects()
        .names("app")
        .send()
        .await
        .expect("get");
    let hook = project.projects()[0]
        .webhook()
        .expect("webhook on the project");
    assert_eq!(hook.filter_groups()[0].len(), 1);

    cb.delete_webhook()
        .project_name("app")
        .send()
        .await
        .expect("delete webhook");
    let project = cb
        .batch_get_projects()
        .names("app")
        .send()
        .await
        .expect("get");
    assert!(project.projects()[0].webhook().is_none());
    let err = cb
        .delete_webhook()
        .project_name("app")
        .send()
        .await
        .expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
    let err = cb
        .update_webhook()
        .project_name("app")
        .send()
        .await
        .expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

const COVERAGE_BUILDSPEC: &str = r#"version: 0.2
phases:
  build:
    commands:
      - printf '<coverage generated="1"><project timestamp="1"><package name="app"><file name="calc.js" path="/src/calc.js"><line num="1" count="1" type="stmt"/><line num="2" count="0" type="stmt"/><line num="3" count="2" type="stmt"/><line num="4" count="5" type="stmt"/></file></package></project></coverage>' > clover.xml
reports:
  cov:
    files:
      - clover.xml
    file-format: CLOVERXML
"#;

#[tokio::test]
async fn a_local_builds_clover_report_is_described_as_code_coverage() {
    let server = MockServer::start().await;
    let cb = client(&server);
    create(
        &cb,
        "app",
        inline(COVERAGE_BUILDSPEC),
        vec![Tag::builder()
            .key("codemock:executor")
            .value("local")
            .build()],
    )
    .await;
    let id = cb
        .start_build()
        .project_name("app")
        .send()
        .await
        .expect("start")
        .build_value
        .and_then(|b| b.id)
        .expect("id");
    server.settle().await;
    let got = cb.batch_get_builds().ids(&id).send().await.expect("get");
    let build = &got.builds()[0];
    assert_eq!(
        build.build_status(),
        Some(&StatusType::Succeeded),
        "{build:?}"
    );
    let report_arn = build.report_arns().first().expect("a report").to_owned();

    let reports = cb
        .batch_get_reports()
        .report_arns(&report_arn)
        .report_arns("arn:aws:codebuild:us-east-1:000000000000:report/app-cov:nope")
        .send()
        .await
        .expect("batch get reports");
    let report = &reports.reports()[0];
    assert_eq!(report.r#type(), Some(&ReportType::CodeCoverage));
    let summary = report.code_coverage_summary().expect("summary");
    assert_eq!(summary.lines_covered(), Some(3));
    assert_eq!(summary.lines_missed(), Some(1));
    assert_eq!(reports.reports_not_found().len(), 1);

    let coverages = cb
        .describe_code_coverages()
        .report_arn(&report_arn)
        .send()
        .await
        .expect("coverages");
    let files = coverages.code_coverages();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].file_path(), Some("/src/calc.js"));
    assert_eq!(files[0].lines_covered(), Some(3));
    assert_eq!(files[0].lines_missed(), Some(1));
    assert_eq!(files[0].line_coverage_percentage(), Some(75.0));
    let above = cb
        .describe_code_coverages()
        .report_arn(&report_arn)
        .min_line_coverage_percentage(80.0)
        .send()
        .await
        .expect("filtered");
    assert!(above.code_coverages().is_empty());
}

//! aws-sdk-codebuild against `MockServer` for the resources beside projects and builds: report
//! groups and reports, source credentials, resource policies, fleets, curated images.

use aws_config::retry::RetryConfig;
use aws_sdk_codebuild::types::{
    AuthType, ComputeType, EnvironmentType, ReportExportConfig, ReportExportConfigType,
    ReportGroupTrendFieldType, ReportType, S3ReportExportConfig, ServerType, Tag,
};
use codemock::MockServer;

fn client(server: &MockServer) -> aws_sdk_codebuild::Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_codebuild::Client::new(&conf)
}

fn no_export() -> ReportExportConfig {
    ReportExportConfig::builder()
        .export_config_type(ReportExportConfigType::NoExport)
        .build()
}

#[tokio::test]
async fn report_groups_through_the_sdk_with_typed_errors() {
    let server = MockServer::start().await;
    let cb = client(&server);
    let created = cb
        .create_report_group()
        .name("unit")
        .r#type(ReportType::Test)
        .export_config(
            ReportExportConfig::builder()
                .export_config_type(ReportExportConfigType::S3)
                .s3_destination(S3ReportExportConfig::builder().bucket("reports").build())
                .build(),
        )
        .tags(Tag::builder().key("team").value("web").build())
        .send()
        .await
        .expect("create");
    let group = created.report_group().expect("group");
    let arn = group.arn().expect("arn").to_string();
    assert!(arn.ends_with(":report-group/unit"));
    assert_eq!(group.r#type(), Some(&ReportType::Test));
    assert!(group.created().is_some());

    let err = cb
        .create_report_group()
        .name("unit")
        .r#type(ReportType::Test)
        .export_config(no_export())
        .send()
        .await
        .expect_err("duplicate");
    assert!(err
        .into_service_error()
        .is_resource_already_exists_exception());

    for name in ["bb", "cc"] {
        cb.create_report_group()
            .name(name)
            .r#type(ReportType::CodeCoverage)
            .export_config(no_export())
            .send()
            .await
            .expect("create");
    }
    let all: Vec<String> = cb
        .list_report_groups()
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages");
    assert_eq!(all.len(), 3);
    assert!(all[0].ends_with("/bb") && all[2].ends_with("/unit"));

    let got = cb
        .batch_get_report_groups()
        .report_group_arns(&arn)
        .report_group_arns("arn:aws:codebuild:us-east-1:000000000000:report-group/nope")
        .send()
        .await
        .expect("batch get");
    assert_eq!(got.report_groups().len(), 1);
    assert_eq!(got.report_groups_not_found().len(), 1);

    let err = cb
        .update_report_group()
        .arn(arn.replace("/unit", "/nope"))
        .send()
        .await
        .expect_err("missing");
    assert!(err.into_service_error().is_resource_not_found_exception());

    let trend = cb
        .get_report_group_trend()
        .report_group_arn(&arn)
        .trend_field(ReportGroupTrendFieldType::PassRate)
        .send()
        .await
        .expect("trend");
    assert!(trend.raw_data().is_empty());
    let reports = cb
        .list_reports_for_report_group()
        .report_group_arn(&arn)
        .send()
        .await
        .expect("reports");
    assert!(reports.reports().is_empty());
    let err = cb
        .describe_test_cases()
        .report_arn("arn:aws:codebuild:us-east-1:000000000000:report/unit:x")
        .send()
        .await
        .expect_err("no report");
    assert!(err.into_service_error().is_resource_not_found_exception());
    assert!(cb
        .list_reports()
        .send()
        .await
        .expect("list")
        .reports()
        .is_empty());
    assert!(cb
        .list_shared_report_groups()
        .send()
        .await
        .expect("shared")
        .report_groups()
        .is_empty());

    cb.put_resource_policy()
        .resource_arn(&arn)
        .policy(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("put policy");
    let policy = cb
        .get_resource_policy()
        .resource_arn(&arn)
        .send()
        .await
        .expect("get policy");
    assert!(policy.policy().expect("policy").contains("2012-10-17"));
    cb.delete_resource_policy()
        .resource_arn(&arn)
        .send()
        .await
        .expect("delete policy");

    cb.delete_report_group()
        .arn(&arn)
        .send()
        .await
        .expect("delete");
    cb.delete_report()
        .arn("arn:aws:codebuild:us-east-1:000000000000:report/unit:x")
        .send()
        .await
        .expect("delete report is idempotent");
}

#[tokio::test]
async fn source_credentials_fleets_and_images_through_the_sdk() {
    let server = MockServer::start().await;
    let cb = client(&server);
    let imported = cb
        .import_source_credentials()
        .token("ghp_x")
        .server_type(ServerType::Github)
        .auth_type(AuthType::PersonalAccessToken)
        .send()
        .await
        .expect("import");
    let arn = imported.arn().expect("arn").to_string();
    let listed = cb.list_source_credentials().send().await.expect("list");
    assert_eq!(listed.source_credentials_infos().len(), 1);
    assert_eq!(
        listed.source_credentials_infos()[0].server_type(),
        Some(&ServerType::Github)
    );
    cb.delete_source_credentials()
        .arn(&arn)
        .send()
        .await
        .expect("delete");
    let err = cb
        .delete_source_credentials()
        .arn(&arn)
        .send()
        .await
        .expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());

    let fleet = cb
        .create_fleet()
        .name("linux")
        .base_capacity(1)
        .environment_type(EnvironmentType::LinuxContainer)
        .compute_type(ComputeType::BuildGeneral1Small)
        .send()
        .await
        .expect("create fleet");
    let fleet_arn = fleet
        .fleet()
        .and_then(|f| f.arn())
        .expect("arn")
        .to_string();
    let updated = cb
        .update_fleet()
        .arn(&fleet_arn)
        .base_capacity(2)
        .send()
        .await
        .expect("update");
    assert_eq!(updated.fleet().and_then(|f| f.base_capacity()), Some(2));
    let listed = cb.list_fleets().send().await.expect("list fleets");
    assert_eq!(listed.fleets(), std::slice::from_ref(&fleet_arn));
    let got = cb
        .batch_get_fleets()
        .names("linux")
        .send()
        .await
        .expect("batch get fleets");
    assert_eq!(got.fleets().len(), 1);
    cb.delete_fleet()
        .arn(&fleet_arn)
        .send()
        .await
        .expect("delete fleet");

    let images = cb
        .list_curated_environment_images()
        .send()
        .await
        .expect("images");
    let names: Vec<&str> = images
        .platforms()
        .iter()
        .flat_map(|p| p.languages())
        .flat_map(|l| l.images())
        .filter_map(|i| i.name())
        .collect();
    assert!(names.contains(&"aws/codebuild/standard:7.0"));
    assert!(cb
        .list_shared_projects()
        .send()
        .await
        .expect("shared")
        .projects()
        .is_empty());
    let err = cb
        .invalidate_project_cache()
        .project_name("nope")
        .send()
        .await
        .expect_err("no project");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

//! aws-sdk-codepipeline against `MockServer` for the operations the other files leave out:
//! third-party job workers (poll, details, acknowledge, success and failure), a custom job's
//! failure, action types read (and refused for unknown third-party types), custom ones deleted, webhooks registered with the third
//! party, PutActionRevision, RollbackStage and UntagResource, each read back through typed
//! outputs.

use aws_config::retry::RetryConfig;
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionOwner, ActionRevision, ActionTypeArtifactDetails,
    ActionTypeDeclaration, ActionTypeExecutor, ActionTypeId, ActionTypeIdentifier, ArtifactDetails,
    ArtifactStore, ArtifactStoreType, ExecutorConfiguration, ExecutorType, FailureDetails,
    FailureType, InputArtifact, JobWorkerExecutorConfiguration, OutputArtifact,
    PipelineDeclaration, PipelineExecutionStatus, PipelineType, StageDeclaration, Tag,
    WebhookAuthConfiguration, WebhookAuthenticationType, WebhookDefinition, WebhookFilterRule,
};
use aws_sdk_codepipeline::Client;
use codemock::services::codepipeline::git::Push;
use codemock::MockServer;
use std::time::Duration;

const CONNECTION: &str =
    "arn:aws:codeconnections:us-east-1:000000000000:connection/c0ffee00-0000-0000-0000-000000000000";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let conf = server.sdk_config();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("artifacts")
        .send()
        .await
        .expect("bucket");
    let conf = conf
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    (server, Client::new(&conf))
}

fn type_id(category: ActionCategory, owner: ActionOwner, provider: &str) -> ActionTypeId {
    ActionTypeId::builder()
        .category(category)
        .owner(owner)
        .provider(provider)
        .version("1")
        .build()
        .expect("type")
}

/// A V2 pipeline: a connection source on `me/app` `main`, then `second` in stage `Work`.
fn declaration(name: &str, second: ActionDeclaration) -> PipelineDeclaration {
    let source = ActionDeclaration::builder()
        .name("Src")
        .action_type_id(type_id(
            ActionCategory::Source,
            ActionOwner::Aws,
            "CodeStarSourceConnection",
        ))
        .configuration("ConnectionArn", CONNECTION)
        .configuration("FullRepositoryId", "me/app")
        .configuration("BranchName", "main")
        .output_artifacts(OutputArtifact::builder().name("Code").build().expect("out"))
        .build()
        .expect("source");
    PipelineDeclaration::builder()
        .name(name)
        .pipeline_type(PipelineType::V2)
        .role_arn("arn:aws:iam::000000000000:role/pipeline")
        .artifact_store(
            ArtifactStore::builder()
                .r#type(ArtifactStoreType::S3)
                .location("artifacts")
                .build()
                .expect("store"),
        )
        .stages(
            StageDeclaration::builder()
                .name("Source")
                .actions(source)
                .build()
                .expect("stage"),
        )
        .stages(
            StageDeclaration::builder()
                .name("Work")
                .actions(second)
                .build()
                .expect("stage"),
        )
        .build()
        .expect("pipeline")
}

async fn latest(c: &Client, name: &str) -> (String, PipelineExecutionStatus) {
    let out = c
        .list_pipeline_executions()
        .pipeline_name(name)
        .send()
        .await
        .expect("executions");
    let e = &out.pipeline_execution_summaries()[0];
    (
        e.pipeline_execution_id().unwrap_or_default().to_owned(),
        e.status().cloned().expect("status"),
    )
}

#[tokio::test]
async fn third_party_workers_poll_acknowledge_and_answer_their_jobs() {
    let (server, c) = setup().await;
    let partner = ActionDeclaration::builder()
        .name("Partner")
        .action_type_id(type_id(
            ActionCategory::Test,
            ActionOwner::ThirdParty,
            "Partner",
        ))
        .input_artifacts(InputArtifact::builder().name("Code").build().expect("in"))
        .build()
        .expect("action");
    c.create_pipeline()
        .pipeline(declaration("app", partner))
        .send()
        .await
        .expect("CreatePipeline");
    server.clock().advance(Duration::from_secs(60)).await;
    let partner_type = type_id(ActionCategory::Test, ActionOwner::ThirdParty, "Partner");

    for succeed in [true, false] {
        let polled = c
            .poll_for_third_party_jobs()
            .action_type_id(partner_type.clone())
            .send()
            .await
            .expect("PollForThirdPartyJobs");
        let job = &polled.jobs()[0];
        let (id, client) = (
            job.job_id().unwrap_or_default().to_owned(),
            job.client_id().unwrap_or_default().to_owned(),
        );
        let details = c
            .get_third_party_job_details()
            .job_id(&id)
            .client_token(&client)
            .send()
            .await
            .expect("GetThirdPartyJobDetails");
        let details = details.job_details().expect("details");
        assert_eq!(details.id(), Some(id.as_str()));
        assert_eq!(
            details
                .data()
                .and_then(|d| d.pipeline_context())
                .and_then(|p| p.pipeline_name()),
            Some("app")
        );
        let bad = c
            .get_third_party_job_details()
            .job_id(&id)
            .client_token("00000000-0000-0000-0000-000000000000")
            .send()
            .await
            .expect_err("wrong client token");
        assert!(bad.into_service_error().is_invalid_client_token_exception());
        let ack = c
            .acknowledge_third_party_job()
            .job_id(&id)
            .nonce(details.nonce().unwrap_or_default())
            .client_token(&client)
            .send()
            .await
            .expect("AcknowledgeThirdPartyJob");
        assert_eq!(ack.status().map(|s| s.as_str()), Some("InProgress"));
        if succeed {
            c.put_third_party_job_success_result()
                .job_id(&id)
                .client_token(&client)
                .send()
                .await
                .expect("PutThirdPartyJobSuccessResult");
        } else {
            c.put_third_party_job_failure_result()
                .job_id(&id)
                .client_token(&client)
                .failure_details(
                    FailureDetails::builder()
                        .r#type(FailureType::JobFailed)
                        .message("partner says no")
                        .build()
                        .expect("failure"),
                )
                .send()
                .await
                .expect("PutThirdPartyJobFailureResult");
        }
        server.clock().advance(Duration::from_secs(60)).await;
        let (_, status) = latest(&c, "app").await;
        let want = if succeed {
            PipelineExecutionStatus::Succeeded
        } else {
            PipelineExecutionStatus::Failed
        };
        assert_eq!(status, want);
        if succeed {
            c.start_pipeline_execution()
                .name("app")
                .send()
                .await
                .expect("start");
            server.clock().advance(Duration::from_secs(60)).await;
        }
    }
}

#[tokio::test]
async fn custom_action_types_are_read_updated_failed_and_deleted() {
    let (server, c) = setup().await;
    c.create_custom_action_type()
        .category(ActionCategory::Test)
        .provider("Checker")
        .version("1")
        .input_artifact_details(
            ArtifactDetails::builder()
                .minimum_count(0)
                .maximum_count(1)
                .build(),
        )
        .output_artifact_details(
            ArtifactDetails::builder()
                .minimum_count(0)
                .maximum_count(0)
                .build(),
        )
        .send()
        .await
        .expect("CreateCustomActionType");
    // GetActionType and UpdateActionType take the owners of the newer action type model only
    // (the model's ActionTypeOwner pattern is `AWS|ThirdParty`): an AWS type reads, an unknown
    // third-party type is ActionTypeNotFoundException for both.
    let aws = c
        .get_action_type()
        .category(ActionCategory::Build)
        .owner("AWS")
        .provider("CodeBuild")
        .version("1")
        .send()
        .await
        .expect("GetActionType AWS");
    let decl = aws.action_type().expect("declaration");
    assert_eq!(decl.id().map(|i| i.provider()), Some("CodeBuild"));
    assert!(decl
        .properties()
        .iter()
        .any(|p| p.name() == "ProjectName" && !p.optional()));
    let missing = c
        .get_action_type()
        .category(ActionCategory::Test)
        .owner("ThirdParty")
        .provider("Nope")
        .version("1")
        .send()
        .await
        .expect_err("unknown type");
    assert!(missing
        .into_service_error()
        .is_action_type_not_found_exception());
    let custom_owner = c
        .get_action_type()
        .category(ActionCategory::Test)
        .owner("Custom")
        .provider("Checker")
        .version("1")
        .send()
        .await
        .expect_err("Custom is not an ActionTypeOwner");
    assert_eq!(
        aws_sdk_codepipeline::error::ProvideErrorMetadata::code(&custom_owner),
        Some("ValidationException")
    );
    let update = c
        .update_action_type()
        .action_type(
            ActionTypeDeclaration::builder()
                .description("checks the code")
                .executor(
                    ActionTypeExecutor::builder()
                        .r#type(ExecutorType::JobWorker)
                        .configuration(
                            ExecutorConfiguration::builder()
                                .job_worker_executor_configuration(
                                    JobWorkerExecutorConfiguration::builder().build(),
                                )
                                .build(),
                        )
                        .build()
                        .expect("executor"),
                )
                .id(ActionTypeIdentifier::builder()
                    .category(ActionCategory::Test)
                    .owner("ThirdParty")
                    .provider("Nope")
                    .version("1")
                    .build()
                    .expect("id"))
                .input_artifact_details(
                    ActionTypeArtifactDetails::builder()
                        .minimum_count(0)
                        .maximum_count(2)
                        .build(),
                )
                .output_artifact_details(
                    ActionTypeArtifactDetails::builder()
                        .minimum_count(0)
                        .maximum_count(0)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect_err("unknown type");
    assert!(update
        .into_service_error()
        .is_action_type_not_found_exception());

    // A job of the custom type, failed by its worker.
    let check = ActionDeclaration::builder()
        .name("Check")
        .action_type_id(type_id(
            ActionCategory::Test,
            ActionOwner::Custom,
            "Checker",
        ))
        .input_artifacts(InputArtifact::builder().name("Code").build().expect("in"))
        .build()
        .expect("action");
    c.create_pipeline()
        .pipeline(declaration("app", check))
        .send()
        .await
        .expect("CreatePipeline");
    server.clock().advance(Duration::from_secs(60)).await;
    let jobs = c
        .poll_for_jobs()
        .action_type_id(type_id(
            ActionCategory::Test,
            ActionOwner::Custom,
            "Checker",
        ))
        .send()
        .await
        .expect("PollForJobs");
    let id = jobs.jobs()[0].id().unwrap_or_default().to_owned();
    c.put_job_failure_result()
        .job_id(&id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::JobFailed)
                .message("lint errors")
                .build()
                .expect("failure"),
        )
        .send()
        .await
        .expect("PutJobFailureResult");
    server.clock().advance(Duration::from_secs(60)).await;
    assert_eq!(latest(&c, "app").await.1, PipelineExecutionStatus::Failed);
    let again = c
        .put_job_failure_result()
        .job_id(&id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::JobFailed)
                .message("twice")
                .build()
                .expect("failure"),
        )
        .send()
        .await
        .expect_err("answered already");
    assert!(again.into_service_error().is_invalid_job_state_exception());

    c.delete_custom_action_type()
        .category(ActionCategory::Test)
        .provider("Checker")
        .version("1")
        .send()
        .await
        .expect("DeleteCustomActionType");
    let custom = c
        .list_action_types()
        .action_owner_filter(ActionOwner::Custom)
        .send()
        .await
        .expect("ListActionTypes");
    assert!(custom.action_types().is_empty());
}

#[tokio::test]
async fn revisions_rollbacks_tags_and_third_party_webhooks() {
    let (server, c) = setup().await;
    let deploy = ActionDeclaration::builder()
        .name("Stack")
        .action_type_id(type_id(
            ActionCategory::Deploy,
            ActionOwner::Aws,
            "CloudFormation",
        ))
        .configuration("ActionMode", "CREATE_UPDATE")
        .configuration("StackName", "app")
        .input_artifacts(InputArtifact::builder().name("Code").build().expect("in"))
        .build()
        .expect("action");
    let created = c
        .create_pipeline()
        .pipeline(declaration("app", deploy))
        .tags(
            Tag::builder()
                .key("team")
                .value("web")
                .build()
                .expect("tag"),
        )
        .tags(Tag::builder().key("tier").value("1").build().expect("tag"))
        .send()
        .await
        .expect("CreatePipeline");
    server.clock().advance(Duration::from_secs(60)).await;
    let (first, status) = latest(&c, "app").await;
    assert_eq!(status, PipelineExecutionStatus::Succeeded);

    // PutActionRevision with a commit the source has not seen starts an execution on it.
    let pushed = server
        .codepipeline()
        .push(Push {
            repository: "me/app".into(),
            branch: Some("feature".into()),
            message: Some("on a branch".into()),
            ..Push::default()
        })
        .expect("pushed");
    let put = c
        .put_action_revision()
        .pipeline_name("app")
        .stage_name("Source")
        .action_name("Src")
        .action_revision(
            ActionRevision::builder()
                .revision_id(&pushed.commit_id)
                .revision_change_id(&pushed.commit_id)
                .created(aws_smithy_types::DateTime::from_secs(1_700_000_000))
                .build()
                .expect("revision"),
        )
        .send()
        .await
        .expect("PutActionRevision");
    assert!(put.new_revision());
    server.clock().advance(Duration::from_secs(60)).await;
    let exec = c
        .get_pipeline_execution()
        .pipeline_name("app")
        .pipeline_execution_id(put.pipeline_execution_id().unwrap_or_default())
        .send()
        .await
        .expect("execution")
        .pipeline_execution
        .expect("execution");
    assert_eq!(
        exec.artifact_revisions()[0].revision_id(),
        Some(pushed.commit_id.as_str())
    );

    // RollbackStage reruns Work with the first execution's artifacts.
    let rollback = c
        .rollback_stage()
        .pipeline_name("app")
        .stage_name("Work")
        .target_pipeline_execution_id(&first)
        .send()
        .await
        .expect("RollbackStage");
    server.clock().advance(Duration::from_secs(60)).await;
    let exec = c
        .get_pipeline_execution()
        .pipeline_name("app")
        .pipeline_execution_id(rollback.pipeline_execution_id())
        .send()
        .await
        .expect("execution")
        .pipeline_execution
        .expect("execution");
    assert_eq!(exec.status(), Some(&PipelineExecutionStatus::Succeeded));
    assert_eq!(
        exec.rollback_metadata()
            .and_then(|m| m.rollback_target_pipeline_execution_id()),
        Some(first.as_str())
    );

    // UntagResource removes one tag.
    let arn = created
        .pipeline()
        .map(|p| p.name())
        .map(|n| format!("arn:aws:codepipeline:us-east-1:000000000000:{n}"))
        .expect("name");
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("tier")
        .send()
        .await
        .expect("UntagResource");
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsForResource");
    let keys: Vec<&str> = tags.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["team"]);

    // A webhook registered with the third party and deregistered again.
    c.put_webhook()
        .webhook(
            WebhookDefinition::builder()
                .name("hook")
                .target_pipeline("app")
                .target_action("Src")
                .filters(
                    WebhookFilterRule::builder()
                        .json_path("$.ref")
                        .match_equals("refs/heads/main")
                        .build()
                        .expect("filter"),
                )
                .authentication(WebhookAuthenticationType::Unauthenticated)
                .authentication_configuration(WebhookAuthConfiguration::builder().build())
                .build()
                .expect("webhook"),
        )
        .send()
        .await
        .expect("PutWebhook");
    c.register_webhook_with_third_party()
        .webhook_name("hook")
        .send()
        .await
        .expect("RegisterWebhookWithThirdParty");
    c.deregister_webhook_with_third_party()
        .webhook_name("hook")
        .send()
        .await
        .expect("DeregisterWebhookWithThirdParty");
    let unknown = c
        .register_webhook_with_third_party()
        .webhook_name("nope")
        .send()
        .await
        .expect_err("unknown webhook");
    assert!(unknown
        .into_service_error()
        .is_webhook_not_found_exception());
}

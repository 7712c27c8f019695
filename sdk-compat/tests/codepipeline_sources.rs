//! aws-sdk-codepipeline against `MockServer` with a hosted git source: a V2 pipeline whose
//! CodeStarSourceConnection action has a push trigger with branch and file-path filters, started
//! by commits the test pushes; the SDK reads the WebhookV2 trigger, the source revision and the
//! action's output variables, and an S3 deploy publishes the pushed tree.

use aws_config::retry::RetryConfig;
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore, ArtifactStoreType,
    ExecutionTrigger, GitBranchFilterCriteria, GitConfiguration, GitFilePathFilterCriteria,
    GitPushFilter, InputArtifact, OutputArtifact, PipelineDeclaration, PipelineExecutionStatus,
    PipelineTriggerDeclaration, PipelineTriggerProviderType, PipelineType, StageDeclaration,
    TriggerType,
};
use codemock::services::codepipeline::git::Push;
use codemock::MockServer;
use std::collections::BTreeMap;
use std::time::Duration;

fn s3(server: &MockServer) -> aws_sdk_s3::Client {
    let conf = server.sdk_config();
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    )
}

fn action(
    name: &str,
    category: ActionCategory,
    provider: &str,
    config: &[(&str, &str)],
) -> aws_sdk_codepipeline::types::builders::ActionDeclarationBuilder {
    let mut a = ActionDeclaration::builder().name(name).action_type_id(
        ActionTypeId::builder()
            .category(category)
            .owner(ActionOwner::Aws)
            .provider(provider)
            .version("1")
            .build()
            .expect("type"),
    );
    for (k, v) in config {
        a = a.configuration(*k, *v);
    }
    a
}

#[tokio::test]
async fn a_pushed_commit_matching_the_trigger_runs_and_publishes_its_tree() {
    let server = MockServer::start().await;
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    let cp = aws_sdk_codepipeline::Client::new(&conf);
    let s3 = s3(&server);
    for b in ["artifacts", "www"] {
        s3.create_bucket().bucket(b).send().await.expect("bucket");
    }
    let source = action(
        "Src",
        ActionCategory::Source,
        "CodeStarSourceConnection",
        &[
            (
                "ConnectionArn",
                "arn:aws:codeconnections:us-east-1:000000000000:connection/c0ffee00-0000-0000-0000-000000000000",
            ),
            ("FullRepositoryId", "me/site"),
            ("BranchName", "main"),
        ],
    )
    .output_artifacts(OutputArtifact::builder().name("Tree").build().expect("out"))
    .namespace("SourceVariables")
    .build()
    .expect("source");
    let publish = action(
        "Publish",
        ActionCategory::Deploy,
        "S3",
        &[("BucketName", "www"), ("Extract", "true")],
    )
    .input_artifacts(InputArtifact::builder().name("Tree").build().expect("in"))
    .build()
    .expect("deploy");
    let trigger = PipelineTriggerDeclaration::builder()
        .provider_type(PipelineTriggerProviderType::CodeStarSourceConnection)
        .git_configuration(
            GitConfiguration::builder()
                .source_action_name("Src")
                .push(
                    GitPushFilter::builder()
                        .branches(GitBranchFilterCriteria::builder().includes("main").build())
                        .file_paths(
                            GitFilePathFilterCriteria::builder()
                                .includes("public/**")
                                .build(),
                        )
                        .build(),
                )
                .build()
                .expect("git"),
        )
        .build()
        .expect("trigger");
    cp.create_pipeline()
        .pipeline(
            PipelineDeclaration::builder()
                .name("site")
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
                        .name("Publish")
                        .actions(publish)
                        .build()
                        .expect("stage"),
                )
                .triggers(trigger)
                .build()
                .expect("pipeline"),
        )
        .send()
        .await
        .expect("created");
    server.clock().advance(Duration::from_secs(60)).await;

    // A change outside public/ starts nothing; one inside does.
    let control = server.codepipeline();
    let skipped = control
        .push(Push {
            repository: "me/site".into(),
            branch: Some("main".into()),
            file_paths: Some(vec!["README.md".into()]),
            ..Push::default()
        })
        .expect("pushed");
    assert!(skipped.pipeline_execution_ids.is_empty());
    let pushed = control
        .push(Push {
            repository: "me/site".into(),
            branch: Some("main".into()),
            message: Some("New home page".into()),
            files: BTreeMap::from([("public/index.html".into(), "<h1>new</h1>".into())]),
            ..Push::default()
        })
        .expect("pushed");
    assert_eq!(pushed.pipeline_execution_ids.len(), 1);
    server.clock().advance(Duration::from_secs(60)).await;

    let exec = cp
        .get_pipeline_execution()
        .pipeline_name("site")
        .pipeline_execution_id(&pushed.pipeline_execution_ids[0])
        .send()
        .await
        .expect("execution")
        .pipeline_execution
        .expect("execution");
    assert_eq!(exec.status, Some(PipelineExecutionStatus::Succeeded));
    let trigger: &ExecutionTrigger = exec.trigger.as_ref().expect("trigger");
    assert_eq!(trigger.trigger_type, Some(TriggerType::WebhookV2));
    let revision = &exec.artifact_revisions()[0];
    assert_eq!(revision.revision_id(), Some(pushed.commit_id.as_str()));

    let details = cp
        .list_action_executions()
        .pipeline_name("site")
        .send()
        .await
        .expect("actions")
        .action_execution_details
        .unwrap_or_default();
    let src = details
        .iter()
        .find(|d| d.action_name() == Some("Src"))
        .expect("source action");
    let vars = src
        .output
        .as_ref()
        .and_then(|o| o.output_variables.clone())
        .unwrap_or_default();
    assert_eq!(vars.get("CommitId"), Some(&pushed.commit_id));
    assert_eq!(
        vars.get("CommitMessage").map(String::as_str),
        Some("New home page")
    );
    assert_eq!(
        vars.get("FullRepositoryName").map(String::as_str),
        Some("me/site")
    );

    let page = s3
        .get_object()
        .bucket("www")
        .key("public/index.html")
        .send()
        .await
        .expect("published")
        .body
        .collect()
        .await
        .expect("body")
        .into_bytes();
    assert_eq!(&page[..], b"<h1>new</h1>");
}

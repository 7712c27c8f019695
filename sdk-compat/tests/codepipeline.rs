//! aws-sdk-codepipeline against `MockServer`: pipelines with versions and tags, an execution
//! that reads its S3 source, waits at a manual approval and deploys, stop and retry, a disabled
//! transition, a custom action done by a job worker, action and rule types, webhooks, and typed
//! errors.

use aws_config::retry::RetryConfig;
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ApprovalResult, ApprovalStatus,
    ArtifactDetails, ArtifactStore, ArtifactStoreType, ExecutionDetails, InputArtifact,
    OutputArtifact, PipelineDeclaration, PipelineExecutionStatus, StageDeclaration, StageRetryMode,
    StageTransitionType, Tag, WebhookAuthenticationType, WebhookDefinition, WebhookFilterRule,
};
use aws_sdk_codepipeline::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use codemock::MockServer;

fn client(server: &MockServer) -> Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    Client::new(&conf)
}

async fn buckets(server: &MockServer) {
    let conf = server.sdk_config();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("src")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_versioning()
        .bucket("src")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    s3.create_bucket()
        .bucket("artifacts")
        .send()
        .await
        .expect("bucket");
    s3.put_object()
        .bucket("src")
        .key("app.zip")
        .body(ByteStream::from_static(b"PK-app"))
        .send()
        .await
        .expect("object");
}

fn type_id(category: ActionCategory, owner: ActionOwner, provider: &str) -> ActionTypeId {
    ActionTypeId::builder()
        .category(category)
        .owner(owner)
        .provider(provider)
        .version("1")
        .build()
        .expect("type id")
}

fn declaration(name: &str, second: ActionDeclaration) -> PipelineDeclaration {
    let source = ActionDeclaration::builder()
        .name("Src")
        .action_type_id(type_id(ActionCategory::Source, ActionOwner::Aws, "S3"))
        .configuration("S3Bucket", "src")
        .configuration("S3ObjectKey", "app.zip")
        .output_artifacts(OutputArtifact::builder().name("Out").build().expect("out"))
        .build()
        .expect("action");
    let deploy = ActionDeclaration::builder()
        .name("Stack")
        .action_type_id(type_id(
            ActionCategory::Deploy,
            ActionOwner::Aws,
            "CloudFormation",
        ))
        .configuration("ActionMode", "CREATE_UPDATE")
        .configuration("StackName", "app")
        .input_artifacts(InputArtifact::builder().name("Out").build().expect("in"))
        .build()
        .expect("action");
    PipelineDeclaration::builder()
        .name(name)
        .role_arn("arn:aws:iam::000000000000:role/p")
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
                .name("Approve")
                .actions(second)
                .build()
                .expect("stage"),
        )
        .stages(
            StageDeclaration::builder()
                .name("Deploy")
                .actions(deploy)
                .build()
                .expect("stage"),
        )
        .build()
        .expect("pipeline")
}

fn manual() -> ActionDeclaration {
    ActionDeclaration::builder()
        .name("Gate")
        .action_type_id(type_id(
            ActionCategory::Approval,
            ActionOwner::Aws,
            "Manual",
        ))
        .build()
        .expect("action")
}

async fn latest_status(c: &Client, name: &str) -> PipelineExecutionStatus {
    let execs = c
        .list_pipeline_executions()
        .pipeline_name(name)
        .send()
        .await
        .expect("executions");
    execs.pipeline_execution_summaries()[0]
        .status()
        .cloned()
        .expect("status")
}

#[tokio::test]
async fn a_pipeline_runs_to_success_through_its_approval() {
    let server = MockServer::start().await;
    buckets(&server).await;
    let c = client(&server);
    let created = c
        .create_pipeline()
        .pipeline(declaration("app", manual()))
        .tags(Tag::builder().key("team").value("a").build().expect("tag"))
        .send()
        .await
        .expect("CreatePipeline");
    assert_eq!(created.pipeline().and_then(|p| p.version()), Some(1));
    server.settle().await;

    let got = c
        .get_pipeline()
        .name("app")
        .send()
        .await
        .expect("GetPipeline");
    let arn = got
        .metadata()
        .and_then(|m| m.pipeline_arn())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(arn, "arn:aws:codepipeline:us-east-1:000000000000:app");
    let listed = c.list_pipelines().send().await.expect("ListPipelines");
    assert_eq!(listed.pipelines().len(), 1);

    let state = c
        .get_pipeline_state()
        .name("app")
        .send()
        .await
        .expect("GetPipelineState");
    let approve = &state.stage_states()[1];
    let token = approve.action_states()[0]
        .latest_execution()
        .and_then(|e| e.token())
        .unwrap_or_default()
        .to_owned();
    assert!(!token.is_empty());
    c.put_approval_result()
        .pipeline_name("app")
        .stage_name("Approve")
        .action_name("Gate")
        .token(&token)
        .result(
            ApprovalResult::builder()
                .summary("fine")
                .status(ApprovalStatus::Approved)
                .build()
                .expect("result"),
        )
        .send()
        .await
        .expect("PutApprovalResult");
    server.settle().await;
    assert_eq!(
        latest_status(&c, "app").await,
        PipelineExecutionStatus::Succeeded
    );

    let execs = c
        .list_pipeline_executions()
        .pipeline_name("app")
        .send()
        .await
        .expect("executions");
    let id = execs.pipeline_execution_summaries()[0]
        .pipeline_execution_id()
        .unwrap_or_default()
        .to_owned();
    let exec = c
        .get_pipeline_execution()
        .pipeline_name("app")
        .pipeline_execution_id(&id)
        .send()
        .await
        .expect("GetPipelineExecution");
    assert_eq!(
        exec.pipeline_execution()
            .map(|e| e.artifact_revisions().len()),
        Some(1)
    );
    let actions = c
        .list_action_executions()
        .pipeline_name("app")
        .filter(
            aws_sdk_codepipeline::types::ActionExecutionFilter::builder()
                .pipeline_execution_id(&id)
                .build(),
        )
        .send()
        .await
        .expect("ListActionExecutions");
    assert_eq!(actions.action_execution_details().len(), 3);

    c.tag_resource()
        .resource_arn(&arn)
        .tags(
            Tag::builder()
                .key("env")
                .value("prod")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("TagResource");
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("tags");
    assert_eq!(tags.tags().len(), 2);
    let updated = c
        .update_pipeline()
        .pipeline(declaration("app", manual()))
        .send()
        .await
        .expect("UpdatePipeline");
    assert_eq!(updated.pipeline().and_then(|p| p.version()), Some(2));
    c.delete_pipeline()
        .name("app")
        .send()
        .await
        .expect("DeletePipeline");
    let e = c
        .get_pipeline()
        .name("app")
        .send()
        .await
        .expect_err("deleted");
    assert!(e.into_service_error().is_pipeline_not_found_exception());
}

#[tokio::test]
async fn stop_retry_and_a_disabled_transition() {
    let server = MockServer::start().await;
    buckets(&server).await;
    let c = client(&server);
    c.create_pipeline()
        .pipeline(declaration("app", manual()))
        .send()
        .await
        .expect("CreatePipeline");
    server.settle().await;
    let execs = c
        .list_pipeline_executions()
        .pipeline_name("app")
        .send()
        .await
        .expect("executions");
    let id = execs.pipeline_execution_summaries()[0]
        .pipeline_execution_id()
        .unwrap_or_default()
        .to_owned();
    c.stop_pipeline_execution()
        .pipeline_name("app")
        .pipeline_execution_id(&id)
        .abandon(true)
        .reason("enough")
        .send()
        .await
        .expect("StopPipelineExecution");
    assert_eq!(
        latest_status(&c, "app").await,
        PipelineExecutionStatus::Stopped
    );
    let e = c
        .stop_pipeline_execution()
        .pipeline_name("app")
        .pipeline_execution_id(&id)
        .send()
        .await
        .expect_err("not stoppable");
    assert!(e
        .into_service_error()
        .is_pipeline_execution_not_stoppable_exception());
    c.retry_stage_execution()
        .pipeline_name("app")
        .stage_name("Approve")
        .pipeline_execution_id(&id)
        .retry_mode(StageRetryMode::FailedActions)
        .send()
        .await
        .expect("RetryStageExecution");
    assert_eq!(
        latest_status(&c, "app").await,
        PipelineExecutionStatus::InProgress
    );

    c.disable_stage_transition()
        .pipeline_name("app")
        .stage_name("Deploy")
        .transition_type(StageTransitionType::Inbound)
        .reason("freeze")
        .send()
        .await
        .expect("DisableStageTransition");
    let state = c
        .get_pipeline_state()
        .name("app")
        .send()
        .await
        .expect("state");
    let deploy = &state.stage_states()[2];
    assert_eq!(
        deploy.inbound_transition_state().map(|t| t.enabled()),
        Some(false)
    );
    c.enable_stage_transition()
        .pipeline_name("app")
        .stage_name("Deploy")
        .transition_type(StageTransitionType::Inbound)
        .send()
        .await
        .expect("EnableStageTransition");
    let started = c
        .start_pipeline_execution()
        .name("app")
        .send()
        .await
        .expect("StartPipelineExecution");
    assert!(started.pipeline_execution_id().is_some());
    let e = c
        .start_pipeline_execution()
        .name("nope")
        .send()
        .await
        .expect_err("unknown pipeline");
    assert!(e.into_service_error().is_pipeline_not_found_exception());
}

#[tokio::test]
async fn a_job_worker_completes_a_custom_action() {
    let server = MockServer::start().await;
    buckets(&server).await;
    let c = client(&server);
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
    let types = c
        .list_action_types()
        .action_owner_filter(ActionOwner::Custom)
        .send()
        .await
        .expect("ListActionTypes");
    assert_eq!(types.action_types().len(), 1);
    let all = c.list_action_types().send().await.expect("ListActionTypes");
    assert!(all.action_types().len() > 10);
    let rules = c.list_rule_types().send().await.expect("ListRuleTypes");
    assert!(!rules.rule_types().is_empty());

    let custom = ActionDeclaration::builder()
        .name("Check")
        .action_type_id(type_id(
            ActionCategory::Test,
            ActionOwner::Custom,
            "Checker",
        ))
        .input_artifacts(InputArtifact::builder().name("Out").build().expect("in"))
        .build()
        .expect("action");
    c.create_pipeline()
        .pipeline(declaration("app", custom))
        .send()
        .await
        .expect("CreatePipeline");
    server.settle().await;
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
    let job = &jobs.jobs()[0];
    let id = job.id().unwrap_or_default().to_owned();
    c.acknowledge_job()
        .job_id(&id)
        .nonce(job.nonce().unwrap_or_default())
        .send()
        .await
        .expect("AcknowledgeJob");
    let details = c
        .get_job_details()
        .job_id(&id)
        .send()
        .await
        .expect("details");
    assert_eq!(
        details
            .job_details()
            .and_then(|d| d.data())
            .and_then(|d| d.pipeline_context())
            .and_then(|p| p.pipeline_name()),
        Some("app")
    );
    c.put_job_success_result()
        .job_id(&id)
        .execution_details(ExecutionDetails::builder().summary("checked").build())
        .send()
        .await
        .expect("PutJobSuccessResult");
    server.settle().await;
    assert_eq!(
        latest_status(&c, "app").await,
        PipelineExecutionStatus::Succeeded
    );

    let hook = c
        .put_webhook()
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
                .authentication_configuration(
                    aws_sdk_codepipeline::types::WebhookAuthConfiguration::builder().build(),
                )
                .build()
                .expect("webhook"),
        )
        .send()
        .await
        .expect("PutWebhook");
    assert!(hook.webhook().is_some_and(|w| !w.url().is_empty()));
    let hooks = c.list_webhooks().send().await.expect("ListWebhooks");
    assert_eq!(hooks.webhooks().len(), 1);
    c.delete_webhook()
        .name("hook")
        .send()
        .await
        .expect("DeleteWebhook");
}

#[tokio::test]
async fn a_before_entry_condition_fails_its_stage_and_its_rule_execution_is_listed() {
    use aws_sdk_codepipeline::types::{
        BeforeEntryConditions, Condition, ConditionExecutionStatus, ConditionType, PipelineType,
        PipelineVariableDeclaration, Result as ConditionResult, RuleCategory, RuleDeclaration,
        RuleExecutionStatus, RuleOwner, RuleTypeId,
    };
    let server = MockServer::start().await;
    buckets(&server).await;
    let c = client(&server);
    let mut d = declaration("gated", manual());
    d.stages.remove(1);
    d.pipeline_type = Some(PipelineType::V2);
    d.variables = Some(vec![PipelineVariableDeclaration::builder()
        .name("env")
        .default_value("dev")
        .build()
        .expect("variable")]);
    let rule = RuleDeclaration::builder()
        .name("IsProd")
        .rule_type_id(
            RuleTypeId::builder()
                .category(RuleCategory::Rule)
                .owner(RuleOwner::Aws)
                .provider("VariableCheck")
                .version("1")
                .build()
                .expect("rule type"),
        )
        .configuration("Variable", "#{variables.env}")
        .configuration("Operator", "EQ")
        .configuration("Value", "prod")
        .build()
        .expect("rule");
    d.stages[1].before_entry = Some(
        BeforeEntryConditions::builder()
            .conditions(
                Condition::builder()
                    .result(ConditionResult::Fail)
                    .rules(rule)
                    .build(),
            )
            .build()
            .expect("conditions"),
    );
    c.create_pipeline()
        .pipeline(d)
        .send()
        .await
        .expect("create");
    server.settle().await;
    assert_eq!(
        latest_status(&c, "gated").await,
        PipelineExecutionStatus::Failed
    );
    let state = c
        .get_pipeline_state()
        .name("gated")
        .send()
        .await
        .expect("state");
    let deploy = &state.stage_states()[1];
    let cond = deploy
        .before_entry_condition_state()
        .and_then(|s| s.latest_execution())
        .and_then(|e| e.status());
    assert_eq!(cond, Some(&ConditionExecutionStatus::Failed));
    let rules = c
        .list_rule_executions()
        .pipeline_name("gated")
        .send()
        .await
        .expect("rule executions");
    let detail = &rules.rule_execution_details()[0];
    assert_eq!(detail.rule_name(), Some("IsProd"));
    assert_eq!(detail.status(), Some(&RuleExecutionStatus::Failed));
    let exec = detail
        .pipeline_execution_id()
        .unwrap_or_default()
        .to_owned();
    let refused = c
        .override_stage_condition()
        .pipeline_name("gated")
        .stage_name("Deploy")
        .pipeline_execution_id(exec)
        .condition_type(ConditionType::BeforeEntry)
        .send()
        .await
        .expect_err("nothing in progress");
    assert!(refused
        .as_service_error()
        .is_some_and(|e| e.is_condition_not_overridable_exception()));
}

#[tokio::test]
async fn list_deploy_action_execution_targets_answers_through_the_sdk() {
    let server = MockServer::start().await;
    buckets(&server).await;
    let c = client(&server);
    let mut d = declaration("plain", manual());
    d.stages.remove(1);
    c.create_pipeline()
        .pipeline(d)
        .send()
        .await
        .expect("create");
    server.settle().await;
    let actions = c
        .list_action_executions()
        .pipeline_name("plain")
        .send()
        .await
        .expect("actions");
    let stack = actions
        .action_execution_details()
        .iter()
        .find(|a| a.action_name() == Some("Stack"))
        .and_then(|a| a.action_execution_id())
        .unwrap_or_default()
        .to_owned();
    // A CloudFormation action has no CodeDeploy targets.
    let targets = c
        .list_deploy_action_execution_targets()
        .pipeline_name("plain")
        .action_execution_id(stack)
        .send()
        .await
        .expect("targets");
    assert!(targets.targets().is_empty());
    let missing = c
        .list_deploy_action_execution_targets()
        .pipeline_name("plain")
        .action_execution_id("nope")
        .send()
        .await
        .expect_err("no such action execution");
    assert!(missing
        .as_service_error()
        .is_some_and(|e| e.is_action_execution_not_found_exception()));
}

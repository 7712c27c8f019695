//! Checks of the generated schemas against facts of the pinned models.

use codemock_wire::schema::ShapeKind;
use codemock_wire::{codebuild, codedeploy, codepipeline, events, logs, services, sqs};

#[test]
fn metadata_matches_the_models() {
    let expect = [
        (
            "codepipeline",
            "CodePipeline",
            "CodePipeline_20150709",
            "codepipeline",
            "1.1",
            true,
            44,
        ),
        (
            "codebuild",
            "CodeBuild",
            "CodeBuild_20161006",
            "codebuild",
            "1.1",
            true,
            59,
        ),
        (
            "codedeploy",
            "CodeDeploy",
            "CodeDeploy_20141006",
            "codedeploy",
            "1.1",
            true,
            47,
        ),
        (
            "events",
            "EventBridge",
            "AWSEvents",
            "events",
            "1.1",
            false,
            57,
        ),
        ("sqs", "SQS", "AmazonSQS", "sqs", "1.0", false, 23),
        (
            "logs",
            "CloudWatch Logs",
            "Logs_20140328",
            "logs",
            "1.1",
            false,
            118,
        ),
    ];
    for (svc, (name, id, prefix, signing, json, cbor, ops)) in services().into_iter().zip(expect) {
        assert_eq!(svc.name, name);
        assert_eq!(svc.service_id, id);
        assert_eq!(svc.target_prefix, prefix);
        assert_eq!(svc.signing_name, signing);
        assert_eq!(svc.json_version, json);
        assert_eq!(svc.supports_cbor, cbor);
        assert_eq!(svc.operations.len(), ops, "{name}");
        assert!(
            svc.operations.windows(2).all(|w| w[0].name < w[1].name),
            "{name} operations sorted"
        );
        assert!(
            svc.shapes.windows(2).all(|w| w[0].name < w[1].name),
            "{name} shapes sorted"
        );
    }
    assert!(sqs::SERVICE.aws_query_compatible);
    assert_eq!(events::SERVICE.api_version, "2015-10-07");
}

#[test]
fn lookups() {
    let op = codepipeline::SERVICE
        .operation("CreatePipeline")
        .expect("CreatePipeline");
    assert_eq!(op.name, "CreatePipeline");
    let input = op.input.expect("input");
    assert_eq!(
        codepipeline::SERVICE.shape(input).name,
        "CreatePipelineInput"
    );
    assert_eq!(
        codepipeline::SERVICE.shape_by_name("CreatePipelineInput"),
        Some(input)
    );
    assert!(op.errors.contains(&"PipelineNameInUseException"));
    assert!(codepipeline::SERVICE.operation("Nope").is_none());
    assert!(codepipeline::SERVICE.shape_by_name("Nope").is_none());
}

#[test]
fn deprecated_operations() {
    let deprecated: Vec<&str> = codedeploy::SERVICE
        .operations
        .iter()
        .filter(|o| o.deprecated)
        .map(|o| o.name)
        .collect();
    assert_eq!(
        deprecated,
        [
            "BatchGetDeploymentInstances",
            "GetDeploymentInstance",
            "ListDeploymentInstances",
            "SkipWaitTimeForInstanceTermination"
        ]
    );
    assert!(codebuild::SERVICE.operations.iter().all(|o| !o.deprecated));
}

#[test]
fn error_info() {
    let (_, conflict) = codepipeline::SERVICE
        .error_shape("ConflictException")
        .expect("modeled");
    assert_eq!(
        (conflict.code, conflict.http_status, conflict.fault),
        ("ConflictException", 409, false)
    );
    let (_, not_found) = codepipeline::SERVICE
        .error_shape("PipelineNotFoundException")
        .expect("modeled");
    assert_eq!(not_found.http_status, 400);
    let (_, internal) = events::SERVICE
        .error_shape("InternalException")
        .expect("modeled");
    assert_eq!((internal.http_status, internal.fault), (500, true));
    let (shape, _) = logs::SERVICE
        .error_shape("ResourceNotFoundException")
        .expect("modeled");
    assert!(matches!(shape.kind, ShapeKind::Structure { .. }));
}

#[test]
fn enums_round_trip() {
    use codepipeline::{ActionCategory, ResultShape};
    assert_eq!(
        ActionCategory::from_name("Build"),
        Some(ActionCategory::Build)
    );
    assert_eq!(ActionCategory::Build.to_string(), "Build");
    assert_eq!(ResultShape::VALUES.len(), 4);
    assert_eq!(
        serde_json::to_string(&ResultShape::Rollback).expect("encodes"),
        "\"ROLLBACK\""
    );
    let parsed: Result<ActionCategory, _> = serde_json::from_str("\"Nope\"");
    assert!(parsed.is_err());
}

#[test]
fn outputs_build_with_defaults_and_omit_unset_members() {
    // PipelineMetadata is only reached from outputs: every member optional.
    let out = codepipeline::GetPipelineOutput {
        metadata: Some(codepipeline::PipelineMetadata {
            pipeline_arn: Some("arn".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&out).expect("encodes"),
        r#"{"metadata":{"pipelineArn":"arn"}}"#
    );
    let empty = codepipeline::ListPipelinesInput::default();
    assert_eq!(serde_json::to_string(&empty).expect("encodes"), "{}");
}

#[test]
fn required_members_of_input_structures_are_plain_fields() {
    // PipelineDeclaration is reachable from CreatePipeline's input: its required name, roleArn
    // and stages are plain fields, always written; version stays optional.
    let decl = codepipeline::PipelineDeclaration {
        name: "p".into(),
        version: Some(1),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&decl).expect("encodes"),
        r#"{"name":"p","roleArn":"","stages":[],"version":1}"#
    );
    let input: codepipeline::DeletePipelineInput =
        serde_json::from_str(r#"{"name":"p"}"#).expect("decodes");
    assert_eq!(input.name, "p");
    // Required enum members too (`ActionTypeId.category`).
    let id: codepipeline::ActionTypeId = serde_json::from_str(
        r#"{"category":"Build","owner":"AWS","provider":"CodeBuild","version":"1"}"#,
    )
    .expect("decodes");
    assert_eq!(id.category, codepipeline::ActionCategory::Build);
}

#[test]
fn unvalidated_json_decodes_with_missing_required_members_at_their_default() {
    // EventBridge hands a rule target's input to CodeBuild as a StartBuild input without the
    // validator: a missing required member must not fail the decoding.
    let input: codebuild::StartBuildInput = serde_json::from_str(
        r#"{"sourceVersion":"main","environmentVariablesOverride":[{"value":"v"}]}"#,
    )
    .expect("decodes");
    assert_eq!(input.project_name, "");
    assert_eq!(input.source_version.as_deref(), Some("main"));
    let vars = input.environment_variables_override.expect("vars");
    assert_eq!((vars[0].name.as_str(), vars[0].value.as_str()), ("", "v"));
}

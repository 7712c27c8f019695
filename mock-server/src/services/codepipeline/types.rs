//! The AWS-owned action types ListActionTypes reports, with their configuration properties and
//! artifact counts (from the CodePipeline action structure reference: each provider's
//! "Configuration parameters" with "Required: Yes/No", and its input/output artifact counts).

use codemock_wire::codepipeline::{
    ActionCategory, ActionConfigurationProperty, ActionConfigurationPropertyType, ActionOwner,
    ActionType, ActionTypeId, ActionTypeSettings, ArtifactDetails, RuleCategory,
    RuleConfigurationProperty, RuleConfigurationPropertyType, RuleOwner, RuleType, RuleTypeId,
    RuleTypeSettings,
};

/// (category, provider, properties as (name, required, secret), inputs (min, max), outputs).
type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, bool, bool)],
    (i32, i32),
    (i32, i32),
);

const AWS_TYPES: &[Row] = &[
    (
        "Source",
        "S3",
        &[
            ("S3Bucket", true, false),
            ("S3ObjectKey", true, false),
            ("PollForSourceChanges", false, false),
        ],
        (0, 0),
        (1, 1),
    ),
    (
        "Source",
        "CodeCommit",
        &[
            ("RepositoryName", true, false),
            ("BranchName", true, false),
            ("PollForSourceChanges", false, false),
            ("OutputArtifactFormat", false, false),
        ],
        (0, 0),
        (1, 1),
    ),
    (
        "Source",
        "ECR",
        &[("RepositoryName", true, false), ("ImageTag", false, false)],
        (0, 0),
        (1, 1),
    ),
    (
        "Source",
        "CodeStarSourceConnection",
        &[
            ("ConnectionArn", true, false),
            ("FullRepositoryId", true, false),
            ("BranchName", true, false),
            ("OutputArtifactFormat", false, false),
            ("DetectChanges", false, false),
        ],
        (0, 0),
        (1, 1),
    ),
    (
        "Build",
        "CodeBuild",
        &[
            ("ProjectName", true, false),
            ("PrimarySource", false, false),
            ("BatchEnabled", false, false),
            ("CombineArtifacts", false, false),
            ("EnvironmentVariables", false, false),
        ],
        (1, 5),
        (0, 5),
    ),
    (
        "Test",
        "CodeBuild",
        &[
            ("ProjectName", true, false),
            ("PrimarySource", false, false),
            ("BatchEnabled", false, false),
            ("CombineArtifacts", false, false),
            ("EnvironmentVariables", false, false),
        ],
        (1, 5),
        (0, 5),
    ),
    (
        "Deploy",
        "CodeDeploy",
        &[
            ("ApplicationName", true, false),
            ("DeploymentGroupName", true, false),
        ],
        (1, 1),
        (0, 0),
    ),
    (
        "Deploy",
        "CloudFormation",
        &[
            ("ActionMode", true, false),
            ("StackName", true, false),
            ("Capabilities", false, false),
            ("ChangeSetName", false, false),
            ("RoleArn", false, false),
            ("TemplatePath", false, false),
            ("TemplateConfiguration", false, false),
            ("ParameterOverrides", false, false),
            ("OutputFileName", false, false),
        ],
        (0, 10),
        (0, 1),
    ),
    (
        "Deploy",
        "ECS",
        &[
            ("ClusterName", true, false),
            ("ServiceName", true, false),
            ("FileName", false, false),
            ("DeploymentTimeout", false, false),
        ],
        (1, 1),
        (0, 0),
    ),
    (
        "Deploy",
        "CodeDeployToECS",
        &[
            ("ApplicationName", true, false),
            ("DeploymentGroupName", true, false),
            ("TaskDefinitionTemplateArtifact", true, false),
            ("AppSpecTemplateArtifact", true, false),
            ("TaskDefinitionTemplatePath", false, false),
            ("AppSpecTemplatePath", false, false),
            ("Image1ArtifactName", false, false),
            ("Image1ContainerName", false, false),
        ],
        (1, 5),
        (0, 0),
    ),
    (
        "Deploy",
        "ElasticBeanstalk",
        &[
            ("ApplicationName", true, false),
            ("EnvironmentName", true, false),
        ],
        (1, 1),
        (0, 0),
    ),
    (
        "Deploy",
        "S3",
        &[
            ("BucketName", true, false),
            ("Extract", true, false),
            ("ObjectKey", false, false),
            ("KMSEncryptionKeyARN", false, false),
            ("CannedACL", false, false),
            ("CacheControl", false, false),
        ],
        (1, 1),
        (0, 0),
    ),
    (
        "Approval",
        "Manual",
        &[
            ("NotificationArn", false, false),
            ("CustomData", false, false),
            ("ExternalEntityLink", false, false),
        ],
        (0, 0),
        (0, 0),
    ),
    (
        "Invoke",
        "Lambda",
        &[
            ("FunctionName", true, false),
            ("UserParameters", false, false),
        ],
        (0, 5),
        (0, 5),
    ),
    (
        "Invoke",
        "StepFunctions",
        &[
            ("StateMachineArn", true, false),
            ("ExecutionNamePrefix", false, false),
            ("InputType", false, false),
            ("Input", false, false),
        ],
        (0, 1),
        (0, 1),
    ),
];

/// Every AWS-owned action type.
pub fn aws_types() -> Vec<ActionType> {
    AWS_TYPES
        .iter()
        .map(|(category, provider, props, inputs, outputs)| ActionType {
            id: Some(ActionTypeId {
                // The table below spells model values only.
                category: ActionCategory::from_name(category).unwrap_or_default(),
                owner: ActionOwner::Aws,
                provider: (*provider).to_owned(),
                version: "1".to_owned(),
            }),
            settings: Some(ActionTypeSettings::default()),
            action_configuration_properties: Some(
                props
                    .iter()
                    .map(|(name, required, secret)| ActionConfigurationProperty {
                        name: (*name).to_owned(),
                        required: *required,
                        key: *required,
                        secret: *secret,
                        queryable: Some(false),
                        description: None,
                        r#type: Some(ActionConfigurationPropertyType::StringValue),
                    })
                    .collect(),
            ),
            input_artifact_details: Some(ArtifactDetails {
                minimum_count: inputs.0,
                maximum_count: inputs.1,
            }),
            output_artifact_details: Some(ArtifactDetails {
                minimum_count: outputs.0,
                maximum_count: outputs.1,
            }),
        })
        .collect()
}

/// The AWS rule types for stage conditions, with their configuration (CodePipeline rule
/// structure reference): (provider, properties as (name, required), input artifacts max).
type RuleRow = (&'static str, &'static [(&'static str, bool)], i32);

const RULE_TYPES: &[RuleRow] = &[
    (
        "LambdaInvoke",
        &[("FunctionName", true), ("UserParameters", false)],
        5,
    ),
    (
        "VariableCheck",
        &[("Variable", true), ("Value", true), ("Operator", true)],
        0,
    ),
    (
        "DeploymentWindow",
        &[("Cron", true), ("TimeZone", false)],
        0,
    ),
    (
        "CloudWatchAlarm",
        &[
            ("AlarmName", true),
            ("AlarmStates", false),
            ("WaitTime", false),
        ],
        0,
    ),
    ("Commands", &[], 10),
];

/// The configuration keys rule provider `provider` requires (`None`: no such AWS rule type).
pub fn rule_required(provider: &str) -> Option<Vec<&'static str>> {
    RULE_TYPES
        .iter()
        .find(|(p, _, _)| *p == provider)
        .map(|(_, props, _)| {
            props
                .iter()
                .filter(|(_, required)| *required)
                .map(|(n, _)| *n)
                .collect()
        })
}

/// Every AWS rule type.
pub fn rule_types() -> Vec<RuleType> {
    RULE_TYPES
        .iter()
        .map(|(provider, props, inputs)| RuleType {
            id: Some(RuleTypeId {
                category: RuleCategory::Rule,
                owner: Some(RuleOwner::Aws),
                provider: (*provider).to_owned(),
                version: Some("1".to_owned()),
            }),
            settings: Some(RuleTypeSettings::default()),
            rule_configuration_properties: Some(
                props
                    .iter()
                    .map(|(name, required)| RuleConfigurationProperty {
                        name: Some((*name).to_owned()),
                        required: Some(*required),
                        key: Some(*required),
                        secret: Some(false),
                        queryable: Some(false),
                        description: None,
                        r#type: Some(RuleConfigurationPropertyType::StringValue),
                    })
                    .collect(),
            ),
            input_artifact_details: Some(ArtifactDetails {
                minimum_count: 0,
                maximum_count: *inputs,
            }),
        })
        .collect()
}

//! Action types (the AWS-owned catalogue, custom action types) and webhooks.

use crate::error::ServiceError;
use crate::services::codepipeline::state::{CustomType, Webhook};
use crate::services::codepipeline::{types, Call};
use codemock_wire::codepipeline::*;
use codemock_wire::types::Empty;

pub fn list_action_types(
    call: &mut Call<'_>,
    input: ListActionTypesInput,
) -> Result<ListActionTypesOutput, ServiceError> {
    if input.next_token.is_some() {
        // Everything fits one page, so no token codemock hands out is ever sent back.
        return Err(super::invalid_token());
    }
    let mut all = types::aws_types();
    all.extend(
        call.state
            .custom_types
            .values()
            .map(|c| c.declaration.clone()),
    );
    let owner = input.action_owner_filter;
    all.retain(|t| owner.is_none() || t.id.as_ref().and_then(|i| i.owner) == owner);
    Ok(ListActionTypesOutput {
        action_types: Some(all),
        next_token: None,
    })
}

fn type_not_found() -> ServiceError {
    ServiceError::new(
        "ActionTypeNotFoundException",
        "The specified action type cannot be found",
    )
}

pub fn get_action_type(
    call: &mut Call<'_>,
    input: GetActionTypeInput,
) -> Result<GetActionTypeOutput, ServiceError> {
    let owner = input.owner.unwrap_or_default();
    let provider = input.provider.unwrap_or_default();
    let version = input.version.unwrap_or_default();
    let category = input.category;
    let found = types::aws_types()
        .into_iter()
        .chain(
            call.state
                .custom_types
                .values()
                .map(|c| c.declaration.clone()),
        )
        .find(|t| {
            t.id.as_ref().is_some_and(|i| {
                i.category == category
                    && i.owner.map(|o| o.as_str()) == Some(owner.as_str())
                    && i.provider.as_deref() == Some(provider.as_str())
                    && i.version.as_deref() == Some(version.as_str())
            })
        })
        .ok_or_else(type_not_found)?;
    let props = found
        .action_configuration_properties
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|p| ActionTypeProperty {
            name: p.name,
            optional: p.required.map(|r| !r),
            key: p.key,
            no_echo: p.secret,
            queryable: p.queryable,
            description: p.description,
        })
        .collect();
    let counts = |d: Option<ArtifactDetails>| {
        d.map(|d| ActionTypeArtifactDetails {
            minimum_count: d.minimum_count,
            maximum_count: d.maximum_count,
        })
    };
    Ok(GetActionTypeOutput {
        action_type: Some(ActionTypeDeclaration {
            description: None,
            executor: Some(ActionTypeExecutor {
                configuration: Some(ExecutorConfiguration::default()),
                r#type: Some(ExecutorType::JobWorker),
                policy_statements_template: None,
                job_timeout: None,
            }),
            id: Some(ActionTypeIdentifier {
                category,
                owner: Some(owner),
                provider: Some(provider),
                version: Some(version),
            }),
            input_artifact_details: counts(found.input_artifact_details),
            output_artifact_details: counts(found.output_artifact_details),
            permissions: None,
            properties: Some(props),
            urls: found.settings.map(|s| ActionTypeUrls {
                configuration_url: s.third_party_configuration_url,
                entity_url_template: s.entity_url_template,
                execution_url_template: s.execution_url_template,
                revision_url_template: s.revision_url_template,
            }),
        }),
    })
}

pub fn create_custom_action_type(
    call: &mut Call<'_>,
    input: CreateCustomActionTypeInput,
) -> Result<CreateCustomActionTypeOutput, ServiceError> {
    let category = input.category;
    let provider = input.provider.unwrap_or_default();
    let version = input.version.unwrap_or_default();
    let key = (
        category.map(|c| c.as_str()).unwrap_or_default().to_owned(),
        provider.clone(),
        version.clone(),
    );
    if call.state.custom_types.contains_key(&key) {
        return Err(ServiceError::new(
            "ActionTypeAlreadyExistsException",
            format!("Action type with category '{}', provider '{provider}' and version '{version}' already exists", key.0),
        ));
    }
    let declaration = ActionType {
        id: Some(ActionTypeId {
            category,
            owner: Some(ActionOwner::Custom),
            provider: Some(provider),
            version: Some(version),
        }),
        settings: Some(input.settings.unwrap_or_default()),
        action_configuration_properties: input.configuration_properties,
        input_artifact_details: input.input_artifact_details,
        output_artifact_details: input.output_artifact_details,
    };
    let tags = input.tags.unwrap_or_default();
    call.state.custom_types.insert(
        key,
        CustomType {
            declaration: declaration.clone(),
            tags: tags.clone(),
        },
    );
    Ok(CreateCustomActionTypeOutput {
        action_type: Some(declaration),
        tags: (!tags.is_empty()).then_some(tags),
    })
}

pub fn delete_custom_action_type(
    call: &mut Call<'_>,
    input: DeleteCustomActionTypeInput,
) -> Result<Empty, ServiceError> {
    let key = (
        input
            .category
            .map(|c| c.as_str())
            .unwrap_or_default()
            .to_owned(),
        input.provider.unwrap_or_default(),
        input.version.unwrap_or_default(),
    );
    call.state.custom_types.remove(&key);
    Ok(Empty {})
}

fn webhook_not_found() -> ServiceError {
    ServiceError::new(
        "WebhookNotFoundException",
        "The specified webhook was entered in an invalid format or cannot be found",
    )
}

pub fn put_webhook(
    call: &mut Call<'_>,
    input: PutWebhookInput,
) -> Result<PutWebhookOutput, ServiceError> {
    let def = input.webhook.unwrap_or_default();
    let name = def.name.clone().unwrap_or_default();
    let target = def.target_pipeline.clone().unwrap_or_default();
    let account = call.ctx.account_id.clone();
    let region = call.ctx.region.clone();
    let p = call.state.pipelines.get(&target).ok_or_else(|| {
        crate::services::codepipeline::runtime::pipeline_not_found(&account, &target)
    })?;
    let action = def.target_action.clone().unwrap_or_default();
    let has_action = p
        .declaration
        .stages
        .iter()
        .flatten()
        .flat_map(|s| s.actions.iter().flatten())
        .any(|a| a.name.as_deref() == Some(action.as_str()));
    if !has_action {
        return Err(ServiceError::new(
            "ActionNotFoundException",
            format!("Action '{action}' does not exist in pipeline '{target}'"),
        ));
    }
    let url_id = call.core.ids.hex(32);
    let item = ListWebhookItem {
        definition: Some(def),
        url: Some(format!("https://{region}.webhooks.aws/trigger?t={url_id}")),
        error_message: None,
        error_code: None,
        last_triggered: None,
        arn: Some(format!(
            "arn:aws:codepipeline:{region}:{account}:webhook:{name}"
        )),
        tags: input.tags.filter(|t| !t.is_empty()),
    };
    let registered = call.state.webhooks.get(&name).is_some_and(|w| w.registered);
    call.state.webhooks.insert(
        name,
        Webhook {
            item: item.clone(),
            registered,
        },
    );
    Ok(PutWebhookOutput {
        webhook: Some(item),
    })
}

pub fn delete_webhook(
    call: &mut Call<'_>,
    input: DeleteWebhookInput,
) -> Result<DeleteWebhookOutput, ServiceError> {
    call.state.webhooks.remove(&input.name.unwrap_or_default());
    Ok(DeleteWebhookOutput {})
}

pub fn list_webhooks(
    call: &mut Call<'_>,
    input: ListWebhooksInput,
) -> Result<ListWebhooksOutput, ServiceError> {
    let _ = input;
    Ok(ListWebhooksOutput {
        webhooks: Some(
            call.state
                .webhooks
                .values()
                .map(|w| w.item.clone())
                .collect(),
        ),
        next_token: None,
    })
}

pub fn register_webhook_with_third_party(
    call: &mut Call<'_>,
    input: RegisterWebhookWithThirdPartyInput,
) -> Result<RegisterWebhookWithThirdPartyOutput, ServiceError> {
    let name = input.webhook_name.unwrap_or_default();
    let w = call
        .state
        .webhooks
        .get_mut(&name)
        .ok_or_else(webhook_not_found)?;
    w.registered = true;
    Ok(RegisterWebhookWithThirdPartyOutput {})
}

pub fn deregister_webhook_with_third_party(
    call: &mut Call<'_>,
    input: DeregisterWebhookWithThirdPartyInput,
) -> Result<DeregisterWebhookWithThirdPartyOutput, ServiceError> {
    let name = input.webhook_name.unwrap_or_default();
    let w = call
        .state
        .webhooks
        .get_mut(&name)
        .ok_or_else(webhook_not_found)?;
    w.registered = false;
    Ok(DeregisterWebhookWithThirdPartyOutput {})
}

pub fn list_rule_types(
    call: &mut Call<'_>,
    input: ListRuleTypesInput,
) -> Result<ListRuleTypesOutput, ServiceError> {
    let _ = (call, input);
    Ok(ListRuleTypesOutput {
        rule_types: Some(types::rule_types()),
    })
}

/// UpdateActionType of a custom action type: its properties, artifact counts and URLs.
pub fn update_action_type(
    call: &mut Call<'_>,
    input: UpdateActionTypeInput,
) -> Result<Empty, ServiceError> {
    let d = input.action_type.unwrap_or_default();
    let id = d.id.clone().unwrap_or_default();
    let key = (
        id.category
            .map(|c| c.as_str())
            .unwrap_or_default()
            .to_owned(),
        id.provider.clone().unwrap_or_default(),
        id.version.clone().unwrap_or_default(),
    );
    if id.owner.as_deref() != Some("Custom") {
        return Err(type_not_found());
    }
    let t = call
        .state
        .custom_types
        .get_mut(&key)
        .ok_or_else(type_not_found)?;
    let counts = |c: Option<ActionTypeArtifactDetails>| {
        c.map(|c| ArtifactDetails {
            minimum_count: c.minimum_count,
            maximum_count: c.maximum_count,
        })
    };
    if let Some(props) = d.properties {
        t.declaration.action_configuration_properties = Some(
            props
                .into_iter()
                .map(|p| ActionConfigurationProperty {
                    name: p.name,
                    required: p.optional.map(|o| !o),
                    key: p.key,
                    secret: p.no_echo,
                    queryable: p.queryable,
                    description: p.description,
                    r#type: Some(ActionConfigurationPropertyType::StringValue),
                })
                .collect(),
        );
    }
    if d.input_artifact_details.is_some() {
        t.declaration.input_artifact_details = counts(d.input_artifact_details);
    }
    if d.output_artifact_details.is_some() {
        t.declaration.output_artifact_details = counts(d.output_artifact_details);
    }
    if let Some(u) = d.urls {
        t.declaration.settings = Some(ActionTypeSettings {
            third_party_configuration_url: u.configuration_url,
            entity_url_template: u.entity_url_template,
            execution_url_template: u.execution_url_template,
            revision_url_template: u.revision_url_template,
        });
    }
    Ok(Empty {})
}

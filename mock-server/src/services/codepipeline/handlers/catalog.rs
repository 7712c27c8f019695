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
    all.retain(|t| owner.is_none() || t.id.as_ref().map(|i| i.owner) == owner);
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
    let owner = input.owner;
    let provider = input.provider;
    let version = input.version;
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
                    && i.owner.as_str() == owner.as_str()
                    && i.provider.as_str() == provider.as_str()
                    && i.version.as_str() == version.as_str()
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
            optional: !p.required,
            key: p.key,
            no_echo: p.secret,
            queryable: p.queryable,
            description: p.description,
        })
        .collect();
    // Every AWS type and every custom one (whose CreateCustomActionType requires them) has its
    // artifact counts, so the default is never sent.
    let counts = |d: Option<ArtifactDetails>| {
        d.map(|d| ActionTypeArtifactDetails {
            minimum_count: d.minimum_count,
            maximum_count: d.maximum_count,
        })
        .unwrap_or_default()
    };
    Ok(GetActionTypeOutput {
        action_type: Some(ActionTypeDeclaration {
            description: None,
            executor: ActionTypeExecutor {
                configuration: ExecutorConfiguration::default(),
                r#type: ExecutorType::JobWorker,
                policy_statements_template: None,
                job_timeout: None,
            },
            id: ActionTypeIdentifier {
                category,
                owner,
                provider,
                version,
            },
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
    let provider = input.provider;
    let version = input.version;
    let key = (
        category.as_str().to_owned(),
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
            owner: ActionOwner::Custom,
            provider,
            version,
        }),
        settings: Some(input.settings.unwrap_or_default()),
        action_configuration_properties: input.configuration_properties,
        input_artifact_details: Some(input.input_artifact_details),
        output_artifact_details: Some(input.output_artifact_details),
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
        input.category.as_str().to_owned(),
        input.provider,
        input.version,
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
    let def = input.webhook;
    let name = def.name.clone();
    let target = def.target_pipeline.clone();
    let account = call.ctx.account_id.clone();
    let region = call.ctx.region.clone();
    let p = call.state.pipelines.get(&target).ok_or_else(|| {
        crate::services::codepipeline::runtime::pipeline_not_found(&account, &target)
    })?;
    let action = def.target_action.clone();
    let has_action = p
        .declaration
        .stages
        .iter()
        .flat_map(|s| s.actions.iter())
        .any(|a| a.name.as_str() == action.as_str());
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
    call.state.webhooks.remove(&input.name);
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
    let d = input.action_type;
    let id = d.id.clone();
    let key = (
        id.category.as_str().to_owned(),
        id.provider.clone(),
        id.version.clone(),
    );
    if id.owner.as_str() != "Custom" {
        return Err(type_not_found());
    }
    let t = call
        .state
        .custom_types
        .get_mut(&key)
        .ok_or_else(type_not_found)?;
    let counts = |c: ActionTypeArtifactDetails| ArtifactDetails {
        minimum_count: c.minimum_count,
        maximum_count: c.maximum_count,
    };
    if let Some(props) = d.properties {
        t.declaration.action_configuration_properties = Some(
            props
                .into_iter()
                .map(|p| ActionConfigurationProperty {
                    name: p.name,
                    required: !p.optional,
                    key: p.key,
                    secret: p.no_echo,
                    queryable: p.queryable,
                    description: p.description,
                    r#type: Some(ActionConfigurationPropertyType::StringValue),
                })
                .collect(),
        );
    }
    t.declaration.input_artifact_details = Some(counts(d.input_artifact_details));
    t.declaration.output_artifact_details = Some(counts(d.output_artifact_details));
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

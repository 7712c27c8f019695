//! Event buses and their resource policies (PutPermission / RemovePermission).

use super::{already_exists, bus_not_found, not_found, page, ts, Empty};
use crate::error::ServiceError;
use crate::ids::arn;
use crate::ids::split_arn;
use crate::services::events::state::{bus_name_from, EventBus, DEFAULT_BUS};
use crate::services::events::Call;
use codemock_wire::events as wire;
use serde_json::{json, Value};

/// Largest resource policy AWS accepts for a bus (PolicyLengthExceededException beyond).
const MAX_POLICY_LENGTH: usize = 10_240;

fn check_dead_letter(dlc: Option<&wire::DeadLetterConfig>) -> Result<(), ServiceError> {
    if let Some(arn) = dlc.and_then(|d| d.arn.as_deref()) {
        if !matches!(split_arn(arn), Some(("sqs", _, _, q)) if !q.is_empty()) {
            return Err(ServiceError::validation(format!(
                "Parameter DeadLetterConfig.Arn is not valid. Reason: {arn} is not a valid SQS queue ARN."
            )));
        }
    }
    Ok(())
}

pub(super) fn apply_tags(call: &mut Call<'_>, resource_arn: &str, tags: Option<Vec<wire::Tag>>) {
    let Some(tags) = tags else { return };
    let entry = call.state.tags.entry(resource_arn.to_owned()).or_default();
    for t in tags {
        entry.insert(t.key, t.value);
    }
}

pub(super) fn create_event_bus(
    call: &mut Call<'_>,
    input: wire::CreateEventBusRequest,
) -> Result<wire::CreateEventBusResponse, ServiceError> {
    let name = input.name;
    let now = call.ctx.received_at;
    if call.state.buses.contains_key(&name) {
        return Err(already_exists(format!("Event bus {name} already exists.")));
    }
    match &input.event_source_name {
        Some(source) => {
            let found = call
                .state
                .event_sources
                .get(source)
                .filter(|s| s.state != wire::EventSourceState::Deleted);
            if found.is_none() {
                return Err(not_found(format!("Event source {source} does not exist.")));
            }
            // A partner bus carries the name of the source it receives from.
            if *source != name {
                return Err(ServiceError::validation(format!(
                    "Event bus name {name} must match the event source name {source}."
                )));
            }
        }
        // Only partner buses may have a `/` in their name (they are named after the source).
        None if name.contains('/') => {
            return Err(ServiceError::validation(
                "Event bus name must not contain '/'.",
            ))
        }
        None => {}
    }
    check_dead_letter(input.dead_letter_config.as_ref())?;
    let account = call.ctx.account_id.clone();
    let region = call.ctx.region.clone();
    let bus = EventBus {
        name: name.clone(),
        arn: arn("events", &region, &account, &format!("event-bus/{name}")),
        description: input.description.clone(),
        kms_key_identifier: input.kms_key_identifier.clone(),
        dead_letter_config: input.dead_letter_config.clone(),
        log_config: input.log_config.clone(),
        created: now,
        last_modified: now,
        policy: None,
        event_source_name: input.event_source_name.clone(),
    };
    if let Some(source) = &input.event_source_name {
        // Creating the partner bus is what activates the source.
        if let Some(s) = call.state.event_sources.get_mut(source) {
            s.state = wire::EventSourceState::Active;
        }
    }
    let bus_arn = bus.arn.clone();
    call.state.buses.insert(name, bus);
    apply_tags(call, &bus_arn, input.tags);
    Ok(wire::CreateEventBusResponse {
        event_bus_arn: Some(bus_arn),
        description: input.description,
        kms_key_identifier: input.kms_key_identifier,
        dead_letter_config: input.dead_letter_config,
        log_config: input.log_config,
    })
}

pub(super) fn describe_event_bus(
    call: &mut Call<'_>,
    input: wire::DescribeEventBusRequest,
) -> Result<wire::DescribeEventBusResponse, ServiceError> {
    let name = bus_name_from(input.name.as_deref());
    let bus = call
        .state
        .buses
        .get(&name)
        .ok_or_else(|| bus_not_found(&name))?;
    Ok(wire::DescribeEventBusResponse {
        name: Some(bus.name.clone()),
        arn: Some(bus.arn.clone()),
        description: bus.description.clone(),
        kms_key_identifier: bus.kms_key_identifier.clone(),
        dead_letter_config: bus.dead_letter_config.clone(),
        policy: bus.policy.clone(),
        log_config: bus.log_config.clone(),
        creation_time: ts(bus.created),
        last_modified_time: ts(bus.last_modified),
        managed_by: None,
    })
}

pub(super) fn update_event_bus(
    call: &mut Call<'_>,
    input: wire::UpdateEventBusRequest,
) -> Result<wire::UpdateEventBusResponse, ServiceError> {
    let name = bus_name_from(input.name.as_deref());
    check_dead_letter(input.dead_letter_config.as_ref())?;
    let now = call.ctx.received_at;
    let bus = call
        .state
        .buses
        .get_mut(&name)
        .ok_or_else(|| bus_not_found(&name))?;
    if input.description.is_some() {
        bus.description = input.description;
    }
    if input.kms_key_identifier.is_some() {
        bus.kms_key_identifier = input.kms_key_identifier;
    }
    if input.dead_letter_config.is_some() {
        bus.dead_letter_config = input.dead_letter_config;
    }
    if input.log_config.is_some() {
        bus.log_config = input.log_config;
    }
    bus.last_modified = now;
    Ok(wire::UpdateEventBusResponse {
        arn: Some(bus.arn.clone()),
        name: Some(bus.name.clone()),
        kms_key_identifier: bus.kms_key_identifier.clone(),
        description: bus.description.clone(),
        dead_letter_config: bus.dead_letter_config.clone(),
        log_config: bus.log_config.clone(),
    })
}

pub(super) fn delete_event_bus(
    call: &mut Call<'_>,
    input: wire::DeleteEventBusRequest,
) -> Result<Empty, ServiceError> {
    let name = input.name;
    if name == DEFAULT_BUS {
        return Err(ServiceError::validation("Cannot delete event bus default."));
    }
    let state = &mut call.state;
    // Deleting a bus that does not exist succeeds, as in AWS. Its rules go with it: nothing could
    // reach them any more.
    if let Some(bus) = state.buses.remove(&name) {
        state.tags.remove(&bus.arn);
        let rules: Vec<_> = state
            .rules
            .keys()
            .filter(|(b, _)| *b == name)
            .cloned()
            .collect();
        for key in rules {
            if let Some(r) = state.rules.remove(&key) {
                state.tags.remove(&r.arn);
            }
        }
        state.indexes.remove(&name);
    }
    Ok(Empty {})
}

fn bus_to_wire(bus: &EventBus) -> wire::EventBus {
    wire::EventBus {
        name: Some(bus.name.clone()),
        arn: Some(bus.arn.clone()),
        description: bus.description.clone(),
        policy: bus.policy.clone(),
        creation_time: ts(bus.created),
        last_modified_time: ts(bus.last_modified),
        managed_by: None,
    }
}

pub(super) fn list_event_buses(
    call: &mut Call<'_>,
    input: wire::ListEventBusesRequest,
) -> Result<wire::ListEventBusesResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    let buses = call
        .state
        .buses
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, b)| (n.as_str(), b));
    let (items, next_token) = page(buses, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListEventBusesResponse {
        event_buses: Some(items.iter().map(bus_to_wire).collect()),
        next_token,
    })
}

pub(super) fn put_permission(
    call: &mut Call<'_>,
    input: wire::PutPermissionRequest,
) -> Result<Empty, ServiceError> {
    let name = bus_name_from(input.event_bus_name.as_deref());
    let now = call.ctx.received_at;
    let bus = call
        .state
        .buses
        .get_mut(&name)
        .ok_or_else(|| bus_not_found(&name))?;
    if let Some(policy) = input.policy {
        if policy.len() > MAX_POLICY_LENGTH {
            return Err(ServiceError::new(
                "PolicyLengthExceededException",
                "The event bus policy is too long.",
            ));
        }
        if !matches!(serde_json::from_str::<Value>(&policy), Ok(Value::Object(_))) {
            return Err(ServiceError::validation(
                "Parameter Policy is not valid. Reason: the policy is not a valid JSON document.",
            ));
        }
        bus.policy = Some(policy);
        bus.last_modified = now;
        return Ok(Empty {});
    }
    // Without a whole policy, one statement is built from Action, Principal and StatementId
    // (AWS's texts for these cases).
    let action = input.action.unwrap_or_default();
    if action != "events:PutEvents" {
        return Err(ServiceError::validation(
            "Provided value in parameter 'action' is not supported.",
        ));
    }
    let (Some(principal), Some(sid)) = (input.principal, input.statement_id) else {
        return Err(ServiceError::validation(
            "Parameter(s) Principal and StatementId must be specified.",
        ));
    };
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": if principal == "*" { json!("*") } else { json!({"AWS": format!("arn:aws:iam::{principal}:root")}) },
        "Action": "events:PutEvents",
        "Resource": bus.arn,
    });
    if let Some(c) = input.condition {
        statement["Condition"] = json!({
            c.r#type: { c.key: c.value }
        });
    }
    let mut doc = bus
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(|d| d.get("Statement").is_some_and(Value::is_array))
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    if let Some(list) = doc.get_mut("Statement").and_then(Value::as_array_mut) {
        // Same statement id: the new statement replaces the old one.
        list.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(sid.as_str()));
        list.push(statement);
    }
    let text = doc.to_string();
    if text.len() > MAX_POLICY_LENGTH {
        return Err(ServiceError::new(
            "PolicyLengthExceededException",
            "The event bus policy is too long.",
        ));
    }
    bus.policy = Some(text);
    bus.last_modified = now;
    Ok(Empty {})
}

pub(super) fn remove_permission(
    call: &mut Call<'_>,
    input: wire::RemovePermissionRequest,
) -> Result<Empty, ServiceError> {
    let name = bus_name_from(input.event_bus_name.as_deref());
    let now = call.ctx.received_at;
    let bus = call
        .state
        .buses
        .get_mut(&name)
        .ok_or_else(|| bus_not_found(&name))?;
    if input.remove_all_permissions == Some(true) {
        bus.policy = None;
        bus.last_modified = now;
        return Ok(Empty {});
    }
    let Some(sid) = input.statement_id else {
        return Err(ServiceError::validation(
            "Parameter StatementId must be specified.",
        ));
    };
    let Some(mut doc) = bus
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
    else {
        return Err(not_found("EventBus does not have a policy."));
    };
    let list = doc.get_mut("Statement").and_then(Value::as_array_mut);
    let Some(list) = list else {
        return Err(not_found("Statement with the provided id does not exist."));
    };
    let before = list.len();
    list.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(sid.as_str()));
    if list.len() == before {
        return Err(not_found("Statement with the provided id does not exist."));
    }
    bus.policy = if list.is_empty() {
        None
    } else {
        Some(doc.to_string())
    };
    bus.last_modified = now;
    Ok(Empty {})
}

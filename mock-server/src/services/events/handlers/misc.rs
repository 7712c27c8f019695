//! Global endpoints, partner event sources (both sides: the partner that creates them and the
//! customer account that receives them), and tags.

use super::buses::apply_tags;
use super::{already_exists, bus_not_found, not_found, page, rule_not_found, ts, Empty};
use crate::error::ServiceError;
use crate::ids::arn;
use crate::ids::split_arn;
use crate::services::events::delivery::PartnerSourceOffer;
use crate::services::events::ports::Command;
use crate::services::events::state::{Endpoint, PartnerSource, State, DEFAULT_BUS};
use crate::services::events::Call;
use codemock_wire::events as wire;

fn endpoint_not_found(name: &str) -> ServiceError {
    not_found(format!("Endpoint {name} does not exist."))
}

fn endpoint_to_wire(e: &Endpoint) -> wire::Endpoint {
    wire::Endpoint {
        name: Some(e.name.clone()),
        description: e.description.clone(),
        arn: Some(e.arn.clone()),
        routing_config: Some(e.routing_config.clone()),
        replication_config: e.replication_config.clone(),
        event_buses: Some(e.event_buses.clone()),
        role_arn: e.role_arn.clone(),
        endpoint_id: Some(e.endpoint_id.clone()),
        endpoint_url: Some(e.endpoint_url.clone()),
        state: Some(wire::EndpointState::Active),
        state_reason: None,
        creation_time: ts(e.created),
        last_modified_time: ts(e.last_modified),
    }
}

pub(super) fn create_endpoint(
    call: &mut Call<'_>,
    input: wire::CreateEndpointRequest,
) -> Result<wire::CreateEndpointResponse, ServiceError> {
    let name = input.name;
    if call.state.endpoints.contains_key(&name) {
        return Err(already_exists(format!("Endpoint {name} already exists.")));
    }
    let now = call.ctx.received_at;
    // Endpoint ids look like `abcde123.xyz` and name the endpoint's own host.
    let endpoint_id = format!("{}.{}", call.core.ids.hex(8), call.core.ids.hex(3));
    let e = Endpoint {
        arn: arn(
            "events",
            &call.ctx.region,
            &call.ctx.account_id,
            &format!("endpoint/{name}"),
        ),
        name: name.clone(),
        description: input.description,
        routing_config: input.routing_config,
        replication_config: input.replication_config,
        event_buses: input.event_buses,
        role_arn: input.role_arn,
        endpoint_url: format!("https://{endpoint_id}.endpoint.events.amazonaws.com"),
        endpoint_id,
        created: now,
        last_modified: now,
    };
    // AWS answers CREATING and settles on ACTIVE; nothing here needs time to provision.
    let out = wire::CreateEndpointResponse {
        name: Some(e.name.clone()),
        arn: Some(e.arn.clone()),
        routing_config: Some(e.routing_config.clone()),
        replication_config: e.replication_config.clone(),
        event_buses: Some(e.event_buses.clone()),
        role_arn: e.role_arn.clone(),
        state: Some(wire::EndpointState::Active),
    };
    call.state.endpoints.insert(name, e);
    Ok(out)
}

pub(super) fn describe_endpoint(
    call: &mut Call<'_>,
    input: wire::DescribeEndpointRequest,
) -> Result<wire::DescribeEndpointResponse, ServiceError> {
    let name = input.name;
    let e = call
        .state
        .endpoints
        .get(&name)
        .ok_or_else(|| endpoint_not_found(&name))?;
    let w = endpoint_to_wire(e);
    Ok(wire::DescribeEndpointResponse {
        name: w.name,
        description: w.description,
        arn: w.arn,
        routing_config: w.routing_config,
        replication_config: w.replication_config,
        event_buses: w.event_buses,
        role_arn: w.role_arn,
        endpoint_id: w.endpoint_id,
        endpoint_url: w.endpoint_url,
        state: w.state,
        state_reason: w.state_reason,
        creation_time: w.creation_time,
        last_modified_time: w.last_modified_time,
    })
}

pub(super) fn update_endpoint(
    call: &mut Call<'_>,
    input: wire::UpdateEndpointRequest,
) -> Result<wire::UpdateEndpointResponse, ServiceError> {
    let name = input.name;
    let now = call.ctx.received_at;
    let e = call
        .state
        .endpoints
        .get_mut(&name)
        .ok_or_else(|| endpoint_not_found(&name))?;
    if input.description.is_some() {
        e.description = input.description;
    }
    if let Some(r) = input.routing_config {
        e.routing_config = r;
    }
    if input.replication_config.is_some() {
        e.replication_config = input.replication_config;
    }
    if let Some(b) = input.event_buses {
        e.event_buses = b;
    }
    if input.role_arn.is_some() {
        e.role_arn = input.role_arn;
    }
    e.last_modified = now;
    Ok(wire::UpdateEndpointResponse {
        name: Some(e.name.clone()),
        arn: Some(e.arn.clone()),
        routing_config: Some(e.routing_config.clone()),
        replication_config: e.replication_config.clone(),
        event_buses: Some(e.event_buses.clone()),
        role_arn: e.role_arn.clone(),
        endpoint_id: Some(e.endpoint_id.clone()),
        endpoint_url: Some(e.endpoint_url.clone()),
        state: Some(wire::EndpointState::Active),
    })
}

pub(super) fn delete_endpoint(
    call: &mut Call<'_>,
    input: wire::DeleteEndpointRequest,
) -> Result<wire::DeleteEndpointResponse, ServiceError> {
    let name = input.name;
    call.state
        .endpoints
        .remove(&name)
        .ok_or_else(|| endpoint_not_found(&name))?;
    Ok(wire::DeleteEndpointResponse {})
}

pub(super) fn list_endpoints(
    call: &mut Call<'_>,
    input: wire::ListEndpointsRequest,
) -> Result<wire::ListEndpointsResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    // Endpoints live in their home region, which is this partition's.
    let home_ok = input
        .home_region
        .as_ref()
        .is_none_or(|r| *r == call.ctx.region);
    let items = call
        .state
        .endpoints
        .iter()
        .filter(|(n, _)| home_ok && n.starts_with(&prefix))
        .map(|(n, e)| (n.as_str(), e));
    let (items, next_token) = page(items, input.next_token.as_deref(), input.max_results)?;
    Ok(wire::ListEndpointsResponse {
        endpoints: Some(items.iter().map(endpoint_to_wire).collect()),
        next_token,
    })
}

// ---------------------------------------------------------------------------------------------
// Partner event sources

fn source_not_found(name: &str) -> ServiceError {
    not_found(format!("Event source {name} does not exist."))
}

pub(super) fn create_partner_event_source(
    call: &mut Call<'_>,
    input: wire::CreatePartnerEventSourceRequest,
) -> Result<wire::CreatePartnerEventSourceResponse, ServiceError> {
    let name = input.name;
    let account = input.account;
    // One customer account per source name here (AWS allows several; none of our users need it).
    if call.state.partner_sources.contains_key(&name) {
        return Err(already_exists(format!(
            "Event source {name} already exists."
        )));
    }
    let region = call.ctx.region.clone();
    // Partner event source ARNs have no account: the source belongs to the partner's SaaS.
    let source_arn = format!("arn:aws:events:{region}::event-source/{name}");
    let now = call.ctx.received_at;
    call.state.partner_sources.insert(
        name.clone(),
        PartnerSource {
            name: name.clone(),
            arn: source_arn.clone(),
            account: account.clone(),
            created: now,
        },
    );
    let offer = PartnerSourceOffer {
        name,
        arn: source_arn.clone(),
        created_by: call.ctx.account_id.clone(),
        created: now,
        withdraw: false,
    };
    call.effects
        .send(&account, &region, Command::PartnerSource(Box::new(offer)));
    Ok(wire::CreatePartnerEventSourceResponse {
        event_source_arn: Some(source_arn),
    })
}

pub(super) fn delete_partner_event_source(
    call: &mut Call<'_>,
    input: wire::DeletePartnerEventSourceRequest,
) -> Result<Empty, ServiceError> {
    let name = input.name;
    let account = input.account;
    let found = call
        .state
        .partner_sources
        .get(&name)
        .filter(|s| s.account == account)
        .cloned();
    let Some(source) = found else {
        return Err(source_not_found(&name));
    };
    call.state.partner_sources.remove(&name);
    let offer = PartnerSourceOffer {
        name,
        arn: source.arn,
        created_by: call.ctx.account_id.clone(),
        created: source.created,
        withdraw: true,
    };
    let region = call.ctx.region.clone();
    call.effects
        .send(&account, &region, Command::PartnerSource(Box::new(offer)));
    Ok(Empty {})
}

pub(super) fn describe_partner_event_source(
    call: &mut Call<'_>,
    input: wire::DescribePartnerEventSourceRequest,
) -> Result<wire::DescribePartnerEventSourceResponse, ServiceError> {
    let name = input.name;
    let s = call
        .state
        .partner_sources
        .get(&name)
        .ok_or_else(|| source_not_found(&name))?;
    Ok(wire::DescribePartnerEventSourceResponse {
        arn: Some(s.arn.clone()),
        name: Some(s.name.clone()),
    })
}

pub(super) fn list_partner_event_sources(
    call: &mut Call<'_>,
    input: wire::ListPartnerEventSourcesRequest,
) -> Result<wire::ListPartnerEventSourcesResponse, ServiceError> {
    let prefix = input.name_prefix;
    let items = call
        .state
        .partner_sources
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, s)| (n.as_str(), s));
    let (items, next_token) = page(items, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListPartnerEventSourcesResponse {
        partner_event_sources: Some(
            items
                .iter()
                .map(|s| wire::PartnerEventSource {
                    arn: Some(s.arn.clone()),
                    name: Some(s.name.clone()),
                })
                .collect(),
        ),
        next_token,
    })
}

pub(super) fn list_partner_event_source_accounts(
    call: &mut Call<'_>,
    input: wire::ListPartnerEventSourceAccountsRequest,
) -> Result<wire::ListPartnerEventSourceAccountsResponse, ServiceError> {
    let name = input.event_source_name;
    let s = call
        .state
        .partner_sources
        .get(&name)
        .ok_or_else(|| source_not_found(&name))?;
    // The customer's view of the source lives in the customer's partition, which a handler may
    // not lock; when the customer is this very account its state is read here, otherwise the
    // source is reported as AWS reports a source not yet acted on (PENDING).
    let state = if s.account == call.ctx.account_id {
        call.state
            .event_sources
            .get(&name)
            .map_or(wire::EventSourceState::Pending, |e| e.state)
    } else {
        wire::EventSourceState::Pending
    };
    let accounts = [(
        s.account.clone(),
        wire::PartnerEventSourceAccount {
            account: Some(s.account.clone()),
            creation_time: ts(s.created),
            expiration_time: None,
            state: Some(state),
        },
    )];
    let (items, next_token) = page(
        accounts.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        input.limit,
    )?;
    Ok(wire::ListPartnerEventSourceAccountsResponse {
        partner_event_source_accounts: Some(items),
        next_token,
    })
}

fn set_source_state(
    state: &mut State,
    name: &str,
    to: wire::EventSourceState,
) -> Result<(), ServiceError> {
    let s = state
        .event_sources
        .get_mut(name)
        .ok_or_else(|| source_not_found(name))?;
    if s.state == wire::EventSourceState::Deleted {
        return Err(ServiceError::new(
            "InvalidStateException",
            format!("Event source {name} is deleted."),
        ));
    }
    s.state = to;
    Ok(())
}

pub(super) fn activate_event_source(
    call: &mut Call<'_>,
    input: wire::ActivateEventSourceRequest,
) -> Result<Empty, ServiceError> {
    set_source_state(
        call.state,
        input.name.as_str(),
        wire::EventSourceState::Active,
    )?;
    Ok(Empty {})
}

pub(super) fn deactivate_event_source(
    call: &mut Call<'_>,
    input: wire::DeactivateEventSourceRequest,
) -> Result<Empty, ServiceError> {
    set_source_state(
        call.state,
        input.name.as_str(),
        wire::EventSourceState::Pending,
    )?;
    Ok(Empty {})
}

fn source_to_wire(s: &crate::services::events::state::EventSource) -> wire::EventSource {
    wire::EventSource {
        arn: Some(s.arn.clone()),
        created_by: Some(s.created_by.clone()),
        creation_time: ts(s.created),
        expiration_time: None,
        name: Some(s.name.clone()),
        state: Some(s.state),
    }
}

pub(super) fn describe_event_source(
    call: &mut Call<'_>,
    input: wire::DescribeEventSourceRequest,
) -> Result<wire::DescribeEventSourceResponse, ServiceError> {
    let name = input.name;
    let s = call
        .state
        .event_sources
        .get(&name)
        .ok_or_else(|| source_not_found(&name))?;
    let w = source_to_wire(s);
    Ok(wire::DescribeEventSourceResponse {
        arn: w.arn,
        created_by: w.created_by,
        creation_time: w.creation_time,
        expiration_time: w.expiration_time,
        name: w.name,
        state: w.state,
    })
}

pub(super) fn list_event_sources(
    call: &mut Call<'_>,
    input: wire::ListEventSourcesRequest,
) -> Result<wire::ListEventSourcesResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    let items = call
        .state
        .event_sources
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, s)| (n.as_str(), s));
    let (items, next_token) = page(items, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListEventSourcesResponse {
        event_sources: Some(items.iter().map(source_to_wire).collect()),
        next_token,
    })
}

// ---------------------------------------------------------------------------------------------
// Tags

/// Checks that `resource_arn` names an EventBridge resource of this account and region, with the
/// not-found text of its kind.
fn check_taggable(state: &State, resource_arn: &str) -> Result<(), ServiceError> {
    let resource = match split_arn(resource_arn) {
        Some(("events", _, _, r)) => r,
        _ => {
            return Err(ServiceError::validation(format!(
            "Parameter {resource_arn} is not valid. Reason: Provided Arn is not in correct format."
        )))
        }
    };
    if let Some(rest) = resource.strip_prefix("rule/") {
        let (bus, rule) = rest.rsplit_once('/').unwrap_or((DEFAULT_BUS, rest));
        return state
            .rules
            .contains_key(&(bus.to_owned(), rule.to_owned()))
            .then_some(())
            .ok_or_else(|| rule_not_found(rule, bus));
    }
    if let Some(bus) = resource.strip_prefix("event-bus/") {
        return state
            .buses
            .contains_key(bus)
            .then_some(())
            .ok_or_else(|| bus_not_found(bus));
    }
    let known = state.archives.values().any(|a| a.arn == resource_arn)
        || state.connections.values().any(|c| c.arn == resource_arn)
        || state
            .api_destinations
            .values()
            .any(|d| d.arn == resource_arn)
        || state.endpoints.values().any(|e| e.arn == resource_arn);
    if known {
        Ok(())
    } else {
        Err(not_found(format!(
            "Resource {resource_arn} does not exist."
        )))
    }
}

pub(super) fn tag_resource(
    call: &mut Call<'_>,
    input: wire::TagResourceRequest,
) -> Result<wire::TagResourceResponse, ServiceError> {
    let arn = input.resource_arn;
    check_taggable(call.state, &arn)?;
    let tags = input.tags;
    // AWS's quota: 50 tags per resource.
    let existing = call.state.tags.get(&arn);
    let mut keys: std::collections::BTreeSet<&str> = existing
        .map(|t| t.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.extend(tags.iter().map(|t| t.key.as_str()));
    if keys.len() > 50 {
        return Err(ServiceError::new(
            "LimitExceededException",
            "The requested resource exceeds the maximum number allowed.",
        ));
    }
    apply_tags(call, &arn, Some(tags));
    Ok(wire::TagResourceResponse {})
}

pub(super) fn untag_resource(
    call: &mut Call<'_>,
    input: wire::UntagResourceRequest,
) -> Result<wire::UntagResourceResponse, ServiceError> {
    let arn = input.resource_arn;
    check_taggable(call.state, &arn)?;
    if let Some(tags) = call.state.tags.get_mut(&arn) {
        for k in input.tag_keys {
            tags.remove(&k);
        }
    }
    Ok(wire::UntagResourceResponse {})
}

pub(super) fn list_tags_for_resource(
    call: &mut Call<'_>,
    input: wire::ListTagsForResourceRequest,
) -> Result<wire::ListTagsForResourceResponse, ServiceError> {
    let arn = input.resource_arn;
    check_taggable(call.state, &arn)?;
    let tags = call
        .state
        .tags
        .get(&arn)
        .map(|t| {
            t.iter()
                .map(|(k, v)| wire::Tag {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(wire::ListTagsForResourceResponse { tags: Some(tags) })
}

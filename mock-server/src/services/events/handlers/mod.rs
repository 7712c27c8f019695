//! EventBridge's operation handlers and the table that names them.

use super::state::{bus_name_from, EventBus};
use crate::error::ServiceError;
use crate::services::pagination::paginate;
use crate::services::{typed, Call, Handler};
use codemock_wire::events as wire;
use codemock_wire::types::Timestamp;

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ListEventBuses" => |c, v| typed(c, v, list_event_buses),
        "ListRules" => |c, v| typed(c, v, list_rules),
        _ => return None,
    })
}

fn invalid_token() -> ServiceError {
    ServiceError::validation("The NextToken provided is invalid.")
}

fn not_found(what: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("{what} does not exist."),
    )
}

fn bus_to_wire(bus: &EventBus) -> wire::EventBus {
    wire::EventBus {
        name: Some(bus.name.clone()),
        arn: Some(bus.arn.clone()),
        description: bus.description.clone(),
        policy: bus.policy.clone(),
        creation_time: Some(Timestamp::from_secs_f64(bus.created)),
        last_modified_time: Some(Timestamp::from_secs_f64(bus.last_modified)),
        ..Default::default()
    }
}

fn list_event_buses(
    call: &mut Call<'_>,
    input: wire::ListEventBusesRequest,
) -> Result<wire::ListEventBusesResponse, ServiceError> {
    let prefix = input.name_prefix.unwrap_or_default();
    let buses = call
        .world
        .events
        .buses
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, b)| (n.as_str(), b));
    // Limit is 1..=100; without it AWS returns up to 100.
    let page = paginate(
        buses,
        input.next_token.as_deref(),
        input.limit.unwrap_or(100) as usize,
    )
    .map_err(|_| invalid_token())?;
    Ok(wire::ListEventBusesResponse {
        event_buses: Some(page.items.iter().map(bus_to_wire).collect()),
        next_token: page.next_token,
    })
}

fn list_rules(
    call: &mut Call<'_>,
    input: wire::ListRulesRequest,
) -> Result<wire::ListRulesResponse, ServiceError> {
    let bus = bus_name_from(input.event_bus_name.as_deref());
    let events = &call.world.events;
    if !events.buses.contains_key(&bus) {
        return Err(not_found(&format!("Event bus {bus}")));
    }
    let prefix = input.name_prefix.unwrap_or_default();
    let rules = events
        .rules
        .iter()
        .filter(|((b, n), _)| *b == bus && n.starts_with(&prefix))
        .map(|((_, n), r)| (n.as_str(), r));
    let page = paginate(
        rules,
        input.next_token.as_deref(),
        input.limit.unwrap_or(100) as usize,
    )
    .map_err(|_| invalid_token())?;
    Ok(wire::ListRulesResponse {
        rules: Some(
            page.items
                .iter()
                .map(|r| wire::Rule {
                    name: Some(r.name.clone()),
                    arn: Some(r.arn.clone()),
                    event_pattern: r.event_pattern.clone(),
                    schedule_expression: r.schedule_expression.clone(),
                    state: Some(r.state.clone()),
                    description: r.description.clone(),
                    role_arn: r.role_arn.clone(),
                    managed_by: r.managed_by.clone(),
                    event_bus_name: Some(r.bus.clone()),
                    ..Default::default()
                })
                .collect(),
        ),
        next_token: page.next_token,
    })
}

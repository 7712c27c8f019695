//! EventBridge's operation handlers and the table that names them, plus the error texts and
//! paging they share. Where AWS does not document an error text, the handler's comment says how
//! the text was chosen.

mod archives;
mod buses;
mod connections;
mod misc;
mod put_events;
mod rules;

use crate::error::ServiceError;
use crate::services::pagination::paginate;
use crate::services::{typed, Handler};
use codemock_wire::types::Timestamp;
use serde::Serialize;

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        // buses and permissions
        "CreateEventBus" => |c, v| typed(c, v, buses::create_event_bus),
        "DescribeEventBus" => |c, v| typed(c, v, buses::describe_event_bus),
        "UpdateEventBus" => |c, v| typed(c, v, buses::update_event_bus),
        "DeleteEventBus" => |c, v| typed(c, v, buses::delete_event_bus),
        "ListEventBuses" => |c, v| typed(c, v, buses::list_event_buses),
        "PutPermission" => |c, v| typed(c, v, buses::put_permission),
        "RemovePermission" => |c, v| typed(c, v, buses::remove_permission),
        // rules and targets
        "PutRule" => |c, v| typed(c, v, rules::put_rule),
        "DescribeRule" => |c, v| typed(c, v, rules::describe_rule),
        "DeleteRule" => |c, v| typed(c, v, rules::delete_rule),
        "EnableRule" => |c, v| typed(c, v, rules::enable_rule),
        "DisableRule" => |c, v| typed(c, v, rules::disable_rule),
        "ListRules" => |c, v| typed(c, v, rules::list_rules),
        "PutTargets" => |c, v| typed(c, v, rules::put_targets),
        "RemoveTargets" => |c, v| typed(c, v, rules::remove_targets),
        "ListTargetsByRule" => |c, v| typed(c, v, rules::list_targets_by_rule),
        "ListRuleNamesByTarget" => |c, v| typed(c, v, rules::list_rule_names_by_target),
        "TestEventPattern" => |c, v| typed(c, v, rules::test_event_pattern),
        // events
        "PutEvents" => |c, v| typed(c, v, put_events::put_events),
        "PutPartnerEvents" => |c, v| typed(c, v, put_events::put_partner_events),
        // archives and replays
        "CreateArchive" => |c, v| typed(c, v, archives::create_archive),
        "DescribeArchive" => |c, v| typed(c, v, archives::describe_archive),
        "UpdateArchive" => |c, v| typed(c, v, archives::update_archive),
        "DeleteArchive" => |c, v| typed(c, v, archives::delete_archive),
        "ListArchives" => |c, v| typed(c, v, archives::list_archives),
        "StartReplay" => |c, v| typed(c, v, archives::start_replay),
        "DescribeReplay" => |c, v| typed(c, v, archives::describe_replay),
        "CancelReplay" => |c, v| typed(c, v, archives::cancel_replay),
        "ListReplays" => |c, v| typed(c, v, archives::list_replays),
        // connections and API destinations
        "CreateConnection" => |c, v| typed(c, v, connections::create_connection),
        "DescribeConnection" => |c, v| typed(c, v, connections::describe_connection),
        "UpdateConnection" => |c, v| typed(c, v, connections::update_connection),
        "DeleteConnection" => |c, v| typed(c, v, connections::delete_connection),
        "DeauthorizeConnection" => |c, v| typed(c, v, connections::deauthorize_connection),
        "ListConnections" => |c, v| typed(c, v, connections::list_connections),
        "CreateApiDestination" => |c, v| typed(c, v, connections::create_api_destination),
        "DescribeApiDestination" => |c, v| typed(c, v, connections::describe_api_destination),
        "UpdateApiDestination" => |c, v| typed(c, v, connections::update_api_destination),
        "DeleteApiDestination" => |c, v| typed(c, v, connections::delete_api_destination),
        "ListApiDestinations" => |c, v| typed(c, v, connections::list_api_destinations),
        // endpoints
        "CreateEndpoint" => |c, v| typed(c, v, misc::create_endpoint),
        "DescribeEndpoint" => |c, v| typed(c, v, misc::describe_endpoint),
        "UpdateEndpoint" => |c, v| typed(c, v, misc::update_endpoint),
        "DeleteEndpoint" => |c, v| typed(c, v, misc::delete_endpoint),
        "ListEndpoints" => |c, v| typed(c, v, misc::list_endpoints),
        // partner event sources
        "CreatePartnerEventSource" => |c, v| typed(c, v, misc::create_partner_event_source),
        "DeletePartnerEventSource" => |c, v| typed(c, v, misc::delete_partner_event_source),
        "DescribePartnerEventSource" => |c, v| typed(c, v, misc::describe_partner_event_source),
        "ListPartnerEventSources" => |c, v| typed(c, v, misc::list_partner_event_sources),
        "ListPartnerEventSourceAccounts" => {
            |c, v| typed(c, v, misc::list_partner_event_source_accounts)
        }
        "ActivateEventSource" => |c, v| typed(c, v, misc::activate_event_source),
        "DeactivateEventSource" => |c, v| typed(c, v, misc::deactivate_event_source),
        "DescribeEventSource" => |c, v| typed(c, v, misc::describe_event_source),
        "ListEventSources" => |c, v| typed(c, v, misc::list_event_sources),
        // tags
        "TagResource" => |c, v| typed(c, v, misc::tag_resource),
        "UntagResource" => |c, v| typed(c, v, misc::untag_resource),
        "ListTagsForResource" => |c, v| typed(c, v, misc::list_tags_for_resource),
        _ => return None,
    })
}

/// The empty output of operations that return nothing (`{}` on the wire).
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

fn not_found(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ResourceNotFoundException", message)
}

fn already_exists(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ResourceAlreadyExistsException", message)
}

fn bus_not_found(bus: &str) -> ServiceError {
    not_found(format!("Event bus {bus} does not exist."))
}

fn rule_not_found(rule: &str, bus: &str) -> ServiceError {
    not_found(format!("Rule {rule} does not exist on EventBus {bus}."))
}

fn ts(secs: f64) -> Option<Timestamp> {
    Some(Timestamp::from_secs_f64(secs))
}

/// One page of a listing sorted by key; without `Limit` AWS returns up to 100 items.
fn page<'a, T: Clone + 'a>(
    items: impl IntoIterator<Item = (&'a str, &'a T)>,
    token: Option<&str>,
    limit: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let limit = limit.map_or(100, |l| l.clamp(1, 100) as usize);
    let page = paginate(items, token, limit)
        .map_err(|_| ServiceError::validation("The NextToken provided is invalid."))?;
    Ok((page.items, page.next_token))
}

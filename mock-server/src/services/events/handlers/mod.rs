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
use crate::services::Api;

use codemock_wire::types::Timestamp;

/// The operations this service implements; the others answer 501.
// Every slot is filled today; the `..NONE` stays so that a new model operation is a 501, not a
// compile error.
#[allow(
    clippy::needless_update,
    reason = "keeps new model operations compiling as 501s"
)]
pub const HANDLERS: codemock_wire::events::Handlers<Api<super::state::State>> =
    codemock_wire::events::Handlers {
        // buses and permissions
        create_event_bus: Some(buses::create_event_bus),
        describe_event_bus: Some(buses::describe_event_bus),
        update_event_bus: Some(buses::update_event_bus),
        delete_event_bus: Some(buses::delete_event_bus),
        list_event_buses: Some(buses::list_event_buses),
        put_permission: Some(buses::put_permission),
        remove_permission: Some(buses::remove_permission),
        // rules and targets
        put_rule: Some(rules::put_rule),
        describe_rule: Some(rules::describe_rule),
        delete_rule: Some(rules::delete_rule),
        enable_rule: Some(rules::enable_rule),
        disable_rule: Some(rules::disable_rule),
        list_rules: Some(rules::list_rules),
        put_targets: Some(rules::put_targets),
        remove_targets: Some(rules::remove_targets),
        list_targets_by_rule: Some(rules::list_targets_by_rule),
        list_rule_names_by_target: Some(rules::list_rule_names_by_target),
        test_event_pattern: Some(rules::test_event_pattern),
        // events
        put_events: Some(put_events::put_events),
        put_partner_events: Some(put_events::put_partner_events),
        // archives and replays
        create_archive: Some(archives::create_archive),
        describe_archive: Some(archives::describe_archive),
        update_archive: Some(archives::update_archive),
        delete_archive: Some(archives::delete_archive),
        list_archives: Some(archives::list_archives),
        start_replay: Some(archives::start_replay),
        describe_replay: Some(archives::describe_replay),
        cancel_replay: Some(archives::cancel_replay),
        list_replays: Some(archives::list_replays),
        // connections and API destinations
        create_connection: Some(connections::create_connection),
        describe_connection: Some(connections::describe_connection),
        update_connection: Some(connections::update_connection),
        delete_connection: Some(connections::delete_connection),
        deauthorize_connection: Some(connections::deauthorize_connection),
        list_connections: Some(connections::list_connections),
        create_api_destination: Some(connections::create_api_destination),
        describe_api_destination: Some(connections::describe_api_destination),
        update_api_destination: Some(connections::update_api_destination),
        delete_api_destination: Some(connections::delete_api_destination),
        list_api_destinations: Some(connections::list_api_destinations),
        // endpoints
        create_endpoint: Some(misc::create_endpoint),
        describe_endpoint: Some(misc::describe_endpoint),
        update_endpoint: Some(misc::update_endpoint),
        delete_endpoint: Some(misc::delete_endpoint),
        list_endpoints: Some(misc::list_endpoints),
        // partner event sources
        create_partner_event_source: Some(misc::create_partner_event_source),
        delete_partner_event_source: Some(misc::delete_partner_event_source),
        describe_partner_event_source: Some(misc::describe_partner_event_source),
        list_partner_event_sources: Some(misc::list_partner_event_sources),
        list_partner_event_source_accounts: Some(misc::list_partner_event_source_accounts),
        activate_event_source: Some(misc::activate_event_source),
        deactivate_event_source: Some(misc::deactivate_event_source),
        describe_event_source: Some(misc::describe_event_source),
        list_event_sources: Some(misc::list_event_sources),
        // tags
        tag_resource: Some(misc::tag_resource),
        untag_resource: Some(misc::untag_resource),
        list_tags_for_resource: Some(misc::list_tags_for_resource),
        ..codemock_wire::events::Handlers::NONE
    };

use codemock_wire::types::Empty;

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

//! Delivery of events put on a bus: matching rules and invoking their targets. Runs from the bus
//! drain, after the request's lock is released.

use crate::core::Core;
use crate::services::DomainEvent;
use serde_json::{json, Value};
use std::sync::Arc;

/// Delivers `event` on `bus` of `account`/`region`; returns the events deliveries caused.
pub async fn deliver(
    core: &Arc<Core>,
    account: &str,
    region: &str,
    bus: &str,
    event: Value,
) -> Vec<DomainEvent> {
    core.record_event(json!({
        "type": "EventPut",
        "time": core.clock.now(),
        "account": account,
        "region": region,
        "eventBus": bus,
        "event": event,
    }));
    Vec::new()
}

//! EventBridge: event buses, rules, targets, schedules, archives and replays, connections and API
//! destinations, and the delivery of events to targets.

pub mod delivery;
pub mod handlers;
pub mod pattern;
pub mod schedule;
pub mod state;
pub mod transform;

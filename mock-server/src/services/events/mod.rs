//! EventBridge: event buses, rules, targets, and the delivery of events to them.

pub mod delivery;
pub mod handlers;
pub mod pattern;
pub mod state;

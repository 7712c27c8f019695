//! CloudWatch Logs, the slice EventBridge targets and build logs need: log groups, streams, events.

pub mod handlers;
pub mod state;

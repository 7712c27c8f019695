//! CloudWatch Logs, the slice EventBridge targets and build logs need: log groups, streams,
//! events, retention, tags, and filter patterns.

pub mod filter;
pub mod handlers;
pub mod state;

//! What other services may ask of CloudWatch Logs: writing an event to a stream (EventBridge's
//! log-group targets today, build logs next).

use super::Call;
use crate::error::ServiceError;
use serde_json::{json, Value};

/// The commands Logs accepts from other services.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Appends one event to `stream` of `group`, creating the stream if needed (as the AWS
    /// services that write logs do). Fails with `ResourceNotFoundException` without the group.
    PutLogEvent {
        group: String,
        stream: String,
        message: String,
        timestamp_ms: i64,
    },
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::PutLogEvent {
            group,
            stream,
            message,
            timestamp_ms,
        } => {
            call.state
                .put_from_service(&group, &stream, message, timestamp_ms, &call.core.ids)?;
            Ok(json!({}))
        }
    }
}

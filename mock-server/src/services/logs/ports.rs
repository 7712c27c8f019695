//! What other services may ask of CloudWatch Logs: writing an event to a stream (EventBridge's
//! log-group targets today, build logs next).

use super::state::LogGroup;
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
    /// Appends events to `stream` of `group`, creating both if needed: CodeBuild creates its
    /// build log group (`/aws/codebuild/<project>`) on the first build.
    WriteLines {
        group: String,
        stream: String,
        /// (timestamp in ms, message)
        lines: Vec<(i64, String)>,
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
        Command::WriteLines {
            group,
            stream,
            lines,
        } => {
            let Some(first) = lines.first().map(|l| l.0) else {
                return Ok(json!({}));
            };
            if !call.state.groups.contains_key(&group) {
                let g = LogGroup::new(&group, &call.ctx.account_id, &call.ctx.region, first);
                call.state.groups.insert(group.clone(), g);
            }
            for (timestamp_ms, message) in lines {
                call.state.put_from_service(
                    &group,
                    &stream,
                    message,
                    timestamp_ms,
                    &call.core.ids,
                )?;
            }
            Ok(json!({}))
        }
    }
}

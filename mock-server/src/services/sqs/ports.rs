//! What other services may ask of SQS: sending a message to a queue of this partition, as
//! EventBridge does for queue targets and dead-letter queues.

use super::state::Outgoing;
use super::Call;
use crate::error::ServiceError;
use codemock_wire::sqs::MessageAttributeValue;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The commands SQS accepts from other services.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Sends a message as SendMessage would (same validation, FIFO rules and errors), answering
    /// `{"MessageId": ..}`; wakes the partition's long polls.
    SendMessage {
        queue: String,
        body: std::sync::Arc<str>,
        message_group_id: Option<String>,
        message_deduplication_id: Option<String>,
        attributes: BTreeMap<String, MessageAttributeValue>,
    },
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::SendMessage {
            queue,
            body,
            message_group_id,
            message_deduplication_id,
            attributes,
        } => {
            let now = call.ctx.received_at;
            let q = call
                .state
                .queues
                .get_mut(&queue)
                .ok_or_else(super::state::queue_does_not_exist)?;
            let sender_id = q.account.clone();
            let sent = q.send(
                Outgoing {
                    body,
                    attributes,
                    group_id: message_group_id,
                    dedup_id: message_deduplication_id,
                    sender_id,
                    ..Outgoing::default()
                },
                now,
                &call.core.ids,
            )?;
            call.state.notify.notify_waiters();
            Ok(json!({ "MessageId": sent.message_id }))
        }
    }
}

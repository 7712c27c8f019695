//! CloudWatch Logs' operation handlers and the table that names them.

use crate::services::Handler;

pub fn handler(operation: &str) -> Option<Handler> {
    let _ = operation;
    None
}

//! SQS's operation handlers and the table that names them.

use crate::services::{AsyncHandler, Handler};

pub fn handler(operation: &str) -> Option<Handler> {
    let _ = operation;
    None
}

pub fn async_handler(operation: &str) -> Option<AsyncHandler> {
    let _ = operation;
    None
}

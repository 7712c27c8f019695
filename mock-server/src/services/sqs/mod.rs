//! SQS, the slice EventBridge targets and tests need: queues, messages, visibility, FIFO basics.

pub mod handlers;
pub mod state;

//! CloudWatch Logs, the slice EventBridge targets and build logs need: log groups, streams,
//! events, retention, tags, and filter patterns.

pub mod filter;
pub mod handlers;
pub mod ports;
pub mod state;

pub use crate::services::no_async_handler as async_handler;
pub use handlers::HANDLERS;

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// This service's wake-ups on virtual time (none yet).
#[derive(Debug)]
pub enum Timer {}

pub fn on_timer(_call: &mut Call<'_>, timer: Timer) {
    match timer {}
}

/// The error CloudWatch Logs answers model-constraint violations with. Unlike most services it
/// uses its own `InvalidParameterException` with Coral's words, except that a log group or stream
/// name over 512 characters gets a sentence of its own (LocalStack's AWS-validated logs
/// snapshots: `limit`, `filterName` and `filterPattern` in Coral's words;
/// `test_create_log_group_invalid_name_length` and
/// `test_delete_metric_filter_invalid_log_group_name` with the sentence).
pub fn constraint_error(violations: &[String], message: String) -> crate::error::ServiceError {
    let name_too_long = violations.iter().any(|v| {
        (v.contains("at 'logGroupName'") || v.contains("at 'logStreamName'"))
            && v.ends_with("Member must have length less than or equal to 512")
    });
    let message = if name_too_long {
        "Invalid LogGroup or LogStream, both must have length less than or equal to 512.".to_owned()
    } else {
        message
    };
    crate::error::ServiceError::new("InvalidParameterException", message)
}

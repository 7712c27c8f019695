//! SQS, the slice EventBridge targets and tests need: queues, messages, visibility, delays,
//! retention, FIFO basics (groups, deduplication, sequence numbers), dead-letter redrive and long
//! polling, over awsJson1_0 with the awsQueryCompatible error codes.

pub mod handlers;
pub mod md5;
pub mod move_tasks;
pub mod ports;
pub mod state;

pub use handlers::{async_handler, HANDLERS};

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// SQS's wake-ups on virtual time.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// The next second of a message move task.
    MoveStep { handle: String },
}

pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
    match timer {
        Timer::MoveStep { handle } => move_tasks::on_timer(call, &handle),
    }
}

/// The `__type` AWS sends for SQS's two unmodeled parameter errors, whose Query codes
/// (`InvalidParameterValue`, `MissingParameter`) go in `x-amzn-query-error`. LocalStack's
/// AWS-validated snapshots record the matching `QueryErrorCode`s (`InvalidParameterValueException`,
/// `MissingRequiredParameterException`), and its serializer notes AWS's body type
/// `com.amazon.coral.service#InvalidParameterValueException`. Other codes use the service's
/// namespace.
pub fn coral_error_type(code: &str) -> Option<&'static str> {
    match code {
        "InvalidParameterValue" => Some("com.amazon.coral.service#InvalidParameterValueException"),
        "MissingParameter" => Some("com.amazon.coral.service#MissingRequiredParameterException"),
        _ => None,
    }
}

/// The code SQS's older Query protocol gave an error shape, which awsQueryCompatible responses
/// repeat in `x-amzn-query-error` and which the SDKs match their typed errors on.
///
/// The SQS model's `aws.protocols#awsQueryError` traits carry these codes; the generated wire
/// schema does not keep them yet, so they are listed here (taken from the model as the official
/// SDKs ship it). Shapes without an override use their own name.
pub fn query_error_code(shape: &str) -> &str {
    match shape {
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists" => "QueueAlreadyExists",
        "QueueDeletedRecently" => "AWS.SimpleQueueService.QueueDeletedRecently",
        "PurgeQueueInProgress" => "AWS.SimpleQueueService.PurgeQueueInProgress",
        "MessageNotInflight" => "AWS.SimpleQueueService.MessageNotInflight",
        "BatchEntryIdsNotDistinct" => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "BatchRequestTooLong" => "AWS.SimpleQueueService.BatchRequestTooLong",
        "EmptyBatchRequest" => "AWS.SimpleQueueService.EmptyBatchRequest",
        "InvalidBatchEntryId" => "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest" => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "UnsupportedOperation" => "AWS.SimpleQueueService.UnsupportedOperation",
        "KmsAccessDenied" => "KMS.AccessDeniedException",
        "KmsDisabled" => "KMS.DisabledException",
        "KmsInvalidKeyUsage" => "KMS.InvalidKeyUsageException",
        "KmsInvalidState" => "KMS.InvalidStateException",
        "KmsNotFound" => "KMS.NotFoundException",
        "KmsOptInRequired" => "KMS.OptInRequired",
        "KmsThrottled" => "KMS.ThrottlingException",
        other => other,
    }
}

//! SQS's state in one account and region: queues by name, their messages in send order, and the
//! rules of visibility, delay, retention, FIFO groups and deduplication, and dead-letter redrive.
//!
//! Nothing here runs on a timer: every time-dependent fact (is a message visible, delayed, expired,
//! still deduplicated) is computed from the virtual "now" at the moment it is asked.

use super::md5::{md5_hex, message_attributes_md5, system_attributes_md5};
use crate::error::ServiceError;
use crate::ids::Ids;
use codemock_wire::sqs::{MessageAttributeValue, MessageSystemAttributeValue};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Notify;

/// FIFO deduplication interval (AWS: 5 minutes).
pub const DEDUP_WINDOW: f64 = 300.0;
/// A queue name cannot be reused for 60 seconds after its queue is deleted.
pub const DELETED_RECENTLY: f64 = 60.0;
/// One PurgeQueue per queue every 60 seconds.
pub const PURGE_INTERVAL: f64 = 60.0;
/// The most VisibilityTimeout may add up to, from the first receive (12 hours).
pub const MAX_VISIBILITY: i64 = 43_200;

#[derive(Debug, Default)]
pub struct State {
    pub queues: BTreeMap<String, Queue>,
    /// Names of deleted queues and when they were deleted.
    pub deleted: BTreeMap<String, f64>,
    /// Woken whenever a message is sent to any queue of this partition, so long polls waiting
    /// without the lock look again.
    pub notify: Arc<Notify>,
    /// Message move tasks by task handle.
    pub move_tasks: BTreeMap<String, super::move_tasks::MoveTask>,
}

/// One queue. `attributes` holds every settable attribute with its current value (defaults
/// filled in at creation), as the strings SQS reports.
#[derive(Debug, Clone)]
pub struct Queue {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub created: f64,
    pub last_modified: f64,
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    /// In send order, which is also FIFO delivery order. Boxed: a queue can hold hundreds of
    /// thousands, and a growing vector of whole messages would copy all of them at each step.
    pub messages: Vec<Box<Message>>,
    /// FIFO: deduplication id -> (when first seen, message id, sequence number).
    pub dedup: BTreeMap<String, (f64, String, Option<String>)>,
    pub next_sequence: u64,
    pub last_purge: Option<f64>,
    /// Nothing expires before this instant, for the retention it was computed with: `expire`
    /// runs on every send and receive, and scanning a long backlog each time made sends slow
    /// down as the queue grew. Messages moved in from elsewhere (redrive, move tasks) keep their
    /// older send times and reset it through [`Queue::push_moved`].
    expiry_floor: (f64, f64),
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub body: std::sync::Arc<str>,
    pub md5_body: String,
    pub attributes: BTreeMap<String, MessageAttributeValue>,
    pub system_attributes: BTreeMap<String, MessageSystemAttributeValue>,
    pub sender_id: String,
    pub sent_at: f64,
    /// Virtual instant from which the message can be received (after its delay, or after its
    /// visibility timeout once received).
    pub available_at: f64,
    pub receive_count: u32,
    pub first_receive_at: Option<f64>,
    /// The nonce of the receipt handle of the latest receive; only it deletes the message.
    pub receipt_nonce: Option<String>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence_number: Option<String>,
    /// Set when the message was moved here from a source queue by its redrive policy.
    pub dlq_source_arn: Option<String>,
}

/// A message to send, already taken apart from the request.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub body: std::sync::Arc<str>,
    pub attributes: BTreeMap<String, MessageAttributeValue>,
    pub system_attributes: BTreeMap<String, MessageSystemAttributeValue>,
    pub delay_seconds: Option<i32>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sender_id: String,
}

/// What SendMessage reports for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub message_id: String,
    pub md5_body: String,
    pub md5_attributes: Option<String>,
    pub md5_system_attributes: Option<String>,
    pub sequence_number: Option<String>,
}

pub fn queue_does_not_exist() -> ServiceError {
    ServiceError::new("QueueDoesNotExist", "The specified queue does not exist.")
}

/// SQS's generic parameter error. It is not a modeled shape, so SDKs surface it by code only.
pub fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterValue", message)
}

pub fn missing_parameter(name: &str) -> ServiceError {
    ServiceError::new(
        "MissingParameter",
        format!("The request must contain the parameter {name}."),
    )
}

pub fn invalid_attribute_value(name: &str) -> ServiceError {
    ServiceError::new(
        "InvalidAttributeValue",
        format!("Invalid value for the parameter {name}."),
    )
}

/// The settable attributes and their defaults (CreateQueue's documentation in the botocore 1.44.5
/// model: `MaximumMessageSize` defaults to 1,048,576 bytes since SQS raised its limit to 1 MiB).
/// FIFO-only ones are added for FIFO queues. `SqsManagedSseEnabled` is on by default for new
/// queues since 2022.
const STANDARD_DEFAULTS: &[(&str, &str)] = &[
    ("DelaySeconds", "0"),
    ("MaximumMessageSize", "1048576"),
    ("MessageRetentionPeriod", "345600"),
    ("ReceiveMessageWaitTimeSeconds", "0"),
    ("SqsManagedSseEnabled", "true"),
    ("VisibilityTimeout", "30"),
];
const FIFO_DEFAULTS: &[(&str, &str)] = &[
    ("ContentBasedDeduplication", "false"),
    ("DeduplicationScope", "queue"),
    ("FifoQueue", "true"),
    ("FifoThroughputLimit", "perQueue"),
];
/// Attributes that may be set but have no default value.
const OPTIONAL: &[&str] = &[
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
];
/// Attributes SQS computes; GetQueueAttributes names them, Create/SetQueueAttributes may not.
pub const COMPUTED: &[&str] = &[
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
];

/// Checks one settable attribute and returns its normalised value.
pub fn check_attribute(name: &str, value: &str, fifo: bool) -> Result<String, ServiceError> {
    let int_in = |lo: i64, hi: i64| -> Result<String, ServiceError> {
        match value.trim().parse::<i64>() {
            Ok(v) if (lo..=hi).contains(&v) => Ok(v.to_string()),
            _ => Err(invalid_attribute_value(name)),
        }
    };
    let boolean = || -> Result<String, ServiceError> {
        match value.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(invalid_attribute_value(name)),
        }
    };
    let fifo_only = FIFO_DEFAULTS.iter().any(|(n, _)| *n == name);
    if fifo_only && !fifo {
        // AWS refuses FIFO attributes on standard queues, `FifoQueue` itself included (even
        // `"false"`), with these words (LocalStack's AWS-validated snapshots of
        // `test_create_standard_queue_with_fifo_attribute_raises_error` and
        // `test_set_unsupported_attribute_standard`).
        let message = match name {
            "DeduplicationScope" | "FifoThroughputLimit" => {
                format!("You can specify the {name} only when FifoQueue is set to true.")
            }
            _ => format!("Unknown Attribute {name}."),
        };
        return Err(ServiceError::new("InvalidAttributeName", message));
    }
    match name {
        "DelaySeconds" => int_in(0, 900),
        // 1 MiB is the upper bound since AWS raised the message size limit in 2025.
        "MaximumMessageSize" => int_in(1024, 1_048_576),
        "MessageRetentionPeriod" => int_in(60, 1_209_600),
        "ReceiveMessageWaitTimeSeconds" => int_in(0, 20),
        "VisibilityTimeout" => int_in(0, MAX_VISIBILITY),
        "KmsDataKeyReusePeriodSeconds" => int_in(60, 86_400),
        "SqsManagedSseEnabled" | "ContentBasedDeduplication" | "FifoQueue" => boolean(),
        "DeduplicationScope" => match value {
            "messageGroup" | "queue" => Ok(value.into()),
            _ => Err(invalid_attribute_value(name)),
        },
        "FifoThroughputLimit" => match value {
            "perQueue" | "perMessageGroupId" => Ok(value.into()),
            _ => Err(invalid_attribute_value(name)),
        },
        "Policy" | "RedriveAllowPolicy" => {
            if value.is_empty() || serde_json::from_str::<serde_json::Value>(value).is_ok() {
                Ok(value.into())
            } else {
                Err(invalid_attribute_value(name))
            }
        }
        "RedrivePolicy" => {
            if value.is_empty() {
                return Ok(String::new());
            }
            // Kept in SQS's own form, the count a number whichever way it was given (moto's
            // `test_redrive_policy_set_attributes_with_string_value` reads it back so).
            let (arn, count) = parse_redrive(value).ok_or_else(|| invalid_attribute_value(name))?;
            Ok(
                serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": count})
                    .to_string(),
            )
        }
        "KmsMasterKeyId" => Ok(value.into()),
        _ => Err(ServiceError::new(
            "InvalidAttributeName",
            format!("Unknown Attribute {name}."),
        )),
    }
}

/// `(deadLetterTargetArn, maxReceiveCount)` of a redrive policy. SQS accepts the count as a
/// number or a numeric string, between 1 and 1000.
pub fn parse_redrive(value: &str) -> Option<(String, u32)> {
    let v: serde_json::Value = serde_json::from_str(value).ok()?;
    let arn = v.get("deadLetterTargetArn")?.as_str()?.to_owned();
    let count = match v.get("maxReceiveCount")? {
        serde_json::Value::Number(n) => n.as_u64()?,
        serde_json::Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    if !(1..=1000).contains(&count) || !arn.starts_with("arn:") {
        return None;
    }
    Some((arn, count as u32))
}

/// Whether a message body uses only the characters SQS allows (the XML character set).
pub fn body_characters_ok(body: &str) -> Option<char> {
    // Printable ASCII, tab, line feed and carriage return are all allowed: most bodies (JSON
    // events) are checked byte by byte without decoding characters.
    if body
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    body.chars().find(|&c| {
        !matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
    })
}

impl Queue {
    pub fn new(
        name: &str,
        account: &str,
        region: &str,
        attributes: BTreeMap<String, String>,
        tags: BTreeMap<String, String>,
        now: f64,
    ) -> Queue {
        Queue {
            name: name.to_owned(),
            arn: crate::ids::arn("sqs", region, account, name),
            account: account.to_owned(),
            created: now,
            last_modified: now,
            attributes,
            tags,
            messages: Vec::new(),
            dedup: BTreeMap::new(),
            // Sequence numbers are large and only grow; AWS's are 20 digits.
            next_sequence: 18_000_000_000_000_000_000,
            last_purge: None,
            expiry_floor: (f64::NEG_INFINITY, 0.0),
        }
    }

    /// The full attribute set of a new queue: defaults overlaid with the requested values.
    pub fn with_defaults(
        requested: &BTreeMap<String, String>,
        fifo: bool,
    ) -> BTreeMap<String, String> {
        let mut attrs: BTreeMap<String, String> = STANDARD_DEFAULTS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if fifo {
            attrs.extend(
                FIFO_DEFAULTS
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
        }
        for (k, v) in requested {
            if k == "FifoQueue" && !fifo {
                continue;
            }
            if v.is_empty() && OPTIONAL.contains(&k.as_str()) {
                continue;
            }
            attrs.insert(k.clone(), v.clone());
        }
        attrs
    }

    pub fn is_fifo(&self) -> bool {
        self.attributes
            .get("FifoQueue")
            .is_some_and(|v| v == "true")
    }

    pub fn int_attribute(&self, name: &str) -> i64 {
        self.attributes
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub fn redrive(&self) -> Option<(String, u32)> {
        self.attributes
            .get("RedrivePolicy")
            .and_then(|v| parse_redrive(v))
    }

    /// Drops messages past the retention period and deduplication entries past their window.
    pub fn expire(&mut self, now: f64) {
        let retention = self.int_attribute("MessageRetentionPeriod") as f64;
        let (floor, computed_for) = self.expiry_floor;
        if now < floor && computed_for == retention {
            return;
        }
        let mut next = f64::INFINITY;
        self.messages.retain(|m| {
            let keep = m.sent_at + retention > now;
            if keep {
                next = next.min(m.sent_at + retention);
            }
            keep
        });
        self.dedup.retain(|_, (at, _, _)| {
            let keep = *at + DEDUP_WINDOW > now;
            if keep {
                next = next.min(*at + DEDUP_WINDOW);
            }
            keep
        });
        // New sends expire after everything already here, so they never lower the floor.
        self.expiry_floor = (next.min(now + DEDUP_WINDOW.min(retention)), retention);
    }

    /// Adds a message that comes from another queue (a redrive, a move task), keeping its send
    /// time, which may be older than anything here.
    pub fn push_moved(&mut self, message: Box<Message>) {
        self.expiry_floor.0 = f64::NEG_INFINITY;
        self.messages.push(message);
    }

    /// (visible, in flight, delayed) counts at `now`.
    pub fn counts(&self, now: f64) -> (usize, usize, usize) {
        let mut visible = 0;
        let mut in_flight = 0;
        let mut delayed = 0;
        for m in &self.messages {
            if m.available_at <= now {
                visible += 1;
            } else if m.receive_count > 0 {
                in_flight += 1;
            } else {
                delayed += 1;
            }
        }
        (visible, in_flight, delayed)
    }

    /// Sends one message. Validation happens here so that SendMessage, its batch, and other
    /// services sending through [`super::ports::Command::SendMessage`] apply the same rules.
    pub fn send(&mut self, msg: Outgoing, now: f64, ids: &Ids) -> Result<Sent, ServiceError> {
        self.expire(now);
        if msg.body.is_empty() {
            return Err(missing_parameter("MessageBody"));
        }
        if let Some(bad) = body_characters_ok(&msg.body) {
            return Err(ServiceError::new(
                "InvalidMessageContents",
                format!(
                    "Invalid binary character '#x{:X}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                    bad as u32
                ),
            ));
        }
        check_message_attributes(&msg.attributes)?;
        let max = self.int_attribute("MaximumMessageSize").max(1024) as usize;
        let size = msg.body.len()
            + msg
                .attributes
                .iter()
                .map(|(k, v)| {
                    k.len()
                        + v.data_type.len()
                        + v.string_value.as_deref().map_or(0, str::len)
                        + v.binary_value.as_ref().map_or(0, |b| b.as_bytes().len())
                })
                .sum::<usize>();
        if size > max {
            return Err(invalid_parameter(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
            )));
        }
        let fifo = self.is_fifo();
        if let Some(d) = msg.delay_seconds {
            // A zero delay is accepted on FIFO queues (LocalStack's AWS-validated
            // `test_send_message_with_delay_0_works_for_fifo`); any other is refused.
            if fifo && d != 0 {
                return Err(invalid_parameter(format!(
                    "Value {d} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
                )));
            }
            if !(0..=900).contains(&d) {
                return Err(invalid_parameter(format!(
                    "Value {d} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
                )));
            }
        }
        let md5_body = md5_hex(msg.body.as_bytes());
        let md5_attributes =
            (!msg.attributes.is_empty()).then(|| message_attributes_md5(&msg.attributes));
        let md5_system_attributes = (!msg.system_attributes.is_empty())
            .then(|| system_attributes_md5(&msg.system_attributes));
        let mut sequence_number = None;
        let mut dedup_id = None;
        check_message_id_parameter("MessageGroupId", msg.group_id.as_deref())?;
        if fifo {
            check_message_id_parameter("MessageDeduplicationId", msg.dedup_id.as_deref())?;
        }
        if fifo {
            if msg.group_id.is_none() {
                return Err(missing_parameter("MessageGroupId"));
            }
            let id = match (&msg.dedup_id, self.attributes.get("ContentBasedDeduplication")) {
                (Some(id), _) => id.clone(),
                (None, Some(v)) if v == "true" => {
                    // Content-based deduplication: SHA-256 of the body in AWS; an MD5 serves the
                    // same purpose here since the id is never shown to clients.
                    md5_body.clone()
                }
                _ => {
                    return Err(invalid_parameter(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ))
                }
            };
            if let Some((_, message_id, seq)) = self.dedup.get(&id) {
                // A duplicate within the window is accepted and reported as the original.
                return Ok(Sent {
                    message_id: message_id.clone(),
                    md5_body,
                    md5_attributes,
                    md5_system_attributes,
                    sequence_number: seq.clone(),
                });
            }
            self.next_sequence += 1;
            sequence_number = Some(format!("{:020}", self.next_sequence));
            dedup_id = Some(id);
        } else if let Some(d) = &msg.dedup_id {
            return Err(invalid_parameter(format!(
                "Value {d} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type."
            )));
        }
        let delay = match msg.delay_seconds {
            Some(d) => d as f64,
            None => self.int_attribute("DelaySeconds") as f64,
        };
        let message_id = ids.uuid();
        if let Some(id) = &dedup_id {
            self.dedup.insert(
                id.clone(),
                (now, message_id.clone(), sequence_number.clone()),
            );
        }
        self.messages.push(Box::new(Message {
            id: message_id.clone(),
            body: msg.body,
            md5_body: md5_body.clone(),
            attributes: msg.attributes,
            system_attributes: msg.system_attributes,
            sender_id: msg.sender_id,
            sent_at: now,
            available_at: now + delay,
            receive_count: 0,
            first_receive_at: None,
            receipt_nonce: None,
            group_id: msg.group_id,
            dedup_id,
            sequence_number: sequence_number.clone(),
            dlq_source_arn: None,
        }));
        Ok(Sent {
            message_id,
            md5_body,
            md5_attributes,
            md5_system_attributes,
            sequence_number,
        })
    }

    /// Indices of the messages a receive of up to `max` may take at `now`, in delivery order.
    /// FIFO: a group with a message in flight delivers nothing, and a group delivers in order.
    pub fn receivable(&self, now: f64, max: usize) -> Vec<usize> {
        let fifo = self.is_fifo();
        let mut blocked: Vec<&str> = Vec::new();
        if fifo {
            for m in &self.messages {
                if m.receive_count > 0 && m.available_at > now {
                    if let Some(g) = &m.group_id {
                        blocked.push(g);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (i, m) in self.messages.iter().enumerate() {
            if out.len() >= max {
                break;
            }
            let group = m.group_id.as_deref().unwrap_or("");
            if fifo && blocked.contains(&group) {
                continue;
            }
            if m.available_at <= now {
                out.push(i);
            } else if fifo {
                // A later message of this group may not overtake this one.
                blocked.push(group);
            }
        }
        out
    }
}

/// Message attribute rules: at most 10, a data type of String, Number or Binary (optionally with
/// a custom `.suffix`), and a value that matches it.
pub fn check_message_attributes(
    attrs: &BTreeMap<String, MessageAttributeValue>,
) -> Result<(), ServiceError> {
    if attrs.len() > 10 {
        return Err(invalid_parameter(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [10].",
            attrs.len()
        )));
    }
    for (name, v) in attrs {
        if name.is_empty()
            || name.len() > 256
            || name.starts_with('.')
            || name.ends_with('.')
            || name.contains("..")
            || name.to_ascii_lowercase().starts_with("aws.")
            || name.to_ascii_lowercase().starts_with("amazon.")
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(invalid_parameter(format!(
                "Message attribute name '{name}' is invalid."
            )));
        }
        let data_type = v.data_type.as_str();
        let base = data_type.split('.').next().unwrap_or("");
        let ok = match base {
            "String" => v.string_value.as_deref().is_some_and(|s| !s.is_empty()),
            "Number" => v
                .string_value
                .as_deref()
                .is_some_and(|s| s.trim().parse::<f64>().is_ok()),
            "Binary" => v.binary_value.as_ref().is_some_and(|b| !b.as_bytes().is_empty()),
            _ => {
                return Err(invalid_parameter(format!(
                    "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
                )))
            }
        };
        if !ok {
            // Words from LocalStack's AWS-validated `test_send_message_with_empty_string_attribute`.
            return Err(invalid_parameter(format!(
                "Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
            )));
        }
    }
    Ok(())
}

/// `MessageGroupId` and `MessageDeduplicationId`: 1 to 128 alphanumeric or punctuation
/// characters, on any queue type (LocalStack's AWS-validated
/// `test_send_message_to_standard_queue_with_invalid_message_group_id` and
/// `test_message_deduplication_id_invalid`, empty, too long and with spaces).
fn check_message_id_parameter(parameter: &str, value: Option<&str>) -> Result<(), ServiceError> {
    let Some(v) = value else { return Ok(()) };
    let ok = (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(invalid_parameter(format!(
            "Value {v} for parameter {parameter} is invalid. Reason: {parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )))
    }
}

impl State {
    /// The queue a request's `QueueUrl` names in `account`. Any host form is accepted: only the
    /// last two path segments (`<account>/<name>`) count. A bare queue name (no `/`) names the
    /// caller's queue: AWS accepts one (LocalStack's AWS-validated
    /// `test_posting_to_queue_via_queue_name` sends with `QueueUrl=<name>`; moto's `aws_verified`
    /// `test_send_message_delay_seconds_validation` does too). Anything else that names no queue,
    /// even an address with no `<account>/<name>` path, is `QueueDoesNotExist`, as moto's
    /// `aws_verified` `test_get_queue_url_error_not_exists` recorded for
    /// `http://whatever-incorrect-queue-address`.
    pub fn resolve_url(&self, url: &str, account: &str) -> Result<String, ServiceError> {
        let (url_account, name) = if url.contains('/') {
            parse_queue_url(url).ok_or_else(queue_does_not_exist)?
        } else {
            (account.to_owned(), url.to_owned())
        };
        if url_account != account || !self.queues.contains_key(&name) {
            return Err(queue_does_not_exist());
        }
        Ok(name)
    }
}

/// `(account, name)` from `http://host:port/<account>/<name>` (or just the path).
pub fn parse_queue_url(url: &str) -> Option<(String, String)> {
    let path = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            &rest[rest.find('/')?..]
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments = path.split('/').filter(|s| !s.is_empty()).rev();
    let name = segments.next()?;
    let account = segments.next()?;
    if !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((account.to_owned(), name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(fifo: bool) -> Queue {
        let mut req = BTreeMap::new();
        if fifo {
            req.insert("FifoQueue".to_owned(), "true".to_owned());
        }
        let attrs = Queue::with_defaults(&req, fifo);
        Queue::new(
            if fifo { "q.fifo" } else { "q" },
            "000000000000",
            "us-east-1",
            attrs,
            BTreeMap::new(),
            100.0,
        )
    }

    fn msg(body: &str, group: Option<&str>, dedup: Option<&str>) -> Outgoing {
        Outgoing {
            body: body.into(),
            group_id: group.map(str::to_owned),
            dedup_id: dedup.map(str::to_owned),
            sender_id: "000000000000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn messages_expire_after_retention_also_when_moved_in_or_retention_shrinks() {
        let ids = Ids::new(1);
        let mut q = queue(false);
        q.attributes
            .insert("MessageRetentionPeriod".into(), "600".into());
        q.send(msg("a", None, None), 0.0, &ids).expect("sent");
        q.expire(100.0);
        q.send(msg("b", None, None), 300.0, &ids).expect("sent");
        q.expire(601.0);
        assert_eq!(q.messages.len(), 1, "a expired, b not yet");
        // A message redriven from elsewhere keeps its older send time.
        let mut old = q.messages[0].clone();
        old.sent_at = -100.0;
        q.push_moved(old);
        q.expire(602.0);
        assert_eq!(q.messages.len(), 1, "the moved-in message had expired");
        q.attributes
            .insert("MessageRetentionPeriod".into(), "60".into());
        q.expire(603.0);
        assert!(q.messages.is_empty(), "a shorter retention applies at once");
    }

    #[test]
    fn queue_urls_parse_in_any_host_form() {
        assert_eq!(
            parse_queue_url("http://127.0.0.1:4566/000000000000/q"),
            Some(("000000000000".into(), "q".into()))
        );
        assert_eq!(
            parse_queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/a.fifo"),
            Some(("123456789012".into(), "a.fifo".into()))
        );
        assert_eq!(parse_queue_url("q"), None);
        assert_eq!(parse_queue_url("http://h/x/q"), None);
    }

    #[test]
    fn fifo_deduplicates_within_five_minutes_and_orders_groups() {
        let ids = Ids::new(1);
        let mut q = queue(true);
        let a = q
            .send(msg("a", Some("g"), Some("1")), 100.0, &ids)
            .expect("sent");
        let dup = q
            .send(msg("a", Some("g"), Some("1")), 200.0, &ids)
            .expect("dup");
        assert_eq!(a.message_id, dup.message_id);
        assert_eq!(q.messages.len(), 1);
        q.send(msg("b", Some("g"), Some("2")), 100.0, &ids)
            .expect("sent");
        // After the window the same id is a new message.
        let later = q
            .send(msg("a", Some("g"), Some("1")), 401.0, &ids)
            .expect("sent");
        assert_ne!(later.message_id, a.message_id);
        assert!(later.sequence_number > a.sequence_number);
        // Group g: the first message in flight blocks the rest.
        q.messages[0].receive_count = 1;
        q.messages[0].available_at = 1000.0;
        assert!(q.receivable(401.0, 10).is_empty());
    }

    #[test]
    fn fifo_requires_a_group_and_a_dedup_id() {
        let ids = Ids::new(1);
        let mut q = queue(true);
        let e = q
            .send(msg("a", None, Some("1")), 100.0, &ids)
            .expect_err("no group");
        assert_eq!(e.code, "MissingParameter");
        let e = q
            .send(msg("a", Some("g"), None), 100.0, &ids)
            .expect_err("no dedup");
        assert_eq!(e.code, "InvalidParameterValue");
    }

    #[test]
    fn redrive_policies_parse_numbers_and_strings() {
        assert_eq!(
            parse_redrive(r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:d","maxReceiveCount":"3"}"#),
            Some(("arn:aws:sqs:r:1:d".into(), 3))
        );
        assert_eq!(
            parse_redrive(r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":0}"#),
            None
        );
    }

    #[test]
    fn bad_characters_are_found() {
        assert_eq!(body_characters_ok("ok\n"), None);
        assert_eq!(body_characters_ok("a\u{0}"), Some('\u{0}'));
    }
}

//! ReceiveMessage: the one SQS operation that may wait. Each look at the queue is an ordinary
//! short handler under the partition lock; between looks the request waits with no lock held,
//! woken by any send to the partition.

use super::receipt_handle;
use crate::core::{Core, RequestContext};
use crate::error::ServiceError;
use crate::services::sqs::state::{invalid_parameter, missing_parameter, Message, MAX_VISIBILITY};
use crate::services::sqs::Call;
use codemock_wire::sqs::MessageAttributeValue;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// With a manual or fixed clock virtual time never passes on its own, so a long poll cannot end
/// "after WaitTimeSeconds" of virtual time. It waits at most this long in real time instead:
/// long enough for a send from another task of the test to wake it, short enough that a test
/// expecting an empty answer is not slowed much.
const MANUAL_CLOCK_WAIT_CAP: Duration = Duration::from_secs(1);

/// How often a waiting poll looks again without being woken: messages also become visible when
/// their delay or visibility timeout passes, or when a test advances the clock, and nothing
/// notifies for those.
const RECHECK: Duration = Duration::from_millis(50);

pub async fn receive_message(
    core: Arc<Core>,
    ctx: RequestContext,
    input: Value,
) -> Result<Value, ServiceError> {
    let started = crate::clock::real_now();
    let requested_wait = input.get("WaitTimeSeconds").and_then(Value::as_i64);
    if let Some(w) = requested_wait {
        if !(0..=20).contains(&w) {
            return Err(invalid_parameter(format!(
                "Value {w} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            )));
        }
    }
    let (notify, wait) = core.with_state(
        &ctx,
        |w| &mut w.sqs,
        |call| {
            let queue_wait = input
                .get("QueueUrl")
                .and_then(Value::as_str)
                .and_then(|url| call.state.resolve_url(url, &ctx.account_id).ok())
                .and_then(|name| call.state.queues.get(&name))
                .map_or(0, |q| q.int_attribute("ReceiveMessageWaitTimeSeconds"));
            Ok((
                call.state.notify.clone(),
                requested_wait.unwrap_or(queue_wait).max(0),
            ))
        },
    )?;
    let wait_virtual = wait as f64;
    let deadline = started
        + core
            .clock
            .real_time_until(ctx.received_at + wait_virtual)
            .unwrap_or_else(|| MANUAL_CLOCK_WAIT_CAP.min(Duration::from_secs(wait as u64)));
    loop {
        // Registered before looking, so a send between the look and the wait is not missed.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let mut now_ctx = ctx.clone();
        now_ctx.received_at = core.clock.now();
        let output =
            core.with_state(&now_ctx, |w| &mut w.sqs, |call| receive_once(call, &input))?;
        let got = output
            .get("Messages")
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty());
        let remaining = deadline.saturating_duration_since(crate::clock::real_now());
        if got || wait == 0 || remaining.is_zero() {
            return Ok(output);
        }
        let _ = tokio::time::timeout(remaining.min(RECHECK), notified).await;
    }
}

/// Which names a request's name list selects: `All`, `.*`, `prefix.*` or exact names.
fn selects(names: &[String], name: &str) -> bool {
    names.iter().any(|n| {
        n == "All"
            || n == ".*"
            || n == name
            || n.strip_suffix(".*")
                .is_some_and(|p| name.starts_with(p) && name.len() > p.len())
    })
}

fn string_list(input: &Value, key: &str) -> Vec<String> {
    input
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// One look at the queue under the lock: redrive what has been received too often, then take up
/// to `MaxNumberOfMessages` receivable messages and hide them for the visibility timeout.
fn receive_once(call: &mut Call<'_>, input: &Value) -> Result<Value, ServiceError> {
    let max = input
        .get("MaxNumberOfMessages")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(invalid_parameter(format!(
            "Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )));
    }
    let visibility = input.get("VisibilityTimeout").and_then(Value::as_i64);
    if let Some(v) = visibility {
        if !(0..=MAX_VISIBILITY).contains(&v) {
            return Err(invalid_parameter(format!(
                "Value {v} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
            )));
        }
    }
    let url = input
        .get("QueueUrl")
        .and_then(Value::as_str)
        .ok_or_else(|| missing_parameter("QueueUrl"))?;
    let mut system_names = string_list(input, "AttributeNames");
    system_names.extend(string_list(input, "MessageSystemAttributeNames"));
    let attribute_names = string_list(input, "MessageAttributeNames");
    let now = call.ctx.received_at;
    let sqs = &mut call.state;
    let name = sqs.resolve_url(url, &call.ctx.account_id)?;

    // Redrive: a message received maxReceiveCount times moves to the dead-letter queue when it
    // would be received again, keeping its id, body, attributes and receive count.
    let (redrive, source_arn) = {
        let queue = sqs
            .queues
            .get_mut(&name)
            .ok_or_else(crate::services::sqs::state::queue_does_not_exist)?;
        queue.expire(now);
        (queue.redrive(), queue.arn.clone())
    };
    if let Some((target_arn, max_receives)) = redrive {
        let target = target_arn.rsplit(':').next().unwrap_or("").to_owned();
        if target != name && sqs.queues.contains_key(&target) {
            let mut moved: Vec<Box<Message>> = Vec::new();
            if let Some(queue) = sqs.queues.get_mut(&name) {
                let (out, keep): (Vec<Box<Message>>, Vec<Box<Message>>) =
                    std::mem::take(&mut queue.messages)
                        .into_iter()
                        .partition(|m| m.available_at <= now && m.receive_count >= max_receives);
                queue.messages = keep;
                moved = out;
            }
            if let Some(dlq) = sqs.queues.get_mut(&target) {
                for mut m in moved {
                    m.available_at = now;
                    m.receipt_nonce = None;
                    m.dlq_source_arn = Some(source_arn.clone());
                    dlq.push_moved(m);
                }
            }
        }
    }

    let queue = sqs
        .queues
        .get_mut(&name)
        .ok_or_else(crate::services::sqs::state::queue_does_not_exist)?;
    let fifo = queue.is_fifo();
    let timeout = visibility.unwrap_or_else(|| queue.int_attribute("VisibilityTimeout")) as f64;
    let picked = queue.receivable(now, max as usize);
    let mut messages = Vec::new();
    for i in picked {
        let nonce = call.core.ids.hex(32);
        let m = &mut queue.messages[i];
        m.receive_count += 1;
        m.first_receive_at.get_or_insert(now);
        m.available_at = now + timeout;
        m.receipt_nonce = Some(nonce.clone());
        messages.push(render(
            m,
            &name,
            &nonce,
            fifo,
            &system_names,
            &attribute_names,
        ));
    }
    Ok(if messages.is_empty() {
        // SQS leaves `Messages` out when there are none.
        json!({})
    } else {
        json!({ "Messages": messages })
    })
}

/// A received message as the wire shows it, with the system and message attributes asked for.
fn render(
    m: &Message,
    queue: &str,
    nonce: &str,
    fifo: bool,
    system_names: &[String],
    attribute_names: &[String],
) -> Value {
    let mut out = Map::new();
    out.insert("MessageId".into(), json!(m.id));
    out.insert(
        "ReceiptHandle".into(),
        json!(receipt_handle(queue, &m.id, nonce)),
    );
    out.insert("MD5OfBody".into(), json!(m.md5_body));
    out.insert("Body".into(), json!(&*m.body));
    let mut system = BTreeMap::new();
    let millis = |t: f64| ((t * 1000.0).floor() as i64).to_string();
    let mut offer = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            if selects(system_names, name) {
                system.insert(name.to_owned(), v);
            }
        }
    };
    offer("SenderId", Some(m.sender_id.clone()));
    offer("SentTimestamp", Some(millis(m.sent_at)));
    offer("ApproximateReceiveCount", Some(m.receive_count.to_string()));
    offer(
        "ApproximateFirstReceiveTimestamp",
        m.first_receive_at.map(millis),
    );
    offer("MessageGroupId", m.group_id.clone());
    if fifo {
        offer("MessageDeduplicationId", m.dedup_id.clone());
        offer("SequenceNumber", m.sequence_number.clone());
    }
    offer(
        "AWSTraceHeader",
        m.system_attributes
            .get("AWSTraceHeader")
            .and_then(|v| v.string_value.clone()),
    );
    offer("DeadLetterQueueSourceArn", m.dlq_source_arn.clone());
    if !system.is_empty() {
        out.insert("Attributes".into(), json!(system));
    }
    let chosen: BTreeMap<String, MessageAttributeValue> = m
        .attributes
        .iter()
        .filter(|(k, _)| selects(attribute_names, k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !chosen.is_empty() {
        // The digest covers the attributes returned, which is what clients can check.
        out.insert(
            "MD5OfMessageAttributes".into(),
            json!(crate::services::sqs::md5::message_attributes_md5(&chosen)),
        );
        out.insert(
            "MessageAttributes".into(),
            serde_json::to_value(&chosen).unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

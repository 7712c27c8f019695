//! SQS's operation handlers and the table that names them. ReceiveMessage lives in
//! `receive`, as the one handler that may wait (long polling).

mod receive;

use super::state::{
    check_attribute, invalid_parameter, missing_parameter, queue_does_not_exist, Outgoing, Queue,
    Sent, COMPUTED, DELETED_RECENTLY, MAX_VISIBILITY, PURGE_INTERVAL,
};
use crate::error::ServiceError;
use crate::services::sqs::Call;
use crate::services::Api;
use crate::services::AsyncHandler;
use base64::Engine as _;
use codemock_wire::sqs::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::sqs::Handlers<Api<super::state::State>> =
    codemock_wire::sqs::Handlers {
        create_queue: Some(create_queue),
        get_queue_url: Some(get_queue_url),
        get_queue_attributes: Some(get_queue_attributes),
        set_queue_attributes: Some(set_queue_attributes),
        delete_queue: Some(delete_queue),
        list_queues: Some(list_queues),
        purge_queue: Some(purge_queue),
        send_message: Some(send_message),
        send_message_batch: Some(send_message_batch),
        delete_message: Some(delete_message),
        delete_message_batch: Some(delete_message_batch),
        change_message_visibility: Some(change_message_visibility),
        change_message_visibility_batch: Some(change_message_visibility_batch),
        add_permission: Some(add_permission),
        remove_permission: Some(remove_permission),
        tag_queue: Some(tag_queue),
        untag_queue: Some(untag_queue),
        list_queue_tags: Some(list_queue_tags),
        list_dead_letter_source_queues: Some(list_dead_letter_source_queues),
        start_message_move_task: Some(super::move_tasks::start),
        cancel_message_move_task: Some(super::move_tasks::cancel),
        list_message_move_tasks: Some(super::move_tasks::list),
        ..codemock_wire::sqs::Handlers::NONE
    };

pub fn async_handler(operation: &str) -> Option<AsyncHandler> {
    match operation {
        "ReceiveMessage" => {
            Some(|core, ctx, input| Box::pin(receive::receive_message(core, ctx, input)))
        }
        _ => None,
    }
}

use codemock_wire::types::Empty;

/// The URL of a queue as the client reached this server: `http://<host>/<account>/<name>`.
/// Without a `Host` header, the sidecar's default address.
fn queue_url(call: &Call<'_>, name: &str) -> String {
    let host = call.ctx.host.as_deref().unwrap_or("localhost:4566");
    format!("http://{host}/{}/{name}", call.ctx.account_id)
}

/// The queue `url` names, for reading or writing.
fn queue_mut<'a>(call: &'a mut Call<'_>, url: Option<&str>) -> Result<&'a mut Queue, ServiceError> {
    let url = url.ok_or_else(|| missing_parameter("QueueUrl"))?;
    let name = call.state.resolve_url(url, &call.ctx.account_id)?;
    let now = call.ctx.received_at;
    let queue = call
        .state
        .queues
        .get_mut(&name)
        .ok_or_else(queue_does_not_exist)?;
    queue.expire(now);
    Ok(queue)
}

fn valid_queue_name(name: &str, fifo: bool) -> bool {
    let base = if fifo {
        match name.strip_suffix(".fifo") {
            Some(b) => b,
            None => return false,
        }
    } else {
        name
    };
    !base.is_empty()
        && name.len() <= 80
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks requested attributes; returns them normalised.
fn check_attributes(
    attrs: &BTreeMap<String, String>,
    fifo: bool,
) -> Result<BTreeMap<String, String>, ServiceError> {
    let mut out = BTreeMap::new();
    for (k, v) in attrs {
        if COMPUTED.contains(&k.as_str()) {
            return Err(ServiceError::new(
                "InvalidAttributeName",
                format!("Unknown Attribute {k}."),
            ));
        }
        out.insert(k.clone(), check_attribute(k, v, fifo)?);
    }
    Ok(out)
}

fn create_queue(
    call: &mut Call<'_>,
    input: CreateQueueRequest,
) -> Result<CreateQueueResult, ServiceError> {
    let name = input.queue_name;
    let requested = input.attributes.unwrap_or_default();
    let fifo = requested
        .get("FifoQueue")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !valid_queue_name(&name, fifo) {
        return Err(invalid_parameter(if fifo {
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        } else {
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        }));
    }
    let attrs = check_attributes(&requested, fifo)?;
    let now = call.ctx.received_at;
    let sqs = &mut call.state;
    if let Some(existing) = sqs.queues.get(&name) {
        // CreateQueue is idempotent while every requested attribute matches the queue's.
        for (k, v) in &attrs {
            let current = existing.attributes.get(k).map(String::as_str).unwrap_or("");
            if current != v {
                return Err(ServiceError::new(
                    "QueueNameExists",
                    format!("A queue already exists with the same name and a different value for attribute {k}"),
                ));
            }
        }
        return Ok(CreateQueueResult {
            queue_url: Some(queue_url(call, &name)),
        });
    }
    if sqs
        .deleted
        .get(&name)
        .is_some_and(|at| at + DELETED_RECENTLY > now)
    {
        return Err(ServiceError::new(
            "QueueDeletedRecently",
            "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
        ));
    }
    sqs.deleted.remove(&name);
    let queue = Queue::new(
        &name,
        &call.ctx.account_id,
        &call.ctx.region,
        Queue::with_defaults(&attrs, fifo),
        input.tags.unwrap_or_default(),
        now,
    );
    sqs.queues.insert(name.clone(), queue);
    Ok(CreateQueueResult {
        queue_url: Some(queue_url(call, &name)),
    })
}

fn get_queue_url(
    call: &mut Call<'_>,
    input: GetQueueUrlRequest,
) -> Result<GetQueueUrlResult, ServiceError> {
    let name = input.queue_name;
    if input
        .queue_owner_aws_account_id
        .as_deref()
        .is_some_and(|a| a != call.ctx.account_id)
        || !call.state.queues.contains_key(&name)
    {
        return Err(queue_does_not_exist());
    }
    Ok(GetQueueUrlResult {
        queue_url: Some(queue_url(call, &name)),
    })
}

/// Untyped, so that attribute names outside the model's enum still get SQS's own error.
fn get_queue_attributes(
    call: &mut Call<'_>,
    input: GetQueueAttributesRequest,
) -> Result<GetQueueAttributesResult, ServiceError> {
    let names = input.attribute_names.unwrap_or_default();
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let all = queue_attributes(queue, now);
    let mut out = BTreeMap::new();
    for name in &names {
        if name == "All" {
            out.extend(all.clone());
        } else if let Some(v) = all.get(name) {
            out.insert(name.clone(), v.clone());
        } else if !known_attribute(name) {
            return Err(ServiceError::new(
                "InvalidAttributeName",
                format!("Unknown Attribute {name}."),
            ));
        }
    }
    // SQS leaves `Attributes` out when none was asked for or none has a value.
    Ok(GetQueueAttributesResult {
        attributes: (!out.is_empty()).then_some(out),
    })
}

/// Names GetQueueAttributes accepts even when the queue has no value for them.
fn known_attribute(name: &str) -> bool {
    QueueAttributeName::VALUES
        .iter()
        .any(|v| v.as_str() == name)
}

/// Every attribute of `queue` at `now`, settable and computed.
fn queue_attributes(queue: &Queue, now: f64) -> BTreeMap<String, String> {
    let mut out = queue.attributes.clone();
    let (visible, in_flight, delayed) = queue.counts(now);
    out.insert("ApproximateNumberOfMessages".into(), visible.to_string());
    out.insert(
        "ApproximateNumberOfMessagesNotVisible".into(),
        in_flight.to_string(),
    );
    out.insert(
        "ApproximateNumberOfMessagesDelayed".into(),
        delayed.to_string(),
    );
    // Whole epoch seconds, as SQS reports them.
    out.insert(
        "CreatedTimestamp".into(),
        (queue.created.floor() as i64).to_string(),
    );
    out.insert(
        "LastModifiedTimestamp".into(),
        (queue.last_modified.floor() as i64).to_string(),
    );
    out.insert("QueueArn".into(), queue.arn.clone());
    out
}

fn set_queue_attributes(
    call: &mut Call<'_>,
    input: SetQueueAttributesRequest,
) -> Result<Empty, ServiceError> {
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let fifo = queue.is_fifo();
    let attrs = check_attributes(&input.attributes, fifo)?;
    if let Some(v) = attrs.get("FifoQueue") {
        // A queue's type is fixed at creation.
        if (v == "true") != fifo {
            // LocalStack's AWS-validated `test_set_unsupported_attribute_fifo`.
            return Err(ServiceError::new(
                "InvalidAttributeValue",
                "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
            ));
        }
    }
    for (k, v) in attrs {
        if v.is_empty()
            && matches!(
                k.as_str(),
                "Policy" | "RedrivePolicy" | "RedriveAllowPolicy" | "KmsMasterKeyId"
            )
        {
            // An empty value removes an optional attribute.
            queue.attributes.remove(&k);
        } else {
            queue.attributes.insert(k, v);
        }
    }
    queue.last_modified = now;
    Ok(Empty {})
}

fn delete_queue(call: &mut Call<'_>, input: DeleteQueueRequest) -> Result<Empty, ServiceError> {
    let now = call.ctx.received_at;
    let name = queue_mut(call, Some(input.queue_url.as_str()))?
        .name
        .clone();
    call.state.queues.remove(&name);
    call.state.deleted.insert(name, now);
    Ok(Empty {})
}

fn list_queues(
    call: &mut Call<'_>,
    input: ListQueuesRequest,
) -> Result<ListQueuesResult, ServiceError> {
    // Without MaxResults SQS returns up to 1000 queues and no token.
    let limit = match input.max_results {
        None => 1000,
        Some(n) if (1..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(invalid_parameter(format!(
                "Value {n} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
            )))
        }
    };
    let prefix = input.queue_name_prefix.unwrap_or_default();
    let names: Vec<(&str, &String)> = call
        .state
        .queues
        .keys()
        .filter(|n| n.starts_with(&prefix))
        .map(|n| (n.as_str(), n))
        .collect();
    let page = crate::services::pagination::paginate(names, input.next_token.as_deref(), limit)
        .map_err(|_| invalid_parameter("Invalid NextToken value."))?;
    let urls: Vec<String> = page.items.iter().map(|n| queue_url(call, n)).collect();
    Ok(ListQueuesResult {
        queue_urls: (!urls.is_empty()).then_some(urls),
        next_token: if input.max_results.is_some() {
            page.next_token
        } else {
            None
        },
    })
}

fn purge_queue(call: &mut Call<'_>, input: PurgeQueueRequest) -> Result<Empty, ServiceError> {
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    if queue.last_purge.is_some_and(|at| at + PURGE_INTERVAL > now) {
        return Err(ServiceError::new(
            "PurgeQueueInProgress",
            format!(
                "Only one PurgeQueue operation on {} is allowed every 60 seconds.",
                queue.name
            ),
        ));
    }
    queue.last_purge = Some(now);
    queue.messages.clear();
    Ok(Empty {})
}

fn outgoing(
    call: &Call<'_>,
    body: Option<String>,
    delay_seconds: Option<i32>,
    attributes: Option<BTreeMap<String, MessageAttributeValue>>,
    system_attributes: Option<BTreeMap<String, MessageSystemAttributeValue>>,
    group_id: Option<String>,
    dedup_id: Option<String>,
) -> Outgoing {
    Outgoing {
        body: body.unwrap_or_default().into(),
        attributes: attributes.unwrap_or_default(),
        system_attributes: system_attributes.unwrap_or_default(),
        delay_seconds,
        group_id,
        dedup_id,
        // SQS reports the sender's principal id; for an account's own credentials that is the
        // account id.
        sender_id: call.ctx.account_id.clone(),
    }
}

fn send_message(
    call: &mut Call<'_>,
    input: SendMessageRequest,
) -> Result<SendMessageResult, ServiceError> {
    let msg = outgoing(
        call,
        Some(input.message_body),
        input.delay_seconds,
        input.message_attributes,
        input.message_system_attributes,
        input.message_group_id,
        input.message_deduplication_id,
    );
    let now = call.ctx.received_at;
    let core = call.core;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let sent = queue.send(msg, now, &core.ids)?;
    call.state.notify.notify_waiters();
    Ok(SendMessageResult {
        md5_of_message_body: Some(sent.md5_body),
        md5_of_message_attributes: sent.md5_attributes,
        md5_of_message_system_attributes: sent.md5_system_attributes,
        message_id: Some(sent.message_id),
        sequence_number: sent.sequence_number,
    })
}

fn batch_error(id: &str, e: &ServiceError) -> BatchResultErrorEntry {
    BatchResultErrorEntry {
        id: Some(id.to_owned()),
        sender_fault: Some(e.status < 500),
        code: Some(super::query_error_code(&e.code).to_owned()),
        message: Some(e.message.clone()),
    }
}

/// The rules every batch shares: 1 to 10 entries with distinct, well-formed ids.
fn check_batch<'a>(ids: impl Iterator<Item = &'a str>, kind: &str) -> Result<(), ServiceError> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Err(ServiceError::new(
            "EmptyBatchRequest",
            format!("There should be at least one {kind} in the request."),
        ));
    }
    if ids.len() > 10 {
        return Err(ServiceError::new(
            "TooManyEntriesInBatchRequest",
            format!(
                "Maximum number of entries per request are 10. You have sent {}.",
                ids.len()
            ),
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty()
            || id.len() > 80
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ServiceError::new(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
        if ids[..i].contains(id) {
            return Err(ServiceError::new(
                "BatchEntryIdsNotDistinct",
                format!("Id {id} repeated."),
            ));
        }
    }
    Ok(())
}

/// The most a whole batch may carry (the service limit on one request's messages).
const MAX_BATCH_BYTES: usize = 1_048_576;

fn send_message_batch(
    call: &mut Call<'_>,
    input: SendMessageBatchRequest,
) -> Result<SendMessageBatchResult, ServiceError> {
    let entries = input.entries;
    check_batch(
        entries.iter().map(|e| e.id.as_str()),
        "SendMessageBatchRequestEntry",
    )?;
    let total: usize = entries.iter().map(|e| e.message_body.len()).sum();
    if total > MAX_BATCH_BYTES {
        return Err(ServiceError::new(
            "BatchRequestTooLong",
            format!("Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."),
        ));
    }
    let msgs: Vec<(String, Outgoing)> = entries
        .into_iter()
        .map(|e| {
            let id = e.id.clone();
            let msg = outgoing(
                call,
                Some(e.message_body),
                e.delay_seconds,
                e.message_attributes,
                e.message_system_attributes,
                e.message_group_id,
                e.message_deduplication_id,
            );
            (id, msg)
        })
        .collect();
    let now = call.ctx.received_at;
    let core = call.core;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    if queue.is_fifo() && msgs.iter().any(|(_, m)| m.group_id.is_none()) {
        // A FIFO batch with an entry lacking its group fails whole, with this code (not the
        // MissingParameter of SendMessage): LocalStack's AWS-validated
        // `test_send_batch_missing_message_group_id_for_fifo_queue`.
        return Err(invalid_parameter(
            "The request must contain the parameter MessageGroupId.",
        ));
    }
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (id, msg) in msgs {
        match queue.send(msg, now, &core.ids) {
            Ok(Sent {
                message_id,
                md5_body,
                md5_attributes,
                md5_system_attributes,
                sequence_number,
            }) => successful.push(SendMessageBatchResultEntry {
                id: Some(id),
                message_id: Some(message_id),
                md5_of_message_body: Some(md5_body),
                md5_of_message_attributes: md5_attributes,
                md5_of_message_system_attributes: md5_system_attributes,
                sequence_number,
            }),
            Err(e) => failed.push(batch_error(&id, &e)),
        }
    }
    if !successful.is_empty() {
        call.state.notify.notify_waiters();
    }
    Ok(SendMessageBatchResult {
        successful: Some(successful),
        failed: Some(failed),
    })
}

/// A receipt handle names the queue, the message and one receive of it.
pub(super) fn receipt_handle(queue: &str, message_id: &str, nonce: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("codemock/{queue}/{message_id}/{nonce}"))
}

/// `(message id, nonce)` of a handle issued for `queue`.
fn parse_receipt_handle(handle: &str, queue: &str) -> Result<(String, String), ServiceError> {
    let invalid = || {
        ServiceError::new(
            "ReceiptHandleIsInvalid",
            format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
        )
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(handle)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.splitn(4, '/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("codemock"), Some(q), Some(id), Some(nonce)) if q == queue => {
            Ok((id.to_owned(), nonce.to_owned()))
        }
        _ => Err(invalid()),
    }
}

/// Deletes the message a handle names. Only the handle of the latest receive deletes; an older
/// one succeeds without deleting, as the DeleteMessage documentation says.
fn delete_one(queue: &mut Queue, handle: &str) -> Result<(), ServiceError> {
    let (id, nonce) = parse_receipt_handle(handle, &queue.name)?;
    queue
        .messages
        .retain(|m| !(m.id == id && m.receipt_nonce.as_deref() == Some(nonce.as_str())));
    Ok(())
}

fn delete_message(call: &mut Call<'_>, input: DeleteMessageRequest) -> Result<Empty, ServiceError> {
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    delete_one(queue, input.receipt_handle.as_str())?;
    Ok(Empty {})
}

fn delete_message_batch(
    call: &mut Call<'_>,
    input: DeleteMessageBatchRequest,
) -> Result<DeleteMessageBatchResult, ServiceError> {
    let entries = input.entries;
    check_batch(
        entries.iter().map(|e| e.id.as_str()),
        "DeleteMessageBatchRequestEntry",
    )?;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for e in entries {
        let id = e.id;
        match delete_one(queue, e.receipt_handle.as_str()) {
            Ok(()) => successful.push(DeleteMessageBatchResultEntry { id: Some(id) }),
            Err(err) => failed.push(batch_error(&id, &err)),
        }
    }
    Ok(DeleteMessageBatchResult {
        successful: Some(successful),
        failed: Some(failed),
    })
}

fn change_one(queue: &mut Queue, handle: &str, timeout: i32, now: f64) -> Result<(), ServiceError> {
    let (id, nonce) = parse_receipt_handle(handle, &queue.name)?;
    if !(0..=MAX_VISIBILITY).contains(&i64::from(timeout)) {
        return Err(invalid_parameter(format!(
            "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided."
        )));
    }
    let msg = queue
        .messages
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or_else(|| invalid_parameter(format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
        )))?;
    if msg.receipt_nonce.as_deref() != Some(nonce.as_str()) {
        return Err(invalid_parameter(format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
        )));
    }
    if msg.available_at <= now {
        return Err(ServiceError::new(
            "MessageNotInflight",
            "Message is not in flight.",
        ));
    }
    let first = msg.first_receive_at.unwrap_or(now);
    if now + f64::from(timeout) > first + MAX_VISIBILITY as f64 {
        return Err(invalid_parameter(format!(
            "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
        )));
    }
    msg.available_at = now + f64::from(timeout);
    Ok(())
}

fn change_message_visibility(
    call: &mut Call<'_>,
    input: ChangeMessageVisibilityRequest,
) -> Result<Empty, ServiceError> {
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    change_one(
        queue,
        input.receipt_handle.as_str(),
        input.visibility_timeout,
        now,
    )?;
    call.state.notify.notify_waiters();
    Ok(Empty {})
}

fn change_message_visibility_batch(
    call: &mut Call<'_>,
    input: ChangeMessageVisibilityBatchRequest,
) -> Result<ChangeMessageVisibilityBatchResult, ServiceError> {
    let entries = input.entries;
    check_batch(
        entries.iter().map(|e| e.id.as_str()),
        "ChangeMessageVisibilityBatchRequestEntry",
    )?;
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for e in entries {
        let id = e.id;
        match change_one(
            queue,
            e.receipt_handle.as_str(),
            e.visibility_timeout.unwrap_or(0),
            now,
        ) {
            Ok(()) => successful.push(ChangeMessageVisibilityBatchResultEntry { id: Some(id) }),
            Err(err) => failed.push(batch_error(&id, &err)),
        }
    }
    call.state.notify.notify_waiters();
    Ok(ChangeMessageVisibilityBatchResult {
        successful: Some(successful),
        failed: Some(failed),
    })
}

/// The queue's policy document, or a new empty one with the id SQS gives the policies it writes.
fn policy_of(queue: &Queue) -> Value {
    queue
        .attributes
        .get("Policy")
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| {
            json!({"Version": "2012-10-17", "Id": format!("{}/SQSDefaultPolicy", queue.arn), "Statement": []})
        })
}

/// Takes the statement list out of a policy (an absent or odd one counts as empty).
fn take_statements(policy: &mut Value) -> Vec<Value> {
    match policy.get_mut("Statement").map(Value::take) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    }
}

/// AddPermission writes a statement into the queue's `Policy` attribute, labelled by its `Sid`,
/// exactly as SQS does: GetQueueAttributes shows it, RemovePermission takes it out again.
fn add_permission(call: &mut Call<'_>, input: AddPermissionRequest) -> Result<Empty, ServiceError> {
    let label = input.label;
    let accounts = input.aws_account_ids;
    let actions = input.actions;
    if accounts.is_empty() {
        return Err(missing_parameter("AWSAccountIds"));
    }
    if actions.is_empty() {
        return Err(missing_parameter("Actions"));
    }
    // SQS accepts `*` and its own action names, which it writes with the `SQS:` prefix.
    const ACTIONS: [&str; 9] = [
        "*",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
    ];
    if let Some(bad) = actions.iter().find(|a| !ACTIONS.contains(&a.as_str())) {
        return Err(invalid_parameter(format!(
            "Value SQS:{bad} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions."
        )));
    }
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let mut policy = policy_of(queue);
    let arn = queue.arn.clone();
    let mut list = take_statements(&mut policy);
    if list.iter().any(|s| s["Sid"] == label.as_str()) {
        return Err(invalid_parameter(format!(
            "Value {label} for parameter Label is invalid. Reason: Already exists."
        )));
    }
    let principals: Vec<String> = accounts
        .iter()
        .map(|a| format!("arn:aws:iam::{a}:root"))
        .collect();
    let actions: Vec<String> = actions.iter().map(|a| format!("SQS:{a}")).collect();
    list.push(json!({
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": if principals.len() == 1 { json!(principals[0]) } else { json!(principals) }},
        "Action": if actions.len() == 1 { json!(actions[0]) } else { json!(actions) },
        "Resource": arn,
    }));
    policy["Statement"] = Value::Array(list);
    queue.attributes.insert("Policy".into(), policy.to_string());
    queue.last_modified = now;
    Ok(Empty {})
}

fn remove_permission(
    call: &mut Call<'_>,
    input: RemovePermissionRequest,
) -> Result<Empty, ServiceError> {
    let label = input.label;
    let now = call.ctx.received_at;
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let mut policy = policy_of(queue);
    let mut list = take_statements(&mut policy);
    let before = list.len();
    list.retain(|s| s["Sid"] != label.as_str());
    if list.len() == before {
        return Err(invalid_parameter(format!(
            "Value {label} for parameter Label is invalid. Reason: can't find label on existing policy."
        )));
    }
    if list.is_empty() {
        // The last statement gone, SQS drops the policy altogether.
        queue.attributes.remove("Policy");
    } else {
        policy["Statement"] = Value::Array(list);
        queue.attributes.insert("Policy".into(), policy.to_string());
    }
    queue.last_modified = now;
    Ok(Empty {})
}

fn tag_queue(call: &mut Call<'_>, input: TagQueueRequest) -> Result<Empty, ServiceError> {
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    let mut tags = queue.tags.clone();
    tags.extend(input.tags);
    // SQS allows 50 tags per queue.
    if tags.len() > 50 {
        return Err(invalid_parameter("Too many tags added for queue."));
    }
    queue.tags = tags;
    Ok(Empty {})
}

fn untag_queue(call: &mut Call<'_>, input: UntagQueueRequest) -> Result<Empty, ServiceError> {
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    for k in input.tag_keys {
        queue.tags.remove(&k);
    }
    Ok(Empty {})
}

fn list_queue_tags(
    call: &mut Call<'_>,
    input: ListQueueTagsRequest,
) -> Result<ListQueueTagsResult, ServiceError> {
    let queue = queue_mut(call, Some(input.queue_url.as_str()))?;
    Ok(ListQueueTagsResult {
        tags: (!queue.tags.is_empty()).then(|| queue.tags.clone()),
    })
}

fn list_dead_letter_source_queues(
    call: &mut Call<'_>,
    input: ListDeadLetterSourceQueuesRequest,
) -> Result<ListDeadLetterSourceQueuesResult, ServiceError> {
    let arn = queue_mut(call, Some(input.queue_url.as_str()))?.arn.clone();
    let limit = match input.max_results {
        None => 1000,
        Some(n) if (1..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(invalid_parameter(format!(
                "Value {n} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
            )))
        }
    };
    let names: Vec<(&str, &String)> = call
        .state
        .queues
        .values()
        .filter(|q| q.redrive().is_some_and(|(target, _)| target == arn))
        .map(|q| (q.name.as_str(), &q.name))
        .collect();
    let page = crate::services::pagination::paginate(names, input.next_token.as_deref(), limit)
        .map_err(|_| invalid_parameter("Invalid NextToken value."))?;
    let urls = page.items.iter().map(|n| queue_url(call, n)).collect();
    Ok(ListDeadLetterSourceQueuesResult {
        queue_urls: Some(urls),
        next_token: if input.max_results.is_some() {
            page.next_token
        } else {
            None
        },
    })
}

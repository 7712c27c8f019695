//! SQS message move tasks: a dead-letter queue's messages moved back to the queues they came from
//! (or to a named queue), at most `MaxNumberOfMessagesPerSecond` per second of virtual time, one
//! step per virtual second on the scheduler.

use super::state::{invalid_parameter, State};
use crate::error::ServiceError;
use crate::services::sqs::Call;
use base64::Engine as _;
use codemock_wire::sqs::{
    CancelMessageMoveTaskRequest, CancelMessageMoveTaskResult, ListMessageMoveTasksRequest,
    ListMessageMoveTasksResult, ListMessageMoveTasksResultEntry, StartMessageMoveTaskRequest,
    StartMessageMoveTaskResult,
};
use serde_json::json;

/// AWS documents 500 messages per second as the highest rate, and optimises the rate itself when
/// none is given; moving at the highest rate is what a user watching a small backlog sees.
const MAX_RATE: i32 = 500;

/// The task states AWS reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Completed,
    Cancelled,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Cancelled => "CANCELLED",
            Status::Failed => "FAILED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct MoveTask {
    pub handle: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: Option<i32>,
    pub status: Status,
    pub moved: i64,
    pub to_move: i64,
    pub started_ms: i64,
    pub failure: Option<String>,
    /// Start order, for newest-first listings.
    pub seq: u64,
}

fn not_found(what: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("The resource that you specified for the {what} parameter doesn't exist."),
    )
}

/// The queue name an ARN of this account and region names, if that queue exists.
fn queue_named_by(state: &State, arn: &str, account: &str, region: &str) -> Option<String> {
    match crate::ids::split_arn(arn)? {
        ("sqs", r, a, name) if r == region && a == account && state.queues.contains_key(name) => {
            Some(name.to_owned())
        }
        _ => None,
    }
}

pub(super) fn start(
    call: &mut Call<'_>,
    input: StartMessageMoveTaskRequest,
) -> Result<StartMessageMoveTaskResult, ServiceError> {
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let now = call.ctx.received_at;
    let source_arn = input.source_arn;
    let sqs = &mut call.state;
    let source = queue_named_by(sqs, &source_arn, &account, &region)
        .ok_or_else(|| not_found("SourceArn"))?;
    // Only a queue some other queue names as its dead-letter target has messages to move back.
    let is_dlq = sqs
        .queues
        .values()
        .any(|q| q.redrive().is_some_and(|(target, _)| target == source_arn));
    if !is_dlq {
        return Err(invalid_parameter(
            "Source queue must be configured as a Dead Letter Queue.",
        ));
    }
    if let Some(dest) = &input.destination_arn {
        queue_named_by(sqs, dest, &account, &region).ok_or_else(|| not_found("DestinationArn"))?;
    }
    if let Some(rate) = input.max_number_of_messages_per_second {
        if !(1..=MAX_RATE).contains(&rate) {
            return Err(invalid_parameter(format!(
                "Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and {MAX_RATE}."
            )));
        }
    }
    if sqs
        .move_tasks
        .values()
        .any(|t| t.source_arn == source_arn && t.status == Status::Running)
    {
        return Err(ServiceError::new(
            "UnsupportedOperation",
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        ));
    }
    let to_move = sqs.queues.get(&source).map_or(0, |q| q.counts(now).0) as i64;
    // AWS's handles are opaque base64 text naming the task and its source; ours are alike.
    let task_id = call.core.ids.uuid();
    let handle = base64::engine::general_purpose::STANDARD
        .encode(json!({"taskId": task_id, "sourceArn": source_arn}).to_string());
    let seq = sqs.move_tasks.len() as u64;
    sqs.move_tasks.insert(
        handle.clone(),
        MoveTask {
            handle: handle.clone(),
            source_arn,
            destination_arn: input.destination_arn,
            rate: input.max_number_of_messages_per_second,
            status: Status::Running,
            moved: 0,
            to_move,
            started_ms: (now * 1000.0) as i64,
            failure: None,
            seq,
        },
    );
    call.effects.arm(
        now + 1.0,
        &account,
        region.as_str(),
        super::Timer::MoveStep {
            handle: handle.clone(),
        },
    );
    Ok(StartMessageMoveTaskResult {
        task_handle: Some(handle),
    })
}

pub(super) fn cancel(
    call: &mut Call<'_>,
    input: CancelMessageMoveTaskRequest,
) -> Result<CancelMessageMoveTaskResult, ServiceError> {
    let handle = input.task_handle;
    let task = call
        .state
        .move_tasks
        .get_mut(&handle)
        .ok_or_else(|| not_found("TaskHandle"))?;
    if task.status != Status::Running {
        return Err(ServiceError::new(
            "UnsupportedOperation",
            "Only active tasks can be cancelled.",
        ));
    }
    // AWS passes through CANCELLING while a step is under way; steps here are instantaneous,
    // so the task is cancelled at once and its next step does nothing.
    task.status = Status::Cancelled;
    Ok(CancelMessageMoveTaskResult {
        approximate_number_of_messages_moved: Some(task.moved),
    })
}

pub(super) fn list(
    call: &mut Call<'_>,
    input: ListMessageMoveTasksRequest,
) -> Result<ListMessageMoveTasksResult, ServiceError> {
    let source_arn = input.source_arn;
    let sqs = &call.state;
    queue_named_by(sqs, &source_arn, &call.ctx.account_id, &call.ctx.region)
        .ok_or_else(|| not_found("SourceArn"))?;
    // AWS returns the most recent task unless asked for more, and at most 10.
    let max = input.max_results.unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(invalid_parameter(format!(
            "Value {max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10."
        )));
    }
    let mut tasks: Vec<&MoveTask> = sqs
        .move_tasks
        .values()
        .filter(|t| t.source_arn == source_arn)
        .collect();
    tasks.sort_by_key(|t| std::cmp::Reverse(t.seq));
    Ok(ListMessageMoveTasksResult {
        results: Some(
            tasks
                .into_iter()
                .take(max as usize)
                .map(|t| ListMessageMoveTasksResultEntry {
                    // Only a running task can still be cancelled, so only it shows its handle.
                    task_handle: (t.status == Status::Running).then(|| t.handle.clone()),
                    status: Some(t.status.as_str().to_owned()),
                    source_arn: Some(t.source_arn.clone()),
                    destination_arn: t.destination_arn.clone(),
                    max_number_of_messages_per_second: t.rate,
                    approximate_number_of_messages_moved: Some(t.moved),
                    approximate_number_of_messages_to_move: Some(t.to_move),
                    failure_reason: t.failure.clone(),
                    started_timestamp: Some(t.started_ms),
                })
                .collect(),
        ),
    })
}

/// One second of a task: moves up to its rate of visible messages. Returns whether the task goes
/// on (and so needs another step).
pub fn step(state: &mut State, handle: &str, account: &str, region: &str, now: f64) -> bool {
    let Some(task) = state.move_tasks.get(handle).cloned() else {
        return false;
    };
    if task.status != Status::Running {
        return false;
    }
    let fail = |state: &mut State, reason: &str| {
        if let Some(t) = state.move_tasks.get_mut(handle) {
            t.status = Status::Failed;
            t.failure = Some(reason.to_owned());
        }
        false
    };
    let Some(source) = queue_named_by(state, &task.source_arn, account, region) else {
        return fail(state, "AWS.SimpleQueueService.NonExistentQueue");
    };
    let rate = task.rate.unwrap_or(MAX_RATE) as usize;
    let mut moved = 0;
    while moved < rate {
        let Some(queue) = state.queues.get_mut(&source) else {
            break;
        };
        queue.expire(now);
        let Some(index) = queue.messages.iter().position(|m| m.available_at <= now) else {
            break;
        };
        let message = &queue.messages[index];
        let target_arn = task
            .destination_arn
            .clone()
            .or_else(|| message.dlq_source_arn.clone());
        let Some(target) = target_arn
            .as_deref()
            .and_then(|arn| queue_named_by(state, arn, account, region))
        else {
            // A message sent straight to the dead-letter queue has no source to go back to.
            return fail(state, "AWS.SimpleQueueService.NonExistentQueue");
        };
        let Some(mut message) = state
            .queues
            .get_mut(&source)
            .map(|q| q.messages.remove(index))
        else {
            break;
        };
        // It arrives as a fresh, visible message; the id and the original send time stay.
        message.receive_count = 0;
        message.first_receive_at = None;
        message.receipt_nonce = None;
        message.available_at = now;
        message.dlq_source_arn = None;
        if let Some(dest) = state.queues.get_mut(&target) {
            dest.push_moved(message);
        }
        moved += 1;
    }
    let remaining = state.queues.get(&source).map_or(0, |q| q.counts(now).0);
    if let Some(t) = state.move_tasks.get_mut(handle) {
        t.moved += moved as i64;
        if remaining == 0 {
            t.status = Status::Completed;
        }
    }
    if moved > 0 {
        state.notify.notify_waiters();
    }
    remaining > 0
}

/// Runs one step of a task when its timer fires, and arms the next while it goes on.
pub fn on_timer(call: &mut Call<'_>, handle: &str) {
    let now = call.ctx.received_at;
    let (account, region) = (call.ctx.account_id.as_str(), call.ctx.region.as_str());
    if step(call.state, handle, account, region, now) {
        call.effects.arm(
            now + 1.0,
            account,
            region,
            super::Timer::MoveStep {
                handle: handle.to_owned(),
            },
        );
    }
}

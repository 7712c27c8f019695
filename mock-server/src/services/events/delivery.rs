//! Delivery of events put on a bus: archiving, matching rules through the bus's pattern index,
//! and invoking their targets with retries and dead-letter queues. Runs as port commands and
//! timers of the bus's partition, never under another partition's lock: a target in another
//! service is a command to that service's port whose answer comes back as
//! [`Command::TargetDone`], and an API destination's HTTP call is a job.
//!
//! Targets EventBridge reaches for real here: SQS queues, event buses (one hop, as AWS forwards
//! events between buses), CloudWatch Logs groups and API destinations (HTTP). Every other target
//! type (Lambda, SNS, Step Functions, Kinesis, ECS, CodePipeline, CodeBuild...) is recorded in the
//! delivery log with the input it would have received, so tests can assert on it.

use super::log::{DeliveryRecord, Invocation, LoggedEvent, Place};
use super::ports::{Command, TargetDone};
use super::schedule::Schedule;
use super::state::Rule;
use super::transform::{target_input, InvocationContext};
use super::Call;
use crate::effects::Effects;
use crate::error::ServiceError;
use crate::ids::split_arn;
use crate::protocol::timestamps::iso8601;
use crate::services::{codebuild, codepipeline, logs, sqs};
use codemock_wire::events as wire;
use serde_json::{json, Value};
use std::sync::Arc;

/// An event EventBridge routes itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    pub bus: String,
    /// Shared with the attempts and the delivery log (an event is never changed once put).
    pub event: Arc<Value>,
    /// Only these rules of the bus may receive it (a schedule's rule, a replay's filter).
    pub only_rules: Option<Vec<String>>,
    /// Whether rules must match the event's pattern (not for scheduled events).
    pub match_patterns: bool,
    /// Sent by another bus's rule: its own bus targets are not followed (AWS forwards one hop).
    pub forwarded: bool,
    /// The replay re-delivering it; replayed events are not archived again.
    pub replay: Option<String>,
}

impl Dispatch {
    /// An event put on `bus` by a client or a service.
    pub fn put(bus: &str, event: impl Into<Arc<Value>>) -> Dispatch {
        Dispatch {
            bus: bus.to_owned(),
            event: event.into(),
            only_rules: None,
            match_patterns: true,
            forwarded: false,
            replay: None,
        }
    }
}

/// A partner event source appearing in (or leaving) the customer account it was created for.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSourceOffer {
    pub name: String,
    pub arn: String,
    pub created_by: String,
    pub created: f64,
    pub withdraw: bool,
}

/// A scheduled rule's occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleTick {
    pub bus: String,
    pub rule: String,
    /// The rule's schedule generation when the timer was armed: a changed rule ignores it.
    pub generation: u64,
    /// The occurrence's instant (the next one is computed from it, so that schedules never drift).
    pub at: f64,
}

/// One invocation of one target for one event, carried across retries.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The rule's partition.
    pub account: String,
    pub region: String,
    pub rule_arn: String,
    pub target: wire::Target,
    /// The event as it reached the rule.
    pub event: Arc<Value>,
    /// The same event as the delivery log keeps it.
    pub logged: Arc<LoggedEvent>,
    /// What the target receives (computed once, from the rule's input settings).
    pub input: Arc<str>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the first attempt was made (for `MaximumEventAgeInSeconds`).
    pub first_at: f64,
    pub forwarded: bool,
}

/// A failed invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub code: String,
    pub message: String,
    /// Whether AWS would try again (a missing resource or a client error is not retried).
    pub retryable: bool,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>, retryable: bool) -> Failure {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            retryable,
        }
    }

    /// A target service's error: a missing queue, group or bus will not appear by itself, so
    /// AWS does not retry those.
    pub fn from_service(e: ServiceError) -> Failure {
        let missing = ["NonExistent", "NotFound", "DoesNotExist"]
            .iter()
            .any(|m| e.code.contains(m));
        Failure::new(&e.code, e.message, !missing)
    }
}

/// AWS's defaults when a target has no `RetryPolicy` (24 hours, 185 attempts).
const DEFAULT_MAX_RETRIES: i32 = 185;
const DEFAULT_MAX_AGE: i32 = 86_400;

struct Matched {
    name: String,
    arn: String,
    targets: Vec<wire::Target>,
}

/// Adds a rare record (a drop, a retry, a discard, a dead letter) to the delivery log.
fn record(call: &Call<'_>, record: Value) {
    call.core
        .record_event(DeliveryRecord::other(call.ctx.received_at, record));
}

/// The partition of the call, as the delivery log names it.
fn place(call: &Call<'_>) -> Place {
    Place {
        account: call.ctx.account_id.clone(),
        region: call.ctx.region.clone(),
    }
}

/// Archives the event, finds its rules, and invokes their targets in rule then target id order.
/// Fails (and records nothing) only for a forwarded event whose bus does not exist, so that the
/// forwarding rule learns it.
pub fn dispatch(call: &mut Call<'_>, d: Dispatch) -> Result<Value, ServiceError> {
    let now = call.ctx.received_at;
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let Some(bus_arn) = call.state.buses.get(&d.bus).map(|b| b.arn.clone()) else {
        if d.forwarded {
            return Err(ServiceError::new(
                "ResourceNotFoundException",
                format!("Event bus {} does not exist.", d.bus),
            ));
        }
        record_put(call, &d, &LoggedEvent::of(&d.event));
        record(
            call,
            json!({
                "type": "EventDropped",
                "account": account,
                "region": region,
                "eventBus": d.bus,
                "eventId": d.event.get("id"),
                "reason": format!("Event bus {} does not exist.", d.bus),
            }),
        );
        return Ok(json!({}));
    };
    let logged = LoggedEvent::of(&d.event);
    record_put(call, &d, &logged);
    let state = &mut *call.state;
    if d.replay.is_none() {
        for archive in state.archives.values_mut() {
            if archive.event_source_arn != bus_arn {
                continue;
            }
            if archive.retention_days > 0 {
                let horizon = now - f64::from(archive.retention_days) * 86_400.0;
                archive.events.retain(|e| e.time >= horizon);
            }
            if archive.pattern.as_ref().is_none_or(|p| p.matches(&d.event)) {
                archive.events.push(super::state::ArchivedEvent {
                    time: now,
                    event: (*d.event).clone(),
                });
            }
        }
    }
    let candidates: Vec<String> = if d.match_patterns {
        let mut names = state
            .indexes
            .get(&d.bus)
            .map(|i| i.matching(&d.event))
            .unwrap_or_default();
        if let Some(only) = &d.only_rules {
            names.retain(|n| only.contains(n));
        }
        names
    } else {
        d.only_rules.clone().unwrap_or_default()
    };
    let matched: Vec<Matched> = candidates
        .into_iter()
        .filter_map(|name| state.rules.get(&(d.bus.clone(), name)))
        .filter(|r| r.enabled())
        .map(|r: &Rule| Matched {
            name: r.name.clone(),
            arn: r.arn.clone(),
            targets: r.targets.values().cloned().collect(),
        })
        .collect();
    for rule in matched {
        call.core.record_event(DeliveryRecord::rule_matched(
            now,
            place(call),
            &d.bus,
            &rule.name,
            &rule.arn,
            &logged,
        ));
        let ctx = InvocationContext {
            rule_arn: &rule.arn,
            rule_name: &rule.name,
            ingestion_time: now,
        };
        for target in rule.targets {
            let input = target_input(&target, &d.event, &logged.text, &ctx);
            let attempt = Attempt {
                account: account.clone(),
                region: region.clone(),
                rule_arn: rule.arn.clone(),
                target,
                event: d.event.clone(),
                logged: logged.clone(),
                input: input.as_ref().map_or_else(|_| Arc::from(""), Arc::clone),
                attempts: 0,
                first_at: now,
                forwarded: d.forwarded,
            };
            match input {
                Ok(_) => invoke(call, attempt),
                Err(e) => {
                    // A transformation that fails at run time is not retried: it would fail again.
                    let failure = Failure::new("InputTransformationFailed", e.0, false);
                    record_invocation(call, &attempt, Some(&failure), "transform");
                    give_up(call, attempt, failure, "None");
                }
            }
        }
    }
    Ok(json!({}))
}

fn record_put(call: &Call<'_>, d: &Dispatch, logged: &Arc<LoggedEvent>) {
    call.core.record_event(DeliveryRecord::event_put(
        call.ctx.received_at,
        place(call),
        &d.bus,
        logged,
        d.forwarded,
        d.replay.as_deref(),
    ));
}

/// An event forwarded by another bus's rule: accepted when the bus exists (the sender's
/// invocation succeeds), then dispatched here.
pub fn forward(call: &mut Call<'_>, d: Dispatch) -> Result<Value, ServiceError> {
    if !call.state.buses.contains_key(&d.bus) {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Event bus {} does not exist.", d.bus),
        ));
    }
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    call.effects
        .send(&account, &region, Command::Put(Box::new(d)));
    Ok(json!({}))
}

/// Runs a retry that came due.
pub fn retry(call: &mut Call<'_>, attempt: Attempt) {
    invoke(call, attempt)
}

/// The reply that carries a target service's answer back to the rule's partition.
fn answer_to(
    a: Attempt,
    kind: &'static str,
) -> impl FnOnce(
    Result<Value, ServiceError>,
) -> Option<(crate::store::PartitionKey, crate::services::Command)>
       + Send
       + 'static {
    move |result| {
        let to = (a.account.clone(), a.region.clone());
        let done = TargetDone {
            attempt: a,
            kind,
            result: result.map(|_| ()).map_err(Failure::from_service),
        };
        Some((to, Command::TargetDone(Box::new(done)).into()))
    }
}

/// Invokes one target once. Targets in other services answer later, through [`target_done`].
fn invoke(call: &mut Call<'_>, mut a: Attempt) {
    a.attempts += 1;
    let arn = a.target.arn.clone();
    let Some((service, region, account, resource)) = split_arn(&arn) else {
        let f = Failure::new(
            "InvalidTarget",
            format!("Target ARN {arn} is not valid."),
            false,
        );
        return finish(call, a, "unknown", Err(f));
    };
    match (service, resource) {
        ("sqs", queue) => {
            let group = a
                .target
                .sqs_parameters
                .as_ref()
                .and_then(|p| p.message_group_id.clone());
            // A FIFO queue needs a deduplication id; EventBridge uses the event's id so that a
            // retried delivery is not enqueued twice.
            let dedup = queue.ends_with(".fifo").then(|| {
                a.event
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            });
            let command = sqs::ports::Command::SendMessage {
                queue: queue.to_owned(),
                body: a.input.clone(),
                message_group_id: group,
                message_deduplication_id: dedup,
                attributes: Default::default(),
            };
            call.effects
                .send_then(account, region, command, answer_to(a, "sqs"));
        }
        ("events", r) if r.starts_with("event-bus/") => {
            if a.forwarded {
                // AWS forwards an event one hop: a bus target of a rule on the receiving bus
                // gets nothing.
                let f = Failure::new(
                    "EventBusHopLimit",
                    "Events received from another event bus are not forwarded again.",
                    false,
                );
                return finish(call, a, "event-bus", Err(f));
            }
            let d = Dispatch {
                forwarded: true,
                ..Dispatch::put(r.trim_start_matches("event-bus/"), a.event.clone())
            };
            call.effects.send_then(
                account,
                region,
                Command::Forward(Box::new(d)),
                answer_to(a, "event-bus"),
            );
        }
        ("events", r) if r.starts_with("api-destination/") => {
            match super::api_destination::plan(call.state, &a, &arn) {
                Err(f) => finish(call, a, "api-destination", Err(f)),
                Ok(plan) => call.effects.spawn(async move {
                    let result = super::api_destination::call(plan).await;
                    let mut effects = Effects::new();
                    let (account, region) = (a.account.clone(), a.region.clone());
                    let done = TargetDone {
                        attempt: a,
                        kind: "api-destination",
                        result,
                    };
                    effects.send(&account, &region, Command::TargetDone(Box::new(done)));
                    effects
                }),
            }
        }
        ("logs", r) if r.starts_with("log-group:") => {
            let group = r["log-group:".len()..].trim_end_matches(":*").to_owned();
            let stream = a
                .event
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("events")
                .to_owned();
            let command = logs::ports::Command::PutLogEvent {
                group,
                stream,
                message: a.input.to_string(),
                timestamp_ms: call.core.clock.now_millis(),
            };
            call.effects
                .send_then(account, region, command, answer_to(a, "logs"));
        }
        // Still `recorded` in the delivery log; the invocation itself is in the invocation log.
        ("lambda", r) if r.starts_with("function:") => {
            let result = invoke_lambda(call, &a, &arn);
            finish(call, a, "recorded", result)
        }
        // EventBridge starts an execution of the pipeline (trigger type CloudWatchEvent, the rule
        // as its detail, as GetPipelineExecution's trigger shows it).
        ("codepipeline", name) => {
            let command = codepipeline::ports::Command::StartPipelineExecution {
                name: name.to_owned(),
                trigger_type: "CloudWatchEvent".into(),
                trigger_detail: Some(a.rule_arn.clone()),
            };
            call.effects
                .send_then(account, region, command, answer_to(a, "codepipeline"));
        }
        // EventBridge starts a build with the target's input as StartBuild's parameters (the
        // CodeBuild user guide's "rule that starts a build" sample passes overrides this way);
        // members StartBuild does not have (the event's own, by default) add nothing, and input
        // that is not an object adds nothing either. Parameters StartBuild would refuse fail the
        // invocation with StartBuild's error, as the call AWS makes would.
        ("codebuild", r) if r.starts_with("project/") => {
            let input = match start_build_input(&a.input, &r["project/".len()..]) {
                Ok(input) => input,
                Err(f) => return finish(call, a, "codebuild", Err(f)),
            };
            let rule = a
                .rule_arn
                .rsplit_once(":rule/")
                .map_or(a.rule_arn.as_str(), |(_, n)| n);
            let command =
                codebuild::ports::Command::StartBuild(Box::new(codebuild::ports::StartBuild {
                    input,
                    initiator: format!("rule/{rule}"),
                    pipeline: None,
                    on_finish: None,
                }));
            call.effects
                .send_then(account, region, command, answer_to(a, "codebuild"));
        }
        _ => finish(call, a, "recorded", Ok(())),
    }
}

/// StartBuild's parameters for `project` from a CodeBuild target's input, checked as the
/// StartBuild request they become.
fn start_build_input(
    input: &str,
    project: &str,
) -> Result<codemock_wire::codebuild::StartBuildInput, Failure> {
    use codemock_wire::codebuild::SERVICE;
    let mut params = match serde_json::from_str::<Value>(input) {
        Ok(v @ Value::Object(_)) => v,
        _ => json!({}),
    };
    params["projectName"] = json!(project);
    let invalid = |message: String| Failure::new("ValidationException", message, false);
    let shape = SERVICE
        .operation("StartBuild")
        .and_then(|op| op.input)
        .ok_or_else(|| invalid("StartBuild has no input shape".into()))?;
    codemock_wire::validate::validate(&SERVICE, shape, &params)
        .map_err(|e| invalid(e.message()))?;
    serde_json::from_value(params).map_err(|e| invalid(e.to_string()))
}

/// EventBridge invokes Lambda asynchronously with the target's input as the payload (Lambda
/// developer guide, "Invoking Lambda with EventBridge"); a registered error response fails the
/// attempt like any target's error.
fn invoke_lambda(call: &Call<'_>, a: &Attempt, arn: &str) -> Result<(), Failure> {
    use crate::invocations::{InvocationResponse, InvocationType, InvokeRequest};
    let response = call.core.invocations.invoke(InvokeRequest {
        function: arn.to_owned(),
        invocation_type: InvocationType::Event,
        payload: a.input.to_string(),
        source: "events".into(),
        source_arn: Some(a.rule_arn.clone()),
        account: a.account.clone(),
        region: a.region.clone(),
        time: call.ctx.received_at,
    });
    match response {
        InvocationResponse::Error { code, message } => {
            Err(Failure::from_service(ServiceError::new(code, message)))
        }
        InvocationResponse::Payload(_) => Ok(()),
    }
}

/// A target's answer: recorded, and on failure retried or given up.
pub fn target_done(call: &mut Call<'_>, done: TargetDone) {
    finish(call, done.attempt, done.kind, done.result)
}

fn finish(call: &mut Call<'_>, a: Attempt, kind: &'static str, result: Result<(), Failure>) {
    record_invocation(call, &a, result.as_ref().err(), kind);
    if let Err(f) = result {
        after_failure(call, a, f);
    }
}

fn record_invocation(call: &Call<'_>, a: &Attempt, failure: Option<&Failure>, kind: &'static str) {
    let place = Place {
        account: a.account.clone(),
        region: a.region.clone(),
    };
    let invocation = Invocation {
        rule_arn: a.rule_arn.clone(),
        target_id: a.target.id.clone(),
        target_arn: a.target.arn.clone(),
        target_type: kind,
        event: a.logged.clone(),
        input: a.input.clone(),
        attempt: a.attempts,
        failure: failure.map(|f| (f.code.clone(), f.message.clone())),
    };
    call.core.record_event(DeliveryRecord::target_invoked(
        call.ctx.received_at,
        place,
        invocation,
    ));
}

/// What happens after a failed attempt: the pure part of the retry machine.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    /// Try again at this instant.
    RetryAt(f64),
    /// Stop, for the reason AWS names in `EXHAUSTED_RETRY_CONDITION`.
    GiveUp(&'static str),
}

/// Exponential back-off: 1 s, 2 s, 4 s ... capped at 5 minutes. AWS backs off exponentially with
/// jitter; the jitter is left out so that runs are deterministic.
fn backoff(attempts: u32) -> f64 {
    2f64.powi(attempts.saturating_sub(1).min(16) as i32)
        .min(300.0)
}

/// `(policy, attempts made, first attempt's instant, now, retryable?) -> next step`.
pub fn after_failure_step(
    policy: &wire::RetryPolicy,
    attempts: u32,
    first_at: f64,
    now: f64,
    retryable: bool,
) -> AfterFailure {
    let max_retries = policy.maximum_retry_attempts.unwrap_or(DEFAULT_MAX_RETRIES);
    let max_age = f64::from(
        policy
            .maximum_event_age_in_seconds
            .unwrap_or(DEFAULT_MAX_AGE),
    );
    let retries_done = i64::from(attempts) - 1;
    let at = now + backoff(attempts);
    if !retryable {
        AfterFailure::GiveUp("None")
    } else if retries_done >= i64::from(max_retries) {
        AfterFailure::GiveUp("MaximumRetryAttempts")
    } else if at - first_at > max_age {
        AfterFailure::GiveUp("MaximumEventAgeInSeconds")
    } else {
        AfterFailure::RetryAt(at)
    }
}

fn after_failure(call: &mut Call<'_>, a: Attempt, f: Failure) {
    let policy = a.target.retry_policy.clone().unwrap_or_default();
    let now = call.ctx.received_at;
    match after_failure_step(&policy, a.attempts, a.first_at, now, f.retryable) {
        AfterFailure::RetryAt(at) => {
            record(
                call,
                json!({
                    "type": "RetryScheduled",
                    "ruleArn": a.rule_arn,
                    "targetId": a.target.id,
                    "attempt": a.attempts + 1,
                    "at": at,
                }),
            );
            let (account, region) = (a.account.clone(), a.region.clone());
            call.effects
                .arm(at, &account, &region, super::Timer::Retry(Box::new(a)));
        }
        AfterFailure::GiveUp(exhausted) => give_up(call, a, f, exhausted),
    }
}

/// The end of a failed invocation: to the target's dead-letter queue if it has one, else dropped.
fn give_up(call: &mut Call<'_>, a: Attempt, f: Failure, exhausted: &str) {
    // The attributes AWS sets on a dead-lettered message (user guide "Using dead-letter queues").
    let attributes = json!({
        "RULE_ARN": a.rule_arn,
        "TARGET_ARN": a.target.arn,
        "ERROR_CODE": f.code,
        "ERROR_MESSAGE": f.message,
        "EXHAUSTED_RETRY_CONDITION": exhausted,
        "RETRY_ATTEMPTS": a.attempts.saturating_sub(1).to_string(),
    });
    let dlq = a
        .target
        .dead_letter_config
        .as_ref()
        .and_then(|d| d.arn.clone());
    let Some(dlq) = dlq else {
        record(
            call,
            json!({
                "type": "EventDiscarded",
                "ruleArn": a.rule_arn,
                "targetId": a.target.id,
                "eventId": a.event.get("id"),
                "attributes": attributes,
            }),
        );
        return;
    };
    let report = json!({
        "type": "DeadLettered",
        "ruleArn": a.rule_arn,
        "targetId": a.target.id,
        "deadLetterArn": dlq,
        "eventId": a.event.get("id"),
        "attributes": attributes,
    });
    let Some(("sqs", region, account, queue)) = split_arn(&dlq) else {
        let f = Failure::new(
            "InvalidDeadLetterTarget",
            format!("Dead-letter target {dlq} is not an SQS queue."),
            false,
        );
        return dead_lettered(call, report, Err(f));
    };
    // The dead-lettered message is the event itself, as AWS sends it, with the attributes as
    // String message attributes.
    let message_attributes = attributes
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    let value = codemock_wire::sqs::MessageAttributeValue {
                        string_value: Some(text),
                        data_type: "String".into(),
                        ..Default::default()
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    let command = sqs::ports::Command::SendMessage {
        queue: queue.to_owned(),
        body: a.logged.text.clone(),
        message_group_id: None,
        message_deduplication_id: None,
        attributes: message_attributes,
    };
    let to = (a.account.clone(), a.region.clone());
    call.effects
        .send_then(account, region, command, move |result| {
            let done = Command::DeadLettered {
                report,
                result: result.map(|_| ()).map_err(Failure::from_service),
            };
            Some((to, done.into()))
        });
}

/// Records where a dead-lettered event went.
pub fn dead_lettered(call: &mut Call<'_>, mut report: Value, result: Result<(), Failure>) {
    report["outcome"] = json!(if result.is_ok() {
        "Succeeded"
    } else {
        "Failed"
    });
    if let Err(e) = result {
        report["errorCode"] = json!(e.code);
        report["errorMessage"] = json!(e.message);
    }
    record(call, report);
}

// ---------------------------------------------------------------------------------------------
// Schedules, partner sources

/// Arms the timer of a scheduled rule's next occurrence after `now`.
pub fn arm_schedule(effects: &mut Effects, account: &str, region: &str, rule: &Rule, now: f64) {
    if !rule.enabled() {
        return;
    }
    let Some(schedule) = rule
        .schedule_expression
        .as_deref()
        .and_then(|s| Schedule::parse(s).ok())
    else {
        return;
    };
    if let Some(at) = schedule.next_after(now) {
        effects.arm(
            at,
            account,
            region,
            super::Timer::Schedule(Box::new(ScheduleTick {
                bus: rule.bus.clone(),
                rule: rule.name.clone(),
                generation: rule.schedule_generation,
                at,
            })),
        );
    }
}

/// A scheduled rule's occurrence: the "Scheduled Event" for its targets, and the next timer.
pub fn on_schedule(call: &mut Call<'_>, tick: ScheduleTick) {
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let Some(rule) = call.state.rules.get(&(tick.bus.clone(), tick.rule.clone())) else {
        return;
    };
    if rule.schedule_generation != tick.generation || !rule.enabled() {
        return;
    }
    arm_schedule(call.effects, &account, &region, rule, tick.at);
    // The shape AWS sends (user guide "Creating a rule that runs on a schedule").
    let event = json!({
        "version": "0",
        "id": call.core.ids.uuid(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": iso8601(tick.at),
        "region": region,
        "resources": [rule.arn],
        "detail": {},
    });
    let d = Dispatch {
        only_rules: Some(vec![tick.rule.clone()]),
        match_patterns: false,
        ..Dispatch::put(&tick.bus, event)
    };
    call.effects
        .send(&account, &region, Command::Put(Box::new(d)));
}

/// Makes a partner event source visible in the customer account (or marks it deleted there).
pub fn offer_partner_source(call: &mut Call<'_>, o: PartnerSourceOffer) {
    let sources = &mut call.state.event_sources;
    if o.withdraw {
        if let Some(s) = sources.get_mut(&o.name) {
            s.state = wire::EventSourceState::Deleted;
        }
    } else {
        sources.insert(
            o.name.clone(),
            super::state::EventSource {
                name: o.name,
                arn: o.arn,
                created_by: o.created_by,
                created: o.created,
                state: wire::EventSourceState::Pending,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(retries: Option<i32>, age: Option<i32>) -> wire::RetryPolicy {
        wire::RetryPolicy {
            maximum_retry_attempts: retries,
            maximum_event_age_in_seconds: age,
        }
    }

    #[test]
    fn a_retryable_failure_backs_off_exponentially() {
        let p = policy(None, None);
        assert_eq!(
            after_failure_step(&p, 1, 0.0, 0.0, true),
            AfterFailure::RetryAt(1.0)
        );
        assert_eq!(
            after_failure_step(&p, 3, 0.0, 10.0, true),
            AfterFailure::RetryAt(14.0)
        );
        assert_eq!(
            after_failure_step(&p, 30, 0.0, 10.0, true),
            AfterFailure::RetryAt(310.0),
            "capped at five minutes"
        );
    }

    #[test]
    fn retries_stop_at_the_policy_limits_and_for_final_errors() {
        let p = policy(Some(2), None);
        assert_eq!(
            after_failure_step(&p, 2, 0.0, 0.0, true),
            AfterFailure::RetryAt(2.0)
        );
        assert_eq!(
            after_failure_step(&p, 3, 0.0, 0.0, true),
            AfterFailure::GiveUp("MaximumRetryAttempts")
        );
        let p = policy(None, Some(60));
        assert_eq!(
            after_failure_step(&p, 1, 0.0, 60.0, true),
            AfterFailure::GiveUp("MaximumEventAgeInSeconds")
        );
        assert_eq!(
            after_failure_step(&policy(None, None), 1, 0.0, 0.0, false),
            AfterFailure::GiveUp("None")
        );
    }
}

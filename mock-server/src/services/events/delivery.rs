//! Delivery of events put on a bus: archiving, matching rules through the bus's pattern index,
//! and invoking their targets with retries and dead-letter queues. Runs from the bus drain and
//! from timers, never under the request's lock; each step locks one partition at a time, briefly.
//!
//! Targets EventBridge reaches for real here: SQS queues, event buses (one hop, as AWS forwards
//! events between buses), CloudWatch Logs groups and API destinations (HTTP). Every other target
//! type (Lambda, SNS, Step Functions, Kinesis, ECS, CodePipeline, CodeBuild...) is recorded in the
//! delivery log with the input it would have received, so tests can assert on it. A later change
//! turns CodePipeline and CodeBuild targets into domain events in `invoke_target`.

use super::schedule::Schedule;
use super::state::{ConnectionAuth, Rule};
use super::transform::{target_input, InvocationContext};
use crate::core::Core;
use crate::error::ServiceError;
use crate::ids::split_arn;
use crate::protocol::timestamps::iso8601;
use crate::services::{DomainEvent, TimerJob};
use base64::Engine as _;
use codemock_wire::events as wire;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// An event EventBridge routes itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    pub account: String,
    pub region: String,
    pub bus: String,
    pub event: Value,
    /// Only these rules of the bus may receive it (a schedule's rule, a replay's filter).
    pub only_rules: Option<Vec<String>>,
    /// Whether rules must match the event's pattern (not for scheduled events).
    pub match_patterns: bool,
    /// Sent by another bus's rule: its own bus targets are not followed (AWS forwards one hop).
    pub forwarded: bool,
    /// The replay re-delivering it; replayed events are not archived again.
    pub replay: Option<String>,
}

/// A partner event source appearing in (or leaving) the customer account it was created for.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSourceOffer {
    pub account: String,
    pub region: String,
    pub name: String,
    pub arn: String,
    pub created_by: String,
    pub created: f64,
    pub withdraw: bool,
}

/// A scheduled rule's occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleTick {
    pub account: String,
    pub region: String,
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
    pub account: String,
    pub region: String,
    pub rule_arn: String,
    pub target: wire::Target,
    /// The event as it reached the rule.
    pub event: Value,
    /// What the target receives (computed once, from the rule's input settings).
    pub input: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the first attempt was made (for `MaximumEventAgeInSeconds`).
    pub first_at: f64,
    pub forwarded: bool,
}

/// A failed invocation.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    code: String,
    message: String,
    /// Whether AWS would try again (a missing resource or a client error is not retried).
    retryable: bool,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>, retryable: bool) -> Failure {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            retryable,
        }
    }
}

/// AWS's defaults when a target has no `RetryPolicy` (24 hours, 185 attempts).
const DEFAULT_MAX_RETRIES: i32 = 185;
const DEFAULT_MAX_AGE: i32 = 86_400;

/// How long EventBridge waits for an API destination (AWS: 5 seconds). Real time: this bounds
/// network I/O, not simulated work.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Delivers `event` put on `bus` of `account`/`region`; returns the events deliveries caused.
pub async fn deliver(
    core: &Arc<Core>,
    account: &str,
    region: &str,
    bus: &str,
    event: Value,
) -> Vec<DomainEvent> {
    dispatch(
        core,
        Dispatch {
            account: account.to_owned(),
            region: region.to_owned(),
            bus: bus.to_owned(),
            event,
            only_rules: None,
            match_patterns: true,
            forwarded: false,
            replay: None,
        },
    )
    .await
}

struct Matched {
    name: String,
    arn: String,
    targets: Vec<wire::Target>,
}

/// Archives the event, finds its rules, and invokes their targets in rule then target id order.
pub async fn dispatch(core: &Arc<Core>, d: Dispatch) -> Vec<DomainEvent> {
    let now = core.clock.now();
    let event_id = d.event.get("id").cloned().unwrap_or(Value::Null);
    let mut record = json!({
        "type": "EventPut",
        "time": now,
        "account": d.account,
        "region": d.region,
        "eventBus": d.bus,
        "event": d.event,
    });
    if d.forwarded {
        record["forwarded"] = json!(true);
    }
    if let Some(r) = &d.replay {
        record["replayName"] = json!(r);
    }
    core.record_event(record);
    let partition = core.store.partition(&d.account, &d.region, now);
    let matched: Vec<Matched> = {
        let mut world = partition.lock();
        let state = &mut world.events;
        let Some(bus_arn) = state.buses.get(&d.bus).map(|b| b.arn.clone()) else {
            drop(world);
            core.record_event(json!({
                "type": "EventDropped",
                "time": now,
                "account": d.account,
                "region": d.region,
                "eventBus": d.bus,
                "eventId": event_id,
                "reason": format!("Event bus {} does not exist.", d.bus),
            }));
            return Vec::new();
        };
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
                        event: d.event.clone(),
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
        candidates
            .into_iter()
            .filter_map(|name| state.rules.get(&(d.bus.clone(), name)))
            .filter(|r| r.enabled())
            .map(|r: &Rule| Matched {
                name: r.name.clone(),
                arn: r.arn.clone(),
                targets: r.targets.values().cloned().collect(),
            })
            .collect()
    };
    let ingestion_time = iso8601(now);
    let mut caused = Vec::new();
    for rule in matched {
        core.record_event(json!({
            "type": "RuleMatched",
            "time": now,
            "account": d.account,
            "region": d.region,
            "eventBus": d.bus,
            "rule": rule.name,
            "ruleArn": rule.arn,
            "eventId": event_id,
        }));
        let ctx = InvocationContext {
            rule_arn: &rule.arn,
            rule_name: &rule.name,
            ingestion_time: &ingestion_time,
        };
        for target in rule.targets {
            let input = target_input(&target, &d.event, &ctx);
            let attempt = Attempt {
                account: d.account.clone(),
                region: d.region.clone(),
                rule_arn: rule.arn.clone(),
                target,
                event: d.event.clone(),
                input: input.clone().unwrap_or_default(),
                attempts: 0,
                first_at: now,
                forwarded: d.forwarded,
            };
            match input {
                Ok(_) => caused.extend(invoke(core, attempt).await),
                Err(e) => {
                    // A transformation that fails at run time is not retried: it would fail again.
                    let failure = Failure::new("InputTransformationFailed", e.0, false);
                    record_invocation(core, &attempt, &Err(failure.clone()), "transform");
                    caused.extend(give_up(core, attempt, failure, "None"));
                }
            }
        }
    }
    caused
}

/// Runs a retry that came due.
pub async fn retry(core: &Arc<Core>, attempt: Attempt) -> Vec<DomainEvent> {
    invoke(core, attempt).await
}

async fn invoke(core: &Arc<Core>, mut a: Attempt) -> Vec<DomainEvent> {
    a.attempts += 1;
    let (kind, outcome) = invoke_target(core, &a).await;
    record_invocation(core, &a, &outcome, kind);
    match outcome {
        Ok(events) => events,
        Err(f) => after_failure(core, a, f),
    }
}

/// Invokes one target once: what kind of target it was and what happened.
async fn invoke_target(
    core: &Arc<Core>,
    a: &Attempt,
) -> (&'static str, Result<Vec<DomainEvent>, Failure>) {
    let arn = a.target.arn.clone().unwrap_or_default();
    let Some((service, region, account, resource)) = split_arn(&arn) else {
        return (
            "unknown",
            Err(Failure::new(
                "InvalidTarget",
                format!("Target ARN {arn} is not valid."),
                false,
            )),
        );
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
            let r = send_to_queue(core, account, region, queue, a.input.clone(), group, dedup)
                .map(|_| Vec::new());
            ("sqs", r)
        }
        ("events", r) if r.starts_with("event-bus/") => {
            ("event-bus", forward(core, a, account, region, r))
        }
        ("events", r) if r.starts_with("api-destination/") => {
            ("api-destination", call_api_destination(core, a, &arn).await)
        }
        ("logs", r) if r.starts_with("log-group:") => {
            let group = r["log-group:".len()..].trim_end_matches(":*");
            let stream = a
                .event
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("events")
                .to_owned();
            let now = core.clock.now();
            let ms = core.clock.now_millis();
            let partition = core.store.partition(account, region, now);
            let r = {
                let mut world = partition.lock();
                world
                    .logs
                    .put_from_service(group, &stream, a.input.clone(), ms, &core.ids)
            };
            (
                "logs",
                r.map(|_| Vec::new()).map_err(not_retryable_if_missing),
            )
        }
        // Still `recorded` in the delivery log; the invocation itself is in the invocation log.
        ("lambda", r) if r.starts_with("function:") => ("recorded", invoke_lambda(core, a, &arn)),
        // Not emulated yet: recorded like the other AWS targets, each under its own type, until
        // these arms push a `DomainEvent` that starts the pipeline execution or the build.
        ("codepipeline", _) => ("codepipeline", Ok(Vec::new())),
        ("codebuild", r) if r.starts_with("project/") => ("codebuild", Ok(Vec::new())),
        _ => ("recorded", Ok(Vec::new())),
    }
}

/// EventBridge invokes Lambda asynchronously (Lambda developer guide, "Invoking Lambda with
/// EventBridge") with the target's input as the payload. A failed Invoke call (a response a test
/// registered) fails the attempt and takes the usual retry and dead-letter path.
fn invoke_lambda(core: &Arc<Core>, a: &Attempt, arn: &str) -> Result<Vec<DomainEvent>, Failure> {
    use crate::invocations::{InvocationResponse, InvocationType, InvokeRequest};
    let response = core.invocations.invoke(InvokeRequest {
        function: arn.to_owned(),
        invocation_type: InvocationType::Event,
        payload: a.input.clone(),
        source: "events".into(),
        source_arn: Some(a.rule_arn.clone()),
        account: a.account.clone(),
        region: a.region.clone(),
        time: core.clock.now(),
    });
    match response {
        InvocationResponse::Error { code, message } => {
            Err(not_retryable_if_missing(ServiceError::new(code, message)))
        }
        InvocationResponse::Payload(_) => Ok(Vec::new()),
    }
}

/// A missing queue, group or bus will not appear by itself: AWS does not retry those.
fn not_retryable_if_missing(e: ServiceError) -> Failure {
    let missing = ["NonExistent", "NotFound", "DoesNotExist"]
        .iter()
        .any(|m| e.code.contains(m));
    Failure::new(&e.code, e.message, !missing)
}

fn send_to_queue(
    core: &Arc<Core>,
    account: &str,
    region: &str,
    queue: &str,
    body: String,
    group: Option<String>,
    dedup: Option<String>,
) -> Result<String, Failure> {
    let now = core.clock.now();
    let partition = core.store.partition(account, region, now);
    let mut world = partition.lock();
    world
        .sqs
        .send_from_service(queue, body, group, dedup, now, &core.ids)
        .map_err(not_retryable_if_missing)
}

/// Sends a dead-lettered event with its attributes as String message attributes. SQS's
/// `send_from_service` takes no attributes, so this goes through the queue's own `send`, which
/// applies SendMessage's rules all the same.
fn send_dead_letter(
    core: &Arc<Core>,
    account: &str,
    region: &str,
    queue: &str,
    body: String,
    attributes: &Value,
) -> Result<String, Failure> {
    use crate::services::sqs::state::Outgoing;
    use codemock_wire::sqs::MessageAttributeValue;
    let attributes = attributes
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    let value = MessageAttributeValue {
                        string_value: Some(text),
                        data_type: Some("String".into()),
                        ..Default::default()
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    let now = core.clock.now();
    let partition = core.store.partition(account, region, now);
    let mut world = partition.lock();
    let sqs = &mut world.sqs;
    let Some(q) = sqs.queues.get_mut(queue) else {
        return Err(Failure::new(
            "QueueDoesNotExist",
            "The specified queue does not exist.",
            false,
        ));
    };
    let sender_id = q.account.clone();
    let sent = q
        .send(
            Outgoing {
                body,
                attributes,
                sender_id,
                ..Outgoing::default()
            },
            now,
            &core.ids,
        )
        .map_err(not_retryable_if_missing)?;
    sqs.notify.notify_waiters();
    Ok(sent.message_id)
}

fn forward(
    core: &Arc<Core>,
    a: &Attempt,
    account: &str,
    region: &str,
    resource: &str,
) -> Result<Vec<DomainEvent>, Failure> {
    let bus = resource.trim_start_matches("event-bus/").to_owned();
    if a.forwarded {
        // AWS forwards an event one hop: a bus target of a rule on the receiving bus gets nothing.
        return Err(Failure::new(
            "EventBusHopLimit",
            "Events received from another event bus are not forwarded again.",
            false,
        ));
    }
    let partition = core.store.partition(account, region, core.clock.now());
    if !partition.lock().events.buses.contains_key(&bus) {
        return Err(Failure::new(
            "ResourceNotFoundException",
            format!("Event bus {bus} does not exist."),
            false,
        ));
    }
    Ok(vec![DomainEvent::EventBridgeDispatch(Box::new(Dispatch {
        account: account.to_owned(),
        region: region.to_owned(),
        bus,
        event: a.event.clone(),
        only_rules: None,
        match_patterns: true,
        forwarded: true,
        replay: None,
    }))])
}

fn record_invocation(
    core: &Core,
    a: &Attempt,
    outcome: &Result<Vec<DomainEvent>, Failure>,
    kind: &str,
) {
    let mut record = json!({
        "type": "TargetInvoked",
        "time": core.clock.now(),
        "account": a.account,
        "region": a.region,
        "ruleArn": a.rule_arn,
        "targetId": a.target.id,
        "targetArn": a.target.arn,
        "targetType": kind,
        "eventId": a.event.get("id"),
        "input": a.input,
        "attempt": a.attempts,
        "outcome": if outcome.is_ok() { "Succeeded" } else { "Failed" },
    });
    if let Err(f) = outcome {
        record["errorCode"] = json!(f.code);
        record["errorMessage"] = json!(f.message);
    }
    core.record_event(record);
}

/// Exponential back-off: 1 s, 2 s, 4 s ... capped at 5 minutes. AWS backs off exponentially with
/// jitter; the jitter is left out so that runs are deterministic.
fn backoff(attempts: u32) -> f64 {
    2f64.powi(attempts.saturating_sub(1).min(16) as i32)
        .min(300.0)
}

fn after_failure(core: &Arc<Core>, a: Attempt, f: Failure) -> Vec<DomainEvent> {
    let policy = a.target.retry_policy.clone().unwrap_or_default();
    let max_retries = policy.maximum_retry_attempts.unwrap_or(DEFAULT_MAX_RETRIES);
    let max_age = f64::from(
        policy
            .maximum_event_age_in_seconds
            .unwrap_or(DEFAULT_MAX_AGE),
    );
    let retries_done = i64::from(a.attempts) - 1;
    let now = core.clock.now();
    let at = now + backoff(a.attempts);
    let exhausted = if !f.retryable {
        "None"
    } else if retries_done >= i64::from(max_retries) {
        "MaximumRetryAttempts"
    } else if at - a.first_at > max_age {
        "MaximumEventAgeInSeconds"
    } else {
        core.record_event(json!({
            "type": "RetryScheduled",
            "time": now,
            "ruleArn": a.rule_arn,
            "targetId": a.target.id,
            "attempt": a.attempts + 1,
            "at": at,
        }));
        core.scheduler
            .schedule(at, TimerJob::EventsRetry(Box::new(a)));
        return Vec::new();
    };
    give_up(core, a, f, exhausted)
}

/// The end of a failed invocation: to the target's dead-letter queue if it has one, else dropped.
fn give_up(core: &Arc<Core>, a: Attempt, f: Failure, exhausted: &str) -> Vec<DomainEvent> {
    let now = core.clock.now();
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
        core.record_event(json!({
            "type": "EventDiscarded",
            "time": now,
            "ruleArn": a.rule_arn,
            "targetId": a.target.id,
            "eventId": a.event.get("id"),
            "attributes": attributes,
        }));
        return Vec::new();
    };
    // The dead-lettered message is the event itself, as AWS sends it.
    let result = match split_arn(&dlq) {
        Some(("sqs", region, account, queue)) => send_dead_letter(
            core,
            account,
            region,
            queue,
            a.event.to_string(),
            &attributes,
        ),
        _ => Err(Failure::new(
            "InvalidDeadLetterTarget",
            format!("Dead-letter target {dlq} is not an SQS queue."),
            false,
        )),
    };
    let mut record = json!({
        "type": "DeadLettered",
        "time": now,
        "ruleArn": a.rule_arn,
        "targetId": a.target.id,
        "deadLetterArn": dlq,
        "eventId": a.event.get("id"),
        "attributes": attributes,
        "outcome": if result.is_ok() { "Succeeded" } else { "Failed" },
    });
    if let Err(e) = result {
        record["errorCode"] = json!(e.code);
        record["errorMessage"] = json!(e.message);
    }
    core.record_event(record);
    Vec::new()
}

// ---------------------------------------------------------------------------------------------
// API destinations

struct HttpTarget {
    method: String,
    endpoint: String,
    auth: Option<ConnectionAuth>,
    connection_params: Option<wire::ConnectionHttpParameters>,
}

async fn call_api_destination(
    core: &Arc<Core>,
    a: &Attempt,
    arn: &str,
) -> Result<Vec<DomainEvent>, Failure> {
    let (_, region, account, _) = split_arn(arn).unwrap_or_default();
    let found = {
        let partition = core.store.partition(account, region, core.clock.now());
        let world = partition.lock();
        let state = &world.events;
        state
            .api_destinations
            .values()
            .find(|d| d.arn == arn)
            .map(|d| {
                let conn = state
                    .connections
                    .values()
                    .find(|c| c.arn == d.connection_arn);
                (d.clone(), conn.cloned())
            })
    };
    let Some((dest, conn)) = found else {
        return Err(Failure::new(
            "ResourceNotFoundException",
            format!("API destination {arn} does not exist."),
            false,
        ));
    };
    let Some(conn) = conn else {
        return Err(Failure::new(
            "ResourceNotFoundException",
            format!("Connection {} does not exist.", dest.connection_arn),
            false,
        ));
    };
    if conn.state == wire::ConnectionState::Deauthorized {
        return Err(Failure::new(
            "ConnectionDeauthorized",
            format!("Connection {} is deauthorized.", conn.name),
            false,
        ));
    }
    // Without a TLS client an https endpoint can never be reached: failing it for good spares
    // a day of pointless retries.
    let oauth_endpoint = match &conn.auth {
        Some(ConnectionAuth::OAuth {
            authorization_endpoint,
            ..
        }) => Some(authorization_endpoint.as_str()),
        _ => None,
    };
    for url in std::iter::once(dest.invocation_endpoint.as_str()).chain(oauth_endpoint) {
        if !url.starts_with("http://") {
            return Err(Failure::new(
                "UnsupportedEndpoint",
                format!("codemock calls only http:// endpoints (no TLS client); cannot call {url}"),
                false,
            ));
        }
    }
    let target = HttpTarget {
        method: dest.http_method.as_str().to_owned(),
        endpoint: dest.invocation_endpoint.clone(),
        auth: conn.auth.clone(),
        connection_params: conn.invocation_http_parameters.clone(),
    };
    let (status, body) = http_invoke(&target, a).await.map_err(|m| {
        // A connection that cannot be made may work later: retried, as AWS retries timeouts.
        Failure::new("SdkClientException", m, true)
    })?;
    if (200..300).contains(&status) {
        return Ok(Vec::new());
    }
    // AWS retries 401, 407, 409, 429 and 5xx answers; other client errors are final.
    let retryable = matches!(status, 401 | 407 | 409 | 429) || status >= 500;
    Err(Failure::new(
        &status.to_string(),
        format!("Received a {status} response from the API destination: {body}"),
        retryable,
    ))
}

/// Builds and sends the request an API destination makes for one event.
async fn http_invoke(t: &HttpTarget, a: &Attempt) -> Result<(u16, String), String> {
    let params = a.target.http_parameters.clone().unwrap_or_default();
    // `*` in the endpoint are path parameters, filled in order.
    let mut url = String::new();
    let mut values = params
        .path_parameter_values
        .clone()
        .unwrap_or_default()
        .into_iter();
    for c in t.endpoint.chars() {
        if c == '*' {
            url.push_str(&values.next().unwrap_or_default());
        } else {
            url.push(c);
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body_params: Vec<(String, String)> = Vec::new();
    if let Some(cp) = &t.connection_params {
        collect_connection_params(cp, &mut headers, &mut query, &mut body_params);
    }
    for (k, v) in params.header_parameters.clone().unwrap_or_default() {
        headers.push((k, v));
    }
    for (k, v) in params.query_string_parameters.clone().unwrap_or_default() {
        query.push((k, v));
    }
    match &t.auth {
        Some(ConnectionAuth::Basic { username, password }) => {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            headers.push(("authorization".into(), format!("Basic {token}")));
        }
        Some(ConnectionAuth::ApiKey { name, value }) => headers.push((name.clone(), value.clone())),
        Some(ConnectionAuth::OAuth {
            client_id,
            client_secret,
            authorization_endpoint,
            http_method,
            http_parameters,
        }) => {
            let token = oauth_token(
                authorization_endpoint,
                http_method.as_str(),
                client_id,
                client_secret,
                http_parameters.as_ref(),
            )
            .await?;
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        None => {}
    }
    let with_body = matches!(t.method.as_str(), "POST" | "PUT" | "PATCH");
    let body = with_body.then(|| {
        // Connection body parameters are merged into a JSON object payload.
        match serde_json::from_str::<Value>(&a.input) {
            Ok(Value::Object(mut map)) if !body_params.is_empty() => {
                for (k, v) in &body_params {
                    map.entry(k.clone()).or_insert_with(|| json!(v));
                }
                Value::Object(map).to_string()
            }
            _ => a.input.clone(),
        }
    });
    headers.push((
        "content-type".into(),
        "application/json; charset=utf-8".into(),
    ));
    headers.push((
        "user-agent".into(),
        "Amazon/EventBridge/ApiDestinations".into(),
    ));
    http_request(&t.method, &add_query(&url, &query), &headers, body).await
}

fn collect_connection_params(
    cp: &wire::ConnectionHttpParameters,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
    body: &mut Vec<(String, String)>,
) {
    for h in cp.header_parameters.iter().flatten() {
        headers.push((
            h.key.clone().unwrap_or_default(),
            h.value.clone().unwrap_or_default(),
        ));
    }
    for q in cp.query_string_parameters.iter().flatten() {
        query.push((
            q.key.clone().unwrap_or_default(),
            q.value.clone().unwrap_or_default(),
        ));
    }
    for b in cp.body_parameters.iter().flatten() {
        body.push((
            b.key.clone().unwrap_or_default(),
            b.value.clone().unwrap_or_default(),
        ));
    }
}

fn add_query(url: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let encoded: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encoded.join("&"))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Gets an access token with the client-credentials grant: the client id and secret as Basic
/// authorization, `grant_type=client_credentials` plus the connection's OAuth body parameters as
/// a form. Tokens are fetched per invocation (AWS caches them; the server sees the same calls
/// with fewer token requests).
async fn oauth_token(
    endpoint: &str,
    method: &str,
    client_id: &str,
    client_secret: &str,
    params: Option<&wire::ConnectionHttpParameters>,
) -> Result<String, String> {
    let mut headers = Vec::new();
    let mut query = Vec::new();
    let mut body = vec![("grant_type".to_owned(), "client_credentials".to_owned())];
    if let Some(p) = params {
        collect_connection_params(p, &mut headers, &mut query, &mut body);
    }
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"));
    headers.push(("authorization".into(), format!("Basic {basic}")));
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let form: Vec<String> = body
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let (status, text) = http_request(
        method,
        &add_query(endpoint, &query),
        &headers,
        Some(form.join("&")),
    )
    .await?;
    if !(200..300).contains(&status) {
        return Err(format!(
            "The OAuth authorization endpoint answered {status}: {text}"
        ));
    }
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .ok_or_else(|| "The OAuth authorization endpoint returned no access_token.".to_owned())
}

/// One HTTP/1.1 exchange over a fresh TCP connection. Only `http://` endpoints: codemock has no
/// TLS client, so `https://` endpoints fail the invocation with a message saying so.
async fn http_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<String>,
) -> Result<(u16, String), String> {
    use http_body_util::{BodyExt, Full};
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(format!(
            "codemock calls only http:// endpoints (no TLS client); cannot call {url}"
        ));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        },
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("HTTP handshake with {address} failed: {e}"))?;
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(&path)
            .header("host", authority);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req
            .body(Full::new(bytes::Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("invalid request: {e}"))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("request to {url} failed: {e}"))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the response of {url} failed: {e}"))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    tokio::time::timeout(HTTP_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("{url} did not answer within 5 seconds"))?
}

// ---------------------------------------------------------------------------------------------
// Schedules, replays, partner sources

/// Arms the timer of a scheduled rule's next occurrence after `now`.
pub fn arm_schedule(core: &Core, account: &str, region: &str, rule: &Rule, now: f64) {
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
        core.scheduler.schedule(
            at,
            TimerJob::EventsSchedule(Box::new(ScheduleTick {
                account: account.to_owned(),
                region: region.to_owned(),
                bus: rule.bus.clone(),
                rule: rule.name.clone(),
                generation: rule.schedule_generation,
                at,
            })),
        );
    }
}

/// A scheduled rule's occurrence: the "Scheduled Event" for its targets, and the next timer.
pub fn on_schedule(core: &Arc<Core>, tick: ScheduleTick) -> Vec<DomainEvent> {
    let Some(partition) = core.store.existing(&tick.account, &tick.region) else {
        return Vec::new();
    };
    let world = partition.lock();
    let Some(rule) = world
        .events
        .rules
        .get(&(tick.bus.clone(), tick.rule.clone()))
    else {
        return Vec::new();
    };
    if rule.schedule_generation != tick.generation || !rule.enabled() {
        return Vec::new();
    }
    arm_schedule(core, &tick.account, &tick.region, rule, tick.at);
    // The shape AWS sends (user guide "Creating a rule that runs on a schedule").
    let event = json!({
        "version": "0",
        "id": core.ids.uuid(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": tick.account,
        "time": iso8601(tick.at),
        "region": tick.region,
        "resources": [rule.arn],
        "detail": {},
    });
    vec![DomainEvent::EventBridgeDispatch(Box::new(Dispatch {
        account: tick.account.clone(),
        region: tick.region.clone(),
        bus: tick.bus.clone(),
        event,
        only_rules: Some(vec![tick.rule.clone()]),
        match_patterns: false,
        forwarded: false,
        replay: None,
    }))]
}

/// How long each replay step takes on the virtual clock.
pub const REPLAY_STEP_SECONDS: f64 = 1.0;

/// Moves a replay one step: STARTING -> RUNNING (re-delivering the archived events of its
/// window, marked with `replay-name`) -> COMPLETED; CANCELLING -> CANCELLED.
pub fn on_replay(core: &Arc<Core>, account: &str, region: &str, name: &str) -> Vec<DomainEvent> {
    let Some(partition) = core.store.existing(account, region) else {
        return Vec::new();
    };
    let now = core.clock.now();
    let mut world = partition.lock();
    let state = &mut world.events;
    let Some(replay) = state.replays.get(name).cloned() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let next =
        match replay.state {
            wire::ReplayState::Starting => {
                let archive = state
                    .archives
                    .values()
                    .find(|a| a.arn == replay.event_source_arn);
                let bus = archive.and_then(|a| {
                    state
                        .buses
                        .values()
                        .find(|b| b.arn == a.event_source_arn)
                        .map(|b| b.name.clone())
                });
                let only_rules = replay.destination.filter_arns.as_ref().map(|arns| {
                    arns.iter()
                        .filter_map(|a| a.rsplit('/').next().map(str::to_owned))
                        .collect::<Vec<_>>()
                });
                let mut last = None;
                if let (Some(archive), Some(bus)) = (archive, bus) {
                    for e in archive.events.iter().filter(|e| {
                        e.time >= replay.event_start_time && e.time < replay.event_end_time
                    }) {
                        let mut event = e.event.clone();
                        if let Value::Object(map) = &mut event {
                            map.insert("replay-name".into(), json!(replay.name));
                        }
                        last = Some(e.time);
                        out.push(DomainEvent::EventBridgeDispatch(Box::new(Dispatch {
                            account: account.to_owned(),
                            region: region.to_owned(),
                            bus: bus.clone(),
                            event,
                            only_rules: only_rules.clone(),
                            match_patterns: true,
                            forwarded: false,
                            replay: Some(replay.name.clone()),
                        })));
                    }
                }
                let r = state.replays.get_mut(name);
                if let Some(r) = r {
                    r.state = wire::ReplayState::Running;
                    r.event_last_replayed_time = last.or(r.event_last_replayed_time);
                }
                true
            }
            wire::ReplayState::Running => {
                if let Some(r) = state.replays.get_mut(name) {
                    r.state = wire::ReplayState::Completed;
                    r.replay_end_time = Some(now);
                }
                false
            }
            wire::ReplayState::Cancelling => {
                if let Some(r) = state.replays.get_mut(name) {
                    r.state = wire::ReplayState::Cancelled;
                    r.replay_end_time = Some(now);
                }
                false
            }
            _ => false,
        };
    drop(world);
    if next {
        core.scheduler.schedule(
            now + REPLAY_STEP_SECONDS,
            TimerJob::EventsReplay {
                account: account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
            },
        );
    }
    out
}

/// Makes a partner event source visible in the customer account (or marks it deleted there).
pub fn offer_partner_source(core: &Arc<Core>, o: PartnerSourceOffer) -> Vec<DomainEvent> {
    let partition = core
        .store
        .partition(&o.account, &o.region, core.clock.now());
    let mut world = partition.lock();
    let sources = &mut world.events.event_sources;
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
    Vec::new()
}

//! The engine one server runs on: configuration, virtual clock, seeded ids, timers, state, and
//! the logs the control API shows. Shared (behind an `Arc`) by the gateway, the realtime timer
//! loop and the in-process API.

use crate::bus::{self, Outbox};
use crate::clock::{Clock, ClockMode};
use crate::error::ServiceError;
use crate::ids::{Ids, DEFAULT_SEED};
use crate::scheduler::Scheduler;
use crate::services::{self, Call, DomainEvent, Handler, TimerJob};
use crate::store::Store;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How a server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    pub account_id: String,
    pub region: String,
    pub clock_mode: ClockMode,
    /// Virtual epoch seconds the clock starts at (`None`: 2024-01-01 for manual clocks, the wall
    /// clock for realtime ones).
    pub clock_start: Option<f64>,
    pub seed: u64,
    /// Largest request body the JSON and CBOR services accept.
    pub body_limit: usize,
    /// How long a client may take to send its body.
    pub body_timeout: Duration,
    /// Bytes of S3 object data kept in memory across the server; larger bodies spill to a
    /// temporary directory.
    pub s3_memory_limit: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            clock_mode: ClockMode::Manual,
            clock_start: None,
            seed: DEFAULT_SEED,
            // Comfortably above the largest JSON request AWS accepts for these services
            // (CodePipeline declarations and PutEvents batches stay well under 10 MiB).
            body_limit: 10 * 1024 * 1024,
            body_timeout: Duration::from_secs(30),
            s3_memory_limit: crate::services::s3::storage::DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// Who is asking, where, and when: derived once per request by the gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    pub request_id: String,
    pub account_id: String,
    pub region: String,
    /// Virtual epoch seconds when the request arrived.
    pub received_at: f64,
    /// The `Host` the client addressed (`127.0.0.1:4566`), so that URLs we hand out (SQS queue
    /// URLs) point back at this server the way the client reached it.
    pub host: Option<String>,
}

/// One line of the request log (`GET /_codemock/requests`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestRecord {
    pub time: f64,
    #[serde(rename = "requestId")]
    pub request_id: String,
    pub service: String,
    pub operation: String,
    pub protocol: String,
    pub status: u16,
    pub account: String,
    pub region: String,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// The shared engine of one server.
#[derive(Debug)]
pub struct Core {
    pub config: Config,
    pub clock: Clock,
    pub ids: Ids,
    pub scheduler: Scheduler<TimerJob>,
    pub store: Store,
    /// S3 object bytes (server-wide, so that the memory budget is too); objects in the store
    /// reference them and free them when dropped.
    pub s3_storage: crate::services::s3::storage::Storage,
    /// How simulated work goes (`/_codemock/outcomes`).
    pub outcomes: crate::outcomes::Outcomes,
    /// Errors operations answer instead of running (`/_codemock/faults`).
    pub faults: crate::faults::Faults,
    /// Every Lambda invocation codemock makes, and the responses tests registered.
    pub invocations: crate::invocations::Invocations,
    requests: Mutex<Vec<RequestRecord>>,
    /// The delivery log: events put, rules matched, targets invoked (JSON records).
    events: Mutex<Vec<Value>>,
    /// Serialises `advance` calls so that two callers cannot interleave timers.
    advancing: tokio::sync::Mutex<()>,
}

/// Logs keep at most this many records each, the oldest dropped first, so a long-running
/// sidecar does not grow without bound.
const LOG_CAPACITY: usize = 100_000;

impl Core {
    pub fn new(config: Config) -> Arc<Core> {
        Arc::new(Core {
            clock: Clock::new(config.clock_mode, config.clock_start),
            ids: Ids::new(config.seed),
            scheduler: Scheduler::new(),
            store: Store::new(),
            s3_storage: crate::services::s3::storage::Storage::new(config.s3_memory_limit),
            outcomes: Default::default(),
            faults: Default::default(),
            invocations: Default::default(),
            requests: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
            advancing: tokio::sync::Mutex::new(()),
            config,
        })
    }

    /// Runs `handler` on the partition of `ctx` under its lock and returns its result with the
    /// domain events it produced, to be drained once the lock is gone.
    pub fn call(
        &self,
        ctx: &RequestContext,
        handler: Handler,
        input: Value,
    ) -> (Result<Value, ServiceError>, Vec<DomainEvent>) {
        let partition = self
            .store
            .partition(&ctx.account_id, &ctx.region, ctx.received_at);
        let mut outbox = Outbox::new();
        let result = {
            let mut world = partition.lock();
            let mut call = Call {
                ctx,
                world: &mut world,
                core: self,
                outbox: &mut outbox,
            };
            // A bug in a handler must not take the server down: it becomes a 500. parking_lot
            // locks do not poison, so the partition stays usable.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&mut call, input)))
                .unwrap_or_else(|_| {
                    Err(ServiceError::internal(
                        "codemock hit an internal error handling this request",
                    ))
                })
        };
        let events = if result.is_ok() {
            outbox.into_events()
        } else {
            // A failed request changes nothing, so it announces nothing either.
            Vec::new()
        };
        (result, events)
    }

    /// Delivers domain events and everything they cause.
    pub async fn drain(self: &Arc<Self>, events: Vec<DomainEvent>) {
        if events.is_empty() {
            return;
        }
        let core = self.clone();
        bus::drain(events, move |e| {
            let core = core.clone();
            async move { services::deliver(&core, e).await }
        })
        .await;
    }

    /// Fires every timer due at or before virtual `now`, each at its own instant.
    pub async fn fire_due(self: &Arc<Self>, now: f64) -> usize {
        let mut fired = 0;
        while let Some((at, job)) = self.scheduler.pop_due(now) {
            self.clock.set_at_least(at);
            let events = services::on_timer(self, job).await;
            self.drain(events).await;
            fired += 1;
        }
        fired
    }

    /// Moves virtual time forward by `by`, running every timer due on the way in time order.
    /// Returns how many timers fired.
    pub async fn advance(self: &Arc<Self>, by: Duration) -> usize {
        let _one_at_a_time = self.advancing.lock().await;
        let target = self.clock.now() + by.as_secs_f64();
        let fired = self.fire_due(target).await;
        self.clock.set_at_least(target);
        fired
    }

    /// Forgets all state, timers and logs, and restarts the id sequence: the server looks
    /// freshly started (the clock keeps its time, so that time never runs backwards).
    pub fn reset(&self) {
        self.store.clear();
        self.scheduler.clear();
        self.requests.lock().clear();
        self.events.lock().clear();
        self.outcomes.reset();
        self.faults.reset();
        self.invocations.reset();
        self.ids.reseed(self.config.seed);
    }

    pub fn record_request(&self, record: RequestRecord) {
        push_bounded(&mut self.requests.lock(), record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.requests.lock().clone()
    }

    pub fn record_event(&self, record: Value) {
        push_bounded(&mut self.events.lock(), record);
    }

    pub fn events(&self) -> Vec<Value> {
        self.events.lock().clone()
    }
}

fn push_bounded<T>(log: &mut Vec<T>, item: T) {
    if log.len() >= LOG_CAPACITY {
        log.drain(..LOG_CAPACITY / 10);
    }
    log.push(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual() -> Arc<Core> {
        Core::new(Config::default())
    }

    #[tokio::test]
    async fn advance_fires_due_timers_at_their_instants() {
        let core = manual();
        let start = core.clock.now();
        // Replay steps of a replay that does not exist: they fire and do nothing.
        let job = || TimerJob::EventsReplay {
            account: "000000000000".into(),
            region: "us-east-1".into(),
            name: "none".into(),
        };
        core.scheduler.schedule(start + 10.0, job());
        core.scheduler.schedule(start + 100.0, job());
        assert_eq!(core.advance(Duration::from_secs(50)).await, 1);
        assert_eq!(core.clock.now(), start + 50.0);
        assert_eq!(core.advance(Duration::from_secs(50)).await, 1);
        assert!(core.scheduler.is_empty());
    }

    #[test]
    fn a_panicking_handler_is_a_500_and_the_partition_survives() {
        let core = manual();
        let ctx = RequestContext {
            request_id: "r".into(),
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            received_at: 0.0,
            host: None,
        };
        fn boom(_: &mut Call<'_>, _: Value) -> Result<Value, ServiceError> {
            panic!("handler bug")
        }
        fn fine(_: &mut Call<'_>, _: Value) -> Result<Value, ServiceError> {
            Ok(Value::Null)
        }
        let (r, _) = core.call(&ctx, boom, Value::Null);
        assert_eq!(r.expect_err("panics become errors").status, 500);
        let (r, _) = core.call(&ctx, fine, Value::Null);
        assert!(r.is_ok());
    }

    #[test]
    fn reset_forgets_state_and_restarts_ids() {
        let core = manual();
        let first = core.ids.uuid();
        core.store.partition("1", "r", 0.0);
        core.reset();
        assert!(core.store.keys().is_empty());
        assert_eq!(core.ids.uuid(), first);
    }
}

//! The engine one server runs on. [`Env`] is what every handler may read (configuration, clock,
//! ids, logs); [`Core`] adds what only the engine touches: the store of partitions, the
//! scheduler and the running jobs. Core runs operations, port commands and timers under a
//! partition's lock and then applies the effects they produced, in order, with no lock held.
//! Shared (behind an `Arc`) by the gateway, the realtime timer loop and the in-process API.

use crate::clock::{Clock, ClockMode};
use crate::effects::{Effect, Effects, Job};
use crate::error::ServiceError;
use crate::ids::{Ids, DEFAULT_SEED};
use crate::jobs::Jobs;
use crate::scheduler::{Scheduler, TimerId};
use crate::services::{registry, Call, Command, ServiceKind, Timer, World};
use crate::store::{PartitionKey, Store};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// How builds run unless a project's `codemock:executor` tag says otherwise.
    pub codebuild_executor: crate::services::codebuild::state::ExecutorKind,
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
            codebuild_executor: crate::services::codebuild::state::ExecutorKind::Simulate,
        }
    }
}

/// Who is asking, where, and when: derived once per request by the gateway. Port commands and
/// timers get one too, naming their partition, with an empty request id.
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

impl RequestContext {
    /// The context of engine work (a command, a timer) in `account`/`region` at `now`.
    pub fn internal(account: &str, region: &str, now: f64) -> RequestContext {
        RequestContext {
            request_id: String::new(),
            account_id: account.to_owned(),
            region: region.to_owned(),
            received_at: now,
            host: None,
        }
    }
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

/// What every handler, command and timer callback may use.
#[derive(Debug)]
pub struct Env {
    pub config: Config,
    pub clock: Clock,
    /// Resource ids (ARNs, execution ids, event ids...): one seeded sequence.
    pub ids: Ids,
    /// Request ids, from a stream of their own: an extra request (a health check, a retry) never
    /// shifts the resource ids that follow it.
    pub request_ids: Ids,
    /// How simulated work goes (`/_codemock/outcomes`).
    pub outcomes: crate::outcomes::Outcomes,
    /// Errors operations answer instead of running (`/_codemock/faults`).
    pub faults: crate::faults::Faults,
    /// Every Lambda invocation codemock makes, and the responses tests registered.
    pub invocations: crate::invocations::Invocations,
    /// S3 object bytes (server-wide, so that the memory budget is too); objects in the store
    /// reference them and free them when dropped.
    pub s3_storage: crate::services::s3::storage::Storage,
    /// Parameter Store and Secrets Manager values builds may reference.
    pub codebuild_values: crate::services::codebuild::values::Values,
    /// CloudWatch alarm states CodeDeploy deployments watch.
    pub codedeploy_alarms: crate::services::codedeploy::alarms::Alarms,
    /// The SNS notifications codemock would publish (CodeDeploy triggers).
    pub sns_notifications: crate::notifications::SnsNotifications,
    /// `http://<address>` this server listens on (set once bound), for work that calls back into
    /// it: a local build's `aws` commands.
    pub endpoint: std::sync::OnceLock<String>,
    requests: Mutex<VecDeque<RequestRecord>>,
    /// The delivery log: events put, rules matched, targets invoked.
    events: Mutex<VecDeque<crate::services::events::log::DeliveryRecord>>,
}

/// The request-id stream's seed, derived from the server's seed.
fn request_id_seed(seed: u64) -> u64 {
    seed ^ 0x05ee_d0f2_e9e5_71d5
}

/// A timer as the scheduler holds it: where it goes and what it says.
#[derive(Debug)]
pub struct Scheduled {
    pub to: PartitionKey,
    pub timer: Timer,
}

/// The shared engine of one server.
#[derive(Debug)]
pub struct Core {
    env: Env,
    pub(crate) scheduler: Scheduler<Scheduled>,
    /// The partitions; public for tests that inspect state directly. Handlers never see it.
    pub store: Store,
    pub(crate) jobs: Arc<Jobs>,
    /// Keyed timers still pending, so that an `arm_keyed` or `cancel` effect finds them.
    timer_keys: Mutex<HashMap<String, TimerId>>,
    /// Bumped by `reset`, so that a job started before it does not touch the fresh state.
    generation: AtomicU64,
    /// Serialises `advance` calls so that two callers cannot interleave timers.
    advancing: tokio::sync::Mutex<()>,
}

impl std::ops::Deref for Core {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

/// Logs keep at most this many records each, the oldest dropped first, so a long-running
/// sidecar does not grow without bound.
const LOG_CAPACITY: usize = 100_000;

/// How many effects one application performs at most. A rule that feeds its own bus would
/// otherwise loop forever; AWS stops such loops too (events are forwarded one hop between buses).
pub const MAX_EFFECTS_PER_APPLY: usize = 100_000;

impl Core {
    pub fn new(config: Config) -> Arc<Core> {
        Arc::new(Core {
            env: Env {
                clock: Clock::new(config.clock_mode, config.clock_start),
                ids: Ids::new(config.seed),
                request_ids: Ids::new(request_id_seed(config.seed)),
                outcomes: Default::default(),
                faults: Default::default(),
                invocations: Default::default(),
                s3_storage: crate::services::s3::storage::Storage::new(config.s3_memory_limit),
                endpoint: std::sync::OnceLock::new(),
                codebuild_values: Default::default(),
                codedeploy_alarms: Default::default(),
                sns_notifications: Default::default(),
                requests: Mutex::new(VecDeque::new()),
                events: Mutex::new(VecDeque::new()),
                config: config.clone(),
            },
            scheduler: Scheduler::new(),
            store: Store::new(),
            jobs: Arc::new(Jobs::default()),
            timer_keys: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            advancing: tokio::sync::Mutex::new(()),
        })
    }

    /// How many timers are armed and have not fired.
    pub fn pending_timers(&self) -> usize {
        self.scheduler.len()
    }

    /// How many jobs are running.
    pub fn running_jobs(&self) -> usize {
        self.jobs.running()
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Runs `f` on the partition's world under its lock and applies the effects it produced
    /// when it returns `Ok`. A panic becomes a 500: parking_lot locks do not poison, so the
    /// partition stays usable, and the half-made effects are dropped with the failed call.
    fn locked<R>(
        self: &Arc<Self>,
        ctx: &RequestContext,
        f: impl FnOnce(&mut World, &Env, &mut Effects) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        let partition = self
            .store
            .partition(&ctx.account_id, &ctx.region, ctx.received_at);
        let mut effects = Effects::new();
        let mut world = partition.lock_arc();
        let result = guarded(|| f(&mut world, &self.env, &mut effects));
        if result.is_ok() && !effects.is_empty() {
            // The lock goes on to the effects: commands to this same partition (a put event's
            // delivery, its queue's send) run under it without being taken again.
            let key = (ctx.account_id.clone(), ctx.region.clone());
            self.apply_holding(effects, Some((key, world)));
        }
        result
    }

    /// Runs an operation's typed handler (`None` when the service has none for it).
    pub fn run_operation<E: codemock_wire::dispatch::Encode>(
        self: &Arc<Self>,
        ctx: &RequestContext,
        service: ServiceKind,
        operation: &str,
        input: Value,
        encoder: E,
    ) -> Option<Result<E::Output, ServiceError>> {
        let mut found = true;
        let result = self.locked(ctx, |world, env, effects| {
            match registry::call_operation(
                service, operation, world, ctx, env, effects, input, encoder,
            ) {
                Some(r) => r,
                None => {
                    found = false;
                    Err(ServiceError::internal("no handler"))
                }
            }
        });
        found.then_some(result)
    }

    /// The typed fast path of an awsJson operation (`codemock_wire::dispatch`): `None` when the
    /// service has no handler for it, `Err(Deferred)` (nothing ran) when the body does not decode
    /// strictly into the typed input or fails the typed check, so that the caller validates it.
    #[allow(
        clippy::type_complexity,
        reason = "the handler's result, or the encoder back"
    )]
    pub fn run_operation_json<E: codemock_wire::dispatch::Encode>(
        self: &Arc<Self>,
        ctx: &RequestContext,
        service: ServiceKind,
        operation: &str,
        body: &[u8],
        encoder: E,
    ) -> Option<Result<Result<E::Output, ServiceError>, codemock_wire::dispatch::Deferred<E>>> {
        let lock = crate::services::CoreLock { core: self, ctx };
        registry::call_operation_json(service, operation, lock, body, encoder)
    }

    /// Runs `f` on one service's state (picked by `pick`) under the partition lock and applies
    /// its effects: for handlers that wait (long polls look, release, wait, look again).
    pub fn with_state<S, R>(
        self: &Arc<Self>,
        ctx: &RequestContext,
        pick: fn(&mut World) -> &mut S,
        f: impl FnOnce(&mut Call<'_, S>) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        self.locked(ctx, |world, env, effects| {
            let mut call = Call {
                ctx,
                state: pick(world),
                core: env,
                effects,
            };
            f(&mut call)
        })
    }

    /// Applies effects in order, and the effects those cause, breadth-first. Never waits: jobs
    /// are spawned, timers armed, commands run each under their own partition's lock.
    pub fn apply(self: &Arc<Self>, effects: Effects) {
        self.apply_holding(effects, None)
    }

    /// [`Core::apply`], starting with the lock of one partition already held. A command runs
    /// under the held lock when it is for that partition; for another one the held lock is
    /// released first, so that no two partition locks are ever held at once.
    fn apply_holding(self: &Arc<Self>, effects: Effects, mut held: Option<Held>) {
        if effects.is_empty() {
            return;
        }
        let mut queue: VecDeque<Effect> = effects.into_vec().into();
        let mut applied = 0;
        while let Some(effect) = queue.pop_front() {
            if applied >= MAX_EFFECTS_PER_APPLY {
                tracing::warn!(
                    dropped = queue.len() + 1,
                    "effect limit reached; dropping the rest"
                );
                break;
            }
            applied += 1;
            match effect {
                Effect::Send { to, command, reply } => {
                    let world = match held.take() {
                        Some((key, world)) if key == to => held.insert((key, world)),
                        other => {
                            drop(other);
                            let partition = self.store.partition(&to.0, &to.1, self.clock.now());
                            held.insert((to.clone(), partition.lock_arc()))
                        }
                    };
                    let (result, caused) = self.run_command_in(&mut world.1, &to, command);
                    if let Err(e) = &result {
                        if reply.is_none() {
                            tracing::debug!(code = %e.code, message = %e.message, "command failed");
                        }
                    }
                    // The reply goes first: the sender learns the answer before what the
                    // command set in motion happens (a forwarded event is accepted, then put).
                    if let Some((to, command)) = reply.and_then(|r| r(result)) {
                        queue.push_back(Effect::Send {
                            to,
                            command,
                            reply: None,
                        });
                    }
                    queue.extend(caused.into_vec());
                }
                Effect::Arm { at, to, timer, key } => {
                    let id = self.scheduler.schedule(at, Scheduled { to, timer });
                    if let Some(key) = key {
                        if let Some(old) = self.timer_keys.lock().insert(key, id) {
                            self.scheduler.cancel(old);
                        }
                    }
                }
                Effect::Cancel { key } => {
                    if let Some(id) = self.timer_keys.lock().remove(&key) {
                        self.scheduler.cancel(id);
                    }
                }
                Effect::Spawn(job) => self.spawn(job),
                Effect::SpawnLong(make) => self.spawn_long(make),
            }
        }
    }

    /// Sends one command to a service of `account`/`region` from outside any service (the Rust
    /// and control APIs), applies what it set in motion, and answers what the command answered.
    pub fn command(
        self: &Arc<Self>,
        account: &str,
        region: &str,
        command: impl Into<Command>,
    ) -> Result<serde_json::Value, ServiceError> {
        let to = crate::effects::partition(account, region);
        let partition = self.store.partition(account, region, self.clock.now());
        let mut world = partition.lock_arc();
        let (result, caused) = self.run_command_in(&mut world, &to, command.into());
        self.apply_holding(caused, Some((to, world)));
        result
    }

    /// Runs one command on the world of its partition `to`, whose lock the caller holds; its
    /// effects are returned only if it succeeded.
    fn run_command_in(
        self: &Arc<Self>,
        world: &mut World,
        to: &PartitionKey,
        command: Command,
    ) -> (Result<Value, ServiceError>, Effects) {
        let ctx = RequestContext::internal(&to.0, &to.1, self.clock.now());
        let mut effects = Effects::new();
        let result =
            guarded(|| registry::on_command(world, &ctx, &self.env, &mut effects, command));
        if result.is_err() {
            effects = Effects::new();
        }
        (result, effects)
    }

    /// Runs a due timer in its partition (gone partitions, after a reset, drop it).
    fn run_timer(self: &Arc<Self>, scheduled: Scheduled) {
        let Some(partition) = self.store.existing(&scheduled.to.0, &scheduled.to.1) else {
            return;
        };
        let ctx = RequestContext::internal(&scheduled.to.0, &scheduled.to.1, self.clock.now());
        let mut effects = Effects::new();
        let mut world = partition.lock_arc();
        let ran = guarded(|| {
            registry::on_timer(&mut world, &ctx, &self.env, &mut effects, scheduled.timer);
            Ok(())
        });
        if ran.is_err() {
            effects = Effects::new();
        }
        self.apply_holding(effects, Some((scheduled.to, world)));
    }

    /// Starts a job on the server's runtime. Its effects are applied when it ends, unless the
    /// server was reset meanwhile.
    fn spawn(self: &Arc<Self>, job: Job) {
        let Some(runtime) = self.jobs.runtime() else {
            tracing::warn!("no runtime to run a job on; dropped");
            return;
        };
        let running = self.jobs.start();
        let core = self.clone();
        let generation = self.generation.load(Ordering::Acquire);
        let inner = runtime.spawn(job);
        runtime.spawn(async move {
            let _running = running;
            match inner.await {
                Ok(effects) if core.generation.load(Ordering::Acquire) == generation => {
                    core.apply(effects)
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "a job failed; its result is dropped"),
            }
        });
    }

    fn spawn_long(self: &Arc<Self>, make: crate::effects::LongJob) {
        let Some(runtime) = self.jobs.runtime() else {
            tracing::warn!("no runtime to run a job on; dropped");
            return;
        };
        let running = self.jobs.start_long();
        let core = self.clone();
        let generation = self.generation.load(Ordering::Acquire);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let inner = runtime.spawn(make(crate::effects::Outlet::new(tx)));
        runtime.spawn(async move {
            let _running = running;
            let current = |core: &Core| core.generation.load(Ordering::Acquire) == generation;
            // The channel closes when the job ends (or panics) and drops its outlet.
            while let Some(effects) = rx.recv().await {
                if current(&core) {
                    core.apply(effects);
                }
            }
            match inner.await {
                Ok(effects) if current(&core) => core.apply(effects),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "a job failed; its result is dropped"),
            }
        });
    }

    /// Fires every timer due at or before virtual `now`, each at its own instant, without
    /// waiting for the jobs they start (the realtime loop calls this).
    pub fn fire_due(self: &Arc<Self>, now: f64) -> usize {
        let mut fired = 0;
        while let Some((at, scheduled)) = self.scheduler.pop_due(now) {
            self.clock.set_at_least(at);
            self.run_timer(scheduled);
            fired += 1;
        }
        fired
    }

    /// Waits until the engine is idle: no timer due now and no job running.
    pub async fn settle(self: &Arc<Self>) -> usize {
        self.settle_jobs(true).await
    }

    /// Runs due timers and waits for jobs (long ones too if `long`) until nothing is left.
    async fn settle_jobs(self: &Arc<Self>, long: bool) -> usize {
        let mut fired = 0;
        loop {
            fired += self.fire_due(self.clock.now());
            if !self.jobs.wait(long).await {
                return fired;
            }
        }
    }

    /// Moves virtual time forward by `by`, running every timer due on the way in time order and
    /// letting the jobs each starts finish before the next (so a manual-clock run is the same
    /// every time). Long jobs (local builds) are not waited for: their own timeout timers must
    /// be able to fire; `settle` waits for them. Returns how many timers fired.
    pub async fn advance(self: &Arc<Self>, by: Duration) -> usize {
        let _one_at_a_time = self.advancing.lock().await;
        let target = self.clock.now() + by.as_secs_f64();
        let mut fired = self.settle_jobs(false).await;
        while let Some((at, scheduled)) = self.scheduler.pop_due(target) {
            self.clock.set_at_least(at);
            self.run_timer(scheduled);
            fired += 1;
            fired += self.settle_jobs(false).await;
        }
        self.clock.set_at_least(target);
        fired + self.settle_jobs(false).await
    }

    /// Forgets all state, timers and logs, and restarts the id sequences: the server looks
    /// freshly started (the clock keeps its time, so that time never runs backwards).
    pub fn reset(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.store.clear();
        self.scheduler.clear();
        self.timer_keys.lock().clear();
        self.env.requests.lock().clear();
        self.env.events.lock().clear();
        self.env.ids.reseed(self.env.config.seed);
        self.env
            .request_ids
            .reseed(request_id_seed(self.env.config.seed));
        self.env.outcomes.reset();
        self.env.faults.reset();
        self.env.invocations.reset();
        self.env.codebuild_values.reset();
        self.env.codedeploy_alarms.reset();
        self.env.sns_notifications.reset();
    }
}

impl Env {
    pub fn record_request(&self, record: RequestRecord) {
        push_bounded(&mut self.requests.lock(), record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.requests.lock().iter().cloned().collect()
    }

    pub fn record_event(&self, record: crate::services::events::log::DeliveryRecord) {
        push_bounded(&mut self.events.lock(), record);
    }

    /// The delivery log as JSON records, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.events.lock().iter().map(|r| r.to_json()).collect()
    }
}

/// A partition lock carried from a handler (or a command) into the effects it caused.
type Held = (
    PartitionKey,
    parking_lot::ArcMutexGuard<parking_lot::RawMutex, World>,
);

/// Runs `f`, turning a panic (a codemock bug) into a 500. parking_lot locks do not poison, so the
/// partition it ran on stays usable; the caller drops the half-made effects.
fn guarded<R>(f: impl FnOnce() -> Result<R, ServiceError>) -> Result<R, ServiceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        tracing::error!("a handler, command or timer panicked; its effects are dropped");
        Err(ServiceError::internal(
            "codemock hit an internal error handling this request",
        ))
    })
}

/// Appends to a log, dropping its oldest record when full (a ring, so a full log costs no more
/// per record than an empty one).
fn push_bounded<T>(log: &mut VecDeque<T>, item: T) {
    // At full size from the first record: a ring that doubled its way up would copy itself and
    // fault in fresh pages at each step (`make bench` saw that as a few percent of a PutEvents).
    // Not before the first record, so that an idle server stays small.
    if log.capacity() == 0 {
        log.reserve_exact(LOG_CAPACITY);
    }
    if log.len() >= LOG_CAPACITY {
        log.pop_front();
    }
    log.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::events;

    fn manual() -> Arc<Core> {
        Core::new(Config::default())
    }

    fn ctx() -> RequestContext {
        RequestContext::internal("000000000000", "us-east-1", 0.0)
    }

    fn replay_step() -> Scheduled {
        // A step of a replay that does not exist: it fires and does nothing.
        Scheduled {
            to: ("000000000000".into(), "us-east-1".into()),
            timer: Timer::Events(events::Timer::Replay {
                name: "none".into(),
            }),
        }
    }

    #[tokio::test]
    async fn advance_fires_due_timers_at_their_instants() {
        let core = manual();
        let start = core.clock.now();
        core.store.partition("000000000000", "us-east-1", start);
        core.scheduler.schedule(start + 10.0, replay_step());
        core.scheduler.schedule(start + 100.0, replay_step());
        assert_eq!(core.advance(Duration::from_secs(50)).await, 1);
        assert_eq!(core.clock.now(), start + 50.0);
        assert_eq!(core.advance(Duration::from_secs(50)).await, 1);
        assert!(core.scheduler.is_empty());
    }

    #[test]
    fn a_panicking_handler_is_a_500_and_the_partition_survives() {
        let core = manual();
        let r: Result<(), _> = core.with_state(&ctx(), |w| &mut w.events, |_| panic!("bug"));
        assert_eq!(r.expect_err("panics become errors").status, 500);
        let r = core.with_state(&ctx(), |w| &mut w.events, |c| Ok(c.state.buses.len()));
        assert_eq!(r.expect("the partition still works"), 1);
    }

    #[test]
    fn effects_of_a_failed_call_are_dropped() {
        let core = manual();
        let r: Result<(), _> = core.with_state(
            &ctx(),
            |w| &mut w.events,
            |c| {
                c.effects.arm(
                    10.0,
                    "000000000000",
                    "us-east-1",
                    events::Timer::Replay { name: "x".into() },
                );
                Err(ServiceError::validation("no"))
            },
        );
        assert!(r.is_err());
        assert!(core.scheduler.is_empty());
    }

    #[test]
    fn a_keyed_timer_is_replaced_and_cancelled() {
        let core = manual();
        let arm = |c: &mut Call<'_, events::state::State>, at| {
            c.effects.arm_keyed(
                "k",
                at,
                "000000000000",
                "us-east-1",
                events::Timer::Replay { name: "x".into() },
            );
        };
        core.with_state(
            &ctx(),
            |w| &mut w.events,
            |c| {
                arm(c, 10.0);
                arm(c, 20.0);
                Ok(())
            },
        )
        .expect("arms");
        assert_eq!(core.scheduler.len(), 1);
        core.with_state(
            &ctx(),
            |w| &mut w.events,
            |c| {
                c.effects.cancel("k");
                Ok(())
            },
        )
        .expect("cancels");
        assert!(core.scheduler.is_empty());
    }

    #[test]
    fn reset_forgets_state_and_restarts_ids() {
        let core = manual();
        let first = core.ids.uuid();
        let first_request = core.request_ids.uuid();
        core.store.partition("1", "r", 0.0);
        core.reset();
        assert!(core.store.keys().is_empty());
        assert_eq!(core.ids.uuid(), first);
        assert_eq!(core.request_ids.uuid(), first_request);
        assert_ne!(first, first_request, "the two streams differ");
    }
}

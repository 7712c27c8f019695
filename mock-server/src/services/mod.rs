//! The emulated services. `registry` lists them; each folder holds one service's state, its
//! typed operation handlers, its ports (the commands other services may send it) and its timers.
//!
//! A handler is a plain function over its own service's state in one partition: it gets a
//! [`Call`] (the request, its state, the engine's shared parts, an effects sink) and never sees
//! HTTP, the store, or another service's state. Operations without a handler answer 501
//! `NotImplementedException` (decided before any validation), never a made-up success.

pub mod codebuild;
pub mod codedeploy;
pub mod codepipeline;
pub mod events;
pub mod logs;
pub(crate) mod pagination;
pub(crate) mod registry;
pub mod s3;
pub mod sqs;

pub use registry::{Command, ServiceKind, Timer, World};

use crate::core::{Core, Env, RequestContext};
use crate::effects::Effects;
use crate::error::ServiceError;
use serde_json::Value;
use std::marker::PhantomData;

/// What a handler, a port command or a timer callback of a service gets.
pub struct Call<'a, S> {
    /// Who asks, where and when (for commands and timers: the partition and the virtual now).
    pub ctx: &'a RequestContext,
    /// The service's own state in this partition.
    pub state: &'a mut S,
    /// The engine's shared parts: configuration, clock, ids, logs, outcome rules.
    pub core: &'a Env,
    /// Commands, events, timers and jobs to apply once the lock is released.
    pub effects: &'a mut Effects,
}

/// The handler contract of a service whose state is `S`, for its generated `Handlers` table.
#[derive(Debug)]
pub struct Api<S>(PhantomData<S>);

impl<S: 'static> codemock_wire::dispatch::Handling for Api<S> {
    type Cx<'a> = Call<'a, S>;
    type Error = ServiceError;

    fn bad_input(message: String) -> ServiceError {
        ServiceError::new("SerializationException", message)
    }
}

/// Runs a call on one service's state in a world of type `W` under its partition's lock. The
/// typed fast path enters handlers through it ([`Locked`]); the registry is generic in it only so
/// that a test registry with its own world type compiles too.
pub trait WorldLock<W> {
    fn with_state<S, R>(
        self,
        pick: fn(&mut W) -> &mut S,
        f: impl FnOnce(&mut Call<'_, S>) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError>;
}

/// The request's partition of the engine, locked through [`Core::with_state`], so that effects
/// are applied as for every other call.
#[derive(Clone, Copy)]
pub struct CoreLock<'c> {
    pub core: &'c std::sync::Arc<Core>,
    pub ctx: &'c RequestContext,
}

impl WorldLock<World> for CoreLock<'_> {
    fn with_state<S, R>(
        self,
        pick: fn(&mut World) -> &mut S,
        f: impl FnOnce(&mut Call<'_, S>) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        self.core.with_state(self.ctx, pick, f)
    }
}

/// Enters one service's context for the typed fast path: `lock`, then the state `pick` chooses.
pub struct Locked<L, W, S> {
    pub lock: L,
    pub pick: fn(&mut W) -> &mut S,
}

impl<L: WorldLock<W>, W, S: 'static> codemock_wire::dispatch::Enter<Api<S>> for Locked<L, W, S> {
    fn enter<R>(
        self,
        f: impl FnOnce(
            &mut <Api<S> as codemock_wire::dispatch::Handling>::Cx<'_>,
        ) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        self.lock.with_state(self.pick, f)
    }
}

/// A handler that may wait: it gets the engine and the request, and locks its partition itself
/// through [`Core::with_state`], never across an `.await`.
pub type AsyncHandler = fn(
    std::sync::Arc<Core>,
    RequestContext,
    Value,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Value, ServiceError>> + Send>,
>;

/// For services without operations that wait.
pub fn no_async_handler(_operation: &str) -> Option<AsyncHandler> {
    None
}

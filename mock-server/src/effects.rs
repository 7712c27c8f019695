//! Effects: what a handler, a port command, a timer callback or a job asks the engine to do once
//! the partition lock is released. A handler never acts on another service, the scheduler or the
//! outside world directly; it records effects here, and the engine applies them in order, only
//! when the handler returned `Ok` (a failed request changes nothing, so it causes nothing).

use crate::error::ServiceError;
use crate::services::registry::{Command, Timer};
use crate::store::PartitionKey;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// Turns the answer of a port command into the message that carries it back to the sender
/// ("waiting" for another service is this reply, never polling).
pub type Reply =
    Box<dyn FnOnce(Result<Value, ServiceError>) -> Option<(PartitionKey, Command)> + Send>;

/// A typed notification a service keeps and fires later (a build's end for the pipeline that
/// started it, an object's bytes for the build that asked): the sender decides which message of
/// its own the notification becomes, so the notifying service never names the sender's types.
pub struct Notify<T>(Box<dyn FnOnce(T) -> Option<(PartitionKey, Command)> + Send>);

impl<T> Notify<T> {
    pub fn new(f: impl FnOnce(T) -> Option<(PartitionKey, Command)> + Send + 'static) -> Notify<T> {
        Notify(Box::new(f))
    }

    /// Fires the notification: its message (if any) is sent once the current lock is released.
    pub fn fire(self, value: T, effects: &mut Effects) {
        if let Some((to, command)) = (self.0)(value) {
            effects.send_to(to, command);
        }
    }
}

impl<T> std::fmt::Debug for Notify<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notify(..)")
    }
}

/// Work on the outside world (an HTTP call, a shell); its result is more effects, usually one
/// command carrying the outcome back into a state machine.
pub type Job = Pin<Box<dyn Future<Output = Effects> + Send>>;

/// Where a long job sends effects while it runs (a build's log lines and phase ends as they
/// happen); each batch is applied as soon as it arrives.
#[derive(Debug, Clone)]
pub struct Outlet(tokio::sync::mpsc::UnboundedSender<Effects>);

impl Outlet {
    pub fn new(sender: tokio::sync::mpsc::UnboundedSender<Effects>) -> Outlet {
        Outlet(sender)
    }

    /// Applies `effects` now (dropped if the server was reset or stopped meanwhile).
    pub fn send(&self, effects: Effects) {
        let _ = self.0.send(effects);
    }
}

/// A long job, made once its outlet exists.
pub type LongJob = Box<dyn FnOnce(Outlet) -> Job + Send>;

/// One thing to do after the lock is gone.
pub enum Effect {
    /// A command to a service's port in the partition `to`, with an optional reply.
    Send {
        to: PartitionKey,
        command: Command,
        reply: Option<Reply>,
    },
    /// A timer for virtual time `at`, delivered to the partition `to`. A keyed timer replaces the
    /// pending one with the same key.
    Arm {
        at: f64,
        to: PartitionKey,
        timer: Timer,
        key: Option<String>,
    },
    /// Cancels the pending keyed timer, if any.
    Cancel { key: String },
    /// Runs a job without blocking the request or the timer loop.
    Spawn(Job),
    /// Runs a long job: it streams effects through its outlet, and advancing the clock does not
    /// wait for it (only [`crate::core::Core::settle`] does).
    SpawnLong(LongJob),
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Send {
                to, command, reply, ..
            } => f
                .debug_struct("Send")
                .field("to", to)
                .field("command", command)
                .field("reply", &reply.is_some())
                .finish(),
            Effect::Arm { at, to, timer, key } => f
                .debug_struct("Arm")
                .field("at", at)
                .field("to", to)
                .field("timer", timer)
                .field("key", key)
                .finish(),
            Effect::Cancel { key } => f.debug_struct("Cancel").field("key", key).finish(),
            Effect::Spawn(_) => f.write_str("Spawn(..)"),
            Effect::SpawnLong(_) => f.write_str("SpawnLong(..)"),
        }
    }
}

/// The effects sink handed to handlers, port commands, timer callbacks and jobs.
#[derive(Debug, Default)]
pub struct Effects {
    list: Vec<Effect>,
}

/// The partition key of `account`/`region`.
pub fn partition(account: &str, region: &str) -> PartitionKey {
    (account.to_owned(), region.to_owned())
}

impl Effects {
    pub fn new() -> Effects {
        Effects::default()
    }

    /// Sends `command` to its service in `account`/`region`; its answer is dropped.
    pub fn send(&mut self, account: &str, region: &str, command: impl Into<Command>) {
        self.list.push(Effect::Send {
            to: partition(account, region),
            command: command.into(),
            reply: None,
        });
    }

    /// Sends `command` to the partition `to`.
    pub fn send_to(&mut self, to: PartitionKey, command: impl Into<Command>) {
        self.list.push(Effect::Send {
            to,
            command: command.into(),
            reply: None,
        });
    }

    /// Sends `command` and hands its answer to `reply`, whose message (if any) is sent next.
    pub fn send_then(
        &mut self,
        account: &str,
        region: &str,
        command: impl Into<Command>,
        reply: impl FnOnce(Result<Value, ServiceError>) -> Option<(PartitionKey, Command)>
            + Send
            + 'static,
    ) {
        self.list.push(Effect::Send {
            to: partition(account, region),
            command: command.into(),
            reply: Some(Box::new(reply)),
        });
    }

    /// Arms a timer for virtual time `at` in `account`/`region`.
    pub fn arm(&mut self, at: f64, account: &str, region: &str, timer: impl Into<Timer>) {
        self.list.push(Effect::Arm {
            at,
            to: partition(account, region),
            timer: timer.into(),
            key: None,
        });
    }

    /// Arms a timer that replaces (and can be cancelled by) `timer_key`.
    pub fn arm_keyed(
        &mut self,
        timer_key: impl Into<String>,
        at: f64,
        account: &str,
        region: &str,
        timer: impl Into<Timer>,
    ) {
        self.list.push(Effect::Arm {
            at,
            to: partition(account, region),
            timer: timer.into(),
            key: Some(timer_key.into()),
        });
    }

    /// Cancels the keyed timer `timer_key` if it has not fired.
    pub fn cancel(&mut self, timer_key: impl Into<String>) {
        self.list.push(Effect::Cancel {
            key: timer_key.into(),
        });
    }

    /// Runs `job` in the background; the effects it returns are applied when it finishes.
    pub fn spawn(&mut self, job: impl Future<Output = Effects> + Send + 'static) {
        self.list.push(Effect::Spawn(Box::pin(job)));
    }

    /// Runs a long job (see [`Effect::SpawnLong`]).
    pub fn spawn_long<F>(&mut self, make: impl FnOnce(Outlet) -> F + Send + 'static)
    where
        F: Future<Output = Effects> + Send + 'static,
    {
        self.list.push(Effect::SpawnLong(Box::new(move |outlet| {
            Box::pin(make(outlet))
        })));
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn into_vec(self) -> Vec<Effect> {
        self.list
    }
}

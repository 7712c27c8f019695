//! EventBridge: event buses, rules, targets, schedules, archives and replays, connections and API
//! destinations, and the delivery of events to targets.

pub mod api_destination;
pub mod delivery;
pub mod handlers;
pub mod log;
pub mod pattern;
pub mod ports;
pub mod replay;
pub mod schedule;
pub mod state;
pub mod transform;

pub use crate::services::no_async_handler as async_handler;
pub use handlers::HANDLERS;

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// EventBridge's wake-ups on virtual time.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// A scheduled rule's next occurrence.
    Schedule(Box<delivery::ScheduleTick>),
    /// Another attempt at a target invocation that failed.
    Retry(Box<delivery::Attempt>),
    /// The next step of a replay.
    Replay { name: String },
}

pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
    match timer {
        Timer::Schedule(tick) => delivery::on_schedule(call, *tick),
        Timer::Retry(attempt) => delivery::retry(call, *attempt),
        Timer::Replay { name } => replay::on_timer(call, &name),
    }
}

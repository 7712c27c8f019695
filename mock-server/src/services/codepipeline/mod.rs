//! CodePipeline: pipelines, their executions and actions.

pub mod execution;
pub mod handlers;
pub mod ports;
pub mod state;

pub use crate::services::no_async_handler as async_handler;
pub use handlers::HANDLERS;

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// This service's wake-ups on virtual time (none yet).
#[derive(Debug)]
pub enum Timer {}

pub fn on_timer(_call: &mut Call<'_>, timer: Timer) {
    match timer {}
}

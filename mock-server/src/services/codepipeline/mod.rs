//! CodePipeline: pipelines, their executions and actions. `execution.rs` is the pure engine,
//! `runtime.rs` turns its outputs into effects, `actions/` holds the providers doing the work.

pub mod actions;
pub mod conditions;
pub mod execution;
pub mod git;
pub mod handlers;
pub mod ports;
pub mod runtime;
pub mod state;
pub mod testing;
pub mod types;
pub mod validate;
pub mod variables;

pub use handlers::{async_handler, HANDLERS};

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// This service's wake-ups on virtual time.
#[derive(Debug)]
pub enum Timer {
    /// A simulated action's work ends.
    ActionDone {
        pipeline: String,
        action_execution_id: String,
        outcome: Box<actions::Outcome>,
    },
    /// Time to look for new versions of polled S3 sources.
    Poll { pipeline: String },
    /// A manual approval was not answered within 7 days.
    ApprovalExpired {
        pipeline: String,
        action_execution_id: String,
    },
    /// A waiting rule of a stage condition looks again (a deployment window opens, an alarm's
    /// wait time passes).
    RuleCheck {
        pipeline: String,
        rule_execution_id: String,
    },
}

pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
    match timer {
        Timer::ActionDone {
            pipeline,
            action_execution_id,
            outcome,
        } => runtime::complete(call, &pipeline, &action_execution_id, *outcome),
        Timer::Poll { pipeline } => actions::s3_source::poll(call, &pipeline),
        Timer::ApprovalExpired {
            pipeline,
            action_execution_id,
        } => actions::approval::expire(call, &pipeline, &action_execution_id),
        Timer::RuleCheck {
            pipeline,
            rule_execution_id,
        } => conditions::recheck(call, &pipeline, &rule_execution_id),
    }
}

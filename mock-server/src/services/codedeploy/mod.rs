//! CodeDeploy: applications, deployment groups, configurations, on-premises instances,
//! revisions, and deployments that move through their lifecycle on virtual time.
//!
//! [`deployment`] is the pure lifecycle machine; [`runner`] connects it to the engine (revision
//! reads through S3's port, simulated hook scripts, Lambda hook invocations, traffic shifts,
//! EventBridge events); [`appspec`] parses AppSpecs and bundles; [`configs`] holds the predefined
//! deployment configurations; [`alarms`] the CloudWatch alarm states tests set; [`triggers`]
//! the deployment-group trigger notifications (recorded SNS messages).

pub mod alarms;
pub mod appspec;
pub mod configs;
pub mod deployment;
pub mod handlers;
pub mod ports;
pub mod runner;
pub mod state;
pub mod triggers;

pub use crate::services::no_async_handler as async_handler;
pub use handlers::HANDLERS;

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// This service's wake-ups on virtual time.
#[derive(Debug)]
pub enum Timer {
    /// A content revision is ready to deploy (the deployment leaves Created).
    Begin { deployment_id: String },
    /// A simulated lifecycle event ends with `result`.
    EventDone {
        deployment_id: String,
        target: usize,
        event: usize,
        result: Result<(), deployment::Diagnostics>,
    },
    /// A Lambda/ECS hook got no status within the hour.
    HookTimeout { execution_id: String },
    /// A blue/green wait (Ready, or the original fleet's termination) is over.
    WaitOver {
        deployment_id: String,
        wait: deployment::Wait,
    },
    /// A deployment in progress looks at its group's CloudWatch alarms.
    AlarmPoll { deployment_id: String },
    /// A traffic-shifting step of AllowTraffic.
    Shift {
        deployment_id: String,
        target: usize,
        event: usize,
        weight: f64,
        last: bool,
    },
}

pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
    match timer {
        Timer::Begin { deployment_id } => runner::begin(call, &deployment_id),
        Timer::EventDone {
            deployment_id,
            target,
            event,
            result,
        } => {
            // A deployment that ended meanwhile ignores its late wake-ups.
            let _ = runner::feed(
                call,
                &deployment_id,
                deployment::Input::Done {
                    target,
                    event,
                    result,
                },
            );
        }
        Timer::HookTimeout { execution_id } => {
            let Some(h) = call.state.hook_executions.get_mut(&execution_id) else {
                return;
            };
            if h.done {
                return;
            }
            h.done = true;
            let h = h.clone();
            let _ = runner::feed(
                call,
                &h.deployment_id,
                deployment::Input::Done {
                    target: h.target,
                    event: h.event,
                    result: Err(runner::hook_failed(
                        "The lifecycle event hook timed out: no status was put within 3600 seconds."
                            .into(),
                    )),
                },
            );
        }
        Timer::WaitOver {
            deployment_id,
            wait,
        } => {
            let _ = runner::feed(call, &deployment_id, deployment::Input::WaitOver(wait));
        }
        Timer::AlarmPoll { deployment_id } => runner::poll_alarms(call, &deployment_id),
        Timer::Shift {
            deployment_id,
            target,
            event,
            weight,
            last,
        } => runner::shift(call, &deployment_id, target, event, weight, last),
    }
}

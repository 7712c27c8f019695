//! What other services may ask of EventBridge: putting an event on a bus (S3's notifications
//! today; CodePipeline, CodeBuild and CodeDeploy state changes next), and the answers that come
//! back to it from the services its targets live in.

use super::delivery::{self, Attempt, Dispatch, Failure, PartnerSourceOffer};
use super::Call;
use crate::effects::Effects;
use crate::error::ServiceError;
use serde_json::Value;

/// EventBridge's cron and rate expressions, pure, for other services that schedule by them
/// (CodePipeline's DeploymentWindow rule reads the same six-field cron).
pub use super::schedule::Schedule;

/// The commands EventBridge accepts.
#[derive(Debug)]
pub enum Command {
    /// An event for a bus of this partition (the envelope is complete).
    Put(Box<Dispatch>),
    /// An event forwarded by another bus's rule (one hop); fails when the bus does not exist.
    Forward(Box<Dispatch>),
    /// A partner event source offered to (or withdrawn from) this account.
    PartnerSource(Box<PartnerSourceOffer>),
    /// The answer of a target invoked through another service's port or a job.
    TargetDone(Box<TargetDone>),
    /// The answer of the queue a failed event was dead-lettered to.
    DeadLettered {
        report: Value,
        result: Result<(), Failure>,
    },
}

/// A target's answer to one attempt.
#[derive(Debug)]
pub struct TargetDone {
    pub attempt: Attempt,
    /// The target type the delivery log names (`sqs`, `logs`, `event-bus`, `api-destination`).
    pub kind: &'static str,
    pub result: Result<(), Failure>,
}

/// Puts `event` (a complete envelope) on `bus` of `account`/`region`, as a service emitting its
/// state changes does.
pub fn put_event(effects: &mut Effects, account: &str, region: &str, bus: &str, event: Value) {
    effects.send(
        account,
        region,
        Command::Put(Box::new(Dispatch::put(bus, event))),
    );
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::Put(d) => delivery::dispatch(call, *d),
        Command::Forward(d) => delivery::forward(call, *d),
        Command::PartnerSource(o) => {
            delivery::offer_partner_source(call, *o);
            Ok(Value::Null)
        }
        Command::TargetDone(done) => {
            delivery::target_done(call, *done);
            Ok(Value::Null)
        }
        Command::DeadLettered { report, result } => {
            delivery::dead_lettered(call, report, result);
            Ok(Value::Null)
        }
    }
}

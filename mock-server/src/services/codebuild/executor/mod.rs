//! Executors carry out a build's phases: [`simulated`] (phases take virtual time, outcomes come
//! from the outcome rules and tags) and [`local`] (the buildspec's commands run in a shell in a
//! fresh workspace, as a job). Each answers, for the phase a build just entered, how it ends.

pub mod simulated;

use super::build::PhaseEnd;
use super::state::ExecutorKind;
use super::Call;
use codemock_wire::codebuild::BuildPhaseType as Phase;

/// How the phase a build entered will end.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// It ends so after `seconds` of virtual time.
    After { seconds: f64, end: PhaseEnd },
    /// The build is stopped after `seconds` (an outcome rule said STOPPED).
    Stop { seconds: f64 },
    /// The build times out after `seconds` (an outcome rule said TIMED_OUT).
    TimeOut { seconds: f64 },
    /// It never ends by itself (until the build's timeout or a stop).
    Hang,
    /// A job carries it out and reports its end as a message.
    External,
}

/// The plan for `phase` of build `id`.
pub fn plan(call: &mut Call<'_>, id: &str, phase: Phase) -> Plan {
    let Some(b) = call.state.builds.get(id) else {
        return Plan::Hang;
    };
    match b.executor {
        ExecutorKind::Simulate => simulated::plan(call.core, b, phase),
        ExecutorKind::Local => simulated::plan(call.core, b, phase),
    }
}

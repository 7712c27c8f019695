//! CodeBuild: projects and their builds. A build is a phase machine ([`build`]) driven by
//! [`run`], whose phases an executor ([`executor`]) carries out: simulated on the virtual clock by
//! default, or for real in a local shell. A sandbox is a long-lived build-like environment of a
//! project ([`sandbox`], driven by [`sandbox_run`]) that runs commands on request.

pub mod artifacts;
pub mod batch;
pub mod build;
pub mod buildspec;
pub mod executor;
pub mod handlers;
pub mod ports;
pub mod reports;
pub mod resources;
pub mod run;
pub mod sandbox;
pub mod sandbox_run;
pub mod state;
pub mod values;

pub use crate::services::no_async_handler as async_handler;
pub use handlers::HANDLERS;

use build::PhaseEnd;
use codemock_wire::codebuild::BuildPhaseType;

/// What this service's handlers, commands and timers get.
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// This service's wake-ups on virtual time.
#[derive(Debug)]
pub enum Timer {
    /// The simulated executor's phase ends.
    PhaseEnded {
        build_id: String,
        phase: BuildPhaseType,
        end: PhaseEnd,
    },
    /// `timeoutInMinutes` passed (or an outcome rule timed the build out).
    TimedOut { build_id: String },
    /// `queuedTimeoutInMinutes` passed while the build waited in QUEUED.
    QueuedTimedOut { build_id: String },
    /// An outcome rule stops the build.
    Stop { build_id: String },
    /// A batch's DOWNLOAD_BATCHSPEC ends.
    BatchSpecRead { batch_id: String },
    /// A batch's COMBINE_ARTIFACTS ends.
    BatchCombined { batch_id: String },
    /// A sandbox session's phase ends (simulated durations, outcome rules).
    SandboxPhaseEnded {
        sandbox_id: String,
        phase: sandbox::Phase,
        end: PhaseEnd,
    },
    /// A sandbox's queued or run timeout passed (or an outcome rule timed it out).
    SandboxTimedOut { sandbox_id: String },
    /// An outcome rule stops the sandbox.
    SandboxStop { sandbox_id: String },
    /// A simulated command in a sandbox exits.
    CommandExited {
        sandbox_id: String,
        command_id: String,
        exit_code: i64,
        stderr: Option<String>,
    },
}

pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
    match timer {
        Timer::PhaseEnded {
            build_id,
            phase,
            end,
        } => run::phase_ended(call, &build_id, phase, end),
        Timer::TimedOut { build_id } => run::timed_out(call, &build_id, false),
        Timer::QueuedTimedOut { build_id } => run::timed_out(call, &build_id, true),
        Timer::Stop { build_id } => {
            let _ = run::stop(call, &build_id);
        }
        Timer::BatchSpecRead { batch_id } => batch::batchspec_read(call, &batch_id),
        Timer::BatchCombined { batch_id } => batch::combined(call, &batch_id),
        Timer::SandboxPhaseEnded {
            sandbox_id,
            phase,
            end,
        } => sandbox_run::phase_ended(call, &sandbox_id, phase, end),
        Timer::SandboxTimedOut { sandbox_id } => sandbox_run::timed_out(call, &sandbox_id),
        Timer::SandboxStop { sandbox_id } => sandbox_run::stopped_by_rule(call, &sandbox_id),
        Timer::CommandExited {
            sandbox_id,
            command_id,
            exit_code,
            stderr,
        } => sandbox_run::command_exited(call, &sandbox_id, &command_id, exit_code, None, stderr),
    }
}

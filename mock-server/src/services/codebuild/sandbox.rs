//! The life of a CodeBuild sandbox and of the commands run in it, as pure transition functions:
//! a sandbox's session walks SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE into RUN_SANDBOX,
//! where it stays (ready for commands) until StopSandbox or its timeout, then FINALIZING and
//! COMPLETED. Commands wait until the sandbox is ready and run one at a time. No I/O, no clock:
//! the caller says when.
//!
//! AWS documents none of these values (the model's `status`, `phaseType` and `currentPhase` are
//! plain strings, and neither the user guide nor the CLI examples show a sandbox). Every status
//! and phase name below is therefore unconfirmed: they are chosen to match CodeBuild builds (the
//! same phase names where a build has the same step, `StatusType` values for the session and
//! its phases), with RUN_SANDBOX for the time the environment waits for commands.

use super::build::PhaseEnd;
use codemock_wire::codebuild::StatusType;

/// A sandbox's status as `Sandbox.status` reports it (unconfirmed values, see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Requested, waiting for a machine.
    Queued,
    /// Its environment is being provisioned and its source downloaded.
    Provisioning,
    /// Ready for commands and connections.
    Ready,
    /// StopSandbox (or the timeout) was taken; the session is finalizing.
    Stopping,
    /// Over: stopped, timed out or failed to start.
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "QUEUED",
            Status::Provisioning => "PROVISIONING",
            Status::Ready => "READY",
            Status::Stopping => "STOPPING",
            Status::Stopped => "STOPPED",
        }
    }
}

/// A phase of a sandbox session (unconfirmed names, see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Submitted,
    Queued,
    Provisioning,
    DownloadSource,
    /// The environment is up and takes commands; it ends only by a stop or the timeout.
    RunSandbox,
    Finalizing,
    Completed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Submitted => "SUBMITTED",
            Phase::Queued => "QUEUED",
            Phase::Provisioning => "PROVISIONING",
            Phase::DownloadSource => "DOWNLOAD_SOURCE",
            Phase::RunSandbox => "RUN_SANDBOX",
            Phase::Finalizing => "FINALIZING",
            Phase::Completed => "COMPLETED",
        }
    }
}

/// A finished (or, for COMPLETED, entered) session phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRecord {
    pub phase: Phase,
    pub start: f64,
    /// `None` for COMPLETED.
    pub end: Option<PhaseEnd>,
    pub end_time: f64,
}

/// What happens to a sandbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The current phase ended so (the executor's report).
    PhaseEnded(PhaseEnd),
    /// StopSandbox.
    Stop,
    /// `timeoutInMinutes` passed (or `queuedTimeoutInMinutes` while queued).
    TimedOut,
}

/// What the caller must do after a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A phase ended (for the session log).
    PhaseCompleted(PhaseRecord),
    /// A new phase began; plan its end (RUN_SANDBOX: run the waiting commands).
    Entered(Phase),
    /// The session is over with this status.
    Finished(StatusType),
}

/// Why a step could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The session already completed.
    Completed,
    /// A stop or timeout while the session already winds down.
    Stopping,
}

/// The machine of one sandbox session.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub current: Phase,
    pub current_start: f64,
    /// `IN_PROGRESS` until COMPLETED, then how the session ended.
    pub session_status: StatusType,
    pub phases: Vec<PhaseRecord>,
    /// A stop or timeout was taken (FINALIZING after it reads STOPPING).
    pub stopping: bool,
}

impl Machine {
    /// A sandbox requested at `now`.
    pub fn new(now: f64) -> Machine {
        Machine {
            current: Phase::Submitted,
            current_start: now,
            session_status: StatusType::InProgress,
            phases: Vec::new(),
            stopping: false,
        }
    }

    pub fn is_complete(&self) -> bool {
        self.current == Phase::Completed
    }

    /// Whether commands may run now.
    pub fn is_ready(&self) -> bool {
        self.current == Phase::RunSandbox
    }

    /// Whether the sandbox still takes commands (now or once it is ready).
    pub fn takes_commands(&self) -> bool {
        !self.stopping && !matches!(self.current, Phase::Finalizing | Phase::Completed)
    }

    /// The sandbox's status.
    pub fn status(&self) -> Status {
        match self.current {
            Phase::Submitted | Phase::Queued => Status::Queued,
            Phase::Provisioning | Phase::DownloadSource => Status::Provisioning,
            Phase::RunSandbox => Status::Ready,
            Phase::Finalizing => Status::Stopping,
            Phase::Completed => Status::Stopped,
        }
    }

    /// Applies `input` at `now`.
    pub fn step(&mut self, input: Input, now: f64) -> Result<Vec<Output>, Refusal> {
        if self.is_complete() {
            return Err(Refusal::Completed);
        }
        let mut out = Vec::new();
        match input {
            Input::PhaseEnded(end) => {
                let ok = end.status == StatusType::Succeeded;
                if !ok && self.session_status == StatusType::InProgress {
                    self.session_status = end.status;
                }
                let was = self.current;
                self.close(end, now, &mut out);
                self.enter(next_phase(was, ok), now, &mut out);
            }
            Input::Stop | Input::TimedOut => {
                if self.stopping || self.current == Phase::Finalizing {
                    return Err(Refusal::Stopping);
                }
                // The same contexts a build writes when it is stopped or times out.
                let (status, code, message) = if input == Input::Stop {
                    (StatusType::Stopped, "BUILD_STOPPED", "Build was stopped")
                } else {
                    (
                        StatusType::TimedOut,
                        "BUILD_TIMED_OUT",
                        "Build has timed out. ",
                    )
                };
                self.stopping = true;
                let was = self.current;
                self.close(PhaseEnd::failed(status, code, message), now, &mut out);
                self.session_status = status;
                let next = match was {
                    // Nothing was provisioned yet.
                    Phase::Submitted | Phase::Queued => Phase::Completed,
                    _ => Phase::Finalizing,
                };
                self.enter(next, now, &mut out);
            }
        }
        Ok(out)
    }

    fn close(&mut self, end: PhaseEnd, now: f64, out: &mut Vec<Output>) {
        let record = PhaseRecord {
            phase: self.current,
            start: self.current_start,
            end: Some(end),
            end_time: now,
        };
        self.phases.push(record.clone());
        out.push(Output::PhaseCompleted(record));
    }

    fn enter(&mut self, phase: Phase, now: f64, out: &mut Vec<Output>) {
        self.current = phase;
        self.current_start = now;
        if phase == Phase::Completed {
            // A session that ends by itself (FINALIZING after a failure) keeps its failure; one
            // that never failed nor was stopped cannot reach here, but reads STOPPED if it did.
            if self.session_status == StatusType::InProgress {
                self.session_status = StatusType::Stopped;
            }
            self.phases.push(PhaseRecord {
                phase,
                start: now,
                end: None,
                end_time: now,
            });
            out.push(Output::Finished(self.session_status));
        } else {
            out.push(Output::Entered(phase));
        }
    }
}

/// The phase after `phase` ended, successfully or not.
pub fn next_phase(phase: Phase, succeeded: bool) -> Phase {
    use Phase::*;
    match (phase, succeeded) {
        (Submitted, true) => Queued,
        (Queued, true) => Provisioning,
        (Provisioning, true) => DownloadSource,
        (DownloadSource, true) => RunSandbox,
        (Submitted | Queued, false) => Completed,
        (Provisioning | DownloadSource | RunSandbox, _) => Finalizing,
        (Finalizing | Completed, _) => Completed,
    }
}

/// A command execution's status (unconfirmed values: `StatusType`'s, as a build's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandStatus {
    /// Accepted; waits for the sandbox to be ready and for the commands before it.
    Submitted,
    InProgress,
    Succeeded,
    Failed,
    /// The sandbox stopped before the command ended.
    Stopped,
}

impl CommandStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommandStatus::Submitted => "SUBMITTED",
            CommandStatus::InProgress => "IN_PROGRESS",
            CommandStatus::Succeeded => "SUCCEEDED",
            CommandStatus::Failed => "FAILED",
            CommandStatus::Stopped => "STOPPED",
        }
    }

    pub fn is_over(self) -> bool {
        matches!(
            self,
            CommandStatus::Succeeded | CommandStatus::Failed | CommandStatus::Stopped
        )
    }
}

/// What happens to a command.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandInput {
    /// It starts running.
    Started,
    /// It exited with this code.
    Exited(i64),
    /// The sandbox stopped.
    SandboxStopped,
}

/// One command's machine: its status and times.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub status: CommandStatus,
    pub submitted: f64,
    pub started: Option<f64>,
    pub ended: Option<f64>,
    pub exit_code: Option<i64>,
}

impl Command {
    pub fn new(now: f64) -> Command {
        Command {
            status: CommandStatus::Submitted,
            submitted: now,
            started: None,
            ended: None,
            exit_code: None,
        }
    }

    /// Applies `input` at `now`; `false` when it does not apply (an ended command, a late exit).
    pub fn step(&mut self, input: CommandInput, now: f64) -> bool {
        match (self.status, input) {
            (CommandStatus::Submitted, CommandInput::Started) => {
                self.status = CommandStatus::InProgress;
                self.started = Some(now);
                true
            }
            (CommandStatus::InProgress, CommandInput::Exited(code)) => {
                self.status = if code == 0 {
                    CommandStatus::Succeeded
                } else {
                    CommandStatus::Failed
                };
                self.exit_code = Some(code);
                self.ended = Some(now);
                true
            }
            (
                CommandStatus::Submitted | CommandStatus::InProgress,
                CommandInput::SandboxStopped,
            ) => {
                self.status = CommandStatus::Stopped;
                self.ended = Some(now);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Input {
        Input::PhaseEnded(PhaseEnd::succeeded())
    }

    fn names(m: &Machine) -> Vec<&'static str> {
        m.phases.iter().map(|p| p.phase.as_str()).collect()
    }

    fn until_ready(m: &mut Machine) {
        let mut t = 0.0;
        while !m.is_ready() {
            t += 1.0;
            m.step(ok(), t).expect("step");
        }
    }

    #[test]
    fn a_sandbox_moves_from_queued_through_provisioning_to_ready() {
        let mut m = Machine::new(0.0);
        assert_eq!(m.status(), Status::Queued);
        m.step(ok(), 0.0).expect("submitted");
        assert_eq!((m.current, m.status()), (Phase::Queued, Status::Queued));
        m.step(ok(), 1.0).expect("queued");
        assert_eq!(m.status(), Status::Provisioning);
        m.step(ok(), 11.0).expect("provisioning");
        assert_eq!(
            (m.current, m.status()),
            (Phase::DownloadSource, Status::Provisioning)
        );
        let out = m.step(ok(), 13.0).expect("download");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::RunSandbox)));
        assert_eq!(m.status(), Status::Ready);
        assert!(m.is_ready() && m.takes_commands());
        assert_eq!(m.session_status, StatusType::InProgress);
        assert_eq!(
            names(&m),
            ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE"]
        );
    }

    #[test]
    fn stop_ends_run_sandbox_stopped_then_finalizes_to_stopped() {
        let mut m = Machine::new(0.0);
        until_ready(&mut m);
        let out = m.step(Input::Stop, 100.0).expect("stop");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::Finalizing)));
        assert_eq!(m.status(), Status::Stopping);
        assert!(!m.takes_commands());
        let run = m.phases.last().expect("run phase");
        assert_eq!(run.phase, Phase::RunSandbox);
        assert_eq!(
            run.end.as_ref().map(|e| e.status),
            Some(StatusType::Stopped)
        );
        assert_eq!(m.step(Input::Stop, 100.5), Err(Refusal::Stopping));
        let out = m.step(ok(), 102.0).expect("finalize");
        assert_eq!(out.last(), Some(&Output::Finished(StatusType::Stopped)));
        assert_eq!(m.status(), Status::Stopped);
        assert_eq!(m.session_status, StatusType::Stopped);
        assert_eq!(&names(&m)[4..], ["RUN_SANDBOX", "FINALIZING", "COMPLETED"]);
        assert_eq!(m.step(Input::Stop, 103.0), Err(Refusal::Completed));
    }

    #[test]
    fn a_stop_while_queued_completes_at_once() {
        let mut m = Machine::new(0.0);
        m.step(ok(), 0.0).expect("submitted");
        let out = m.step(Input::Stop, 0.5).expect("stop");
        assert_eq!(out.last(), Some(&Output::Finished(StatusType::Stopped)));
        assert_eq!(names(&m), ["SUBMITTED", "QUEUED", "COMPLETED"]);
    }

    #[test]
    fn a_failed_provisioning_finalizes_with_failed_and_never_gets_ready() {
        let mut m = Machine::new(0.0);
        m.step(ok(), 0.0).expect("submitted");
        m.step(ok(), 1.0).expect("queued");
        let failed = PhaseEnd::failed(StatusType::Failed, "CLIENT_ERROR", "no capacity");
        let out = m.step(Input::PhaseEnded(failed), 5.0).expect("fail");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::Finalizing)));
        assert!(!m.takes_commands());
        let out = m.step(ok(), 6.0).expect("finalize");
        assert_eq!(out.last(), Some(&Output::Finished(StatusType::Failed)));
        assert_eq!(m.status(), Status::Stopped);
    }

    #[test]
    fn a_timeout_while_ready_finalizes_with_timed_out() {
        let mut m = Machine::new(0.0);
        until_ready(&mut m);
        m.step(Input::TimedOut, 3600.0).expect("timeout");
        m.step(ok(), 3601.0).expect("finalize");
        assert_eq!(m.session_status, StatusType::TimedOut);
        let run = &m.phases[4];
        assert_eq!(
            run.end.as_ref().map(|e| e.code.as_str()),
            Some("BUILD_TIMED_OUT")
        );
    }

    #[test]
    fn a_command_runs_then_succeeds_or_fails_by_its_exit_code() {
        let mut c = Command::new(1.0);
        assert_eq!(c.status, CommandStatus::Submitted);
        assert!(!c.step(CommandInput::Exited(0), 1.5), "not started yet");
        assert!(c.step(CommandInput::Started, 2.0));
        assert_eq!(c.status, CommandStatus::InProgress);
        assert!(c.step(CommandInput::Exited(0), 3.0));
        assert_eq!(
            (c.status, c.exit_code, c.ended),
            (CommandStatus::Succeeded, Some(0), Some(3.0))
        );
        let mut f = Command::new(0.0);
        f.step(CommandInput::Started, 0.0);
        f.step(CommandInput::Exited(2), 1.0);
        assert_eq!(f.status, CommandStatus::Failed);
        assert!(f.status.is_over());
        assert!(!f.step(CommandInput::SandboxStopped, 2.0), "already over");
    }

    #[test]
    fn a_stopping_sandbox_stops_its_unfinished_commands() {
        let mut waiting = Command::new(0.0);
        assert!(waiting.step(CommandInput::SandboxStopped, 4.0));
        assert_eq!(waiting.status, CommandStatus::Stopped);
        assert_eq!(waiting.started, None);
        let mut running = Command::new(0.0);
        running.step(CommandInput::Started, 1.0);
        assert!(running.step(CommandInput::SandboxStopped, 4.0));
        assert_eq!(
            (running.status, running.exit_code),
            (CommandStatus::Stopped, None)
        );
    }
}

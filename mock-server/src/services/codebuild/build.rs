//! The phase machine of one build, a pure transition function: which phase comes next after a
//! phase ends (AWS's rules for what still runs after a failure), what a stop or a timeout does,
//! and the per-phase records `BatchGetBuilds` returns. No I/O, no clock: the caller says when.
//!
//! AWS's order is SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE, INSTALL, PRE_BUILD, BUILD,
//! POST_BUILD, UPLOAD_ARTIFACTS, FINALIZING, COMPLETED. After a failure (the user guide's "Build
//! phase transitions" diagram): a failed BUILD still runs POST_BUILD; a failed POST_BUILD still
//! runs UPLOAD_ARTIFACTS ("The UPLOAD_ARTIFACTS phase is always attempted, even if the BUILD phase
//! fails"); a failure in PROVISIONING, DOWNLOAD_SOURCE, INSTALL, PRE_BUILD or UPLOAD_ARTIFACTS
//! goes straight to FINALIZING. COMPLETED has only a start time.

use codemock_wire::codebuild::{BuildPhaseType as Phase, StatusType};

/// How one phase ended.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseEnd {
    pub status: StatusType,
    /// The context AWS writes (`COMMAND_EXECUTION_ERROR` and its message); empty on success.
    pub code: String,
    pub message: String,
}

impl PhaseEnd {
    pub fn succeeded() -> PhaseEnd {
        PhaseEnd {
            status: StatusType::Succeeded,
            code: String::new(),
            message: String::new(),
        }
    }

    pub fn failed(status: StatusType, code: impl Into<String>, message: impl Into<String>) -> Self {
        PhaseEnd {
            status,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A finished (or, for COMPLETED, entered) phase as BatchGetBuilds reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRecord {
    pub phase: Phase,
    pub start: f64,
    /// `None` for COMPLETED and for the phase in progress.
    pub end: Option<PhaseEnd>,
    pub end_time: f64,
}

/// The machine's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub current: Phase,
    pub current_start: f64,
    /// `IN_PROGRESS` until COMPLETED, then the build's final status.
    pub status: StatusType,
    pub phases: Vec<PhaseRecord>,
}

/// What happens to a build.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The current phase ended so.
    PhaseEnded(PhaseEnd),
    /// StopBuild.
    Stop,
    /// `timeoutInMinutes` passed (or `queuedTimeoutInMinutes` while QUEUED).
    TimedOut,
}

/// What the caller must do after a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A phase ended (for the phase-change event and the log).
    PhaseCompleted(PhaseRecord),
    /// A new phase began; run it.
    Entered(Phase),
    /// The build is over with this status (COMPLETED was entered).
    Finished(StatusType),
}

/// Why a step could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The build already completed.
    Completed,
}

impl Machine {
    /// A build just submitted at `now`.
    pub fn new(now: f64) -> Machine {
        Machine {
            current: Phase::Submitted,
            current_start: now,
            status: StatusType::InProgress,
            phases: Vec::new(),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.current == Phase::Completed
    }

    /// Whether the build holds a slot of its project's concurrent build limit (it left QUEUED
    /// and has not completed).
    pub fn is_running(&self) -> bool {
        !matches!(
            self.current,
            Phase::Submitted | Phase::Queued | Phase::Completed
        )
    }

    /// Whether every phase so far succeeded (`CODEBUILD_BUILD_SUCCEEDING`).
    pub fn succeeding(&self) -> bool {
        self.phases.iter().all(|p| {
            p.end
                .as_ref()
                .is_none_or(|e| e.status == StatusType::Succeeded)
        })
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
                let failure_status = end.status;
                self.close(end, now, &mut out);
                if !ok && self.status == StatusType::InProgress {
                    self.status = failure_status;
                }
                let next = next_phase(self.phases.last().map_or(Phase::Submitted, |p| p.phase), ok);
                self.enter(next, now, &mut out);
            }
            Input::Stop | Input::TimedOut => {
                let (status, code, message) = if input == Input::Stop {
                    (StatusType::Stopped, "BUILD_STOPPED", "Build was stopped")
                } else {
                    (
                        StatusType::TimedOut,
                        "BUILD_TIMED_OUT",
                        "Build has timed out. ",
                    )
                };
                let was = self.current;
                self.close(PhaseEnd::failed(status, code, message), now, &mut out);
                self.status = status;
                // A queued build never started; one in FINALIZING is already winding down.
                let next = match was {
                    Phase::Submitted | Phase::Queued | Phase::Finalizing => Phase::Completed,
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
            if self.status == StatusType::InProgress {
                self.status = StatusType::Succeeded;
            }
            self.phases.push(PhaseRecord {
                phase,
                start: now,
                end: None,
                end_time: now,
            });
            out.push(Output::Finished(self.status));
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
        (DownloadSource, true) => Install,
        (Install, true) => PreBuild,
        (PreBuild, true) => Build,
        (Build, _) => PostBuild,
        (PostBuild, _) => UploadArtifacts,
        (UploadArtifacts, _) => Finalizing,
        (Finalizing, _) | (Completed, _) => Completed,
        (Submitted | Queued, false) => Completed,
        (Provisioning | DownloadSource | Install | PreBuild, false) => Finalizing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Input {
        Input::PhaseEnded(PhaseEnd::succeeded())
    }

    fn run_until(m: &mut Machine, phase: Phase, t: &mut f64) {
        while m.current != phase {
            *t += 1.0;
            m.step(ok(), *t).expect("step");
        }
    }

    fn phase_types(m: &Machine) -> Vec<&'static str> {
        m.phases.iter().map(|p| p.phase.as_str()).collect()
    }

    #[test]
    fn a_successful_build_walks_every_phase_in_order() {
        let mut m = Machine::new(0.0);
        let mut t = 0.0;
        run_until(&mut m, Phase::Completed, &mut t);
        assert_eq!(
            phase_types(&m),
            [
                "SUBMITTED",
                "QUEUED",
                "PROVISIONING",
                "DOWNLOAD_SOURCE",
                "INSTALL",
                "PRE_BUILD",
                "BUILD",
                "POST_BUILD",
                "UPLOAD_ARTIFACTS",
                "FINALIZING",
                "COMPLETED"
            ]
        );
        assert_eq!(m.status, StatusType::Succeeded);
        assert!(m.phases.last().is_some_and(|p| p.end.is_none()));
        assert_eq!(m.step(ok(), 99.0), Err(Refusal::Completed));
    }

    #[test]
    fn a_failed_build_phase_still_runs_post_build_and_upload_artifacts() {
        let mut m = Machine::new(0.0);
        let mut t = 0.0;
        run_until(&mut m, Phase::Build, &mut t);
        let out = m
            .step(
                Input::PhaseEnded(PhaseEnd::failed(
                    StatusType::Failed,
                    "COMMAND_EXECUTION_ERROR",
                    "Error while executing command: exit 3. Reason: exit status 3",
                )),
                20.0,
            )
            .expect("step");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::PostBuild)));
        assert!(!m.succeeding());
        run_until(&mut m, Phase::Completed, &mut t);
        assert_eq!(
            &phase_types(&m)[6..],
            [
                "BUILD",
                "POST_BUILD",
                "UPLOAD_ARTIFACTS",
                "FINALIZING",
                "COMPLETED"
            ]
        );
        assert_eq!(m.status, StatusType::Failed);
    }

    #[test]
    fn a_failed_install_skips_to_finalizing() {
        let mut m = Machine::new(0.0);
        let mut t = 0.0;
        run_until(&mut m, Phase::Install, &mut t);
        let out = m
            .step(
                Input::PhaseEnded(PhaseEnd::failed(StatusType::Failed, "X", "y")),
                9.0,
            )
            .expect("step");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::Finalizing)));
        run_until(&mut m, Phase::Completed, &mut t);
        assert_eq!(
            &phase_types(&m)[4..],
            ["INSTALL", "FINALIZING", "COMPLETED"]
        );
        assert_eq!(m.status, StatusType::Failed);
    }

    #[test]
    fn a_bad_buildspec_fails_download_source_then_finalizes() {
        assert_eq!(next_phase(Phase::DownloadSource, false), Phase::Finalizing);
        assert_eq!(next_phase(Phase::UploadArtifacts, false), Phase::Finalizing);
        assert_eq!(next_phase(Phase::PostBuild, false), Phase::UploadArtifacts);
    }

    #[test]
    fn stop_marks_the_current_phase_stopped_and_finalizes() {
        let mut m = Machine::new(0.0);
        let mut t = 0.0;
        run_until(&mut m, Phase::Build, &mut t);
        let out = m.step(Input::Stop, 30.0).expect("stop");
        assert_eq!(out.last(), Some(&Output::Entered(Phase::Finalizing)));
        let build = &m.phases[6];
        assert_eq!(
            build.end.as_ref().map(|e| e.status),
            Some(StatusType::Stopped)
        );
        run_until(&mut m, Phase::Completed, &mut t);
        assert_eq!(m.status, StatusType::Stopped);
    }

    #[test]
    fn a_timeout_while_queued_completes_at_once() {
        let mut m = Machine::new(0.0);
        m.step(ok(), 0.0).expect("submitted");
        assert_eq!(m.current, Phase::Queued);
        let out = m.step(Input::TimedOut, 480.0).expect("timeout");
        assert_eq!(out.last(), Some(&Output::Finished(StatusType::TimedOut)));
        assert_eq!(phase_types(&m), ["SUBMITTED", "QUEUED", "COMPLETED"]);
    }

    #[test]
    fn a_timeout_in_build_finalizes_with_timed_out() {
        let mut m = Machine::new(0.0);
        let mut t = 0.0;
        run_until(&mut m, Phase::Build, &mut t);
        m.step(Input::TimedOut, 3600.0).expect("timeout");
        assert_eq!(m.current, Phase::Finalizing);
        m.step(ok(), 3602.0).expect("finalize");
        assert_eq!(m.status, StatusType::TimedOut);
        let build = &m.phases[6];
        assert_eq!(
            build.end.as_ref().map(|e| e.code.as_str()),
            Some("BUILD_TIMED_OUT")
        );
    }
}

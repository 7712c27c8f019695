//! The execution engine of one pipeline, as a pure state machine: the executions of a pipeline,
//! where each one is (waiting at a stage's inbound transition, inside a stage, done), and the
//! transitions between those places. It knows nothing of HTTP, actions' work, ids or time: an
//! input (start, an action's end, stop, retry, a transition enabled) changes [`Runs`] and returns
//! the [`Out`]s the service turns into effects (run an action, abandon one, publish an event).
//!
//! The rules, as AWS documents them (CodePipeline user guide, "How pipeline executions work"):
//! stages run in order; inside a stage, actions with the same `runOrder` form a group and run in
//! parallel, groups in ascending order; a failed action fails its stage once the other actions
//! of its group have ended. A stage holds one execution at a time (except in PARALLEL mode);
//! an execution waits at a stage's inbound transition while the stage is busy or the transition
//! disabled. In SUPERSEDED mode (and V1) a newer execution arriving at the same wait replaces the
//! older waiting one, which ends `Superseded`; in QUEUED mode they wait in order.
//!
//! Stage conditions ("How do stage conditions work?"): a stage may declare `beforeEntry`
//! conditions (checked before the stage is entered; a failed one fails or skips the stage),
//! `onSuccess` conditions (checked once every action succeeded; a failed one fails or rolls back
//! the stage) and `onFailure` (a failed stage is retried once automatically, rolled back, or has
//! its conditions checked first). The engine only says when conditions are to be checked
//! ([`Out::Check`]) and what their [`Verdict`] does; the service evaluates the rules.

use std::collections::BTreeSet;

/// How executions share the pipeline (`executionMode`; V1 pipelines behave as SUPERSEDED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Superseded,
    Queued,
    Parallel,
}

/// An execution's status (the API's `PipelineExecutionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecStatus {
    InProgress,
    Stopping,
    Stopped,
    Succeeded,
    Superseded,
    Failed,
}

impl ExecStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecStatus::InProgress => "InProgress",
            ExecStatus::Stopping => "Stopping",
            ExecStatus::Stopped => "Stopped",
            ExecStatus::Succeeded => "Succeeded",
            ExecStatus::Superseded => "Superseded",
            ExecStatus::Failed => "Failed",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, ExecStatus::InProgress | ExecStatus::Stopping)
    }
}

/// A stage's status in one execution (`StageExecutionStatus`; `Pending` = not entered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStatus {
    Pending,
    InProgress,
    Stopping,
    Stopped,
    Succeeded,
    Failed,
    /// Left out by a failed `beforeEntry` condition whose result is SKIP.
    Skipped,
}

impl StageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Pending => "Pending",
            StageStatus::InProgress => "InProgress",
            StageStatus::Stopping => "Stopping",
            StageStatus::Stopped => "Stopped",
            StageStatus::Succeeded => "Succeeded",
            StageStatus::Failed => "Failed",
            StageStatus::Skipped => "Skipped",
        }
    }
}

/// An action's status in one execution (`ActionExecutionStatus`; `Pending` = not started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Abandoned,
}

/// The state names of the EventBridge events (reference/events-and-states.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ev {
    Started,
    Stopping,
    Stopped,
    Succeeded,
    Failed,
    Superseded,
    Resumed,
    Abandoned,
}

impl Ev {
    pub fn as_str(self) -> &'static str {
        match self {
            Ev::Started => "STARTED",
            Ev::Stopping => "STOPPING",
            Ev::Stopped => "STOPPED",
            Ev::Succeeded => "SUCCEEDED",
            Ev::Failed => "FAILED",
            Ev::Superseded => "SUPERSEDED",
            Ev::Resumed => "RESUMED",
            Ev::Abandoned => "ABANDONED",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionRun {
    pub name: String,
    pub run_order: i32,
    pub status: ActionStatus,
}

/// Which of a stage's condition sets (the API's `ConditionType`, plus onFailure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cond {
    BeforeEntry,
    OnSuccess,
    OnFailure,
}

/// What a failed stage does (`onFailure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnFailure {
    /// The execution fails (no `onFailure`, or result FAIL).
    #[default]
    Fail,
    /// Result RETRY: the stage is retried once automatically (`retryMode`: all actions or the
    /// failed ones).
    Retry { all: bool },
    /// Result ROLLBACK: the stage is rolled back to the last execution that succeeded in it.
    Rollback,
    /// Conditions are checked first; a failed condition engages its result.
    Conditions,
}

/// What a stage declares beyond its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gates {
    pub before_entry: bool,
    pub on_success: bool,
    pub on_failure: OnFailure,
}

/// The result a failed condition engages (the API's `Result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engage {
    Fail,
    Skip,
    Rollback,
    Retry,
}

/// How a stage's conditions of one kind came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every rule of every condition succeeded.
    Met,
    /// OverrideStageCondition let the execution through.
    Overridden,
    /// A condition failed: its result is engaged.
    Failed(Engage),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageRun {
    pub name: String,
    pub status: StageStatus,
    pub actions: Vec<ActionRun>,
    pub gates: Gates,
    /// Automatic retries made (onFailure RETRY retries once).
    pub auto_retries: u32,
}

/// Where an execution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// At the inbound transition of stage `i`.
    Waiting(usize),
    /// Inside stage `i`.
    In(usize),
    /// Stage `i`'s conditions of one kind are being checked (the stage is held meanwhile).
    Checking(usize, Cond),
    Done,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exec {
    pub id: String,
    /// Start order (newer executions have larger numbers).
    pub seq: u64,
    pub status: ExecStatus,
    pub stages: Vec<StageRun>,
    pub at: At,
}

impl Exec {
    fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }
}

/// What the service does after a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Pipeline {
        exec: String,
        state: Ev,
    },
    Stage {
        exec: String,
        stage: String,
        state: Ev,
    },
    /// An action's end (succeeded, failed, abandoned); its start comes as [`Out::Run`].
    Action {
        exec: String,
        stage: String,
        action: String,
        state: Ev,
    },
    /// Start the action (its STARTED event goes with it).
    Run {
        exec: String,
        stage: String,
        action: String,
    },
    /// Stop the action's outside work (a build, a deployment), its execution abandoned.
    Abandon {
        exec: String,
        stage: String,
        action: String,
    },
    /// Check the stage's conditions of kind `cond`; the answer is [`Runs::condition_done`].
    Check {
        exec: String,
        stage: String,
        cond: Cond,
    },
    /// The execution stopped while the conditions were checked: abandon their rules.
    CheckAbandon {
        exec: String,
        stage: String,
        cond: Cond,
    },
    /// The stage failed and is to be rolled back (an automated RollbackStage); the execution has
    /// ended `Failed` before this.
    Rollback {
        exec: String,
        stage: String,
    },
    /// The stage is retried automatically (onFailure RETRY); its RESUMED event follows.
    AutoRetry {
        exec: String,
        stage: String,
    },
}

/// An input the state of the executions does not allow (the handlers turn it into AWS's error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    UnknownExecution,
    UnknownStage,
    /// Stopping an execution that is not in progress.
    NotStoppable,
    /// Stopping (without abandon) an execution already stopping.
    DuplicatedStop,
    /// Retrying a stage that did not fail or stop.
    NotRetryable,
    /// Retrying a stage a newer execution has entered since.
    NotLatest,
    /// A condition verdict (or override) for conditions that are not being checked.
    NotChecking,
}

/// The executions of one pipeline and its disabled inbound transitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    pub mode: Mode,
    /// Stages whose inbound transition is disabled, by name.
    pub disabled: BTreeSet<String>,
    /// Oldest first.
    pub executions: Vec<Exec>,
    next_seq: u64,
}

impl Runs {
    pub fn new(mode: Mode) -> Runs {
        Runs {
            mode,
            disabled: BTreeSet::new(),
            executions: Vec::new(),
            next_seq: 0,
        }
    }

    pub fn get(&self, exec: &str) -> Option<&Exec> {
        self.executions.iter().find(|e| e.id == exec)
    }

    fn index(&self, exec: &str) -> Result<usize, Refused> {
        self.executions
            .iter()
            .position(|e| e.id == exec)
            .ok_or(Refused::UnknownExecution)
    }

    /// The execution inside stage `name` (the newest one, in PARALLEL mode); an execution
    /// whose conditions for the stage are being checked holds it too.
    pub fn occupant(&self, name: &str) -> Option<&Exec> {
        self.executions.iter().rev().find(|e| {
            e.status.is_active()
                && matches!(e.at, At::In(i) | At::Checking(i, _) if e.stages[i].name == name)
        })
    }

    /// The executions waiting at the inbound transition of stage `name`, oldest first.
    pub fn waiting(&self, name: &str) -> Vec<&Exec> {
        self.executions
            .iter()
            .filter(|e| {
                e.status.is_active() && matches!(e.at, At::Waiting(i) if e.stages[i].name == name)
            })
            .collect()
    }

    /// Starts an execution of `stages` (each with its actions and their run orders).
    pub fn start(&mut self, id: &str, stages: &[(String, Vec<(String, i32)>)]) -> Vec<Out> {
        self.start_gated(id, stages, &[])
    }

    /// Starts an execution whose stages have `gates` (by position; missing ones: none).
    pub fn start_gated(
        &mut self,
        id: &str,
        stages: &[(String, Vec<(String, i32)>)],
        gates: &[Gates],
    ) -> Vec<Out> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let stages = stages
            .iter()
            .enumerate()
            .map(|(k, (name, actions))| StageRun {
                gates: gates.get(k).copied().unwrap_or_default(),
                auto_retries: 0,
                name: name.clone(),
                status: StageStatus::Pending,
                actions: actions
                    .iter()
                    .map(|(name, run_order)| ActionRun {
                        name: name.clone(),
                        run_order: *run_order,
                        status: ActionStatus::Pending,
                    })
                    .collect(),
            })
            .collect::<Vec<_>>();
        let empty = stages.is_empty();
        self.executions.push(Exec {
            id: id.to_owned(),
            seq,
            status: ExecStatus::InProgress,
            stages,
            at: At::Waiting(0),
        });
        let mut out = vec![Out::Pipeline {
            exec: id.to_owned(),
            state: Ev::Started,
        }];
        let i = self.executions.len() - 1;
        if empty {
            self.finish(i, ExecStatus::Succeeded, Ev::Succeeded, &mut out);
        } else {
            self.arrive(i, 0, &mut out);
            self.advance(&mut out);
        }
        out
    }

    /// An action of an execution ended (`ok`: succeeded, else failed).
    pub fn action_done(
        &mut self,
        exec: &str,
        stage: &str,
        action: &str,
        ok: bool,
    ) -> Result<Vec<Out>, Refused> {
        let i = self.index(exec)?;
        let s = self.executions[i]
            .stage_index(stage)
            .ok_or(Refused::UnknownStage)?;
        let mut out = Vec::new();
        {
            let e = &mut self.executions[i];
            if e.at != At::In(s) {
                return Ok(out); // a late answer for work already abandoned or superseded
            }
            let Some(a) = e.stages[s]
                .actions
                .iter_mut()
                .find(|a| a.name == action && a.status == ActionStatus::InProgress)
            else {
                return Ok(out);
            };
            a.status = if ok {
                ActionStatus::Succeeded
            } else {
                ActionStatus::Failed
            };
            out.push(Out::Action {
                exec: exec.to_owned(),
                stage: stage.to_owned(),
                action: action.to_owned(),
                state: if ok { Ev::Succeeded } else { Ev::Failed },
            });
        }
        self.group_settled(i, s, &mut out);
        self.advance(&mut out);
        Ok(out)
    }

    /// StopPipelineExecution: with `abandon`, in-progress actions are abandoned and the
    /// execution stops at once; without, it is `Stopping` until they end.
    pub fn stop(&mut self, exec: &str, abandon: bool) -> Result<Vec<Out>, Refused> {
        let i = self.index(exec)?;
        let mut out = Vec::new();
        let e = &mut self.executions[i];
        match e.status {
            ExecStatus::InProgress => {}
            ExecStatus::Stopping if abandon => {}
            ExecStatus::Stopping => return Err(Refused::DuplicatedStop),
            _ => return Err(Refused::NotStoppable),
        }
        let id = e.id.clone();
        let was_stopping = e.status == ExecStatus::Stopping;
        e.status = ExecStatus::Stopping;
        if !was_stopping {
            out.push(Out::Pipeline {
                exec: id.clone(),
                state: Ev::Stopping,
            });
        }
        match e.at {
            At::In(s) => {
                let stage = e.stages[s].name.clone();
                if !was_stopping {
                    e.stages[s].status = StageStatus::Stopping;
                    out.push(Out::Stage {
                        exec: id.clone(),
                        stage: stage.clone(),
                        state: Ev::Stopping,
                    });
                }
                if abandon {
                    for a in &mut e.stages[s].actions {
                        if a.status == ActionStatus::InProgress {
                            a.status = ActionStatus::Abandoned;
                            out.push(Out::Action {
                                exec: id.clone(),
                                stage: stage.clone(),
                                action: a.name.clone(),
                                state: Ev::Abandoned,
                            });
                            out.push(Out::Abandon {
                                exec: id.clone(),
                                stage: stage.clone(),
                                action: a.name.clone(),
                            });
                        }
                    }
                }
                self.group_settled(i, s, &mut out);
            }
            At::Checking(s, cond) => {
                let stage = e.stages[s].name.clone();
                out.push(Out::CheckAbandon {
                    exec: id.clone(),
                    stage: stage.clone(),
                    cond,
                });
                if e.stages[s].status == StageStatus::InProgress {
                    e.stages[s].status = StageStatus::Stopped;
                    out.push(Out::Stage {
                        exec: id.clone(),
                        stage,
                        state: Ev::Stopped,
                    });
                }
                self.finish(i, ExecStatus::Stopped, Ev::Stopped, &mut out);
            }
            At::Waiting(_) | At::Done => {
                self.finish(i, ExecStatus::Stopped, Ev::Stopped, &mut out);
            }
        }
        self.advance(&mut out);
        Ok(out)
    }

    /// The stage's conditions of kind `cond` came out as `verdict` (the rules ended, or
    /// OverrideStageCondition). Refused when they are not being checked.
    pub fn condition_done(
        &mut self,
        exec: &str,
        stage: &str,
        cond: Cond,
        verdict: Verdict,
    ) -> Result<Vec<Out>, Refused> {
        let i = self.index(exec)?;
        let s = self.executions[i]
            .stage_index(stage)
            .ok_or(Refused::UnknownStage)?;
        let e = &self.executions[i];
        if e.at != At::Checking(s, cond) || e.status != ExecStatus::InProgress {
            return Err(Refused::NotChecking);
        }
        let mut out = Vec::new();
        match (cond, verdict) {
            (Cond::BeforeEntry, Verdict::Met | Verdict::Overridden) => self.open(i, s, &mut out),
            (Cond::BeforeEntry, Verdict::Failed(Engage::Skip)) => {
                let e = &mut self.executions[i];
                e.stages[s].status = StageStatus::Skipped;
                if s + 1 == e.stages.len() {
                    self.finish(i, ExecStatus::Succeeded, Ev::Succeeded, &mut out);
                } else {
                    self.arrive(i, s + 1, &mut out);
                }
            }
            (Cond::BeforeEntry, Verdict::Failed(_)) => self.fail_stage(i, s, false, &mut out),
            (Cond::OnSuccess, Verdict::Met | Verdict::Overridden) => {
                self.stage_succeeded(i, s, &mut out)
            }
            (Cond::OnSuccess, Verdict::Failed(engage)) => {
                self.fail_stage(i, s, engage == Engage::Rollback, &mut out)
            }
            (Cond::OnFailure, Verdict::Failed(Engage::Rollback)) => {
                self.finish(i, ExecStatus::Failed, Ev::Failed, &mut out);
                out.push(Out::Rollback {
                    exec: exec.to_owned(),
                    stage: stage.to_owned(),
                });
            }
            (Cond::OnFailure, _) => self.finish(i, ExecStatus::Failed, Ev::Failed, &mut out),
        }
        self.advance(&mut out);
        Ok(out)
    }

    /// RetryStageExecution of a failed (or stopped) stage: the failed actions again, or all.
    pub fn retry(&mut self, exec: &str, stage: &str, all: bool) -> Result<Vec<Out>, Refused> {
        let i = self.index(exec)?;
        let s = self.executions[i]
            .stage_index(stage)
            .ok_or(Refused::UnknownStage)?;
        let seq = self.executions[i].seq;
        {
            let e = &self.executions[i];
            let retryable = matches!(e.status, ExecStatus::Failed | ExecStatus::Stopped)
                && matches!(
                    e.stages[s].status,
                    StageStatus::Failed | StageStatus::Stopped
                );
            if !retryable {
                return Err(Refused::NotRetryable);
            }
        }
        let newer_entered = self.executions.iter().any(|o| {
            o.seq > seq
                && o.stages
                    .iter()
                    .any(|st| st.name == stage && st.status != StageStatus::Pending)
        });
        if newer_entered || self.occupant(stage).is_some() {
            return Err(Refused::NotLatest);
        }
        let mut out = Vec::new();
        let e = &mut self.executions[i];
        e.status = ExecStatus::InProgress;
        e.at = At::In(s);
        e.stages[s].status = StageStatus::InProgress;
        for a in &mut e.stages[s].actions {
            if all || a.status != ActionStatus::Succeeded {
                a.status = ActionStatus::Pending;
            }
        }
        out.push(Out::Pipeline {
            exec: exec.to_owned(),
            state: Ev::Resumed,
        });
        out.push(Out::Stage {
            exec: exec.to_owned(),
            stage: stage.to_owned(),
            state: Ev::Resumed,
        });
        self.next_group(i, s, &mut out);
        self.advance(&mut out);
        Ok(out)
    }

    /// Enables or disables the inbound transition of stage `name`; enabling lets a waiting
    /// execution in.
    pub fn set_transition(&mut self, name: &str, enabled: bool) -> Vec<Out> {
        let mut out = Vec::new();
        if enabled {
            self.disabled.remove(name);
            self.advance(&mut out);
        } else {
            self.disabled.insert(name.to_owned());
        }
        out
    }

    /// Forgets ended executions beyond the newest `keep` (their records stay with the service).
    pub fn prune(&mut self, keep: usize) {
        let ended: Vec<usize> = (0..self.executions.len())
            .filter(|&i| !self.executions[i].status.is_active())
            .collect();
        if ended.len() > keep {
            let drop: BTreeSet<usize> = ended[..ended.len() - keep].iter().copied().collect();
            let mut k = 0;
            self.executions.retain(|_| {
                let keep = !drop.contains(&k);
                k += 1;
                keep
            });
        }
    }

    /// Execution `i` arrives at the inbound transition of stage `s`.
    fn arrive(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        self.executions[i].at = At::Waiting(s);
        if self.mode != Mode::Superseded {
            return;
        }
        // One waiter per transition: the newest; the others are superseded.
        let name = self.executions[i].stages[s].name.clone();
        let waiters: Vec<(usize, u64)> = (0..self.executions.len())
            .filter(|&j| {
                let e = &self.executions[j];
                e.status.is_active() && matches!(e.at, At::Waiting(k) if e.stages[k].name == name)
            })
            .map(|j| (j, self.executions[j].seq))
            .collect();
        let newest = waiters.iter().map(|(_, seq)| *seq).max();
        for (j, seq) in waiters {
            if Some(seq) != newest {
                self.finish(j, ExecStatus::Superseded, Ev::Superseded, out);
            }
        }
    }

    /// Lets waiting executions into free stages with enabled transitions, oldest first.
    fn advance(&mut self, out: &mut Vec<Out>) {
        loop {
            let mut entered = false;
            for i in 0..self.executions.len() {
                let e = &self.executions[i];
                let At::Waiting(s) = e.at else { continue };
                if e.status != ExecStatus::InProgress {
                    continue;
                }
                let name = &e.stages[s].name;
                if self.disabled.contains(name) {
                    continue;
                }
                if self.mode != Mode::Parallel && self.occupant(name).is_some() {
                    continue;
                }
                self.enter(i, s, out);
                entered = true;
            }
            if !entered {
                break;
            }
        }
    }

    /// Execution `i` may enter stage `s`: its beforeEntry conditions first, if it has any.
    fn enter(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        if e.stages[s].gates.before_entry {
            e.at = At::Checking(s, Cond::BeforeEntry);
            out.push(Out::Check {
                exec: e.id.clone(),
                stage: e.stages[s].name.clone(),
                cond: Cond::BeforeEntry,
            });
            return;
        }
        self.open(i, s, out);
    }

    fn open(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        e.at = At::In(s);
        e.stages[s].status = StageStatus::InProgress;
        for a in &mut e.stages[s].actions {
            a.status = ActionStatus::Pending;
        }
        out.push(Out::Stage {
            exec: e.id.clone(),
            stage: e.stages[s].name.clone(),
            state: Ev::Started,
        });
        self.next_group(i, s, out);
    }

    /// Starts the next group of stage `s` (the lowest run order with actions to run), or ends
    /// the stage when none is left.
    fn next_group(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        let next = e.stages[s]
            .actions
            .iter()
            .filter(|a| a.status == ActionStatus::Pending)
            .map(|a| a.run_order)
            .min();
        let Some(order) = next else {
            if e.stages[s].gates.on_success {
                e.at = At::Checking(s, Cond::OnSuccess);
                out.push(Out::Check {
                    exec: e.id.clone(),
                    stage: e.stages[s].name.clone(),
                    cond: Cond::OnSuccess,
                });
                return;
            }
            self.stage_succeeded(i, s, out);
            return;
        };
        let id = e.id.clone();
        let stage = e.stages[s].name.clone();
        for a in &mut e.stages[s].actions {
            if a.status == ActionStatus::Pending && a.run_order == order {
                a.status = ActionStatus::InProgress;
                out.push(Out::Run {
                    exec: id.clone(),
                    stage: stage.clone(),
                    action: a.name.clone(),
                });
            }
        }
    }

    /// After an action of stage `s` ended: once its group has ended, the stage fails, stops, or
    /// goes on with its next group.
    fn group_settled(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        let st = &e.stages[s];
        if st
            .actions
            .iter()
            .any(|a| a.status == ActionStatus::InProgress)
        {
            return;
        }
        let id = e.id.clone();
        let name = st.name.clone();
        if e.status == ExecStatus::Stopping {
            e.stages[s].status = StageStatus::Stopped;
            out.push(Out::Stage {
                exec: id,
                stage: name,
                state: Ev::Stopped,
            });
            self.finish(i, ExecStatus::Stopped, Ev::Stopped, out);
        } else if st.actions.iter().any(|a| a.status == ActionStatus::Failed) {
            self.stage_failed(i, s, out);
        } else {
            self.next_group(i, s, out);
        }
    }

    fn stage_succeeded(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        e.at = At::In(s);
        e.stages[s].status = StageStatus::Succeeded;
        out.push(Out::Stage {
            exec: e.id.clone(),
            stage: e.stages[s].name.clone(),
            state: Ev::Succeeded,
        });
        if s + 1 == e.stages.len() {
            self.finish(i, ExecStatus::Succeeded, Ev::Succeeded, out);
        } else {
            self.arrive(i, s + 1, out);
        }
    }

    /// The stage failed; then the execution fails, and with `rollback` the stage is rolled back.
    fn fail_stage(&mut self, i: usize, s: usize, rollback: bool, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        e.stages[s].status = StageStatus::Failed;
        let (id, name) = (e.id.clone(), e.stages[s].name.clone());
        out.push(Out::Stage {
            exec: id.clone(),
            stage: name.clone(),
            state: Ev::Failed,
        });
        self.finish(i, ExecStatus::Failed, Ev::Failed, out);
        if rollback {
            out.push(Out::Rollback {
                exec: id,
                stage: name,
            });
        }
    }

    /// An action of stage `s` failed and its group has ended: what onFailure says.
    fn stage_failed(&mut self, i: usize, s: usize, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        let gates = e.stages[s].gates;
        match gates.on_failure {
            OnFailure::Fail => self.fail_stage(i, s, false, out),
            OnFailure::Rollback => self.fail_stage(i, s, true, out),
            OnFailure::Retry { all } if e.stages[s].auto_retries == 0 => {
                let (id, name) = (e.id.clone(), e.stages[s].name.clone());
                e.stages[s].status = StageStatus::Failed;
                out.push(Out::Stage {
                    exec: id.clone(),
                    stage: name.clone(),
                    state: Ev::Failed,
                });
                e.stages[s].auto_retries += 1;
                e.stages[s].status = StageStatus::InProgress;
                for a in &mut e.stages[s].actions {
                    if all || a.status != ActionStatus::Succeeded {
                        a.status = ActionStatus::Pending;
                    }
                }
                out.push(Out::AutoRetry {
                    exec: id.clone(),
                    stage: name.clone(),
                });
                out.push(Out::Stage {
                    exec: id,
                    stage: name,
                    state: Ev::Resumed,
                });
                self.next_group(i, s, out);
            }
            OnFailure::Retry { .. } => self.fail_stage(i, s, false, out),
            OnFailure::Conditions => {
                e.stages[s].status = StageStatus::Failed;
                e.at = At::Checking(s, Cond::OnFailure);
                let (id, name) = (e.id.clone(), e.stages[s].name.clone());
                out.push(Out::Stage {
                    exec: id.clone(),
                    stage: name.clone(),
                    state: Ev::Failed,
                });
                out.push(Out::Check {
                    exec: id,
                    stage: name,
                    cond: Cond::OnFailure,
                });
            }
        }
    }

    fn finish(&mut self, i: usize, status: ExecStatus, ev: Ev, out: &mut Vec<Out>) {
        let e = &mut self.executions[i];
        e.status = status;
        e.at = At::Done;
        out.push(Out::Pipeline {
            exec: e.id.clone(),
            state: ev,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(spec: &[(&str, &[(&str, i32)])]) -> Vec<(String, Vec<(String, i32)>)> {
        spec.iter()
            .map(|(s, actions)| {
                (
                    (*s).to_owned(),
                    actions.iter().map(|(a, o)| ((*a).to_owned(), *o)).collect(),
                )
            })
            .collect()
    }

    fn two_stages() -> Vec<(String, Vec<(String, i32)>)> {
        plan(&[("Source", &[("Src", 1)]), ("Deploy", &[("D", 1)])])
    }

    fn runs_of(out: &[Out]) -> Vec<String> {
        out.iter()
            .filter_map(|o| match o {
                Out::Run { stage, action, .. } => Some(format!("{stage}.{action}")),
                _ => None,
            })
            .collect()
    }

    fn pipeline_states(out: &[Out], exec: &str) -> Vec<Ev> {
        out.iter()
            .filter_map(|o| match o {
                Out::Pipeline { exec: e, state } if e == exec => Some(*state),
                _ => None,
            })
            .collect()
    }

    fn status(r: &Runs, exec: &str) -> ExecStatus {
        r.get(exec).map(|e| e.status).expect("execution")
    }

    #[test]
    fn stages_run_in_order_and_the_execution_succeeds() {
        let mut r = Runs::new(Mode::Superseded);
        let out = r.start("e1", &two_stages());
        assert_eq!(
            out,
            vec![
                Out::Pipeline {
                    exec: "e1".into(),
                    state: Ev::Started
                },
                Out::Stage {
                    exec: "e1".into(),
                    stage: "Source".into(),
                    state: Ev::Started
                },
                Out::Run {
                    exec: "e1".into(),
                    stage: "Source".into(),
                    action: "Src".into()
                },
            ]
        );
        let out = r.action_done("e1", "Source", "Src", true).expect("ok");
        assert_eq!(runs_of(&out), vec!["Deploy.D"]);
        let out = r.action_done("e1", "Deploy", "D", true).expect("ok");
        assert_eq!(
            out.last(),
            Some(&Out::Pipeline {
                exec: "e1".into(),
                state: Ev::Succeeded
            })
        );
        assert_eq!(status(&r, "e1"), ExecStatus::Succeeded);
    }

    #[test]
    fn run_order_groups_run_in_order_and_a_group_runs_in_parallel() {
        let mut r = Runs::new(Mode::Superseded);
        let p = plan(&[
            ("Source", &[("Src", 1)]),
            ("Test", &[("B", 2), ("A1", 1), ("A2", 1), ("C", 3)]),
        ]);
        r.start("e", &p);
        let out = r.action_done("e", "Source", "Src", true).expect("ok");
        assert_eq!(runs_of(&out), vec!["Test.A1", "Test.A2"]);
        let out = r.action_done("e", "Test", "A2", true).expect("ok");
        assert!(runs_of(&out).is_empty(), "A1 still runs: {out:?}");
        let out = r.action_done("e", "Test", "A1", true).expect("ok");
        assert_eq!(runs_of(&out), vec!["Test.B"]);
        let out = r.action_done("e", "Test", "B", true).expect("ok");
        assert_eq!(runs_of(&out), vec!["Test.C"]);
    }

    #[test]
    fn a_failed_action_fails_its_stage_after_its_group_ends() {
        let mut r = Runs::new(Mode::Superseded);
        let p = plan(&[
            ("Source", &[("Src", 1)]),
            ("Test", &[("A1", 1), ("A2", 1), ("Later", 2)]),
        ]);
        r.start("e", &p);
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.action_done("e", "Test", "A1", false).expect("ok");
        assert_eq!(out.len(), 1, "only the action's end: {out:?}");
        assert_eq!(status(&r, "e"), ExecStatus::InProgress);
        let out = r.action_done("e", "Test", "A2", true).expect("ok");
        assert!(runs_of(&out).is_empty(), "the next group never starts");
        assert!(out.contains(&Out::Stage {
            exec: "e".into(),
            stage: "Test".into(),
            state: Ev::Failed
        }));
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
        assert_eq!(status(&r, "e"), ExecStatus::Failed);
    }

    #[test]
    fn stop_waits_for_running_actions_and_abandon_does_not() {
        let mut r = Runs::new(Mode::Superseded);
        r.start("e", &two_stages());
        let out = r.stop("e", false).expect("stoppable");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopping]);
        assert_eq!(status(&r, "e"), ExecStatus::Stopping);
        assert_eq!(r.stop("e", false), Err(Refused::DuplicatedStop));
        let out = r.action_done("e", "Source", "Src", true).expect("ok");
        assert!(
            runs_of(&out).is_empty(),
            "nothing new starts while stopping"
        );
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopped]);
        assert_eq!(r.stop("e", true), Err(Refused::NotStoppable));

        let mut r = Runs::new(Mode::Superseded);
        r.start("e", &two_stages());
        let out = r.stop("e", true).expect("stoppable");
        assert!(out.contains(&Out::Abandon {
            exec: "e".into(),
            stage: "Source".into(),
            action: "Src".into()
        }));
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopping, Ev::Stopped]);
        // The abandoned action's late answer changes nothing.
        assert_eq!(r.action_done("e", "Source", "Src", true), Ok(vec![]));
    }

    #[test]
    fn abandon_after_a_stop_that_waits() {
        let mut r = Runs::new(Mode::Superseded);
        r.start("e", &two_stages());
        r.stop("e", false).expect("stoppable");
        let out = r.stop("e", true).expect("abandon a stopping execution");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopped]);
    }

    #[test]
    fn retry_failed_actions_reruns_only_those_and_all_actions_reruns_every_one() {
        let p = plan(&[
            ("Source", &[("Src", 1)]),
            ("Test", &[("Ok", 1), ("Bad", 1), ("After", 2)]),
        ]);
        for (all, expected) in [
            (false, vec!["Test.Bad"]),
            (true, vec!["Test.Ok", "Test.Bad"]),
        ] {
            let mut r = Runs::new(Mode::Superseded);
            r.start("e", &p);
            r.action_done("e", "Source", "Src", true).expect("ok");
            r.action_done("e", "Test", "Ok", true).expect("ok");
            r.action_done("e", "Test", "Bad", false).expect("ok");
            assert_eq!(r.retry("e", "Source", all), Err(Refused::NotRetryable));
            let out = r.retry("e", "Test", all).expect("retryable");
            assert_eq!(pipeline_states(&out, "e"), vec![Ev::Resumed]);
            assert_eq!(runs_of(&out), expected);
            assert_eq!(status(&r, "e"), ExecStatus::InProgress);
            for a in expected {
                let name = a.trim_start_matches("Test.");
                r.action_done("e", "Test", name, true).expect("ok");
            }
            let out = r.action_done("e", "Test", "After", true);
            assert_eq!(
                out.map(|o| pipeline_states(&o, "e")),
                Ok(vec![Ev::Succeeded])
            );
        }
    }

    #[test]
    fn retry_is_refused_once_a_newer_execution_entered_the_stage() {
        let mut r = Runs::new(Mode::Superseded);
        r.start("old", &two_stages());
        r.action_done("old", "Source", "Src", true).expect("ok");
        r.action_done("old", "Deploy", "D", false).expect("ok");
        r.start("new", &two_stages());
        r.action_done("new", "Source", "Src", true).expect("ok");
        assert_eq!(r.retry("old", "Deploy", false), Err(Refused::NotLatest));
        assert_eq!(
            r.retry("nope", "Deploy", false),
            Err(Refused::UnknownExecution)
        );
    }

    #[test]
    fn a_newer_execution_supersedes_the_one_waiting_for_a_busy_stage() {
        let mut r = Runs::new(Mode::Superseded);
        r.start("a", &two_stages());
        r.action_done("a", "Source", "Src", true).expect("ok"); // a in Deploy
        r.start("b", &two_stages());
        r.action_done("b", "Source", "Src", true).expect("ok"); // b waits for Deploy
        assert_eq!(r.get("b").map(|e| e.at), Some(At::Waiting(1)));
        r.start("c", &two_stages());
        let out = r.action_done("c", "Source", "Src", true).expect("ok");
        assert_eq!(pipeline_states(&out, "b"), vec![Ev::Superseded]);
        assert_eq!(status(&r, "b"), ExecStatus::Superseded);
        let out = r.action_done("a", "Deploy", "D", true).expect("ok");
        assert_eq!(runs_of(&out), vec!["Deploy.D"]);
        assert_eq!(r.get("c").map(|e| e.at), Some(At::In(1)));
    }

    #[test]
    fn queued_executions_wait_in_order() {
        let mut r = Runs::new(Mode::Queued);
        r.start("a", &two_stages());
        r.action_done("a", "Source", "Src", true).expect("ok");
        r.start("b", &two_stages());
        r.action_done("b", "Source", "Src", true).expect("ok");
        r.start("c", &two_stages());
        r.action_done("c", "Source", "Src", true).expect("ok");
        assert_eq!(status(&r, "b"), ExecStatus::InProgress, "nobody superseded");
        r.action_done("a", "Deploy", "D", true).expect("ok");
        assert_eq!(r.get("b").map(|e| e.at), Some(At::In(1)));
        assert_eq!(r.get("c").map(|e| e.at), Some(At::Waiting(1)));
        r.action_done("b", "Deploy", "D", true).expect("ok");
        assert_eq!(r.get("c").map(|e| e.at), Some(At::In(1)));
    }

    #[test]
    fn parallel_executions_share_stages() {
        let mut r = Runs::new(Mode::Parallel);
        let out_a = r.start("a", &two_stages());
        let out_b = r.start("b", &two_stages());
        assert_eq!(runs_of(&out_a), vec!["Source.Src"]);
        assert_eq!(runs_of(&out_b), vec!["Source.Src"]);
    }

    #[test]
    fn a_disabled_transition_holds_the_execution_until_enabled() {
        let mut r = Runs::new(Mode::Superseded);
        assert!(r.set_transition("Deploy", false).is_empty());
        r.start("e", &two_stages());
        let out = r.action_done("e", "Source", "Src", true).expect("ok");
        assert!(runs_of(&out).is_empty());
        assert_eq!(r.get("e").map(|e| e.at), Some(At::Waiting(1)));
        assert_eq!(r.waiting("Deploy").len(), 1);
        let out = r.set_transition("Deploy", true);
        assert_eq!(runs_of(&out), vec!["Deploy.D"]);
    }

    #[test]
    fn stopping_a_waiting_execution_stops_it_at_once() {
        let mut r = Runs::new(Mode::Superseded);
        r.set_transition("Deploy", false);
        r.start("e", &two_stages());
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.stop("e", false).expect("stoppable");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopping, Ev::Stopped]);
    }

    #[test]
    fn prune_keeps_active_and_the_newest_ended() {
        let mut r = Runs::new(Mode::Parallel);
        for id in ["a", "b", "c"] {
            r.start(id, &two_stages());
            r.stop(id, true).expect("stoppable");
        }
        r.start("d", &two_stages());
        r.prune(1);
        let ids: Vec<&str> = r.executions.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["c", "d"]);
    }

    fn gated(gates: Gates) -> (Runs, Vec<Out>) {
        let mut r = Runs::new(Mode::Superseded);
        let out = r.start_gated("e", &two_stages(), &[Gates::default(), gates]);
        (r, out)
    }

    fn check(stage: &str, cond: Cond) -> Out {
        Out::Check {
            exec: "e".into(),
            stage: stage.into(),
            cond,
        }
    }

    fn stage_status(r: &Runs, stage: &str) -> Option<StageStatus> {
        r.get("e")?
            .stages
            .iter()
            .find(|s| s.name == stage)
            .map(|s| s.status)
    }

    #[test]
    fn a_before_entry_check_holds_the_stage_and_a_met_condition_lets_the_execution_in() {
        let (mut r, _) = gated(Gates {
            before_entry: true,
            ..Gates::default()
        });
        let out = r.action_done("e", "Source", "Src", true).expect("ok");
        assert_eq!(out.last(), Some(&check("Deploy", Cond::BeforeEntry)));
        assert!(runs_of(&out).is_empty());
        assert_eq!(
            r.get("e").map(|e| e.at),
            Some(At::Checking(1, Cond::BeforeEntry))
        );
        assert!(
            r.occupant("Deploy").is_some(),
            "the checking execution holds the stage"
        );
        let out = r
            .condition_done("e", "Deploy", Cond::BeforeEntry, Verdict::Met)
            .expect("checking");
        assert_eq!(runs_of(&out), vec!["Deploy.D"]);
        assert_eq!(
            r.condition_done("e", "Deploy", Cond::BeforeEntry, Verdict::Met),
            Err(Refused::NotChecking)
        );
    }

    #[test]
    fn a_failed_before_entry_condition_fails_or_skips_the_stage() {
        let (mut r, _) = gated(Gates {
            before_entry: true,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r
            .condition_done(
                "e",
                "Deploy",
                Cond::BeforeEntry,
                Verdict::Failed(Engage::Fail),
            )
            .expect("checking");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
        assert_eq!(stage_status(&r, "Deploy"), Some(StageStatus::Failed));

        let (mut r, _) = gated(Gates {
            before_entry: true,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r
            .condition_done(
                "e",
                "Deploy",
                Cond::BeforeEntry,
                Verdict::Failed(Engage::Skip),
            )
            .expect("checking");
        assert!(runs_of(&out).is_empty());
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Succeeded]);
        assert_eq!(stage_status(&r, "Deploy"), Some(StageStatus::Skipped));
    }

    #[test]
    fn an_on_success_check_runs_after_the_actions_and_a_failure_can_roll_back() {
        let (mut r, _) = gated(Gates {
            on_success: true,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.action_done("e", "Deploy", "D", true).expect("ok");
        assert_eq!(out.last(), Some(&check("Deploy", Cond::OnSuccess)));
        assert_eq!(status(&r, "e"), ExecStatus::InProgress);
        let out = r
            .condition_done(
                "e",
                "Deploy",
                Cond::OnSuccess,
                Verdict::Failed(Engage::Rollback),
            )
            .expect("checking");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
        assert_eq!(
            out.last(),
            Some(&Out::Rollback {
                exec: "e".into(),
                stage: "Deploy".into()
            })
        );
        // Overridden, the stage succeeds.
        let (mut r, _) = gated(Gates {
            on_success: true,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        r.action_done("e", "Deploy", "D", true).expect("ok");
        let out = r
            .condition_done("e", "Deploy", Cond::OnSuccess, Verdict::Overridden)
            .expect("checking");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Succeeded]);
    }

    #[test]
    fn on_failure_retry_retries_the_stage_once_automatically() {
        let (mut r, _) = gated(Gates {
            on_failure: OnFailure::Retry { all: false },
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.action_done("e", "Deploy", "D", false).expect("ok");
        assert!(out.contains(&Out::AutoRetry {
            exec: "e".into(),
            stage: "Deploy".into()
        }));
        assert!(out.contains(&Out::Stage {
            exec: "e".into(),
            stage: "Deploy".into(),
            state: Ev::Resumed
        }));
        assert!(
            pipeline_states(&out, "e").is_empty(),
            "the execution goes on"
        );
        assert_eq!(runs_of(&out), vec!["Deploy.D"]);
        let out = r.action_done("e", "Deploy", "D", false).expect("ok");
        assert!(runs_of(&out).is_empty(), "only once");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
        assert_eq!(r.get("e").map(|e| e.stages[1].auto_retries), Some(1));
    }

    #[test]
    fn on_failure_rollback_fails_the_execution_then_asks_for_the_rollback() {
        let (mut r, _) = gated(Gates {
            on_failure: OnFailure::Rollback,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.action_done("e", "Deploy", "D", false).expect("ok");
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
        assert_eq!(
            out.last(),
            Some(&Out::Rollback {
                exec: "e".into(),
                stage: "Deploy".into()
            })
        );
    }

    #[test]
    fn on_failure_conditions_are_checked_before_the_execution_fails() {
        for (verdict, rollback) in [
            (Verdict::Failed(Engage::Rollback), true),
            (Verdict::Met, false),
        ] {
            let (mut r, _) = gated(Gates {
                on_failure: OnFailure::Conditions,
                ..Gates::default()
            });
            r.action_done("e", "Source", "Src", true).expect("ok");
            let out = r.action_done("e", "Deploy", "D", false).expect("ok");
            assert_eq!(out.last(), Some(&check("Deploy", Cond::OnFailure)));
            assert_eq!(status(&r, "e"), ExecStatus::InProgress);
            let out = r
                .condition_done("e", "Deploy", Cond::OnFailure, verdict)
                .expect("checking");
            assert_eq!(pipeline_states(&out, "e"), vec![Ev::Failed]);
            assert_eq!(
                out.iter().any(|o| matches!(o, Out::Rollback { .. })),
                rollback
            );
        }
    }

    #[test]
    fn stopping_during_a_check_abandons_it() {
        let (mut r, _) = gated(Gates {
            before_entry: true,
            ..Gates::default()
        });
        r.action_done("e", "Source", "Src", true).expect("ok");
        let out = r.stop("e", false).expect("stoppable");
        assert!(out.contains(&Out::CheckAbandon {
            exec: "e".into(),
            stage: "Deploy".into(),
            cond: Cond::BeforeEntry
        }));
        assert_eq!(pipeline_states(&out, "e"), vec![Ev::Stopping, Ev::Stopped]);
    }
}

//! The deployment machine: one pure transition function over a deployment's status, its targets
//! and their lifecycle events. It decides what runs next (how many targets at once, under the
//! minimum healthy hosts rule), when the deployment fails (as soon as the rule can no longer be
//! met, targets not started then Skipped), and which state changes to announce. What "running a
//! lifecycle event" means (a simulated script on virtual time, a Lambda hook waiting for its
//! status, a traffic shift) is the caller's business: it answers with [`Input::Done`].
//!
//! Blue/green (EC2/on-premises): the replacement ("Green") fleet runs its lifecycle events up
//! to ValidateService under the health rule, each target then waits `Ready`; with
//! `STOP_DEPLOYMENT` the deployment waits in status Ready for `ContinueDeployment` (and stops when
//! the wait ends), otherwise traffic moves at once: the Green targets run BeforeAllowTraffic /
//! AllowTraffic / AfterAllowTraffic, then the original ("Blue") fleet runs BeforeBlockTraffic /
//! BlockTraffic / AfterBlockTraffic, all at once; with `TERMINATE` the deployment stays
//! InProgress for the termination wait (ended early by `ContinueDeployment` TERMINATION_WAIT),
//! then succeeds. Order from reference/events-and-states.md §3.4 and the user guide's
//! "reference-appspec-file-structure-hooks".
//!
//! Rules (reference/events-and-states.md §3.5, AWS user guide `instances-health.md`): with `n`
//! targets and `required` the hosts that must stay healthy, at most `n - required` targets may be
//! down (in progress or failed) at once; the deployment fails once fewer than
//! `max(required, 1)` targets can still succeed, or when targets remain but none may start.

use codemock_wire::codedeploy::LifecycleErrorCode;

/// `DeploymentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    Queued,
    InProgress,
    /// Blue/green: the replacement fleet is installed and waits for `ContinueDeployment`.
    Ready,
    Succeeded,
    Failed,
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "Created",
            Status::Queued => "Queued",
            Status::InProgress => "InProgress",
            Status::Ready => "Ready",
            Status::Succeeded => "Succeeded",
            Status::Failed => "Failed",
            Status::Stopped => "Stopped",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Stopped)
    }
}

/// `TargetStatus` / `InstanceStatus` (and `LifecycleEventStatus`, a subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Pending,
    InProgress,
    /// Blue/green: a replacement target installed, waiting for traffic rerouting.
    Ready,
    Succeeded,
    Failed,
    Skipped,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Pending => "Pending",
            Step::InProgress => "InProgress",
            Step::Ready => "Ready",
            Step::Succeeded => "Succeeded",
            Step::Failed => "Failed",
            Step::Skipped => "Skipped",
        }
    }
}

/// A lifecycle event's diagnostics, as AWS writes them for a failed script.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    pub error_code: LifecycleErrorCode,
    pub script_name: String,
    pub message: String,
    pub log_tail: String,
}

/// One lifecycle event of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    /// Whether it does anything (an AppSpec hook with scripts, an agent step); others are Skipped.
    pub runs: bool,
    pub status: Step,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub diagnostics: Option<Diagnostics>,
}

/// Which fleet a target belongs to (`instanceLabel` / `instanceType`); in-place targets are Blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Blue,
    Green,
}

impl Label {
    fn other(self) -> Label {
        match self {
            Label::Blue => Label::Green,
            Label::Green => Label::Blue,
        }
    }
}

/// One target (an instance, a Lambda function, an ECS service).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub status: Step,
    pub events: Vec<Event>,
    pub updated: f64,
    pub label: Label,
    /// Blue/green: the target goes Ready before this event, until traffic is rerouted.
    pub hold_at: Option<usize>,
}

impl Target {
    /// A target with its lifecycle events in run order: `(name, runs)`.
    pub fn new(id: impl Into<String>, events: &[(&str, bool)], now: f64) -> Target {
        Target {
            id: id.into(),
            status: Step::Pending,
            events: events
                .iter()
                .map(|(name, runs)| Event {
                    name: (*name).to_owned(),
                    runs: *runs,
                    status: Step::Pending,
                    start: None,
                    end: None,
                    diagnostics: None,
                })
                .collect(),
            updated: now,
            label: Label::Blue,
            hold_at: None,
        }
    }

    /// The same target in fleet `label`, holding before event `hold_at`.
    pub fn labeled(mut self, label: Label, hold_at: Option<usize>) -> Target {
        self.label = label;
        self.hold_at = hold_at;
        self
    }

    /// The index of the event in progress.
    pub fn current(&self) -> Option<usize> {
        self.events
            .iter()
            .position(|e| e.status == Step::InProgress)
    }
}

/// `deploymentOverview`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overview {
    pub pending: i64,
    pub in_progress: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub skipped: i64,
    pub ready: i64,
}

/// The error a deployment ended with (`errorInformation`).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// An `ErrorCode` value (`HEALTH_CONSTRAINTS`, `NO_INSTANCES`, ...).
    pub code: String,
    pub message: String,
}

/// AWS's message when too many instances failed (deployment `errorInformation`).
pub const HEALTH_CONSTRAINTS_MESSAGE: &str = "The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.";

/// Where a blue/green deployment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The first fleet runs its events up to its hold.
    Install,
    /// Waiting for `ContinueDeployment` (READY_WAIT).
    Ready,
    /// The first fleet runs its traffic events.
    Reroute,
    /// The second fleet runs its events (all at once).
    Block,
    /// Traffic moved; the original fleet waits for termination (TERMINATION_WAIT).
    TerminationWait,
}

/// The waits a blue/green deployment may sit in (`DeploymentWaitType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Ready,
    Termination,
}

/// A blue/green deployment's plan and progress.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueGreen {
    pub phase: Phase,
    /// The fleet that takes the traffic: Green, or Blue when a rollback moves it back.
    pub first: Label,
    /// `STOP_DEPLOYMENT`: virtual seconds to wait in Ready for `ContinueDeployment`.
    pub ready_wait: Option<f64>,
    /// `TERMINATE`: virtual seconds the original fleet lives on once traffic moved.
    pub termination_wait: Option<f64>,
    /// `instanceTerminationWaitTimeStarted`.
    pub termination_wait_started: bool,
}

impl BlueGreen {
    pub fn new(ready_wait: Option<f64>, termination_wait: Option<f64>) -> BlueGreen {
        BlueGreen {
            phase: Phase::Install,
            first: Label::Green,
            ready_wait,
            termination_wait,
            termination_wait_started: false,
        }
    }
}

/// AWS's message when a deployment failed because it waited too long in Ready. Unconfirmed
/// wording (AWS documents only that the status becomes Stopped).
pub const READY_TIMEOUT_MESSAGE: &str = "The deployment was stopped because traffic rerouting was not started before the wait time for the replacement instances ended.";

/// The machine's state: status, targets and the health rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub status: Status,
    pub targets: Vec<Target>,
    /// Targets that must stay healthy (the success threshold is `max(required, 1)`).
    pub required: usize,
    /// Targets that may be down (in progress or failed) at once.
    pub max_down: usize,
    /// `ignoreApplicationStopFailures`: a failed ApplicationStop counts as done.
    pub ignore_application_stop_failures: bool,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub failure: Option<Failure>,
    /// Set for a blue/green EC2/on-premises deployment.
    pub blue_green: Option<BlueGreen>,
}

/// What happens to a deployment.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Another deployment of the group is in progress.
    Queue,
    /// The deployment begins with these targets (empty: it fails with `NO_INSTANCES`).
    Start,
    /// The revision cannot be deployed, or the group cannot take it: the deployment fails before
    /// it starts.
    Reject(Failure),
    /// The running lifecycle event `event` of target `target` ended.
    Done {
        target: usize,
        event: usize,
        result: Result<(), Diagnostics>,
    },
    /// `StopDeployment`.
    Stop,
    /// The deployment stops with this error (an alarm went off).
    Halt(Failure),
    /// `ContinueDeployment` with this wait type.
    Continue(Wait),
    /// The wait's time is over.
    WaitOver(Wait),
}

/// What the caller must do or announce after a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Run lifecycle event `event` of target `target`, then send [`Input::Done`].
    Run { target: usize, event: usize },
    /// A deployment state change (`START`, `SUCCESS`, `FAILURE`, `STOP`) for EventBridge.
    Deployment(&'static str),
    /// An instance state change (`START`, `SUCCESS`, `FAILURE`, `READY`).
    Instance { target: usize, state: &'static str },
    /// Arm the end of a wait `seconds` from now, then send [`Input::WaitOver`].
    Wait { wait: Wait, seconds: f64 },
}

/// A transition the deployment's status does not allow.
#[derive(Debug, Clone, PartialEq)]
pub struct Illegal {
    pub status: Status,
}

impl Machine {
    pub fn new(targets: Vec<Target>, required: usize, max_down: usize) -> Machine {
        Machine {
            status: Status::Created,
            targets,
            required,
            max_down: max_down.max(1),
            ignore_application_stop_failures: false,
            start: None,
            end: None,
            failure: None,
            blue_green: None,
        }
    }

    pub fn overview(&self) -> Overview {
        let mut o = Overview::default();
        for t in &self.targets {
            match t.status {
                Step::Pending => o.pending += 1,
                Step::InProgress => o.in_progress += 1,
                Step::Succeeded => o.succeeded += 1,
                Step::Failed => o.failed += 1,
                Step::Skipped => o.skipped += 1,
                Step::Ready => o.ready += 1,
            }
        }
        o
    }

    /// The blue/green phase, if this is a blue/green deployment.
    pub fn phase(&self) -> Option<Phase> {
        self.blue_green.as_ref().map(|b| b.phase)
    }

    fn count_in(&self, label: Option<Label>, s: Step) -> usize {
        self.targets
            .iter()
            .filter(|t| label.is_none_or(|l| t.label == l) && t.status == s)
            .count()
    }

    fn set_phase(&mut self, phase: Phase) {
        if let Some(b) = &mut self.blue_green {
            b.phase = phase;
        }
    }
}

/// The transition function: `(machine, input, now) -> outputs`, mutating the machine in place.
pub fn step(m: &mut Machine, input: Input, now: f64) -> Result<Vec<Output>, Illegal> {
    let illegal = Illegal { status: m.status };
    let mut out = Vec::new();
    match input {
        Input::Queue => {
            if m.status != Status::Created {
                return Err(illegal);
            }
            m.status = Status::Queued;
        }
        Input::Reject(f) => {
            if !matches!(m.status, Status::Created | Status::Queued) {
                return Err(illegal);
            }
            m.status = Status::Failed;
            m.failure = Some(f);
            m.end = Some(now);
            out.push(Output::Deployment("FAILURE"));
        }
        Input::Start => {
            if !matches!(m.status, Status::Created | Status::Queued) {
                return Err(illegal);
            }
            m.status = Status::InProgress;
            m.start = Some(now);
            out.push(Output::Deployment("START"));
            let first = m.blue_green.as_ref().map(|b| b.first);
            if m.targets.is_empty()
                || first.is_some_and(|l| m.count_in(Some(l), Step::Pending) == 0)
            {
                // AWS's wording for a group whose tags match nothing.
                finish_failed(m, Failure {
                    code: "NO_INSTANCES".into(),
                    message: "The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your Amazon EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again.".into(),
                }, now, &mut out);
            } else {
                advance(m, now, &mut out);
            }
        }
        Input::Done {
            target,
            event,
            result,
        } => {
            if m.status != Status::InProgress {
                return Err(illegal);
            }
            let Some(t) = m.targets.get_mut(target) else {
                return Ok(out);
            };
            // A stale wake-up (the target was cut off meanwhile) changes nothing.
            if t.status != Step::InProgress || t.current() != Some(event) {
                return Ok(out);
            }
            let ignore = m.ignore_application_stop_failures;
            let e = &mut t.events[event];
            e.end = Some(now);
            t.updated = now;
            match result {
                Ok(()) => e.status = Step::Succeeded,
                Err(_) if ignore && e.name == "ApplicationStop" => e.status = Step::Succeeded,
                Err(d) => {
                    e.status = Step::Failed;
                    e.diagnostics = Some(d);
                    for rest in &mut t.events[event + 1..] {
                        rest.status = Step::Skipped;
                    }
                    t.status = Step::Failed;
                    out.push(Output::Instance {
                        target,
                        state: "FAILURE",
                    });
                }
            }
            if t.status == Step::InProgress {
                next_event(m, target, now, &mut out);
            }
            advance(m, now, &mut out);
        }
        Input::Stop => {
            if m.status.is_final() {
                return Err(illegal);
            }
            halt(
                m,
                Failure {
                    code: "MANUAL_STOP".into(),
                    message: "The deployment was stopped by the user.".into(),
                },
                now,
                &mut out,
            );
        }
        Input::Halt(f) => {
            if m.status.is_final() {
                return Err(illegal);
            }
            halt(m, f, now, &mut out);
        }
        Input::Continue(Wait::Ready) => {
            if m.status != Status::Ready || m.phase() != Some(Phase::Ready) {
                return Err(illegal);
            }
            m.status = Status::InProgress;
            release(m);
            m.set_phase(Phase::Reroute);
            advance(m, now, &mut out);
        }
        Input::Continue(Wait::Termination) => {
            if m.status != Status::InProgress || m.phase() != Some(Phase::TerminationWait) {
                return Err(illegal);
            }
            succeed(m, now, &mut out);
        }
        Input::WaitOver(Wait::Ready) => {
            // A wait ended by ContinueDeployment or a stop meanwhile changes nothing.
            if m.status == Status::Ready && m.phase() == Some(Phase::Ready) {
                halt(
                    m,
                    Failure {
                        // Unconfirmed code: AWS documents only the Stopped status.
                        code: "TIMEOUT".into(),
                        message: READY_TIMEOUT_MESSAGE.into(),
                    },
                    now,
                    &mut out,
                );
            }
        }
        Input::WaitOver(Wait::Termination) => {
            if m.status == Status::InProgress && m.phase() == Some(Phase::TerminationWait) {
                succeed(m, now, &mut out);
            }
        }
    }
    Ok(out)
}

/// Moves target `i` to its next event that runs, skipping the ones that do not; the target
/// succeeds after its last event.
fn next_event(m: &mut Machine, i: usize, now: f64, out: &mut Vec<Output>) {
    let t = &mut m.targets[i];
    while let Some(k) = t.events.iter().position(|e| e.status == Step::Pending) {
        if t.hold_at.is_some_and(|h| k >= h) {
            t.status = Step::Ready;
            t.updated = now;
            out.push(Output::Instance {
                target: i,
                state: "READY",
            });
            return;
        }
        let e = &mut t.events[k];
        if e.runs {
            e.status = Step::InProgress;
            e.start = Some(now);
            t.updated = now;
            out.push(Output::Run {
                target: i,
                event: k,
            });
            return;
        }
        e.status = Step::Skipped;
    }
    t.status = Step::Succeeded;
    t.updated = now;
    out.push(Output::Instance {
        target: i,
        state: "SUCCESS",
    });
}

/// How a wave of targets stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WaveEnd {
    Running,
    Passed,
    Failed,
}

/// Starts what may start among the targets labelled `label` (all when `None`): at most
/// `max_down` down at once, at least `threshold` must end well (Succeeded, or Ready at a hold).
fn wave(
    m: &mut Machine,
    label: Option<Label>,
    max_down: usize,
    threshold: usize,
    now: f64,
    out: &mut Vec<Output>,
) -> WaveEnd {
    let n = m
        .targets
        .iter()
        .filter(|t| label.is_none_or(|l| t.label == l))
        .count();
    if n - m.count_in(label, Step::Failed) < threshold {
        return WaveEnd::Failed;
    }
    while m.count_in(label, Step::Pending) > 0
        && m.count_in(label, Step::InProgress) + m.count_in(label, Step::Failed) < max_down
    {
        let Some(i) = m
            .targets
            .iter()
            .position(|t| label.is_none_or(|l| t.label == l) && t.status == Step::Pending)
        else {
            break;
        };
        let t = &mut m.targets[i];
        t.status = Step::InProgress;
        t.updated = now;
        // A target resuming after its hold has started already.
        if t.events.iter().all(|e| e.status == Step::Pending) {
            out.push(Output::Instance {
                target: i,
                state: "START",
            });
        }
        next_event(m, i, now, out);
    }
    let running = m.count_in(label, Step::InProgress);
    let pending = m.count_in(label, Step::Pending);
    if running == 0 && pending > 0 {
        // Targets remain but none may go down: the rule can no longer be met.
        WaveEnd::Failed
    } else if running == 0 && pending == 0 {
        let good = m.count_in(label, Step::Succeeded) + m.count_in(label, Step::Ready);
        if good >= threshold {
            WaveEnd::Passed
        } else {
            WaveEnd::Failed
        }
    } else {
        WaveEnd::Running
    }
}

/// Starts what may start, and ends the deployment when it is decided.
fn advance(m: &mut Machine, now: f64, out: &mut Vec<Output>) {
    if m.blue_green.is_some() {
        blue_green_advance(m, now, out);
        return;
    }
    let threshold = m.required.max(1);
    match wave(m, None, m.max_down, threshold, now, out) {
        WaveEnd::Running => {}
        WaveEnd::Passed => succeed(m, now, out),
        WaveEnd::Failed => finish_failed(m, health_failure(), now, out),
    }
}

/// Moves a blue/green deployment through its phases as far as it can go now.
fn blue_green_advance(m: &mut Machine, now: f64, out: &mut Vec<Output>) {
    loop {
        let Some(bg) = m.blue_green.clone() else {
            return;
        };
        match bg.phase {
            Phase::Install | Phase::Reroute => {
                let threshold = m.required.max(1);
                match wave(m, Some(bg.first), m.max_down, threshold, now, out) {
                    WaveEnd::Running => return,
                    WaveEnd::Failed => {
                        finish_failed(m, health_failure(), now, out);
                        return;
                    }
                    WaveEnd::Passed if bg.phase == Phase::Reroute => m.set_phase(Phase::Block),
                    WaveEnd::Passed => {
                        if let Some(seconds) = bg.ready_wait {
                            m.set_phase(Phase::Ready);
                            m.status = Status::Ready;
                            out.push(Output::Deployment("READY"));
                            out.push(Output::Wait {
                                wait: Wait::Ready,
                                seconds,
                            });
                            return;
                        }
                        release(m);
                        m.set_phase(Phase::Reroute);
                    }
                }
            }
            Phase::Block => {
                // The original fleet leaves the load balancer all at once, and every one of its
                // instances must (unconfirmed: AWS does not document the rule for this fleet).
                let second = Some(bg.first.other());
                let n = m.targets.iter().filter(|t| Some(t.label) == second).count();
                match wave(m, second, n.max(1), n, now, out) {
                    WaveEnd::Running => return,
                    WaveEnd::Failed => {
                        finish_failed(m, health_failure(), now, out);
                        return;
                    }
                    WaveEnd::Passed => {
                        match bg.termination_wait {
                            Some(seconds) => {
                                m.set_phase(Phase::TerminationWait);
                                if let Some(b) = &mut m.blue_green {
                                    b.termination_wait_started = true;
                                }
                                out.push(Output::Wait {
                                    wait: Wait::Termination,
                                    seconds,
                                });
                            }
                            None => succeed(m, now, out),
                        }
                        return;
                    }
                }
            }
            Phase::Ready | Phase::TerminationWait => return,
        }
    }
}

/// Traffic rerouting starts: the first fleet's held targets go on.
fn release(m: &mut Machine) {
    let Some(first) = m.blue_green.as_ref().map(|b| b.first) else {
        return;
    };
    for t in &mut m.targets {
        if t.label == first && t.status == Step::Ready {
            t.status = Step::Pending;
            t.hold_at = None;
        }
    }
}

fn succeed(m: &mut Machine, now: f64, out: &mut Vec<Output>) {
    m.status = Status::Succeeded;
    m.end = Some(now);
    out.push(Output::Deployment("SUCCESS"));
}

/// The deployment stops where it is with failure `f` (StopDeployment, an alarm, a wait's end).
fn halt(m: &mut Machine, f: Failure, now: f64, out: &mut Vec<Output>) {
    let running: Vec<usize> = (0..m.targets.len())
        .filter(|&i| m.targets[i].status == Step::InProgress)
        .collect();
    cut_off(m, now);
    for target in running {
        out.push(Output::Instance {
            target,
            state: "FAILURE",
        });
    }
    m.status = Status::Stopped;
    m.end = Some(now);
    m.failure = Some(f);
    out.push(Output::Deployment("STOP"));
}

fn health_failure() -> Failure {
    Failure {
        code: "HEALTH_CONSTRAINTS".into(),
        message: HEALTH_CONSTRAINTS_MESSAGE.into(),
    }
}

/// Targets in progress fail where they are; targets not started are Skipped.
fn cut_off(m: &mut Machine, now: f64) {
    for t in &mut m.targets {
        match t.status {
            // A replacement target still waiting for traffic never gets it (unconfirmed: how
            // AWS labels such an instance).
            Step::Pending | Step::Ready => {
                t.status = Step::Skipped;
                for e in &mut t.events {
                    if e.status == Step::Pending {
                        e.status = Step::Skipped;
                    }
                }
                t.updated = now;
            }
            Step::InProgress => {
                t.status = Step::Failed;
                for e in &mut t.events {
                    match e.status {
                        Step::InProgress => {
                            e.status = Step::Failed;
                            e.end = Some(now);
                        }
                        Step::Pending => e.status = Step::Skipped,
                        _ => {}
                    }
                }
                t.updated = now;
            }
            _ => {}
        }
    }
}

fn finish_failed(m: &mut Machine, f: Failure, now: f64, out: &mut Vec<Output>) {
    let running: Vec<usize> = (0..m.targets.len())
        .filter(|&i| m.targets[i].status == Step::InProgress)
        .collect();
    cut_off(m, now);
    for target in running {
        out.push(Output::Instance {
            target,
            state: "FAILURE",
        });
    }
    m.status = Status::Failed;
    m.failure = Some(f);
    m.end = Some(now);
    out.push(Output::Deployment("FAILURE"));
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: &[(&str, bool)] = &[
        ("ApplicationStop", false),
        ("Install", true),
        ("ValidateService", true),
    ];

    fn fleet(n: usize, required: usize) -> Machine {
        let targets = (0..n)
            .map(|i| Target::new(format!("i-{i}"), EVENTS, 0.0))
            .collect();
        Machine::new(targets, required, n.saturating_sub(required))
    }

    fn fail() -> Result<(), Diagnostics> {
        Err(Diagnostics {
            error_code: LifecycleErrorCode::ScriptFailed,
            script_name: "check.sh".into(),
            message: "failed".into(),
            log_tail: String::new(),
        })
    }

    fn runs(out: &[Output]) -> Vec<(usize, usize)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Run { target, event } => Some((*target, *event)),
                _ => None,
            })
            .collect()
    }

    /// Finishes every running event of every target with `ok` until nothing runs.
    fn run_all(m: &mut Machine, mut pending: Vec<(usize, usize)>, now: &mut f64) {
        while let Some((t, e)) = pending.pop() {
            *now += 1.0;
            let out = step(
                m,
                Input::Done {
                    target: t,
                    event: e,
                    result: Ok(()),
                },
                *now,
            )
            .expect("ok");
            pending.extend(runs(&out));
        }
    }

    #[test]
    fn all_at_once_starts_every_target_and_succeeds() {
        let mut m = fleet(3, 0);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(out[0], Output::Deployment("START"));
        assert_eq!(runs(&out), vec![(0, 1), (1, 1), (2, 1)]);
        // The unscripted ApplicationStop is Skipped, without times.
        assert_eq!(m.targets[0].events[0].status, Step::Skipped);
        assert_eq!(m.targets[0].events[0].start, None);
        assert_eq!(m.overview().in_progress, 3);
        let mut now = 0.0;
        run_all(&mut m, runs(&out), &mut now);
        assert_eq!(m.status, Status::Succeeded);
        assert_eq!(m.overview().succeeded, 3);
        assert_eq!(m.end, Some(now));
    }

    #[test]
    fn one_at_a_time_runs_targets_in_turn() {
        let mut m = fleet(3, 2);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(runs(&out), vec![(0, 1)]);
        assert_eq!(m.overview().pending, 2);
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: Ok(()),
            },
            1.0,
        )
        .expect("ok");
        assert_eq!(runs(&out), vec![(0, 2)]);
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 2,
                result: Ok(()),
            },
            2.0,
        )
        .expect("ok");
        assert!(out.contains(&Output::Instance {
            target: 0,
            state: "SUCCESS"
        }));
        assert_eq!(runs(&out), vec![(1, 1)]);
    }

    #[test]
    fn one_at_a_time_fails_on_first_failure_and_skips_the_rest() {
        let mut m = fleet(3, 2);
        step(&mut m, Input::Start, 0.0).expect("ok");
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert!(out.contains(&Output::Instance {
            target: 0,
            state: "FAILURE"
        }));
        assert_eq!(out.last(), Some(&Output::Deployment("FAILURE")));
        assert_eq!(m.status, Status::Failed);
        assert_eq!(m.failure.as_ref().expect("ok").code, "HEALTH_CONSTRAINTS");
        assert_eq!(m.targets[0].events[2].status, Step::Skipped);
        assert_eq!(m.targets[1].status, Step::Skipped);
        assert_eq!(m.targets[2].status, Step::Skipped);
        let o = m.overview();
        assert_eq!((o.failed, o.skipped), (1, 2));
    }

    #[test]
    fn one_at_a_time_tolerates_failure_of_the_last_target() {
        let mut m = fleet(3, 2);
        let mut now = 0.0;
        let out = step(&mut m, Input::Start, now).expect("ok");
        // Finish targets 0 and 1, then fail target 2's first event.
        let mut pending = runs(&out);
        while let Some((t, e)) = pending.pop() {
            now += 1.0;
            let result = if t == 2 { fail() } else { Ok(()) };
            pending.extend(runs(
                &step(
                    &mut m,
                    Input::Done {
                        target: t,
                        event: e,
                        result,
                    },
                    now,
                )
                .expect("ok"),
            ));
        }
        assert_eq!(m.status, Status::Succeeded);
        assert_eq!(m.overview().failed, 1);
    }

    #[test]
    fn single_target_must_succeed() {
        let mut m = fleet(1, 0);
        step(&mut m, Input::Start, 0.0).expect("ok");
        step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert_eq!(m.status, Status::Failed);
    }

    #[test]
    fn half_at_a_time_fails_when_the_rule_cannot_be_met() {
        // 4 targets, 2 must stay healthy: 2 at once.
        let mut m = fleet(4, 2);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(runs(&out), vec![(0, 1), (1, 1)]);
        // One fails: only one more may be down, and one is running.
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert!(runs(&out).is_empty());
        assert_eq!(m.status, Status::InProgress);
        // Target 1 finishes; target 2 starts (one down, one running).
        step(
            &mut m,
            Input::Done {
                target: 1,
                event: 1,
                result: Ok(()),
            },
            2.0,
        )
        .expect("ok");
        let out = step(
            &mut m,
            Input::Done {
                target: 1,
                event: 2,
                result: Ok(()),
            },
            3.0,
        )
        .expect("ok");
        assert_eq!(runs(&out), vec![(2, 1)]);
        // Target 2 fails: two down, one left that may not start.
        let out = step(
            &mut m,
            Input::Done {
                target: 2,
                event: 1,
                result: fail(),
            },
            4.0,
        )
        .expect("ok");
        assert_eq!(out.last(), Some(&Output::Deployment("FAILURE")));
        assert_eq!(m.targets[3].status, Step::Skipped);
    }

    #[test]
    fn all_at_once_succeeds_with_one_healthy_target() {
        let mut m = fleet(3, 0);
        step(&mut m, Input::Start, 0.0).expect("ok");
        step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        step(
            &mut m,
            Input::Done {
                target: 1,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert_eq!(m.status, Status::InProgress);
        step(
            &mut m,
            Input::Done {
                target: 2,
                event: 1,
                result: Ok(()),
            },
            2.0,
        )
        .expect("ok");
        step(
            &mut m,
            Input::Done {
                target: 2,
                event: 2,
                result: Ok(()),
            },
            3.0,
        )
        .expect("ok");
        assert_eq!(m.status, Status::Succeeded);
    }

    #[test]
    fn ignored_application_stop_failure_goes_on() {
        let ev: &[(&str, bool)] = &[("ApplicationStop", true), ("Install", true)];
        let mut m = Machine::new(vec![Target::new("i-0", ev, 0.0)], 0, 1);
        m.ignore_application_stop_failures = true;
        step(&mut m, Input::Start, 0.0).expect("ok");
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 0,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert_eq!(runs(&out), vec![(0, 1)]);
    }

    #[test]
    fn stop_cuts_off_running_targets_and_skips_pending() {
        let mut m = fleet(3, 2);
        step(&mut m, Input::Start, 0.0).expect("ok");
        let out = step(&mut m, Input::Stop, 5.0).expect("ok");
        assert_eq!(
            out,
            vec![
                Output::Instance {
                    target: 0,
                    state: "FAILURE"
                },
                Output::Deployment("STOP")
            ]
        );
        assert_eq!(m.status, Status::Stopped);
        assert_eq!(m.targets[0].status, Step::Failed);
        assert_eq!(m.targets[0].events[1].status, Step::Failed);
        assert_eq!(m.targets[1].status, Step::Skipped);
        // A late wake-up and a second stop are refused or ignored.
        assert!(step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: Ok(())
            },
            6.0
        )
        .is_err());
        assert!(step(&mut m, Input::Stop, 6.0).is_err());
    }

    #[test]
    fn queued_then_started() {
        let mut m = fleet(1, 0);
        step(&mut m, Input::Queue, 0.0).expect("ok");
        assert_eq!(m.status, Status::Queued);
        assert!(step(&mut m, Input::Queue, 0.0).is_err());
        step(&mut m, Input::Start, 1.0).expect("ok");
        assert_eq!(m.status, Status::InProgress);
        assert_eq!(m.start, Some(1.0));
    }

    #[test]
    fn no_targets_fails_with_no_instances() {
        let mut m = Machine::new(Vec::new(), 0, 1);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(
            out,
            vec![Output::Deployment("START"), Output::Deployment("FAILURE")]
        );
        assert_eq!(m.failure.expect("ok").code, "NO_INSTANCES");
    }

    #[test]
    fn rejected_revision_fails_before_start() {
        let mut m = fleet(1, 0);
        let f = Failure {
            code: "INVALID_REVISION".into(),
            message: "bad".into(),
        };
        let out = step(&mut m, Input::Reject(f), 0.0).expect("ok");
        assert_eq!(out, vec![Output::Deployment("FAILURE")]);
        assert_eq!(m.start, None);
    }

    #[test]
    fn stale_done_is_ignored() {
        let mut m = fleet(2, 0);
        step(&mut m, Input::Start, 0.0).expect("ok");
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 2,
                result: Ok(()),
            },
            1.0,
        )
        .expect("ok");
        assert!(out.is_empty());
        assert_eq!(m.targets[0].events[1].status, Step::InProgress);
    }

    /// A machine for `n` targets under a configuration's rule, as the runner builds it.
    fn under(rule: crate::services::codedeploy::configs::MinHealthy, n: usize) -> Machine {
        let required = rule.required(n);
        let targets = (0..n)
            .map(|i| Target::new(format!("i-{i}"), EVENTS, 0.0))
            .collect();
        Machine::new(targets, required, n - required)
    }

    #[test]
    fn custom_fleet_percent_and_host_count_set_the_concurrency() {
        use crate::services::codedeploy::configs::MinHealthy;
        // 75% of 4 must stay healthy: one at a time.
        let mut m = under(MinHealthy::FleetPercent(75), 4);
        assert_eq!(
            runs(&step(&mut m, Input::Start, 0.0).expect("ok")),
            vec![(0, 1)]
        );
        // One host of 3 must stay healthy: two at a time; two failures still leave one.
        let mut m = under(MinHealthy::HostCount(1), 3);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(runs(&out), vec![(0, 1), (1, 1)]);
        step(
            &mut m,
            Input::Done {
                target: 0,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        // Two may be down: one failed, one running, so the third waits.
        assert_eq!(m.targets[2].status, Step::Pending);
        step(
            &mut m,
            Input::Done {
                target: 1,
                event: 1,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        // Two down and the third may not start: the rule cannot be met any more.
        assert_eq!(m.status, Status::Failed);
        assert_eq!(m.targets[2].status, Step::Skipped);
    }

    const GREEN: &[(&str, bool)] = &[
        ("Install", true),
        ("ValidateService", true),
        ("BeforeAllowTraffic", false),
        ("AllowTraffic", true),
    ];
    const BLUE: &[(&str, bool)] = &[("BlockTraffic", true)];

    /// `g` replacement targets (holding before BeforeAllowTraffic) and `b` originals, all at once.
    fn blue_green(g: usize, b: usize, bg: BlueGreen) -> Machine {
        let mut targets: Vec<Target> = (0..g)
            .map(|i| Target::new(format!("g-{i}"), GREEN, 0.0).labeled(Label::Green, Some(2)))
            .collect();
        targets.extend((0..b).map(|i| Target::new(format!("b-{i}"), BLUE, 0.0)));
        let mut m = Machine::new(targets, 0, g);
        m.blue_green = Some(bg);
        m
    }

    fn done(m: &mut Machine, target: usize, event: usize, now: f64) -> Vec<Output> {
        step(
            m,
            Input::Done {
                target,
                event,
                result: Ok(()),
            },
            now,
        )
        .expect("ok")
    }

    fn waits(out: &[Output]) -> Vec<(Wait, f64)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Wait { wait, seconds } => Some((*wait, *seconds)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn blue_green_installs_green_then_reroutes_then_blocks_blue_and_keeps_it_alive() {
        let mut m = blue_green(2, 1, BlueGreen::new(None, None));
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        // Only the replacement fleet starts.
        assert_eq!(runs(&out), vec![(0, 0), (1, 0)]);
        assert_eq!(m.targets[2].status, Step::Pending);
        done(&mut m, 0, 0, 1.0);
        let out = done(&mut m, 0, 1, 2.0);
        // Target 0 is installed and holds before the traffic events.
        assert!(out.contains(&Output::Instance {
            target: 0,
            state: "READY"
        }));
        assert_eq!(m.targets[0].status, Step::Ready);
        assert_eq!(m.targets[0].events[2].status, Step::Pending);
        assert_eq!(m.overview().ready, 1);
        done(&mut m, 1, 0, 3.0);
        let out = done(&mut m, 1, 1, 4.0);
        // All installed, no ready wait: traffic moves at once, without a second START.
        assert_eq!(runs(&out), vec![(0, 3), (1, 3)]);
        assert!(!out
            .iter()
            .any(|o| matches!(o, Output::Instance { state: "START", .. })));
        assert_eq!(m.targets[0].events[2].status, Step::Skipped);
        assert_eq!(m.phase(), Some(Phase::Reroute));
        done(&mut m, 0, 3, 5.0);
        let out = done(&mut m, 1, 3, 6.0);
        // The original fleet blocks traffic after the replacement took it.
        assert_eq!(runs(&out), vec![(2, 0)]);
        assert_eq!(m.phase(), Some(Phase::Block));
        let out = done(&mut m, 2, 0, 7.0);
        assert_eq!(out.last(), Some(&Output::Deployment("SUCCESS")));
        assert_eq!(m.status, Status::Succeeded);
        assert_eq!(m.overview().succeeded, 3);
    }

    #[test]
    fn blue_green_stop_deployment_waits_in_ready_until_continued() {
        let mut m = blue_green(1, 1, BlueGreen::new(Some(600.0), None));
        step(&mut m, Input::Start, 0.0).expect("ok");
        done(&mut m, 0, 0, 1.0);
        let out = done(&mut m, 0, 1, 2.0);
        assert_eq!(m.status, Status::Ready);
        assert_eq!(m.phase(), Some(Phase::Ready));
        assert!(out.contains(&Output::Deployment("READY")));
        assert_eq!(waits(&out), vec![(Wait::Ready, 600.0)]);
        assert!(runs(&out).is_empty());
        // The termination wait cannot be skipped before it started.
        assert!(step(&mut m, Input::Continue(Wait::Termination), 3.0).is_err());
        let out = step(&mut m, Input::Continue(Wait::Ready), 3.0).expect("ok");
        assert_eq!(m.status, Status::InProgress);
        assert_eq!(runs(&out), vec![(0, 3)]);
        // The ready wait's late end changes nothing.
        let out = step(&mut m, Input::WaitOver(Wait::Ready), 602.0).expect("ok");
        assert!(out.is_empty());
        assert_eq!(m.status, Status::InProgress);
        assert!(step(&mut m, Input::Continue(Wait::Ready), 4.0).is_err());
    }

    #[test]
    fn blue_green_ready_wait_ending_stops_the_deployment() {
        let mut m = blue_green(1, 1, BlueGreen::new(Some(60.0), None));
        step(&mut m, Input::Start, 0.0).expect("ok");
        done(&mut m, 0, 0, 1.0);
        done(&mut m, 0, 1, 2.0);
        let out = step(&mut m, Input::WaitOver(Wait::Ready), 62.0).expect("ok");
        assert_eq!(out, vec![Output::Deployment("STOP")]);
        assert_eq!(m.status, Status::Stopped);
        assert_eq!(m.failure.as_ref().expect("ok").code, "TIMEOUT");
        // The held target and the untouched original fleet are Skipped.
        assert_eq!(m.targets[0].status, Step::Skipped);
        assert_eq!(m.targets[0].events[1].status, Step::Succeeded);
        assert_eq!(m.targets[0].events[3].status, Step::Skipped);
        assert_eq!(m.targets[1].status, Step::Skipped);
    }

    #[test]
    fn blue_green_terminate_waits_then_succeeds_or_is_skipped() {
        let run = |m: &mut Machine| {
            step(m, Input::Start, 0.0).expect("ok");
            done(m, 0, 0, 1.0);
            done(m, 0, 1, 2.0);
            done(m, 0, 3, 3.0);
            done(m, 1, 0, 4.0)
        };
        let mut m = blue_green(1, 1, BlueGreen::new(None, Some(300.0)));
        let out = run(&mut m);
        assert_eq!(waits(&out), vec![(Wait::Termination, 300.0)]);
        assert_eq!(m.status, Status::InProgress);
        assert_eq!(m.phase(), Some(Phase::TerminationWait));
        assert!(m.blue_green.as_ref().expect("ok").termination_wait_started);
        let out = step(&mut m, Input::WaitOver(Wait::Termination), 304.0).expect("ok");
        assert_eq!(out, vec![Output::Deployment("SUCCESS")]);
        assert_eq!(m.end, Some(304.0));
        // ContinueDeployment TERMINATION_WAIT (SkipWaitTimeForInstanceTermination) ends it early.
        let mut m = blue_green(1, 1, BlueGreen::new(None, Some(300.0)));
        run(&mut m);
        let out = step(&mut m, Input::Continue(Wait::Termination), 10.0).expect("ok");
        assert_eq!(out, vec![Output::Deployment("SUCCESS")]);
        assert!(step(&mut m, Input::WaitOver(Wait::Termination), 304.0)
            .expect("ok")
            .is_empty());
    }

    #[test]
    fn blue_green_fails_when_the_replacement_fleet_fails_and_leaves_blue_alone() {
        let mut m = blue_green(1, 1, BlueGreen::new(None, None));
        step(&mut m, Input::Start, 0.0).expect("ok");
        let out = step(
            &mut m,
            Input::Done {
                target: 0,
                event: 0,
                result: fail(),
            },
            1.0,
        )
        .expect("ok");
        assert_eq!(out.last(), Some(&Output::Deployment("FAILURE")));
        assert_eq!(m.failure.as_ref().expect("ok").code, "HEALTH_CONSTRAINTS");
        assert_eq!(m.targets[1].status, Step::Skipped);
    }

    #[test]
    fn blue_green_without_replacement_targets_finds_no_instances() {
        let mut m = blue_green(0, 2, BlueGreen::new(None, None));
        step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(m.failure.as_ref().expect("ok").code, "NO_INSTANCES");
    }

    #[test]
    fn blue_green_rollback_moves_traffic_back_to_blue_then_blocks_green() {
        // The rollback: the originals (Blue) allow traffic first, the replacements block it.
        let allow: &[(&str, bool)] = &[("AllowTraffic", true)];
        let targets = vec![
            Target::new("b-0", allow, 0.0),
            Target::new("g-0", BLUE, 0.0).labeled(Label::Green, None),
        ];
        let mut m = Machine::new(targets, 0, 1);
        let mut bg = BlueGreen::new(None, None);
        bg.first = Label::Blue;
        bg.phase = Phase::Reroute;
        m.blue_green = Some(bg);
        let out = step(&mut m, Input::Start, 0.0).expect("ok");
        assert_eq!(runs(&out), vec![(0, 0)]);
        let out = done(&mut m, 0, 0, 1.0);
        assert_eq!(runs(&out), vec![(1, 0)]);
        done(&mut m, 1, 0, 2.0);
        assert_eq!(m.status, Status::Succeeded);
    }

    #[test]
    fn halt_stops_with_the_given_error_also_while_ready() {
        let mut m = blue_green(1, 1, BlueGreen::new(Some(60.0), None));
        step(&mut m, Input::Start, 0.0).expect("ok");
        done(&mut m, 0, 0, 1.0);
        done(&mut m, 0, 1, 2.0);
        let f = Failure {
            code: "ALARM_ACTIVE".into(),
            message: "alarm".into(),
        };
        let out = step(&mut m, Input::Halt(f), 3.0).expect("ok");
        assert_eq!(out, vec![Output::Deployment("STOP")]);
        assert_eq!(m.status, Status::Stopped);
        assert_eq!(m.failure.as_ref().expect("ok").code, "ALARM_ACTIVE");
        assert!(step(&mut m, Input::Continue(Wait::Ready), 4.0).is_err());
    }
}

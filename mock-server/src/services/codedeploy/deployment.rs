//! The deployment machine: one pure transition function over a deployment's status, its targets
//! and their lifecycle events. It decides what runs next (how many targets at once, under the
//! minimum healthy hosts rule), when the deployment fails (as soon as the rule can no longer be
//! met, targets not started then Skipped), and which state changes to announce. What "running a
//! lifecycle event" means (a simulated script on virtual time, a Lambda hook waiting for its
//! status, a traffic shift) is the caller's business: it answers with [`Input::Done`].
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
    Succeeded,
    Failed,
    Skipped,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Pending => "Pending",
            Step::InProgress => "InProgress",
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

/// One target (an instance, a Lambda function, an ECS service).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub status: Step,
    pub events: Vec<Event>,
    pub updated: f64,
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
        }
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
}

/// What the caller must do or announce after a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Run lifecycle event `event` of target `target`, then send [`Input::Done`].
    Run { target: usize, event: usize },
    /// A deployment state change (`START`, `SUCCESS`, `FAILURE`, `STOP`) for EventBridge.
    Deployment(&'static str),
    /// An instance state change (`START`, `SUCCESS`, `FAILURE`).
    Instance { target: usize, state: &'static str },
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
            }
        }
        o
    }

    fn count(&self, s: Step) -> usize {
        self.targets.iter().filter(|t| t.status == s).count()
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
            if m.targets.is_empty() {
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
            m.failure = Some(Failure {
                code: "MANUAL_STOP".into(),
                message: "The deployment was stopped by the user.".into(),
            });
            out.push(Output::Deployment("STOP"));
        }
    }
    Ok(out)
}

/// Moves target `i` to its next event that runs, skipping the ones that do not; the target
/// succeeds after its last event.
fn next_event(m: &mut Machine, i: usize, now: f64, out: &mut Vec<Output>) {
    let t = &mut m.targets[i];
    while let Some(k) = t.events.iter().position(|e| e.status == Step::Pending) {
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

/// Starts what may start, and ends the deployment when it is decided.
fn advance(m: &mut Machine, now: f64, out: &mut Vec<Output>) {
    let n = m.targets.len();
    let threshold = m.required.max(1);
    if n - m.count(Step::Failed) < threshold {
        finish_failed(m, health_failure(), now, out);
        return;
    }
    while m.count(Step::Pending) > 0
        && m.count(Step::InProgress) + m.count(Step::Failed) < m.max_down
    {
        let Some(i) = m.targets.iter().position(|t| t.status == Step::Pending) else {
            break;
        };
        m.targets[i].status = Step::InProgress;
        m.targets[i].updated = now;
        out.push(Output::Instance {
            target: i,
            state: "START",
        });
        next_event(m, i, now, out);
    }
    let running = m.count(Step::InProgress);
    let pending = m.count(Step::Pending);
    if running == 0 && pending > 0 {
        // Targets remain but none may go down: the rule can no longer be met.
        finish_failed(m, health_failure(), now, out);
    } else if running == 0 && pending == 0 {
        if m.count(Step::Succeeded) >= threshold {
            m.status = Status::Succeeded;
            m.end = Some(now);
            out.push(Output::Deployment("SUCCESS"));
        } else {
            finish_failed(m, health_failure(), now, out);
        }
    }
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
            Step::Pending => {
                t.status = Step::Skipped;
                for e in &mut t.events {
                    e.status = Step::Skipped;
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
}

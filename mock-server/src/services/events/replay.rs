//! Replays: the state machine STARTING -> RUNNING (the archived events of the window are
//! re-delivered, marked with `replay-name`) -> COMPLETED, and CANCELLING -> CANCELLED, one step
//! per [`REPLAY_STEP_SECONDS`] of virtual time.

use super::delivery::Dispatch;
use super::ports::Command;
use super::Call;
use codemock_wire::events::ReplayState;
use serde_json::{json, Value};

/// How long each replay step takes on the virtual clock.
pub const REPLAY_STEP_SECONDS: f64 = 1.0;

/// What a step does besides moving the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub next: ReplayState,
    /// Re-deliver the window's archived events.
    pub deliver: bool,
    /// Another step follows.
    pub again: bool,
    /// The replay ends now.
    pub ends: bool,
}

/// The pure transition of one timer step from `state`; `None` when nothing happens (a replay
/// already over).
pub fn step(state: ReplayState) -> Option<Step> {
    let s = |next, deliver, again, ends| Step {
        next,
        deliver,
        again,
        ends,
    };
    match state {
        ReplayState::Starting => Some(s(ReplayState::Running, true, true, false)),
        ReplayState::Running => Some(s(ReplayState::Completed, false, false, true)),
        ReplayState::Cancelling => Some(s(ReplayState::Cancelled, false, false, true)),
        _ => None,
    }
}

/// Runs a replay's timer step.
pub fn on_timer(call: &mut Call<'_>, name: &str) {
    let now = call.ctx.received_at;
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let state = &mut *call.state;
    let Some(replay) = state.replays.get(name).cloned() else {
        return;
    };
    let Some(step) = step(replay.state) else {
        return;
    };
    let mut last = None;
    if step.deliver {
        let archive = state
            .archives
            .values()
            .find(|a| a.arn == replay.event_source_arn);
        let bus = archive.and_then(|a| {
            state
                .buses
                .values()
                .find(|b| b.arn == a.event_source_arn)
                .map(|b| b.name.clone())
        });
        let only_rules = replay.destination.filter_arns.as_ref().map(|arns| {
            arns.iter()
                .filter_map(|a| a.rsplit('/').next().map(str::to_owned))
                .collect::<Vec<_>>()
        });
        if let (Some(archive), Some(bus)) = (archive, bus) {
            for e in archive
                .events
                .iter()
                .filter(|e| e.time >= replay.event_start_time && e.time < replay.event_end_time)
            {
                let mut event = e.event.clone();
                if let Value::Object(map) = &mut event {
                    map.insert("replay-name".into(), json!(replay.name));
                }
                last = Some(e.time);
                let d = Dispatch {
                    only_rules: only_rules.clone(),
                    replay: Some(replay.name.clone()),
                    ..Dispatch::put(&bus, event)
                };
                call.effects
                    .send(&account, &region, Command::Put(Box::new(d)));
            }
        }
    }
    if let Some(r) = state.replays.get_mut(name) {
        r.state = step.next;
        r.event_last_replayed_time = last.or(r.event_last_replayed_time);
        if step.ends {
            r.replay_end_time = Some(now);
        }
    }
    if step.again {
        arm(call, name, now);
    }
}

/// Arms the replay's next step.
pub fn arm(call: &mut Call<'_>, name: &str, now: f64) {
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    call.effects.arm(
        now + REPLAY_STEP_SECONDS,
        &account,
        &region,
        super::Timer::Replay {
            name: name.to_owned(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_starts_delivers_once_then_completes() {
        let first = step(ReplayState::Starting).expect("a step");
        assert_eq!(first.next, ReplayState::Running);
        assert!(first.deliver && first.again && !first.ends);
        let second = step(first.next).expect("a step");
        assert_eq!(second.next, ReplayState::Completed);
        assert!(!second.deliver && !second.again && second.ends);
        assert_eq!(step(second.next), None);
    }

    #[test]
    fn a_cancelling_replay_ends_cancelled() {
        let s = step(ReplayState::Cancelling).expect("a step");
        assert_eq!(s.next, ReplayState::Cancelled);
        assert!(s.ends && !s.deliver);
        assert_eq!(step(ReplayState::Cancelled), None);
        assert_eq!(step(ReplayState::Failed), None);
    }
}

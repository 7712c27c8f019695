//! The CloudWatch alarms deployment groups watch. codemock has no CloudWatch: a test sets a named
//! alarm's state (`POST /_codemock/cloudwatch/alarms`, `MockServer::codedeploy().set_alarm_state`),
//! and a deployment whose group (or `overrideAlarmConfiguration`) names an enabled alarm in
//! `ALARM` stops with `ALARM_ACTIVE`. Server-wide, like the CodeBuild parameter values; an alarm
//! no test has set is `OK`.

use parking_lot::Mutex;
use std::collections::BTreeMap;

/// CloudWatch's `StateValue`s.
pub const STATES: [&str; 3] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

/// The alarm states tests set.
#[derive(Debug, Default)]
pub struct Alarms {
    states: Mutex<BTreeMap<String, String>>,
}

/// A state that is not one of CloudWatch's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidAlarmState(pub String);

impl std::fmt::Display for InvalidAlarmState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The alarm state {} is not one of OK, ALARM, INSUFFICIENT_DATA.",
            self.0
        )
    }
}

impl std::error::Error for InvalidAlarmState {}

impl Alarms {
    /// Sets alarm `name` to `state` (`OK`, `ALARM` or `INSUFFICIENT_DATA`). Deployments in
    /// progress see it at their next alarm poll (every [`POLL_SECONDS`] of virtual time).
    pub fn set_alarm_state(&self, name: &str, state: &str) -> Result<(), InvalidAlarmState> {
        if !STATES.contains(&state) {
            return Err(InvalidAlarmState(state.to_owned()));
        }
        self.states.lock().insert(name.to_owned(), state.to_owned());
        Ok(())
    }

    /// The state of alarm `name` (`OK` when never set).
    pub fn state(&self, name: &str) -> String {
        self.states
            .lock()
            .get(name)
            .cloned()
            .unwrap_or_else(|| "OK".into())
    }

    /// Of `names`, the alarms in `ALARM`, in the given order.
    pub fn active(&self, names: &[String]) -> Vec<String> {
        let states = self.states.lock();
        names
            .iter()
            .filter(|n| states.get(*n).is_some_and(|s| s == "ALARM"))
            .cloned()
            .collect()
    }

    pub fn reset(&self) {
        self.states.lock().clear();
    }
}

/// How often a deployment in progress looks at its alarms, in virtual seconds (AWS does not
/// publish its polling interval; unconfirmed).
pub const POLL_SECONDS: f64 = 1.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarms_default_to_ok_and_only_alarm_state_is_active() {
        let a = Alarms::default();
        assert_eq!(a.state("HighErrors"), "OK");
        a.set_alarm_state("HighErrors", "ALARM").expect("ok");
        a.set_alarm_state("Latency", "INSUFFICIENT_DATA")
            .expect("ok");
        let names = vec![
            "Latency".to_owned(),
            "HighErrors".to_owned(),
            "x".to_owned(),
        ];
        assert_eq!(a.active(&names), vec!["HighErrors".to_owned()]);
        assert!(a.set_alarm_state("HighErrors", "alarm").is_err());
        a.reset();
        assert!(a.active(&names).is_empty());
    }
}

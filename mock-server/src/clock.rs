//! The virtual clock: the only place in codemock where time is read.
//!
//! Services ask the clock for "now" and never look at the system clock, so that a test in `manual`
//! mode sees the same timestamps on every run, and a sidecar in `realtime` mode can run simulated
//! work faster than real time (`speed` virtual seconds per real second).

use parking_lot::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the virtual clock moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockMode {
    /// Time stands still until a test advances it.
    Manual,
    /// Time follows the wall clock, `speed` times faster.
    Realtime { speed: f64 },
    /// Time never moves, even when asked to advance (frozen snapshots).
    Fixed,
}

impl ClockMode {
    pub fn name(&self) -> &'static str {
        match self {
            ClockMode::Manual => "manual",
            ClockMode::Realtime { .. } => "realtime",
            ClockMode::Fixed => "fixed",
        }
    }
}

/// Where manual and fixed clocks start: 2024-01-01T00:00:00Z. A constant, so that every run of a
/// test sees the same timestamps.
pub const DEFAULT_MANUAL_EPOCH: f64 = 1_704_067_200.0;

#[derive(Debug)]
struct State {
    mode: ClockMode,
    /// Virtual epoch seconds at `anchor`.
    virtual_at_anchor: f64,
    anchor: Instant,
}

/// A virtual clock shared by everything in one server.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
}

impl Clock {
    /// A clock in `mode`. Realtime clocks start at the wall-clock time, the others at `start`
    /// (or [`DEFAULT_MANUAL_EPOCH`]).
    pub fn new(mode: ClockMode, start: Option<f64>) -> Clock {
        let start = start.unwrap_or(match mode {
            ClockMode::Realtime { .. } => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(DEFAULT_MANUAL_EPOCH),
            _ => DEFAULT_MANUAL_EPOCH,
        });
        Clock {
            state: Mutex::new(State {
                mode,
                virtual_at_anchor: start,
                anchor: Instant::now(),
            }),
        }
    }

    pub fn mode(&self) -> ClockMode {
        self.state.lock().mode
    }

    /// Virtual now, in epoch seconds with sub-second precision.
    pub fn now(&self) -> f64 {
        let s = self.state.lock();
        Self::now_locked(&s)
    }

    fn now_locked(s: &State) -> f64 {
        match s.mode {
            ClockMode::Realtime { speed } => {
                s.virtual_at_anchor + s.anchor.elapsed().as_secs_f64() * speed
            }
            ClockMode::Manual | ClockMode::Fixed => s.virtual_at_anchor,
        }
    }

    /// Virtual now in whole milliseconds (CloudWatch Logs and S3 speak milliseconds).
    pub fn now_millis(&self) -> i64 {
        (self.now() * 1000.0).floor() as i64
    }

    /// Moves virtual time forward to `target` if it is later than now. A fixed clock ignores it.
    /// The scheduler calls this timer by timer so that each timer fires at its own instant.
    pub fn set_at_least(&self, target: f64) {
        let mut s = self.state.lock();
        if s.mode == ClockMode::Fixed {
            return;
        }
        let now = Self::now_locked(&s);
        if target > now {
            s.virtual_at_anchor = target;
            s.anchor = Instant::now();
        }
    }

    /// Moves virtual time forward by `by` (all modes but fixed).
    pub fn advance(&self, by: Duration) {
        let target = self.now() + by.as_secs_f64();
        self.set_at_least(target);
    }

    /// How long, in real time, until virtual time reaches `target`. `None` when it never will
    /// on its own (manual and fixed clocks).
    pub fn real_time_until(&self, target: f64) -> Option<Duration> {
        let s = self.state.lock();
        match s.mode {
            ClockMode::Realtime { speed } if speed > 0.0 => {
                let remaining = (target - Self::now_locked(&s)).max(0.0) / speed;
                Some(Duration::from_secs_f64(remaining))
            }
            _ => None,
        }
    }
}

/// Real (monotonic) now, for what concerns the machine rather than the emulated world: how long
/// a request took, for the log, and the real-time bound of a long poll. Kept here so that every
/// read of time in codemock goes through this module.
pub fn real_now() -> Instant {
    Instant::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let clock = Clock::new(ClockMode::Manual, None);
        assert_eq!(clock.now(), DEFAULT_MANUAL_EPOCH);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), DEFAULT_MANUAL_EPOCH);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), DEFAULT_MANUAL_EPOCH + 90.0);
        assert_eq!(
            clock.now_millis(),
            (DEFAULT_MANUAL_EPOCH as i64 + 90) * 1000
        );
    }

    #[test]
    fn realtime_clock_runs_at_its_speed() {
        let clock = Clock::new(ClockMode::Realtime { speed: 1000.0 }, Some(0.0));
        std::thread::sleep(Duration::from_millis(20));
        let now = clock.now();
        // 20 ms real at 1000x is at least 20 virtual seconds.
        assert!(now >= 20.0, "virtual time moved only {now}s");
        let wait = clock
            .real_time_until(now + 1000.0)
            .expect("realtime clocks reach targets");
        assert!(wait <= Duration::from_secs(1));
    }

    #[test]
    fn fixed_clock_never_moves_and_time_never_goes_back() {
        let fixed = Clock::new(ClockMode::Fixed, Some(10.0));
        fixed.advance(Duration::from_secs(5));
        assert_eq!(fixed.now(), 10.0);
        let manual = Clock::new(ClockMode::Manual, Some(10.0));
        manual.set_at_least(5.0);
        assert_eq!(manual.now(), 10.0);
        assert_eq!(manual.real_time_until(20.0), None);
    }
}

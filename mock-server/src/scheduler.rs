//! Timers on virtual time. State machines (a build phase that ends, a schedule that fires) ask
//! for a wake-up at a virtual instant; the scheduler hands them back in time order when the clock
//! reaches it: on `advance` in manual mode, from a background loop in realtime mode.

use parking_lot::Mutex;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use tokio::sync::Notify;

/// Identifies a scheduled timer, so that its owner can cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

#[derive(Debug, Clone, Copy, PartialEq)]
struct Due {
    at: f64,
    seq: u64,
}

impl Eq for Due {}

impl Ord for Due {
    // Reversed, so that the max-heap pops the earliest timer; equal instants fire in the order
    // they were scheduled, which keeps runs deterministic.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .total_cmp(&self.at)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug)]
struct Inner<T> {
    heap: BinaryHeap<Due>,
    payloads: HashMap<u64, T>,
    next_seq: u64,
}

/// Timers carrying payloads of type `T`, ordered by virtual time.
#[derive(Debug)]
pub struct Scheduler<T> {
    inner: Mutex<Inner<T>>,
    changed: Notify,
}

impl<T> Default for Scheduler<T> {
    fn default() -> Self {
        Scheduler {
            inner: Mutex::new(Inner {
                heap: BinaryHeap::new(),
                payloads: HashMap::new(),
                next_seq: 0,
            }),
            changed: Notify::new(),
        }
    }
}

impl<T> Scheduler<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `payload` for virtual time `at` (epoch seconds).
    pub fn schedule(&self, at: f64, payload: T) -> TimerId {
        let mut inner = self.inner.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.heap.push(Due { at, seq });
        inner.payloads.insert(seq, payload);
        drop(inner);
        self.changed.notify_one();
        TimerId(seq)
    }

    /// Cancels a timer; returns its payload if it had not fired yet.
    pub fn cancel(&self, id: TimerId) -> Option<T> {
        // The heap entry stays and is skipped when it surfaces: cheaper than rebuilding the heap.
        self.inner.lock().payloads.remove(&id.0)
    }

    /// The instant of the earliest pending timer.
    pub fn next_due(&self) -> Option<f64> {
        let mut inner = self.inner.lock();
        Self::drop_cancelled(&mut inner);
        inner.heap.peek().map(|d| d.at)
    }

    /// Removes and returns the earliest timer due at or before `now`, with its instant.
    pub fn pop_due(&self, now: f64) -> Option<(f64, T)> {
        let mut inner = self.inner.lock();
        Self::drop_cancelled(&mut inner);
        let due = *inner.heap.peek()?;
        if due.at > now {
            return None;
        }
        inner.heap.pop();
        inner.payloads.remove(&due.seq).map(|p| (due.at, p))
    }

    pub fn len(&self) -> usize {
        self.inner.lock().payloads.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every timer (a reset).
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.heap.clear();
        inner.payloads.clear();
        drop(inner);
        self.changed.notify_one();
    }

    /// Resolves when a timer was scheduled or the timers were cleared, so that the realtime loop
    /// can re-plan its sleep.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    fn drop_cancelled(inner: &mut Inner<T>) {
        while let Some(top) = inner.heap.peek() {
            if inner.payloads.contains_key(&top.seq) {
                break;
            }
            inner.heap.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_come_back_in_time_order_then_schedule_order() {
        let s = Scheduler::new();
        s.schedule(30.0, "c");
        s.schedule(10.0, "a");
        s.schedule(10.0, "b");
        s.schedule(99.0, "late");
        assert_eq!(s.next_due(), Some(10.0));
        let mut fired = vec![];
        while let Some((at, p)) = s.pop_due(50.0) {
            fired.push((at, p));
        }
        assert_eq!(fired, vec![(10.0, "a"), (10.0, "b"), (30.0, "c")]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.pop_due(98.9), None);
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let s = Scheduler::new();
        let a = s.schedule(1.0, 'a');
        s.schedule(2.0, 'b');
        assert_eq!(s.cancel(a), Some('a'));
        assert_eq!(s.cancel(a), None);
        assert_eq!(s.next_due(), Some(2.0));
        assert_eq!(s.pop_due(5.0), Some((2.0, 'b')));
        assert!(s.is_empty());
    }

    #[test]
    fn clear_forgets_everything() {
        let s = Scheduler::new();
        s.schedule(1.0, ());
        s.clear();
        assert_eq!(s.next_due(), None);
    }
}

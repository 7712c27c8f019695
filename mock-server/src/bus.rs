//! The outbox: domain events a handler produces while it holds a partition lock, delivered in
//! order after the lock is released.
//!
//! A handler never calls another service directly (that would need a second lock, or the same
//! one again). It pushes an event here; once the request's lock is gone, [`drain`] hands each
//! event to a deliverer, which may lock whatever it needs and may produce further events. Those
//! are delivered after the ones already waiting, so the order is breadth-first and stable.

use std::collections::VecDeque;
use std::future::Future;

/// Events collected while a lock is held.
#[derive(Debug)]
pub struct Outbox<E> {
    events: Vec<E>,
}

impl<E> Default for Outbox<E> {
    fn default() -> Self {
        Outbox { events: Vec::new() }
    }
}

impl<E> Outbox<E> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, event: E) {
        self.events.push(event);
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn into_events(self) -> Vec<E> {
        self.events
    }
}

/// How many deliveries one drain performs at most. A rule that feeds its own bus would otherwise
/// loop forever; AWS stops such loops too (events are forwarded one hop between buses).
pub const MAX_DELIVERIES_PER_DRAIN: usize = 100_000;

/// Delivers `events` and everything they cause, in order. Returns how many were delivered.
pub async fn drain<E, F, Fut>(events: Vec<E>, mut deliver: F) -> usize
where
    F: FnMut(E) -> Fut,
    Fut: Future<Output = Vec<E>>,
{
    let mut queue: VecDeque<E> = events.into();
    let mut delivered = 0;
    while let Some(event) = queue.pop_front() {
        if delivered >= MAX_DELIVERIES_PER_DRAIN {
            tracing::warn!(
                dropped = queue.len() + 1,
                "event delivery limit reached; dropping the rest"
            );
            break;
        }
        delivered += 1;
        queue.extend(deliver(event).await);
    }
    delivered
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;
    use std::sync::Arc;

    #[tokio::test]
    async fn delivers_in_order_breadth_first() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let n = drain(vec![1, 2], move |e: u32| {
            log.lock().push(e);
            async move {
                if e < 10 {
                    vec![e * 10]
                } else {
                    vec![]
                }
            }
        })
        .await;
        assert_eq!(n, 4);
        assert_eq!(*seen.lock(), vec![1, 2, 10, 20]);
    }

    #[tokio::test]
    async fn deliverers_can_take_the_lock_the_producer_held() {
        let state = Arc::new(Mutex::new(0));
        let mut outbox = Outbox::new();
        {
            let mut guard = state.lock();
            *guard += 1;
            outbox.push("bump");
        } // the producer's lock ends here; delivery would deadlock if it ran inside
        let s = state.clone();
        drain(outbox.into_events(), move |_| {
            *s.lock() += 1;
            async { vec![] }
        })
        .await;
        assert_eq!(*state.lock(), 2);
    }

    #[tokio::test]
    async fn a_loop_of_events_stops_at_the_limit() {
        let n = drain(vec![()], |_| async { vec![()] }).await;
        assert_eq!(n, MAX_DELIVERIES_PER_DRAIN);
    }
}

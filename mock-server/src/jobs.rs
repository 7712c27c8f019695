//! Jobs: work that waits on the outside world (an API destination's HTTP call today; a local
//! build's shell, a token fetch next), run as spawned tasks so that no request and no timer waits
//! for it. A job's result comes back as effects, applied like any handler's. The engine counts
//! running jobs so that a manual-clock test can wait until everything has settled.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// The running jobs of one server.
#[derive(Debug, Default)]
pub struct Jobs {
    running: AtomicUsize,
    /// Of those, the jobs that wait on virtual time themselves (a local build, ended by its own
    /// commands or by its timeout timer): advancing the clock does not wait for them.
    long: AtomicUsize,
    idle: Notify,
    /// Runtime handles jobs are spawned on when the caller runs outside one (not normally).
    handle: Mutex<Option<tokio::runtime::Handle>>,
}

/// Counts a job as running until dropped, also when the job panics.
pub struct Running(Arc<Jobs>, bool);

impl Drop for Running {
    fn drop(&mut self) {
        if self.1 {
            self.0.long.fetch_sub(1, Ordering::AcqRel);
        }
        self.0.running.fetch_sub(1, Ordering::AcqRel);
        self.0.idle.notify_waiters();
    }
}

impl Jobs {
    /// Remembers the runtime jobs run on (the server's own).
    pub fn set_runtime(&self, handle: tokio::runtime::Handle) {
        *self.handle.lock() = Some(handle);
    }

    /// The runtime to spawn on: the caller's, else the server's.
    pub fn runtime(&self) -> Option<tokio::runtime::Handle> {
        tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.handle.lock().clone())
    }

    /// Marks one more job as running.
    pub fn start(self: &Arc<Self>) -> Running {
        self.running.fetch_add(1, Ordering::AcqRel);
        Running(self.clone(), false)
    }

    /// Marks one more long job (see [`Jobs::long`]) as running.
    pub fn start_long(self: &Arc<Self>) -> Running {
        self.long.fetch_add(1, Ordering::AcqRel);
        self.running.fetch_add(1, Ordering::AcqRel);
        Running(self.clone(), true)
    }

    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Waits until no job runs, not counting long jobs unless `long` is set.
    pub async fn wait(&self, long: bool) -> bool {
        let mut waited = false;
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let busy = self.running()
                - if long {
                    0
                } else {
                    self.long.load(Ordering::Acquire)
                };
            if busy == 0 {
                return waited;
            }
            waited = true;
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_returns_when_the_last_job_ends_even_if_it_panicked() {
        let jobs = Arc::new(Jobs::default());
        assert!(!jobs.wait(true).await);
        let guard = jobs.start();
        let task = tokio::spawn(async move {
            let _guard = guard;
            panic!("job bug");
        });
        assert!(task.await.is_err());
        assert_eq!(jobs.running(), 0);
        assert!(!jobs.wait(true).await);
    }
}

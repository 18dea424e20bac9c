//! Small fixed pools of OS threads for CPU- and memory-heavy work (password hashing, photo
//! decoding), so such work is bounded twice: at most `threads` jobs run at once, and a job
//! waits at most `wait` for a thread before the request is told to retry (503).
//!
//! Why not `spawn_blocking`: tokio's blocking pool grows to hundreds of threads, and each
//! thread keeps its own allocator heap, so the memory of a burst of argon2 hashes (each
//! holding megabytes) would stay spread over many threads. A fixed pool reuses the same few.

use crate::error::AppError;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send + 'static>;

pub struct Workers {
    name: &'static str,
    jobs: mpsc::SyncSender<Job>,
    permits: Arc<Semaphore>,
    wait: Duration,
    /// Requests waiting for a thread; past [`Workers::max_waiting`] new ones are refused at
    /// once (a waiting request holds its whole request state in memory).
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
}

impl Workers {
    /// Starts `threads` threads named `rbay-{name}`; at most `32 x threads` requests wait.
    pub fn new(name: &'static str, threads: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job>(threads);
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("rbay-{name}-{i}"))
                .spawn(move || loop {
                    let job = {
                        let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
                        queue.recv()
                    };
                    match job {
                        // A panicking job must not take the thread with it.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                        }
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, name, "cannot start a worker thread");
            }
        }
        Workers {
            name,
            jobs,
            permits: Arc::new(Semaphore::new(threads)),
            wait,
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting: 32 * threads,
        }
    }

    /// Runs `work` on the pool once a thread is free. `Unavailable` when none frees up in time
    /// (the caller answers 503 with Retry-After), `Internal` when the work panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        use std::sync::atomic::Ordering;
        let busy = || {
            tracing::debug!(pool = self.name, "workers busy; asking the client to retry");
            AppError::Unavailable
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let acquired =
            tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = acquired
            .map_err(|_| busy())?
            .map_err(|_| AppError::Internal)?;
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
            drop(permit);
        });
        self.jobs.send(job).map_err(|_| {
            tracing::error!(pool = self.name, "worker threads are gone");
            AppError::Internal
        })?;
        result.await.map_err(|_| {
            tracing::error!(pool = self.name, "a worker job panicked");
            AppError::Internal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn at_most_n_jobs_run_and_waiters_give_up_in_time() {
        let pool = Arc::new(Workers::new("test", 2, Duration::from_millis(100)));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..6)
            .map(|_| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(60));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for job in jobs {
            outcomes.push(job.await.unwrap());
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert!(outcomes.iter().filter(|o| o.is_ok()).count() >= 2);
        assert!(outcomes
            .iter()
            .all(|o| matches!(o, Ok(()) | Err(AppError::Unavailable))));
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_internal_error_and_the_pool_lives_on() {
        let pool = Workers::new("panics", 1, Duration::from_secs(1));
        assert_eq!(
            pool.run(|| -> u8 { panic!("boom") }).await,
            Err(AppError::Internal)
        );
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}

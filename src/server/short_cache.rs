//! A value an instance recomputes at most once per interval, per key namespace (tests run
//! several apps in one process), one refresh at a time: requests that arrive during a refresh
//! wait for it instead of each reading Redis. For data that is the same for every visitor
//! (the home rankings, the market board), with live updates covering the interval.

use crate::error::AppError;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ShortCache<T> {
    fresh_for: Duration,
    recent: Mutex<HashMap<String, (Instant, Arc<T>)>>,
    refresh: tokio::sync::Mutex<()>,
}

impl<T> ShortCache<T> {
    pub fn new(fresh_for: Duration) -> Self {
        ShortCache {
            fresh_for,
            recent: Mutex::new(HashMap::new()),
            refresh: tokio::sync::Mutex::const_new(()),
        }
    }

    fn recent(&self, namespace: &str) -> Option<Arc<T>> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .get(namespace)
            .filter(|(at, _)| at.elapsed() < self.fresh_for)
            .map(|(_, value)| Arc::clone(value))
    }

    /// The namespace's value if it is fresh, else `load`'s (kept for the next requests).
    pub async fn get<F, Fut>(&self, namespace: &str, load: F) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        if let Some(value) = self.recent(namespace) {
            return Ok(value);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(value) = self.recent(namespace) {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(namespace.to_string(), (Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}

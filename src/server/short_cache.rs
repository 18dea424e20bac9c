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

/// Values by key, each reused for a short time, at most `max` of them (expired ones go first,
/// then the oldest): for what is asked again and again with many different keys (the counts
/// per category of a search, the instance tier of the page cache). No refresh coordination:
/// a miss simply recomputes.
pub struct RecentMap<T> {
    fresh_for: Duration,
    max: usize,
    entries: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T: Clone> RecentMap<T> {
    pub fn new(fresh_for: Duration, max: usize) -> Self {
        RecentMap {
            fresh_for,
            max,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key's value if it is still fresh.
    pub fn get(&self, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: String, value: T) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.max {
            let fresh_for = self.fresh_for;
            entries.retain(|_, (at, _)| at.elapsed() < fresh_for);
        }
        if entries.len() >= self.max {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, (Instant::now(), value));
    }
}

/// Turns to recompute something missing from a cache, per key, per instance: requests that
/// miss the same key at the same moment go one after the other, so the first recomputes and
/// the others find its result (checking the cache again once it is their turn) instead of all
/// asking Redis at once. Keys share a fixed number of turns by hash, so this never grows.
pub struct Turns {
    turns: Vec<tokio::sync::Mutex<()>>,
}

impl Turns {
    pub fn new(count: usize) -> Self {
        Turns {
            turns: (0..count.max(1))
                .map(|_| tokio::sync::Mutex::new(()))
                .collect(),
        }
    }

    /// Waits for `key`'s turn; the turn lasts as long as the guard.
    pub async fn take(&self, key: &str) -> tokio::sync::MutexGuard<'_, ()> {
        // The same key always gets the same turn.
        let hash = crate::util::hash::fnv1a(key.bytes());
        self.turns[(hash % self.turns.len() as u64) as usize]
            .lock()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::RecentMap;
    use std::time::Duration;

    #[test]
    fn a_recent_map_forgets_after_its_time_and_stays_bounded() {
        let map = RecentMap::new(Duration::from_millis(50), 3);
        for i in 0..10 {
            map.put(format!("k{i}"), i);
        }
        assert_eq!(map.entries.lock().unwrap().len(), 3, "bounded");
        assert_eq!(map.get("k9"), Some(9));
        assert_eq!(map.get("k0"), None, "the oldest went first");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(map.get("k9"), None, "expired");
    }

    #[tokio::test]
    async fn a_key_waits_for_its_own_turn_only() {
        let turns = super::Turns::new(64);
        let held = turns.take("search lamp").await;
        let same = tokio::time::timeout(Duration::from_millis(50), turns.take("search lamp")).await;
        assert!(same.is_err(), "the same key waits while its turn is held");
        // Some other key has another turn (64 turns: not all keys can share this one).
        let mut free = 0;
        for i in 0..16 {
            let key = format!("search word{i}");
            if let Ok(_guard) =
                tokio::time::timeout(Duration::from_millis(5), turns.take(&key)).await
            {
                free += 1;
            }
        }
        assert!(free > 0, "other keys go ahead");
        drop(held);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), turns.take("search lamp"))
                .await
                .is_ok(),
            "its turn comes once released"
        );
    }
}

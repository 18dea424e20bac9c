//! The short, per-instance caches, on moka: a value recomputed at most once per interval per
//! key namespace with one refresh at a time ([`ShortCache`]: requests that arrive during a
//! refresh wait for it instead of each reading Redis), and a bounded map of values reused for
//! a short time ([`RecentMap`]). For data that is the same for every visitor (the home
//! rankings, the market board, a search's ids, the page cache's instance tier), with live
//! updates covering the interval.

use crate::error::AppError;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Namespaces per [`ShortCache`] (tests run several apps in one process; one in production).
const NAMESPACES: u64 = 64;

pub struct ShortCache<T> {
    values: moka::future::Cache<String, Arc<T>>,
}

impl<T: Send + Sync + 'static> ShortCache<T> {
    pub fn new(fresh_for: Duration) -> Self {
        ShortCache {
            values: moka::future::Cache::builder()
                .time_to_live(fresh_for)
                .max_capacity(NAMESPACES)
                .build(),
        }
    }

    /// The namespace's value if it is fresh, else `load`'s (kept for the next requests); one
    /// `load` runs at a time per namespace, and the requests that wait get its result.
    pub async fn get<F, Fut>(&self, namespace: &str, load: F) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        self.values
            .try_get_with_by_ref(namespace, async { load().await.map(Arc::new) })
            .await
            .map_err(|e: Arc<AppError>| AppError::clone(&e))
    }
}

/// Values by key, each reused for a short time, at most `max` of them (moka evicts the least
/// useful first): for what is asked again and again with many different keys (the counts per
/// category of a search, the instance tier of the page cache). No refresh coordination: a
/// miss simply recomputes (see [`Turns`] where it should not).
pub struct RecentMap<T> {
    entries: moka::sync::Cache<String, T>,
}

impl<T: Clone + Send + Sync + 'static> RecentMap<T> {
    pub fn new(fresh_for: Duration, max: usize) -> Self {
        RecentMap {
            entries: moka::sync::Cache::builder()
                .time_to_live(fresh_for)
                .max_capacity(max as u64)
                .build(),
        }
    }

    /// The key's value if it is still fresh.
    pub fn get(&self, key: &str) -> Option<T> {
        self.entries.get(key)
    }

    pub fn put(&self, key: String, value: T) {
        self.entries.insert(key, value);
    }

    /// Drops the key's value (it changed).
    pub fn forget(&self, key: &str) {
        self.entries.invalidate(key);
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
        map.put("k".into(), 1);
        assert_eq!(map.get("k"), Some(1));
        for i in 0..100 {
            map.put(format!("k{i}"), i);
        }
        map.entries.run_pending_tasks();
        assert!(map.entries.entry_count() <= 3, "bounded");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(map.get("k"), None, "expired");
        map.entries.run_pending_tasks();
        assert_eq!(map.entries.entry_count(), 0);
    }

    #[tokio::test]
    async fn a_short_cache_loads_once_for_everyone_waiting_and_again_when_stale() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache = std::sync::Arc::new(super::ShortCache::<usize>::new(Duration::from_millis(80)));
        let loads = std::sync::Arc::new(AtomicUsize::new(0));
        let get = || {
            let (cache, loads) = (cache.clone(), loads.clone());
            async move {
                cache
                    .get("ns", || async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(loads.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
                    .unwrap()
            }
        };
        let values = futures_util::future::join_all((0..8).map(|_| get())).await;
        assert!(
            values.iter().all(|v| **v == 1),
            "one load, every caller got it"
        );
        assert_eq!(*get().await, 1, "fresh: reused");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(*get().await, 2, "stale: loaded again");
        let failed = cache
            .get("other", || async {
                Err::<usize, _>(crate::error::AppError::Unavailable)
            })
            .await;
        assert_eq!(
            failed.unwrap_err(),
            crate::error::AppError::Unavailable,
            "errors pass through"
        );
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

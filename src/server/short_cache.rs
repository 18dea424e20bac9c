//! The short, per-instance caches, on moka: a value recomputed at most once per interval per
//! key namespace with one refresh at a time ([`ShortCache`]: requests that arrive during a
//! refresh wait for it instead of each reading Redis), and a bounded map of values reused for
//! a short time ([`RecentMap`]). For data that is the same for every visitor (the home
//! rankings, the market board, a search's ids, the page cache's instance tier), with live
//! updates covering the interval.
//!
//! And on quick_cache, [`Memo`]: what a signed-in page looks up several times per request.

use crate::error::AppError;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Values by key, each used for `fresh_for` after it was put, at most `capacity` in weight: the
/// memories a signed-in page consults on every request (remembered sessions, the item page's
/// viewer state and holes, the header's links — four lookups a page). On quick_cache, a lookup
/// is a hash probe and one atomic bit; moka also records every read for its eviction policy and
/// runs its housekeeping inline, which a profile of the signed-in item page put at about 14%
/// of its CPU. Age is checked on read (an old value is not returned; it is overwritten or
/// evicted later); eviction is by weight (quick_cache's S3-FIFO-like policy).
pub struct Memo<K, V> {
    entries: quick_cache::sync::Cache<K, Stamped<V>, Weigh<V>>,
    fresh_for: Duration,
}

#[derive(Clone)]
struct Stamped<V> {
    at: Instant,
    value: V,
}

/// A value's weight (its bytes, or 1 to count entries); never 0, so every value counts.
struct Weigh<V>(fn(&V) -> u64);

impl<V> Clone for Weigh<V> {
    fn clone(&self) -> Self {
        Weigh(self.0)
    }
}

impl<K, V> quick_cache::Weighter<K, Stamped<V>> for Weigh<V> {
    fn weight(&self, _: &K, stamped: &Stamped<V>) -> u64 {
        (self.0)(&stamped.value).max(1)
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// `weigh` gives a value's weight: its bytes (`capacity` is then bytes), or 1 for all
    /// (`capacity` is then a number of entries).
    pub fn new(fresh_for: Duration, capacity: u64, weigh: fn(&V) -> u64) -> Self {
        Memo {
            entries: quick_cache::sync::Cache::with_weighter(1024, capacity, Weigh(weigh)),
            fresh_for,
        }
    }

    /// The key's value, if it was put less than `fresh_for` ago.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries
            .get(key)
            .filter(|s| s.at.elapsed() < self.fresh_for)
            .map(|s| s.value)
    }

    pub fn insert(&self, key: K, value: V) {
        let at = Instant::now();
        self.entries.insert(key, Stamped { at, value });
    }

    /// Drops the key's value (it changed).
    pub fn invalidate(&self, key: &K) {
        self.entries.remove(key);
    }

    /// The key's value if fresh, else `make`'s, kept for the next lookups. Two requests that
    /// miss at the same moment both make it (no waiting: it is made in memory, not read).
    pub fn get_with(&self, key: &K, make: impl FnOnce() -> V) -> V {
        if let Some(value) = self.get(key) {
            return value;
        }
        let value = make();
        self.insert(key.clone(), value.clone());
        value
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

    #[test]
    fn a_memo_forgets_what_is_old_changed_or_too_much() {
        // 10,000 bytes in all (quick_cache splits them among its shards).
        let memo =
            super::Memo::<u64, String>::new(Duration::from_millis(60), 10_000, |s| s.len() as u64);
        memo.insert(1, "four".into());
        assert_eq!(memo.get(&1).as_deref(), Some("four"));
        memo.invalidate(&1);
        assert_eq!(memo.get(&1), None, "invalidated");
        let made = memo.get_with(&2, || "made".into());
        assert_eq!(made, "made");
        assert_eq!(memo.get_with(&2, || "again".into()), "made", "kept");
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(memo.get(&2), None, "too old");
        assert_eq!(memo.get_with(&2, || "again".into()), "again");
        memo.insert(3, "x".repeat(10_001));
        assert_eq!(memo.get(&3), None, "heavier than the whole memo: not kept");
        for k in 10..40 {
            memo.insert(k, "k".repeat(1_000));
        }
        let kept = (10..40).filter(|k| memo.get(k).is_some()).count();
        assert!(
            (1..=10).contains(&kept),
            "10,000 bytes hold at most 10 of 1,000: {kept}"
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

//! This instance's running figures for `/metrics` (the scrape itself, which adds what is read
//! at scrape time, is `server::http::metrics`): requests per route with their latency, the
//! Redis commands this instance sent with their latency and failures, and how the page
//! caches answered. Counters only grow while the process lives, as Prometheus expects; a
//! restart starts them from zero again, which `rate()` understands.
//!
//! Recording costs one atomic add per counter and a short read lock per labelled family;
//! labels come from fixed sets (the router's route templates, status classes, the cache
//! results), so an outsider cannot grow the number of series.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::LazyLock;
use std::time::Duration;

/// Latency buckets, in seconds: 0.25 ms to 10 s, each about 2.5× the last.
const BUCKETS: [f64; 12] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 10.0,
];

fn latency() -> Histogram {
    Histogram::new(BUCKETS)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResponseLabels {
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SessionLabels {
    answered: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HeardLabels {
    of: &'static str,
}

/// Why a Redis command failed, as the metrics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisFailure {
    /// Redis could not be reached, or the connection broke.
    Connection,
    /// No reply within the connection's response timeout.
    Timeout,
    /// A cluster in the middle of a failover or a slot move (`MOVED`, `TRYAGAIN`, ...).
    ClusterInFlux,
    /// Redis is out of memory and refuses writes.
    OutOfMemory,
    /// Any other error reply: a bad command, or `NOSCRIPT` (once per script after Redis lost
    /// its script cache; the call loads the script and goes on). A script's refusal of a bid
    /// is a plain reply, not an error.
    Reply,
}

impl RedisFailure {
    fn label(self) -> &'static str {
        match self {
            RedisFailure::Connection => "connection",
            RedisFailure::Timeout => "timeout",
            RedisFailure::ClusterInFlux => "cluster_in_flux",
            RedisFailure::OutOfMemory => "out_of_memory",
            RedisFailure::Reply => "reply",
        }
    }
}

/// How a page cache answered a request (its `x-cache` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheResult {
    /// An anonymous page from the shared or the instance tier.
    Hit,
    /// An anonymous cacheable page that had to be rendered (and was stored).
    Miss,
    /// A signed-in page filled from a stored template.
    PersonalHit,
    /// A signed-in page whose template had to be rendered first.
    PersonalRender,
}

struct Metrics {
    registry: Registry,
    request_seconds: Family<RouteLabels, Histogram, fn() -> Histogram>,
    responses: Family<ResponseLabels, Counter>,
    redis_seconds: Histogram,
    redis_errors: Family<ErrorLabels, Counter>,
    page_cache: Family<CacheLabels, Counter>,
    /// Page views' session lookups answered from this instance's memory, and from Redis.
    sessions_remembered: Counter,
    sessions_read: Counter,
    /// Signed-in item page views' own state (their like, maximum and watch) answered from
    /// this instance's memory, and from Redis.
    viewers_remembered: Counter,
    viewers_read: Counter,
    /// Changes of items' and users' this instance's subscription heard announced.
    items_heard: Counter,
    users_heard: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("rbay");
    let request_seconds = Family::<_, _, fn() -> Histogram>::new_with_constructor(latency as _);
    registry.register_with_unit(
        "http_request_duration",
        "Time to answer a request (to its headers), per route",
        Unit::Seconds,
        request_seconds.clone(),
    );
    let responses = Family::default();
    registry.register(
        "http_responses",
        "Responses per route and status class",
        responses.clone(),
    );
    let redis_seconds = latency();
    registry.register_with_unit(
        "redis_command_duration",
        "Round trip of a Redis command or pipeline sent by this instance (blocking reads \
         excluded), failures included",
        Unit::Seconds,
        redis_seconds.clone(),
    );
    let redis_errors = Family::default();
    registry.register(
        "redis_errors",
        "Redis commands or pipelines that failed, by kind",
        redis_errors.clone(),
    );
    let page_cache = Family::default();
    registry.register(
        "page_cache_responses",
        "Cacheable pages by how the page cache answered: hit, miss (anonymous), \
         personal_hit, personal_render (signed in)",
        page_cache.clone(),
    );
    let sessions = Family::<SessionLabels, Counter>::default();
    registry.register(
        "session_lookups",
        "Page views' session lookups by where they were answered: memory (remembered by this \
         instance, nothing heard to change since) or redis",
        sessions.clone(),
    );
    let sessions_remembered = sessions
        .get_or_create(&SessionLabels { answered: "memory" })
        .clone();
    let sessions_read = sessions
        .get_or_create(&SessionLabels { answered: "redis" })
        .clone();
    let viewers = Family::<SessionLabels, Counter>::default();
    registry.register(
        "item_viewer_reads",
        "Signed-in item page views' own state (like, maximum, watch, and the item's shown state) \
         by where it was answered: memory (read for the same page render, nothing heard to \
         change since) or redis",
        viewers.clone(),
    );
    let viewers_remembered = viewers
        .get_or_create(&SessionLabels { answered: "memory" })
        .clone();
    let viewers_read = viewers
        .get_or_create(&SessionLabels { answered: "redis" })
        .clone();
    let heard = Family::<HeardLabels, Counter>::default();
    registry.register(
        "changes_heard",
        "Changes announced on an item's or a user's channel that this instance's subscription \
         heard (each stops what the instance remembered of that item or user from being used)",
        heard.clone(),
    );
    let items_heard = heard.get_or_create(&HeardLabels { of: "item" }).clone();
    let users_heard = heard.get_or_create(&HeardLabels { of: "user" }).clone();
    Metrics {
        registry,
        request_seconds,
        responses,
        redis_seconds,
        redis_errors,
        page_cache,
        sessions_remembered,
        sessions_read,
        viewers_remembered,
        viewers_read,
        items_heard,
        users_heard,
    }
});

/// Notes one answered request: `route` is the router's template (`/items/{id}`), never the
/// path as sent.
pub fn record_request(route: &str, status: u16, took: Duration) {
    let m = &*METRICS;
    let route = route.to_string();
    let status = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    m.request_seconds
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(took.as_secs_f64());
    m.responses
        .get_or_create(&ResponseLabels { route, status })
        .inc();
}

/// Notes one Redis round trip and, when it failed, why.
pub fn record_redis(took: Duration, failure: Option<RedisFailure>) {
    let m = &*METRICS;
    m.redis_seconds.observe(took.as_secs_f64());
    if let Some(failure) = failure {
        m.redis_errors
            .get_or_create(&ErrorLabels {
                kind: failure.label(),
            })
            .inc();
    }
}

/// Notes how a page cache answered.
pub fn record_cache(result: CacheResult) {
    let result = match result {
        CacheResult::Hit => "hit",
        CacheResult::Miss => "miss",
        CacheResult::PersonalHit => "personal_hit",
        CacheResult::PersonalRender => "personal_render",
    };
    METRICS
        .page_cache
        .get_or_create(&CacheLabels { result })
        .inc();
}

/// Notes one page view's session lookup: answered from memory, or read from Redis.
pub fn record_session(remembered: bool) {
    let m = &*METRICS;
    if remembered {
        m.sessions_remembered.inc();
    } else {
        m.sessions_read.inc();
    }
}

/// Notes one signed-in item page view's own state: answered from memory, or read from Redis.
pub fn record_item_viewer(remembered: bool) {
    let m = &*METRICS;
    if remembered {
        m.viewers_remembered.inc();
    } else {
        m.viewers_read.inc();
    }
}

/// Notes one change heard announced: an item's (`true`) or a user's.
pub fn record_heard(item: bool) {
    let m = &*METRICS;
    if item {
        m.items_heard.inc();
    } else {
        m.users_heard.inc();
    }
}

/// Resident memory of this process (Linux), in bytes; 0 where it cannot be read.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

/// The running figures in the Prometheus text format.
pub fn encode(out: &mut String) -> std::fmt::Result {
    prometheus_client::encoding::prometheus_text::encode(out, &METRICS.registry)
}

/// The `Content-Type` of [`encode`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

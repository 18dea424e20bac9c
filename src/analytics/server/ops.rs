//! Operations figures for the fleet: each instance measures its own requests (count and a
//! latency histogram per route) in memory and adds them to Redis every few seconds, with its
//! own figures (live streams, memory) in a hash whose fields expire when an instance stops
//! reporting. The `/ops` page reads the whole fleet's minute buckets back.

use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use crate::analytics::fleet::{FleetFigures, InstanceFigures, RouteFigures};

/// Histogram buckets: bucket `i` holds latencies up to 2^(i/4) µs (≈19% apart), up to ~33 s.
const BUCKETS: usize = 100;
/// Distinct routes kept per flush; more fall into "other" (paths are normalised first).
const MAX_ROUTES: usize = 48;
/// How often an instance reports.
pub const REPORT_EVERY: Duration = Duration::from_secs(5);
/// Minute buckets kept in Redis.
const KEPT_SECS: i64 = 7_200;

fn bucket_of(micros: u64) -> usize {
    if micros <= 1 {
        return 0;
    }
    ((micros as f64).log2() * 4.0)
        .ceil()
        .min((BUCKETS - 1) as f64) as usize
}

/// The upper bound of a bucket, in microseconds.
pub fn bucket_upper_us(bucket: usize) -> f64 {
    2f64.powf(bucket as f64 / 4.0)
}

#[derive(Default)]
struct Tally {
    routes: HashMap<String, [u32; BUCKETS]>,
}

fn tally() -> &'static Mutex<Tally> {
    static TALLY: OnceLock<Mutex<Tally>> = OnceLock::new();
    TALLY.get_or_init(Default::default)
}

/// The route a path belongs to: numbers become `{id}`, assets one route, at most 3 segments.
pub fn route_of(path: &str) -> String {
    if path.starts_with("/pkg/") {
        return "/pkg/*".into();
    }
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else if s.len() > 24
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                "*"
            } else {
                s
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Middleware (one layer for all three, it runs on every request): notes the visitor of a page
/// (see [`super::visitors`]) and counts the request and its latency under its route, for /ops
/// and for `/metrics` (`server::metrics`).
/// Server-sent event streams are counted when they open (their length is not a latency).
pub async fn observe(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(request.uri().path());
    // The route as the router matched it (`/items/{id}`), for `/metrics`; files from `public/`
    // and unknown paths match none.
    let template = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_owned());
    super::visitors::note_request(&request, state.config.trust_proxy);
    let started = Instant::now();
    let response = next.run(request).await;
    let took = started.elapsed();
    crate::server::metrics::record_request(
        template.as_deref().unwrap_or("fallback"),
        response.status().as_u16(),
        took,
    );
    let micros = took.as_micros() as u64;
    let mut t = tally().lock().unwrap_or_else(|e| e.into_inner());
    let key = if t.routes.contains_key(&route) || t.routes.len() < MAX_ROUTES {
        route
    } else {
        "other".to_string()
    };
    t.routes.entry(key).or_insert([0; BUCKETS])[bucket_of(micros)] += 1;
    response
}

/// Reports this instance's requests and figures every [`REPORT_EVERY`] until the process ends.
/// `live_streams` counts the browsers connected to it.
pub fn spawn_reporter(
    db: &Db,
    instance: String,
    live_streams: impl Fn() -> usize + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    let started_ms = crate::util::time::now_ms();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(REPORT_EVERY);
        loop {
            tick.tick().await;
            let figures = InstanceFigures {
                instance: instance.clone(),
                live_streams: live_streams(),
                rss_bytes: crate::server::metrics::rss_bytes(),
                started_ms,
                at_ms: crate::util::time::now_ms(),
            };
            if let Err(e) = report(&db, &figures).await {
                tracing::debug!(error = ?e, "ops report skipped");
            }
            if let Err(e) = super::visitors::flush(&db, figures.at_ms).await {
                tracing::debug!(error = ?e, "active visitors not reported");
            }
        }
    })
}

/// Adds the requests counted since the last report to the current minute and writes this
/// instance's figures, in one round trip. Counts are taken out before the write: a failed
/// write loses them (they are operational figures, not data).
pub async fn report(db: &Db, figures: &InstanceFigures) -> Result<(), AppError> {
    let routes = std::mem::take(&mut tally().lock().unwrap_or_else(|e| e.into_inner()).routes);
    let keys = db.keys();
    let minute = figures.at_ms.div_euclid(60_000);
    let requests = keys.ops_requests(minute);
    let mut pipe = redis::pipe();
    for (route, histogram) in &routes {
        let total: u32 = histogram.iter().sum();
        pipe.cmd("HINCRBY")
            .arg(&requests)
            .arg(format!("{route}|n"))
            .arg(total)
            .ignore();
        for (i, n) in histogram.iter().enumerate().filter(|(_, n)| **n > 0) {
            pipe.cmd("HINCRBY")
                .arg(&requests)
                .arg(format!("{route}|{i}"))
                .arg(*n)
                .ignore();
        }
    }
    if !routes.is_empty() {
        pipe.cmd("EXPIRE").arg(&requests).arg(KEPT_SECS).ignore();
    }
    let json = serde_json::to_string(figures).map_err(|_| AppError::Internal)?;
    pipe.cmd("HSET")
        .arg(keys.ops_instances())
        .arg(&figures.instance)
        .arg(json)
        .ignore()
        .cmd("HEXPIRE")
        .arg(keys.ops_instances())
        .arg(30)
        .arg("FIELDS")
        .arg(1)
        .arg(&figures.instance)
        .ignore();
    let mut conn = db.conn()?;
    pipe.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("ops report", e))
}

fn percentile(histogram: &[u64; BUCKETS], q: f64) -> f64 {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let rank = (total as f64 * q).ceil() as u64;
    let mut seen = 0;
    for (i, n) in histogram.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return bucket_upper_us(i) / 1000.0;
        }
    }
    bucket_upper_us(BUCKETS - 1) / 1000.0
}

fn info_field(info: &str, name: &str) -> i64 {
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The fleet's last hour (one round trip: 60 minute hashes, the instances, Redis' own INFO).
pub async fn fleet(db: &Db, now_ms: i64) -> Result<FleetFigures, AppError> {
    let keys = db.keys();
    let last = now_ms.div_euclid(60_000);
    let minutes: Vec<i64> = (last - 59..=last).collect();
    let mut pipe = redis::pipe();
    for m in &minutes {
        pipe.cmd("HGETALL").arg(keys.ops_requests(*m));
    }
    pipe.cmd("HVALS").arg(keys.ops_instances());
    pipe.cmd("INFO").arg("stats").arg("memory");
    let mut conn = db.conn()?;
    let mut rows: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("ops figures", e))?;
    let info: String = rows
        .pop()
        .and_then(|v| redis::from_redis_value(v).ok())
        .unwrap_or_default();
    let instances: Vec<String> = rows
        .pop()
        .and_then(|v| redis::from_redis_value(v).ok())
        .unwrap_or_default();
    let mut per_route: HashMap<String, (u64, [u64; BUCKETS])> = HashMap::new();
    let mut per_minute = Vec::with_capacity(60);
    for row in rows {
        let fields: HashMap<String, u64> = redis::from_redis_value(row).unwrap_or_default();
        let mut minute_total = 0;
        for (field, n) in fields {
            let Some((route, part)) = field.rsplit_once('|') else {
                continue;
            };
            let entry = per_route
                .entry(route.to_string())
                .or_insert((0, [0; BUCKETS]));
            if part == "n" {
                entry.0 += n;
                minute_total += n as i64;
            } else if let Ok(i) = part.parse::<usize>() {
                if i < BUCKETS {
                    entry.1[i] += n;
                }
            }
        }
        per_minute.push(minute_total);
    }
    let mut routes: Vec<RouteFigures> = per_route
        .into_iter()
        .map(|(route, (requests, histogram))| RouteFigures {
            p99_ms: percentile(&histogram, 0.99),
            route,
            requests,
        })
        .collect();
    routes.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.route.cmp(&b.route)));
    let mut instances: Vec<InstanceFigures> = instances
        .iter()
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect();
    instances.sort_by(|a, b| a.instance.cmp(&b.instance));
    Ok(FleetFigures {
        routes,
        per_minute,
        first_minute_ms: minutes[0] * 60_000,
        instances,
        redis_ops_per_sec: info_field(&info, "instantaneous_ops_per_sec"),
        redis_memory_bytes: info_field(&info, "used_memory"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_normalised_and_latencies_bucketed() {
        assert_eq!(route_of("/items/123"), "/items/{id}");
        assert_eq!(route_of("/items/123/comments"), "/items/{id}/comments");
        assert_eq!(route_of("/pkg/abc/rbay.wasm"), "/pkg/*");
        assert_eq!(route_of("/"), "/");
        assert_eq!(route_of("/a/b/c/d/e"), "/a/b/c");
        assert_eq!(route_of("/x/<script>"), "/x/*");
        for us in [1, 3, 100, 999, 12_345, 2_000_000] {
            let b = bucket_of(us);
            assert!(bucket_upper_us(b) >= us as f64, "{us}");
            assert!(b == 0 || bucket_upper_us(b - 1) < us as f64, "{us}");
        }
        let mut h = [0u64; BUCKETS];
        h[bucket_of(500)] = 99;
        h[bucket_of(20_000)] = 1;
        assert!(percentile(&h, 0.99) < 1.0);
        h[bucket_of(20_000)] = 2;
        assert!(percentile(&h, 0.99) >= 20.0);
    }
}

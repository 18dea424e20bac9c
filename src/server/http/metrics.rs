//! `GET /metrics`: this instance's figures in the Prometheus text format, for a scraper that
//! presents `RBAY_METRICS_TOKEN` as a bearer token (without the setting the route is 404).
//! Each instance is scraped on its own address, not through the load balancer (which refuses
//! the path; see docs/deploy.md).
//!
//! The running counters come from `server::metrics`; what is read at scrape time is added
//! here: live streams, memory, whether Redis is usable, every job queue's depth and dead
//! letters, and each Redis primary's own figures (a timed `PING`, and from `INFO` the
//! commands it processed, the error replies it sent, its memory and its clients). Reading
//! Redis is bounded by [`SCRAPE_REDIS_WITHIN`]: a Redis that does not answer leaves its
//! figures out (and `rbay_redis_node_up` at 0) instead of holding the scrape.

use crate::server::metrics;
use crate::server::redis::topology::Primary;
use crate::server::redis::Db;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// How long a scrape may spend reading Redis.
pub const SCRAPE_REDIS_WITHIN: Duration = Duration::from_secs(1);

/// The route handler.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|p| token.accepts(p)) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
        )
            .into_response();
    }
    let now = read_now(&state).await;
    let mut text = String::with_capacity(32 * 1024);
    let encoded = metrics::encode(&mut text)
        .and_then(|()| prometheus_client::encoding::prometheus_text::encode(&mut text, &now));
    if encoded.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, metrics::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueStateLabels {
    queue: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NodeLabels {
    node: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The figures read at scrape time, as a registry of their own (built for each scrape, so a
/// primary that is gone leaves no stale series behind).
async fn read_now(state: &AppState) -> Registry {
    let mut registry = Registry::with_prefix("rbay");
    let gauge = |registry: &mut Registry, name: &str, help: &str, value: i64| {
        let g = Gauge::<i64>::default();
        g.set(value);
        registry.register(name, help, g);
    };
    gauge(
        &mut registry,
        "live_streams",
        "Browsers connected to this instance's live events",
        state.live.listeners() as i64,
    );
    let rss = Gauge::<i64>::default();
    rss.set(metrics::rss_bytes() as i64);
    registry.register_with_unit(
        "process_resident_memory",
        "Resident memory of this instance",
        Unit::Bytes,
        rss,
    );
    gauge(
        &mut registry,
        "redis_ready",
        "1 while this instance can use Redis (its supervisor's view), 0 while it cannot",
        i64::from(state.db.is_ready()),
    );
    if state.db.is_ready() {
        let (queues, nodes) = tokio::join!(
            tokio::time::timeout(SCRAPE_REDIS_WITHIN, queues(&state.db, state.jobs.queues())),
            tokio::time::timeout(SCRAPE_REDIS_WITHIN, nodes(&state.db)),
        );
        if let Ok(Some(queues)) = queues {
            add_queues(&mut registry, &queues);
        }
        match nodes {
            Ok(Some(nodes)) => add_nodes(&mut registry, &nodes),
            _ => tracing::debug!("redis nodes not read for /metrics"),
        }
    }
    registry
}

/// One queue's depth, read at scrape time.
struct Queue {
    name: &'static str,
    counts: crate::util::queue::QueueCounts,
}

async fn queues(db: &Db, names: Vec<&'static str>) -> Option<Vec<Queue>> {
    let counts = crate::server::jobs::counts(db, &names, 1).await.ok()?;
    Some(
        names
            .into_iter()
            .zip(counts)
            .map(|(name, counts)| Queue { name, counts })
            .collect(),
    )
}

fn add_queues(registry: &mut Registry, queues: &[Queue]) {
    let jobs = Family::<QueueStateLabels, Gauge>::default();
    let dead = Family::<QueueLabels, Gauge>::default();
    for q in queues {
        for (state, n) in [
            ("waiting", q.counts.waiting),
            ("running", q.counts.running),
            ("delayed", q.counts.delayed),
        ] {
            jobs.get_or_create(&QueueStateLabels {
                queue: q.name,
                state,
            })
            .set(n as i64);
        }
        dead.get_or_create(&QueueLabels { queue: q.name })
            .set(q.counts.dead as i64);
    }
    registry.register(
        "job_queue_jobs",
        "Jobs in each queue: waiting to be taken, running (taken, not finished), delayed \
         (a retry or a job due later)",
        jobs,
    );
    registry.register(
        "job_dead_letters",
        "Jobs that failed for good and wait for an operator (/ops), per queue",
        dead,
    );
}

/// One primary as it answered at scrape time.
struct Node {
    name: String,
    /// The `PING` round trip; `None` when it failed.
    ping: Option<Duration>,
    info: Option<NodeInfo>,
}

/// What a node's `INFO stats memory clients` says that the metrics use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NodeInfo {
    commands_processed: u64,
    error_replies: u64,
    used_memory: u64,
    connected_clients: u64,
}

impl NodeInfo {
    /// Reads the fields from `INFO`'s `name:value` lines; `None` when one is missing or not a
    /// number (a Redis too old or too different to be described by these figures).
    fn parse(info: &str) -> Option<NodeInfo> {
        let field = |name: &str| -> Option<u64> {
            info.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
                .and_then(|v| v.trim().parse().ok())
        };
        Some(NodeInfo {
            commands_processed: field("total_commands_processed")?,
            error_replies: field("total_error_replies")?,
            used_memory: field("used_memory")?,
            connected_clients: field("connected_clients")?,
        })
    }
}

async fn nodes(db: &Db) -> Option<Vec<Node>> {
    let primaries = db.primaries().await.ok()?;
    Some(futures_util::future::join_all(primaries.iter().map(|p| node(db, p))).await)
}

async fn node(db: &Db, primary: &Primary) -> Node {
    let ping = {
        let mut pipe = redis::pipe();
        pipe.cmd("PING");
        let started = Instant::now();
        db.on_primary(primary, &pipe)
            .await
            .ok()
            .map(|_| started.elapsed())
    };
    let info = if ping.is_some() {
        let mut pipe = redis::pipe();
        pipe.cmd("INFO").arg("stats").arg("memory").arg("clients");
        match db.on_primary(primary, &pipe).await.as_deref() {
            Ok([redis::Value::BulkString(bytes)]) => {
                NodeInfo::parse(&String::from_utf8_lossy(bytes))
            }
            Ok([redis::Value::VerbatimString { text, .. }]) => NodeInfo::parse(text),
            _ => None,
        }
    } else {
        None
    };
    Node {
        name: primary.to_string(),
        ping,
        info,
    }
}

fn add_nodes(registry: &mut Registry, nodes: &[Node]) {
    let up = Family::<NodeLabels, Gauge>::default();
    let ping = Family::<NodeLabels, FloatGauge>::default();
    let commands = Family::<NodeLabels, Counter>::default();
    let errors = Family::<NodeLabels, Counter>::default();
    let memory = Family::<NodeLabels, Gauge>::default();
    let clients = Family::<NodeLabels, Gauge>::default();
    for n in nodes {
        let labels = NodeLabels {
            node: n.name.clone(),
        };
        up.get_or_create(&labels).set(i64::from(n.ping.is_some()));
        if let Some(took) = n.ping {
            ping.get_or_create(&labels).set(took.as_secs_f64());
        }
        if let Some(info) = n.info {
            commands
                .get_or_create(&labels)
                .inc_by(info.commands_processed);
            errors.get_or_create(&labels).inc_by(info.error_replies);
            memory.get_or_create(&labels).set(info.used_memory as i64);
            clients
                .get_or_create(&labels)
                .set(info.connected_clients as i64);
        }
    }
    registry.register(
        "redis_node_up",
        "1 when the Redis primary answered PING at this scrape, 0 when it did not",
        up,
    );
    registry.register_with_unit(
        "redis_node_ping",
        "Round trip of a PING to the Redis primary from this instance, at this scrape",
        Unit::Seconds,
        ping,
    );
    registry.register(
        "redis_node_commands_processed",
        "Commands the Redis primary processed since it started (INFO total_commands_processed)",
        commands,
    );
    registry.register(
        "redis_node_error_replies",
        "Error replies the Redis primary sent since it started (INFO total_error_replies)",
        errors,
    );
    registry.register_with_unit(
        "redis_node_used_memory",
        "Memory the Redis primary uses for data (INFO used_memory)",
        Unit::Bytes,
        memory,
    );
    registry.register(
        "redis_node_connected_clients",
        "Client connections the Redis primary holds, from every instance (INFO connected_clients)",
        clients,
    );
}

#[cfg(test)]
mod tests {
    use super::NodeInfo;

    #[test]
    fn node_figures_are_read_from_info_or_not_at_all() {
        let info = "# Clients\r\nconnected_clients:7\r\n# Memory\r\nused_memory:1048576\r\n\
                    used_memory_human:1.00M\r\n# Stats\r\ntotal_commands_processed:12345\r\n\
                    total_error_replies:3\r\n";
        assert_eq!(
            NodeInfo::parse(info),
            Some(NodeInfo {
                commands_processed: 12_345,
                error_replies: 3,
                used_memory: 1_048_576,
                connected_clients: 7,
            })
        );
        assert_eq!(
            NodeInfo::parse(&info.replace("total_error_replies:3", "")),
            None
        );
        assert_eq!(
            NodeInfo::parse(&info.replace("used_memory:1048576", "used_memory:lots")),
            None
        );
    }
}

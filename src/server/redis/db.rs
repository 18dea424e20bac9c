//! The shared Redis connection and its health.
//!
//! One connection is shared by every request: on a single primary a
//! [`redis::aio::ConnectionManager`] (a multiplexed connection that reconnects by itself); on
//! a Redis Cluster (`REDIS_URL` lists several nodes, comma-separated) a
//! [`redis::cluster_async::ClusterConnection`], which follows the slot map and `MOVED`
//! redirections. Both hide behind [`RedisConn`], so features never know which one they use.
//! The supervisor (`super::supervisor`) pings Redis and flips the ready flag kept here: while
//! Redis is down, requests are answered at once with [`AppError::Unavailable`] instead of
//! waiting for timeouts.

use crate::error::AppError;
use crate::server::metrics::RedisFailure;
use crate::server::redis::keys::Keys;
use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::ClusterConfig;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::Slot;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long one Redis command may take before it counts as a failure.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Handle to Redis: cheap to clone, shared by all requests.
#[derive(Clone)]
pub struct Db {
    /// One client per node named in `REDIS_URL` (one, unless it is a cluster).
    nodes: Arc<[redis::Client]>,
    /// The cluster's client; `None` on a single primary.
    cluster: Option<redis::cluster::ClusterClient>,
    conn: RedisConn,
    keys: Keys,
    url: Arc<str>,
    ready: Arc<AtomicBool>,
    /// Set when a primary was found without its index copy: the supervisor, woken through
    /// `index_check_wake`, looks for missing copies at once ([`Db::request_index_check`]).
    index_check: Arc<AtomicBool>,
    index_check_wake: Arc<tokio::sync::Notify>,
    /// The deployment's secret (shared by every instance through Redis), read at bootstrap.
    secret: Arc<std::sync::OnceLock<Vec<u8>>>,
    /// A cluster's primaries as last read (see [`super::primaries`]); unused on one Redis.
    pub(super) primaries: Arc<std::sync::Mutex<Option<super::topology::Known>>>,
    /// Replicas that must hold an acknowledged bid ([`Db::replicated`]); 0: none.
    replica_acks: u8,
    /// Until when (Unix ms) writes that need their replicas are refused without waiting, after
    /// one was not confirmed ([`UNCONFIRMED_FOR`]); 0: not refusing.
    unconfirmed_until: Arc<std::sync::atomic::AtomicI64>,
    /// Users' session state changes as this instance heard them (see [`super::versions`]).
    user_versions: Arc<super::versions::UserVersions>,
    /// Items' changes as this instance heard them (see [`super::versions`]).
    item_versions: Arc<super::versions::ItemVersions>,
}

/// How long a write waits for its replicas (`WAIT`) before it is answered as not confirmed.
/// Replicas on the same network confirm within a millisecond or two (250 ms covers a busy
/// machine's scheduling); `WAIT` holds its connection meanwhile (every command behind it on
/// the shared connection waits too), so the bound stays below the connections' response
/// timeout and [`UNCONFIRMED_FOR`] keeps a primary without replicas from being waited on.
pub const REPLICA_WAIT: Duration = Duration::from_millis(250);
/// After a write its replicas did not confirm, writes that need them are refused at once for
/// this long instead of each waiting [`REPLICA_WAIT`] on the shared connection (a primary
/// with no replica would otherwise stall everything queued behind it). Instance-wide, not per
/// primary: every primary's commands share the instance's connections, so one primary's
/// waits hold up the others' too.
pub const UNCONFIRMED_FOR: Duration = Duration::from_secs(1);

/// Why the server cannot use the Redis it was pointed at. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(
        "REDIS_URL {url:?} is not a valid Redis URL ({detail}); use the form redis://HOST:PORT, \
         or unset REDIS_URL to use the project's own Redis (scripts/redis.sh)"
    )]
    BadUrl { url: String, detail: String },
    #[error(
        "Redis at {url} has no search module (FT.* commands are unknown); run Redis 8 or Redis \
         Stack, or start redis-server with --loadmodule redisearch.so (scripts/redis.sh does), \
         or unset REDIS_URL to use the project's own Redis"
    )]
    NoSearchModule { url: String },
    #[error(
        "Redis at {url} is one node of a Redis Cluster; list the cluster's nodes in REDIS_URL, \
         separated by commas (redis://HOST1:PORT1,redis://HOST2:PORT2,...), so that Rbay speaks \
         the cluster protocol; see docs/deploy.md"
    )]
    ClusterNeedsNodes { url: String },
    #[error(
        "REDIS_URL lists several nodes, but Redis at {url} is not a Redis Cluster node (cluster \
         mode is off); name one Redis primary, or the nodes of one cluster; see docs/deploy.md"
    )]
    NotACluster { url: String },
}

impl Db {
    /// Creates the handle without connecting: the server can start while Redis is down.
    ///
    /// `url` names one Redis primary, or the nodes of a Redis Cluster separated by commas
    /// (`redis://h1:7001,redis://h2:7002,redis://h3:7003`; any reachable node is enough to
    /// find the others).
    pub fn new(url: &str, keys: Keys) -> Result<Self, StartupError> {
        let bad_url = |e: redis::RedisError| StartupError::BadUrl {
            url: redact(url),
            detail: e.to_string(),
        };
        let node_urls: Vec<&str> = url.split(',').map(str::trim).collect();
        let nodes = node_urls
            .iter()
            .map(|node| redis::Client::open(*node))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad_url)?;
        let (cluster, conn) = if nodes.len() > 1 {
            let infos = nodes.iter().map(|n| n.get_connection_info().clone());
            let client = redis::cluster::ClusterClient::builder(infos)
                .retries(1)
                .max_retry_wait(500)
                .build()
                .map_err(bad_url)?;
            let conn =
                client.get_pending_async_connection_with_config(cluster_config(RESPONSE_TIMEOUT));
            (Some(client), RedisConn::Cluster(conn))
        } else {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_response_timeout(Some(RESPONSE_TIMEOUT))
                .set_number_of_retries(1)
                .set_max_delay(Duration::from_millis(500));
            let conn = ConnectionManager::new_lazy_with_config(nodes[0].clone(), config)
                .map_err(bad_url)?;
            (None, RedisConn::Single(conn))
        };
        Ok(Db {
            nodes: nodes.into(),
            cluster,
            conn,
            keys,
            url: redact(url).into(),
            ready: Arc::new(AtomicBool::new(false)),
            index_check: Arc::new(AtomicBool::new(false)),
            index_check_wake: Arc::new(tokio::sync::Notify::new()),
            secret: Arc::default(),
            primaries: Arc::default(),
            replica_acks: 0,
            unconfirmed_until: Arc::default(),
            user_versions: Arc::default(),
            item_versions: Arc::default(),
        })
    }

    /// The handle, with writes that must survive a failover waiting for `n` replicas
    /// ([`Db::replicated`]).
    pub fn with_replica_acks(mut self, n: u8) -> Self {
        self.replica_acks = n;
        self
    }

    /// Before a write that [`Db::replicated`] will confirm: `Unavailable` while a write
    /// lately went unconfirmed ([`UNCONFIRMED_FOR`]), so that nothing is written that could
    /// not be acknowledged. Always fine without replicas to wait for.
    pub fn confirmable(&self) -> Result<(), AppError> {
        if self.replica_acks == 0 {
            return Ok(());
        }
        let until = self.unconfirmed_until.load(Ordering::Relaxed);
        if until > crate::util::time::now_ms() {
            return Err(AppError::Unavailable);
        }
        Ok(())
    }

    /// After a write to `key` that must survive the failover of its primary (an accepted bid, a
    /// Buy It Now): waits until the configured number of replicas hold it (`WAIT n` on the
    /// key's primary, on the connection that wrote it, so it covers that write), at most
    /// [`REPLICA_WAIT`]. `Unavailable` when fewer did: the write is on the primary but not
    /// confirmed, and is not acknowledged (should the primary die now, it is lost with it,
    /// and nobody was told it happened); for [`UNCONFIRMED_FOR`] after that, such writes are
    /// refused before they are made ([`Db::confirmable`]). Nothing to do without replicas to
    /// wait for.
    pub async fn replicated(&self, key: &str) -> Result<(), AppError> {
        let wanted = self.replica_acks;
        if wanted == 0 {
            return Ok(());
        }
        let mut wait = redis::cmd("WAIT");
        wait.arg(wanted).arg(REPLICA_WAIT.as_millis() as u64);
        let fail = |e| redis_error("wait for replicas", e);
        let acked: i64 = match self.conn()? {
            RedisConn::Cluster(mut conn) => {
                use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
                let route = Route::with_key(key, SlotAddr::Master);
                let reply = conn
                    .route_command(
                        wait,
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)),
                    )
                    .await
                    .map_err(fail)?;
                redis::from_redis_value(reply).map_err(|e| fail(e.into()))?
            }
            mut conn => wait.query_async(&mut conn).await.map_err(fail)?,
        };
        if acked < i64::from(wanted) {
            tracing::warn!(key, acked, wanted, "write not confirmed by its replicas");
            let until = crate::util::time::now_ms() + UNCONFIRMED_FOR.as_millis() as i64;
            self.unconfirmed_until.store(until, Ordering::Relaxed);
            return Err(AppError::Unavailable);
        }
        Ok(())
    }

    /// True when `REDIS_URL` named the nodes of a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        self.cluster.is_some()
    }

    /// The client of the `n`-th node named in `REDIS_URL` (counting round), for connections
    /// of their own: pub/sub has no response timeout, and on a cluster any node relays every
    /// `PUBLISH`, so a subscriber that lost one node moves on to the next.
    pub fn node_client(&self, n: usize) -> &redis::Client {
        &self.nodes[n % self.nodes.len()]
    }

    /// How many nodes `REDIS_URL` names.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// A plain connection to the first node named in `REDIS_URL` that answers, for
    /// questions about the node itself (`INFO`, `CONFIG GET`), which a cluster connection
    /// would route elsewhere or ask every node.
    pub async fn node_conn(&self) -> redis::RedisResult<MultiplexedConnection> {
        let config = node_config(RESPONSE_TIMEOUT);
        // `Db::new` made at least one node (splitting a string yields at least one part).
        let mut last = self.nodes[0]
            .get_multiplexed_async_connection_with_config(&config)
            .await;
        for node in self.nodes.iter().skip(1) {
            if last.is_ok() {
                break;
            }
            last = node
                .get_multiplexed_async_connection_with_config(&config)
                .await;
        }
        last
    }

    /// A connection of its own whose replies may take up to `response_timeout` (for blocking
    /// reads such as `XREADGROUP BLOCK`, which must not share the request connection's 2 s
    /// limit). On a cluster it routes by key like the shared connection.
    pub async fn dedicated_conn(
        &self,
        response_timeout: Duration,
    ) -> redis::RedisResult<RedisConn> {
        match &self.cluster {
            Some(cluster) => {
                let config = cluster_config(response_timeout);
                let conn = cluster.get_async_connection_with_config(config).await?;
                Ok(RedisConn::Cluster(conn))
            }
            None => {
                let config = node_config(response_timeout);
                let conn = self.nodes[0]
                    .get_multiplexed_async_connection_with_config(&config)
                    .await?;
                Ok(RedisConn::Node(conn))
            }
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The Redis URL without any password, for log lines.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// True once Redis answered and the indexes exist; false while Redis is unreachable.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// A connection for one request. Fails fast with `Unavailable` while Redis is down.
    pub fn conn(&self) -> Result<RedisConn, AppError> {
        if self.is_ready() {
            Ok(self.conn.clone())
        } else {
            Err(AppError::Unavailable)
        }
    }

    /// The connection regardless of readiness (used by the supervisor and bootstrap).
    /// Which users' session state changed, as this instance heard it.
    pub fn user_versions(&self) -> &super::versions::UserVersions {
        &self.user_versions
    }

    /// Which items changed, as this instance heard it.
    pub fn item_versions(&self) -> &super::versions::ItemVersions {
        &self.item_versions
    }

    pub fn raw_conn(&self) -> RedisConn {
        self.conn.clone()
    }

    /// Marks Redis ready (after a successful bootstrap) or not (while it is unreachable).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    /// Keeps the deployment secret read at bootstrap (the first one read stays).
    pub fn set_secret(&self, secret: Vec<u8>) {
        let _ = self.secret.set(secret);
    }

    /// The deployment secret: keys visitor ids, IP hashes and the links sent by email. Empty
    /// before the first bootstrap.
    pub fn secret(&self) -> &[u8] {
        self.secret.get().map(Vec::as_slice).unwrap_or_default()
    }

    /// Asks the supervisor to run the bootstrap again (e.g. an index vanished after a restart
    /// of a Redis without persistence); requests get 503 until it is done.
    pub fn mark_needs_bootstrap(&self) {
        self.ready.store(false, Ordering::Relaxed);
    }

    /// Asks the supervisor to create missing index copies now: on a cluster, a primary that
    /// joined or was given slots has none yet. Unlike [`Db::mark_needs_bootstrap`], the
    /// instance keeps serving meanwhile.
    pub fn request_index_check(&self) {
        self.index_check.store(true, Ordering::Relaxed);
        self.index_check_wake.notify_one();
    }

    /// Resolves when an index check is asked for (at once if one was asked for since the last
    /// wait): the supervisor's wake-up between pings.
    pub async fn index_check_requested(&self) {
        self.index_check_wake.notified().await;
    }

    /// Whether an index check was asked for since the last call (and clears the request).
    pub fn take_index_check(&self) -> bool {
        self.index_check.swap(false, Ordering::Relaxed)
    }

    /// Marks Redis as down after a command failed with a connection error, so the next
    /// requests fail fast and the supervisor re-runs the bootstrap when Redis is back.
    pub fn note_failure(&self, e: &redis::RedisError) {
        if is_connection_error(e) {
            self.ready.store(false, Ordering::Relaxed);
        }
    }
}

/// A plain connection's settings: [`CONNECT_TIMEOUT`], and replies within `response_timeout`.
fn node_config(response_timeout: Duration) -> redis::AsyncConnectionConfig {
    redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(response_timeout))
}

/// A cluster connection's settings: [`CONNECT_TIMEOUT`], and replies within `response_timeout`.
fn cluster_config(response_timeout: Duration) -> ClusterConfig {
    ClusterConfig::new()
        .set_connection_timeout(CONNECT_TIMEOUT)
        .set_response_timeout(response_timeout)
}

/// The shared connection: to one primary, or to a Redis Cluster.
///
/// On a cluster every command goes to the node that owns its key's slot. A pipeline whose
/// commands live in different slots (a page reading items of several ranking shards in one
/// round trip) is split by slot: each slot's commands go as one pipeline, in their order,
/// the slots' pipelines at the same time, and the replies come back in the caller's order.
/// A transaction (`MULTI`) must stay in one slot, as Redis Cluster requires.
#[derive(Clone)]
pub enum RedisConn {
    /// The shared connection to one primary.
    Single(ConnectionManager),
    /// A connection of its own to one primary (see [`Db::dedicated_conn`]).
    Node(MultiplexedConnection),
    /// A Redis Cluster.
    Cluster(ClusterConnection),
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => timed(c.req_packed_command(cmd)),
            // A connection of its own serves blocking reads: their wait is not a latency.
            RedisConn::Node(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => timed(c.req_packed_command(cmd)),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => timed(c.req_packed_commands(pipeline, offset, count)),
            RedisConn::Node(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Cluster(c) => {
                if pipeline.is_transaction() {
                    timed(c.req_packed_commands(pipeline, offset, count))
                } else {
                    timed(Box::pin(pipeline_by_slot(c.clone(), pipeline)))
                }
            }
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Node(c) => c.get_db(),
            RedisConn::Cluster(_) => 0,
        }
    }
}

/// A round trip, timed and counted for `/metrics` (`server::metrics`).
fn timed<'a, T: Send + 'a>(reply: RedisFuture<'a, T>) -> RedisFuture<'a, T> {
    Box::pin(async move {
        let started = std::time::Instant::now();
        let result = reply.await;
        let failure = result.as_ref().err().map(failure_of);
        crate::server::metrics::record_redis(started.elapsed(), failure);
        result
    })
}

/// What the metrics call a failed round trip.
fn failure_of(e: &redis::RedisError) -> RedisFailure {
    if is_cluster_in_flux(e) {
        RedisFailure::ClusterInFlux
    } else if e.is_timeout() {
        RedisFailure::Timeout
    } else if is_connection_error(e) {
        RedisFailure::Connection
    } else if is_out_of_memory(e) {
        RedisFailure::OutOfMemory
    } else {
        RedisFailure::Reply
    }
}

/// Runs a plain (non-transaction) pipeline on a cluster: one sub-pipeline per slot, all at
/// once; the replies are put back in the order of the commands.
async fn pipeline_by_slot(
    conn: ClusterConnection,
    pipeline: &Pipeline,
) -> redis::RedisResult<Vec<Value>> {
    // Commands without a key (none in Rbay's pipelines today) each go alone, routed by the
    // cluster client's own rules.
    let cmds: Vec<&Cmd> = pipeline.cmd_iter().collect();
    let mut groups: HashMap<Slot, Vec<usize>> = HashMap::new();
    let mut alone = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        match command_slot(cmd) {
            Some(slot) => groups.entry(slot).or_default().push(i),
            None => alone.push(i),
        }
    }
    let groups = groups
        .into_values()
        .chain(alone.into_iter().map(|i| vec![i]));
    let runs = groups.map(|indexes| {
        let mut conn = conn.clone();
        let mut part = Pipeline::with_capacity(indexes.len());
        for &i in &indexes {
            part.add_command(cmds[i].clone());
        }
        async move {
            let replies = conn.req_packed_commands(&part, 0, indexes.len()).await?;
            Ok::<_, redis::RedisError>((indexes, replies))
        }
    });
    let mut ordered = vec![Value::Nil; cmds.len()];
    for (indexes, replies) in futures_util::future::try_join_all(runs).await? {
        for (i, reply) in indexes.into_iter().zip(replies) {
            ordered[i] = reply;
        }
    }
    Ok(ordered)
}

/// The slot of a command's key: the first argument, or for scripts the first of `KEYS`.
fn command_slot(cmd: &Cmd) -> Option<Slot> {
    let mut args = cmd.args_iter().map(|arg| match arg {
        redis::Arg::Simple(bytes) => bytes,
        _ => &b""[..],
    });
    let name = args.next()?;
    let key = if [
        &b"EVAL"[..],
        b"EVALSHA",
        b"EVAL_RO",
        b"EVALSHA_RO",
        b"FCALL",
        b"FCALL_RO",
    ]
    .iter()
    .any(|script| name.eq_ignore_ascii_case(script))
    {
        let keys: usize = std::str::from_utf8(args.nth(1)?).ok()?.parse().ok()?;
        if keys == 0 {
            return None;
        }
        args.next()?
    } else {
        args.next()?
    };
    Some(Slot::for_key(key))
}

/// True for errors that mean "Redis is not reachable right now", as opposed to a bad command.
pub fn is_connection_error(e: &redis::RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
        || e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::BusyLoading)
}

/// True when Redis refused a write for want of memory (`maxmemory` with `noeviction`). The
/// refusal comes before the write (or before a script's first write), so nothing changed.
pub fn is_out_of_memory(e: &redis::RedisError) -> bool {
    e.code() == Some("OOM") || e.to_string().contains("OOM command not allowed")
}

/// True for a Redis Cluster that is moving: a failover or a slot migration in progress
/// (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`, or `READONLY` from a primary just demoted)
/// that the cluster client's own retries did not outlast. The command did not run; a moment
/// later it will.
pub fn is_cluster_in_flux(e: &redis::RedisError) -> bool {
    e.is_cluster_error() || e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
}

/// Turns a Redis failure into the user-facing error, logging the detail.
pub fn redis_error(context: &'static str, e: redis::RedisError) -> AppError {
    if is_connection_error(&e) {
        tracing::warn!(error = %e, "{context}: Redis unreachable");
        AppError::Unavailable
    } else if is_cluster_in_flux(&e) {
        tracing::warn!(error = %e, "{context}: the Redis Cluster is failing over or resharding");
        AppError::Unavailable
    } else if is_out_of_memory(&e) {
        tracing::error!(error = %e, "{context}: Redis is out of memory; writes are refused");
        AppError::StorageFull
    } else {
        tracing::error!(error = %e, "{context}: unexpected Redis error");
        AppError::Internal
    }
}

/// Hides the password of `redis://user:password@host` URLs in logs and messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// HMAC-SHA-256 of `parts` (each followed by a separator, so `["ab", "c"]` and `["a", "bc"]`
/// differ) under `secret`.
pub fn keyed_hash(secret: &[u8], parts: &[&str]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0x1f]);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(redact("redis://:secret@host:1"), "redis://***@host:1");
        assert_eq!(redact("redis://127.0.0.1:6380"), "redis://127.0.0.1:6380");
    }

    #[test]
    fn a_command_goes_to_the_slot_of_its_key_and_a_script_to_its_first_key() {
        let slot = |c: &Cmd| command_slot(c);
        let tag = Some(Slot::for_key("{s07}"));
        assert_eq!(
            slot(redis::cmd("HGET").arg("t:item:{s07}:1").arg("name")),
            tag
        );
        assert_eq!(
            slot(
                redis::cmd("EVALSHA")
                    .arg("abc")
                    .arg(2)
                    .arg("t:{s07}:a")
                    .arg("t:x")
            ),
            tag
        );
        assert_eq!(
            slot(redis::cmd("EVALSHA").arg("abc").arg(0).arg("arg")),
            None
        );
        assert_eq!(slot(&redis::cmd("PING")), None);
    }

    #[tokio::test]
    async fn several_nodes_make_a_cluster_handle() {
        let db = Db::new("redis://127.0.0.1:1, redis://127.0.0.1:2", Keys::new("t:")).unwrap();
        assert!(db.is_cluster());
        assert_eq!(db.node_count(), 2);
        assert!(!Db::new("redis://127.0.0.1:1", Keys::new("t:"))
            .unwrap()
            .is_cluster());
    }

    #[test]
    fn a_bad_url_says_what_to_do() {
        let err = Db::new("http//nope", Keys::new("t:"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("REDIS_URL"), "{err}");
        assert!(err.contains("redis://HOST:PORT"), "{err}");
    }
}

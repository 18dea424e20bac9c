//! The shared Redis connection and its health.
//!
//! One [`redis::aio::ConnectionManager`] (a multiplexed connection that reconnects by itself)
//! is shared by every request. The supervisor (`super::supervisor`) pings Redis and flips the
//! ready flag kept here: while Redis is down, requests are answered at once with
//! [`AppError::Unavailable`] instead of waiting for timeouts.

use crate::error::AppError;
use crate::server::redis::keys::Keys;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long one Redis command may take before it counts as a failure.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Handle to Redis: cheap to clone, shared by all requests.
#[derive(Clone)]
pub struct Db {
    client: redis::Client,
    conn: ConnectionManager,
    keys: Keys,
    url: Arc<str>,
    ready: Arc<AtomicBool>,
    /// The deployment's secret (shared by every instance through Redis), read at bootstrap.
    secret: Arc<std::sync::OnceLock<Vec<u8>>>,
}

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
        "Redis at {url} is a Redis Cluster node whose search module only searches its own shard \
         (RediSearch without a coordinator): searches would silently miss most items. Run Rbay \
         on one Redis primary (with a replica), or on a cluster whose search coordinates across \
         shards (Redis 8's query engine); see docs/deploy.md"
    )]
    ClusterSearchNotCoordinated { url: String },
    #[error(
        "Redis at {url} is a Redis Cluster node; Rbay connects to one Redis primary and does not \
         speak the cluster protocol yet. Point REDIS_URL at a standalone primary; see \
         docs/deploy.md"
    )]
    ClusterUnsupported { url: String },
}

impl Db {
    /// Creates the handle without connecting: the server can start while Redis is down.
    pub fn new(url: &str, keys: Keys) -> Result<Self, StartupError> {
        let client = redis::Client::open(url).map_err(|e| StartupError::BadUrl {
            url: url.to_string(),
            detail: e.to_string(),
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn =
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(|e| {
                StartupError::BadUrl {
                    url: url.to_string(),
                    detail: e.to_string(),
                }
            })?;
        Ok(Db {
            client,
            conn,
            keys,
            url: redact(url).into(),
            ready: Arc::new(AtomicBool::new(false)),
            secret: Arc::default(),
        })
    }

    /// The client, for connections of their own (pub/sub has no response timeout).
    pub fn client(&self) -> &redis::Client {
        &self.client
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
    pub fn conn(&self) -> Result<ConnectionManager, AppError> {
        if self.is_ready() {
            Ok(self.conn.clone())
        } else {
            Err(AppError::Unavailable)
        }
    }

    /// The connection regardless of readiness (used by the supervisor and bootstrap).
    pub fn raw_conn(&self) -> ConnectionManager {
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

    /// The deployment secret: keys visitor ids and IP hashes. Empty before the first bootstrap.
    pub fn secret(&self) -> &[u8] {
        self.secret.get().map(Vec::as_slice).unwrap_or_default()
    }

    /// Asks the supervisor to run the bootstrap again (e.g. an index vanished after a restart
    /// of a Redis without persistence); requests get 503 until it is done.
    pub fn mark_needs_bootstrap(&self) {
        self.ready.store(false, Ordering::Relaxed);
    }

    /// Marks Redis as down after a command failed with a connection error, so the next
    /// requests fail fast and the supervisor re-runs the bootstrap when Redis is back.
    pub fn note_failure(&self, e: &redis::RedisError) {
        if is_connection_error(e) {
            self.ready.store(false, Ordering::Relaxed);
        }
    }
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

/// Turns a Redis failure into the user-facing error, logging the detail.
pub fn redis_error(context: &'static str, e: redis::RedisError) -> AppError {
    if is_connection_error(&e) {
        tracing::warn!(error = %e, "{context}: Redis unreachable");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(redact("redis://:secret@host:1"), "redis://***@host:1");
        assert_eq!(redact("redis://127.0.0.1:6380"), "redis://127.0.0.1:6380");
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

//! Getting Redis ready and keeping watch over it.
//!
//! [`bootstrap`] checks the search module, makes sure every index exists with its current
//! schema and reads the deployment secret; [`spawn`] pings Redis forever and runs the
//! bootstrap again whenever Redis comes (back) up, with exponential backoff while it is down.

use crate::server::redis::db::{Db, StartupError};
use crate::server::redis::indexes;
use crate::server::redis::keys::Keys;
use redis::aio::MultiplexedConnection;
use std::time::Duration;

/// Failure of the bootstrap: either the Redis is unusable as configured, or it is unreachable.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

/// What a process will do with Redis, which decides what it must find there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Serve the site: searches must see every item, so a Redis Cluster's search has to
    /// coordinate across shards.
    Site,
    /// Run the job workers (and tools that do not search): any Redis Cluster will do, since
    /// every script keeps to one slot.
    Worker,
}

/// Connects, checks the search module and creates the indexes, once. For tools and tests that
/// need a ready database before they start.
pub async fn connect(url: &str, keys: Keys) -> Result<Db, BootError> {
    connect_as(url, keys, Role::Site).await
}

/// [`connect`] for a process in the given role.
pub async fn connect_as(url: &str, keys: Keys, role: Role) -> Result<Db, BootError> {
    let db = Db::new(url, keys)?;
    bootstrap(&db, role).await?;
    Ok(db)
}

/// Checks that this Redis can serve the process' role (the search module; for the site on a
/// cluster, a search that coordinates across shards), makes sure every index exists with its
/// current schema, reads the deployment secret, and marks the database ready.
pub async fn bootstrap(db: &Db, role: Role) -> Result<(), BootError> {
    // Questions about the Redis itself go to one node: a cluster connection would route them
    // elsewhere, and cannot even start on nodes that are not a cluster.
    let mut node = db.node_conn().await?;
    let _: () = redis::cmd("PING").query_async(&mut node).await?;
    let listed: redis::RedisResult<redis::Value> =
        redis::cmd("FT._LIST").query_async(&mut node).await;
    if let Err(e) = listed {
        if e.to_string().to_lowercase().contains("unknown command") {
            return Err(StartupError::NoSearchModule {
                url: db.url().to_string(),
            }
            .into());
        }
        return Err(e.into());
    }
    check_topology(db, &mut node, role).await?;
    report_durability(db, &mut node).await;
    indexes::ensure_all(db).await?;
    load_secret(db).await?;
    db.set_ready(true);
    Ok(())
}

/// Checks that `REDIS_URL` and the Redis it names agree on being a cluster, and that the
/// site's search covers every shard. A coordinating search registers the shard-local
/// `_FT.SEARCH` next to `FT.SEARCH`; the standalone module (RediSearch 2.10 here) does not,
/// and on a cluster would silently answer from one shard only.
async fn check_topology(
    db: &Db,
    node: &mut MultiplexedConnection,
    role: Role,
) -> Result<(), BootError> {
    let info: String = redis::cmd("INFO").arg("cluster").query_async(node).await?;
    let cluster_node = info.lines().any(|l| l.trim() == "cluster_enabled:1");
    let url = db.url().to_string();
    match (cluster_node, db.is_cluster()) {
        (false, false) => return Ok(()),
        (false, true) => return Err(StartupError::NotACluster { url }.into()),
        (true, false) => return Err(StartupError::ClusterNeedsNodes { url }.into()),
        (true, true) if role == Role::Worker => return Ok(()),
        (true, true) => {}
    }
    let shard_local: Vec<redis::Value> = redis::cmd("COMMAND")
        .arg("INFO")
        .arg("_FT.SEARCH")
        .query_async(node)
        .await?;
    if shard_local.iter().all(|v| matches!(v, redis::Value::Nil)) {
        return Err(StartupError::ClusterSearchNotCoordinated { url }.into());
    }
    Ok(())
}

/// Says once per process whether a write Redis acknowledged survives a crash of Redis: only
/// with the AOF on and `appendfsync always` (see "Durability" in docs/architecture.md).
async fn report_durability(db: &Db, conn: &mut MultiplexedConnection) {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    if REPORTED.is_completed() {
        return;
    }
    let setting = |name: &'static str| {
        let mut conn = conn.clone();
        async move {
            let pair: redis::RedisResult<Vec<String>> = redis::cmd("CONFIG")
                .arg("GET")
                .arg(name)
                .query_async(&mut conn)
                .await;
            pair.ok().and_then(|p| p.into_iter().nth(1))
        }
    };
    let (aof, fsync) = (setting("appendonly").await, setting("appendfsync").await);
    REPORTED.call_once(|| match (aof.as_deref(), fsync.as_deref()) {
        (Some("yes"), Some("always")) => {
            tracing::info!(redis = %db.url(), "acknowledged writes are durable (AOF, appendfsync always)")
        }
        (None, _) | (_, None) => tracing::warn!(
            redis = %db.url(),
            "cannot read Redis' persistence settings (CONFIG GET refused); acknowledged writes are \
             durable only if Redis runs with appendonly yes and appendfsync always"
        ),
        (Some(aof), Some(fsync)) => tracing::warn!(
            redis = %db.url(),
            appendonly = aof,
            appendfsync = fsync,
            "acknowledged writes are NOT durable: a crash of Redis can lose writes users were told \
             succeeded; run Redis with --appendonly yes --appendfsync always (see docs/deploy.md)"
        ),
    });
}

/// Creates the deployment secret once (the first instance to start wins) and reads it.
async fn load_secret(db: &Db) -> redis::RedisResult<()> {
    if !db.secret().is_empty() {
        return Ok(());
    }
    let mut conn = db.raw_conn();
    let key = db.keys().secret();
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg(crate::util::random::random_hex::<32>())
        .arg("NX")
        .query_async(&mut conn)
        .await?;
    let secret: String = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
    db.set_secret(secret.into_bytes());
    Ok(())
}

/// Watches Redis forever: pings it, and on recovery runs [`bootstrap`] again, with
/// exponential backoff while it is down. A Redis without the search module is reported on
/// `fatal` (the server then exits: it cannot work with that Redis).
pub fn spawn(
    db: &Db,
    role: Role,
    fatal: tokio::sync::mpsc::Sender<StartupError>,
) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(250);
        let mut failures: u32 = 0;
        loop {
            if db.is_ready() {
                let mut conn = db.raw_conn();
                let ping: redis::RedisResult<()> = redis::cmd("PING").query_async(&mut conn).await;
                if let Err(e) = ping {
                    db.set_ready(false);
                    tracing::error!(
                        redis = %db.url(),
                        error = %e,
                        "lost the connection to Redis; serving 503 until it is back"
                    );
                    backoff = Duration::from_millis(250);
                    continue;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            match bootstrap(&db, role).await {
                Ok(()) => {
                    failures = 0;
                    tracing::info!(redis = %db.url(), "Redis is ready");
                }
                Err(BootError::Startup(e)) => {
                    let _ = fatal.send(e).await;
                    return;
                }
                Err(e) => {
                    failures += 1;
                    tracing::error!(
                        redis = %db.url(),
                        error = %e,
                        attempt = failures,
                        retry_in_ms = backoff.as_millis() as u64,
                        "cannot reach Redis; is it running? (scripts/redis.sh start, or set REDIS_URL)"
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    })
}

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

/// Connects, checks the search module and creates the indexes, once. For tools and tests that
/// need a ready database before they start.
pub async fn connect(url: &str, keys: Keys) -> Result<Db, BootError> {
    let db = Db::new(url, keys)?;
    bootstrap(&db).await?;
    Ok(db)
}

/// Checks that this Redis can serve Rbay (the search module; a cluster named as one), makes
/// sure every index exists with its current schema on every primary, reads the deployment
/// secret, and marks the database ready.
pub async fn bootstrap(db: &Db) -> Result<(), BootError> {
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
    check_topology(db, &mut node).await?;
    report_durability(db, &mut node).await;
    indexes::ensure_all(db).await?;
    load_secret(db).await?;
    db.set_ready(true);
    Ok(())
}

/// Checks that `REDIS_URL` and the Redis it names agree on being a cluster. (On a cluster the
/// search module here indexes each shard alone: searches ask every primary and merge, see
/// `super::primaries`.)
async fn check_topology(db: &Db, node: &mut MultiplexedConnection) -> Result<(), BootError> {
    let info: String = redis::cmd("INFO").arg("cluster").query_async(node).await?;
    let cluster_node = info.lines().any(|l| l.trim() == "cluster_enabled:1");
    let url = db.url().to_string();
    match (cluster_node, db.is_cluster()) {
        (false, true) => Err(StartupError::NotACluster { url }.into()),
        (true, false) => Err(StartupError::ClusterNeedsNodes { url }.into()),
        _ => Ok(()),
    }
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

/// How many pings (a second apart) between two checks of a cluster's indexes.
const INDEX_CHECK_EVERY: u32 = 5;

/// Watches Redis forever: pings it, and on recovery runs [`bootstrap`] again, with
/// exponential backoff while it is down. A Redis without the search module is reported on
/// `fatal` (the server then exits: it cannot work with that Redis). On a cluster it also
/// looks every [`INDEX_CHECK_EVERY`] pings, and at the next ping when a search found one, for
/// a primary without the indexes (one that joined, was given slots, or restarted empty) and
/// creates them there.
pub fn spawn(
    db: &Db,
    fatal: tokio::sync::mpsc::Sender<StartupError>,
) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(250);
        let mut failures: u32 = 0;
        let mut pings: u32 = 0;
        loop {
            if db.is_ready() {
                pings = pings.wrapping_add(1);
                let asked = db.take_index_check();
                if db.is_cluster() && (asked || pings.is_multiple_of(INDEX_CHECK_EVERY)) {
                    if let Err(e) = indexes::ensure_all(&db).await {
                        tracing::warn!(error = %e, "cannot check the indexes on every primary");
                    }
                }
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
                // A second between pings, or less when an index check is asked for.
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = db.index_check_requested() => {}
                }
                continue;
            }
            match bootstrap(&db).await {
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

//! Getting Redis ready and keeping watch over it.
//!
//! [`bootstrap`] checks the search module, makes sure every index exists with its current
//! schema and reads the deployment secret; [`spawn`] pings Redis forever and runs the
//! bootstrap again whenever Redis comes (back) up, with exponential backoff while it is down.

use crate::server::redis::db::{Db, StartupError};
use crate::server::redis::indexes;
use crate::server::redis::keys::Keys;
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

/// Checks the search module, makes sure every index exists with its current schema, reads
/// the deployment secret, and marks the database ready.
pub async fn bootstrap(db: &Db) -> Result<(), BootError> {
    let mut conn = db.raw_conn();
    let _: () = redis::cmd("PING").query_async(&mut conn).await?;
    let listed: redis::RedisResult<redis::Value> =
        redis::cmd("FT._LIST").query_async(&mut conn).await;
    if let Err(e) = listed {
        if e.to_string().to_lowercase().contains("unknown command") {
            return Err(StartupError::NoSearchModule {
                url: db.url().to_string(),
            }
            .into());
        }
        return Err(e.into());
    }
    check_not_cluster(db, &mut conn).await?;
    report_durability(db, &mut conn).await;
    indexes::ensure_all(db).await?;
    load_secret(db).await?;
    db.set_ready(true);
    Ok(())
}

/// Refuses a Redis Cluster node. A cluster's search must coordinate across shards (the
/// RediSearch build here searches only the shard it runs on: results would be partial,
/// silently), and the app speaks to one primary. A coordinating search registers the
/// shard-local `_FT.SEARCH` next to `FT.SEARCH`; a standalone module does not.
async fn check_not_cluster(
    db: &Db,
    conn: &mut redis::aio::ConnectionManager,
) -> Result<(), BootError> {
    let info: String = redis::cmd("INFO").arg("cluster").query_async(conn).await?;
    if !info.lines().any(|l| l.trim() == "cluster_enabled:1") {
        return Ok(());
    }
    let shard_local: Vec<redis::Value> = redis::cmd("COMMAND")
        .arg("INFO")
        .arg("_FT.SEARCH")
        .query_async(conn)
        .await?;
    let url = db.url().to_string();
    Err(
        if shard_local.iter().all(|v| matches!(v, redis::Value::Nil)) {
            StartupError::ClusterSearchNotCoordinated { url }
        } else {
            StartupError::ClusterUnsupported { url }
        }
        .into(),
    )
}

/// Says once per process whether a write Redis acknowledged survives a crash of Redis: only
/// with the AOF on and `appendfsync always` (see "Durability" in docs/architecture.md).
async fn report_durability(db: &Db, conn: &mut redis::aio::ConnectionManager) {
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

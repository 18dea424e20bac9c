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
    indexes::ensure_all(db).await?;
    load_secret(db).await?;
    db.set_ready(true);
    Ok(())
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

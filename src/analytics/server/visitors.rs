//! Active visitors: distinct visitors of the site in the last five minutes. Each instance
//! collects the visitors it served in memory (a hash of their cookie or address, at most
//! [`MAX_PENDING`] per report) and adds them to the minute's HyperLogLog every few seconds,
//! so counting a visitor costs no Redis call on the request path.

use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Visitors held between two reports (more in one period are not counted; the count is an
/// estimate anyway).
const MAX_PENDING: usize = 20_000;
/// Minutes that make "active".
pub const ACTIVE_MINUTES: i64 = 5;

fn pending() -> &'static Mutex<HashSet<u64>> {
    static PENDING: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    PENDING.get_or_init(Default::default)
}

/// Notes a visitor (any stable per-visitor value: already a keyed hash, never raw data).
pub fn note(visitor: u64) {
    let mut set = pending().lock().unwrap_or_else(|e| e.into_inner());
    if set.len() < MAX_PENDING {
        set.insert(visitor);
    }
}

/// Adds the visitors noted since the last flush to the current minute.
pub async fn flush(db: &Db, now_ms: i64) -> Result<(), AppError> {
    let visitors: Vec<u64> =
        std::mem::take(&mut *pending().lock().unwrap_or_else(|e| e.into_inner()))
            .into_iter()
            .collect();
    if visitors.is_empty() {
        return Ok(());
    }
    let key = db.keys().active_visitors(now_ms.div_euclid(60_000));
    let mut conn = db.conn()?;
    redis::pipe()
        .cmd("PFADD")
        .arg(&key)
        .arg(&visitors)
        .ignore()
        .cmd("EXPIRE")
        .arg(&key)
        .arg(600)
        .ignore()
        .query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("active visitors", e))
}

/// Distinct visitors of the last [`ACTIVE_MINUTES`] minutes (one `PFCOUNT` over the minutes'
/// HyperLogLogs, which share a slot).
pub async fn active(db: &Db, now_ms: i64) -> Result<i64, AppError> {
    let last = now_ms.div_euclid(60_000);
    let keys: Vec<String> = (last - ACTIVE_MINUTES + 1..=last)
        .map(|m| db.keys().active_visitors(m))
        .collect();
    let mut conn = db.conn()?;
    redis::cmd("PFCOUNT")
        .arg(&keys)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("active visitors", e))
}

/// Notes the visitor of a page request (not assets, API calls or health checks): their session or visitor
/// cookie, or else their address, as a 64-bit FNV-1a hash (the same on every instance, so the
/// fleet counts a visitor once; a HyperLogLog keeps only a few bits of it). Behind a proxy
/// (`trust_proxy`) the address is the client's from `X-Forwarded-For`, not the proxy's.
pub fn note_request(request: &axum::extract::Request, trust_proxy: bool) {
    use crate::server::http::request;
    let path = request.uri().path();
    if request.method() != axum::http::Method::GET
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || path == "/healthz"
        || path.contains('.')
    {
        return;
    }
    let headers = request.headers();
    let identity = request::cookie_of(headers, request::SESSION_COOKIE)
        .or_else(|| request::cookie_of(headers, request::VISITOR_COOKIE))
        .unwrap_or_else(|| request::client_ip_of(headers, request.extensions(), trust_proxy));
    note(crate::util::hash::fnv1a(identity.bytes()));
}

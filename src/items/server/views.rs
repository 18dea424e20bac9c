//! Views: counted once per visitor, never the seller's own, and not inflatable by dropping
//! or forging cookies (`lua/increment_view.lua`, see "Security" in docs/architecture.md).

use crate::accounts::CurrentUser;
use crate::error::AppError;
use crate::items::{ItemEvent, ItemId};
use crate::live::server as live;
use crate::server::http::request;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::scripts::scripts;
use crate::server::state::AppState;
use crate::util::random::hex;

/// Who looks at an item, for the unique view count (see `server::request::visitor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// `u:<user id>` when signed in, else `a:<visitor id>`.
    pub key: String,
    /// The signed-in user, whose visits to their own items do not count.
    pub user_id: Option<u64>,
    /// A keyed hash of the client's IP address (never the address itself).
    pub network: String,
}

impl From<&str> for Visitor {
    /// A visitor from its key alone (`u:<id>` or `a:<id>`), each on a network of its own:
    /// for tools and tests that count views without an HTTP request.
    fn from(key: &str) -> Self {
        Visitor {
            key: key.to_string(),
            user_id: key.strip_prefix("u:").and_then(|id| id.parse().ok()),
            network: format!("own:{key}"),
        }
    }
}

/// New anonymous visitors one network (IP address) may add to one item's view count per day.
pub const NEW_VISITORS_PER_NETWORK: u32 = 5;
const NETWORK_COUNT_TTL_SECS: u64 = 86_400;

/// Counts a view of an item (`lua/increment_view.lua`: once per visitor, never the seller's
/// own, at most [`NEW_VISITORS_PER_NETWORK`] new visitors per network per day); returns the
/// view count, or `None` for an unknown item.
pub async fn count_view(db: &Db, id: ItemId, visitor: &Visitor) -> Result<Option<i64>, AppError> {
    let mut conn = db.conn()?;
    let (views, new): (i64, i64) = scripts()
        .increment_view
        .key(db.keys().item(id))
        .key(db.keys().item_viewers(id))
        .key(db.keys().item_viewer_networks(id))
        .arg(&visitor.key)
        .arg(visitor.user_id.map(|u| u.to_string()).unwrap_or_default())
        .arg(&visitor.network)
        .arg(NEW_VISITORS_PER_NETWORK)
        .arg(NETWORK_COUNT_TTL_SECS)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("count view", e))?;
    if new == 1 {
        live::publish(db, &id.to_string(), &ItemEvent::Views { views }).await;
    }
    Ok((views >= 0).then_some(views))
}

/// Cookie of an anonymous visitor: a visitor id used only to count item views once, signed
/// so that made-up values are ignored. It is not a session: nothing is stored for it except in
/// the views HyperLogLogs.
pub const VISITOR_COOKIE: &str = "rbay_vid";

/// HMAC-SHA-256 of `parts` (joined by a separator) under the deployment secret.
fn keyed_hash(secret: &[u8], parts: &[&str]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0x1f]);
    }
    mac.finalize().into_bytes().into()
}

/// The signature part of a visitor cookie for `id`.
fn visitor_tag(secret: &[u8], id: &str) -> String {
    hex(&keyed_hash(secret, &["visitor-cookie", id])[..8])
}

/// The id in a visitor cookie `<32 hex>.<16 hex>`, if its signature is ours.
fn verified_visitor_id(secret: &[u8], cookie: &str) -> Option<String> {
    let (id, tag) = cookie.split_once('.')?;
    let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    (well_formed && tag == visitor_tag(secret, id)).then(|| id.to_string())
}

/// Who is looking, for unique view counts:
/// - signed in: `u:<user id>`;
/// - with a valid visitor cookie: `a:<its id>`;
/// - otherwise the id is derived from the client IP, its user agent and the day (keyed hash),
///   and sent as a cookie: a client that keeps cookies keeps that id, and one that does not
///   gets the same id on every request of the day instead of a new visitor each time.
///
/// The network tag (a keyed hash of the IP) lets the view script cap new visitors per network.
pub fn visitor(state: &AppState, user: Option<&CurrentUser>) -> Visitor {
    let secret = state.db.secret();
    let ip = request::client_ip(state.config.trust_proxy);
    let network = hex(&keyed_hash(secret, &["network", &ip])[..8]);
    if let Some(user) = user {
        return Visitor {
            key: format!("u:{}", user.id),
            user_id: Some(user.id),
            network,
        };
    }
    if let Some(id) = request::cookie(VISITOR_COOKIE).and_then(|c| verified_visitor_id(secret, &c))
    {
        return Visitor {
            key: format!("a:{id}"),
            user_id: None,
            network,
        };
    }
    let agent = request::user_agent();
    let day = (crate::util::time::now_ms() / 86_400_000).to_string();
    let id = hex(&keyed_hash(secret, &["visitor", &ip, &agent, &day])[..16]);
    request::set_cookie(&format!(
        "{VISITOR_COOKIE}={id}.{}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
        visitor_tag(secret, &id),
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    ));
    Visitor {
        key: format!("a:{id}"),
        user_id: None,
        network,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_cookies_must_carry_our_signature() {
        let secret = b"s3cret";
        let id = "0123456789abcdef0123456789abcdef";
        let good = format!("{id}.{}", visitor_tag(secret, id));
        assert_eq!(verified_visitor_id(secret, &good).as_deref(), Some(id));
        assert_eq!(verified_visitor_id(b"other", &good), None);
        for bad in [
            id.to_string(),
            format!("{id}.0000000000000000"),
            format!("{}.{}", &id[..31], visitor_tag(secret, &id[..31])),
            "x".repeat(49),
        ] {
            assert_eq!(verified_visitor_id(secret, &bad), None, "{bad}");
        }
    }
}

//! Views: counted once per visitor, never the seller's own, and not inflatable by dropping
//! or forging cookies (`lua/increment_view.lua`, see "Security" in docs/architecture.md).

use crate::accounts::server::RequestSession;
use crate::error::AppError;
use crate::items::server::frame::item_script;
use crate::items::ItemId;
use crate::server::http::request;
use crate::server::redis::db::{keyed_hash, redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::server::state::AppState;
use crate::util::id::UserId;
use crate::util::random::hex;
use axum::extract::{Request, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use redis::{FromRedisValue, ParsingError};

/// `lua/increment_view.lua`: one view per visitor per item (HyperLogLog).
pub static INCREMENT_VIEW: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("increment_view");

/// Who looks at an item, for the unique view count (see `server::request::visitor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// `u:<user id>` when signed in, else `a:<visitor id>`.
    pub key: String,
    /// The signed-in user, whose visits to their own items do not count.
    pub user_id: Option<UserId>,
    /// A keyed hash of the client's IP address (never the address itself).
    pub network: String,
}

impl Visitor {
    /// The signed-in `user_id`, on `network`.
    fn user(user_id: UserId, network: String) -> Visitor {
        Visitor {
            key: format!("u:{user_id}"),
            user_id: Some(user_id),
            network,
        }
    }
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
/// own, at most [`NEW_VISITORS_PER_NETWORK`] new visitors per network per day; a counted view
/// moves the item in "Most viewed" and is announced live); returns the view count, or `None`
/// for an unknown item and for a repeat view this instance remembered ([`SEEN_LATELY`]: no
/// round trip, and the count it would return is not known).
pub async fn count_view(db: &Db, id: ItemId, visitor: &Visitor) -> Result<Option<i64>, AppError> {
    let keys = db.keys();
    // This visitor was seen on this item lately: the script would answer "seen" again.
    let known = format!("{}{id}|{}", keys.prefix(), visitor.key);
    if let Some(again) = SEEN_LATELY.get(&known) {
        if let Again::Repeat { seller } = again {
            crate::analytics::server::note_repeat_view(db, id, seller);
        }
        return Ok(None);
    }
    let mut conn = db.conn()?;
    let seen: Seen = item_script(&INCREMENT_VIEW, keys, id)
        .key(keys.item_viewers(id))
        .key(keys.item_viewer_networks(id))
        .arg(&visitor.key)
        .arg(visitor.user_id.map(|u| u.to_string()).unwrap_or_default())
        .arg(&visitor.network)
        .arg(NEW_VISITORS_PER_NETWORK)
        .arg(NETWORK_COUNT_TTL_SECS)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("count view", e))?;
    Ok(match seen {
        Seen::NotFound => None,
        Seen::Counted { views, seller } => {
            SEEN_LATELY.insert(known, Again::Repeat { seller });
            Some(views)
        }
        Seen::Own { views } => {
            SEEN_LATELY.insert(known, Again::Own);
            Some(views)
        }
        Seen::Repeat { views, seller } => {
            SEEN_LATELY.insert(known, Again::Repeat { seller });
            crate::analytics::server::note_repeat_view(db, id, seller);
            Some(views)
        }
    })
}

/// What the view script would say of a visitor it has seen on an item: a repeat view (the
/// seller's statistics count it), or the seller's own (nothing to count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Again {
    Repeat { seller: UserId },
    Own,
}

/// How long an instance remembers that a visitor has seen an item, so that their repeat views
/// cost no script: a visitor once counted is never counted again (the script's own set says
/// so for good), so remembering it longer changes nothing but memory.
const SEEN_LATELY_FOR: std::time::Duration = std::time::Duration::from_secs(120);
/// Visitor-item pairs remembered per instance (about 0.2 KB each).
const SEEN_LATELY_MAX: u64 = 8_192;

/// Recently seen visitor-item pairs (`<prefix><item>|<visitor key>`), per instance. A repeat
/// view found here is noted for the seller's statistics (batched) without a round trip; only
/// a first view (or one this instance has not seen lately) runs `lua/increment_view.lua`.
static SEEN_LATELY: std::sync::LazyLock<moka::sync::Cache<String, Again>> =
    std::sync::LazyLock::new(|| {
        moka::sync::Cache::builder()
            .time_to_live(SEEN_LATELY_FOR)
            .max_capacity(SEEN_LATELY_MAX)
            .build()
    });

/// What `lua/increment_view.lua` made of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A new visitor: counted.
    Counted {
        views: i64,
        seller: UserId,
    },
    /// Seen before (or over the network's allowance): not counted here, but the seller's
    /// statistics count it as a view.
    Repeat {
        views: i64,
        seller: UserId,
    },
    /// The seller's own view: never counted.
    Own {
        views: i64,
    },
    NotFound,
}

/// Strictly `{ counted, views, seller }`, `{ seen, views, seller }`, `{ own, views }` or
/// `{ not_found }`.
impl FromRedisValue for Seen {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("increment_view", v)?;
        Ok(match f.status()?.as_str() {
            "counted" => {
                f.expect_len(3)?;
                Seen::Counted {
                    views: f.get(1)?,
                    seller: f.get(2)?,
                }
            }
            "seen" => {
                f.expect_len(3)?;
                Seen::Repeat {
                    views: f.get(1)?,
                    seller: f.get(2)?,
                }
            }
            "own" => {
                f.expect_len(2)?;
                Seen::Own { views: f.get(1)? }
            }
            "not_found" => Seen::NotFound,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Cookie of an anonymous visitor: a visitor id used only to count item views once, signed
/// so that made-up values are ignored. It is not a session: nothing is stored for it except in
/// the views HyperLogLogs.
pub use crate::server::http::request::VISITOR_COOKIE;

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

/// What a request says of its client, read before the request goes on: who the visitor is
/// is only worked out ([`visitor`]) once the view is known not to be a signed-in user's.
pub struct Client {
    ip: String,
    agent: String,
    /// The visitor cookie as sent, if any.
    cookie: Option<String>,
}

impl Client {
    pub fn of(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Self {
        Client {
            ip: request::client_ip_of(headers, extensions, state.config.trust_proxy),
            agent: request::user_agent_of(headers),
            cookie: request::cookie_of(headers, VISITOR_COOKIE),
        }
    }

    /// The client's network tag (a keyed hash of its IP).
    fn network(&self, state: &AppState) -> String {
        hex(&keyed_hash(state.db.secret(), &["network", &self.ip])[..8])
    }
}

/// Who is looking, for unique view counts, and the visitor cookie to send when one was minted
/// (a signed-in user is `u:<user id>`, [`Visitor::user`], and gets no visitor cookie):
/// - with a valid visitor cookie: `a:<its id>`;
/// - otherwise the id is derived from the client IP, its user agent and the day (keyed hash),
///   and sent as a cookie: a client that keeps cookies keeps that id, and one that does not
///   gets the same id on every request of the day instead of a new visitor each time.
///
/// The network tag (a keyed hash of the IP) lets the view script cap new visitors per network.
pub fn visitor(state: &AppState, client: &Client) -> (Visitor, Option<String>) {
    let secret = state.db.secret();
    let network = client.network(state);
    let known = client
        .cookie
        .as_deref()
        .and_then(|c| verified_visitor_id(secret, c));
    if let Some(id) = known {
        let visitor = Visitor {
            key: format!("a:{id}"),
            user_id: None,
            network,
        };
        return (visitor, None);
    }
    let day = (crate::util::time::now_ms() / 86_400_000).to_string();
    let id = hex(&keyed_hash(secret, &["visitor", &client.ip, &client.agent, &day])[..16]);
    let cookie = request::set_cookie_value(
        VISITOR_COOKIE,
        &format!("{id}.{}", visitor_tag(secret, &id)),
        std::time::Duration::from_secs(365 * 86_400),
        state.config.secure_cookies,
    );
    let visitor = Visitor {
        key: format!("a:{id}"),
        user_id: None,
        network,
    };
    (visitor, Some(cookie))
}

/// The item an item-page request is for (`GET /items/<id>`), if it is one.
fn visited_item(request: &Request) -> Option<ItemId> {
    if request.method() != Method::GET {
        return None;
    }
    ItemId::parse(request.uri().path().strip_prefix("/items/")?)
}

/// Middleware: counts the view of every item page (`GET /items/<id>`), at the same time as
/// the page is rendered (or served from the page cache), and sends the visitor cookie when one
/// was minted. A view that cannot be counted never fails the page.
pub async fn record_visit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(id) = visited_item(&request) else {
        return next.run(request).await;
    };
    // The session is looked up alongside the page (the personal tier's reads go out with it);
    // the view is counted once it is known whose it is.
    let session = RequestSession::of(&mut request);
    let token = request::cookie_of(request.headers(), request::SESSION_COOKIE);
    let wrote = request::wrote_lately(request.headers());
    let client = Client::of(&state, request.headers(), request.extensions());
    let view = async {
        // Without a cookie this is `None` at once (no Redis call).
        let user_id = session
            .get(&state, token.as_deref(), wrote)
            .await
            .ok()
            .flatten()
            .map(|s| s.user_id);
        let (visitor, cookie) = match user_id {
            Some(user_id) => (Visitor::user(user_id, client.network(&state)), None),
            None => visitor(&state, &client),
        };
        (count_view(&state.db, id, &visitor).await, cookie)
    };
    let ((counted, cookie), mut response) = tokio::join!(view, next.run(request));
    if let Err(e) = counted {
        tracing::debug!(error = %e, item_id = %id, "view not counted");
    }
    if let Some(cookie) = cookie.filter(|_| response.status() == StatusCode::OK) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
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

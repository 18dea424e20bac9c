//! The personal page cache: the pages anonymous visitors get from the instance tier of
//! `server::http::page_cache` (home, item pages, search and browse) are rendered at most once
//! per half second per instance for every signed-in viewer, with the parts that differ per
//! viewer left as holes that each request fills for its viewer ([`holes`]).
//!
//! The session is looked up on every request (from the instance's memory while nothing was
//! heard to change it: a signed-out session is dead on every instance as soon as that is
//! heard), the holes read the viewer's own state alongside that lookup (or use what they read
//! for the same render while nothing was heard to change the item or the viewer), and a page
//! whose shared part changed since it was rendered is rendered again at once, so a viewer
//! always sees their own writes. Requests with the one-time notice cookie or the cookie a write
//! leaves for a few seconds (`request::WROTE_COOKIE`), with a query (but a search's own), or
//! with an unknown session are rendered per viewer, as is a page that is not a plain 200 page.
//!
//! This layer sits *inside* the anonymous page cache: the render for everyone it asks for has
//! no cookie, and must not be answered from the anonymous tier.

pub mod holes;

use crate::accounts::server::sessions::claimed_user;
use crate::accounts::server::{renewal, request_session};
use crate::server::http::forms::FLASH_COOKIE;
use crate::server::http::page_cache::{
    has_session_cookie, instance_key, is_storable, tier, Tier, INSTANCE_ENTRIES, INSTANCE_TTL,
    MAX_CACHED_BYTES,
};
use crate::server::http::request::{cookie_of, leave_wrote_cookie, wrote_lately, SESSION_COOKIE};
use crate::server::http::security::CspNonce;
use crate::server::metrics::CacheResult;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use holes::{Punch, Template};
use std::sync::{Arc, LazyLock};

/// The personal tier: templates with holes, keyed like the instance tier. moka runs one
/// render per key at a time; the requests that wait share it.
static PERSONAL: LazyLock<moka::future::Cache<String, Arc<Template>>> = LazyLock::new(|| {
    moka::future::Cache::builder()
        .time_to_live(INSTANCE_TTL)
        .max_capacity(INSTANCE_ENTRIES as u64)
        .build()
});

/// Middleware: signed-in GETs of the pages the instance tier caches come from the personal
/// tier; everything else goes on. After a write by a signed-in user (any other method), what
/// this instance remembers for them is not used again (their version moves before the answer
/// leaves), and the answer leaves `request::WROTE_COOKIE` in their browser: for a few seconds their
/// pages on every instance are read and rendered for them, so they read their own write
/// whether or not that instance has heard it announced yet. (Other instances hear it on the
/// item's or the user's channel, and stop using what they remembered then.)
pub async fn serve_personal(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let writer = cookie_of(request.headers(), SESSION_COOKIE).and_then(|t| claimed_user(&t));
        let mut response = next.run(request).await;
        if let Some(user) = writer {
            state.db.user_versions().changed(user);
            leave_wrote_cookie(response.headers_mut(), state.config.secure_cookies);
        }
        return response;
    }
    let path = request.uri().path();
    let query = request.uri().query();
    let eligible = request.method() == Method::GET
        && tier(path, query) == Some(Tier::Instance)
        && has_session_cookie(&request)
        && cookie_of(request.headers(), FLASH_COOKIE).is_none()
        && !wrote_lately(request.headers());
    let nonce = request.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let (true, Some(nonce)) = (eligible, nonce) else {
        return next.run(request).await;
    };
    let key = instance_key(state.db.keys().prefix(), path, query);
    personal(&state, request, next, key, &nonce).await
}

/// A signed-in viewer's page from the personal tier (see the module docs); rendered per
/// viewer as before when that cannot be done (no session after all, a page without a
/// template, an error).
///
/// The cookie names the user: the holes' reads for that user go out together with the
/// session's lookup (one round trip on one Redis), and the holes are only rendered once the
/// lookup confirms the session is that user's.
async fn personal(
    state: &AppState,
    mut request: Request,
    next: Next,
    key: String,
    nonce: &str,
) -> Response {
    let Some(token) = cookie_of(request.headers(), SESSION_COOKIE) else {
        return next.run(request).await;
    };
    let Some(claimed) = claimed_user(&token) else {
        return next.run(request).await;
    };
    // Whether this request rendered the template rather than found it stored (or waited for
    // another request's render): the personal tier's miss, for `/metrics`.
    let rendered = std::sync::atomic::AtomicBool::new(false);
    let template = {
        let (everyone, next, rendered) = (Everyone::of(&request), &next, &rendered);
        PERSONAL
            .try_get_with_by_ref(&key, async move {
                // Only on a miss: the request for everyone copies this one's headers.
                rendered.store(true, std::sync::atomic::Ordering::Relaxed);
                render_for_everyone(everyone.request(), next.clone())
                    .await
                    .map(Arc::new)
                    .ok_or(())
            })
            .await
            .ok()
    };
    let Some(template) = template else {
        return next.run(request).await;
    };
    let (session, read) = tokio::join!(
        request_session(state, &mut request),
        template.read(state, claimed)
    );
    let session = match session {
        Ok(Some(session)) if session.user_id == claimed => session,
        _ => return next.run(request).await,
    };
    let renew = renewal(state, &token, &session);
    let page = match read {
        Ok(Some(renders)) => template.assemble(renders, &session, nonce).ok(),
        // The page changed since it was rendered: render it again, once.
        Ok(None) => {
            rendered.store(true, std::sync::atomic::Ordering::Relaxed);
            match render_for_everyone(Everyone::of(&request).request(), next.clone()).await {
                Some(template) => {
                    let template = Arc::new(template);
                    PERSONAL.insert(key, Arc::clone(&template)).await;
                    template.fill(state, &session, nonce).await.ok().flatten()
                }
                None => None,
            }
        }
        Err(_) => None,
    };
    let Some(page) = page else {
        return next.run(request).await;
    };
    crate::server::metrics::record_cache(if rendered.load(std::sync::atomic::Ordering::Relaxed) {
        CacheResult::PersonalRender
    } else {
        CacheResult::PersonalHit
    });
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::HeaderName::from_static("x-cache"),
                HeaderValue::from_static("personal"),
            ),
        ],
        Body::new(page),
    )
        .into_response();
    if let Some(value) = renew.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The request for the page rendered for every signed-in viewer: the same page without
/// cookies (nobody is signed in while it renders), collecting its holes.
/// Borrowed from the viewer's request: nothing is copied unless a render is needed.
struct Everyone<'r> {
    uri: &'r axum::http::Uri,
    headers: &'r axum::http::HeaderMap,
    nonce: Option<&'r CspNonce>,
    client: Option<axum::extract::ConnectInfo<std::net::SocketAddr>>,
}

impl<'r> Everyone<'r> {
    fn of(request: &'r Request) -> Self {
        Everyone {
            uri: request.uri(),
            headers: request.headers(),
            // Only what the render needs: the nonce for its scripts, the client address.
            nonce: request.extensions().get::<CspNonce>(),
            client: request.extensions().get().copied(),
        }
    }

    fn request(&self) -> Request {
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = self.uri.clone();
        let mut headers = self.headers.clone();
        headers.remove(header::COOKIE);
        *request.headers_mut() = headers;
        if let Some(nonce) = self.nonce {
            request.extensions_mut().insert(nonce.clone());
        }
        if let Some(client) = self.client {
            request.extensions_mut().insert(client);
        }
        request.extensions_mut().insert(Punch::default());
        request
    }
}

/// Renders the page of `request` (from [`Everyone`]) and splits it at its holes;
/// `None` when it is not a plain 200 page.
async fn render_for_everyone(request: Request, next: Next) -> Option<Template> {
    let punch = request.extensions().get::<Punch>()?.clone();
    let nonce = request.extensions().get::<CspNonce>()?.0.clone();
    let response = next.run(request).await;
    if !is_storable(&response) {
        return None;
    }
    let bytes = axum::body::to_bytes(response.into_body(), MAX_CACHED_BYTES)
        .await
        .ok()?;
    let html = std::str::from_utf8(&bytes).ok()?;
    Template::parse(html, &nonce, &punch)
}

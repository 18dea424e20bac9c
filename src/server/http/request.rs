//! Facts about the HTTP request being handled, for server functions and pages: the client
//! IP, cookies, the CSP nonce, whether it is a plain form post; and adding cookies to the
//! response.

use crate::server::http::security::CspNonce;
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "rbay_session";

/// Cookie of an anonymous visitor: a signed visitor id used only to count item views once and
/// visitors (see `items::server::views`). It is not a session.
pub const VISITOR_COOKIE: &str = "rbay_vid";

/// Cookie a signed-in user's write (any request but a `GET`/`HEAD`) leaves in their browser
/// for [`WROTE_LATELY_FOR`] (`server::personal::serve_personal`): while the browser sends it,
/// no instance answers it from what it remembers (the session, the personal tier's holes), so
/// the writer's next pages on *any* instance read their own write, whether or not that
/// instance has heard the write announced yet. Its value means nothing.
pub const WROTE_COOKIE: &str = "rbay_wrote";

/// How long [`WROTE_COOKIE`] lasts: far longer than an announcement takes to reach every
/// instance (`server::redis::versions::HEARD_WITHIN`), short enough that a writer's pages are
/// soon served from memory again.
pub const WROTE_LATELY_FOR: Duration = Duration::from_secs(5);

/// The `Set-Cookie` value that leaves [`WROTE_COOKIE`] in a writer's browser (a server
/// function's answer: [`set_cookie`]; a handler's: [`leave_wrote_cookie`]).
pub fn wrote_cookie(secure: bool) -> String {
    set_cookie_value(WROTE_COOKIE, "1", WROTE_LATELY_FOR, secure)
}

/// Adds [`wrote_cookie`] to the headers of a response a handler built.
pub fn leave_wrote_cookie(headers: &mut HeaderMap, secure: bool) {
    if let Ok(value) = HeaderValue::from_str(&wrote_cookie(secure)) {
        headers.append(SET_COOKIE, value);
    }
}

/// Whether the request carries [`WROTE_COOKIE`]: its user wrote something lately.
pub fn wrote_lately(headers: &HeaderMap) -> bool {
    cookie_of(headers, WROTE_COOKIE).is_some()
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// True for a plain browser form post (JavaScript off): answer with a redirect, not data.
pub fn is_plain_form_post() -> bool {
    parts()
        .and_then(|p| p.headers.get(ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false)
}

/// The client's IP of the request being handled (see [`client_ip_of`]).
pub fn client_ip(trust_proxy: bool) -> String {
    match parts() {
        Some(parts) => client_ip_of(&parts.headers, &parts.extensions, trust_proxy),
        None => "unknown".to_string(),
    }
}

/// The client's IP: the TCP peer, or with `RBAY_TRUST_PROXY=1` the last `X-Forwarded-For` hop.
pub fn client_ip_of(headers: &HeaderMap, extensions: &Extensions, trust_proxy: bool) -> String {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A request's `User-Agent`, cut to 256 characters.
pub fn user_agent_of(headers: &HeaderMap) -> String {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok().map(|s| crate::util::url::clip(s, 256)))
        .unwrap_or_default()
}

/// A cookie of the request being handled, by name.
pub fn cookie(name: &str) -> Option<String> {
    cookie_of(&parts()?.headers, name)
}

/// A cookie of a request, by name.
pub fn cookie_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| cookie_value(header, name))
        .map(str::to_string)
}

/// A named cookie's value from a `Cookie` request header, if present and not empty.
///
/// A request's header is only `name=value` pairs joined by `; ` (RFC 6265 §4.2.1): read by
/// splitting, without allocating. (The `cookie` crate parses each pair as a `Set-Cookie`, with
/// its attributes: a signed-in page asks for cookies several times, and that parse was 4% of
/// its CPU in a profile.) A pair without `=` is skipped, as the crate skipped it.
pub fn cookie_value<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value for one of Rbay's cookies: the whole site (`Path=/`), out of scripts'
/// reach (`HttpOnly`), not sent on cross-site requests (`SameSite=Lax`), `Secure` when the
/// deployment says so, kept for `max_age` (zero removes it).
pub fn set_cookie_value(name: &str, value: &str, max_age: Duration, secure: bool) -> String {
    cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
        .to_string()
}

/// The session token from the request's cookies, if any.
pub fn session_token() -> Option<String> {
    cookie(SESSION_COOKIE)
}

/// The nonce of this request's Content-Security-Policy (see `security`).
pub fn csp_nonce() -> Option<Arc<str>> {
    parts().and_then(|p| p.extensions.get::<CspNonce>().map(|n| Arc::clone(&n.0)))
}

/// Adds a `Set-Cookie` header to the response being built.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_the_header() {
        assert_eq!(
            cookie_value("a=1; rbay_session=xyz; b=2", SESSION_COOKIE),
            Some("xyz")
        );
        assert_eq!(cookie_value("rbay_session=", SESSION_COOKIE), None);
        assert_eq!(cookie_value("other=1", SESSION_COOKIE), None);
        // Only the exact name; pairs without `=` are skipped; a value may hold `=`; the first
        // of two with the same name (the browser sends the most specific path first).
        assert_eq!(cookie_value("xrbay_session=1", SESSION_COOKIE), None);
        assert_eq!(
            cookie_value("junk; rbay_session = v=1 ; rbay_session=2", SESSION_COOKIE),
            Some("v=1")
        );
    }

    #[test]
    fn cookies_are_set_with_every_flag() {
        let c = set_cookie_value("n", "v", Duration::from_secs(60), false);
        for part in ["n=v", "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=60"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!c.contains("Secure"), "{c}");
        assert!(set_cookie_value("n", "v", Duration::ZERO, true).contains("Secure"));
        assert!(set_cookie_value("n", "", Duration::ZERO, false).contains("Max-Age=0"));
    }
}

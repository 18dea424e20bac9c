//! Replies to plain form posts: with JavaScript off, a browser posts a form straight to a
//! server function and expects a page back. Server functions call
//! [`redirect_plain_post`] with the page to show (the result or the form with its problems),
//! and return their data as usual for the islands' JSON calls.

use crate::server::http::request::{cookie, cookie_of, is_plain_form_post, set_cookie};
use crate::util::problem::{FieldErrors, FormReply, Problem};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// The cookie carrying a one-time notice to the page a plain form post redirects to.
pub const FLASH_COOKIE: &str = "rbay_flash";
/// How long a notice waits for its page.
const FLASH_SECS: u32 = 60;

/// Redirects to `target` when this request is a plain form post; `true` if it did.
pub fn redirect_plain_post(target: &str) -> bool {
    let plain = is_plain_form_post();
    if plain {
        leptos_axum::redirect(target);
    }
    plain
}

/// Redirect-after-post with a notice shown once: a plain form post that succeeded redirects
/// to `target` (no query: a reload or the back button does not say it again) and leaves the
/// notice `code` (a fixed word, never user text) in a short cookie that [`clear_flash`]
/// removes as soon as an HTML page has been served with it.
pub fn redirect_plain_post_with_notice(target: &str, code: &str) -> bool {
    let plain = redirect_plain_post(target);
    if plain {
        set_cookie(&super::request::set_cookie_value(
            FLASH_COOKIE,
            code,
            std::time::Duration::from_secs(u64::from(FLASH_SECS)),
            false,
        ));
    }
    plain
}

/// A form that was done: a plain form post goes back to `back` with the one-time notice
/// `code`.
pub fn form_done(back: &str, code: &str) -> FormReply {
    redirect_plain_post_with_notice(back, code);
    FormReply {
        done: true,
        problems: String::new(),
    }
}

/// A form refused for `problem` in `field`: a plain form post goes back to `back` with it in
/// the query parameter `param` (`?e=field:code`).
pub fn form_refused<P: Problem>(back: &str, param: &str, field: &str, problem: P) -> FormReply {
    let mut problems = FieldErrors::default();
    problems.set(field, problem);
    form_refused_all(back, param, &problems)
}

/// [`form_refused`] for several problems at once (one per field).
pub fn form_refused_all<P: Problem>(
    back: &str,
    param: &str,
    problems: &FieldErrors<P>,
) -> FormReply {
    let codes = problems.to_codes();
    let query = serde_urlencoded::to_string([(param, codes.as_str())]).unwrap_or_default();
    let join = if back.contains('?') { '&' } else { '?' };
    redirect_plain_post(&format!("{back}{join}{query}"));
    FormReply {
        done: false,
        problems: codes,
    }
}

/// The one-time notice for the page being rendered (see [`redirect_plain_post_with_notice`]).
pub fn notice() -> Option<String> {
    cookie(FLASH_COOKIE).filter(|c| c.len() <= 32)
}

/// Middleware: an HTML page served to a request that carried a notice clears it, so it shows
/// once.
pub async fn clear_flash(request: Request, next: Next) -> Response {
    let had_notice =
        request.method() == Method::GET && cookie_of(request.headers(), FLASH_COOKIE).is_some();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if had_notice && html {
        let clear =
            super::request::set_cookie_value(FLASH_COOKIE, "", std::time::Duration::ZERO, false);
        if let Ok(value) = HeaderValue::from_str(&clear) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

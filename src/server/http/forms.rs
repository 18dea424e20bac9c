//! Replies to plain form posts: with JavaScript off, a browser posts a form straight to a
//! server function and expects a page back. Server functions call
//! [`redirect_plain_post`] with the page to show (the result or the form with its problems),
//! and return their data as usual for the islands' JSON calls.

use crate::server::http::request::is_plain_form_post;

/// Redirects to `target` when this request is a plain form post; `true` if it did.
pub fn redirect_plain_post(target: &str) -> bool {
    let plain = is_plain_form_post();
    if plain {
        leptos_axum::redirect(target);
    }
    plain
}

/// `/items/7?bid_error=low&amount=12#bid`: a page with a problem code and what was typed.
pub fn back_with(
    page: &str,
    problem_param: &str,
    code: &str,
    echo: &[(&str, &str)],
    anchor: &str,
) -> String {
    use crate::util::url::encode_query_value as enc;
    let mut url = format!("{page}?{problem_param}={}", enc(code));
    for (name, value) in echo {
        url.push_str(&format!("&{name}={}", enc(value)));
    }
    if !anchor.is_empty() {
        url.push('#');
        url.push_str(anchor);
    }
    url
}

#[cfg(test)]
mod tests {
    #[test]
    fn back_urls_encode_what_they_echo() {
        assert_eq!(
            super::back_with("/items/7", "bid_error", "low", &[("amount", "1&2")], "bid"),
            "/items/7?bid_error=low&amount=1%262#bid"
        );
    }
}

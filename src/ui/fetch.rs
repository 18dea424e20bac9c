//! Plain `fetch` of text endpoints from the browser (islands on every page use these instead
//! of server functions, which would put the JSON and server-function client code in the
//! bundle every page downloads).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// GETs `url` and returns the body when the answer is a 200.
pub async fn get_text(url: &str) -> Option<String> {
    let window = web_sys::window()?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if response.status() != 200 {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?).await.ok()?;
    text.as_string()
}

/// Resolves after `ms` milliseconds (browser timer).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

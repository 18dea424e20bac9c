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

/// The browser's time zone as a query parameter (`tz=Region/City`, from
/// `Intl.DateTimeFormat().resolvedOptions().timeZone`), or `None` in UTC or when the browser does
/// not say. Read through `Reflect::get` and `Function::call1`, which the bundle already imports:
/// a `js_sys::Intl` binding would add its glue to the code every page downloads.
pub fn zone_param() -> Option<String> {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsValue;
    let get = |on: &JsValue, key: &str| Reflect::get(on, &JsValue::from_str(key)).ok();
    // `on[method]()`; a missing method throws inside `call1`, which answers `Err`.
    let call = |on: &JsValue, method: &str| {
        get(on, method)?
            .unchecked_into::<Function>()
            .call1(on, &JsValue::UNDEFINED)
            .ok()
    };
    let intl = get(&js_sys::global(), "Intl")?;
    let zone = get(
        &call(&call(&intl, "DateTimeFormat")?, "resolvedOptions")?,
        "timeZone",
    )?;
    let zone = zone.as_string()?;
    // Zone names are letters, digits and `/ _ - +`; only `+` needs escaping in a query.
    (zone != "UTC").then(|| format!("tz={}", zone.replace('+', "%2B")))
}

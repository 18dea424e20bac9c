//! After a form is refused in place, the first problem gets the focus and is scrolled to the
//! middle of the screen, clear of the sticky header: on a phone the message would otherwise
//! sit under the header or off screen, and nothing would seem to happen. (Without
//! JavaScript the server marks the same field `autofocus`.)

use wasm_bindgen::JsCast;

/// Moves focus to the first field marked `aria-invalid="true"` in the form matched by `form`
/// (a CSS selector), or to the form's own message when that comes first. Runs on the next
/// frame, once the errors are drawn.
pub fn first_problem(form: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let selector = format!("{form} [aria-invalid=\"true\"], {form} .form-error:not(:empty)");
        let Some(el) = doc
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = el.focus();
    });
}

//! Views rendered to HTML on the server: what fragment routes send, what `inner_html` is
//! given, and the few whole documents outside the app's shell. Leptos escapes every text and
//! attribute; no markup is assembled from strings.

use leptos::prelude::IntoView;

/// The HTML of a view.
pub fn to_html(view: impl IntoView) -> String {
    use leptos::tachys::view::RenderHtml;
    view.into_view().to_html()
}

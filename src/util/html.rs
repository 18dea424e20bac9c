//! Views rendered to HTML on the server: what fragment routes send, what `inner_html` is
//! given, and the few whole documents outside the app's shell. Leptos escapes every text and
//! attribute; no markup is assembled from strings. And the two small pieces every panel uses.

use leptos::prelude::*;

/// The HTML of a view.
pub fn to_html(view: impl IntoView) -> String {
    use leptos::tachys::view::RenderHtml;
    view.into_view().to_html()
}

/// Runs `render` (which builds views and renders them with [`to_html`]) under a reactive owner
/// of its own that is dropped afterwards: for views with islands (signals) rendered outside a
/// page, such as the holes of `server::personal`. Without it their signals would be
/// registered with whatever owner the thread last ran (another request's page, which may
/// dispose of them mid-render) or leak.
#[cfg(feature = "ssr")]
pub fn render_alone<T>(render: impl FnOnce() -> T) -> T {
    let owner = Owner::new_root(None);
    let rendered = owner.with(render);
    owner.unset();
    rendered
}

/// A table's column headings.
#[component]
pub fn ColumnHeads(names: &'static [&'static str]) -> impl IntoView {
    let heads = names
        .iter()
        .map(|name| view! { <th scope="col">{*name}</th> })
        .collect_view();
    view! {
        <thead>
            <tr>{heads}</tr>
        </thead>
    }
}

/// A row of big figures (`(label, value, data-tile name)`), as on the market board and /ops.
#[component]
pub fn Tiles(tiles: Vec<(&'static str, String, &'static str)>) -> impl IntoView {
    let tiles = tiles
        .into_iter()
        .map(|(label, value, attr)| {
            view! {
                <div class="tile">
                    <span class="tile-value" data-tile=attr>{value}</span>
                    <span class="tile-label">{label}</span>
                </div>
            }
        })
        .collect_view();
    view! { <div class="tiles">{tiles}</div> }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `inner_html` is given comes from here: user text in it is always escaped.
    #[test]
    fn user_text_is_escaped_in_text_and_attributes() {
        let name = r#"<script>alert(1)</script>" onmouseover="x"#.to_string();
        let html = to_html(view! { <a title=name.clone()>{name.clone()}</a> });
        assert!(!html.contains("<script"), "{html}");
        // In the attribute the quote is escaped, so it cannot end the value (in text a quote
        // is plain text).
        assert!(html.contains("&quot; onmouseover=&quot;x\">"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}

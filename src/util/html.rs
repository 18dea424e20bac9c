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

/// A wide table of the operators' pages, with its caption and column heads: on a narrow screen
/// it scrolls sideways in its region, which must then be reachable by keyboard (a focusable,
/// named region, as axe's `scrollable-region-focusable` asks). `children` are its rows.
#[component]
pub fn WideTable(
    /// The region's name for screen readers.
    label: &'static str,
    caption: &'static str,
    heads: &'static [&'static str],
    /// The table's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="ops-table" data-testid=testid>
                <caption>{caption}</caption>
                <ColumnHeads names=heads/>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
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

    #[test]
    fn a_wide_table_scrolls_in_a_region_reached_by_keyboard() {
        let html = to_html(view! {
            <WideTable label="Routes" caption="Per route" heads=&["Route", "p99"] testid="routes">
                <tr><td>"/"</td><td>"1 ms"</td></tr>
            </WideTable>
        });
        let region = html.split_once('>').map_or("", |(tag, _)| tag);
        for attribute in [
            "<div ",
            r#"class="table-wrap""#,
            r#"tabindex="0""#,
            r#"role="region""#,
            r#"aria-label="Routes""#,
        ] {
            assert!(region.contains(attribute), "{attribute} in {html}");
        }
        for part in [
            r#"data-testid="routes" class="ops-table"><caption>Per route</caption>"#,
            r#"<th scope="col">Route</th><th scope="col">p99</th>"#,
            "<tbody><tr><td>/</td><td>1 ms</td></tr></tbody>",
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        // Without a test id, no empty attribute.
        let html = to_html(view! { <WideTable label="L" caption="C" heads=&["A"]>""</WideTable> });
        assert!(!html.contains("data-testid"), "{html}");
    }
}

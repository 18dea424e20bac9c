//! "← Previous · Page 2 of 5 · Next →" links; plain links, so they work without JavaScript.

use leptos::prelude::*;

/// Renders nothing when everything fits on one page. `href` builds the link of a page number.
#[component]
pub fn Pagination(
    page: u64,
    pages: u64,
    href: impl Fn(u64) -> String + 'static,
    #[prop(default = ("← Previous", "Next →"))] labels: (&'static str, &'static str),
) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                {(page > 1).then(|| view! { <a rel="prev" href=href(page - 1)>{labels.0}</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=href(page + 1)>{labels.1}</a> })}
            </nav>
        }
    })
}

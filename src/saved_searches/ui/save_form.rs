//! "Save this search": a plain form on every search and browse page with words or a category.
//! The same for every viewer (the page is cached for everyone): a visitor who sends it is asked
//! to sign in first.

use crate::saved_searches::{SearchSpec, NAME_MAX};
use leptos::prelude::*;

#[component]
pub fn SaveSearchForm(spec: SearchSpec, suggested: String) -> impl IntoView {
    // The filters, as the search page's own parameters.
    let filters = spec
        .filters
        .params()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view();
    let SearchSpec {
        q, category, sort, ..
    } = spec;
    view! {
        <details class="save-search">
            <summary class="button button-small button-ghost">"Save this search"</summary>
            <form method="post" action="/api/saved-searches/save" class="save-search-form">
                <input type="hidden" name="q" value=q/>
                <input type="hidden" name="category" value=category/>
                <input type="hidden" name="sort" value=sort/>
                {filters}
                <label for="save-search-name">"Name it"</label>
                <input id="save-search-name" name="name" maxlength=NAME_MAX placeholder=suggested autocomplete="off"/>
                <button type="submit" class="button button-small">"Save and alert me"</button>
                <span class="muted">"You will hear of every new listing it finds."</span>
            </form>
        </details>
    }
}

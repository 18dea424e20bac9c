//! `/items/new`: list an item (signed in).

use crate::accounts::api::get_current_user;
use crate::listings::ui::item_form::ItemForm;
use crate::listings::{ItemFormErrors, ItemFormValues, FORM_FIELDS};
use crate::ui::status::{require_sign_in, ErrorPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NewItemPage() -> impl IntoView {
    let (values, errors) = use_query_map().with_untracked(|q| {
        let get = |k: &str, max: usize| crate::util::url::clip(&q.get(k).unwrap_or_default(), max);
        (
            ItemFormValues {
                name: get("name", 80),
                description: get("description", 2000),
                price: get("price", 20),
                duration: get("duration", 5),
                reserve: get("reserve", 20),
                buy_now: get("buy_now", 20),
                category: get("category", 20),
                // A fresh form has soft close on; a form sent back keeps what was chosen.
                soft_close: q.get_str("soft_close") != Some("0"),
            },
            q.get_str("e")
                .map(|codes| ItemFormErrors::from_codes(codes, &FORM_FIELDS))
                .unwrap_or_default(),
        )
    });
    view! {
        <Title text="List an item"/>
        <Suspense>
            {Suspend::new(async move {
                match get_current_user().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in("/items/new"),
                    Ok(Some(_)) => view! {
                        <section class="form-card">
                            <h1>"List an item"</h1>
                            <p class="muted">"Buyers see the photo, name and description. Bidding starts at your price."</p>
                            <ItemForm values errors/>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

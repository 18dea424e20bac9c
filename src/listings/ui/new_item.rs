//! `/items/new`: list an item (signed in).

use crate::accounts::api::get_current_user;
use crate::listings::ui::item_form::ItemForm;
use crate::listings::{ItemFormErrors, ItemFormValues, FORM_FIELDS, LISTING_PROBLEMS_PARAM};
use crate::ui::status::{require_sign_in, ErrorPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn NewItemPage() -> impl IntoView {
    let values: ItemFormValues = crate::util::echo::read(&use_location().search.get_untracked());
    let errors = use_query_map().with_untracked(|q| {
        q.get_str(LISTING_PROBLEMS_PARAM)
            .map(|codes| ItemFormErrors::from_codes(codes, &FORM_FIELDS))
            .unwrap_or_default()
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

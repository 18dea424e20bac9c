//! Island: the item form (multipart, with up to 8 photos), for a new listing or, given the
//! listing (`revise`), for revising a running one before its first bid (its length is not
//! asked: the end stays; new photos replace the old ones, none keeps them). A plain form post
//! without JavaScript; once hydrated it checks fields locally, uploads in place, shows the
//! server's errors next to the fields (the chosen photo stays selected) and opens the item.

use super::photo_picker::PhotoPicker;
use crate::items::{Condition, ItemId, CATEGORIES, RETURN_DAYS};
use crate::listings::api::{create_item, revise_item};
use crate::listings::{
    check_listing, check_revision, CreateItemReply, ItemFormErrors, ItemFormValues, ListingProblem,
    BUY_NOW, CATEGORY, CONDITION, DESCRIPTION, DURATION, DURATIONS, LOCATION, NAME, PHOTO, PRICE,
    RESERVE, RETURNS, SHIPPING, SHIPPING_CHOICES, SHIPPING_COST,
};
use crate::listings::{DESCRIPTION_RULE, LOCATION_RULE, NAME_RULE};
use crate::util::money::AMOUNT_MAX_CHARS;
use crate::util::problem::{Problem as _, FORM};
use leptos::prelude::*;

#[island(lazy)]
pub fn ItemForm(
    values: ItemFormValues,
    errors: ItemFormErrors,
    /// Revising this listing (and how many photos it has now); `None`: a new listing.
    #[prop(optional)]
    revise: Option<(ItemId, u32)>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("item_form");
    // Without JavaScript the first problem gets the focus as the page loads (`autofocus`: the
    // form's own problem, then the fields in order). The browser reads it once, from the
    // server's HTML, and hydrating leaves it be; a refusal in place moves the focus itself
    // (`refuse`). So only the server works it out, and the list stays out of the bundle.
    #[cfg(feature = "ssr")]
    let first_problem = std::iter::once(FORM)
        .chain(crate::listings::FORM_FIELDS)
        .find(|f| errors.get(f).is_some());
    #[cfg(not(feature = "ssr"))]
    let first_problem: Option<&str> = None;
    let errors = RwSignal::new(errors);
    // Refused in place: show the problems and move to the first.
    let refuse = move |found: ItemFormErrors| {
        errors.set(found);
        #[cfg(feature = "hydrate")]
        crate::ui::focus::first_problem("form.item-form");
    };
    let busy = RwSignal::new(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = form_ref.get() else { return };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let field = |name: &str| data.get(name).as_string().unwrap_or_default();
        let check = if revise.is_some() {
            check_revision
        } else {
            check_listing
        };
        let (found, _) = check(&ItemFormValues {
            name: field("name"),
            description: field("description"),
            price: field("price"),
            duration: field("duration"),
            reserve: field("reserve"),
            buy_now: field("buy_now"),
            soft_close: data.has("soft_close"),
            category: field("category"),
            condition: field("condition"),
            location: field("location"),
            shipping: field("shipping"),
            shipping_cost: field("shipping_cost"),
            returns: field("returns"),
        });
        #[cfg_attr(not(feature = "hydrate"), allow(unused_mut))]
        let mut found = found;
        // The chosen photos: at most 8, 5 MB each, 20 MB together (sent only if so).
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let sizes: Vec<usize> = data
                .get_all("photo")
                .iter()
                .filter_map(|v| v.dyn_into::<web_sys::File>().ok())
                .map(|f| f.size() as usize)
                .filter(|size| *size > 0)
                .collect();
            if let Some(problem) = crate::listings::check_photos(&sizes) {
                found.set(PHOTO, problem);
            }
        }
        if !found.is_empty() {
            refuse(found);
            return;
        }
        errors.set(ItemFormErrors::default());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let reply = match revise {
                Some(_) => revise_item(data.into()).await,
                None => create_item(data.into()).await,
            };
            busy.set(false);
            match reply {
                Ok(CreateItemReply::Created { id }) => {
                    let _ = window().location().set_href(&format!("/items/{id}"));
                }
                Ok(CreateItemReply::Rejected(found)) => refuse(found),
                Err(e) => refuse(ItemFormErrors::form(ListingProblem::from_error(&e))),
            }
        });
    };

    // A field's problem goes as soon as the field is changed (the next submit checks again).
    let on_edit = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.get_attribute("name"));
        if let Some(field) = field {
            if errors.with_untracked(|e| e.get(&field).is_some()) {
                errors.update(|e| e.clear(&field));
            }
        }
    };
    let message = move |field: &'static str| move || errors.with(|e| e.message(field));
    let invalid = move |field: &'static str| move || errors.with(|e| e.get(field).is_some());
    let aria_invalid = move |field: &'static str| {
        move || {
            if errors.with(|e| e.get(field).is_some()) {
                "true"
            } else {
                "false"
            }
        }
    };
    let focus = move |field: &'static str| first_problem == Some(field);
    // No category until the seller picks one (the check asks for it, never files it under
    // "Other" unasked).
    let category = values.category.clone();
    let condition = if values.condition.is_empty() {
        Condition::default().slug().to_string()
    } else {
        values.condition.clone()
    };
    let shipping = values.shipping.clone();
    let returns = values.returns.clone();
    let chosen = if values.duration.is_empty() {
        "7d".to_string()
    } else {
        values.duration.clone()
    };
    let action = if revise.is_some() {
        "/api/items/revise"
    } else {
        "/api/items/create"
    };
    // A revision names its listing first (the server checks it before reading any photo).
    let revised =
        revise.map(|(id, _)| view! { <input type="hidden" name="item_id" value=id.to_string()/> });
    let duration = revise.is_none().then(|| view! {
        <div class="field" class:invalid=invalid(DURATION)>
            <label for="item-duration">"Duration"</label>
            <select id="item-duration" aria-invalid=aria_invalid(DURATION) autofocus=focus(DURATION) name="duration" aria-describedby="duration-error">
                {DURATIONS
                    .iter()
                    .map(|(value, label, _)| {
                        view! { <option value=*value selected=*value == chosen>{*label}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id="duration-error">{message(DURATION)}</p>
        </div>
    });
    let photo_label = match revise {
        None => "Photos (optional; up to 8, the first is the cover)".to_string(),
        Some((_, 0)) => "Photos (optional; up to 8, the first is the cover)".to_string(),
        Some((_, n)) => format!(
            "New photos (optional: up to 8, replacing the {} it has now; none keeps them)",
            crate::util::time::plural(i64::from(n), "photo", "photos")
        ),
    };
    let (submit, submitting) = match revise {
        Some(_) => ("Save changes", "Saving…"),
        None => ("List item", "Listing…"),
    };

    view! {
        <form
            class="item-form"
            node_ref=form_ref
            method="post"
            action=action
            enctype="multipart/form-data"
            novalidate
            on:submit=on_submit
            on:input=on_edit
            on:change=on_edit
            data-hydrated=crate::ui::forms::hydrated_flag()
        >
            <p class="form-error" role="alert" tabindex="-1" autofocus=focus(FORM) class:hidden=move || errors.with(|e| e.get(FORM).is_none())>
                {message(FORM)}
            </p>
            {revised}
            <div class="field" class:invalid=invalid(NAME)>
                <label for="item-name">"Name"</label>
                <input id="item-name" aria-invalid=aria_invalid(NAME) autofocus=focus(NAME) name="name" maxlength=NAME_RULE.max value=values.name aria-describedby="name-error"/>
                <p class="field-error" id="name-error">{message(NAME)}</p>
            </div>
            <div class="field" class:invalid=invalid(DESCRIPTION)>
                <label for="item-description">"Description"</label>
                <textarea id="item-description" aria-invalid=aria_invalid(DESCRIPTION) autofocus=focus(DESCRIPTION) name="description" rows="6" maxlength=DESCRIPTION_RULE.max aria-describedby="description-error">
                    // Textarea content is written without Leptos' escaping: escape it here.
                    {crate::util::text::escape_html(&values.description)}
                </textarea>
                <p class="field-error" id="description-error">{message(DESCRIPTION)}</p>
            </div>
            <div class="field" class:invalid=invalid(CATEGORY)>
                <label for="item-category">"Category"</label>
                <select id="item-category" aria-invalid=aria_invalid(CATEGORY) autofocus=focus(CATEGORY) name="category" required aria-describedby="category-error">
                    <option value="" disabled selected=category.is_empty()>"Choose a category"</option>
                    {CATEGORIES
                        .iter()
                        .map(|(slug, label)| {
                            view! { <option value=*slug selected=*slug == category>{*label}</option> }
                        })
                        .collect_view()}
                </select>
                <p class="field-error" id="category-error">{message(CATEGORY)}</p>
            </div>
            <div class="field" class:invalid=invalid(CONDITION)>
                <label for="item-condition">"Condition"</label>
                <select id="item-condition" aria-invalid=aria_invalid(CONDITION) autofocus=focus(CONDITION) name="condition" aria-describedby="condition-error">
                    {Condition::ALL
                        .iter()
                        .map(|c| {
                            view! { <option value=c.slug() selected=c.slug() == condition>{c.label()}</option> }
                        })
                        .collect_view()}
                </select>
                <p class="field-error" id="condition-error">{message(CONDITION)}</p>
            </div>
            <div class="field-row">
                <div class="field" class:invalid=invalid(PRICE)>
                    <label for="item-price">"Starting price ($)"</label>
                    <input id="item-price" aria-invalid=aria_invalid(PRICE) autofocus=focus(PRICE) name="price" inputmode="decimal" maxlength=AMOUNT_MAX_CHARS placeholder="10.00" value=values.price aria-describedby="price-error"/>
                    <p class="field-error" id="price-error">{message(PRICE)}</p>
                </div>
                {duration}
            </div>
            <div class="field-row">
                <div class="field" class:invalid=invalid(RESERVE)>
                    <label for="item-reserve">"Reserve price ($, optional)"</label>
                    <input id="item-reserve" aria-invalid=aria_invalid(RESERVE) autofocus=focus(RESERVE) name="reserve" inputmode="decimal" maxlength=AMOUNT_MAX_CHARS value=values.reserve aria-describedby="reserve-hint reserve-error"/>
                    <p class="field-hint muted" id="reserve-hint">"Hidden from buyers; below it the item does not sell."</p>
                    <p class="field-error" id="reserve-error">{message(RESERVE)}</p>
                </div>
                <div class="field" class:invalid=invalid(BUY_NOW)>
                    <label for="item-buy-now">"Buy It Now price ($, optional)"</label>
                    <input id="item-buy-now" aria-invalid=aria_invalid(BUY_NOW) autofocus=focus(BUY_NOW) name="buy_now" inputmode="decimal" maxlength=AMOUNT_MAX_CHARS value=values.buy_now aria-describedby="buy-now-hint buy-now-error"/>
                    <p class="field-hint muted" id="buy-now-hint">"Until the first bid (or while the reserve is not met)."</p>
                    <p class="field-error" id="buy-now-error">{message(BUY_NOW)}</p>
                </div>
            </div>
            <div class="field-row">
                <div class="field" class:invalid=invalid(SHIPPING)>
                    <label for="item-shipping">"Shipping"</label>
                    <select id="item-shipping" aria-invalid=aria_invalid(SHIPPING) autofocus=focus(SHIPPING) name="shipping" aria-describedby="shipping-error">
                        {SHIPPING_CHOICES
                            .iter()
                            .map(|(value, label)| {
                                view! { <option value=*value selected=*value == shipping>{*label}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="field-error" id="shipping-error">{message(SHIPPING)}</p>
                </div>
                <div class="field" class:invalid=invalid(SHIPPING_COST)>
                    <label for="item-shipping-cost">"Shipping cost ($, when the buyer pays)"</label>
                    <input id="item-shipping-cost" aria-invalid=aria_invalid(SHIPPING_COST) autofocus=focus(SHIPPING_COST) name="shipping_cost" inputmode="decimal" maxlength=AMOUNT_MAX_CHARS placeholder="4.50" value=values.shipping_cost aria-describedby="shipping-cost-error"/>
                    <p class="field-error" id="shipping-cost-error">{message(SHIPPING_COST)}</p>
                </div>
            </div>
            <div class="field-row">
                <div class="field" class:invalid=invalid(RETURNS)>
                    <label for="item-returns">"Returns"</label>
                    <select id="item-returns" aria-invalid=aria_invalid(RETURNS) autofocus=focus(RETURNS) name="returns" aria-describedby="returns-error">
                        {RETURN_DAYS
                            .iter()
                            .map(|days| {
                                let value = days.to_string();
                                let selected = value == returns || (returns.is_empty() && *days == 0);
                                view! { <option value=value selected=selected>{crate::items::returns_label(*days)}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="field-error" id="returns-error">{message(RETURNS)}</p>
                </div>
                <div class="field" class:invalid=invalid(LOCATION)>
                    <label for="item-location">"Item location (optional)"</label>
                    <input id="item-location" aria-invalid=aria_invalid(LOCATION) autofocus=focus(LOCATION) name="location" maxlength=LOCATION_RULE.max placeholder="Leeds, UK" value=values.location aria-describedby="location-error"/>
                    <p class="field-error" id="location-error">{message(LOCATION)}</p>
                </div>
            </div>
            <div class="field field-check">
                <input id="item-soft-close" name="soft_close" type="checkbox" value="1" checked=values.soft_close/>
                <label for="item-soft-close">"Soft close: a bid in the last 2 minutes moves the end 2 minutes on (at most 1 hour)"</label>
            </div>
            <div class="field" class:invalid=invalid(PHOTO)>
                <label for="item-photo">{photo_label}</label>
                <PhotoPicker aria_invalid=Signal::derive(aria_invalid(PHOTO)) autofocus=focus(PHOTO)/>
                <p class="field-error" id="photo-error">{message(PHOTO)}</p>
            </div>
            <button type="submit" class="button button-block" disabled=move || busy.get()>
                {move || if busy.get() { submitting } else { submit }}
            </button>
        </form>
    }
}

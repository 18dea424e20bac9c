//! `/items/{id}/edit`: the seller changes a running listing. Before the first bid, the whole
//! item form filled in with the listing as it is (its end stays); after it, only dated
//! additions to the description, as eBay allows: the bidders bid on what they saw.

use crate::error::AppError;
use crate::items::ItemId;
use crate::listings::api::get_revise_page;
use crate::listings::ui::item_form::ItemForm;
use crate::listings::ui::manage::ManageNote;
use crate::listings::{
    ItemFormErrors, ItemFormValues, RevisePage, ADDITIONS_MAX, ADDITION_RULE, FORM_FIELDS,
    LISTING_PROBLEMS_PARAM,
};
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::Problem as _;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

#[component]
pub fn ReviseItemPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|raw| ItemId::parse(&raw)));
    // A revision refused without JavaScript comes back with what was typed and its problems.
    let search = use_location().search.get_untracked();
    let echoed = (!search.is_empty()).then(|| crate::util::echo::read::<ItemFormValues>(&search));
    let errors = use_query_map().with_untracked(|q| {
        q.get_str(LISTING_PROBLEMS_PARAM)
            .map(|codes| ItemFormErrors::from_codes(codes, &FORM_FIELDS))
            .unwrap_or_default()
    });
    // An addition refused without JavaScript comes back with a one-time notice.
    #[cfg(feature = "ssr")]
    let note = crate::server::http::forms::notice()
        .as_deref()
        .and_then(ManageNote::from_notice);
    #[cfg(not(feature = "ssr"))]
    let note: Option<ManageNote> = None;
    view! {
        <Title text="Revise your listing"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match get_revise_page(id).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(&format!("/items/{id}/edit")),
                    Ok(Some(page)) => revise_view(id, page, echoed, errors, note),
                }
            })}
        </Suspense>
    }
}

fn revise_view(
    id: ItemId,
    page: RevisePage,
    echoed: Option<ItemFormValues>,
    errors: ItemFormErrors,
    note: Option<ManageNote>,
) -> AnyView {
    match page {
        RevisePage::Revise {
            name,
            values,
            photos,
            ends_at_ms,
        } => {
            let values = echoed.filter(|_| !errors.is_empty()).unwrap_or(*values);
            view! {
                <Panel id testid="revise-form" title=format!("Revise “{name}”")>
                    <p class="muted">
                        "Nobody has bid yet, so you can change anything but its end ("
                        {crate::util::time::date(ends_at_ms)}
                        "). After the first bid you can only add to the description."
                    </p>
                    <ItemForm values errors revise=(id, photos)/>
                </Panel>
            }
            .into_any()
        }
        RevisePage::AddOnly { name, additions } => {
            let room = ADDITIONS_MAX.saturating_sub(additions.len());
            let note = note.map(|note| match note {
                ManageNote::Refused(problem) => {
                    view! { <p class="form-error" role="alert">{problem.message()}</p> }.into_any()
                }
                _ => ().into_any(),
            });
            let form = if room == 0 {
                view! { <p class="muted">"It has as many additions as a listing takes ("{ADDITIONS_MAX}")."</p> }.into_any()
            } else {
                view! {
                    <form method="post" action="/api/items/add-to-description" class="add-description">
                        <input type="hidden" name="item_id" value=id.to_string()/>
                        <div class="field">
                            <label for="addition-text">"Add to the description"</label>
                            <textarea id="addition-text" name="text" rows="4" required minlength=ADDITION_RULE.min maxlength=ADDITION_RULE.max aria-describedby="addition-hint"></textarea>
                            <p class="field-hint muted" id="addition-hint">
                                {format!(
                                    "{}–{} characters, shown under the description with today's date. {} more can be added.",
                                    ADDITION_RULE.min, ADDITION_RULE.max, room
                                )}
                            </p>
                        </div>
                        <button type="submit" class="button">"Add to the description"</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <Panel id testid="add-description" title=format!("Add to “{name}”")>
                    <p class="muted">
                        "Somebody has bid, so the listing stays as they saw it. You can add to its description: what you add is shown under it, dated."
                    </p>
                    {note}
                    {(!additions.is_empty()).then(|| view! {
                        <h2>"Added so far"</h2>
                        <ul class="additions">
                            {additions.into_iter().map(|a| view! {
                                <li><span class="muted">{crate::util::time::date(a.at_ms)}": "</span>{a.text}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {form}
                </Panel>
            }
            .into_any()
        }
        RevisePage::Refused(problem) => view! {
            <Panel id title="This listing can’t be changed">
                <p class="form-error" role="alert">{problem.message()}</p>
            </Panel>
        }
        .into_any(),
    }
}

/// The page's card: the way back to the listing, the heading, then what the seller may do.
#[component]
fn Panel(
    id: ItemId,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(into)] title: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="form-card" data-testid=testid>
            <p class="muted"><a href=format!("/items/{id}")>"← Back to the listing"</a></p>
            <h1>{title}</h1>
            {children()}
        </section>
    }
}

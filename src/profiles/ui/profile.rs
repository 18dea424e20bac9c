//! `/users/:id`: what a user sells and likes.

use crate::error::AppError;
use crate::items::ui::item_card::CardList;
use crate::profiles::api::user_profile;
use crate::ui::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| {
        p.get("id")
            .and_then(|raw| crate::accounts::UserId::parse(&raw))
    });
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match user_profile(id).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage error=AppError::NotFound/> }.into_any(),
                    Ok(Some(p)) => {
                        let now = p.now_ms;
                        let list = |items: Vec<crate::items::ItemCard>, empty: &'static str| {
                            if items.is_empty() {
                                view! { <p class="empty">{empty}</p> }.into_any()
                            } else {
                                view! { <CardList items now_ms=now/> }.into_any()
                            }
                        };
                        view! {
                            <Title text=p.username.clone()/>
                            <section class="profile">
                                <div class="profile-head">
                                    <span class="avatar avatar-large" aria-hidden="true">
                                        {p.username.chars().next().map(|c| c.to_ascii_uppercase())}
                                    </span>
                                    <div>
                                        <h1>{p.username.clone()}</h1>
                                        <p class="muted">"Member since "{crate::util::time::date(p.member_since_ms)}</p>
                                    </div>
                                </div>
                                <h2>"Selling"</h2>
                                {list(p.selling, "No items listed.")}
                                <h2>"Likes"</h2>
                                {list(p.liked, "No liked items yet.")}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

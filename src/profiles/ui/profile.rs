//! `/users/:id`: what a user sells and likes.

use crate::error::AppError;
use crate::items::ui::item_card::CardList;
use crate::orders::ui::rating::RatingBadge;
use crate::orders::{Feedback, Role, FEEDBACK_PAGE};
use crate::profiles::api::user_profile;
use crate::ui::pagination::Pagination;
use crate::ui::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| {
        p.get("id")
            .and_then(|raw| crate::accounts::UserId::parse(&raw))
    });
    let page = use_query_map().with_untracked(|q| {
        q.get_str("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    });
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match user_profile(id, page).await {
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
                                        <p><RatingBadge rating=p.rating/></p>
                                        <p class="report-link">
                                            <a href=crate::moderation::report_url(&crate::moderation::Target::User(p.id))>"Report this user"</a>
                                        </p>
                                    </div>
                                </div>
                                <h2>"Selling"</h2>
                                {list(p.selling, "No items listed.")}
                                <h2>"Likes"</h2>
                                {list(p.liked, "No liked items yet.")}
                                <h2 id="feedback">"Feedback received"</h2>
                                {feedback_list(p.id, p.feedback, p.feedback_total, p.feedback_page, now)}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The feedback a user received, newest first, a page at a time.
fn feedback_list(
    user: crate::util::id::UserId,
    feedback: Vec<Feedback>,
    total: u64,
    page: u64,
    now_ms: i64,
) -> AnyView {
    if total == 0 {
        return view! { <p class="empty">"No feedback yet."</p> }.into_any();
    }
    let pages = total.div_ceil(FEEDBACK_PAGE as u64);
    view! {
        <ul class="feedback-list">
            {feedback.into_iter().map(|f| {
                let as_what = match f.from_role {
                    Role::Buyer => "buyer",
                    Role::Seller => "seller",
                };
                view! {
                    <li class="feedback-item" data-rating=f.rating.as_str()>
                        <strong class=format!("rating-{}", f.rating.as_str())>{f.rating.label()}</strong>
                        {(!f.comment.is_empty()).then(|| view! { " — "{f.comment.clone()} })}
                        <br/>
                        <span class="muted">
                            "From "<a href=format!("/users/{}", f.from_id)>{f.from_name.clone()}</a>
                            {format!(" ({as_what}) for ")}
                            <a href=format!("/items/{}", f.item_id)>{f.item_name.clone()}</a>
                            " · "{crate::util::time::ago(f.at_ms, now_ms)}
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Pagination page pages href=move |n| format!("/users/{user}?page={n}#feedback")/>
    }
    .into_any()
}

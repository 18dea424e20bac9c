//! `/users/:id`: what a user sells and likes.

use crate::api::items::user_profile;
use crate::components::item_card::CardList;
use crate::error::AppError;
use crate::pages::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <Suspense>
            {Suspend::new(async move {
                match user_profile(id).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage error=AppError::NotFound/> }.into_any(),
                    Ok(Some(p)) => {
                        let now = p.now_ms;
                        let list = |items: Vec<crate::model::ItemCard>, empty: &'static str| {
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
                                        <p class="muted">"Member since "{member_since(p.member_since_ms)}</p>
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

/// `2026-11-25` from Unix milliseconds (civil-from-days, UTC).
fn member_since(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::member_since(0), "1970-01-01");
        assert_eq!(super::member_since(1_764_028_800_000), "2025-11-25");
    }
}

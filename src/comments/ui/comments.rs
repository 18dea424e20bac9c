//! `/items/:id/comments`: every comment, newest first, paginated, with the add form.

use crate::comments::api::get_comments;
use crate::comments::ui::comment_form::CommentForm;
use crate::comments::ui::comment_list::CommentList;
use crate::comments::{CommentEcho, CommentProblem, PAGE_SIZE};
use crate::error::AppError;
use crate::live::ui::live::LiveItem;
use crate::ui::pagination::Pagination;
use crate::ui::status::ErrorPage;
use crate::util::problem::Problem as _;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

#[component]
pub fn CommentsPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| {
        p.get("id")
            .and_then(|raw| crate::items::ItemId::parse(&raw))
    });
    let (page, problem) = use_query_map().with_untracked(|q| {
        (
            q.get_str("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 10_000),
            q.get_str(crate::comments::COMMENT_PROBLEM_PARAM)
                .and_then(CommentProblem::from_code),
        )
    });
    let CommentEcho { text } = crate::util::echo::read(&use_location().search.get_untracked());
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match get_comments(id, page).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage error=AppError::NotFound/> }.into_any(),
                    Ok(Some(data)) => {
                        let pages = data.total.div_ceil(PAGE_SIZE as u64).max(1);
                        let item_href = format!("/items/{}", data.item_id);
                        let base = format!("/items/{}/comments", data.item_id);
                        let sign_in = crate::accounts::sign_in_url(&base);
                        let form = match data.viewer_id {
                            Some(_) => view! {
                                <CommentForm item_id=data.item_id message=problem.map(|p| p.message()) text/>
                            }.into_any(),
                            None => view! {
                                <p class="muted"><a href=sign_in>"Sign in"</a>" to add a comment."</p>
                            }.into_any(),
                        };
                        view! {
                            <Title text=format!("Comments · {}", data.item_name)/>
                            <section class="comments-page" id="comments">
                                <p><a href=item_href>"← "{data.item_name.clone()}</a></p>
                                <h1>
                                    "Comments "
                                    <LiveItem item_id=data.item_id ended=false views=None/>
                                </h1>
                                {form}
                                <CommentList comments=data.comments count=data.total as i64 viewer_id=data.viewer_id max=PAGE_SIZE newest={page == 1}/>
                                <Pagination
                                    page={page as u64}
                                    pages
                                    href=move |p| format!("{base}?page={p}")
                                    labels=("← Newer", "Older →")
                                />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

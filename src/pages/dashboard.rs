//! `/dashboard`: the signed-in user's home. Visitors are sent to sign in and come back here.

use crate::accounts::sign_in_url;
use crate::api::auth::get_current_user;
use crate::pages::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Your dashboard"/>
        <Suspense>
            {Suspend::new(async move {
                match get_current_user().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => {
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect(&sign_in_url("/dashboard"));
                        view! { <p>"Please " <a href=sign_in_url("/dashboard")>"sign in"</a> "."</p> }
                            .into_any()
                    }
                    Ok(Some(user)) => {
                        view! {
                            <section class="dashboard">
                                <h1>"Hello, " {user.username} "!"</h1>
                                <p class="lead">"This is your dashboard. Your listings and bids will show up here."</p>
                                <a class="button" href="/">"Browse auctions"</a>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

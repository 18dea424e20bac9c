//! `/email/confirm?t=…`: the link mailed to a new address. It asks before acting (a mail
//! scanner that opens links confirms nothing); the button confirms, once.

use crate::email::api::confirm_link_works;
use crate::email::{EmailProblem, PROBLEMS_PARAM};
use crate::ui::status::ErrorPage;
use crate::util::problem::{FieldErrors, Problem as _, FORM};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let (token, refused) = use_query_map().with_untracked(|q| {
        let refused = q
            .get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<EmailProblem>::from_codes(codes, &[]))
            .and_then(|p| p.message(FORM));
        (q.get("t").unwrap_or_default(), refused)
    });
    #[cfg(feature = "ssr")]
    let confirmed = crate::server::http::forms::notice().is_some_and(|code| code == "confirmed");
    #[cfg(not(feature = "ssr"))]
    let confirmed = false;
    view! {
        <Title text="Confirm your email address"/>
        <section class="auth-card">
            <h1>"Confirm your email address"</h1>
            {if confirmed {
                view! {
                    <p class="notice-ok" role="status" data-testid="email-confirmed">
                        "Confirmed: Rbay will email you at this address."
                    </p>
                    <p><a href=crate::email::PAGE>"Your email settings"</a></p>
                }.into_any()
            } else if let Some(message) = refused {
                view! {
                    <p class="form-error" role="alert">{message}</p>
                    <p><a href=crate::email::PAGE>"Your email settings"</a>" can send a new link."</p>
                }.into_any()
            } else {
                view! {
                    <Suspense>
                        {Suspend::new(async move {
                            match confirm_link_works(token.clone()).await {
                                Ok(true) => view! {
                                    <form method="post" action="/api/email/confirm">
                                        <input type="hidden" name="t" value=token/>
                                        <button type="submit" class="button button-block">"Confirm this address"</button>
                                    </form>
                                }.into_any(),
                                Ok(false) => {
                                    crate::util::response::set_status_for(&crate::error::AppError::NotFound);
                                    view! {
                                        <p class="form-error" role="alert" data-testid="link-invalid">{EmailProblem::Link.message()}</p>
                                        <p><a href=crate::email::PAGE>"Your email settings"</a>" can send a new link."</p>
                                    }.into_any()
                                }
                                Err(error) => view! { <ErrorPage error/> }.into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any()
            }}
        </section>
    }
}

//! `/dashboard/time-zone`: the clock a user's charts read (their dashboard's, the item pages'
//! price charts, the market board). A plain form (JavaScript on or off): the browser's clock
//! (the default) or any zone of the server's database; the choice is kept with the account.

use crate::seller::api::zone_choice;
use crate::seller::{ZoneChoice, ZoneProblem, BROWSER_ZONE, ZONE_PAGE, ZONE_PROBLEMS_PARAM};
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::FieldErrors;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TimeZonePage() -> impl IntoView {
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(ZONE_PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<ZoneProblem>::from_codes(codes, &["tz"]))
            .unwrap_or_default()
    });
    view! {
        <Title text="Your time zone"/>
        <Suspense>
            {Suspend::new(async move {
                match zone_choice().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(ZONE_PAGE),
                    Ok(Some(choice)) => choice_view(choice, problems).into_any(),
                }
            })}
        </Suspense>
    }
}

fn choice_view(choice: ZoneChoice, problems: FieldErrors<ZoneProblem>) -> impl IntoView {
    let ZoneChoice { current, zones } = choice;
    let options = zones
        .into_iter()
        .map(|zone| {
            let selected = current.as_ref() == Some(&zone);
            view! { <option value=zone.clone() selected=selected>{crate::util::zone::shown(&zone)}</option> }
        })
        .collect_view();
    let browser = current.is_none();
    view! {
        <section class="dashboard">
            <p class="breadcrumbs"><a href="/dashboard">"Dashboard"</a></p>
            <h1>"Your time zone"</h1>
            <p>"Your charts give times of day on this clock: your dashboard, the price charts of item pages and the market board (a day is always a UTC day: midnight to midnight UTC)."</p>
            <form class="stack-form" method="post" action="/api/dashboard/zone">
                <div class="field" class:invalid=problems.get("tz").is_some()>
                    <label for="field-tz">"Time zone"</label>
                    <select id="field-tz" name="tz" aria-describedby="tz-error">
                        <option value=BROWSER_ZONE selected=browser>"This browser's clock (UTC without JavaScript)"</option>
                        {options}
                    </select>
                    <p class="field-error" id="tz-error">{problems.message("tz")}</p>
                </div>
                <button type="submit" class="button">"Save"</button>
            </form>
        </section>
    }
}

//! `/market`: the public market board, live (bids and listings per minute, auctions running,
//! visitors now, what is trending and what jumped in price this hour).

use crate::live::ui::live::{LivePanels, LIVE_PANELS_ID};
use crate::seller::api::market_board;
use crate::ui::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MarketPage() -> impl IntoView {
    view! {
        <Title text="Market board"/>
        <Suspense>
            {Suspend::new(async move {
                match market_board().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(panels) => view! {
                        <section class="market">
                            <div class="panels-head">
                                <h1>"Market board"</h1>
                                <LivePanels events="/api/live/market".to_string() fragment="/market/panels".to_string() browser_zone=true/>
                            </div>
                            <p class="muted">"What is happening on Rbay right now, per minute."</p>
                            <div id=LIVE_PANELS_ID class="live-panels" inner_html=panels></div>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

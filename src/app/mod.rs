//! The HTML shell and the router: the one place that mounts every feature's pages, with the
//! site-wide pieces around them (header, footer, about and privacy pages, not found).
//!
//! Rbay renders every page on the server. Only `#[island]` components are hydrated in the
//! browser, which keeps the WASM bundle small (see `docs/architecture.md`).

use crate::accounts::ui::auth::{SignInPage, SignUpPage};
use crate::accounts::ui::recover::{ForgotPage, ResetPage};
use crate::app::info::{AboutPage, PrivacyPage};
use crate::app::layout::{Footer, Header};
use crate::app::not_found::NotFound;
use crate::catalog::ui::{home::HomePage, search::SearchPage};
use crate::comments::ui::comments::CommentsPage;
use crate::email::ui::{
    confirm::ConfirmEmailPage, settings::EmailSettingsPage, unsubscribe::UnsubscribePage,
};
use crate::items::ui::item::ItemPage;
use crate::jobs::ui::ops::OpsPage;
use crate::listings::ui::new_item::NewItemPage;
use crate::listings::ui::revise::ReviseItemPage;
use crate::moderation::ui::{blocked::BlockedPage, moderation::ModerationPage, report::ReportPage};
use crate::my_lists::ui::mine::{MyBidsPage, PurchasesPage, SoldPage, WatchingPage, WonSoldPage};
use crate::notifications::ui::notifications::NotificationsPage;
use crate::orders::ui::order::OrderPage;
use crate::profiles::ui::profile::ProfilePage;
use crate::saved_searches::ui::saved::SavedSearchesPage;
use crate::seller::ui::{
    dashboard::{DashboardItemPage, DashboardItemsPage, DashboardPage},
    market::MarketPage,
    time_zone::TimeZonePage,
};
pub mod info;
pub mod layout;
pub mod not_found;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Rbay: bid on anything, sell everything."/>
                <link rel="stylesheet" href=format!("/{}/rbay.css", options.site_pkg_dir)/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // leptos_meta writes the formatted title into `<title>` without escaping it: every page
        // title (item names, search words) passes through `escape_html` here, once.
        <Title formatter=|title: String| {
            let full = if title.is_empty() { "Rbay".to_string() } else { format!("{title} · Rbay") };
            crate::util::text::escape_html(&full)
        }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header/>
            <main class="page" id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    // Async: the whole page is rendered before the status line is sent, so a
                    // page can still answer 404 or 503.
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/auth/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/auth/signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/auth/forgot") view=ForgotPage ssr=SsrMode::Async/>
                    <Route path=path!("/auth/reset") view=ResetPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/items") view=DashboardItemsPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/time-zone") view=TimeZonePage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/items/:id") view=DashboardItemPage ssr=SsrMode::Async/>
                    <Route path=path!("/market") view=MarketPage ssr=SsrMode::Async/>
                    <Route path=path!("/items/new") view=NewItemPage ssr=SsrMode::Async/>
                    <Route path=path!("/items/:id/edit") view=ReviseItemPage ssr=SsrMode::Async/>
                    <Route path=path!("/items/:id") view=ItemPage ssr=SsrMode::Async/>
                    <Route path=path!("/items/:id/comments") view=CommentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/users/:id") view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/bids") view=MyBidsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/watching") view=WatchingPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/won") view=WonSoldPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/purchases") view=PurchasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/sold") view=SoldPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders/:id") view=OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/ops") view=OpsPage ssr=SsrMode::Async/>
                    <Route path=path!("/ops/moderation") view=ModerationPage ssr=SsrMode::Async/>
                    <Route path=path!("/report") view=ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/blocked") view=BlockedPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/searches") view=SavedSearchesPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/email") view=EmailSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/email/confirm") view=ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/email/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async/>
                    <Route path=path!("/about") view=AboutPage ssr=SsrMode::Async/>
                    <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

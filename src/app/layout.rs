//! Header and footer around every page.

use crate::accounts::api::get_current_user;
use crate::accounts::CurrentUser;
use crate::catalog::ui::search_box::SearchBox;
use crate::live::ui::live::{PageTicker, SERVER_CLOCK_ID};
use crate::notifications::ui::notice_badge::NoticeBadge;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="header-inner">
                <a class="logo" href="/" aria-label="Rbay home">
                    <span class="logo-r">"R"</span>
                    <span class="logo-b">"b"</span>
                    <span class="logo-a">"a"</span>
                    <span class="logo-y">"y"</span>
                </a>
                <SearchBox/>
                <nav class="account-nav" aria-label="Account">
                    <Suspense>
                        {Suspend::new(async move {
                            // Rendered for every signed-in viewer: the links are a hole.
                            #[cfg(feature = "ssr")]
                            if let Some(at) = crate::server::personal::holes::register(AccountHole) {
                                crate::server::assets::preload_island("notice_badge");
                                return at.mark(0);
                            }
                            // An outage shows the signed-out links; the page itself says 503.
                            let user = get_current_user().await.ok().flatten();
                            let admin = user.as_ref().is_some_and(is_admin);
                            account_links(user, admin)
                        })}
                    </Suspense>
                </nav>
            </div>
        </header>
    }
}

/// The header's account links in a page rendered for every signed-in viewer.
#[cfg(feature = "ssr")]
struct AccountHole;

#[cfg(feature = "ssr")]
impl crate::server::personal::holes::Filler for AccountHole {
    fn read<'a>(
        &'a self,
        state: &'a crate::server::state::AppState,
        _: crate::util::id::UserId,
    ) -> crate::server::personal::holes::Read<'a> {
        use axum::body::Bytes;
        // The links are the same for the same viewer and unread count: rendered once each,
        // reused for a while (bounded by bytes; per viewer, never shared). Nothing to read:
        // the session lookup brings the name and unread count.
        static RENDERED: std::sync::LazyLock<moka::sync::Cache<CurrentUser, Bytes>> =
            std::sync::LazyLock::new(|| {
                moka::sync::Cache::builder()
                    .time_to_live(std::time::Duration::from_secs(10))
                    .weigher(|_, html: &Bytes| u32::try_from(html.len()).unwrap_or(u32::MAX))
                    .max_capacity(1024 * 1024)
                    .build()
            });
        let render = move |session: &crate::accounts::server::sessions::SessionUser| {
            let viewer = &crate::accounts::server::current_of(session);
            let admin = state.config.admins.contains(&viewer.username);
            let html = RENDERED.get_with_by_ref(viewer, || {
                Bytes::from(crate::util::html::render_alone(|| {
                    crate::util::html::to_html(account_links(Some(viewer.clone()), admin))
                }))
            });
            vec![html]
        };
        Box::pin(async move {
            Ok(Some(
                Box::new(render) as crate::server::personal::holes::Render<'a>
            ))
        })
    }
}

/// Whether `user` may open `/ops` (`RBAY_ADMINS`): their menu links it.
fn is_admin(user: &CurrentUser) -> bool {
    #[cfg(feature = "ssr")]
    {
        crate::server::state::current()
            .is_ok_and(|state| state.config.admins.contains(&user.username))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = user;
        false
    }
}

fn account_links(user: Option<CurrentUser>, admin: bool) -> AnyView {
    match user {
        Some(user) => view! {
            <a class="nav-link nav-sell" href="/items/new">"Sell"</a>
            <NoticeBadge unread=user.unread/>
            // A menu that needs no JavaScript: a disclosure of plain links (with it, Escape
            // and a click outside close it: `ui::menus`).
            <details class="user-menu" data-menu="account">
                <summary class="nav-link nav-user" title="Your account">
                    <span class="avatar" aria-hidden="true">
                        {user.username.chars().next().map(|c| c.to_ascii_uppercase())}
                    </span>
                    <span class="nav-username">{user.username.clone()}</span>
                </summary>
                <ul class="menu-list">
                    <li><a href="/my/bids">"My bids"</a></li>
                    <li><a href="/my/watching">"Watching"</a></li>
                    <li><a href="/my/searches">"Saved searches"</a></li>
                    <li><a href="/my/email">"Email settings"</a></li>
                    <li><a href="/my/purchases">"Purchases"</a></li>
                    <li><a href="/my/sold">"Sold"</a></li>
                    <li><a href="/notifications">"Notifications"</a></li>
                    <li><a href="/dashboard">"Dashboard"</a></li>
                    <li><a href=format!("/users/{}", user.id)>"Your profile"</a></li>
                    <li><a href="/my/blocked">"Blocked bidders"</a></li>
                    {admin.then(|| view! {
                        <li><a href="/ops">"Operations"</a></li>
                        <li><a href="/ops/moderation">"Moderation"</a></li>
                    })}
                </ul>
            </details>
            <form class="signout-form" method="post" action="/api/auth/signout">
                <button type="submit" class="button button-small button-ghost">"Sign out"</button>
            </form>
        }
        .into_any(),
        None => view! {
            <a class="nav-link nav-sell" href="/items/new">"Sell"</a>
            <a class="nav-link" href="/auth/signin">"Sign in"</a>
            <a class="button button-small" href="/auth/signup">"Sign up"</a>
        }
        .into_any(),
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    // The footer renders on the server only; the browser reads this mark (see `PageTicker`).
    #[cfg(feature = "ssr")]
    let server_now = crate::util::time::now_ms();
    #[cfg(not(feature = "ssr"))]
    let server_now = 0i64;
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <p>"Rbay: auctions on Rust and Redis."</p>
                <nav aria-label="Site">
                    <a href="/market">"Market board"</a>
                    <a href="/about">"About"</a>
                    <a href="/privacy">"Privacy"</a>
                </nav>
            </div>
            <span hidden id=SERVER_CLOCK_ID data-server-now=server_now></span>
            <PageTicker/>
        </footer>
    }
}

//! Header and footer around every page.

use crate::components::search_box::SearchBox;
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
                    <a class="nav-link" href="/auth/signin">"Sign in"</a>
                    <a class="button button-small" href="/auth/signup">"Sign up"</a>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <p>"Rbay: auctions on Rust and Redis."</p>
                <nav aria-label="Site">
                    <a href="/about">"About"</a>
                    <a href="/privacy">"Privacy"</a>
                </nav>
            </div>
        </footer>
    }
}

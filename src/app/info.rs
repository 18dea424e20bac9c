//! `/about` and `/privacy`: the same for everyone, served through the Redis page cache.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AboutPage() -> impl IntoView {
    view! {
        <Title text="About"/>
        <article class="prose">
            <h1>"About Rbay"</h1>
            <p>"Rbay is an auction marketplace. List anything with a photo, set a starting price and a duration, and let buyers bid until the clock runs out."</p>
            <h2>"How bidding works"</h2>
            <p>"Every bid must beat the current price by at least the increment, which grows with the price (5¢ under $1 up to $100 above $5,000). The highest bid when the auction ends wins. Bids are checked and recorded in one atomic step, so two people can never win with the same bid."</p>
            <h2>"Under the hood"</h2>
            <p>"Pages are rendered on the server in Rust; only the interactive parts run in your browser. All data lives in Redis."</p>
        </article>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <Title text="Privacy"/>
        <article class="prose">
            <h1>"Privacy"</h1>
            <p>"Rbay stores what it needs to run auctions: your username, a salted argon2id hash of your password (never the password itself), the items you list, your bids and likes."</p>
            <h2>"Cookies"</h2>
            <ul>
                <li><strong>"rbay_session"</strong>": keeps you signed in. It expires after a week without visits and is deleted when you sign out."</li>
                <li><strong>"rbay_vid"</strong>": a signed visitor id so that a visitor who reloads a page is counted as one view. It is not linked to an account."</li>
            </ul>
            <h2>"View counts"</h2>
            <p>"To count each visitor once without tracking anyone, Rbay keeps a one-way keyed hash of your IP address for at most a day, per item you looked at. The address itself is never stored."</p>
            <h2>"Photos"</h2>
            <p>"Uploaded photos are re-encoded on our server, which removes all embedded metadata such as camera details and location."</p>
        </article>
    }
}

//! Island: a live "time left" that ticks every second once hydrated.

use crate::util::time::format_time_left;
use leptos::prelude::*;

/// `server_now_ms` is the server clock when the page was rendered: the browser measures the
/// offset to its own clock once, so a wrong client clock does not change the countdown.
#[island(lazy)]
pub fn Countdown(ends_at_ms: i64, server_now_ms: i64) -> impl IntoView {
    let now = RwSignal::new(server_now_ms);
    Effect::new(move |_| {
        let offset = server_now_ms - js_sys::Date::now() as i64;
        let tick = move || now.set(js_sys::Date::now() as i64 + offset);
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <span class="countdown" class:ended=move || { now.get() >= ends_at_ms }>
            {move || format_time_left(ends_at_ms, now.get())}
        </span>
    }
}

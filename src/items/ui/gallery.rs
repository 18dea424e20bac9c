//! Island (lazy): the item's photos. One shown large and, with more than one, "Previous" /
//! "Next" and a strip of thumbnails. Without JavaScript every control is a plain link to the
//! item page with that photo (`?photo=n#photo`) and the large photo opens a zoomed view in the
//! page (`#zoom`, shown by CSS `:target`). Hydrated, the same links change the photo in
//! place, and so do the arrow keys (while focus is in the gallery) and a swipe on the photo;
//! Escape closes the zoomed view.

use crate::items::{photo_version, ItemId};
use leptos::prelude::*;

/// How far (CSS pixels) a pointer must travel sideways on the photo to count as a swipe.
const SWIPE_PX: i32 = 40;

#[island(lazy)]
pub fn PhotoGallery(
    id: ItemId,
    name: String,
    count: u32,
    shown: u32,
    revision: u32,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("photo_gallery");
    let count = count.max(1);
    let shown = RwSignal::new(shown.clamp(1, count));
    let version = photo_version(revision);
    let large = {
        let version = version.clone();
        move |n: u32| {
            if n == 1 {
                format!("/items/{id}/image{version}")
            } else {
                format!("/items/{id}/image/{n}{version}")
            }
        }
    };
    let page = move |n: u32| format!("/items/{id}?photo={n}#photo");
    // Shows photo `n` in place (and keeps it in the address, so a reload shows it too).
    let show = move |n: u32| {
        let n = n.clamp(1, count);
        shown.set(n);
        #[cfg(feature = "hydrate")]
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("/items/{id}?photo={n}#photo")),
            );
        }
    };
    // A plain link's click, done in place.
    let go = move |ev: leptos::ev::MouseEvent, n: u32| {
        ev.prevent_default();
        show(n);
    };
    let previous = move || shown.get_untracked().saturating_sub(1).max(1);
    let next = move || (shown.get_untracked() + 1).min(count);
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowLeft" if count > 1 => {
            ev.prevent_default();
            show(previous());
        }
        "ArrowRight" if count > 1 => {
            ev.prevent_default();
            show(next());
        }
        "Escape" => close_zoom(),
        _ => {}
    };
    // A swipe: where the pointer went down, and how far sideways it went by the time it rose.
    let down_x = StoredValue::new(None::<i32>);
    let swiped = StoredValue::new(false);
    let on_down = move |ev: leptos::ev::PointerEvent| down_x.set_value(Some(ev.client_x()));
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some(from) = down_x.get_value() else {
            return;
        };
        down_x.set_value(None);
        let moved = ev.client_x() - from;
        if count > 1 && moved.abs() >= SWIPE_PX {
            swiped.set_value(true);
            show(if moved < 0 { next() } else { previous() });
        }
    };
    // A swipe is not a click: the photo's link (to the zoomed view) ignores the click that
    // ends it.
    let on_click_photo = move |ev: leptos::ev::MouseEvent| {
        if swiped.get_value() {
            swiped.set_value(false);
            ev.prevent_default();
        }
    };
    let alt = {
        let name = name.clone();
        move || {
            if count > 1 {
                format!("{name}, photo {} of {count}", shown.get())
            } else {
                name.clone()
            }
        }
    };
    let large_now = {
        let large = large.clone();
        move || large(shown.get())
    };
    let nav = (count > 1).then(|| {
        view! {
            <p class="photo-nav">
                <a href=move || page(shown.get().saturating_sub(1).max(1)) rel="prev" class:hidden=move || shown.get() == 1
                    on:click=move |ev| go(ev, previous())>
                    "← Previous"
                </a>
                <span class="muted" aria-live="polite">{move || format!("Photo {} of {count}", shown.get())}</span>
                <a href=move || page((shown.get() + 1).min(count)) rel="next" class:hidden=move || shown.get() == count
                    on:click=move |ev| go(ev, next())>
                    "Next →"
                </a>
            </p>
            <ul class="photo-strip" aria-label="Photos">
                {(1..=count).map(|n| view! {
                    <li>
                        <a href=page(n) aria-current=move || (shown.get() == n).then_some("true") title=format!("Show photo {n} of {count}") on:click=move |ev| go(ev, n)>
                            <img src=format!("/items/{id}/thumb/{n}{version}") alt=format!("Photo {n} of {count}") width="96" height="72" loading="lazy"/>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="item-photo" id="photo" on:keydown=on_key data-hydrated=crate::ui::forms::hydrated_flag()>
            <a href="#zoom" class="photo-link" title="Zoom in" on:pointerdown=on_down on:pointerup=on_up on:click=on_click_photo>
                <img src=large_now.clone() alt=alt.clone() width="600" height="450" draggable="false"/>
            </a>
            {nav}
            <div id="zoom" class="photo-zoom" role="dialog" aria-label=format!("{name}, zoomed in")>
                <a href="#photo" class="photo-zoom-close">"Close ✕"</a>
                <img src=large_now.clone() alt=alt/>
                <a href=large_now class="photo-zoom-full">"Open the photo on its own"</a>
            </div>
        </div>
    }
}

/// Closes the zoomed view if it is open (back to the photo).
fn close_zoom() {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        if location.hash().ok().as_deref() == Some("#zoom") {
            let _ = location.set_hash("photo");
        }
    }
}

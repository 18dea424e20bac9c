//! The item's photos, with no script: a row of large photos that snaps one photo at a time
//! (CSS scroll snap), so a finger swipes through them, the arrow keys step through them once the
//! row has the focus, and "Previous" / "Next" and a strip of thumbnails bring one into view in
//! place (`#photo-n`). Each large photo opens a zoomed view in the page (`#zoom-n`, shown by CSS
//! `:target`) with a link to the photo on its own. Not an island: the browser does all of it,
//! so it costs the page's visitors no bundle (docs/benchmarks.md, "Browser bundle").

use crate::items::{photo_version, ItemId};
use leptos::prelude::*;

#[component]
pub fn PhotoGallery(id: ItemId, name: String, count: u32, revision: u32) -> impl IntoView {
    let count = count.max(1);
    let version = photo_version(revision);
    let large = |n: u32| match n {
        1 => format!("/items/{id}/image{version}"),
        n => format!("/items/{id}/image/{n}{version}"),
    };
    let alt = |n: u32| {
        if count > 1 {
            format!("{name}, photo {n} of {count}")
        } else {
            name.clone()
        }
    };
    let slides = (1..=count)
        .map(|n| {
            let nav = (count > 1).then(|| {
                view! {
                    <p class="photo-nav">
                        {(n > 1).then(|| view! { <a href=format!("#photo-{}", n - 1)>"← Previous"</a> })}
                        <span class="muted">{format!("Photo {n} of {count}")}</span>
                        {(n < count).then(|| view! { <a href=format!("#photo-{}", n + 1)>"Next →"</a> })}
                    </p>
                }
            });
            view! {
                <li class="photo-slide" id=format!("photo-{n}")>
                    <a href=format!("#zoom-{n}") class="photo-link" title="Zoom in">
                        <img src=large(n) alt=alt(n) width="600" height="450" loading=(n > 1).then_some("lazy")/>
                    </a>
                    {nav}
                </li>
            }
        })
        .collect_view();
    let strip = (count > 1).then(|| {
        view! {
            <ul class="photo-strip" aria-label="Thumbnails">
                {(1..=count).map(|n| view! {
                    <li>
                        <a href=format!("#photo-{n}") title=format!("Show photo {n} of {count}")>
                            <img src=format!("/items/{id}/thumb/{n}{version}") alt=format!("Photo {n} of {count}") width="96" height="72" loading="lazy"/>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    let zooms = (1..=count)
        .map(|n| {
            view! {
                <div id=format!("zoom-{n}") class="photo-zoom" role="dialog" aria-label=format!("{}, zoomed in", alt(n))>
                    <a href=format!("#photo-{n}") class="photo-zoom-close">"Close ✕"</a>
                    <img src=large(n) alt=alt(n) loading="lazy"/>
                    <a href=large(n) class="photo-zoom-full">"Open the photo on its own"</a>
                </div>
            }
        })
        .collect_view();
    // The row takes the focus only when there is something to step through.
    let (focusable, label) = if count > 1 {
        (Some("0"), "Photos: swipe, or use the arrow keys")
    } else {
        (None, "Photo")
    };
    view! {
        <div class="item-photo" id="photo">
            <ul class="photo-slides" tabindex=focusable aria-label=label>{slides}</ul>
            {strip}
            {zooms}
        </div>
    }
}

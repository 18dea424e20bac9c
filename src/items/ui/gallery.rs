//! The item's photos: one shown large and, with more than one, "Previous" / "Next" and a
//! strip of thumbnails, each a plain link to the item page with that photo
//! (`?photo=n#photo`). The large photo opens a zoomed view in the page (`#zoom`, shown by CSS
//! `:target`), with a link to the photo on its own. No script: the page's islands already
//! cost the item page's visitors enough (docs/benchmarks.md, "Browser bundle").

use crate::items::{photo_version, ItemId};
use leptos::prelude::*;

#[component]
pub fn PhotoGallery(
    id: ItemId,
    name: String,
    count: u32,
    shown: u32,
    revision: u32,
) -> impl IntoView {
    let count = count.max(1);
    let shown = shown.clamp(1, count);
    let version = photo_version(revision);
    let large = if shown == 1 {
        format!("/items/{id}/image{version}")
    } else {
        format!("/items/{id}/image/{shown}{version}")
    };
    let page = move |n: u32| format!("/items/{id}?photo={n}#photo");
    let alt = if count > 1 {
        format!("{name}, photo {shown} of {count}")
    } else {
        name.clone()
    };
    let nav = (count > 1).then(|| {
        view! {
            <p class="photo-nav">
                {(shown > 1).then(|| view! { <a href=page(shown - 1) rel="prev">"← Previous"</a> })}
                <span class="muted">{format!("Photo {shown} of {count}")}</span>
                {(shown < count).then(|| view! { <a href=page(shown + 1) rel="next">"Next →"</a> })}
            </p>
            <ul class="photo-strip" aria-label="Photos">
                {(1..=count).map(|n| view! {
                    <li>
                        <a href=page(n) aria-current=(n == shown).then_some("true") title=format!("Show photo {n} of {count}")>
                            <img src=format!("/items/{id}/thumb/{n}{version}") alt=format!("Photo {n} of {count}") width="96" height="72" loading="lazy"/>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="item-photo" id="photo">
            <a href="#zoom" class="photo-link" title="Zoom in">
                <img src=large.clone() alt=alt.clone() width="600" height="450"/>
            </a>
            {nav}
            <div id="zoom" class="photo-zoom" role="dialog" aria-label=format!("{name}, zoomed in")>
                <a href="#photo" class="photo-zoom-close">"Close ✕"</a>
                <img src=large.clone() alt=alt/>
                <a href=large class="photo-zoom-full">"Open the photo on its own"</a>
            </div>
        </div>
    }
}

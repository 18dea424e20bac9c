//! The item form's photo field (input, hint and previews): a plain `multiple` file input that,
//! once hydrated, shows the chosen photos as previews the seller can put in order (the first is
//! the cover) or take out before sending. The order lives in the input itself (its `FileList` is
//! rebuilt through a `DataTransfer`), so the form posts exactly what the previews show, with or
//! without the island's upload. Previews are `blob:` URLs of the seller's own files (revoked
//! when they go); nothing is uploaded until the form is sent. Without JavaScript the input works
//! as before.

use leptos::prelude::*;

/// A preview: the file's name and its `blob:` URL (the `File` itself stays in the input).
#[derive(Clone, PartialEq)]
struct Preview {
    name: String,
    url: String,
}

/// The file input (`name="photo"`, id `item-photo`) and the previews of what it holds.
#[component]
pub fn PhotoPicker(
    /// `aria-invalid` of the input.
    aria_invalid: Signal<&'static str>,
    /// Whether the input takes the focus as the page loads (its problem is the first).
    autofocus: bool,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let previews = RwSignal::new(Vec::<Preview>::new());

    // Reads the input's files (after a choice, or after the order changed) into the previews.
    let read = move || {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = input.get_untracked() else {
                return;
            };
            for old in previews.get_untracked() {
                let _ = web_sys::Url::revoke_object_url(&old.url);
            }
            let files = el.files();
            let chosen = (0..files.as_ref().map_or(0, |f| f.length()))
                .filter_map(|i| files.as_ref()?.get(i))
                .map(|file| Preview {
                    name: file.name(),
                    url: web_sys::Url::create_object_url_with_blob(&file).unwrap_or_default(),
                })
                .collect();
            previews.set(chosen);
        }
    };
    // Puts the input's files in the order `order` gives (indexes into the current list; one
    // left out is removed), then shows the result.
    let reorder = move |order: Vec<u32>| {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = input.get_untracked() else {
                return;
            };
            let (Some(files), Ok(transfer)) = (el.files(), web_sys::DataTransfer::new()) else {
                return;
            };
            for i in order {
                if let Some(file) = files.get(i) {
                    let _ = transfer.items().add_with_file(&file);
                }
            }
            el.set_files(transfer.files().as_ref());
            read();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = order;
    };
    let count = move || previews.with(Vec::len) as u32;
    // The order after moving photo `i` by one place (`earlier`: towards the cover).
    let moved = move |i: u32, earlier: bool| {
        let mut order: Vec<u32> = (0..count()).collect();
        let j = if earlier {
            i.checked_sub(1)
        } else {
            Some(i + 1)
        };
        if let Some(j) = j.filter(|j| *j < order.len() as u32) {
            order.swap(i as usize, j as usize);
        }
        order
    };
    let without = move |i: u32| (0..count()).filter(|n| *n != i).collect::<Vec<u32>>();
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        for old in previews.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
    });

    let status = move || match count() {
        0 => String::new(),
        n => format!(
            "{} chosen: the first is the cover.",
            crate::util::time::plural(i64::from(n), "photo", "photos")
        ),
    };
    let list = move || {
        let total = count();
        previews
            .get()
            .into_iter()
            .zip(0u32..)
            .map(|(p, i)| {
                let n = i + 1;
                let caption = if n == 1 {
                    "Cover".to_string()
                } else {
                    format!("Photo {n}")
                };
                view! {
                    <li class="photo-preview">
                        <img src=p.url alt=format!("Photo {n}: {}", p.name) width="96" height="72"/>
                        <span class="photo-preview-caption">{caption}</span>
                        <span class="photo-preview-actions">
                            <button type="button" disabled=n == 1
                                aria-label=format!("Move photo {n} ({}) earlier", p.name)
                                on:click=move |_| reorder(moved(i, true))>"←"</button>
                            <button type="button" disabled=n == total
                                aria-label=format!("Move photo {n} ({}) later", p.name)
                                on:click=move |_| reorder(moved(i, false))>"→"</button>
                            <button type="button"
                                aria-label=format!("Remove photo {n} ({})", p.name)
                                on:click=move |_| reorder(without(i))>"Remove"</button>
                        </span>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <input id="item-photo" node_ref=input aria-invalid=aria_invalid autofocus=autofocus
            name="photo" type="file" multiple accept="image/jpeg,image/png,image/webp"
            aria-describedby="photo-hint photo-error photo-chosen"
            on:change=move |_| read()/>
        <p class="field-hint muted" id="photo-hint">"JPEG, PNG or WebP, up to 5 MB each and 20 MB together."</p>
        <p class="field-hint muted" id="photo-chosen" aria-live="polite">{status}</p>
        <ol class="photo-previews" aria-label="Chosen photos" hidden=move || count() == 0>
            {list}
        </ol>
    }
}

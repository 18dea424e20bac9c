//! The built browser assets (`target/site/pkg`: JS, WASM chunks, CSS) and how pages refer to
//! them.
//!
//! **Versioned paths, cached forever.** At startup the server hashes every file in the pkg
//! directory; pages refer to the assets under `/pkg/<hash>/…`, and those answers carry
//! `Cache-Control: public, max-age=31536000, immutable`. A new build has a new hash, so a
//! browser never mixes new HTML with old WASM, and repeat visits download nothing. The hash is
//! in the path rather than in each file name because the WASM split loader fetches its chunks
//! by relative name (`./chunk_12.wasm`): cargo-leptos' `hash-files` renames only the main JS,
//! WASM and CSS, which would leave the chunks uncacheable. An old hash answers 404 (never
//! new bytes under an old name).
//!
//! **Preloading lazy islands.** A lazy island's code arrives in several chunks listed in
//! `__wasm_split_manifest.json`. Left alone, the browser learns about them only after the main
//! module runs and hydrates the islands one after the other, a round trip per wave; the islands
//! call [`preload_island`] while rendering on the server, which puts `<link rel="preload">` for
//! every chunk they need into the page's `<head>`, so they all load in parallel with the main
//! module.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// What the server knows about the built assets.
#[derive(Debug, Default)]
pub struct Assets {
    /// First 16 hex digits of the SHA-256 of every file (name and bytes) in the pkg directory;
    /// `"none"` when there is no build.
    pub version: String,
    /// Lazy island (`bid_form`) → the WASM files it needs (`chunk_12.wasm`, …).
    chunks: HashMap<String, Vec<String>>,
}

static ASSETS: OnceLock<Assets> = OnceLock::new();

/// Reads the pkg directory once (at startup); later calls return the same answer.
pub fn init(pkg_dir: &Path) -> &'static Assets {
    ASSETS.get_or_init(|| Assets::read(pkg_dir))
}

/// The assets, once [`init`] ran (an empty set before, e.g. in unit tests).
pub fn get() -> &'static Assets {
    static EMPTY: OnceLock<Assets> = OnceLock::new();
    ASSETS
        .get()
        .unwrap_or_else(|| EMPTY.get_or_init(Assets::default))
}

/// The URL path of the pkg directory, without slashes: `pkg/<version>`.
pub fn pkg_path() -> String {
    format!("pkg/{}", get().version)
}

impl Assets {
    fn read(pkg_dir: &Path) -> Assets {
        let mut files = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(pkg_dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() {
                    if let (Some(name), Ok(bytes)) = (
                        path.file_name()
                            .and_then(|n| n.to_str())
                            .map(str::to_string),
                        std::fs::read(&path),
                    ) {
                        files.insert(name, bytes);
                    }
                }
            }
        }
        if files.is_empty() {
            return Assets {
                version: "none".to_string(),
                chunks: HashMap::new(),
            };
        }
        let mut hash = Sha256::new();
        for (name, bytes) in &files {
            hash.update((name.len() as u64).to_le_bytes());
            hash.update(name.as_bytes());
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        }
        let digest = hash.finalize();
        let version = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let chunks = files
            .get("__wasm_split_manifest.json")
            .map(|json| parse_manifest(json))
            .unwrap_or_default();
        Assets { version, chunks }
    }

    /// The WASM files the lazy island `name` (snake case, e.g. `bid_form`) loads.
    pub fn island_files(&self, name: &str) -> &[String] {
        self.chunks.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// `{"bid_form_loader_123": ["chunk_1", "split_bid_form_loader_123"], …}` → `bid_form` →
/// `["chunk_1.wasm", "split_bid_form_loader_123.wasm"]`.
fn parse_manifest(json: &[u8]) -> HashMap<String, Vec<String>> {
    let Ok(map) = serde_json::from_slice::<HashMap<String, Vec<String>>>(json) else {
        return HashMap::new();
    };
    map.into_iter()
        .filter_map(|(key, modules)| {
            let (island, _) = key.rsplit_once("_loader_")?;
            let files = modules.into_iter().map(|m| format!("{m}.wasm")).collect();
            Some((island.to_string(), files))
        })
        .collect()
}

/// The files already preloaded by the page being rendered (one set per request).
#[derive(Clone, Default)]
pub struct Preloaded(Arc<Mutex<HashSet<String>>>);

/// Called by a lazy island while it renders on the server: adds `<link rel="preload">` for its
/// own module (and the split loader script) to the page's `<head>`, each file once per page.
///
/// Not for the chunks it shares with other islands: wasm-split cuts shared code into one
/// chunk per set of islands using it, so an item page's islands list about 120 small files,
/// and a link for each made the HTML 15 KB heavier (half the page) on every request. The
/// loader fetches the shared chunks in parallel when the island hydrates.
pub fn preload_island(name: &str) {
    use leptos::prelude::*;
    use leptos_meta::Link;
    let files: Vec<&String> = get()
        .island_files(name)
        .iter()
        .filter(|f| f.starts_with("split_"))
        .collect();
    if files.is_empty() {
        return;
    }
    let Some(preloaded) = use_context::<Preloaded>() else {
        return;
    };
    let pkg = pkg_path();
    let fresh: Vec<String> = {
        let Ok(mut seen) = preloaded.0.lock() else {
            return;
        };
        std::iter::once(SPLIT_LOADER)
            .chain(files.iter().map(|f| f.as_str()))
            .filter(|f| seen.insert(f.to_string()))
            .map(str::to_string)
            .collect()
    };
    for file in fresh {
        let href = format!("/{pkg}/{file}");
        // `to_html` on a leptos_meta component registers it for the `<head>`.
        if file == SPLIT_LOADER {
            let _ = view! { <Link rel="modulepreload" href=href/> }.to_html();
        } else {
            let _ = view! {
                <Link rel="preload" href=href as_="fetch" type_="application/wasm" crossorigin="anonymous"/>
            }
            .to_html();
        }
    }
}

/// The script that loads split chunks (its name is fixed by wasm-split).
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_maps_islands_to_their_files() {
        let json = br#"{"bid_form_loader_1658": ["chunk_10", "split_bid_form_loader_1658"],
                        "odd": ["chunk_1"]}"#;
        let chunks = parse_manifest(json);
        assert_eq!(
            chunks.get("bid_form").map(Vec::as_slice),
            Some(
                &[
                    "chunk_10.wasm".to_string(),
                    "split_bid_form_loader_1658.wasm".to_string()
                ][..]
            )
        );
        assert_eq!(chunks.len(), 1);
        assert!(parse_manifest(b"not json").is_empty());
    }

    #[test]
    fn the_version_follows_the_bytes() {
        let dir = std::env::temp_dir().join(format!(
            "rbay-assets-{}",
            crate::util::random::random_hex::<4>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(Assets::read(&dir).version, "none");
        std::fs::write(dir.join("rbay.js"), b"one").unwrap();
        let first = Assets::read(&dir).version;
        assert_eq!(first.len(), 16);
        assert_eq!(Assets::read(&dir).version, first);
        std::fs::write(dir.join("rbay.js"), b"two").unwrap();
        assert_ne!(Assets::read(&dir).version, first);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

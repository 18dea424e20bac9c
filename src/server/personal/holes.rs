//! Hole punching: the busiest pages are rendered once for every signed-in viewer, with the
//! parts that differ per viewer (the header's account links, where the viewer stands on an
//! item, their bid form, like and watch state…) left as holes, and each request fills the
//! holes for its viewer with small views, as edge-side includes do.
//!
//! - A page rendered for everyone runs with a [`Punch`] in its request: each per-viewer part
//!   asks [`register`] for a [`Filler`] slot and renders a mark (`<rbay-hole data-hole="f.h">`)
//!   instead of itself ([`Punched::mark`]). The filler owns the shared data its holes need and
//!   renders them later with the same views as a normal render (`ui::personal`).
//! - Serving: [`Template::parse`] splits the stored HTML at the marks; [`Template::fill`]
//!   asks every filler for its holes for this viewer (concurrently; each reads what it needs
//!   in one round trip) and joins the pieces. A filler answers `None` when the shared part has
//!   changed since it was rendered (say the viewer has just bid): the page is rendered again,
//!   so every viewer reads their own writes.
//!
//! A mark cannot come from user text: Leptos escapes `<` in text and `"` in attributes, so the
//! exact mark only ever comes from [`Punched::mark`].

use crate::accounts::CurrentUser;
use crate::error::AppError;
use crate::server::state::AppState;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

const MARK_START: &str = "<rbay-hole data-hole=\"";
const MARK_END: &str = "\"></rbay-hole>";

/// What [`Filler::fill`] returns: the holes' HTML in hole order, or `None` when stale.
pub type Filled<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Vec<String>>, AppError>> + Send + 'a>>;

/// The per-viewer parts of a page rendered for everyone.
pub trait Filler: Send + Sync + 'static {
    /// This filler's holes rendered for `viewer`, in hole order; `None` when the shared part of
    /// the page no longer shows what the viewer must see (it changed since it was rendered).
    fn fill<'a>(&'a self, state: &'a AppState, viewer: &'a CurrentUser) -> Filled<'a>;
}

/// In a request's extensions: this render is for every signed-in viewer, and collects the
/// fillers of its holes.
#[derive(Clone, Default)]
pub struct Punch(Arc<Mutex<Vec<Arc<dyn Filler>>>>);

impl Punch {
    fn fillers(&self) -> Vec<Arc<dyn Filler>> {
        self.0.lock().map(|f| f.clone()).unwrap_or_default()
    }
}

/// A filler's place in the page being rendered for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Punched(usize);

impl Punched {
    /// The mark that stands for hole `hole` of this filler.
    pub fn mark(self, hole: usize) -> AnyView {
        view! { <rbay-hole data-hole=format!("{}.{hole}", self.0)></rbay-hole> }.into_any()
    }
}

/// When the page being rendered is for every signed-in viewer: keeps `filler` for its holes
/// and says where they go. `None` for a normal render (then render the parts in place).
pub fn register(filler: impl Filler) -> Option<Punched> {
    let punch = use_context::<axum::http::request::Parts>()?
        .extensions
        .get::<Punch>()?
        .clone();
    let mut fillers = punch.0.lock().ok()?;
    fillers.push(Arc::new(filler));
    Some(Punched(fillers.len() - 1))
}

#[derive(Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    /// The request's CSP nonce.
    Nonce,
    Hole {
        filler: usize,
        hole: usize,
    },
}

/// `text` as parts, split at `nonce_mark`.
fn text_parts(text: &str, nonce_mark: &str, parts: &mut Vec<Part>) {
    let mut pieces = text.split(nonce_mark);
    if let Some(first) = pieces.next() {
        parts.push(Part::Text(first.to_string()));
    }
    for piece in pieces {
        parts.push(Part::Nonce);
        parts.push(Part::Text(piece.to_string()));
    }
}

/// A page rendered for everyone, split at its holes, with the fillers of its holes.
pub struct Template {
    parts: Vec<Part>,
    fillers: Vec<Arc<dyn Filler>>,
}

impl Template {
    /// Splits `html` at its marks and at `nonce_mark` (which stands for the CSP nonce). `None`
    /// if a mark names a filler the render did not leave (never stored: the page is then
    /// rendered per viewer).
    pub fn parse(html: &str, nonce_mark: &str, punch: &Punch) -> Option<Template> {
        let fillers = punch.fillers();
        let mut parts = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(MARK_START) {
            text_parts(&rest[..start], nonce_mark, &mut parts);
            let after = &rest[start + MARK_START.len()..];
            let end = after.find(MARK_END)?;
            let (filler, hole) = after[..end].split_once('.')?;
            let (filler, hole) = (filler.parse().ok()?, hole.parse().ok()?);
            if filler >= fillers.len() {
                return None;
            }
            parts.push(Part::Hole { filler, hole });
            rest = &after[end + MARK_END.len()..];
        }
        text_parts(rest, nonce_mark, &mut parts);
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        Some(Template { parts, fillers })
    }

    /// The page for `viewer` with the request's `nonce`, or `None` when a filler says the
    /// shared part is stale.
    pub async fn fill(
        &self,
        state: &AppState,
        viewer: &CurrentUser,
        nonce: &str,
    ) -> Result<Option<String>, AppError> {
        let filled =
            futures_util::future::try_join_all(self.fillers.iter().map(|f| f.fill(state, viewer)))
                .await?;
        let Some(filled) = filled.into_iter().collect::<Option<Vec<_>>>() else {
            return Ok(None);
        };
        let mut html = String::with_capacity(
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.len(),
                    Part::Nonce => nonce.len(),
                    Part::Hole { .. } => 512,
                })
                .sum(),
        );
        for part in &self.parts {
            match part {
                Part::Text(text) => html.push_str(text),
                Part::Nonce => html.push_str(nonce),
                Part::Hole { filler, hole } => {
                    // A filler that rendered fewer holes than it marked is a bug: refuse the
                    // page rather than serve it with a part missing.
                    let piece = filled
                        .get(*filler)
                        .and_then(|holes| holes.get(*hole))
                        .ok_or_else(|| {
                            tracing::error!(filler, hole, "a hole was marked but not filled");
                            AppError::Internal
                        })?;
                    html.push_str(piece);
                }
            }
        }
        Ok(Some(html))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<&'static str>);

    impl Filler for Fixed {
        fn fill<'a>(&'a self, _: &'a AppState, _: &'a CurrentUser) -> Filled<'a> {
            let holes = self.0.iter().map(|s| s.to_string()).collect();
            Box::pin(async move { Ok(Some(holes)) })
        }
    }

    #[test]
    fn a_mark_is_what_the_template_splits_at() {
        let html = crate::util::html::to_html(Punched(1).mark(2));
        assert_eq!(html, format!("{MARK_START}1.2{MARK_END}"));
        let punch = Punch::default();
        punch.0.lock().unwrap().push(Arc::new(Fixed(vec!["a"])));
        punch
            .0
            .lock()
            .unwrap()
            .push(Arc::new(Fixed(vec!["b", "c", "d"])));
        let page = format!("<p n=\"N\">x</p>{html}<i>{}</i>", to_mark(0, 0));
        let template = Template::parse(&page, "N", &punch).unwrap();
        assert_eq!(
            template.parts,
            vec![
                Part::Text("<p n=\"".into()),
                Part::Nonce,
                Part::Text("\">x</p>".into()),
                Part::Hole { filler: 1, hole: 2 },
                Part::Text("<i>".into()),
                Part::Hole { filler: 0, hole: 0 },
                Part::Text("</i>".into()),
            ]
        );
        // A mark naming a filler that does not exist is refused.
        assert!(Template::parse(&to_mark(5, 0), "N", &punch).is_none());
    }

    #[test]
    fn user_text_cannot_make_a_mark() {
        let evil = format!("{MARK_START}0.0{MARK_END}");
        let html = crate::util::html::to_html(view! { <p title=evil.clone()>{evil.clone()}</p> });
        assert!(!html.contains(MARK_START), "{html}");
    }

    fn to_mark(filler: usize, hole: usize) -> String {
        crate::util::html::to_html(Punched(filler).mark(hole))
    }
}

//! Hole punching: the busiest pages are rendered once for every signed-in viewer, with the
//! parts that differ per viewer (the header's account links, where the viewer stands on an
//! item, their bid form, like and watch state, the clock of the price chart…) left as holes, and each request fills the
//! holes for its viewer with small views, as edge-side includes do.
//!
//! - A page rendered for everyone runs with a [`Punch`] in its request: each per-viewer part
//!   asks [`register`] for a [`Filler`] slot and renders a mark (`<rbay-hole data-hole="f.h">`)
//!   instead of itself ([`Punched::mark`]). The filler owns the shared data its holes need and
//!   renders them later with the same views as a normal render (`ui::personal`).
//! - Serving: [`Template::parse`] splits the stored HTML at the marks; [`Template::read`]
//!   asks every filler to read what its holes need for the viewer named by the session cookie
//!   (concurrently, and alongside the session's own lookup: one round trip in all), and once
//!   the session is confirmed [`Template::assemble`] renders the holes for the viewer and
//!   joins the pieces into one buffer sized to the page. A filler answers `None` when the
//!   shared part has changed since it was rendered (say the viewer has just bid): the page is
//!   rendered again, so every viewer reads their own writes.
//!
//! A mark cannot come from user text: Leptos escapes `<` in text and `"` in attributes, so the
//! exact mark only ever comes from [`Punched::mark`].

use crate::accounts::server::sessions::SessionUser;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::util::id::UserId;
use axum::body::Bytes;
use leptos::prelude::*;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

const MARK_START: &str = "<rbay-hole data-hole=\"";
const MARK_END: &str = "\"></rbay-hole>";

/// A filler's holes, in hole order, rendered for the viewer once their session is confirmed
/// from what [`Filler::read`] found (the session brings their name, unread count and clock).
pub type Render<'a> = Box<dyn FnOnce(&SessionUser) -> Vec<Bytes> + Send + 'a>;

/// What [`Filler::read`] returns: the render of its holes, or `None` when stale.
pub type Read<'a> = Pin<Box<dyn Future<Output = Result<Option<Render<'a>>, AppError>> + Send + 'a>>;

/// The per-viewer parts of a page rendered for everyone.
pub trait Filler: Send + Sync + 'static {
    /// Reads what the holes of user `viewer` need (one round trip at most), and answers how to
    /// render them; `None` when the shared part of the page no longer shows what the viewer
    /// must see (it changed since it was rendered). This runs alongside the session lookup,
    /// before the session is confirmed: nothing read here may reach a page but through the
    /// [`Render`], which only runs for the confirmed viewer.
    fn read<'a>(&'a self, state: &'a AppState, viewer: UserId) -> Read<'a>;
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
    Text(Bytes),
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
        parts.push(Part::Text(Bytes::copy_from_slice(first.as_bytes())));
    }
    for piece in pieces {
        parts.push(Part::Nonce);
        parts.push(Part::Text(Bytes::copy_from_slice(piece.as_bytes())));
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

    /// What the holes of user `viewer` need, read by every filler at once; `None` when a
    /// filler says the shared part is stale.
    pub async fn read<'a>(
        &'a self,
        state: &'a AppState,
        viewer: UserId,
    ) -> Result<Option<Vec<Render<'a>>>, AppError> {
        let read =
            futures_util::future::try_join_all(self.fillers.iter().map(|f| f.read(state, viewer)))
                .await?;
        Ok(read.into_iter().collect())
    }

    /// The page for the confirmed `viewer` with the request's `nonce`, from what
    /// [`Template::read`] read for them: stored pieces of [`SHARED_PIECE`] or more are shared,
    /// everything else is copied once (see [`Frames`]).
    pub fn assemble(
        &self,
        renders: Vec<Render<'_>>,
        viewer: &SessionUser,
        nonce: &str,
    ) -> Result<Page, AppError> {
        let filled: Vec<Vec<Bytes>> = renders.into_iter().map(|render| render(viewer)).collect();
        let hole_of = |filler: usize, hole: usize| filled.get(filler)?.get(hole);
        // The page's size, so that what is copied is copied once, into one allocation.
        let size = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.len(),
                Part::Nonce => nonce.len(),
                Part::Hole { filler, hole } => hole_of(*filler, *hole).map_or(0, Bytes::len),
            })
            .sum();
        let mut frames = Frames::new(SHARED_PIECE, size);
        for part in &self.parts {
            match part {
                Part::Text(text) => frames.push(text),
                Part::Nonce => frames.copy(nonce.as_bytes()),
                Part::Hole { filler, hole } => {
                    // A filler that rendered fewer holes than it marked is a bug: refuse the
                    // page rather than serve it with a part missing.
                    let piece = hole_of(*filler, *hole).ok_or_else(|| {
                        tracing::error!(filler, hole, "a hole was marked but not filled");
                        AppError::Internal
                    })?;
                    frames.push(piece);
                }
            }
        }
        Ok(Page::new(frames.finish(MAX_FRAMES)))
    }

    /// [`Template::read`] then [`Template::assemble`], for a viewer already confirmed.
    pub async fn fill(
        &self,
        state: &AppState,
        viewer: &SessionUser,
        nonce: &str,
    ) -> Result<Option<Page>, AppError> {
        match self.read(state, viewer.user_id).await? {
            Some(renders) => self.assemble(renders, viewer, nonce).map(Some),
            None => Ok(None),
        }
    }
}

/// A filled page: the template's shared pieces and the viewer's holes, sent one after the
/// other with an exact length, in few enough frames that hyper writes the page in one
/// vectored write (see [`Frames`]).
pub struct Page {
    pieces: VecDeque<Bytes>,
    remaining: u64,
}

/// A piece at least this long is sent as it is stored (no copy); shorter ones (holes, nonces,
/// the markup between them) are copied into one frame with their neighbours. Pages are
/// small (an item page is about 17 KB), and each frame costs hyper more than copying it: an
/// item page's pieces are all shorter, and it goes out as one frame.
const SHARED_PIECE: usize = 4 * 1024;

/// At most this many frames a page: hyper queues up to 16 buffers before it writes, and a
/// page written in more than one go can wait on the client's delayed ACK.
const MAX_FRAMES: usize = 12;

impl Page {
    fn new(pieces: VecDeque<Bytes>) -> Self {
        let remaining: u64 = pieces.iter().map(|p| p.len() as u64).sum();
        Page { pieces, remaining }
    }

    /// The whole page in one piece.
    #[cfg(test)]
    fn to_vec(&self) -> Vec<u8> {
        self.pieces.iter().flat_map(|p| p.iter().copied()).collect()
    }
}

/// A page's frames, built in one pass over its pieces: a shared piece is a frame of its own,
/// sent as it is stored (no copy); the pieces between shared ones are copied into one frame.
/// [`Frames::push`] shares a piece at least `shared` long.
struct Frames {
    shared: usize,
    /// How much the first run reserves: the page's size.
    expected: usize,
    out: VecDeque<Bytes>,
    run: Vec<u8>,
}

impl Frames {
    fn new(shared: usize, expected: usize) -> Self {
        Frames {
            shared,
            expected,
            out: VecDeque::new(),
            run: Vec::new(),
        }
    }

    /// `piece` shared when it is long enough, else copied.
    fn push(&mut self, piece: &Bytes) {
        if piece.len() >= self.shared {
            self.share(piece);
        } else {
            self.copy(piece);
        }
    }

    /// `piece` in a frame of its own, not copied.
    fn share(&mut self, piece: &Bytes) {
        self.end_run();
        self.out.push_back(piece.clone());
    }

    fn copy(&mut self, piece: &[u8]) {
        if self.run.capacity() == 0 {
            self.run
                .reserve(std::mem::take(&mut self.expected).max(2 * self.shared));
        }
        self.run.extend_from_slice(piece);
    }

    fn end_run(&mut self) {
        if !self.run.is_empty() {
            self.out
                .push_back(Bytes::from(std::mem::take(&mut self.run)));
        }
    }

    /// The frames, at most `max_frames` of them: when there would be more, the whole page is
    /// joined into one.
    fn finish(mut self, max_frames: usize) -> VecDeque<Bytes> {
        self.end_run();
        if self.out.len() > max_frames {
            let mut all = Vec::with_capacity(self.out.iter().map(Bytes::len).sum());
            for frame in &self.out {
                all.extend_from_slice(frame);
            }
            return VecDeque::from([Bytes::from(all)]);
        }
        self.out
    }
}

/// `pieces` as at most `max_frames` frames with the same bytes (see [`Frames`]).
#[cfg(test)]
fn coalesce(pieces: VecDeque<Bytes>, shared: usize, max_frames: usize) -> VecDeque<Bytes> {
    let mut frames = Frames::new(shared, 0);
    for piece in &pieces {
        frames.push(piece);
    }
    frames.finish(max_frames)
}

impl http_body::Body for Page {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        // No empty frames: `Frames` makes none.
        let next = self.pieces.pop_front();
        if let Some(piece) = &next {
            self.remaining -= piece.len() as u64;
        }
        Poll::Ready(next.map(|piece| Ok(http_body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<&'static str>);

    impl Filler for Fixed {
        fn read<'a>(&'a self, _: &'a AppState, _: UserId) -> Read<'a> {
            let holes = self
                .0
                .iter()
                .map(|s| Bytes::from_static(s.as_bytes()))
                .collect();
            Box::pin(async move { Ok(Some(Box::new(move |_: &SessionUser| holes) as Render<'a>)) })
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
        // Filled: the shared pieces around the viewer's holes and the request's nonce.
        let holes = |h: &'static [&'static str]| -> Render<'static> {
            Box::new(move |_: &SessionUser| {
                h.iter().map(|s| Bytes::from_static(s.as_bytes())).collect()
            })
        };
        let viewer = SessionUser {
            user_id: UserId(1),
            username: "ann".into(),
            remaining: std::time::Duration::from_secs(60),
            unread: 0,
            zone: None,
        };
        let page = template
            .assemble(
                vec![holes(&["a"]), holes(&["b", "c", "d"])],
                &viewer,
                "n0nce",
            )
            .unwrap();
        assert_eq!(
            http_body::Body::size_hint(&page).exact(),
            Some(page.to_vec().len() as u64)
        );
        assert_eq!(page.to_vec(), b"<p n=\"n0nce\">x</p>d<i>a</i>");
        // A filler that rendered fewer holes than marked: no page.
        assert!(template
            .assemble(vec![holes(&["a"]), holes(&["b"])], &viewer, "n0nce")
            .is_err());
        // A mark naming a filler that does not exist is refused.
        assert!(Template::parse(&to_mark(5, 0), "N", &punch).is_none());
    }

    #[test]
    fn a_page_goes_out_in_few_frames_with_its_large_pieces_shared() {
        let big = Bytes::from(vec![b'x'; 10]);
        let mut pieces: VecDeque<Bytes> = VecDeque::new();
        let mut expected = Vec::new();
        for i in 0..40 {
            let piece = if i % 10 == 0 {
                big.clone()
            } else {
                Bytes::from(format!("<{i}>"))
            };
            expected.extend_from_slice(&piece);
            pieces.push_back(piece);
        }
        pieces.push_back(Bytes::new());
        let frames = coalesce(pieces.clone(), 10, 12);
        // Large, run, large, run, ... : the large pieces are the stored ones, not copies.
        assert_eq!(frames.len(), 8);
        assert_eq!(frames[0].as_ptr(), big.as_ptr());
        assert_eq!(
            frames.iter().flat_map(|f| f.to_vec()).collect::<Vec<_>>(),
            expected
        );
        // More frames than allowed: the whole page in one.
        let one = coalesce(pieces, 10, 4);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].to_vec(), expected);
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

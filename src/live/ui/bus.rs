//! What a page hears, handed to every island that shows a part of it.
//!
//! On an item page [`LiveItem`](super::live::LiveItem) reads the item's event stream and the
//! bid and comment forms report what the viewer just did; each island that shows something
//! those change (the price box, the standing line, the bid box, the history, the comments, the
//! counts) listens here and updates its own state, rendering with the same components the
//! server used. Nothing else touches the page. On every signed-in page the header's badge
//! reports the unread count (the open inbox listens for it).
//!
//! Islands hydrate in any order (lazy ones when their code arrives), so what was heard before
//! an island listened is replayed to it first, once its view is hydrated: every listener hears
//! every event once, in order.

use crate::comments::{Comment, CommentEvent};
use crate::items::ItemEvent;

/// One thing an item page hears.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum Heard {
    /// From the item's event stream (every viewer hears it, from every instance).
    Item(ItemEvent),
    /// From the item's event stream: its comments.
    Comment(CommentEvent),
    /// The viewer's own bid was accepted (its live event follows).
    #[serde(skip)]
    OwnBid(OwnBid),
    /// The viewer's own comment was posted (its live event follows).
    #[serde(skip)]
    OwnComment(Comment),
    /// The viewer's unread notices, as the header's badge heard them.
    #[serde(skip)]
    Unread(u32),
}

/// The answer to the viewer's own accepted bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnBid {
    pub price_cents: i64,
    pub bids: i64,
    /// The viewer leads now (else an earlier maximum answered at once).
    pub leading: bool,
    pub max_cents: i64,
}

/// How many events are kept for islands that start listening late (an open page hears a few
/// per second at most; older ones are already in what the islands rendered).
#[cfg(feature = "hydrate")]
const BACKLOG: usize = 256;

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Heard, BACKLOG};
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::rc::Rc;

    type Listener = Rc<dyn Fn(&Heard)>;

    thread_local! {
        static HEARD: RefCell<VecDeque<Heard>> = const { RefCell::new(VecDeque::new()) };
        static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
        static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    }

    pub fn publish(heard: Heard) {
        HEARD.with_borrow_mut(|log| {
            if log.len() == BACKLOG {
                log.pop_front();
            }
            log.push_back(heard.clone());
        });
        // Called outside the borrow: a listener may publish or listen in turn.
        let listeners: Vec<Listener> =
            LISTENERS.with_borrow(|all| all.iter().map(|(_, l)| l.clone()).collect());
        for listener in listeners {
            listener(&heard);
        }
    }

    pub fn listen(listener: impl Fn(&Heard) + 'static) {
        let listener: Listener = Rc::new(listener);
        let id = NEXT_ID.replace(NEXT_ID.get() + 1);
        let alive = Rc::new(Cell::new(true));
        // The island is hydrating now, against what the server rendered: what was heard before
        // it listened must not change its state until its view is hydrated, or the view built
        // would not match the page (a lazy island whose code arrives after a bid would start
        // from a history the page does not show, and stop updating). So the past is replayed
        // in a microtask, after the synchronous hydration, and the listener joins right after
        // it: nothing is published in between (events arrive as tasks, after microtasks), and
        // what was published before is in the log.
        let joined = alive.clone();
        leptos::task::spawn_local(async move {
            if !joined.get() {
                return;
            }
            let past: Vec<Heard> = HEARD.with_borrow(|log| log.iter().cloned().collect());
            for heard in &past {
                listener(heard);
            }
            LISTENERS.with_borrow_mut(|all| all.push((id, listener)));
        });
        // (Cleanup callbacks must be `Send`; this one only ever runs in the browser's thread.)
        let alive = send_wrapper::SendWrapper::new(alive);
        leptos::prelude::on_cleanup(move || {
            alive.set(false);
            forget(id);
        });
    }

    fn forget(id: u64) {
        LISTENERS.with_borrow_mut(|all| all.retain(|(other, _)| *other != id));
    }
}

/// Hands `heard` to every island listening (and keeps it for those that listen later).
#[cfg(feature = "hydrate")]
pub fn publish(heard: Heard) {
    browser::publish(heard);
}

/// Calls `listener` with everything the page heard so far, then with each new event, until the
/// calling island goes. On the server nothing is heard: islands render their props.
pub fn listen(listener: impl Fn(&Heard) + 'static) {
    #[cfg(feature = "hydrate")]
    browser::listen(listener);
    #[cfg(not(feature = "hydrate"))]
    let _ = listener;
}

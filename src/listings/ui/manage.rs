//! The seller's controls on their item page: revise the listing or end it early while nobody
//! has bid, add to its description after, or relist it once it ended unsold. Plain `POST` forms (the same with JavaScript on or off); the
//! answer comes back as a one-time notice ([`ManageNote`]).

use crate::items::{ItemDetail, ItemId};
use crate::listings::{
    ManageProblem, ADDED_NOTICE, ENDED_NOTICE, MANAGE_PROBLEM_PREFIX, RELISTED_NOTICE,
    REVISED_NOTICE,
};
use crate::util::problem::Problem as _;
use leptos::prelude::*;

/// What a seller's form came back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageNote {
    Ended,
    Relisted,
    Revised,
    Added,
    Refused(ManageProblem),
}

impl ManageNote {
    /// The note of a one-time notice code, if it is one of the seller's forms'.
    pub fn from_notice(code: &str) -> Option<ManageNote> {
        match code {
            ENDED_NOTICE => Some(ManageNote::Ended),
            RELISTED_NOTICE => Some(ManageNote::Relisted),
            REVISED_NOTICE => Some(ManageNote::Revised),
            ADDED_NOTICE => Some(ManageNote::Added),
            other => other
                .strip_prefix(MANAGE_PROBLEM_PREFIX)
                .and_then(ManageProblem::from_code)
                .map(ManageNote::Refused),
        }
    }
}

/// The seller's controls for `item` (for anyone else, `seller` false: only the note of what
/// their own try came back with).
#[component]
pub fn SellerControls(
    item: ItemDetail,
    live: bool,
    seller: bool,
    note: Option<ManageNote>,
) -> impl IntoView {
    let id: ItemId = item.id;
    let note = note.map(|note| match note {
        ManageNote::Ended => view! {
            <p class="notice-ok" role="status">"Ended. It is no longer for sale; you can relist it."</p>
        }
        .into_any(),
        ManageNote::Relisted => view! {
            <p class="notice-ok" role="status">"Relisted: this is the new listing."</p>
        }
        .into_any(),
        ManageNote::Revised => view! {
            <p class="notice-ok" role="status">"Saved: the listing shows your changes."</p>
        }
        .into_any(),
        ManageNote::Added => view! {
            <p class="notice-ok" role="status">"Added to the description."</p>
        }
        .into_any(),
        ManageNote::Refused(problem) => view! {
            <p class="form-error" role="alert">{problem.message()}</p>
        }
        .into_any(),
    });
    let relistable = !live && item.outcome.as_deref() == Some("unsold") && item.removed.is_none();
    let controls = if !seller {
        ().into_any()
    } else if live && item.bids == 0 {
        view! {
            <a class="button button-small button-ghost" href=format!("/items/{id}/edit") data-testid="revise-link">"Revise listing"</a>
            <details class="manage-end">
                <summary class="button button-small button-ghost">"End listing early"</summary>
                <form method="post" action="/api/items/end">
                    <input type="hidden" name="item_id" value=id.to_string()/>
                    <p>"It closes now, unsold, and leaves search and the rankings. You can relist it afterwards."</p>
                    <button type="submit" class="button button-small">"End it now"</button>
                </form>
            </details>
        }
        .into_any()
    } else if live {
        view! {
            <p class="muted">
                "Bids have been placed: the auction runs to its end, as its bidders were promised. "
                <a href=format!("/items/{id}/edit") data-testid="add-link">"Add to the description"</a>
            </p>
        }
        .into_any()
    } else if let Some(new) = item.relisted_as {
        view! {
            <p>"Relisted as "<a href=format!("/items/{new}")>"a new listing"</a>"."</p>
        }
        .into_any()
    } else if relistable {
        view! {
            <form method="post" action="/api/items/relist">
                <input type="hidden" name="item_id" value=id.to_string()/>
                <button type="submit" class="button button-small">"Relist this item"</button>
                <span class="muted">" The same listing again, photos included, starting now."</span>
            </form>
        }
        .into_any()
    } else {
        ().into_any()
    };
    view! {
        <div class="seller-controls" id="manage" data-testid="seller-controls">
            {note}
            {controls}
        </div>
    }
}

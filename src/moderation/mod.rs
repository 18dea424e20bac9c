//! Keeping the place clean: anyone signed in can report a listing, a comment or a user (a
//! reason from a fixed list and a short note, once per target, rate limited); the moderators
//! (`RBAY_ADMINS`) work through the reports on `/ops/moderation` — newest and most reported
//! first, the reported content shown as text — and hide or restore a listing or a comment,
//! suspend or restore a user, or dismiss the reports. Every action is kept in an audit log (who,
//! what, which, when, why). Sellers keep their own list of blocked bidders (`/my/blocked`).
//!
//! The effects are enforced where the data is, not in the pages:
//! - a hidden listing's document carries `hidden`: the items index leaves it out (its
//!   `FILTER`), so every search, browse, count and similar-items answer drops it; it leaves the
//!   shard's rankings; every grid of cards skips it (`items::server::cards`); its page is not
//!   found but by its seller and the moderators; the bid, Buy It Now and comment scripts refuse
//!   it (`lua/moderate_item.lua`);
//! - a hidden comment moves out of the item's comments, live (`lua/moderate_comment.lua`);
//! - a suspended user's sessions die on every instance at once (the session lookup checks
//!   the account on every request), and signing in is refused: without a session there is no bid,
//!   listing or comment;
//! - a blocked bidder is refused by the bid and Buy It Now scripts themselves: the seller's
//!   blocks are copied into each item shard, so the script reads them in its own slot.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::id::{ItemId, UserId};
use serde::{Deserialize, Serialize};

/// The longest note a report may carry, and the longest reason a moderator gives.
pub const NOTE_MAX: usize = 300;
/// How many bidders a seller may block.
pub const BLOCKS_MAX: usize = 500;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    Listing(ItemId),
    /// A comment (its item, its id).
    Comment(ItemId, u64),
    User(UserId),
}

/// The longest [`Target::key`]: a comment's, with two ids of 20 digits (the form's `maxlength`).
pub const TARGET_MAX_CHARS: usize = "comment:".len() + 20 + 1 + 20;

impl Target {
    /// Its name in keys and links: `item:17`, `comment:17:5`, `user:3`.
    pub fn key(&self) -> String {
        match self {
            Target::Listing(item) => format!("item:{item}"),
            Target::Comment(item, id) => format!("comment:{item}:{id}"),
            Target::User(user) => format!("user:{user}"),
        }
    }

    /// Reads [`Target::key`]'s form back; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split(':');
        let target = match (parts.next()?, parts.next()?, parts.next()) {
            ("item", id, None) => Target::Listing(ItemId::parse(id)?),
            ("comment", item, Some(id)) => {
                let id: u64 = id.parse().ok().filter(|n| *n > 0 && id.len() <= 20)?;
                Target::Comment(ItemId::parse(item)?, id)
            }
            ("user", id, None) => Target::User(UserId::parse(id)?),
            _ => return None,
        };
        parts.next().is_none().then_some(target)
    }

    /// What it is, in words.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Listing(_) => "listing",
            Target::Comment(..) => "comment",
            Target::User(_) => "user",
        }
    }

    /// Where it is seen.
    pub fn href(&self) -> String {
        match self {
            Target::Listing(item) => format!("/items/{item}"),
            Target::Comment(item, id) => format!("/items/{item}/comments#comment-{id}"),
            Target::User(user) => format!("/users/{user}"),
        }
    }
}

/// The report form for a target.
pub fn report_url(target: &Target) -> String {
    format!("/report?target={}", target.key())
}

/// Why something is reported: a fixed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    Spam,
    Prohibited,
    Offensive,
    Fraud,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Spam,
        Reason::Prohibited,
        Reason::Offensive,
        Reason::Fraud,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Spam => "spam",
            Reason::Prohibited => "prohibited",
            Reason::Offensive => "offensive",
            Reason::Fraud => "fraud",
            Reason::Other => "other",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::Spam => "Spam or advertising",
            Reason::Prohibited => "Prohibited or counterfeit item",
            Reason::Offensive => "Offensive or abusive",
            Reason::Fraud => "Fraud or a scam",
            Reason::Other => "Something else",
        }
    }
}

/// What a moderator does to a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModAction {
    /// Hide a listing or a comment; suspend a user.
    Hide,
    /// Undo [`ModAction::Hide`].
    Restore,
    /// Close the reports and change nothing.
    Dismiss,
}

impl ModAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Hide => "hide",
            ModAction::Restore => "restore",
            ModAction::Dismiss => "dismiss",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [ModAction::Hide, ModAction::Restore, ModAction::Dismiss]
            .into_iter()
            .find(|a| a.as_str() == word)
    }

    /// The action on a target, in the audit log's words.
    pub fn label(self, target: &Target) -> &'static str {
        match (self, target) {
            (ModAction::Hide, Target::User(_)) => "suspended",
            (ModAction::Restore, Target::User(_)) => "restored",
            (ModAction::Hide, _) => "hid",
            (ModAction::Restore, _) => "restored",
            (ModAction::Dismiss, _) => "dismissed the reports on",
        }
    }
}

crate::problems! {
    /// What stops a report, a moderator's action or a block.
    pub enum ModProblem {
        SignIn = "signin" => "Sign in first.",
        NoReason = "reason" => "Choose a reason.",
        NoteLong = "note-long" => format!("Keep the note under {NOTE_MAX} characters."),
        NoteChars = "note-chars" => "The note can't contain control characters.",
        Already = "already" => "You reported this already. Thank you: the moderators have it.",
        Gone = "gone" => "There is nothing there to report (any more).",
        Own = "own" => "You can't report yourself or what you wrote or sell.",
        NoWhy = "why" => "Say why: the audit log keeps it.",
        Unchanged = "unchanged" => "Nothing changed: it was like that already.",
        NoSuchUser = "nouser" => "There is no user by that name.",
        Yourself = "self" => "You can't block yourself.",
        TooManyBlocks = "blocks-full" =>
            format!("You have blocked {BLOCKS_MAX} bidders: unblock someone first."),
    }
}

/// One report, as the moderators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportNote {
    pub reporter_id: UserId,
    pub reporter_name: String,
    pub reason: Reason,
    pub note: String,
    pub at_ms: i64,
}

/// What is reported, as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    pub target: Target,
    /// The listing's name, the comment's text, the user's name.
    pub what: String,
    /// More of it: the listing's description (the start of it).
    pub detail: String,
    /// Who it belongs to: the seller, the comment's author, the user.
    pub owner_id: UserId,
    pub owner_name: String,
    /// Hidden (a listing, a comment) or suspended (a user) now.
    pub hidden: bool,
}

/// A target in the moderators' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub target: Target,
    /// `None` when it no longer exists.
    pub reported: Option<Reported>,
    pub reports: u32,
    pub last_at_ms: i64,
    /// The newest reports (a few).
    pub notes: Vec<ReportNote>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at_ms: i64,
    pub by: String,
    pub action: String,
    pub target: String,
    pub why: String,
}

/// The moderation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationView {
    pub newest: Vec<QueueEntry>,
    pub most: Vec<QueueEntry>,
    pub audit: Vec<AuditLine>,
    pub now_ms: i64,
}

/// One blocked bidder on a seller's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub user_id: UserId,
    pub username: String,
    pub at_ms: i64,
}

/// Checks a note (a report's, a moderator's reason): trimmed, at most [`NOTE_MAX`]
/// characters, no control characters but line breaks.
pub fn check_note(note: &str) -> Result<String, ModProblem> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(ModProblem::NoteLong);
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(ModProblem::NoteChars);
    }
    Ok(note.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_back_and_nothing_else_does() {
        for t in [
            Target::Listing(ItemId(17)),
            Target::Comment(ItemId(17), 5),
            Target::User(UserId(3)),
            Target::Comment(ItemId(u64::MAX), u64::MAX),
        ] {
            assert_eq!(Target::parse(&t.key()), Some(t));
            assert!(t.key().len() <= TARGET_MAX_CHARS, "{}", t.key());
        }
        // The form's limit fits the longest target, and no more.
        assert_eq!(
            Target::Comment(ItemId(u64::MAX), u64::MAX).key().len(),
            TARGET_MAX_CHARS
        );
        for bad in [
            "",
            "item",
            "item:",
            "item:0",
            "item:x",
            "item:1:2",
            "comment:1",
            "comment:1:0",
            "comment:1:2:3",
            "user:-1",
            "listing:1",
            "item:1 ",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn problems_and_words_read_back() {
        crate::util::problem::assert_codes_round_trip::<ModProblem>();
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("SPAM"), None);
        assert_eq!(ModAction::parse("hide"), Some(ModAction::Hide));
        assert_eq!(ModAction::parse("delete"), None);
    }

    #[test]
    fn notes_are_bounded_and_plain() {
        assert_eq!(check_note("  fake \r\n watch "), Ok("fake \n watch".into()));
        assert_eq!(
            check_note(&"x".repeat(NOTE_MAX)).map(|n| n.len()),
            Ok(NOTE_MAX)
        );
        assert_eq!(
            check_note(&"x".repeat(NOTE_MAX + 1)),
            Err(ModProblem::NoteLong)
        );
        assert_eq!(check_note("a\u{0}b"), Err(ModProblem::NoteChars));
    }
}

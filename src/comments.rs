//! Comment rules and live-update events, shared by the server and the browser.

use serde::{Deserialize, Serialize};

pub const COMMENT_MAX: usize = 1000;

/// One comment. `text` is plain text: pages render it escaped, with line breaks kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub item_id: String,
    pub author_id: u64,
    pub author_name: String,
    pub text: String,
    pub created_ms: i64,
}

/// A page of comments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    pub item_id: String,
    pub item_name: String,
    pub total: u64,
    pub page: usize,
    pub comments: Vec<Comment>,
    pub viewer_id: Option<u64>,
    pub now_ms: i64,
}

/// Why a comment was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentProblem {
    Empty,
    TooLong,
    Invisible,
    StackedMarks,
    SignIn,
    NotFound,
    NotYours,
    RateLimited(u64),
    Unavailable,
}

impl CommentProblem {
    pub fn message(&self) -> String {
        match self {
            CommentProblem::Empty => "Write something first.".into(),
            CommentProblem::TooLong => format!("Comments are at most {COMMENT_MAX} characters."),
            CommentProblem::Invisible => "Comments need at least one visible character.".into(),
            CommentProblem::StackedMarks => "Too many accent marks on one letter.".into(),
            CommentProblem::SignIn => "Sign in to comment.".into(),
            CommentProblem::NotFound => "That comment or item doesn't exist (any more).".into(),
            CommentProblem::NotYours => "You can only delete your own comments.".into(),
            CommentProblem::RateLimited(secs) => {
                format!("You're commenting too fast. Please wait {secs} seconds.")
            }
            CommentProblem::Unavailable => {
                "Rbay is temporarily unavailable. Please try again in a moment.".into()
            }
        }
    }

    pub fn code(&self) -> String {
        match self {
            CommentProblem::Empty => "empty".into(),
            CommentProblem::TooLong => "long".into(),
            CommentProblem::Invisible => "invisible".into(),
            CommentProblem::StackedMarks => "marks".into(),
            CommentProblem::SignIn => "signin".into(),
            CommentProblem::NotFound => "notfound".into(),
            CommentProblem::NotYours => "notyours".into(),
            CommentProblem::RateLimited(s) => format!("rate-{s}"),
            CommentProblem::Unavailable => "unavailable".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "empty" => CommentProblem::Empty,
            "long" => CommentProblem::TooLong,
            "invisible" => CommentProblem::Invisible,
            "marks" => CommentProblem::StackedMarks,
            "signin" => CommentProblem::SignIn,
            "notfound" => CommentProblem::NotFound,
            "notyours" => CommentProblem::NotYours,
            "unavailable" => CommentProblem::Unavailable,
            other => CommentProblem::RateLimited(
                other
                    .strip_prefix("rate-")?
                    .parse::<u64>()
                    .ok()?
                    .clamp(1, 3600),
            ),
        })
    }
}

/// Comments: 1–1000 characters, line breaks kept (see [`crate::text`]).
pub const COMMENT_RULE: crate::text::TextRule = crate::text::TextRule {
    min: 1,
    max: COMMENT_MAX,
    multiline: true,
};

/// Cleans and checks comment text by the shared free-text rule. Markup is kept as text.
pub fn clean_comment(text: &str) -> Result<String, CommentProblem> {
    use crate::text::TextProblem;
    crate::text::clean(text, COMMENT_RULE).map_err(|p| match p {
        TextProblem::Empty => CommentProblem::Empty,
        TextProblem::Length => CommentProblem::TooLong,
        TextProblem::Invisible => CommentProblem::Invisible,
        TextProblem::StackedMarks => CommentProblem::StackedMarks,
    })
}

/// Something that happened to an item, pushed live to every browser watching it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    Bid {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        bidder_id: u64,
        bidder_name: String,
        at_ms: i64,
    },
    Views {
        views: i64,
    },
    Comment {
        comment: Comment,
        count: i64,
    },
    CommentDeleted {
        id: u64,
        count: i64,
    },
    Ended {
        winner_name: Option<String>,
        price_cents: i64,
    },
}

impl LiveEvent {
    /// The SSE event name.
    pub fn kind(&self) -> &'static str {
        match self {
            LiveEvent::Bid { .. } => "bid",
            LiveEvent::Views { .. } => "views",
            LiveEvent::Comment { .. } => "comment",
            LiveEvent::CommentDeleted { .. } => "comment_deleted",
            LiveEvent::Ended { .. } => "ended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_cleaned_and_checked() {
        assert_eq!(
            clean_comment("  hi\r\nthere\u{0}  "),
            Ok("hi\nthere".to_string())
        );
        assert_eq!(clean_comment(" \n\t "), Err(CommentProblem::Empty));
        assert_eq!(clean_comment(""), Err(CommentProblem::Empty));
        assert_eq!(
            clean_comment("\u{200B}\u{2060}\u{FEFF}"),
            Err(CommentProblem::Invisible)
        );
        assert_eq!(
            clean_comment(&"é".repeat(1000)).map(|s| s.chars().count()),
            Ok(1000)
        );
        assert_eq!(
            clean_comment(&"x".repeat(1001)),
            Err(CommentProblem::TooLong)
        );
        assert_eq!(
            clean_comment("<script>alert(1)</script>"),
            Ok("<script>alert(1)</script>".to_string()),
            "kept as text; rendering escapes it"
        );
    }

    #[test]
    fn problem_codes_round_trip() {
        for p in [
            CommentProblem::Empty,
            CommentProblem::TooLong,
            CommentProblem::Invisible,
            CommentProblem::StackedMarks,
            CommentProblem::SignIn,
            CommentProblem::NotFound,
            CommentProblem::NotYours,
            CommentProblem::RateLimited(7),
            CommentProblem::Unavailable,
        ] {
            assert_eq!(CommentProblem::from_code(&p.code()), Some(p));
        }
    }
}

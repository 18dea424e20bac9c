//! Comments on items: the rules shared by the server and the browser, the comment and page
//! types, and the live events comments send. [`api`] has the server functions, `server`
//! (feature `ssr`) the Redis side.

pub mod api;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::ItemId;
use crate::util::id::UserId;
use crate::util::text::TextProblem;
use serde::{Deserialize, Serialize};

pub const COMMENT_MAX: usize = 1000;
/// Comments per page on `/items/:id/comments`.
pub const PAGE_SIZE: usize = 20;
/// Comments shown on the item page.
pub const LATEST: usize = 3;

/// One comment. `text` is plain text: pages render it escaped, with line breaks kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub item_id: ItemId,
    pub author_id: UserId,
    pub author_name: String,
    pub text: String,
    pub created_ms: i64,
}

/// A page of comments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    pub item_id: ItemId,
    pub item_name: String,
    pub total: u64,
    pub page: usize,
    pub comments: Vec<Comment>,
    pub viewer_id: Option<UserId>,
    pub now_ms: i64,
}

crate::problems! {
    /// Why a comment was refused.
    pub enum CommentProblem {
        Empty = "empty" => "Write something first.",
        TooLong = "long" => format!("Comments are at most {COMMENT_MAX} characters."),
        Invisible = "invisible" => "Comments need at least one visible character.",
        StackedMarks = "marks" => "Too many accent marks on one letter.",
        SignIn = "signin" => "Sign in to comment.",
        NotFound = "notfound" => "That comment or item doesn't exist (any more).",
        NotYours = "notyours" => "You can only delete your own comments.",
    }
}

/// The comments page's parameter for the code of a comment refused without JavaScript.
pub const COMMENT_PROBLEM_PARAM: &str = "c_error";

/// What a comment refused without JavaScript sends back to the comments page: the text typed
/// (see `util::echo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommentEcho {
    pub text: String,
}

impl crate::util::echo::Echo for CommentEcho {
    fn clipped(self) -> Self {
        CommentEcho {
            text: crate::util::url::clip(&self.text, COMMENT_MAX),
        }
    }
}

/// Comments: 1–1000 characters, line breaks kept (see [`crate::util::text`]).
pub const COMMENT_RULE: crate::util::text::TextRule = crate::util::text::TextRule {
    min: 1,
    max: COMMENT_MAX,
    multiline: true,
};

/// Cleans and checks comment text by the shared free-text rule. Markup is kept as text.
pub fn clean_comment(text: &str) -> Result<String, CommentProblem> {
    crate::util::text::clean(text, COMMENT_RULE).map_err(|p| match p {
        TextProblem::Empty => CommentProblem::Empty,
        TextProblem::Length => CommentProblem::TooLong,
        TextProblem::Invisible => CommentProblem::Invisible,
        TextProblem::StackedMarks => CommentProblem::StackedMarks,
    })
}

/// What comments send live to the pages of their item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommentEvent {
    /// A new comment, and the item's comment count.
    Comment { comment: Comment, count: i64 },
    /// A comment was deleted.
    CommentDeleted { id: u64, count: i64 },
}

impl crate::live::LiveEvent for CommentEvent {
    fn kind(&self) -> &'static str {
        match self {
            CommentEvent::Comment { .. } => "comment",
            CommentEvent::CommentDeleted { .. } => "comment_deleted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::problem::Problem as _;

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
        crate::util::problem::assert_codes_round_trip::<CommentProblem>();
        assert_eq!(CommentProblem::SignIn.code(), "signin");
    }
}

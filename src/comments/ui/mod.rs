//! The comments' page and islands.

/// Island (lazy): the add-comment form.
pub mod comment_form;
/// Island (lazy): the list of comments, live.
pub mod comment_list;
/// The page of all comments of an item.
pub mod comments;

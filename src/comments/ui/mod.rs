//! The comments' page and islands.

/// Island (lazy): the add-comment form.
pub mod comment_form;
/// The list of comments (server-rendered; live additions arrive through `live::ui`).
pub mod comment_list;
/// The page of all comments of an item.
pub mod comments;

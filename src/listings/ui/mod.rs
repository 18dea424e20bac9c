//! The new-item page and its form.

/// Island (lazy): the new-item form.
pub mod item_form;
/// The new-item page.
pub mod new_item;

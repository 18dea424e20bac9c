//! The new-item page and its form; the seller's controls on their item page.

/// Island (lazy): the new-item form.
pub mod item_form;
/// The seller's controls: end early, relist.
pub mod manage;
/// The new-item page.
pub mod new_item;
/// The form's photo field: previews to put in order or take out before sending.
pub mod photo_picker;
/// The revise page: the form before the first bid, additions to the description after it.
pub mod revise;

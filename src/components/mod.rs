//! View pieces shared by pages. Modules holding an `#[island]` say so; everything else renders
//! on the server only and costs the browser nothing.

/// Island: the sign-in / sign-up form.
pub mod auth_form;
pub mod item_card;
pub mod layout;
/// Island: the header search box.
pub mod search_box;

//! View pieces shared by pages. Modules holding an `#[island]` say so; everything else renders
//! on the server only and costs the browser nothing.

pub mod item_card;
pub mod layout;
/// Island: the header search box.
pub mod search_box;

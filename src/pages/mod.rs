//! One module per page. Pages render on the server only; they reach data through `crate::api`.

pub mod auth;
pub mod comments;
pub mod dashboard;
pub mod home;
pub mod info;
pub mod item;
pub mod market;
pub mod mine;
pub mod new_item;
pub mod not_found;
pub mod notifications;
pub mod ops;
pub mod profile;
pub mod search;
pub mod status;

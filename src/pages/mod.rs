//! One module per page. Pages render on the server only; they reach data through `crate::api`.

pub mod auth;
pub mod dashboard;
pub mod home;
pub mod not_found;
pub mod status;

//! The accounts' pages and islands.

/// The sign-in and sign-up pages.
pub mod auth;
/// Island: the sign-in / sign-up form.
pub mod auth_form;

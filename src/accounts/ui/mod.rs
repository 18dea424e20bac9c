//! The accounts' pages and islands.

/// The sign-in and sign-up pages.
pub mod auth;
/// Island: the sign-in / sign-up form.
pub mod auth_form;
/// "Forgot your password?" and the reset link's page.
pub mod recover;

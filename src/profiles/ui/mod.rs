//! The public profile page.

pub mod profile;

//! The engagement island.

/// Island (lazy): like / unlike.
pub mod like_button;

//! The photo limits of a listing, in one place: the browser checks them before sending, the
//! multipart reader enforces them, and the HTTP layer bounds the upload's body with them.

/// Photos a listing may have (the first is the cover).
pub const MAX_PHOTOS: usize = 8;
/// The largest photo file accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// All the photos of one listing together.
pub const MAX_PHOTOS_BYTES: usize = 20 * 1024 * 1024;

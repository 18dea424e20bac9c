//! The email pages.

/// `/email/confirm?t=…`: the confirmation link.
pub mod confirm;
/// `/my/email`: the address and the kinds of mail wanted.
pub mod settings;
/// `/email/unsubscribe?u=&k=&s=`: one kind of mail off, from the link in a mail.
pub mod unsubscribe;

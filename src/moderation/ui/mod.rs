//! The moderation pages: the report form (`/report`), the moderators' queue and audit log
//! (`/ops/moderation`), a seller's blocked bidders (`/my/blocked`).

pub mod blocked;
pub mod moderation;
pub mod report;

/// The one-time notice a page shows after its form was done, if `code` is one of `known`.
#[cfg(feature = "ssr")]
pub(crate) fn notice_of(known: &[(&str, &'static str)]) -> Option<&'static str> {
    let code = crate::server::http::forms::notice()?;
    known.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

//! The few view pieces every feature may use. Nothing here knows a feature: features depend on
//! `ui`, never the other way round (`scripts/module_cycles.py` checks it).

/// Island (lazy): a filter form that applies itself on change.
pub mod auto_apply;
/// Browser only: plain text fetches and live event streams for islands on every page.
#[cfg(feature = "hydrate")]
pub mod fetch;
/// Browser only: focus on a form's first problem.
#[cfg(feature = "hydrate")]
pub mod focus;
/// A form that submits in place once hydrated (and as a plain post before).
pub mod forms;
/// Browser only: Escape and an outside click close an open menu.
#[cfg(feature = "hydrate")]
pub mod menus;
/// "← Previous · Page 2 of 5 · Next →" links.
pub mod pagination;
/// The error page and the sign-in redirect that pages share.
pub mod status;

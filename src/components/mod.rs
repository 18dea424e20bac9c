//! View pieces shared by pages. Modules holding an `#[island]` say so; everything else renders
//! on the server only and costs the browser nothing.

/// Island: the sign-in / sign-up form.
pub mod auth_form;
/// Island (lazy): a filter form that applies itself on change.
pub mod auto_apply;
/// Island (lazy): the bid form.
pub mod bid_form;
/// Island (lazy): the add-comment form.
pub mod comment_form;
pub mod comment_list;
/// Browser only: plain text fetches for islands on every page.
#[cfg(feature = "hydrate")]
pub mod fetch;
/// Browser only: focus on a form's first problem.
#[cfg(feature = "hydrate")]
pub mod focus;
pub mod item_card;
/// Island (lazy): the new-item form.
pub mod item_form;
pub mod layout;
/// Island (lazy): like / unlike.
pub mod like_button;
/// Islands: live item updates over server-sent events (lazy); the page ticker (countdowns,
/// card prices).
pub mod live;
/// Browser only: applies live events to the page.
#[cfg(feature = "hydrate")]
pub mod live_dom;
/// Island (lazy): the header's notifications link with its live unread count.
pub mod notice_badge;
pub mod pagination;
pub mod price_chart;
/// Island: the header search box (main bundle).
pub mod search_box;

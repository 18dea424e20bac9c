//! Small pieces every feature uses, shared by the server and the browser.

pub mod echo;
pub mod hash;
pub mod html;
pub mod id;
pub mod limits;
pub mod money;
pub mod problem;
pub mod queue;
#[cfg(feature = "ssr")]
pub mod random;
pub mod response;
pub mod text;
pub mod time;
pub mod url;
pub mod zone;

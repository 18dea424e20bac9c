//! HTTP plumbing: the middleware every request goes through, facts about the request being
//! handled, the no-JavaScript form replies, and the page cache. (The router, which wires the
//! features in, is `server::router`.)

pub mod deadline;
pub mod forms;
pub mod metrics;
pub mod page_cache;
pub mod request;
pub mod security;
pub mod streams;

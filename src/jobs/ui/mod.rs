//! The operations page (`/ops`, admins only).

pub mod ops;

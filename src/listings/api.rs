//! Server functions: listing a new item.

use crate::error::AppError;
use crate::listings::CreateItemReply;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

/// Lists a new item from the multipart form (fields `name`, `description`, `category`,
/// `condition`, `price`, `duration`, `reserve`, `buy_now`, `shipping`, `shipping_cost`,
/// `returns`, `location`, `soft_close`, then up to 8 files `photo`).
#[server(prefix = "/api", endpoint = "items/create", input = MultipartFormData)]
pub async fn create_item(data: MultipartData) -> Result<CreateItemReply, AppError> {
    use crate::listings::server::listing;
    let state = crate::server::state::current()?;
    listing::receive(&state, data).await
}

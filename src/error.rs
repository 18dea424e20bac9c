//! The one error type users and server functions see.
//!
//! Every failure inside the server (Redis, hashing, bad input) is turned into an [`AppError`]
//! at the boundary. Raw Redis messages and panics never reach a user: the server logs the
//! detail with `tracing` and the user gets the message of the variant.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Redis is unreachable or still starting: answered with HTTP 503.
    #[error("Rbay is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// Redis refused a write because its memory is full (`maxmemory`, `noeviction`): the
    /// write changed nothing; reads still work.
    #[error(
        "Rbay cannot save anything new right now, so nothing was changed. Please try again later."
    )]
    StorageFull,
    /// The thing asked for does not exist: HTTP 404.
    #[error("We couldn't find that page.")]
    NotFound,
    /// The request was understood but its input is wrong; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// Too many attempts in a short time: HTTP 429 with Retry-After.
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// The request body is over the limit of its route: HTTP 413.
    #[error("That request is too large.")]
    TooLarge,
    /// The action needs a signed-in user.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// The action is not allowed for this user or from this origin.
    #[error("{0}")]
    Forbidden(String),
    /// A bug or an unexpected reply; details are in the server log.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the server or its answer could not be read.
    #[error("Could not reach Rbay: {0}")]
    Network(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unavailable | AppError::StorageFull => 503,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 400,
            AppError::TooLarge => 413,
            AppError::RateLimited { .. } => 429,
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::Internal | AppError::Network(_) => 500,
        }
    }

    /// Seconds for the `Retry-After` header of this error's response, where one applies.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::Unavailable => Some(5),
            AppError::StorageFull => Some(60),
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

/// A route answers an error with its status, its message as plain text, `no-store`, and
/// `Retry-After` where one applies, so handlers can return `Result<_, AppError>` and use `?`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{header, HeaderValue, StatusCode};
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after_secs();
        let mut response = (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            self.to_string(),
        )
            .into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(msg) | ServerFnErrorErr::Response(msg) => {
                AppError::Network(msg)
            }
            // A body cut off by the route's size limit (see `server::security::limit_body`).
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg)
                if msg.contains("length limit exceeded") =>
            {
                AppError::TooLarge
            }
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                let detail: String = msg.chars().take(200).collect();
                AppError::Invalid(format!("The form could not be read: {detail}"))
            }
            _ => AppError::Internal,
        }
    }
}

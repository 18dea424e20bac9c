//! A deadline for reads: a page or a read API that cannot be answered within
//! [`READ_DEADLINE`] is answered 503 with `Retry-After` instead.
//!
//! When Redis stalls (a long `CLIENT PAUSE`, a blocked event loop, a saturated network),
//! requests would otherwise wait for the Redis response timeout once per call they make, and
//! pile up in memory while they wait. Cutting them off keeps every answer prompt and the
//! number of requests in flight bounded; the supervisor notices the stall on its own and the
//! pages work again when Redis does.
//!
//! Only `GET` and `HEAD`: they change nothing, so giving up on one is safe. Writes keep their
//! own bound (the Redis response timeout), because a write cut off after its script ran would
//! tell the user "failed" about something that happened. The deadline covers the time until
//! the response's head: a live stream's head is sent at once and the stream goes on.

use crate::error::AppError;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a read may take before it is answered 503.
pub const READ_DEADLINE: Duration = Duration::from_secs(1);

pub async fn bound_reads(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(READ_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, "no answer within the read deadline; answered 503");
            AppError::Unavailable.into_response()
        }
    }
}

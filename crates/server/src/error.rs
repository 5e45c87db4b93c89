//! Errors as JSON: every failure the API can produce, axum's own included, reaches the client
//! as `{"error": "..."}` with a fitting status, so clients need one error path only.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words a client developer can act on.
    pub error: String,
}

/// An error response: a status and a message.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Seconds for a `Retry-After` header, for answers that mean "not now".
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 503: no analysis slot and no room in the queue.
    pub(crate) fn busy() -> Self {
        ApiError {
            retry_after: Some(BUSY_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy with other analyses; retry later",
            )
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// The `Retry-After` of a 503. Analyses take milliseconds to a few seconds and the queue is
/// short, so a slot is usually free again within a second; a fixed, small hint keeps well-behaved
/// clients from retrying in a tight loop without making them wait on an idle server.
pub(crate) const BUSY_RETRY_AFTER_SECS: u64 = 1;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

/// Fails a request that takes longer than `timeout` with 504. Dropping the handler's future
/// stops reading a slow body at once; an analysis already on the blocking pool cannot be
/// interrupted and runs to its end, but keeps its slot until then (see `AppState::slots`).
pub(crate) async fn with_timeout(timeout: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "the request took longer than the server's limit of {} s",
                timeout.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

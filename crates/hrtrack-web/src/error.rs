//! The one error type of the API. Every failure a client can see is an [`ApiError`]: a stable
//! [`ErrorCode`], an HTTP status that follows from it, and a message for people. The body is
//! always `{"error": {"code": "...", "message": "..."}}`.
//!
//! Store errors are mapped here: an invalid filter is the client's mistake (400
//! `invalid_filter`); anything else is `internal`, logged in full and answered with a message
//! that says nothing about the internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hrtrack_db::StoreError;
use serde::Serialize;

/// The stable codes clients can match on; [`ErrorCode::as_str`] is their spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A malformed request: an unknown or repeated parameter, a bad number, a value too long.
    BadRequest,
    /// A filter value that names nothing: an unknown State, position, mechanism, cycle, goal.
    InvalidFilter,
    /// No recommendation has this id.
    RecommendationNotFound,
    /// No such path (or no such SDG goal).
    NotFound,
    /// The path exists but not for this HTTP method.
    MethodNotAllowed,
    /// `format=` names no format we write.
    UnsupportedFormat,
    /// Our fault; the details are in the server log.
    Internal,
}

impl ErrorCode {
    /// Every code, for the OpenAPI document.
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidFilter,
        ErrorCode::RecommendationNotFound,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedFormat,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidFilter => "invalid_filter",
            ErrorCode::RecommendationNotFound => "recommendation_not_found",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest | ErrorCode::InvalidFilter | ErrorCode::UnsupportedFormat => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::RecommendationNotFound | ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn invalid_filter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidFilter, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::InvalidFilter(message) => Self::invalid_filter(message),
            other => {
                tracing::error!(error = %other, "store error");
                Self::new(
                    ErrorCode::Internal,
                    "the server could not answer this request; it has been logged",
                )
            }
        }
    }
}

/// The JSON body of an error.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: ErrorCode,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        (self.code.status(), Json(body)).into_response()
    }
}

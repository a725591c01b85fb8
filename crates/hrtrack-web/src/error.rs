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
    /// Signing in is needed (no session or token, or an expired or revoked one).
    Unauthorized,
    /// Signed in, but this role or institution may not do this.
    Forbidden,
    /// A form or cookie-authenticated API call without the session's CSRF token.
    CsrfInvalid,
    /// The record changed since the client loaded it; `current` holds it as it is now.
    StaleVersion,
    /// A value the Roadmap refuses: a missing title, a bad date, an unknown reference.
    InvalidInput,
    /// A workflow step not possible from the record's state (e.g. publishing a draft).
    InvalidTransition,
    /// Too many failed sign-ins for this name; wait and try again.
    TooManyAttempts,
    /// An evidence file over the size limit.
    UploadTooLarge,
    /// An evidence file of a kind we do not take, or disguised as another.
    UploadRejected,
    /// No Roadmap record (user, institution, roadmap, cluster, action, indicator, report,
    /// evidence, assessment) has this id.
    RecordNotFound,
    /// A data file that could not be read, or whose validation found errors: `report` holds
    /// every problem by place and column; nothing was stored.
    ValidationFailed,
    /// Every slot for reading uploaded files is taken: nothing was read or stored; try again
    /// after the `Retry-After` seconds.
    Busy,
}

impl ErrorCode {
    /// Every code, for the OpenAPI document.
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidFilter,
        ErrorCode::RecommendationNotFound,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedFormat,
        ErrorCode::Internal,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::CsrfInvalid,
        ErrorCode::StaleVersion,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidTransition,
        ErrorCode::TooManyAttempts,
        ErrorCode::UploadTooLarge,
        ErrorCode::UploadRejected,
        ErrorCode::RecordNotFound,
        ErrorCode::ValidationFailed,
        ErrorCode::Busy,
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
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfInvalid => "csrf_invalid",
            ErrorCode::StaleVersion => "stale_version",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::UploadTooLarge => "upload_too_large",
            ErrorCode::UploadRejected => "upload_rejected",
            ErrorCode::RecordNotFound => "record_not_found",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Busy => "busy",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest | ErrorCode::InvalidFilter | ErrorCode::UnsupportedFormat => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::RecommendationNotFound | ErrorCode::NotFound | ErrorCode::RecordNotFound => {
                StatusCode::NOT_FOUND
            }
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CsrfInvalid => StatusCode::FORBIDDEN,
            ErrorCode::StaleVersion | ErrorCode::InvalidTransition => StatusCode::CONFLICT,
            ErrorCode::InvalidInput | ErrorCode::ValidationFailed => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::UploadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UploadRejected => StatusCode::UNSUPPORTED_MEDIA_TYPE,
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
    /// For `stale_version`: the record as it is now, so that the client loses nothing.
    pub current: Option<serde_json::Value>,
    /// For `validation_failed`: the validation report.
    pub report: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            current: None,
            report: None,
        }
    }

    /// 422 `validation_failed` with the report of a data file.
    pub fn validation_failed(message: impl Into<String>, report: serde_json::Value) -> Self {
        Self {
            report: Some(report),
            ..Self::new(ErrorCode::ValidationFailed, message)
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "sign in first: a session cookie or an `Authorization: Bearer` API token",
        )
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
            StoreError::Invalid(message) => Self::new(ErrorCode::InvalidInput, message),
            StoreError::WorkflowStep(message) => Self::new(ErrorCode::InvalidTransition, message),
            StoreError::NotFound(message) => Self::new(ErrorCode::RecordNotFound, message),
            StoreError::StaleVersion {
                entity,
                id,
                current,
            } => {
                let version = current.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
                Self {
                    code: ErrorCode::StaleVersion,
                    message: format!(
                        "{entity} {id} was changed by someone else since you loaded it (it is now \
                         at version {version}); nothing was written: `current` holds it as it is now"
                    ),
                    current: Some(current),
                    report: None,
                }
            }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                current: self.current.as_ref(),
                report: self.report.as_ref(),
            },
        };
        let mut response = (self.code.status(), Json(body)).into_response();
        if self.code == ErrorCode::Busy {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(crate::blocking::RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

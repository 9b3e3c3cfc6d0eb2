//! RFC 9457 problem documents: the one error type at the HTTP edge.
//!
//! Every error a client can see is an [`ApiError`], rendered as `application/problem+json`
//! with a stable machine `code` and, for validation, per-field `errors`. Unexpected errors are
//! logged once with their cause chain and answered with a generic 500: no internal text leaks.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use steward_domain::ValueError;
use steward_persistence::{Conflict, StoreError};
use utoipa::{ToResponse, ToSchema};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:steward:problem:validation_failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request has invalid fields.",
    "code": "validation_failed",
    "errors": [{"field": "email", "code": "invalid_email", "message": "Enter a valid email address, like name@example.com."}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:steward:problem:{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status text.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// A stable, machine-readable error code.
    pub code: String,
    /// Per-field errors, for validation problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON field (a dotted path for nested fields).
    pub field: String,
    /// A stable, machine-readable code.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
    /// The line (1-based) of a template or file the error is about, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into(), line: None }
    }

    pub fn with_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    pub fn from_value(field: &str, e: ValueError) -> Self {
        Self::new(field, e.code, e.message)
    }
}

/// An error answered to a client.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), errors: Vec::new(), retry_after: None, source: None }
    }

    /// 422 with per-field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "The request has invalid fields.");
        e.errors = errors;
        e
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn too_many(code: &'static str, detail: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, code, detail);
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    pub fn internal(source: anyhow::Error) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side. Try again later.");
        e.source = Some(source);
        e
    }

    /// The same error with another stable code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// A value that validation guaranteed is missing: a bug, answered as a 500.
    pub fn invariant() -> Self {
        Self::internal(anyhow::anyhow!("A validated field was missing"))
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    pub fn is_server_error(&self) -> bool {
        self.status.is_server_error()
    }

    pub fn to_problem(&self) -> Problem {
        Problem {
            type_: format!("urn:steward:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)?;
        if let Some(source) = &self.source {
            write!(f, ": {source:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(source) = &self.source {
            tracing::error!(error.cause_chain = ?source, "request failed with an unexpected error");
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        } else if self.code == "insufficient_scope" {
            // RFC 6750 §3.1: the token is fine but lacks a scope (named in `detail`).
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\""));
        }
        res.body(serde_json::to_vec(&self.to_problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => c.into(),
            StoreError::InvalidCursor => {
                ApiError::field("cursor", "invalid_cursor", "cursor is not one this API returned for this list and sort; start from the first page.")
            }
            StoreError::Unexpected(e) => ApiError::internal(e),
        }
    }
}

impl From<Conflict> for ApiError {
    fn from(c: Conflict) -> Self {
        match c {
            Conflict::EmailTaken => ApiError::conflict("email_taken", "An account with this email already exists.").with_errors(vec![FieldError::new(
                "email",
                "email_taken",
                "An account with this email already exists.",
            )]),
            Conflict::SlugTaken => ApiError::conflict("slug_taken", "An instance with this slug already exists.").with_errors(vec![FieldError::new(
                "slug",
                "slug_taken",
                "This slug is taken. Choose another.",
            )]),
            Conflict::AlreadyMember => ApiError::conflict("already_member", "This account is already a member of the instance.")
                .with_errors(vec![FieldError::new("email", "already_member", "Already a member of this instance.")]),
            Conflict::AppNameTaken => ApiError::conflict("name_taken", "An application with this name already exists in the instance.")
                .with_errors(vec![FieldError::new("name", "name_taken", "Another application of this instance has this name.")]),
            Conflict::ManagementClientNameTaken => ApiError::conflict("name_taken", "A management client with this name already exists in the instance.")
                .with_errors(vec![FieldError::new("name", "name_taken", "Another management client of this instance has this name.")]),
            Conflict::LastOwner => ApiError::conflict("last_owner", "An instance must keep at least one owner. Make someone else an owner first."),
        }
    }
}

impl From<crate::auth::passwords::HashError> for ApiError {
    fn from(e: crate::auth::passwords::HashError) -> Self {
        match e {
            crate::auth::passwords::HashError::Busy => {
                let mut e =
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "The server is handling too many sign-ins right now. Try again in a few seconds.");
                e.retry_after = Some(2);
                e
            }
            crate::auth::passwords::HashError::Failed(source) => ApiError::internal(source),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

/// Collects field errors while parsing a request into domain values.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Parses one field; on error records it and returns `None`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::from_value(field, e));
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// The errors collected so far (to nest them under another field).
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// `Err(422)` when any field was invalid.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::validation(self.0)) }
    }
}

// Named responses shared by every route in the OpenAPI document.

/// The request body or parameters are invalid (see `errors`).
#[derive(ToResponse)]
#[response(description = "The request is invalid: a problem document with per-field `errors`.", content_type = "application/problem+json")]
pub struct ValidationFailed(#[allow(dead_code)] Problem);

/// The body is not valid JSON.
#[derive(ToResponse)]
#[response(description = "Malformed request (for example, invalid JSON).", content_type = "application/problem+json")]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// Missing, invalid or expired credentials.
#[derive(ToResponse)]
#[response(description = "Missing, invalid, expired or revoked access token.", content_type = "application/problem+json")]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// The caller's role does not allow this.
#[derive(ToResponse)]
#[response(description = "The caller's role on the instance does not allow this.", content_type = "application/problem+json")]
pub struct Forbidden(#[allow(dead_code)] Problem);

/// Not found (or not visible to the caller).
#[derive(ToResponse)]
#[response(description = "Not found, or not visible to the caller.", content_type = "application/problem+json")]
pub struct NotFound(#[allow(dead_code)] Problem);

/// Conflicts with the current state.
#[derive(ToResponse)]
#[response(description = "Conflicts with the current state (a taken value, the last owner...).", content_type = "application/problem+json")]
pub struct ConflictResponse(#[allow(dead_code)] Problem);

/// Too many attempts.
#[derive(ToResponse)]
#[response(
    description = "Too many attempts; retry after the number of seconds in `Retry-After`.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
)]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

/// A precondition failed.
#[derive(ToResponse)]
#[response(
    description = "The `If-Match` ETag is not the resource's current one: it changed since it was read (`stale_version`).",
    content_type = "application/problem+json"
)]
pub struct PreconditionFailed(#[allow(dead_code)] Problem);

/// Unsupported content type.
#[derive(ToResponse)]
#[response(description = "The body's `Content-Type` is not one this operation accepts (or the body is missing).", content_type = "application/problem+json")]
pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

/// Body too large.
#[derive(ToResponse)]
#[response(description = "The body is larger than allowed.", content_type = "application/problem+json")]
pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

//! CORS for the public API.
//!
//! A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) cannot name its
//! application (browsers do not send custom header values in preflights), so it is granted when
//! the origin is allowed by at least one enabled front-end app of the instance. The real request
//! is then checked against its own app's origins by the gate, which records a [`CorsGrant`];
//! only then does the response carry `Access-Control-Allow-Origin`.

use actix_web::HttpMessage as _;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::{HttpResponse, ResponseError as _};
use steward_persistence::applications;

use crate::AppState;
use crate::problem::ApiError;

/// The origin the gate accepted for this request.
#[derive(Clone)]
pub struct CorsGrant(pub String);

pub const ALLOWED_HEADERS: &str = "authorization, content-type, x-client-id";
pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// The slug of a `/public/v1/{instance}/...` path.
pub fn slug_of(path: &str) -> Option<&str> {
    path.strip_prefix("/public/v1/")?.split('/').next().filter(|s| !s.is_empty())
}

pub fn origin_allowed(app_origins: &serde_json::Value, origin: &str) -> bool {
    app_origins.as_array().is_some_and(|a| a.iter().any(|o| o.as_str() == Some(origin)))
}

async fn preflight(state: &AppState, slug: &str, origin: &str) -> Result<HttpResponse, ApiError> {
    let instance = state.cache.instance(&state.db, slug).await?.ok_or_else(|| ApiError::not_found("No instance with this slug exists."))?;
    let apps = applications::enabled_frontends(&state.db, instance.instance.id).await?;
    if !apps.iter().any(|a| origin_allowed(&a.allowed_origins, origin)) {
        return Err(
            ApiError::forbidden(format!("The origin {origin} is not allowed by any front-end application of this instance.")).with_code("origin_not_allowed")
        );
    }
    Ok(HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, instance.settings.cors_max_age_secs.to_string()))
        .insert_header((header::VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"))
        .finish())
}

/// The answer to a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`),
/// or `None` when `req` is not one. Called by the public API's edge middleware
/// ([`crate::metering::meter`]), which serves both concerns in one pass.
pub async fn answer_preflight(req: &ServiceRequest, state: &AppState) -> Option<HttpResponse> {
    if req.method() != Method::OPTIONS || !req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    Some(match slug_of(req.path()) {
        Some(slug) => preflight(state, slug, origin).await.unwrap_or_else(|e| e.error_response()),
        None => ApiError::not_found("Nothing exists at this address.").error_response(),
    })
}

/// Adds `Access-Control-Allow-Origin` (and its companions) to a response whose request the gate
/// granted an origin ([`CorsGrant`]).
pub fn apply_grant<B>(res: &mut ServiceResponse<B>) {
    let value = match res.request().extensions().get::<CorsGrant>() {
        Some(CorsGrant(origin)) => header::HeaderValue::from_str(origin).ok(),
        None => return,
    };
    if let Some(value) = value {
        let headers = res.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, header::HeaderValue::from_static("Origin"));
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, header::HeaderValue::from_static("Retry-After"));
    }
}

//! CORS for the public API.
//!
//! A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) cannot name its
//! application (browsers do not send custom header values in preflights), so it is granted when
//! the origin is allowed by at least one enabled front-end app of the instance. The real request
//! is then checked against its own app's origins by the gate, which records a [`CorsGrant`];
//! only then does the response carry `Access-Control-Allow-Origin`.

use actix_web::HttpMessage as _;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError as _, web};
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
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .insert_header((header::VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"))
        .finish())
}

pub async fn handle(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_preflight = req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (true, Some(origin)) = (is_preflight, origin.as_deref()) {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let slug = slug_of(req.path()).map(str::to_owned);
        let res = match (state, slug) {
            (Some(state), Some(slug)) => preflight(&state, &slug, origin).await.unwrap_or_else(|e| e.error_response()),
            _ => ApiError::not_found("Nothing exists at this address.").error_response(),
        };
        return Ok(req.into_response(res));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let grant = res.request().extensions().get::<CorsGrant>().cloned();
    let mut res = res;
    if let Some(CorsGrant(origin)) = grant
        && let Ok(value) = header::HeaderValue::from_str(&origin)
    {
        let headers = res.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, header::HeaderValue::from_static("Origin"));
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, header::HeaderValue::from_static("Retry-After"));
    }
    Ok(res)
}

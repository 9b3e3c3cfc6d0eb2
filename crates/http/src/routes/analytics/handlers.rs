use actix_web::{HttpResponse, get, web};

use super::dto::{AnalyticsSeries, AnalyticsSummary, Breakdown, BreakdownQuery, SeriesQuery, WindowQuery};
use super::service;
use crate::AppState;
use crate::access::{Member, Read, Usage};
use crate::extract::{ApiQuery, Deferred};
use crate::problem::ApiError;

/// The instance's public API activity in a window: calls, errors, latency quantiles,
/// registrations and active users (viewer and up).
#[utoipa::path(
    operation_id = "get_analytics_summary",
    tag = "analytics",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, WindowQuery),
    responses(
        (status = 200, body = AnalyticsSummary),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/analytics/summary")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn analytics_summary(
    state: web::Data<AppState>,
    member: Member<Read<Usage>>,
    query: Deferred<ApiQuery<WindowQuery>>,
) -> Result<HttpResponse, ApiError> {
    // The caller is identified before the query is looked at.
    let query = query.get()?;
    let instance = &member.membership.instance;
    let w = service::window(instance, query.frame, query.from.as_deref(), query.to.as_deref())?;
    // The granularity is not used by a summary, but a bad one is still refused.
    if let Some(g) = query.granularity {
        w.buckets(g.granularity()).map_err(|e| ApiError::field(e.field, e.code, e.message))?;
    }
    Ok(HttpResponse::Ok().json(service::summary(&state.db, instance, &w).await?))
}

/// The instance's public API activity through a window, point by point, in its time zone;
/// optionally a series per application, route or status (viewer and up).
#[utoipa::path(
    operation_id = "get_analytics_timeseries",
    tag = "analytics",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, SeriesQuery),
    responses(
        (status = 200, body = AnalyticsSeries),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/analytics/timeseries")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn analytics_timeseries(
    state: web::Data<AppState>,
    member: Member<Read<Usage>>,
    query: Deferred<ApiQuery<SeriesQuery>>,
) -> Result<HttpResponse, ApiError> {
    // The caller is identified before the query is looked at.
    let query = query.get()?;
    let instance = &member.membership.instance;
    let w = service::window(instance, query.frame, query.from.as_deref(), query.to.as_deref())?;
    let g = service::granularity(&w, query.granularity);
    Ok(HttpResponse::Ok().json(service::series(&state.db, instance, &w, g, query.group_by).await?))
}

/// The instance's calls in a window by application, route or status, most first (top routes,
/// top applications, the error breakdown; viewer and up).
#[utoipa::path(
    operation_id = "get_analytics_breakdown",
    tag = "analytics",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, BreakdownQuery),
    responses(
        (status = 200, body = Breakdown),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/analytics/breakdown")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn analytics_breakdown(
    state: web::Data<AppState>,
    member: Member<Read<Usage>>,
    query: Deferred<ApiQuery<BreakdownQuery>>,
) -> Result<HttpResponse, ApiError> {
    // The caller is identified before the query is looked at.
    let query = query.get()?;
    let instance = &member.membership.instance;
    let w = service::window(instance, query.frame, query.from.as_deref(), query.to.as_deref())?;
    let limit = match query.limit {
        None => 10,
        Some(l @ 1..=100) => l as usize,
        Some(_) => return Err(ApiError::field("limit", "out_of_range", "limit must be between 1 and 100.")),
    };
    Ok(HttpResponse::Ok().json(service::breakdown(&state.db, instance, &w, query.group_by, limit).await?))
}

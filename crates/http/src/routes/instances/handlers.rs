use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use steward_domain::{InstanceName, InstanceSlug, TimeZone};
use steward_persistence::instances::{self, Membership};

use super::dto::{CreateInstanceRequest, InstanceDto, InstanceList, UpdateInstanceRequest};
use super::service;
use crate::AppState;
use crate::access::{Administer, Member, Own, Read, Settings};
use crate::auth::Authenticated;
use crate::extract::{ApiJson, Deferred, PageQuery};
use crate::problem::{ApiError, Fields};

/// Create an instance; the caller becomes its owner.
#[utoipa::path(
    tag = "instances",
    security(("bearer" = [])),
    request_body = CreateInstanceRequest,
    responses(
        (status = 201, body = InstanceDto, headers(("Location" = String, description = "The new instance's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn create_instance(state: web::Data<AppState>, auth: Authenticated, body: ApiJson<CreateInstanceRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut fields = Fields::default();
    let slug = fields.check("slug", InstanceSlug::parse(&body.slug));
    let name = fields.check("name", InstanceName::parse(&body.name));
    let tz = fields.check("time_zone", TimeZone::parse(&body.time_zone));
    fields.finish()?;
    let (Some(slug), Some(name), Some(tz)) = (slug, name, tz) else { return Err(ApiError::invariant()) };
    let created = instances::create_with_owner(&state.db, slug.as_str(), &name.into_inner(), tz.name(), auth.account_id).await?;
    tracing::info!(instance_id = %created.instance.id, slug = %slug, "instance created");
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/instances/{slug}"))).json(InstanceDto::from(created)))
}

/// The instances the caller is a member of, ordered by slug.
#[utoipa::path(
    tag = "instances",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = InstanceList), (status = 401, response = crate::problem::Unauthorized), (status = 422, response = crate::problem::ValidationFailed))
)]
#[get("/instances")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn list_instances(state: web::Data<AppState>, auth: Authenticated, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let (limit, cursor) = query.parse()?;
    let page = instances::list_for_account(&state.db, auth.account_id, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(InstanceList {
        items: page.items.into_iter().map(InstanceDto::from).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

/// One instance.
#[utoipa::path(
    tag = "instances",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = InstanceDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_instance(member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    Ok(HttpResponse::Ok().json(InstanceDto::from(membership)))
}

/// Rename the instance or change its time zone (admin or owner).
#[utoipa::path(
    tag = "instances",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = UpdateInstanceRequest,
    responses(
        (status = 200, body = InstanceDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_instance(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    body: Deferred<ApiJson<UpdateInstanceRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let body = body.0;
    let mut fields = Fields::default();
    let name = body.name.as_deref().and_then(|n| fields.check("name", InstanceName::parse(n)));
    let tz = body.time_zone.as_deref().and_then(|t| fields.check("time_zone", TimeZone::parse(t)));
    fields.finish()?;
    let instance = service::update(&state, &membership.instance, &actor, name.map(InstanceName::into_inner), tz.map(|t| t.name().to_owned())).await?;
    Ok(HttpResponse::Ok().json(InstanceDto::from(Membership { instance, role: membership.role })))
}

/// Delete the instance and everything in it (owner only).
#[utoipa::path(
    tag = "instances",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_instance(state: web::Data<AppState>, member: Member<Own>) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(&state).await?;
    service::delete(&state, &member.membership.instance, &actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, web};
use steward_domain::Role;
use steward_domain::role::Action;
use steward_persistence::members;
use uuid::Uuid;

use super::dto::{MemberDto, MemberList, UpdateMemberRequest};
use crate::AppState;
use crate::access::{Administer, Member, Read, actor_of, authorize};
use crate::auth::Authenticated;
use crate::extract::{ApiJson, PageQuery, client_ip};
use crate::problem::ApiError;

use super::service;

/// The instance's members, ordered by email.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = MemberList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/members")]
#[tracing::instrument(skip_all, fields(account_id = %member.account_id()))]
pub async fn list_members(state: web::Data<AppState>, member: Member<Read>, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let (limit, cursor) = query.parse()?;
    let page = members::list(&state.db, membership.instance.id, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(MemberList { items: page.items.into_iter().map(MemberDto::from).collect(), next_cursor: page.next_cursor, total: page.total }))
}

/// Change a member's role (admin or owner; only an owner touches the owner role). The last
/// owner cannot be demoted.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("account_id" = Uuid, Path, description = "The member's account id")),
    request_body = UpdateMemberRequest,
    responses(
        (status = 200, body = MemberDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}/members/{account_id}")]
#[tracing::instrument(skip_all, fields(account_id = %member.account_id()))]
pub async fn update_member(
    state: web::Data<AppState>,
    member: Member<Administer>,
    path: web::Path<(String, Uuid)>,
    body: ApiJson<UpdateMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let (_slug, target_id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let role = Role::from(body.0.role);
    let member = service::change_role(&state, &membership.instance, membership.role, &actor, target_id, role).await?;
    Ok(HttpResponse::Ok().json(MemberDto::from(member)))
}

/// Remove a member (admin or owner; only an owner removes an owner). Any member may remove
/// themselves. The last owner cannot be removed.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("account_id" = Uuid, Path, description = "The member's account id")),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
    )
)]
#[delete("/instances/{instance}/members/{account_id}")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, target_id) = path.into_inner();
    let leaving = target_id == auth.account_id;
    let membership = authorize(&state, &auth, &slug, if leaving { Action::Read } else { Action::Administer }).await?;
    let actor = actor_of(&state, &auth, client_ip(&req)).await?;
    service::remove(&state, &membership.instance, membership.role, &actor, target_id, leaving).await?;
    Ok(HttpResponse::NoContent().finish())
}

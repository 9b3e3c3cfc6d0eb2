use actix_web::{HttpResponse, delete, get, patch, web};
use steward_domain::Role;
use steward_domain::role::Action;
use steward_domain::scope::{Area, Scope, Verb};
use steward_persistence::members;
use uuid::Uuid;

use super::dto::{MemberDto, MemberList, UpdateMemberRequest};
use crate::AppState;
use crate::access::{Administer, Caller, Member, Members, Read, Required};
use crate::extract::{ApiJson, Deferred, PageQuery};
use crate::problem::ApiError;

use super::service;

/// The instance's members, ordered by email.
#[utoipa::path(
    tag = "members",
    security(("bearer" = []), ("management" = ["members:read"])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = MemberList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/members")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_members(state: web::Data<AppState>, member: Member<Read<Members>>, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let (limit, cursor) = query.parse()?;
    let page = members::list(&state.db, membership.instance.id, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(MemberList { items: page.items.into_iter().map(MemberDto::from).collect(), next_cursor: page.next_cursor, total: page.total }))
}

/// Change a member's role (admin or owner; only an owner touches the owner role). The last
/// owner cannot be demoted.
#[utoipa::path(
    tag = "members",
    security(("bearer" = []), ("management" = ["members:write"])),
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
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_member(
    state: web::Data<AppState>,
    member: Member<Administer<Members>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateMemberRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_slug, target_id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let role = Role::from(body.0.role);
    let member = service::change_role(&state, &membership.instance, membership.role, &actor, target_id, role).await?;
    Ok(HttpResponse::Ok().json(MemberDto::from(member)))
}

/// What removing a member needs: any person may remove themselves (leave), removing someone
/// else needs the admin role (checked with the target's role by the service); a machine needs
/// `members:write`.
pub struct RemoveMember;

impl Required for RemoveMember {
    const ACTION: Action = Action::Read;
    const SCOPE: Option<Scope> = Some(Scope::new(Area::Members, Verb::Write));
}

/// Remove a member (admin or owner; only an owner removes an owner). Any member may remove
/// themselves. The last owner cannot be removed.
#[utoipa::path(
    tag = "members",
    security(("bearer" = []), ("management" = ["members:write"])),
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
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn remove_member(state: web::Data<AppState>, member: Member<RemoveMember>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, target_id) = path.into_inner();
    let leaving = matches!(&member.caller, Caller::Account(a) if a.account_id == target_id);
    let actor = member.actor(&state).await?;
    let membership = &member.membership;
    if !leaving && !membership.role.may(Action::Administer) {
        return Err(ApiError::forbidden(format!("Your role on this instance is {}; this needs the admin role or higher.", membership.role.as_str())));
    }
    service::remove(&state, &membership.instance, membership.role, &actor, target_id, leaving).await?;
    Ok(HttpResponse::NoContent().finish())
}

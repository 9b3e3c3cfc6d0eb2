use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use steward_domain::role::Action;
use steward_domain::{Email, Role};
use steward_persistence::{accounts, invitations};
use uuid::Uuid;

use super::dto::{CreateInvitationRequest, InvitationDto, InvitationList, InvitationPreview, InvitationTokenRequest, SecurityPolicy};
use super::service;
use crate::AppState;
use crate::access::{Administer, Member, Members, actor_of, authorize_membership};
use crate::auth::Authenticated;
use crate::extract::{ApiJson, Deferred, PageQuery, client_ip};
use crate::problem::{ApiError, FieldError};
use crate::routes::instances::{InstanceDto, RoleDto};

fn role_of(stored: &str) -> Result<RoleDto, ApiError> {
    Role::parse(stored).map(RoleDto::from).ok_or_else(|| ApiError::internal(anyhow::anyhow!("Unknown role stored on an invitation")))
}

async fn dto(state: &AppState, i: invitations::Invitation) -> Result<InvitationDto, ApiError> {
    let by = match i.invited_by {
        Some(id) => accounts::find(&state.db, id).await?.map(|a| a.email),
        None => None,
    };
    let role = role_of(&i.role)?;
    Ok(InvitationDto::new(i, role, by))
}

/// Invite someone to the instance (admin or owner; only an owner invites owners). An email with
/// a link (valid 7 days, once) goes to the address; they become a member when they accept it,
/// signed in with that address, verified.
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = []), ("management" = ["members:write"])),
    params(crate::openapi::InstancePath),
    request_body = CreateInvitationRequest,
    responses(
        (status = 201, body = InvitationDto, headers(("Location" = String, description = "The invitation's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/instances/{instance}/invitations")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_invitation(
    state: web::Data<AppState>,
    member: Member<Administer<Members>>,
    req: HttpRequest,
    body: Deferred<ApiJson<CreateInvitationRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let body = body.0;
    let email = Email::parse(&body.email).map_err(|e| ApiError::validation(vec![FieldError::from_value("email", e)]))?;
    let actor = member.actor(&state).await?;
    let invitation = service::invite(&state, &req, &member.membership, &actor, &email, Role::from(body.role)).await?;
    let location = format!("/api/v1/instances/{}/invitations/{}", member.membership.instance.slug, invitation.id);
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).json(dto(&state, invitation).await?))
}

/// The instance's open invitations (pending or expired), newest first (admin or owner).
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = []), ("management" = ["members:write"])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = InvitationList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/invitations")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_invitations(state: web::Data<AppState>, member: Member<Administer<Members>>, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let (limit, cursor) = query.parse()?;
    let page = invitations::list_open(&state.db, member.membership.instance.id, limit, cursor.as_deref()).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for i in page.items {
        items.push(dto(&state, i).await?);
    }
    Ok(HttpResponse::Ok().json(InvitationList { items, next_cursor: page.next_cursor, total: page.total }))
}

/// Send an open invitation again, valid 7 more days; the previous link stops working.
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = []), ("management" = ["members:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The invitation's id")),
    responses(
        (status = 200, body = InvitationDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/instances/{instance}/invitations/{id}/resend")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    member: Member<Administer<Members>>,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let invitation = service::resend(&state, &req, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::Ok().json(dto(&state, invitation).await?))
}

/// Revoke an open invitation: its link stops working.
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = []), ("management" = ["members:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/invitations/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    member: Member<Administer<Members>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::revoke(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What an invitation link offers (no sign-in needed: the link is the credential).
#[utoipa::path(
    tag = "invitations",
    request_body = InvitationTokenRequest,
    responses(
        (status = 200, body = InvitationPreview),
        (status = 400, response = crate::problem::BadRequest),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/invitations/lookup")]
#[tracing::instrument(skip_all)]
pub async fn lookup_invitation(state: web::Data<AppState>, body: ApiJson<InvitationTokenRequest>) -> Result<HttpResponse, ApiError> {
    let (invitation, instance, invited_by) = service::lookup(&state, &body.0.token).await?;
    Ok(HttpResponse::Ok().json(InvitationPreview {
        instance_name: instance.name,
        instance_slug: instance.slug,
        role: role_of(&invitation.role)?,
        email: invitation.email,
        invited_by,
        expires_at: invitation.expires_at.to_utc(),
    }))
}

/// Accept an invitation as the signed-in account, which must have the invited address,
/// verified. Works once.
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = [])),
    request_body = InvitationTokenRequest,
    responses(
        (status = 200, body = InstanceDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/invitations/accept")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<InvitationTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let membership = service::accept(&state, &req, auth.account_id, &body.0.token).await?;
    Ok(HttpResponse::Ok().json(InstanceDto::from(membership)))
}

/// The instance's security policy (any member — even one who must still turn two-factor on).
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 200, body = SecurityPolicy),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/security-policy")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn get_security_policy(state: web::Data<AppState>, auth: Authenticated, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let membership = authorize_membership(&state, &auth, &path.into_inner(), Action::Read).await?;
    Ok(HttpResponse::Ok().json(SecurityPolicy { require_two_factor: membership.instance.require_two_factor }))
}

/// Require two-factor sign-in of every member (owner only; the owner must have it on). Members
/// without it get 403 `two_factor_required` on the instance's routes until they turn it on.
#[utoipa::path(
    tag = "invitations",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath),
    request_body = SecurityPolicy,
    responses(
        (status = 200, body = SecurityPolicy),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/security-policy")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn put_security_policy(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<SecurityPolicy>,
) -> Result<HttpResponse, ApiError> {
    // An owner may always reach this, even without two-factor, so a requirement can be undone.
    let membership = authorize_membership(&state, &auth, &path.into_inner(), Action::Own).await?;
    let actor = actor_of(&state, &auth, client_ip(&req)).await?;
    let updated = service::set_two_factor_requirement(&state, &membership.instance, &actor, body.0.require_two_factor).await?;
    Ok(HttpResponse::Ok().json(SecurityPolicy { require_two_factor: updated.require_two_factor }))
}

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use steward_persistence::end_users;
use uuid::Uuid;

use super::dto::{BulkReport, BulkRequest, CreateUserRequest, SignInDto, UpdateUserRequest, UserActivity, UserDto, UserList, UserListQuery, UserSessionDto};
use super::service;
use crate::AppState;
use crate::access::{Member, Read, Users, Write};
use crate::extract::{ApiJson, ApiQuery, Deferred};
use crate::problem::ApiError;
use steward_persistence::user_tokens::Purpose;

pub use super::service::user_not_found;

/// The instance's end users: filter, sort, page.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:read"])),
    params(crate::openapi::InstancePath, UserListQuery),
    responses(
        (status = 200, body = UserList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/users")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_users(state: web::Data<AppState>, member: Member<Read<Users>>, query: ApiQuery<UserListQuery>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let page = service::list(&state, membership.instance.id, &query).await?;
    Ok(HttpResponse::Ok().json(UserList::from_page(page)))
}

/// Add a user with all its aspects.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(crate::openapi::InstancePath),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserDto, headers(("Location" = String, description = "The user's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/users")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_user(
    state: web::Data<AppState>,
    member: Member<Write<Users>>,
    body: Deferred<ApiJson<CreateUserRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let user = service::create_user(&state, &membership.instance, &actor, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/instances/{}/users/{}", membership.instance.slug, user.id)))
        .json(UserDto::from(user)))
}

/// One user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/users/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_user(state: web::Data<AppState>, member: Member<Read<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let membership = member.membership;
    let user = end_users::get(&state.db, membership.instance.id, id).await?.ok_or_else(user_not_found)?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Edit any aspect of a user. A new password or a block ends the user's sessions.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}/users/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_user(
    state: web::Data<AppState>,
    member: Member<Write<Users>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateUserRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let user = end_users::get(&state.db, membership.instance.id, id).await?.ok_or_else(user_not_found)?;
    let user = service::apply_update(&state, &actor, user, body.0).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Delete a user, with their sessions and tokens.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/users/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_user(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::delete_user(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_blocked(state: &AppState, member: Member<Write<Users>>, id: Uuid, blocked: bool) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(state).await?;
    let user = end_users::get(&state.db, member.membership.instance.id, id).await?.ok_or_else(user_not_found)?;
    let user = service::set_blocked(state, &actor, user, blocked).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Block a user: the public API refuses them, and their tokens stop working at once.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserDto), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound))
)]
#[post("/instances/{instance}/users/{id}/block")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn block_user(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    set_blocked(&state, member, id, true).await
}

/// Unblock a user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserDto), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound))
)]
#[post("/instances/{instance}/users/{id}/unblock")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn unblock_user(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    set_blocked(&state, member, id, false).await
}

async fn send_link(state: &AppState, member: Member<Write<Users>>, id: Uuid, purpose: Purpose) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(state).await?;
    service::send_link(state, &member.membership.instance, &actor, id, purpose).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Email the user a new verification link (24 hours).
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 202, description = "Queued in the outbox."), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound), (status = 409, response = crate::problem::ConflictResponse))
)]
#[post("/instances/{instance}/users/{id}/send-verification")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn send_verification(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    send_link(&state, member, id, Purpose::VerifyEmail).await
}

/// Email the user a password-reset link (30 minutes, single use).
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 202, description = "Queued in the outbox."), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound), (status = 409, response = crate::problem::ConflictResponse))
)]
#[post("/instances/{instance}/users/{id}/send-password-reset")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn send_password_reset(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    send_link(&state, member, id, Purpose::ResetPassword).await
}

/// Email the user an invitation to choose a password (7 days, single use): for a user without
/// a password, e.g. one created or imported without one.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 202, description = "Queued in the outbox."), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound), (status = 409, response = crate::problem::ConflictResponse))
)]
#[post("/instances/{instance}/users/{id}/send-invitation")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn send_invitation(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    send_link(&state, member, id, Purpose::Invitation).await
}

/// Block, unblock, delete or send a verification email to up to 100 users: each user is done
/// (with its audit entry) as the single action would, and the report says how each went.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(crate::openapi::InstancePath),
    request_body = BulkRequest,
    responses(
        (status = 200, body = BulkReport),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/users/bulk")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn bulk_users(state: web::Data<AppState>, member: Member<Write<Users>>, body: Deferred<ApiJson<BulkRequest>>) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let report = service::bulk(&state, &member.membership.instance, &actor, body.0).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The user's active sessions and latest sign-in attempts (20).
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserActivity), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/users/{id}/activity")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn user_activity(state: web::Data<AppState>, member: Member<Read<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let membership = member.membership;
    let user = end_users::get(&state.db, membership.instance.id, id).await?.ok_or_else(user_not_found)?;
    let subject = steward_persistence::sessions::Subject::EndUser { instance_id: membership.instance.id, user_id: user.id };
    let sessions = steward_persistence::sessions::list_active(&state.db, subject).await?;
    let attempts = steward_persistence::login_attempts::recent_for_end_user(&state.db, membership.instance.id, user.id, 20).await?;
    Ok(HttpResponse::Ok().json(UserActivity {
        sessions: sessions
            .into_iter()
            .map(|s| UserSessionDto {
                id: s.id,
                application_id: s.application_id,
                created_at: s.created_at.to_utc(),
                last_used_at: s.last_used_at.to_utc(),
                expires_at: s.expires_at.to_utc(),
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
        sign_ins: attempts.into_iter().map(|a| SignInDto { outcome: a.outcome, at: a.created_at.to_utc(), ip: a.ip, user_agent: a.user_agent }).collect(),
    }))
}

/// Sign the user out everywhere: every session and token ends now.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 204, description = "Signed out everywhere."), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound))
)]
#[post("/instances/{instance}/users/{id}/sign-out")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn sign_out_user(state: web::Data<AppState>, member: Member<Write<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::sign_out(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The user's linked provider identities, oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = super::dto::UserIdentityList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/users/{id}/identities")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_identities(state: web::Data<AppState>, member: Member<Read<Users>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let instance_id = member.membership.instance.id;
    end_users::get(&state.db, instance_id, id).await?.ok_or_else(user_not_found)?;
    let items = steward_persistence::user_identities::of_user(&state.db, instance_id, id).await?.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(super::dto::UserIdentityList { items }))
}

/// Unlink a provider identity from the user (developer and up): the provider account no longer
/// signs in to this user (signing in with it again makes a new account, or links by verified
/// address). The user's last way to sign in (no password, one identity) cannot be unlinked:
/// 409 `last_sign_in_method`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(
        ("instance" = String, Path, description = "The instance's slug"),
        ("id" = Uuid, Path, description = "The user's id"),
        ("identity" = Uuid, Path, description = "The identity's id"),
    ),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
    )
)]
#[delete("/instances/{instance}/users/{id}/identities/{identity}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn unlink_identity(
    state: web::Data<AppState>,
    member: Member<Write<Users>>,
    path: web::Path<(String, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id, identity) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::unlink_identity(&state, &member.membership.instance, &actor, id, identity).await?;
    Ok(HttpResponse::NoContent().finish())
}

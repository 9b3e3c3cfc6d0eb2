//! The signed-in end user's own identities: the providers their account signs in with, linking
//! another one through the hosted page, and unlinking (never the last way to sign in).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use steward_persistence::user_identities;
use uuid::Uuid;

use super::gate::AppCaller;
use super::guest::{HostedLinkRequest, hosted_link};
use crate::AppState;
use crate::audit::Actor;
use crate::extract::{ApiJson, Deferred, client_ip};
use crate::problem::ApiError;
use crate::routes::users::dto::UserIdentityList;

/// The signed-in end user's linked provider identities, oldest first.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    responses((status = 200, body = UserIdentityList), (status = 401, response = crate::problem::Unauthorized))
)]
#[get("/{instance}/me/identities")]
#[tracing::instrument(skip_all)]
pub async fn list_own_identities(state: web::Data<AppState>, caller: AppCaller) -> Result<HttpResponse, ApiError> {
    let (user, _) = caller.end_user()?;
    let items = user_identities::of_user(&state.db, caller.instance.id, user.id).await?.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(UserIdentityList { items }))
}

/// Link another provider to the signed-in end user's account: answers a one-time link to the
/// hosted page (10 minutes) showing the providers the application offers; signing in there adds
/// that provider's identity to this account (refused when it is already linked to another one),
/// and the application gets a code at `redirect_uri` as for any sign-in.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    request_body = HostedLinkRequest,
    responses(
        (status = 201, body = super::guest::HostedLink),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/me/identities/link")]
#[tracing::instrument(skip_all)]
pub async fn link_own_identity(state: web::Data<AppState>, caller: AppCaller, body: Deferred<ApiJson<HostedLinkRequest>>) -> Result<HttpResponse, ApiError> {
    let user_id = caller.end_user()?.0.id;
    hosted_link(&state, &caller, body.get()?.0, user_id).await
}

/// Unlink one of the signed-in end user's identities. Their last way to sign in (no password,
/// one identity) cannot be unlinked: 409 `last_sign_in_method`.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath, ("identity" = Uuid, Path, description = "The identity's id")),
    security(("end_user_bearer" = [])),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
    )
)]
#[delete("/{instance}/me/identities/{identity}")]
#[tracing::instrument(skip_all)]
pub async fn unlink_own_identity(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, identity) = path.into_inner();
    let user_id = caller.end_user()?.0.id;
    let actor = Actor::application(&caller.app, client_ip(&req));
    crate::routes::users::service::unlink_identity(&state, &caller.instance, &actor, user_id, identity).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! What the pages behind end users' email links need: which address and application a link is
//! for and whether it still works (`link-info`), and a fresh link when it does not
//! (`link-renew`) — without a client id, since those pages are Steward's, not the app's.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_persistence::applications::{self, Application};
use steward_persistence::end_users;
use steward_persistence::instances::Instance;
use steward_persistence::user_tokens::{self, Purpose, UserToken};
use utoipa::ToSchema;

use super::auth::TokenRequest;
use crate::AppState;
use crate::emails::{self, LinkState, invalid_link};
use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::throttle::check_mail_limits;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    VerifyEmail,
    ResetPassword,
    Invitation,
    /// Confirms a new address.
    ChangeEmail,
}

/// An application to send the person back to.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkApplication {
    pub name: String,
    /// The application's first allowed origin.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkInfo {
    pub purpose: LinkPurpose,
    /// The address the link was sent to.
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub state: LinkState,
    /// The application the link was asked from (or the instance's front-end application when it
    /// was sent from the console); `null` when there is none to go back to.
    pub application: Option<LinkApplication>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewedLink {
    /// Where the new link goes.
    pub email: String,
}

async fn instance_of(state: &AppState, slug: &str) -> Result<Instance, ApiError> {
    state.cache.instance_row(&state.db, slug).await?.ok_or_else(super::gate::instance_not_found)
}

async fn token_of(state: &AppState, instance: &Instance, token: &str) -> Result<UserToken, ApiError> {
    user_tokens::find(&state.db, instance.id, &emails::token_hash(token)).await?.ok_or_else(invalid_link)
}

fn home_of(app: &Application) -> Option<LinkApplication> {
    let url = app.allowed_origins.as_array()?.iter().find_map(|o| o.as_str())?.to_owned();
    Some(LinkApplication { name: app.name.clone(), url })
}

/// Describes the link with `token`: purpose, address, state, and where to go back to.
pub async fn link_info(state: &AppState, slug: &str, token: &str) -> Result<LinkInfo, ApiError> {
    let instance = instance_of(state, slug).await?;
    let link = token_of(state, &instance, token).await?;
    let purpose = match Purpose::parse(&link.purpose) {
        Some(Purpose::VerifyEmail) => LinkPurpose::VerifyEmail,
        Some(Purpose::ResetPassword) => LinkPurpose::ResetPassword,
        Some(Purpose::Invitation) => LinkPurpose::Invitation,
        Some(Purpose::ChangeEmail) => LinkPurpose::ChangeEmail,
        None => return Err(invalid_link()),
    };
    let link_state = LinkState::of(link.used_at, link.expires_at);
    let asked_from = match link.application_id {
        Some(id) => applications::get(&state.db, instance.id, id).await?.filter(|a| a.enabled).and_then(|a| home_of(&a)),
        None => None,
    };
    let application = match asked_from {
        Some(a) => Some(a),
        None => applications::enabled_frontends(&state.db, instance.id).await?.iter().find_map(home_of),
    };
    Ok(LinkInfo { purpose, email: link.email, expires_at: link.expires_at.to_utc(), state: link_state, application })
}

/// Sends a fresh link of the same purpose to the address `token` was sent to (the old link dies
/// when it goes), within the instance's email limits.
pub async fn renew_link(state: &AppState, req: &HttpRequest, slug: &str, token: &str) -> Result<RenewedLink, ApiError> {
    let instance = instance_of(state, slug).await?;
    let link = token_of(state, &instance, token).await?;
    let purpose = Purpose::parse(&link.purpose).ok_or_else(invalid_link)?;
    let user = end_users::get(&state.db, instance.id, link.end_user_id).await?.ok_or_else(invalid_link)?;
    match purpose {
        Purpose::ChangeEmail => {
            return Err(ApiError::conflict(
                "link_not_renewable",
                "Ask for the change of address again from the application: a new link goes to the new address.",
            ));
        }
        // A link for an address the user no longer has renews nothing.
        _ if !user.email.eq_ignore_ascii_case(&link.email) => return Err(invalid_link()),
        Purpose::VerifyEmail if user.email_verified => {
            return Err(ApiError::conflict("already_verified", "This address is already verified: you can sign in."));
        }
        Purpose::Invitation if user.password_hash.is_some() => {
            return Err(ApiError::conflict("user_has_password", "This account already has a password: sign in, or reset the password if you forgot it."));
        }
        _ => {}
    }
    check_mail_limits(state, Some(&instance), req, &link.email).await?;
    emails::queue_link(&state.db, &instance, &user, purpose, link.application_id).await?;
    state.mail_wakeup.notify_one();
    Ok(RenewedLink { email: link.email })
}

/// Describe the link in an end user's email: what it is for, the address it went to, whether it
/// still works, and the application to go back to. Public (the link's token is the proof).
#[utoipa::path(
    tag = "end-user-auth",
    operation_id = "get_link_info",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body = TokenRequest,
    responses(
        (status = 200, body = LinkInfo),
        (status = 400, response = crate::problem::BadRequest),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/auth/link-info")]
#[tracing::instrument(skip_all)]
pub async fn get_link_info(state: web::Data<AppState>, path: web::Path<String>, body: ApiJson<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let info = link_info(&state, &path, &body.0.token).await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(info))
}

/// Send a new link in place of an expired or used one, to the same address (the old link stops
/// working). Public (the link's token is the proof), within the instance's email limits.
#[utoipa::path(
    tag = "end-user-auth",
    operation_id = "renew_link",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body = TokenRequest,
    responses(
        (status = 202, body = RenewedLink),
        (status = 400, response = crate::problem::BadRequest),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/link-renew")]
#[tracing::instrument(skip_all)]
pub async fn renew(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, body: ApiJson<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let renewed = renew_link(&state, &req, &path, &body.0.token).await?;
    Ok(HttpResponse::Accepted().json(renewed))
}

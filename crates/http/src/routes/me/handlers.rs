use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use secrecy::ExposeSecret as _;
use steward_domain::{DisplayName, Email, Password};
use steward_persistence::accounts;
use steward_persistence::sessions::{self, RevokeReason, Subject};

use super::dto::{AccountDto, ChangePasswordRequest, UpdateMeRequest};
use crate::AppState;
use crate::auth::Authenticated;
use crate::auth::signin::{Attempt, Candidate, check_current_password};
use crate::extract::{ApiJson, client_ip, user_agent};
use crate::problem::{ApiError, FieldError, Fields};

async fn load(state: &AppState, auth: &Authenticated) -> Result<accounts::Account, ApiError> {
    accounts::find(&state.db, auth.account_id).await?.ok_or_else(|| ApiError::unauthorized("unauthorized", "This account no longer exists."))
}

/// The signed-in account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, body = AccountDto), (status = 401, response = crate::problem::Unauthorized))
)]
#[get("/me")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn get_me(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let account = load(&state, &auth).await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// Change the name and/or email. Changing the email requires the current password.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, body = AccountDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[patch("/me")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn update_me(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest, body: ApiJson<UpdateMeRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut fields = Fields::default();
    let name = body.name.as_deref().and_then(|n| fields.check("name", DisplayName::parse(n)));
    let email = body.email.as_deref().and_then(|e| fields.check("email", Email::parse(e)));
    fields.finish()?;
    let account = load(&state, &auth).await?;
    let email_changes = email.as_ref().is_some_and(|e| e.as_str() != account.email);
    if email_changes {
        let Some(current) = body.current_password.as_ref().map(|p| p.expose_secret()).filter(|p| !p.is_empty()) else {
            return Err(ApiError::field("current_password", "required", "Enter your current password to change your email."));
        };
        check_current(&state, &req, &account, current).await?;
    }
    let updated =
        accounts::update_profile(&state.db, auth.account_id, name.map(DisplayName::into_inner), email.filter(|_| email_changes).map(Email::into_inner))
            .await?
            .ok_or_else(|| ApiError::unauthorized("unauthorized", "This account no longer exists."))?;
    Ok(HttpResponse::Ok().json(AccountDto::from(updated)))
}

/// Change the password. Every other session of the account is signed out; this one stays.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed; other sessions ended."),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/password")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut fields = Fields::default();
    let new_password = fields.check("new_password", Password::parse(body.new_password));
    if body.current_password.expose_secret().is_empty() {
        fields.push(FieldError::new("current_password", "required", "Enter your current password."));
    }
    fields.finish()?;
    let Some(new_password) = new_password else { return Err(ApiError::invariant()) };
    let account = load(&state, &auth).await?;
    check_current(&state, &req, &account, body.current_password.expose_secret()).await?;
    let hash = state.hasher.hash(new_password.expose()).await?;
    accounts::set_password_hash(&state.db, auth.account_id, &hash).await?;
    let ended = sessions::revoke_others(&state.db, Subject::Account(auth.account_id), Some(auth.session_id), RevokeReason::PasswordChanged).await?;
    tracing::info!(sessions_ended = ended, "password changed");
    Ok(HttpResponse::NoContent().finish())
}

/// The current password, checked under the console's sign-in lockout.
async fn check_current(state: &AppState, req: &HttpRequest, account: &steward_persistence::accounts::Account, password: &str) -> Result<(), ApiError> {
    let (ip, ua) = (client_ip(req), user_agent(req));
    let attempt = Attempt { instance_id: None, email: &account.email, ip: ip.as_deref(), user_agent: ua.as_deref() };
    check_current_password(state, attempt, Candidate { id: account.id, password_hash: Some(&account.password_hash) }, password).await
}

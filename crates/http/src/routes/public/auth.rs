//! End users' own sign-up, sign-in, refresh, sign-out and account, through an application.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use steward_domain::Email;
use steward_persistence::applications::Application;
use steward_persistence::end_users::{self, EndUser};
use steward_persistence::instances::Instance;
use steward_persistence::now;
use steward_persistence::sessions::{self, NewSession, Realm, RevokeReason, Rotation, Subject};
use utoipa::ToSchema;
use uuid::Uuid;

use super::gate::AppCaller;
use crate::AppState;
use crate::auth::instance_tokens::{Grant, USER};
use crate::auth::signin::{Attempt, Candidate, check_current_password, check_password};
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::emails;
use crate::extract::{ApiJson, Deferred, client_ip, user_agent};
use crate::problem::{ApiError, FieldError, Fields};
use crate::routes::users::dto::{CreateUserRequest, UserDto};
use crate::routes::users::service;
use steward_persistence::user_tokens::{self, Purpose};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "grace@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub password: SecretString,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub given_name: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub family_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserLoginRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(value_type = String, format = Password, min_length = 1)]
    pub password: SecretString,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRefreshRequest {
    #[schema(value_type = String)]
    pub refresh_token: SecretString,
}

/// An end user's tokens: the access token is an EdDSA JWT of the instance (verify it with the
/// JWKS); the refresh token is opaque and single-use.
#[derive(Serialize, ToSchema)]
pub struct UserTokens {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserDto,
}

/// Changes to the user's own account. Changing the email or the password needs the current password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOwnAccountRequest {
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub given_name: Option<String>,
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub family_name: Option<String>,
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = Password, min_length = 1)]
    pub current_password: Option<SecretString>,
    #[schema(value_type = Option<String>, format = Password, min_length = 1)]
    pub new_password: Option<SecretString>,
}

/// Starts a session of `user` through `app` and issues its tokens. The session ends at
/// `session_expires_at` (default: the refresh-token lifetime).
pub(crate) async fn tokens_for(state: &AppState, instance: &Instance, app: &Application, req: &HttpRequest, user: EndUser) -> Result<UserTokens, ApiError> {
    let settings = crate::routes::config::service::settings_of(state, instance).await?;
    let expires_at = now() + chrono::Duration::seconds(settings.refresh_ttl_secs);
    tokens_until(state, instance, app, req, user, expires_at).await.map(|(t, _)| t)
}

/// [`tokens_for`] with the session's end chosen; also answers the session's id.
pub(crate) async fn tokens_until(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    req: &HttpRequest,
    user: EndUser,
    expires_at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(UserTokens, Uuid), ApiError> {
    let (refresh_token, refresh_hash) = new_refresh_token();
    let (ip, ua) = (client_ip(req), user_agent(req));
    let txn = steward_persistence::begin(&state.db).await?;
    let session = sessions::start_in(
        &txn,
        NewSession {
            subject: Subject::EndUser { instance_id: instance.id, user_id: user.id },
            application_id: Some(app.id),
            expires_at,
            refresh_token_hash: &refresh_hash,
            ip: ip.as_deref(),
            user_agent: ua.as_deref(),
        },
    )
    .await?;
    let data = serde_json::json!({ "user": UserDto::from(user.clone()), "application": { "id": app.id, "client_id": app.client_id, "name": app.name }, "session_id": session.id });
    crate::webhooks::record(state, &txn, instance.id, steward_domain::webhook::EventType::UserSignedIn, data).await?;
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a sign-in")))?;
    let sub = user.id.to_string();
    let ttl_secs = crate::routes::config::service::settings_of(state, instance).await?.access_ttl_secs;
    let grant = Grant { sub: &sub, client_id: &app.client_id, typ: USER, scope: "", sid: Some(session.id), ttl_secs };
    let (access_token, expires_in) = state.instance_tokens.issue(&state.db, instance.id, &instance.slug, grant).await?;
    Ok((UserTokens { access_token, token_type: "Bearer", expires_in, refresh_token, user: UserDto::from(user) }, session.id))
}

/// Signs an end user in through `app`: lockout, constant-cost check, blocked users refused.
pub(super) async fn sign_in(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    req: &HttpRequest,
    email: &Email,
    password: &str,
) -> Result<UserTokens, ApiError> {
    let user = check_user_password(state, instance, app, req, email, password).await?;
    tokens_for(state, instance, app, req, user).await
}

/// 403 `email_not_verified` when the instance requires a verified email to sign in
/// (`signin.require_verified_email`) and `user` has not verified theirs.
async fn require_verified(state: &AppState, instance: &Instance, user: &EndUser) -> Result<(), ApiError> {
    if !user.email_verified && crate::routes::config::service::settings_of(state, instance).await?.require_verified_email {
        return Err(ApiError::forbidden("Verify your email address before signing in: follow the link sent to it, or ask for a new one.")
            .with_code("email_not_verified"));
    }
    Ok(())
}

/// The user whose email and password these are, through `app`: the password provider must be
/// on for it; lockout, constant-cost check, blocked users refused; the sign-in is recorded.
pub(crate) async fn check_user_password(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    req: &HttpRequest,
    email: &Email,
    password: &str,
) -> Result<EndUser, ApiError> {
    crate::routes::identity_providers::service::require(state, instance.id, app.id, steward_domain::identity_provider::ProviderKind::Password).await?;
    let (ip, ua) = (client_ip(req), user_agent(req));
    let user = end_users::by_email(&state.db, instance.id, email.as_str()).await?;
    let attempt = Attempt { instance_id: Some(instance.id), email: email.as_str(), ip: ip.as_deref(), user_agent: ua.as_deref() };
    let candidate = user.as_ref().map(|u| Candidate { id: u.id, password_hash: u.password_hash.as_deref() });
    check_password(state, attempt, candidate, password).await?;
    let Some(user) = user else { return Err(ApiError::invariant()) };
    if user.blocked {
        return Err(blocked());
    }
    require_verified(state, instance, &user).await?;
    end_users::record_login(&state.db, instance.id, user.id).await?;
    Ok(user)
}

/// Exchanges an end user's refresh token (single use) through `app`.
pub(super) async fn refresh_tokens(state: &AppState, instance: &Instance, app: &Application, refresh_token: &str) -> Result<UserTokens, ApiError> {
    let presented = hash_refresh_token(refresh_token);
    let (next_token, next_hash) = new_refresh_token();
    let session = match sessions::rotate(&state.db, Realm::Instance(instance.id), &presented, &next_hash).await? {
        Rotation::Rotated(s) => s,
        Rotation::Reused => {
            return Err(ApiError::unauthorized("refresh_token_reused", "This refresh token was already used, so its session has been ended. Sign in again."));
        }
        Rotation::Invalid => {
            return Err(ApiError::unauthorized("invalid_refresh_token", "The refresh token is invalid or its session has ended. Sign in again."));
        }
    };
    let user_id = session.end_user_id.ok_or_else(ApiError::invariant)?;
    let user =
        end_users::get(&state.db, instance.id, user_id).await?.ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "This user no longer exists."))?;
    if user.blocked {
        return Err(blocked());
    }
    require_verified(state, instance, &user).await?;
    let sub = user.id.to_string();
    let ttl_secs = crate::routes::config::service::settings_of(state, instance).await?.access_ttl_secs;
    let grant = Grant { sub: &sub, client_id: &app.client_id, typ: USER, scope: "", sid: Some(session.id), ttl_secs };
    let (access_token, expires_in) = state.instance_tokens.issue(&state.db, instance.id, &instance.slug, grant).await?;
    Ok(UserTokens { access_token, token_type: "Bearer", expires_in, refresh_token: next_token, user: UserDto::from(user) })
}

async fn check_mail_limits(state: &AppState, instance: &Instance, req: &HttpRequest, recipient: &str) -> Result<(), ApiError> {
    crate::throttle::check_mail_limits(state, Some(instance), req, recipient).await
}

fn blocked() -> ApiError {
    ApiError::forbidden("This account is blocked. Contact the application's support.").with_code("user_blocked")
}

/// The answer to a registration, the same whether or not the email was already registered.
#[derive(Serialize, ToSchema)]
pub struct RegistrationAccepted {
    /// `verification_sent`.
    pub status: &'static str,
    /// The (normalised) email the message went to.
    pub email: String,
}

/// Register an end user with email and password.
///
/// Answers 202 whether or not the email is already registered, so the answer reveals nothing:
/// a new user gets a verification email; the owner of an existing account gets a notice that
/// someone tried to sign up with their address. A new user can sign in at once; their email
/// stays unverified until they follow the link.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    request_body = RegisterRequest,
    responses(
        (status = 202, body = RegistrationAccepted),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/register")]
#[tracing::instrument(skip_all)]
pub async fn register(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<RegisterRequest>>,
) -> Result<HttpResponse, ApiError> {
    let b = body.get()?.0;
    let request = CreateUserRequest {
        email: b.email,
        given_name: b.given_name,
        family_name: b.family_name,
        name: b.name,
        password: Some(b.password),
        email_verified: None,
        blocked: None,
        metadata: None,
        send_invitation: None,
    };
    let email = super::guest::register_for(&state, &caller.instance, &caller.app, &req, request).await?;
    Ok(HttpResponse::Accepted().json(RegistrationAccepted { status: "verification_sent", email }))
}

/// Sign an end user in with email and password.
///
/// The same rules as the console: an unknown email and a wrong password answer alike; 10
/// failures within 15 minutes lock the email in this instance (429 with `Retry-After`).
#[utoipa::path(
    operation_id = "end_user_login",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    request_body = UserLoginRequest,
    responses(
        (status = 200, body = UserTokens),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<UserLoginRequest>>,
) -> Result<HttpResponse, ApiError> {
    let b = body.get()?.0;
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&b.email));
    if b.password.expose_secret().is_empty() {
        fields.push(FieldError::new("password", "required", "Password is required."));
    }
    fields.finish()?;
    let Some(email) = email else { return Err(ApiError::invariant()) };
    let tokens = sign_in(&state, &caller.instance, &caller.app, &req, &email, b.password.expose_secret()).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(tokens))
}

/// Exchange an end user's refresh token for new tokens (single use; reuse ends the session).
#[utoipa::path(
    operation_id = "end_user_refresh",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    request_body = UserRefreshRequest,
    responses(
        (status = 200, body = UserTokens),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/auth/refresh")]
#[tracing::instrument(skip_all)]
pub async fn refresh(state: web::Data<AppState>, caller: AppCaller, body: Deferred<ApiJson<UserRefreshRequest>>) -> Result<HttpResponse, ApiError> {
    let tokens = refresh_tokens(&state, &caller.instance, &caller.app, body.get()?.0.refresh_token.expose_secret()).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(tokens))
}

#[utoipa::path(
    operation_id = "end_user_logout",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    responses((status = 204, description = "Signed out."), (status = 401, response = crate::problem::Unauthorized))
)]
#[post("/{instance}/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn logout(state: web::Data<AppState>, caller: AppCaller) -> Result<HttpResponse, ApiError> {
    let (user, sid) = caller.end_user()?;
    sessions::revoke(&state.db, Subject::EndUser { instance_id: caller.instance.id, user_id: user.id }, sid, RevokeReason::Logout).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in end user's own account.
#[utoipa::path(
    operation_id = "get_own_account",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, response = crate::problem::Unauthorized))
)]
#[get("/{instance}/me")]
#[tracing::instrument(skip_all)]
pub async fn get_me(caller: AppCaller) -> Result<HttpResponse, ApiError> {
    let (user, _) = caller.end_user()?;
    Ok(HttpResponse::Ok().json(UserDto::from(user.clone())))
}

/// Change the signed-in end user's names, email or password (the last two need the current
/// password, under the sign-in lockout). Everything is checked before anything is saved. A new
/// password ends the user's other sessions. A new email is changed only once its owner follows
/// the link sent to it; the answer is the same whether or not another account has the address.
#[utoipa::path(
    operation_id = "update_own_account",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    request_body = UpdateOwnAccountRequest,
    responses(
        (status = 200, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[patch("/{instance}/me")]
#[tracing::instrument(skip_all)]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<UpdateOwnAccountRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (user, sid) = caller.end_user()?;
    let b = body.get()?.0;
    let sensitive = b.new_password.is_some() || b.email.as_deref().is_some_and(|e| !e.trim().eq_ignore_ascii_case(&user.email));
    if sensitive {
        let Some(current) = b.current_password.as_ref().map(|p| p.expose_secret()).filter(|p| !p.is_empty()) else {
            return Err(ApiError::field("current_password", "required", "Enter the current password to change the email or the password."));
        };
        let (ip, ua) = (client_ip(&req), user_agent(&req));
        let attempt = Attempt { instance_id: Some(caller.instance.id), email: &user.email, ip: ip.as_deref(), user_agent: ua.as_deref() };
        check_current_password(&state, attempt, Candidate { id: user.id, password_hash: user.password_hash.as_deref() }, current).await?;
    }
    // A change of address sends a confirmation to an address the caller chooses: the same limits
    // as every public route that sends email.
    if let Some(new_email) = b.email.as_deref().and_then(|e| Email::parse(e).ok()).filter(|e| e.as_str() != user.email) {
        check_mail_limits(&state, &caller.instance, &req, new_email.as_str()).await?;
    }
    let changes =
        service::OwnAccountChanges { given_name: b.given_name, family_name: b.family_name, name: b.name, email: b.email, new_password: b.new_password };
    let updated = service::update_own_account(&state, &caller.instance, user.clone(), sid, changes).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(updated)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the email's link (`token=` query parameter).
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the reset (or invitation) email's link.
    pub token: String,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub password: SecretString,
}

use service::invalid_link;

async fn instance_of(state: &AppState, slug: &str) -> Result<steward_persistence::instances::Instance, ApiError> {
    state.cache.instance_row(&state.db, slug).await?.ok_or_else(super::gate::instance_not_found)
}

/// Confirm an end user's email (or a new address they asked for) with the token from the
/// email's link.
#[utoipa::path(
    tag = "end-user-auth",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body = TokenRequest,
    responses(
        (status = 200, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/auth/verify-email")]
#[tracing::instrument(skip_all)]
pub async fn verify_email(state: web::Data<AppState>, path: web::Path<String>, body: ApiJson<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let instance = instance_of(&state, &path).await?;
    let token = user_tokens::consume(&state.db, instance.id, &emails::token_hash(&body.0.token), &[Purpose::VerifyEmail, Purpose::ChangeEmail])
        .await?
        .ok_or_else(invalid_link)?;
    let user = end_users::get(&state.db, instance.id, token.end_user_id).await?.ok_or_else(invalid_link)?;
    let user = if token.purpose == Purpose::ChangeEmail.as_str() {
        service::confirm_email_change(&state, user, &token.email).await?
    } else {
        // A link for an address the user no longer has verifies nothing.
        if !user.email.eq_ignore_ascii_case(&token.email) {
            return Err(invalid_link());
        }
        service::verify_email(&state, user).await?
    };
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Send the verification email again. Answers 202 whether or not the email is registered.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "If the email is registered and unverified, a new link is on its way."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/resend-verification")]
#[tracing::instrument(skip_all)]
pub async fn resend_verification(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<EmailRequest>>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.get()?.0.email).map_err(|e| ApiError::validation(vec![FieldError::from_value("email", e)]))?;
    check_mail_limits(&state, &caller.instance, &req, email.as_str()).await?;
    // One insert whatever the address: who has it is decided when the email is sent.
    emails::queue_link_by_email(&state.db, &caller.instance, email.as_str(), Purpose::VerifyEmail, Some(caller.app.id)).await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Accepted().finish())
}

/// Send a password-reset link. Answers 202 whether or not the email is registered.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "If the email is registered, a reset link is on its way."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/forgot-password")]
#[tracing::instrument(skip_all)]
pub async fn forgot_password(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<EmailRequest>>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.get()?.0.email).map_err(|e| ApiError::validation(vec![FieldError::from_value("email", e)]))?;
    check_mail_limits(&state, &caller.instance, &req, email.as_str()).await?;
    // One insert whatever the address: who has it is decided when the email is sent.
    emails::queue_link_by_email(&state.db, &caller.instance, email.as_str(), Purpose::ResetPassword, Some(caller.app.id)).await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token of a reset (30 minutes, single use) or invitation email.
/// Every session of the user ends; an invitation also verifies the email.
#[utoipa::path(
    tag = "end-user-auth",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "Password set."), (status = 400, response = crate::problem::BadRequest), (status = 404, response = crate::problem::NotFound), (status = 422, response = crate::problem::ValidationFailed))
)]
#[post("/{instance}/auth/reset-password")]
#[tracing::instrument(skip_all)]
pub async fn reset_password(state: web::Data<AppState>, path: web::Path<String>, body: ApiJson<ResetPasswordRequest>) -> Result<HttpResponse, ApiError> {
    let instance = instance_of(&state, &path).await?;
    let b = body.0;
    service::reset_password(&state, &instance, &b.token, b.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

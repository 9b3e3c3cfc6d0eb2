use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use secrecy::ExposeSecret as _;
use steward_domain::{DisplayName, Email, Password};
use steward_persistence::account_events::{self, EventKind};
use steward_persistence::accounts;
use steward_persistence::sessions::{self, RevokeReason, Subject};
use uuid::Uuid;

use super::dto::{
    AccountDto, ChangePasswordRequest, RecoveryCodes, RevokedSessions, SecurityEventDto, SecurityEventList, SecurityEventQuery, SessionDto, SessionList,
    TwoFactorEnableRequest, TwoFactorProofRequest, TwoFactorSetup, TwoFactorSetupRequest, TwoFactorStatus, UpdateMeRequest,
};
use crate::AppState;
use crate::accounts::{self as service, RequestOrigin};
use crate::auth::Authenticated;
use crate::auth::signin::{Attempt, Candidate, check_current_password};
use crate::auth::two_factor::{self, Proof};
use crate::extract::{ApiJson, ApiQuery, PageQuery};
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

/// Change the name and/or email. Changing the email requires the current password; the new
/// address starts unverified (a link is sent to it) and the old address is told.
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
    let email = email.filter(|e| e.as_str() != account.email);
    if email.is_some() {
        let Some(current) = body.current_password.as_ref().map(|p| p.expose_secret()).filter(|p| !p.is_empty()) else {
            return Err(ApiError::field("current_password", "required", "Enter your current password to change your email."));
        };
        check_current(&state, &req, &account, current).await?;
    }
    let updated = service::update_profile(&state, &req, &account, name, email).await?;
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
    service::change_password(&state, &req, &account, auth.session_id, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The current password, checked under the console's sign-in lockout.
async fn check_current(state: &AppState, req: &HttpRequest, account: &accounts::Account, password: &str) -> Result<(), ApiError> {
    let origin = RequestOrigin::of(req);
    let attempt = Attempt { instance_id: None, email: &account.email, ip: origin.ip.as_deref(), user_agent: origin.user_agent.as_deref() };
    check_current_password(state, attempt, Candidate { id: account.id, password_hash: Some(&account.password_hash) }, password).await
}

/// Send the verification link to the account's address again.
#[utoipa::path(
    tag = "me",
    operation_id = "resend_account_verification",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way; earlier links stop working."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/verification-email")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn resend_verification(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let account = load(&state, &auth).await?;
    service::resend_verification(&state, &req, &account).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The account's active sessions (signed-in devices), most recently used first.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, body = SessionList), (status = 401, response = crate::problem::Unauthorized))
)]
#[get("/me/sessions")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn list_sessions(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let items = sessions::list_active(&state.db, Subject::Account(auth.account_id)).await?;
    Ok(HttpResponse::Ok().json(SessionList { items: items.into_iter().map(|s| SessionDto::new(s, auth.session_id)).collect() }))
}

/// End one of the account's sessions (the device must sign in again). Another account's session
/// is not found.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/me/sessions/{id}")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn revoke_session(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest, path: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let origin = RequestOrigin::of(&req);
    let txn = steward_persistence::begin(&state.db).await?;
    if !sessions::revoke(&txn, Subject::Account(auth.account_id), id, RevokeReason::RevokedByUser).await? {
        return Err(ApiError::not_found("No active session of yours has this id."));
    }
    account_events::record(&txn, auth.account_id, EventKind::SessionRevoked, origin.as_origin(), Some(&id.to_string())).await?;
    txn.commit().await.map_err(service::commit_error("Failed to commit a session revocation"))?;
    Ok(HttpResponse::NoContent().finish())
}

/// End every session of the account except this one.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, body = RevokedSessions), (status = 401, response = crate::problem::Unauthorized))
)]
#[post("/me/sessions/revoke-others")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn revoke_other_sessions(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let origin = RequestOrigin::of(&req);
    let txn = steward_persistence::begin(&state.db).await?;
    let revoked = sessions::revoke_others(&txn, Subject::Account(auth.account_id), Some(auth.session_id), RevokeReason::RevokedByUser).await?;
    account_events::record(&txn, auth.account_id, EventKind::OtherSessionsRevoked, origin.as_origin(), Some(&format!("{revoked} sessions"))).await?;
    txn.commit().await.map_err(service::commit_error("Failed to commit a session revocation"))?;
    Ok(HttpResponse::Ok().json(RevokedSessions { revoked }))
}

/// The account's security log, newest first: sign-ins and failed attempts, password, email and
/// two-factor changes, sessions ended.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(SecurityEventQuery),
    responses(
        (status = 200, body = SecurityEventList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/me/security-events")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn list_security_events(state: web::Data<AppState>, auth: Authenticated, query: ApiQuery<SecurityEventQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let (limit, cursor) = PageQuery { limit: query.limit, cursor: query.cursor }.parse()?;
    let kinds: Vec<EventKind> = query.kind.into_iter().map(EventKind::from).collect();
    let page = account_events::list(&state.db, auth.account_id, &kinds, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(SecurityEventList {
        items: page.items.into_iter().filter_map(SecurityEventDto::from_stored).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

/// Whether two-factor sign-in is on, and how many recovery codes are left.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, body = TwoFactorStatus), (status = 401, response = crate::problem::Unauthorized))
)]
#[get("/me/two-factor")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn get_two_factor(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let account = load(&state, &auth).await?;
    let left = if account.totp_enabled_at.is_some() { two_factor::recovery_codes_left(&state, &account).await? } else { 0 };
    Ok(HttpResponse::Ok().json(TwoFactorStatus {
        enabled: account.totp_enabled_at.is_some(),
        enabled_at: account.totp_enabled_at.map(|t| t.to_utc()),
        recovery_codes_left: left,
    }))
}

/// Start enrolling an authenticator app: a new secret, shown once (needs the password).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorSetupRequest,
    responses(
        (status = 200, body = TwoFactorSetup),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/two-factor/setup")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn setup_two_factor(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<TwoFactorSetupRequest>,
) -> Result<HttpResponse, ApiError> {
    let password = body.0.current_password;
    if password.expose_secret().is_empty() {
        return Err(ApiError::field("current_password", "required", "Enter your current password."));
    }
    let account = load(&state, &auth).await?;
    if account.totp_enabled_at.is_some() {
        return Err(ApiError::conflict("two_factor_enabled", "Two-factor sign-in is already on. Turn it off first to enrol a new authenticator."));
    }
    check_current(&state, &req, &account, password.expose_secret()).await?;
    let setup = two_factor::begin_setup(&state, &account).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(TwoFactorSetup { secret: setup.secret, otpauth_uri: setup.otpauth_uri }))
}

/// A wrong code in a profile form is a field error.
fn as_field(e: ApiError, field: &'static str) -> ApiError {
    if e.code() == "invalid_two_factor_code" { ApiError::field(field, "invalid_code", "The code is incorrect, expired or was already used.") } else { e }
}

/// Confirm enrolment with a code from the app: two-factor is on, and ten recovery codes are
/// returned (shown once).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorEnableRequest,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/two-factor/enable")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn enable_two_factor(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<TwoFactorEnableRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = load(&state, &auth).await?;
    let codes = two_factor::enable(&state, &account, &body.0.code, &RequestOrigin::of(&req)).await.map_err(|e| as_field(e, "code"))?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(RecoveryCodes { recovery_codes: codes }))
}

/// Turn two-factor sign-in off, with a code from the app or a recovery code.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorProofRequest,
    responses(
        (status = 204, description = "Two-factor is off; the recovery codes are gone."),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/two-factor/disable")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn disable_two_factor(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<TwoFactorProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let (proof, field) = Proof::from_fields(body.code, body.recovery_code)?;
    let account = load(&state, &auth).await?;
    two_factor::disable(&state, &account, &proof, &RequestOrigin::of(&req)).await.map_err(|e| as_field(e, field))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the recovery codes (the old ones stop working), with a code from the app or a
/// recovery code.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorProofRequest,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/me/two-factor/recovery-codes")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: ApiJson<TwoFactorProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let (proof, field) = Proof::from_fields(body.code, body.recovery_code)?;
    let account = load(&state, &auth).await?;
    let codes = two_factor::regenerate_recovery_codes(&state, &account, &proof, &RequestOrigin::of(&req)).await.map_err(|e| as_field(e, field))?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(RecoveryCodes { recovery_codes: codes }))
}

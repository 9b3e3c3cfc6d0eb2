use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use secrecy::ExposeSecret as _;
use steward_domain::{DisplayName, Email, Password};
use steward_persistence::account_events::{self, EventKind};
use steward_persistence::sessions::{self, NewSession, Realm, RevokeReason, Rotation, Subject};
use steward_persistence::{accounts, now};
use uuid::Uuid;

use super::dto::{
    AccountLinkInfo, ForgotPasswordRequest, LoginRequest, RefreshRequest, ResetPasswordRequest, SessionDelivery, SignupRequest, SignupResponse, TokenRequest,
    TokenResponse, TwoFactorChallenge, TwoFactorLoginRequest, TwoFactorMethod,
};
use crate::AppState;
use crate::accounts::{self as service, RequestOrigin};
use crate::auth::Authenticated;
use crate::auth::signin::{Attempt, Candidate, check_password};
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::auth::two_factor::{self, Proof};
use crate::extract::{ApiJson, client_ip, user_agent};
use crate::problem::{ApiError, Fields};
use crate::routes::me::AccountDto;

/// The cookie that keeps a console session's refresh token when asked for.
pub const REFRESH_COOKIE: &str = "steward_refresh";
/// Where the browser sends it: the refresh route only.
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth/refresh";
/// The request header a client sends to keep its refresh token in the cookie.
pub const SESSION_HEADER: &str = "x-steward-session";

/// The header that asks for cookie delivery, documented on the routes that honour it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Documents the header; the handlers read it with `delivery`.
pub struct SessionHeader {
    /// `cookie`: keep the refresh token in an HttpOnly cookie instead of the body (the console).
    #[param(rename = "X-Steward-Session", value_type = SessionDelivery, inline, required = false)]
    pub delivery: Option<String>,
}

fn delivery(req: &HttpRequest) -> Result<SessionDelivery, ApiError> {
    match req.headers().get(SESSION_HEADER).map(|v| v.to_str().unwrap_or("")) {
        None | Some("body") => Ok(SessionDelivery::Body),
        Some("cookie") => Ok(SessionDelivery::Cookie),
        Some(_) => Err(ApiError::bad_request("invalid_header", "X-Steward-Session must be body or cookie.")),
    }
}

/// The refresh token from the session cookie, if the request carries one.
fn refresh_cookie(req: &HttpRequest) -> Option<String> {
    crate::extract::cookie(req, REFRESH_COOKIE)
}

/// `Set-Cookie` for the refresh token (`None` clears it): HttpOnly, SameSite=Strict, scoped to
/// the refresh route, Secure when the server is reached over https.
fn set_refresh_cookie(state: &AppState, token: Option<&str>) -> (header::HeaderName, String) {
    crate::extract::set_cookie(REFRESH_COOKIE, token, REFRESH_COOKIE_PATH, state.refresh_ttl_secs, "Strict", state.public_url.starts_with("https://"))
}

/// The answer carrying a session's tokens, the refresh token where the client asked for it.
fn with_tokens<T: serde::Serialize>(
    state: &AppState,
    mut res: actix_web::HttpResponseBuilder,
    how: SessionDelivery,
    refresh_token: &str,
    body: T,
) -> HttpResponse {
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if how == SessionDelivery::Cookie {
        res.insert_header(set_refresh_cookie(state, Some(refresh_token)));
    }
    res.json(body)
}

/// Starts a session for `account_id` and returns its first tokens.
pub(crate) async fn issue_session(state: &AppState, req: &HttpRequest, account_id: Uuid) -> Result<TokenResponse, ApiError> {
    let (refresh_token, refresh_hash) = new_refresh_token();
    let ip = client_ip(req);
    let ua = user_agent(req);
    let session = sessions::start(
        &state.db,
        NewSession {
            subject: Subject::Account(account_id),
            application_id: None,
            expires_at: now() + chrono::Duration::seconds(state.refresh_ttl_secs),
            refresh_token_hash: &refresh_hash,
            ip: ip.as_deref(),
            user_agent: ua.as_deref(),
        },
    )
    .await?;
    let access_token = state.tokens.issue_access(account_id, session.id)?;
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: state.tokens.access_ttl_secs(), refresh_token: Some(refresh_token) })
}

/// Create a console account and sign it in. A verification link is sent to the address; until
/// it is followed, the account cannot accept invitations to instances.
#[utoipa::path(
    tag = "auth",
    params(SessionHeader),
    request_body = SignupRequest,
    responses(
        (status = 201, body = SignupResponse, headers(("Location" = String, description = "/api/v1/me"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/auth/signup")]
#[tracing::instrument(skip_all)]
pub async fn signup(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<SignupRequest>) -> Result<HttpResponse, ApiError> {
    let how = delivery(&req)?;
    let body = body.0;
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&body.email));
    let password = fields.check("password", Password::parse(body.password));
    let name = fields.check("name", DisplayName::parse(&body.name));
    fields.finish()?;
    let (Some(email), Some(password), Some(name)) = (email, password, name) else { return Err(ApiError::invariant()) };

    let account = service::sign_up(&state, &req, email, password, name).await?;
    let tokens = issue_session(&state, &req, account.id).await?;
    let refresh_token = tokens.refresh_token.unwrap_or_default();
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, "/api/v1/me"));
    let body = SignupResponse {
        account: AccountDto::from(account),
        access_token: tokens.access_token,
        token_type: tokens.token_type,
        expires_in: tokens.expires_in,
        refresh_token: (how == SessionDelivery::Body).then(|| refresh_token.clone()),
    };
    Ok(with_tokens(&state, res, how, &refresh_token, body))
}

/// Sign in with email and password.
///
/// When the account has two-factor sign-in on, the right password answers 202 with a challenge
/// instead of tokens: complete the sign-in at `POST /api/v1/auth/login/two-factor`.
///
/// An unknown email and a wrong password get the same answer in the same time. After 10 failed
/// attempts for one email within 15 minutes, attempts are refused with 429 and `Retry-After`
/// (even with the right password) until the window has passed.
#[utoipa::path(
    tag = "auth",
    params(SessionHeader),
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 202, body = TwoFactorChallenge, description = "The password is right; a second factor is needed."),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<LoginRequest>) -> Result<HttpResponse, ApiError> {
    let how = delivery(&req)?;
    let body = body.0;
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&body.email));
    if body.password.expose_secret().is_empty() {
        fields.push(crate::problem::FieldError::new("password", "required", "Password is required."));
    }
    fields.finish()?;
    let Some(email) = email else { return Err(ApiError::invariant()) };
    let ip = client_ip(&req);
    let ua = user_agent(&req);
    let account = accounts::find_by_email(&state.db, email.as_str()).await?;
    let attempt = Attempt { instance_id: None, email: email.as_str(), ip: ip.as_deref(), user_agent: ua.as_deref() };
    let candidate = account.as_ref().map(|a| Candidate { id: a.id, password_hash: Some(a.password_hash.as_str()) });
    check_password(&state, attempt, candidate, body.password.expose_secret()).await?;
    let Some(account) = account else { return Err(ApiError::invariant()) };
    if account.totp_enabled_at.is_some() {
        let (challenge_token, expires_in) = two_factor::challenge(&state, &account).await?;
        let body = TwoFactorChallenge { challenge_token, expires_in, methods: vec![TwoFactorMethod::Totp, TwoFactorMethod::RecoveryCode] };
        return Ok(HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "no-store")).json(body));
    }
    signed_in(&state, &req, how, &account, None).await
}

/// Records the sign-in and answers with the new session's tokens.
async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    how: SessionDelivery,
    account: &accounts::Account,
    detail: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    account_events::record(&state.db, account.id, EventKind::SignedIn, RequestOrigin::of(req).as_origin(), detail).await?;
    let mut tokens = issue_session(state, req, account.id).await?;
    let refresh_token = tokens.refresh_token.take().unwrap_or_default();
    if how == SessionDelivery::Body {
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(with_tokens(state, HttpResponse::Ok(), how, &refresh_token, tokens))
}

/// Complete a sign-in with two-factor: the challenge from `POST /api/v1/auth/login` and a code
/// from the authenticator app (or a recovery code, which is then used up). A code works once;
/// wrong codes are limited like wrong passwords (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    params(SessionHeader),
    request_body = TwoFactorLoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/auth/login/two-factor")]
#[tracing::instrument(skip_all)]
pub async fn login_two_factor(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<TwoFactorLoginRequest>) -> Result<HttpResponse, ApiError> {
    let how = delivery(&req)?;
    let body = body.0;
    let (proof, _) = Proof::from_fields(body.code, body.recovery_code)?;
    let detail = match proof {
        Proof::Code(_) => "with an authenticator code",
        Proof::RecoveryCode(_) => "with a recovery code",
    };
    let account = two_factor::complete_sign_in(&state, &body.challenge_token, &proof, &RequestOrigin::of(&req)).await?;
    signed_in(&state, &req, how, &account, Some(detail)).await
}

/// Verify the account's email address with the link sent to it.
#[utoipa::path(
    tag = "auth",
    operation_id = "verify_account_email",
    request_body = TokenRequest,
    responses(
        (status = 200, body = AccountDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/auth/verify-email")]
#[tracing::instrument(skip_all)]
pub async fn verify_email(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let account = service::verify_email(&state, &req, &body.0.token).await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// Describe a console account's link (verification or password reset): the address it went to
/// and whether it still works. Public (the link's token is the proof).
#[utoipa::path(
    tag = "auth",
    operation_id = "get_account_link_info",
    request_body = TokenRequest,
    responses(
        (status = 200, body = AccountLinkInfo),
        (status = 400, response = crate::problem::BadRequest),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/auth/link-info")]
#[tracing::instrument(skip_all)]
pub async fn link_info(state: web::Data<AppState>, body: ApiJson<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let info = service::link_info(&state, &body.0.token).await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(info))
}

/// Ask for a password-reset link. The answer is the same whether or not an account has the
/// address; the link (valid 30 minutes, once) goes only to an account's own address.
#[utoipa::path(
    tag = "auth",
    operation_id = "forgot_account_password",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "If an account has this address, a link is on its way."),
        (status = 400, response = crate::problem::BadRequest),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/auth/forgot-password")]
#[tracing::instrument(skip_all)]
pub async fn forgot_password(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<ForgotPasswordRequest>) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.0.email).map_err(|e| ApiError::validation(vec![crate::problem::FieldError::from_value("email", e)]))?;
    service::forgot_password(&state, &req, &email).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Choose a new password with a reset link. Every session of the account ends; the address is
/// verified by the link.
#[utoipa::path(
    tag = "auth",
    operation_id = "reset_account_password",
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password changed; sign in with it."),
        (status = 400, response = crate::problem::BadRequest),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/auth/reset-password")]
#[tracing::instrument(skip_all)]
pub async fn reset_password(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<ResetPasswordRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    service::reset_password(&state, &req, &body.token, body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Exchange a refresh token for a new pair.
///
/// Refresh tokens rotate: each works once. Presenting one that was already used ends its whole
/// session (someone copied it), and the caller must sign in again.
#[utoipa::path(
    tag = "auth",
    params(SessionHeader),
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/auth/refresh")]
#[tracing::instrument(skip_all)]
pub async fn refresh(state: web::Data<AppState>, req: HttpRequest, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let how = delivery(&req)?;
    let presented = match (body.0.refresh_token, how) {
        (Some(token), _) => token.expose_secret().to_owned(),
        (None, SessionDelivery::Cookie) => {
            refresh_cookie(&req).ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "No session cookie was sent. Sign in again."))?
        }
        (None, SessionDelivery::Body) => {
            return Err(ApiError::field("refresh_token", "required", "refresh_token is required (or send X-Steward-Session: cookie with the session cookie)."));
        }
    };
    let presented = hash_refresh_token(&presented);
    let (next_token, next_hash) = new_refresh_token();
    match sessions::rotate(&state.db, Realm::Console, &presented, &next_hash).await? {
        Rotation::Rotated(session) => {
            let account_id = session.account_id.ok_or_else(ApiError::invariant)?;
            let access_token = state.tokens.issue_access(account_id, session.id)?;
            let body = TokenResponse {
                access_token,
                token_type: "Bearer",
                expires_in: state.tokens.access_ttl_secs(),
                refresh_token: (how == SessionDelivery::Body).then(|| next_token.clone()),
            };
            Ok(with_tokens(&state, HttpResponse::Ok(), how, &next_token, body))
        }
        Rotation::Reused => {
            tracing::warn!("a used refresh token was presented again; its session is revoked");
            Err(ApiError::unauthorized("refresh_token_reused", "This refresh token was already used, so its session has been ended. Sign in again."))
        }
        Rotation::Invalid => Err(ApiError::unauthorized("invalid_refresh_token", "The refresh token is invalid or its session has ended. Sign in again.")),
    }
}

/// Sign out: ends the session of the access token.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out."), (status = 401, response = crate::problem::Unauthorized))
)]
#[post("/auth/logout")]
#[tracing::instrument(skip_all, fields(account_id = %auth.account_id))]
pub async fn logout(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    sessions::revoke(&state.db, Subject::Account(auth.account_id), auth.session_id, RevokeReason::Logout).await?;
    // The session cookie (if any) goes with it.
    Ok(HttpResponse::NoContent().insert_header(set_refresh_cookie(&state, None)).finish())
}

//! The hosted, branded sign-in page of an instance: OAuth 2.0 authorization code with PKCE
//! (RFC 7636) for the instance's applications.
//!
//! `GET /oauth/authorize` checks the application and its exact redirect URI (a mismatch is a
//! page, never a redirect), opens an authorization request bound to this browser by a cookie,
//! and shows the instance's logo, the buttons of the providers the application offers and the
//! email-and-password form. Choosing a provider sends the person there with Steward's own
//! state, nonce and PKCE; its callback (`/oauth/callback/{provider}`) takes that state once,
//! checks the browser, exchanges the code and checks the ID token, finds or creates the account
//! and sends the person back to the application with a one-time code (60 s), exchanged at
//! `/oauth/token`. Every failure is a page that says what happened; nothing is created.

mod page;
pub mod service;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use secrecy::SecretString;
use serde::Deserialize;
use steward_domain::Email;
use steward_persistence::applications::{self, Application};
use steward_persistence::authorization_requests::{self, AuthorizationRequest};
use steward_persistence::branding as logos;
use steward_persistence::instances::Instance;
use steward_persistence::user_tokens::Purpose;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use self::page::{Button, SignInPage, View};
use self::service::{Asked, Callback, PageError, Refusal};
use crate::AppState;
use crate::emails::logo_url;

/// What an application sends the person to the sign-in page with (RFC 6749 §4.1.1, RFC 7636).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// `code`.
    pub response_type: Option<String>,
    /// The application's client id.
    pub client_id: Option<String>,
    /// One of the application's redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// The base64url SHA-256 of the application's code verifier (43 characters).
    pub code_challenge: Option<String>,
    /// `S256` (plain is refused).
    pub code_challenge_method: Option<String>,
    /// Returned unchanged with the code (at most 512 characters).
    pub state: Option<String>,
    /// Put in the ID token (at most 512 characters).
    pub nonce: Option<String>,
    /// Space-separated: `openid`, `email`, `profile`, `offline_access` (default `openid`).
    pub scope: Option<String>,
    /// Skip the page: go straight to this provider (a key from `/auth/providers`).
    pub provider: Option<String>,
}

/// The provider's answer (RFC 6749 §4.1.2).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// The page's own query: which form to show, and (a guest's upgrade link) the claim.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestPageQuery {
    /// `register` or `forgot` (default: sign in).
    pub view: Option<String>,
    /// A guest's upgrade link: claims the request for this browser, once.
    pub claim: Option<String>,
}

/// The email-and-password form.
#[derive(Deserialize, ToSchema)]
pub struct PasswordForm {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(value_type = String, format = Password, max_length = 256)]
    pub password: SecretString,
}

/// The registration form.
#[derive(Deserialize, ToSchema)]
pub struct RegisterForm {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(value_type = String, format = Password, max_length = 256)]
    pub password: SecretString,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: Option<String>,
}

/// The forgotten-password form.
#[derive(Deserialize, ToSchema)]
pub struct ForgotForm {
    #[schema(max_length = 254)]
    pub email: String,
}

fn error_page(e: PageError) -> HttpResponse {
    page::respond(e.status, page::problem(e.title, &e.detail, e.back.as_deref()))
}

async fn instance_of(state: &AppState, slug: &str) -> Result<Instance, PageError> {
    state.cache.instance_row(&state.db, slug).await?.ok_or_else(|| PageError {
        status: StatusCode::NOT_FOUND,
        title: "Not found",
        detail: "There is no sign-in page at this address.".into(),
        back: None,
    })
}

/// The open request `id` of this browser, and its application.
async fn bound(state: &AppState, req: &HttpRequest, instance: &Instance, id: &str) -> Result<(AuthorizationRequest, Application), PageError> {
    let id = id.parse::<Uuid>().map_err(|_| PageError::expired())?;
    let request = authorization_requests::open(&state.db, instance.id, id).await?.ok_or_else(PageError::expired)?;
    if !service::same_browser(req, &request) {
        return Err(PageError::expired());
    }
    let app = applications::get(&state.db, instance.id, request.application_id).await?.filter(|a| a.enabled).ok_or_else(PageError::expired)?;
    Ok((request, app))
}

/// Renders request `r`'s page.
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    r: &AuthorizationRequest,
    view: View,
    error: Option<String>,
    notice: Option<String>,
    email: &str,
) -> Result<String, PageError> {
    let offered = service::offered(state, instance.id, app.id).await?;
    let base = service::request_url(state, &instance.slug, r.id);
    let password_provider = service::password_of(&offered);
    let buttons = offered
        .iter()
        .filter(|p| service::is_button(p))
        .map(|p| Button { href: format!("{base}/provider/{}", p.key), label: p.button_label.clone(), kind: if p.kind == "oidc" { "oidc" } else { "social" } })
        .collect();
    let logo_url = logos::logo_facts(&state.db, instance.id).await?.map(|l| logo_url(&state.public_url, &instance.slug, &l.sha256));
    let registration = password_provider.is_some_and(|p| p.allow_registration);
    let target = match r.upgrade_user_id {
        Some(id) => steward_persistence::end_users::get(&state.db, instance.id, id).await?,
        None => None,
    };
    let upgrading = target.as_ref().is_some_and(|u| u.provider == steward_domain::identity_provider::ProviderKind::Guest.as_str());
    let view = match view {
        View::Register if !registration => View::SignIn,
        View::Forgot if password_provider.is_none() => View::SignIn,
        v => v,
    };
    Ok(page::sign_in(&SignInPage {
        instance_name: &instance.name,
        logo_url,
        base,
        buttons,
        password: password_provider.is_some(),
        registration,
        view,
        error,
        notice,
        email: email.to_owned(),
        upgrading,
        linking: target.is_some() && !upgrading,
    }))
}

/// A page of request `r` (its forms may end at the application).
fn page_of(status: StatusCode, html: String, r: &AuthorizationRequest) -> HttpResponse {
    page::respond_to(status, html, Some(&r.redirect_uri))
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).insert_header((header::CACHE_CONTROL, "no-store")).finish()
}

/// Start signing in (the hosted sign-in page).
///
/// The application sends the person here with its `client_id`, one of its registered
/// `redirect_uri`s (exact match), a PKCE `code_challenge` (S256) and optionally `state`,
/// `nonce`, `scope` and `provider`. An unknown client or redirect URI is a page (the person is
/// not sent anywhere); other errors go back to the redirect URI as `error` and
/// `error_description`. On success the person ends at the redirect URI with `code`, `state`
/// and `iss`.
#[utoipa::path(
    operation_id = "hosted_authorize",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in page", content_type = "text/html", body = String),
        (status = 302, description = "Straight to the provider asked for", headers(("Location" = String))),
        (status = 303, description = "Back to the application with an error", headers(("Location" = String))),
        (status = 400, description = "An unknown client or redirect URI", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 429, description = "Too many sign-ins started from this address (see Retry-After)", content_type = "text/html", body = String),
        (status = 502, description = "The provider asked for could not be reached", content_type = "text/html", body = String),
        (status = 503, description = "Too many sign-ins waiting on providers", content_type = "text/html", body = String),
    )
)]
#[get("/{instance}/oauth/authorize")]
#[tracing::instrument(skip_all)]
pub async fn authorize(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, query: web::Query<AuthorizeQuery>) -> HttpResponse {
    match authorize_inner(&state, &req, &path, &query).await {
        Ok(res) => res,
        Err((e, retry_after)) => {
            let mut res = error_page(e);
            if let Some(secs) = retry_after
                && let Ok(v) = header::HeaderValue::from_str(&secs.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

/// Each view opens an authorization request (a row): a client IP may open so many per 10
/// minutes and instance, counted in the database (all processes).
async fn limit_page_views(state: &AppState, req: &HttpRequest, instance: &Instance) -> Result<(), (PageError, Option<u64>)> {
    let ip = crate::extract::client_ip(req).unwrap_or_else(|| "unknown".into());
    let hit = steward_persistence::rate_counters::hit(&state.db, &format!("authorize:ip:{}:{ip}", instance.id), 600).await.map_err(|e| (e.into(), None))?;
    if hit.count > i64::from(state.signin_page_limit_per_ip) {
        let retry = hit.retry_after_secs();
        let detail = format!("Too many sign-ins were started from your address. Try again in {}.", crate::throttle::in_words(retry));
        return Err((PageError { status: StatusCode::TOO_MANY_REQUESTS, title: "Too many sign-ins", detail, back: None }, Some(retry)));
    }
    Ok(())
}

async fn authorize_inner(state: &AppState, req: &HttpRequest, slug: &str, q: &AuthorizeQuery) -> Result<HttpResponse, (PageError, Option<u64>)> {
    let instance = instance_of(state, slug).await.map_err(|e| (e, None))?;
    limit_page_views(state, req, &instance).await?;
    let opened = open_page(state, &instance, q).await.map_err(|e| (e, None))?;
    Ok(opened)
}

async fn open_page(state: &AppState, instance: &Instance, q: &AuthorizeQuery) -> Result<HttpResponse, PageError> {
    let instance = instance.clone();
    let unknown = || PageError::bad("Unknown application", "This sign-in link does not name an application of this instance.");
    let client_id = q.client_id.as_deref().ok_or_else(unknown)?;
    let app = applications::by_client_id(&state.db, instance.id, client_id).await?.filter(|a| a.enabled).ok_or_else(unknown)?;
    let redirect_uri = q.redirect_uri.as_deref().unwrap_or("");
    if !service::registered(&app, redirect_uri) {
        return Err(PageError::bad("Unknown redirect URI", "The redirect URI of this sign-in link is not one of the application's registered redirect URIs."));
    }
    let asked = Asked {
        response_type: q.response_type.as_deref(),
        redirect_uri,
        code_challenge: q.code_challenge.as_deref(),
        code_challenge_method: q.code_challenge_method.as_deref(),
        state: q.state.as_deref(),
        nonce: q.nonce.as_deref(),
        scope: q.scope.as_deref(),
    };
    let (request, secret) = match service::open(state, &instance, &app, &asked, None).await {
        Ok(r) => r,
        Err(Refusal { error, description }) => {
            let mut params = vec![("error", error), ("error_description", description.as_str())];
            let echoed = q.state.clone().filter(|s| s.len() <= 512);
            if let Some(s) = echoed.as_deref() {
                params.push(("state", s));
            }
            return Ok(redirect(&service::app_redirect(redirect_uri, &params)));
        }
    };
    let cookie = service::binding_cookie(state, &instance.slug, request.id, &secret);
    if let Some(key) = q.provider.as_deref().filter(|k| !k.is_empty()) {
        let to = service::to_provider(state, &instance, &app, &request, key).await?;
        return Ok(HttpResponse::Found()
            .insert_header(cookie)
            .insert_header((header::LOCATION, to))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish());
    }
    let html = render(state, &instance, &app, &request, View::SignIn, None, None, "").await?;
    let mut res = page_of(StatusCode::OK, html, &request);
    if let Ok(value) = header::HeaderValue::from_str(&cookie.1) {
        res.headers_mut().append(cookie.0, value);
    }
    Ok(res)
}

/// The sign-in page of an open request (after an error, or to switch forms).
#[utoipa::path(
    operation_id = "hosted_sign_in_page",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, ("request" = String, Path, description = "The authorization request's id"), RequestPageQuery),
    responses(
        (status = 200, description = "The sign-in page", content_type = "text/html", body = String),
        (status = 400, description = "The request has expired or belongs to another browser", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
    )
)]
#[get("/{instance}/oauth/authorize/{request}")]
#[tracing::instrument(skip_all)]
pub async fn request_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<RequestPageQuery>,
) -> HttpResponse {
    let (slug, id) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        // A guest's upgrade link claims the request for this browser, once (a new secret).
        if let Some(claim) = query.claim.as_deref() {
            let id = id.parse::<Uuid>().map_err(|_| PageError::expired())?;
            let secret = service::random_token(32);
            if !authorization_requests::claim(&state.db, instance.id, id, &crate::emails::token_hash(claim), &crate::emails::token_hash(&secret)).await? {
                return Err(PageError::expired());
            }
            let cookie = service::binding_cookie(&state, &instance.slug, id, &secret);
            let to = service::request_url(&state, &instance.slug, id);
            return Ok(HttpResponse::SeeOther()
                .insert_header(cookie)
                .insert_header((header::LOCATION, to))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish());
        }
        let (request, app) = bound(&state, &req, &instance, &id).await?;
        let html = render(&state, &instance, &app, &request, View::parse(query.view.as_deref()), None, None, "").await?;
        Ok(page_of(StatusCode::OK, html, &request))
    }
    .await
    .unwrap_or_else(error_page)
}

fn read_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    serde_urlencoded::from_bytes(body).map_err(|_| PageError::bad("Sign-in failed", "The form was incomplete. Go back and try again."))
}

/// Sign in with email and password on the hosted page.
#[utoipa::path(
    operation_id = "hosted_password_sign_in",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, ("request" = String, Path, description = "The authorization request's id")),
    request_body(content_type = "application/x-www-form-urlencoded", content = PasswordForm),
    responses(
        (status = 303, description = "Back to the application with a code", headers(("Location" = String))),
        (status = 400, description = "The request has expired or belongs to another browser", content_type = "text/html", body = String),
        (status = 401, description = "Wrong email or password: the page again, with the error", content_type = "text/html", body = String),
        (status = 403, description = "Blocked, or password sign-in is off for this application", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 429, description = "Too many failed attempts", content_type = "text/html", body = String),
    )
)]
#[post("/{instance}/oauth/authorize/{request}/password")]
#[tracing::instrument(skip_all)]
pub async fn password(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes) -> HttpResponse {
    let (slug, id) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        let (request, app) = bound(&state, &req, &instance, &id).await?;
        let form: PasswordForm = read_form(&body)?;
        let shown_email = form.email.chars().take(254).collect::<String>();
        let outcome = match Email::parse(&form.email) {
            Ok(email) => {
                crate::routes::public::auth::check_user_password(&state, &instance, &app, &req, &email, secrecy::ExposeSecret::expose_secret(&form.password))
                    .await
            }
            Err(_) => Err(crate::problem::ApiError::unauthorized("invalid_credentials", "The email or password is incorrect.")),
        };
        let user = match outcome {
            Ok(u) => u,
            Err(e) if !e.is_server_error() => {
                let status = actix_web::ResponseError::status_code(&e);
                let html = render(&state, &instance, &app, &request, View::SignIn, Some(e.detail().to_owned()), None, &shown_email).await?;
                return Ok(page_of(status, html, &request));
            }
            Err(e) => return Err(e.into()),
        };
        finish(&state, &instance, &request, &user).await
    }
    .await
    .unwrap_or_else(error_page)
}

/// Hands the application its code: a redirect, and the browser's binding cleared.
async fn finish(
    state: &AppState,
    instance: &Instance,
    request: &AuthorizationRequest,
    user: &steward_persistence::end_users::EndUser,
) -> Result<HttpResponse, PageError> {
    let to = service::complete(state, request, user, &state.instance_tokens.issuer(&instance.slug)).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(service::clear_cookie(state, &instance.slug, request.id))
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Create an account on the hosted page (when the password provider allows registration). The
/// page then asks to confirm the address and sign in — the same answer whether or not the
/// address already had an account. A guest upgrading becomes this account and goes straight
/// back to the application.
#[utoipa::path(
    operation_id = "hosted_register",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, ("request" = String, Path, description = "The authorization request's id")),
    request_body(content_type = "application/x-www-form-urlencoded", content = RegisterForm),
    responses(
        (status = 200, description = "The sign-in page, asking to confirm the address", content_type = "text/html", body = String),
        (status = 303, description = "A guest upgraded: back to the application with a code", headers(("Location" = String))),
        (status = 400, description = "The request has expired, or the form has errors", content_type = "text/html", body = String),
        (status = 403, description = "Registration is closed", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 409, description = "A guest upgrade with an address that has an account", content_type = "text/html", body = String),
        (status = 429, description = "Too many emails", content_type = "text/html", body = String),
    )
)]
#[post("/{instance}/oauth/authorize/{request}/register")]
#[tracing::instrument(skip_all)]
pub async fn register(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes) -> HttpResponse {
    let (slug, id) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        let (request, app) = bound(&state, &req, &instance, &id).await?;
        let form: RegisterForm = read_form(&body)?;
        let shown_email = form.email.chars().take(254).collect::<String>();
        let outcome = match request.upgrade_user_id {
            Some(guest) => {
                super::guest::upgrade_with_password(&state, &instance, &app, guest, form.email.clone(), form.password, None, None, form.name).await.map(Some)
            }
            None => {
                let request = crate::routes::users::dto::CreateUserRequest {
                    email: form.email.clone(),
                    given_name: None,
                    family_name: None,
                    name: form.name,
                    password: Some(form.password),
                    email_verified: None,
                    blocked: None,
                    metadata: None,
                    send_invitation: None,
                };
                super::guest::register_for(&state, &instance, &app, &req, request).await.map(|_| None)
            }
        };
        match outcome {
            Ok(Some(user)) => finish(&state, &instance, &request, &user).await,
            Ok(None) => {
                let notice = format!("We sent a link to {shown_email} to confirm the address. You can sign in now.");
                let html = render(&state, &instance, &app, &request, View::SignIn, None, Some(notice), &shown_email).await?;
                Ok(page_of(StatusCode::OK, html, &request))
            }
            Err(e) if !e.is_server_error() => {
                let status = actix_web::ResponseError::status_code(&e);
                let detail = crate::routes::public::guest::first_message(&e);
                let html = render(&state, &instance, &app, &request, View::Register, Some(detail), None, &shown_email).await?;
                Ok(page_of(if status == StatusCode::UNPROCESSABLE_ENTITY { StatusCode::BAD_REQUEST } else { status }, html, &request))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await
    .unwrap_or_else(error_page)
}

/// Ask for a password-reset link on the hosted page. The page says a link was sent if the
/// address has an account — the same answer either way.
#[utoipa::path(
    operation_id = "hosted_forgot_password",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, ("request" = String, Path, description = "The authorization request's id")),
    request_body(content_type = "application/x-www-form-urlencoded", content = ForgotForm),
    responses(
        (status = 200, description = "The sign-in page, with the notice", content_type = "text/html", body = String),
        (status = 400, description = "The request has expired, or the address is not valid", content_type = "text/html", body = String),
        (status = 403, description = "Password sign-in is off for this application", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 429, description = "Too many emails", content_type = "text/html", body = String),
    )
)]
#[post("/{instance}/oauth/authorize/{request}/forgot")]
#[tracing::instrument(skip_all)]
pub async fn forgot(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes) -> HttpResponse {
    let (slug, id) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        let (request, app) = bound(&state, &req, &instance, &id).await?;
        let form: ForgotForm = read_form(&body)?;
        let shown_email = form.email.chars().take(254).collect::<String>();
        let sent: Result<(), crate::problem::ApiError> = async {
            crate::routes::identity_providers::service::require(&state, instance.id, app.id, steward_domain::identity_provider::ProviderKind::Password).await?;
            let email = Email::parse(&form.email).map_err(|e| crate::problem::ApiError::bad_request("invalid_email", e.message))?;
            crate::throttle::check_mail_limits(&state, Some(&instance), &req, email.as_str()).await?;
            crate::emails::queue_link_by_email(&state.db, &instance, email.as_str(), Purpose::ResetPassword, Some(app.id)).await?;
            state.mail_wakeup.notify_one();
            Ok(())
        }
        .await;
        match sent {
            Ok(()) => {
                let notice = format!("If {shown_email} has an account, we sent it a link to reset the password.");
                let html = render(&state, &instance, &app, &request, View::SignIn, None, Some(notice), &shown_email).await?;
                Ok(page_of(StatusCode::OK, html, &request))
            }
            Err(e) if !e.is_server_error() => {
                let status = actix_web::ResponseError::status_code(&e);
                let html = render(&state, &instance, &app, &request, View::Forgot, Some(e.detail().to_owned()), None, &shown_email).await?;
                Ok(page_of(status, html, &request))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await
    .unwrap_or_else(error_page)
}

/// Continue at a provider: sends the person to the provider's consent page.
#[utoipa::path(
    operation_id = "hosted_continue_at_provider",
    tag = "hosted-sign-in",
    params(
        crate::openapi::InstancePath,
        ("request" = String, Path, description = "The authorization request's id"),
        ("provider" = String, Path, description = "The provider's key"),
    ),
    responses(
        (status = 302, description = "To the provider", headers(("Location" = String))),
        (status = 400, description = "The request has expired, or the provider is not offered", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 502, description = "The provider could not be reached", content_type = "text/html", body = String),
        (status = 503, description = "Too many sign-ins waiting on providers", content_type = "text/html", body = String),
    )
)]
#[get("/{instance}/oauth/authorize/{request}/provider/{provider}")]
#[tracing::instrument(skip_all)]
pub async fn provider(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String, String)>) -> HttpResponse {
    let (slug, id, key) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        let (request, app) = bound(&state, &req, &instance, &id).await?;
        let to = service::to_provider(&state, &instance, &app, &request, &key).await?;
        Ok(HttpResponse::Found().insert_header((header::LOCATION, to)).insert_header((header::CACHE_CONTROL, "no-store")).finish())
    }
    .await
    .unwrap_or_else(error_page)
}

/// Where a provider sends the person back (paste it into the provider's console: the console
/// shows it for each provider). The state is used once and must come back to the browser that
/// started; the code is exchanged and the ID token checked against the provider's keys.
#[utoipa::path(
    operation_id = "provider_callback",
    tag = "hosted-sign-in",
    params(crate::openapi::InstancePath, ("provider" = String, Path, description = "The provider's key"), CallbackQuery),
    responses(
        (status = 303, description = "Back to the application with a code", headers(("Location" = String))),
        (status = 400, description = "A wrong, replayed or expired state, another browser, a refusal or an answer that failed a check", content_type = "text/html", body = String),
        (status = 403, description = "The account is blocked", content_type = "text/html", body = String),
        (status = 404, description = "No such instance", content_type = "text/html", body = String),
        (status = 409, description = "An account with the address exists and cannot be linked this way", content_type = "text/html", body = String),
        (status = 502, description = "The provider could not be reached or answered garbage", content_type = "text/html", body = String),
        (status = 503, description = "Too many sign-ins waiting on providers", content_type = "text/html", body = String),
    )
)]
#[get("/{instance}/oauth/callback/{provider}")]
#[tracing::instrument(skip_all)]
pub async fn callback(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>, query: web::Query<CallbackQuery>) -> HttpResponse {
    let (slug, key) = path.into_inner();
    async {
        let instance = instance_of(&state, &slug).await?;
        let cb = Callback {
            code: query.code.as_deref(),
            state: query.state.as_deref(),
            error: query.error.as_deref(),
            error_description: query.error_description.as_deref(),
        };
        let (request, _app, user) = service::callback(&state, &req, &instance, &key, cb).await?;
        finish(&state, &instance, &request, &user).await
    }
    .await
    .unwrap_or_else(error_page)
}

//! Guest sessions: an application lets a person in without an account (`POST /auth/guest`), and
//! the guest later becomes a full account — with an email and a password, or at an identity
//! provider through the hosted page — keeping its id and everything attached to it. Guests that
//! never upgrade are deleted when their lifetime ends (the retention job).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use steward_domain::Email;
use steward_domain::end_user::{display_name, parse_display_name, parse_person_name};
use steward_domain::identity_provider::{DEFAULT_GUEST_LIFETIME_SECS, ProviderKind};
use steward_domain::webhook::EventType;
use steward_persistence::applications::Application;
use steward_persistence::end_users::{self, EndUser, GuestUpgrade, NewEndUser};
use steward_persistence::instances::Instance;
use steward_persistence::user_tokens::Purpose;
use steward_persistence::{now, rate_counters};
use utoipa::ToSchema;
use uuid::Uuid;

use super::gate::AppCaller;
use super::hosted::service::{self as hosted, Asked};
use crate::AppState;
use crate::extract::{ApiJson, Deferred, client_ip};
use crate::problem::{ApiError, FieldError, Fields};
use crate::routes::identity_providers::service::require;
use crate::routes::users::dto::{CreateUserRequest, UserDto};
use crate::routes::users::service;

/// Guests one client IP may start per instance and hour.
const GUESTS_PER_IP_HOUR: i64 = 60;

/// The first thing to tell a person about `e` (its first field's message, else its detail).
pub fn first_message(e: &ApiError) -> String {
    e.errors().first().map_or_else(|| e.detail().to_owned(), |f| f.message.clone())
}

/// Registers a person through `app` (the public API and the hosted page): the password provider
/// must be on for it with registration open; the mail limits count the address.
pub async fn register_for(state: &AppState, instance: &Instance, app: &Application, req: &HttpRequest, request: CreateUserRequest) -> Result<String, ApiError> {
    let provider = require(state, instance.id, app.id, ProviderKind::Password).await?;
    if !provider.allow_registration {
        return Err(ApiError::forbidden("Registration is closed for this application.").with_code("registration_closed"));
    }
    // Checked before the limits count it: the normalised address is what is limited.
    let normalised = Email::parse(&request.email).map(|e| e.into_inner()).unwrap_or_default();
    if !normalised.is_empty() {
        crate::throttle::check_mail_limits(state, Some(instance), req, &normalised).await?;
    }
    service::register(state, instance, app.id, request).await?;
    Ok(normalised)
}

/// Turns guest `guest_id` into an account with `email` and `password` (unverified: a link to
/// confirm it is sent in the same transaction). 409 `email_taken` when another user has it.
#[allow(clippy::too_many_arguments)]
pub async fn upgrade_with_password(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    guest_id: Uuid,
    email: String,
    password: SecretString,
    given_name: Option<String>,
    family_name: Option<String>,
    name: Option<String>,
) -> Result<EndUser, ApiError> {
    let provider = require(state, instance.id, app.id, ProviderKind::Password).await?;
    if !provider.allow_registration {
        return Err(ApiError::forbidden("Registration is closed for this application.").with_code("registration_closed"));
    }
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&email));
    let settings = crate::routes::config::service::settings(state, instance.id).await?;
    let password = fields.check("password", crate::routes::users::service::password_under(password, &settings));
    let given = given_name.as_deref().and_then(|g| fields.check("given_name", parse_person_name(g, "Given name")));
    let family = family_name.as_deref().and_then(|f| fields.check("family_name", parse_person_name(f, "Family name")));
    let name = name.as_deref().and_then(|n| fields.check("name", parse_display_name(n)));
    fields.finish()?;
    let (Some(email), Some(password)) = (email, password) else { return Err(ApiError::invariant()) };
    let name = name.or_else(|| Some(display_name("", given.as_deref().unwrap_or(""), family.as_deref().unwrap_or(""))));
    let hash = state.hasher.hash(password.expose()).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    let upgraded = end_users::upgrade_guest(
        &txn,
        instance.id,
        guest_id,
        GuestUpgrade {
            email: email.into_inner(),
            email_verified: false,
            password_hash: Some(hash),
            provider: "password".into(),
            given_name: given,
            family_name: family,
            name,
        },
    )
    .await?
    .ok_or_else(|| ApiError::forbidden("Only a guest can upgrade to an account.").with_code("not_a_guest"))?;
    crate::emails::queue_link(&txn, instance, &upgraded, Purpose::VerifyEmail, Some(app.id)).await?;
    service::user_event(state, &txn, EventType::UserUpdated, &upgraded).await?;
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a guest upgrade")))?;
    state.mail_wakeup.notify_one();
    tracing::info!(user_id = %upgraded.id, "guest upgraded with a password");
    Ok(upgraded)
}

/// The guest calling, or 401/403.
fn guest_of(caller: &AppCaller) -> Result<&EndUser, ApiError> {
    let (user, _) = caller.end_user()?;
    if user.provider != ProviderKind::Guest.as_str() {
        return Err(ApiError::forbidden("Only a guest can upgrade to an account.").with_code("not_a_guest"));
    }
    Ok(user)
}

/// Start a guest session.
///
/// Creates a guest end user (no email, no password) and signs it in: its session lasts the
/// guest lifetime set in the console (a week by default); the guest is then deleted unless it
/// upgraded to an account. The guest provider must be on for the application. A client IP may
/// start 60 guests an hour per instance.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    responses(
        (status = 201, body = super::auth::UserTokens),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/{instance}/auth/guest")]
#[tracing::instrument(skip_all)]
pub async fn start_guest(state: web::Data<AppState>, caller: AppCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let provider = require(&state, caller.instance.id, caller.app.id, ProviderKind::Guest).await?;
    let ip = client_ip(&req).unwrap_or_else(|| "unknown".into());
    let hit = rate_counters::hit(&state.db, &format!("guest:ip:{}:{ip}", caller.instance.id), 3600).await?;
    if hit.count > GUESTS_PER_IP_HOUR {
        return Err(ApiError::too_many("too_many_guests", "Too many guest sessions from this address. Try again later.", hit.retry_after_secs()));
    }
    let lifetime = provider.guest_lifetime_secs.unwrap_or(DEFAULT_GUEST_LIFETIME_SECS);
    let txn = steward_persistence::begin(&state.db).await?;
    let guest = end_users::create(
        &txn,
        caller.instance.id,
        NewEndUser {
            email: String::new(),
            email_verified: false,
            given_name: String::new(),
            family_name: String::new(),
            name: String::new(),
            password_hash: None,
            blocked: false,
            provider: ProviderKind::Guest.as_str().into(),
            metadata: serde_json::json!({}),
        },
    )
    .await?;
    service::user_event(&state, &txn, EventType::UserCreated, &guest).await?;
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a guest")))?;
    let expires_at = now() + chrono::Duration::seconds(lifetime);
    let (tokens, _) = super::auth::tokens_until(&state, &caller.instance, &caller.app, &req, guest, expires_at).await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(tokens))
}

/// A guest's new account details.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestUpgradeRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub password: SecretString,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", max_length = 100)]
    pub given_name: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", max_length = 100)]
    pub family_name: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", max_length = 200)]
    pub name: Option<String>,
}

/// Upgrade the signed-in guest to an account with an email and a password.
///
/// The guest keeps its id, metadata and sessions; the address is unverified until its owner
/// follows the link sent to it. 409 `email_taken` when another user has the address.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    request_body = GuestUpgradeRequest,
    responses(
        (status = 200, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/auth/guest/upgrade")]
#[tracing::instrument(skip_all)]
pub async fn upgrade_guest(state: web::Data<AppState>, caller: AppCaller, body: Deferred<ApiJson<GuestUpgradeRequest>>) -> Result<HttpResponse, ApiError> {
    let guest = guest_of(&caller)?.id;
    let b = body.get()?.0;
    let user = upgrade_with_password(&state, &caller.instance, &caller.app, guest, b.email, b.password, b.given_name, b.family_name, b.name).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Where a hosted-page link (a guest upgrading, an account linking a provider) sends the code back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostedLinkRequest {
    /// One of the application's redirect URIs, exactly: where the code comes back.
    pub redirect_uri: String,
    /// The base64url SHA-256 of the application's code verifier (43 characters).
    #[schema(min_length = 43, max_length = 43, pattern = "^[A-Za-z0-9_-]{43}$")]
    pub code_challenge: String,
    /// `S256`.
    #[schema(example = "S256")]
    pub code_challenge_method: String,
    #[serde(default)]
    #[schema(max_length = 512)]
    pub state: Option<String>,
    #[serde(default)]
    #[schema(max_length = 512)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

/// A one-time link to the hosted page for the signed-in end user.
#[derive(Serialize, ToSchema)]
pub struct HostedLink {
    /// Open it in the guest's browser (once; it works for 10 minutes).
    pub authorization_url: String,
    pub expires_in: i64,
}

/// Upgrade the signed-in guest at the hosted page: answers a one-time link that opens the
/// sign-in page for this guest. Whatever the person signs in with there (a provider, or a new
/// email and password) becomes the guest's account, keeping its id; the application then gets
/// a code at `redirect_uri`, as for any sign-in.
#[utoipa::path(
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("end_user_bearer" = [])),
    request_body = HostedLinkRequest,
    responses(
        (status = 201, body = HostedLink),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/auth/guest/link")]
#[tracing::instrument(skip_all)]
pub async fn guest_link(state: web::Data<AppState>, caller: AppCaller, body: Deferred<ApiJson<HostedLinkRequest>>) -> Result<HttpResponse, ApiError> {
    let guest = guest_of(&caller)?.id;
    hosted_link(&state, &caller, body.get()?.0, guest).await
}

/// A one-time link to the hosted page for `user_id` (a guest upgrading, or an account linking
/// another way to sign in): 201 with the URL.
pub(super) async fn hosted_link(state: &AppState, caller: &AppCaller, b: HostedLinkRequest, user_id: Uuid) -> Result<HttpResponse, ApiError> {
    if !hosted::registered(&caller.app, &b.redirect_uri) {
        return Err(ApiError::validation(vec![FieldError::new("redirect_uri", "unknown_redirect_uri", "Not one of the application's redirect URIs.")]));
    }
    let asked = Asked {
        response_type: Some("code"),
        redirect_uri: &b.redirect_uri,
        code_challenge: Some(&b.code_challenge),
        code_challenge_method: Some(&b.code_challenge_method),
        state: b.state.as_deref(),
        nonce: b.nonce.as_deref(),
        scope: b.scope.as_deref(),
    };
    let (request, claim) = hosted::open(state, &caller.instance, &caller.app, &asked, Some(user_id)).await.map_err(|r| match r.error {
        // Storing the request failed (logged where it happened): not the caller's input.
        "server_error" => ApiError::internal(anyhow::anyhow!("an authorization request could not be stored")),
        error => ApiError::validation(vec![FieldError::new(if error == "invalid_scope" { "scope" } else { "code_challenge" }, error, r.description)]),
    })?;
    let url = format!("{}?claim={claim}", hosted::request_url(state, &caller.instance.slug, request.id));
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(HostedLink { authorization_url: url, expires_in: hosted::REQUEST_TTL_SECS }))
}

//! The hosted sign-in's actions: open an authorization request for an application, send the
//! person to a provider, take them back, find or create their account, and hand the
//! application a one-time code.

use actix_web::HttpRequest;
use base64::Engine as _;
use rand::RngCore as _;
use steward_domain::end_user::{display_name, parse_display_name, parse_person_name};
use steward_domain::identity_provider::{CodeChallenge, ProviderKind, parse_passthrough};
use steward_domain::webhook::EventType;
use steward_persistence::applications::{self, Application};
use steward_persistence::authorization_requests::{self, AuthorizationRequest, NewRequest};
use steward_persistence::end_users::{self, EndUser, GuestUpgrade, NewEndUser};
use steward_persistence::identity_providers::IdentityProvider;
use steward_persistence::instances::Instance;
use steward_persistence::{Conflict, StoreError, now, user_identities};
use uuid::Uuid;

use crate::AppState;
use crate::emails::token_hash;
use crate::federation::{FederationError, Profile};
use crate::problem::ApiError;
use crate::routes::identity_providers::service::{self as providers, kind_of};

/// How long a person has to sign in after the application sent them.
pub const REQUEST_TTL_SECS: i64 = 600;
/// How long the application has to exchange the code.
pub const CODE_TTL_SECS: i64 = 60;
/// The scopes an application may ask of Steward.
pub const SCOPES: &[&str] = &["openid", "email", "profile", "offline_access"];

/// Why the person cannot go on, for the page that says so.
#[derive(Debug)]
pub struct PageError {
    pub status: actix_web::http::StatusCode,
    pub title: &'static str,
    pub detail: String,
    /// Where to try again (the request's page), when it is still open.
    pub back: Option<String>,
}

impl PageError {
    pub fn bad(title: &'static str, detail: impl Into<String>) -> Self {
        Self { status: actix_web::http::StatusCode::BAD_REQUEST, title, detail: detail.into(), back: None }
    }

    pub fn back_to(mut self, url: String) -> Self {
        self.back = Some(url);
        self
    }

    pub fn expired() -> Self {
        Self::bad(
            "This sign-in has expired",
            "This sign-in link has expired, was already used, or was opened in another browser. Go back to the application and start again.",
        )
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        if e.is_server_error() {
            tracing::error!(error = ?e, "a hosted sign-in page failed");
            return Self {
                status: actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                title: "Something went wrong",
                detail: "Something went wrong on our side. Try again in a moment.".into(),
                back: None,
            };
        }
        Self { status: actix_web::http::StatusCode::BAD_REQUEST, title: "Sign-in failed", detail: e.detail().to_owned(), back: None }
    }
}

impl From<steward_persistence::StoreError> for PageError {
    fn from(e: steward_persistence::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

/// A random token: `bytes` random bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn cookie_name(id: Uuid) -> String {
    format!("stw_authz_{}", id.simple())
}

/// The cookie that binds request `id` to this browser (sent back only to the instance's OAuth
/// routes, never readable by scripts, and — SameSite=Lax — not on cross-site POSTs).
pub fn binding_cookie(state: &AppState, slug: &str, id: Uuid, secret: &str) -> (actix_web::http::header::HeaderName, String) {
    let path = format!("/public/v1/{slug}/oauth");
    crate::extract::set_cookie(&cookie_name(id), Some(secret), &path, REQUEST_TTL_SECS, "Lax", state.public_url.starts_with("https://"))
}

/// The same cookie, expired.
pub fn clear_cookie(state: &AppState, slug: &str, id: Uuid) -> (actix_web::http::header::HeaderName, String) {
    let path = format!("/public/v1/{slug}/oauth");
    crate::extract::set_cookie(&cookie_name(id), None, &path, 0, "Lax", state.public_url.starts_with("https://"))
}

/// Whether this browser holds request `r`'s binding.
pub fn same_browser(req: &HttpRequest, r: &AuthorizationRequest) -> bool {
    crate::extract::cookie(req, &cookie_name(r.id)).is_some_and(|c| {
        let hash = token_hash(&c);
        subtle::ConstantTimeEq::ct_eq(hash.as_bytes(), r.browser_hash.as_bytes()).into()
    })
}

/// The request page's URL.
pub fn request_url(state: &AppState, slug: &str, id: Uuid) -> String {
    format!("{}/public/v1/{slug}/oauth/authorize/{id}", state.public_url)
}

/// Where to send the person back to the application, with `params`.
pub fn app_redirect(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

/// What an application asks with `GET /oauth/authorize` (or a guest's upgrade), checked.
pub struct Asked<'a> {
    pub response_type: Option<&'a str>,
    pub redirect_uri: &'a str,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
    pub state: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub scope: Option<&'a str>,
}

/// Refusals that go back to the application (RFC 6749 §4.1.2.1): `error` and its description.
pub struct Refusal {
    pub error: &'static str,
    pub description: String,
}

/// Whether `redirect_uri` is one of the application's (exact match, RFC 6749 §3.1.2.3).
pub fn registered(app: &Application, redirect_uri: &str) -> bool {
    app.redirect_uris.as_array().is_some_and(|a| a.iter().any(|u| u.as_str() == Some(redirect_uri)))
}

/// Opens an authorization request of `app` for this browser: answers the request and the
/// browser's secret (for the cookie).
pub async fn open(
    state: &AppState,
    instance: &Instance,
    app: &Application,
    asked: &Asked<'_>,
    upgrade: Option<Uuid>,
) -> Result<(AuthorizationRequest, String), Refusal> {
    let refuse = |error: &'static str, description: String| Refusal { error, description };
    if asked.response_type != Some("code") {
        return Err(refuse("unsupported_response_type", "Only response_type=code is supported.".into()));
    }
    let challenge = CodeChallenge::parse(asked.code_challenge.unwrap_or(""), asked.code_challenge_method)
        .map_err(|e| refuse("invalid_request", format!("PKCE is required: {}", e.message)))?;
    let state_param = asked.state.map(|s| parse_passthrough(s, "state")).transpose().map_err(|e| refuse("invalid_request", e.message))?;
    let nonce = asked.nonce.map(|s| parse_passthrough(s, "nonce")).transpose().map_err(|e| refuse("invalid_request", e.message))?;
    let scopes: Vec<&str> = asked.scope.unwrap_or("openid").split_whitespace().collect();
    if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(s)) {
        return Err(refuse("invalid_scope", format!("Unknown scope {bad:?}; available: {}.", SCOPES.join(" "))));
    }
    let secret = random_token(32);
    let created = authorization_requests::create(
        &state.db,
        instance.id,
        NewRequest {
            application_id: app.id,
            redirect_uri: asked.redirect_uri,
            state: state_param.as_deref(),
            nonce: nonce.as_deref(),
            code_challenge: challenge.as_str(),
            scope: &scopes.join(" "),
            browser_hash: &token_hash(&secret),
            upgrade_user_id: upgrade,
            expires_at: now() + chrono::Duration::seconds(REQUEST_TTL_SECS),
        },
    )
    .await
    .map_err(|e| {
        tracing::error!(error = ?e, "an authorization request could not be stored");
        refuse("server_error", "The sign-in could not start. Try again.".into())
    })?;
    Ok((created, secret))
}

/// The external providers `app` offers, in order.
pub async fn offered(state: &AppState, instance_id: Uuid, app_id: Uuid) -> Result<Vec<IdentityProvider>, ApiError> {
    Ok(providers::effective(state, instance_id).await?.into_iter().filter(|p| p.enabled && p.allows(app_id)).collect())
}

/// The values sent to the provider: where to send the person.
pub async fn to_provider(state: &AppState, instance: &Instance, app: &Application, request: &AuthorizationRequest, key: &str) -> Result<String, PageError> {
    let back = request_url(state, &instance.slug, request.id);
    let provider = providers::effective_one(state, instance.id, key)
        .await?
        .filter(|p| p.enabled && kind_of(p).is_external() && p.allows(app.id))
        .ok_or_else(|| PageError::bad("Not available", "This way of signing in is not available for this application.").back_to(back.clone()))?;
    let kind = kind_of(&provider);
    let _permit = state.federation.permit(instance.id).map_err(|e| unavailable(e, &back))?;
    let upstream = state
        .federation
        .upstream(kind, providers::stored_discovery(&provider).as_ref())
        .await
        .map_err(|why| unavailable(FederationError::Unavailable(why), &back))?;
    let upstream_state = random_token(32);
    let nonce = random_token(32);
    let verifier = random_token(48);
    if !authorization_requests::start_upstream(&state.db, request.id, key, &token_hash(&upstream_state), &nonce, &verifier).await? {
        return Err(PageError::expired());
    }
    let challenge = steward_domain::identity_provider::challenge_of(&verifier);
    let callback = providers::callback_url(state, &instance.slug, key);
    let scope = provider.scopes().join(" ");
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &provider.client_id),
        ("redirect_uri", &callback),
        ("scope", &scope),
        ("state", &upstream_state),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    if kind.uses_id_token() {
        params.push(("nonce", &nonce));
    }
    Ok(app_redirect(&upstream.authorization_endpoint, &params))
}

fn unavailable(e: FederationError, back: &str) -> PageError {
    let status = match e {
        FederationError::Busy => actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
        FederationError::Unavailable(_) => actix_web::http::StatusCode::BAD_GATEWAY,
        FederationError::Refused(_) | FederationError::Untrusted(_) => actix_web::http::StatusCode::BAD_REQUEST,
    };
    PageError { status, title: "Sign-in failed", detail: e.to_string(), back: Some(back.to_owned()) }
}

/// The provider's answer: `code` exchanged, identity checked, account found or created.
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
    pub error_description: Option<&'a str>,
}

/// Handles the provider's callback for `key`; answers the request and the account signed in.
pub async fn callback(
    state: &AppState,
    req: &HttpRequest,
    instance: &Instance,
    key: &str,
    cb: Callback<'_>,
) -> Result<(AuthorizationRequest, Application, EndUser), PageError> {
    let upstream_state = cb.state.filter(|s| !s.is_empty()).ok_or_else(PageError::expired)?;
    // Taken once: a replayed callback (or one racing it) finds nothing.
    let request = authorization_requests::take_upstream(&state.db, instance.id, &token_hash(upstream_state)).await?.ok_or_else(PageError::expired)?;
    if !same_browser(req, &request) || request.provider_key.as_deref() != Some(key) {
        return Err(PageError::expired());
    }
    let back = request_url(state, &instance.slug, request.id);
    let app = applications::get(&state.db, instance.id, request.application_id).await?.filter(|a| a.enabled).ok_or_else(PageError::expired)?;
    if let Some(error) = cb.error {
        let why = cb.error_description.filter(|d| !d.is_empty()).unwrap_or(error);
        let why: String = why.chars().filter(|c| !c.is_control()).take(300).collect();
        return Err(PageError::bad("Sign-in cancelled", format!("The provider did not sign you in: {why}")).back_to(back));
    }
    let code = cb
        .code
        .filter(|c| !c.is_empty() && c.len() <= 2048)
        .ok_or_else(|| PageError::bad("Sign-in failed", "The provider sent no code.").back_to(back.clone()))?;
    let provider = providers::effective_one(state, instance.id, key)
        .await?
        .filter(|p| p.enabled && kind_of(p).is_external() && p.allows(app.id))
        .ok_or_else(|| PageError::bad("Not available", "This way of signing in is not available for this application.").back_to(back.clone()))?;
    let kind = kind_of(&provider);
    let secret = providers::client_secret(state, &provider).map_err(ApiError::internal)?.unwrap_or_default();
    let (nonce, verifier) = (request.upstream_nonce.clone().unwrap_or_default(), request.upstream_verifier.clone().unwrap_or_default());
    let profile = {
        let _permit = state.federation.permit(instance.id).map_err(|e| unavailable(e, &back))?;
        let upstream = state
            .federation
            .upstream(kind, providers::stored_discovery(&provider).as_ref())
            .await
            .map_err(|why| unavailable(FederationError::Unavailable(why), &back))?;
        let callback = providers::callback_url(state, &instance.slug, key);
        state.federation.sign_in(&upstream, &provider.client_id, &secret, code, &callback, &verifier, &nonce).await.map_err(|e| {
            tracing::warn!(instance_id = %instance.id, provider = key, error = %e, "a provider sign-in failed");
            unavailable(e, &back)
        })?
    };
    let user = account_for(state, instance, key, &profile, request.upgrade_user_id).await.map_err(|e| e.back_to(back))?;
    Ok((request, app, user))
}

fn account_error(detail: &str) -> PageError {
    PageError { status: actix_web::http::StatusCode::CONFLICT, title: "Cannot sign you in this way", detail: detail.to_owned(), back: None }
}

fn blocked() -> PageError {
    PageError {
        status: actix_web::http::StatusCode::FORBIDDEN,
        title: "Account blocked",
        detail: "This account is blocked. Contact the application's support.".into(),
        back: None,
    }
}

/// The account the provider's subject signs in to: the one linked to it; else (a guest
/// upgrading) the guest; else an existing account with the same address — only when both the
/// provider and the account have it verified; else a new account. Nothing is linked silently.
pub async fn account_for(state: &AppState, instance: &Instance, key: &str, profile: &Profile, upgrade: Option<Uuid>) -> Result<EndUser, PageError> {
    for _ in 0..2 {
        if let Some(identity) = user_identities::by_subject(&state.db, instance.id, key, &profile.subject).await? {
            let user = end_users::get(&state.db, instance.id, identity.end_user_id).await?.ok_or_else(PageError::expired)?;
            if upgrade.is_some_and(|g| g != user.id) {
                return Err(account_error("This provider account is already linked to another account of this application. Sign in with it instead."));
            }
            if user.blocked {
                return Err(blocked());
            }
            user_identities::touch(&state.db, &identity, profile.email.as_deref()).await?;
            end_users::record_login(&state.db, instance.id, user.id).await?;
            return Ok(user);
        }
        match link_new(state, instance, key, profile, upgrade).await? {
            Some(user) => return Ok(user),
            // Another sign-in linked the subject meanwhile: it signs in to that account.
            None => continue,
        }
    }
    Err(PageError::expired())
}

/// Links the subject to a guest, an existing account or a new one, in one transaction. `None`
/// when the subject was linked concurrently.
async fn link_new(state: &AppState, instance: &Instance, key: &str, profile: &Profile, upgrade: Option<Uuid>) -> Result<Option<EndUser>, PageError> {
    let given = parse_person_name(&profile.given_name, "Given name").unwrap_or_default();
    let family = parse_person_name(&profile.family_name, "Family name").unwrap_or_default();
    let name = display_name(&parse_display_name(&profile.name).unwrap_or_default(), &given, &family);
    let txn = steward_persistence::begin(&state.db).await?;
    let target = match upgrade {
        Some(id) => Some(end_users::get(&txn, instance.id, id).await?.ok_or_else(PageError::expired)?),
        None => None,
    };
    let (user, event) = if let Some(account) = target.filter(|u| u.provider != ProviderKind::Guest.as_str()) {
        // A signed-in account links another way to sign in: only the identity is added.
        if account.blocked {
            return Err(blocked());
        }
        (account, EventType::UserUpdated)
    } else if let Some(guest_id) = upgrade {
        let existing = match &profile.email {
            Some(email) => end_users::by_email(&txn, instance.id, email).await?,
            None => None,
        };
        if existing.is_some_and(|u| u.id != guest_id) {
            return Err(account_error("An account with this provider's email address already exists. Sign in to it instead."));
        }
        let upgraded = end_users::upgrade_guest(
            &txn,
            instance.id,
            guest_id,
            GuestUpgrade {
                email: profile.email.clone().unwrap_or_default(),
                email_verified: profile.email_verified,
                password_hash: None,
                provider: key.to_owned(),
                given_name: Some(given),
                family_name: Some(family),
                name: Some(name),
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(Conflict::EmailTaken) => account_error("An account with this provider's email address already exists. Sign in to it instead."),
            e => e.into(),
        })?;
        (upgraded.ok_or_else(|| account_error("This guest session has ended or already became an account."))?, EventType::UserUpdated)
    } else if let Some(email) = &profile.email
        && let Some(existing) = end_users::by_email(&txn, instance.id, email).await?
    {
        if !(profile.email_verified && existing.email_verified) {
            return Err(account_error(
                "An account with this email address already exists. Sign in with your password (or the way you signed up), then link this provider from your account.",
            ));
        }
        if existing.blocked {
            return Err(blocked());
        }
        (existing, EventType::UserUpdated)
    } else {
        let new = NewEndUser {
            email: profile.email.clone().unwrap_or_default(),
            email_verified: profile.email_verified,
            given_name: given,
            family_name: family,
            name,
            password_hash: None,
            blocked: false,
            provider: key.to_owned(),
            metadata: serde_json::json!({}),
        };
        let created = end_users::create(&txn, instance.id, new).await.map_err(|e| match e {
            StoreError::Conflict(Conflict::EmailTaken) => account_error("An account with this email address already exists. Sign in to it instead."),
            e => e.into(),
        })?;
        (created, EventType::UserCreated)
    };
    if user_identities::link(&txn, instance.id, user.id, key, &profile.subject, profile.email.as_deref()).await?.is_none() {
        txn.rollback().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to roll back a link")))?;
        return Ok(None);
    }
    crate::routes::users::service::user_event(state, &txn, event, &user).await?;
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a provider sign-in")))?;
    end_users::record_login(&state.db, instance.id, user.id).await?;
    tracing::info!(instance_id = %instance.id, user_id = %user.id, provider = key, "identity linked");
    Ok(Some(user))
}

/// Issues the application's one-time code for `user` and says where to send the person.
pub async fn complete(state: &AppState, request: &AuthorizationRequest, user: &EndUser, issuer: &str) -> Result<String, PageError> {
    let code = format!("stw_ac_{}", random_token(32));
    let expires = now() + chrono::Duration::seconds(CODE_TTL_SECS);
    if !authorization_requests::issue_code(&state.db, request.id, user.id, &token_hash(&code), expires).await? {
        return Err(PageError::expired());
    }
    let mut params = vec![("code", code.as_str()), ("iss", issuer)];
    if let Some(s) = request.state.as_deref() {
        params.push(("state", s));
    }
    Ok(app_redirect(&request.redirect_uri, &params))
}

/// The external providers' kinds that the page shows as buttons.
pub fn is_button(p: &IdentityProvider) -> bool {
    kind_of(p).is_external()
}

/// Whether the password provider is offered by `providers` (already filtered for the app).
pub fn password_of(providers: &[IdentityProvider]) -> Option<&IdentityProvider> {
    providers.iter().find(|p| kind_of(p) == ProviderKind::Password)
}

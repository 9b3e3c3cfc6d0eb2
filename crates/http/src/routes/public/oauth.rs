//! The OAuth 2.0 token endpoint (RFC 6749) for back-end apps: the client-credentials grant (the
//! app itself), and the password and refresh-token grants (an end user, through the app).
//!
//! Errors follow RFC 6749 §5.2 (`{error, error_description}`), not problem documents, so OAuth
//! client libraries understand them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use steward_persistence::applications::{self, Application};
use steward_persistence::instances::Instance;
use steward_persistence::sessions::{self, Realm, RevokeReason, Subject};
use steward_persistence::{end_users, revoked_tokens};

use crate::AppState;
use crate::auth::instance_tokens::{CLIENT_CREDENTIALS, Grant, USER};
use crate::auth::tokens::{REFRESH_PREFIX, hash_refresh_token};
use crate::oauth::{OAuthError, OAuthErrorBody, OAuthToken, TokenRequest};

/// Scopes a back-end application may ask for.
pub const BACKEND_SCOPES: &[&str] = &["users:manage"];

/// Which clients an endpoint accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clients {
    /// Back-end apps, with their secret.
    Confidential,
    /// Back-end apps with their secret, and front-end apps naming themselves (RFC 7009 §2.1).
    Any,
}

/// The instance in the path and the enabled application the request authenticates, or
/// `invalid_client` (an unknown instance too: nothing is revealed).
async fn authenticate(state: &AppState, slug: &str, request: &TokenRequest, clients: Clients) -> Result<(Instance, Application), OAuthError> {
    let instance = state.cache.instance_row(&state.db, slug).await?;
    let app = match &instance {
        Some(i) => applications::by_client_id(&state.db, i.id, &request.client_id).await?.filter(|a| a.enabled),
        None => None,
    };
    if clients == Clients::Any && request.secret.is_none() {
        return match (instance, app) {
            (Some(instance), Some(app)) if app.kind == "frontend" => Ok((instance, app)),
            _ => Err(OAuthError::invalid_client(request.used_basic)),
        };
    }
    let secret = request.secret()?;
    let hashes = match &app {
        Some(a) if a.kind == "backend" => applications::valid_secrets(&state.db, a.id).await?.into_iter().map(|s| s.secret_hash).collect(),
        _ => Vec::new(),
    };
    // Always compute the keyed hash, so an unknown client costs what a wrong secret does.
    let ok = state.client_secrets.matches(secret, hashes.iter().map(String::as_str));
    match (instance, app, ok) {
        (Some(instance), Some(app), true) => Ok((instance, app)),
        _ => Err(OAuthError::invalid_client(request.used_basic)),
    }
}

/// Get an access token (OAuth 2.0 token endpoint).
///
/// The back-end app authenticates by HTTP Basic (`client_id:client_secret`) or with `client_id`
/// and `client_secret` form fields. Grants: `client_credentials` (optional `scope`,
/// space-separated; default: every scope the app may have); `password` (`username` = the end
/// user's email, `password`) and `refresh_token` (`refresh_token`) for end users, answering a
/// user token and a single-use refresh token.
#[utoipa::path(
    tag = "oauth",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body(content_type = "application/x-www-form-urlencoded", content = crate::oauth::TokenForm, description = "grant_type=client_credentials[&scope=...] | grant_type=password&username=...&password=... | grant_type=refresh_token&refresh_token=... [&client_id=...&client_secret=...]"),
    responses(
        (status = 200, body = OAuthToken, description = "A token; verify it with the instance's JWKS."),
        (status = 400, body = OAuthErrorBody, description = "invalid_request, invalid_grant, unsupported_grant_type or invalid_scope"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client"),
        (status = 429, body = OAuthErrorBody, description = "invalid_grant: too many failed attempts for this user (see Retry-After)"),
    )
)]
#[post("/{instance}/oauth/token")]
#[tracing::instrument(skip_all)]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, OAuthError> {
    let request = TokenRequest::read(&req, &body)?;
    let grant_type = request.grant_type()?;
    if !["client_credentials", "password", "refresh_token", "authorization_code"].contains(&grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The grant type {grant_type:?} is not supported; use client_credentials, password, refresh_token or authorization_code."),
        ));
    }
    if grant_type == "authorization_code" {
        // Front-end apps (public clients) redeem codes too: PKCE stands in for the secret.
        let (instance, app) = authenticate(&state, &path, &request, Clients::Any).await?;
        if let Some(origin) = req.headers().get(actix_web::http::header::ORIGIN).and_then(|v| v.to_str().ok())
            && super::cors::origin_allowed(&app.allowed_origins, origin)
        {
            actix_web::HttpMessage::extensions_mut(&req).insert(super::cors::CorsGrant(origin.to_owned()));
        }
        return redeem_code(&state, &req, &instance, &app, &request).await;
    }
    let (instance, app) = authenticate(&state, &path, &request, Clients::Confidential).await?;
    let form = &request.form;

    match grant_type {
        "password" => {
            let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
                return Err(OAuthError::invalid_request("The password grant needs username and password."));
            };
            let email = steward_domain::Email::parse(username).map_err(|_| OAuthError::invalid_request("username must be the user's email address."))?;
            let t = super::auth::sign_in(&state, &instance, &app, &req, &email, password).await?;
            applications::touch(&state.db, &app).await?;
            return Ok(user_token_response(t));
        }
        "refresh_token" => {
            let refresh = form.get("refresh_token").ok_or_else(|| OAuthError::invalid_request("The refresh_token grant needs refresh_token."))?;
            let t = super::auth::refresh_tokens(&state, &instance, &app, refresh).await?;
            applications::touch(&state.db, &app).await?;
            return Ok(user_token_response(t));
        }
        _ => {}
    }

    let scope = match form.get("scope").map(|s| s.split_whitespace().collect::<Vec<_>>()) {
        None => BACKEND_SCOPES.join(" "),
        Some(requested) => {
            if let Some(bad) = requested.iter().find(|s| !BACKEND_SCOPES.contains(s)) {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    format!("Unknown scope {bad:?}; available: {}.", BACKEND_SCOPES.join(" ")),
                ));
            }
            requested.join(" ")
        }
    };
    let ttl_secs = crate::routes::config::service::settings_of(&state, &instance).await.map_err(OAuthError::from)?.access_ttl_secs;
    let grant = Grant { sub: &app.client_id, client_id: &app.client_id, typ: CLIENT_CREDENTIALS, scope: &scope, sid: None, ttl_secs };
    let (access_token, expires_in) = state
        .instance_tokens
        .issue(&state.db, instance.id, &instance.slug, grant)
        .await
        .map_err(|e| OAuthError::from(crate::problem::ApiError::internal(e)))?;
    applications::touch(&state.db, &app).await?;
    Ok(OAuthToken { access_token, token_type: "Bearer", expires_in, scope, refresh_token: None, id_token: None }.respond())
}

/// The `authorization_code` grant: the code is used once (a second use ends the session the
/// first one started, RFC 6749 §4.1.2), by the application it was issued to, with the redirect
/// URI it was asked with and the PKCE verifier of its challenge.
async fn redeem_code(state: &AppState, req: &HttpRequest, instance: &Instance, app: &Application, request: &TokenRequest) -> Result<HttpResponse, OAuthError> {
    use steward_domain::identity_provider::CodeChallenge;
    use steward_persistence::authorization_requests::{self, Redemption};
    let code = request.param("code")?;
    let redirect_uri = request.param("redirect_uri")?;
    let verifier = request.param("code_verifier")?;
    let invalid = |why: &str| OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", why.to_owned());
    let found = match authorization_requests::redeem(&state.db, instance.id, &crate::emails::token_hash(code)).await? {
        Redemption::Redeemed(r) => r,
        Redemption::Replayed(r) => {
            if let (Some(session_id), Some(user_id)) = (r.session_id, r.end_user_id) {
                sessions::revoke(&state.db, Subject::EndUser { instance_id: instance.id, user_id }, session_id, RevokeReason::RevokedByClient).await?;
                tracing::warn!(instance_id = %instance.id, %session_id, "an authorization code was used twice: its session was ended");
            }
            return Err(invalid("The code was already used; the session it started has been ended."));
        }
        Redemption::Invalid => return Err(invalid("The code is invalid or has expired.")),
    };
    if found.application_id != app.id {
        return Err(invalid("The code was issued to another client."));
    }
    if found.redirect_uri != redirect_uri {
        return Err(invalid("redirect_uri is not the one the code was asked with."));
    }
    if !CodeChallenge::stored(found.code_challenge.clone()).verifies(verifier) {
        return Err(invalid("code_verifier does not match the code challenge."));
    }
    let user_id = found.end_user_id.ok_or_else(|| invalid("The code is invalid or has expired."))?;
    let user = end_users::get(&state.db, instance.id, user_id).await?.filter(|u| !u.blocked).ok_or_else(|| invalid("This user can no longer sign in."))?;
    let refresh_ttl = crate::routes::config::service::settings_of(state, instance).await?.refresh_ttl_secs;
    let expires_at = steward_persistence::now() + chrono::Duration::seconds(refresh_ttl);
    let (tokens, session_id) = super::auth::tokens_until(state, instance, app, req, user.clone(), expires_at).await?;
    authorization_requests::set_session(&state.db, found.id, session_id).await?;
    applications::touch(&state.db, app).await?;
    let scopes: Vec<&str> = found.scope.split_whitespace().collect();
    let id_token = if scopes.contains(&"openid") {
        let auth_time = found.auth_time.map_or_else(|| chrono::Utc::now().timestamp(), |t| t.timestamp());
        let mut claims = serde_json::json!({
            "iss": state.instance_tokens.issuer(&instance.slug),
            "sub": user.id.to_string(),
            "aud": app.client_id,
            "azp": app.client_id,
            "auth_time": auth_time,
            "sid": session_id,
        });
        if let Some(nonce) = &found.nonce {
            claims["nonce"] = serde_json::json!(nonce);
        }
        if scopes.contains(&"email") && !user.email.is_empty() {
            claims["email"] = serde_json::json!(user.email);
            claims["email_verified"] = serde_json::json!(user.email_verified);
        }
        if scopes.contains(&"profile") {
            claims["name"] = serde_json::json!(user.name);
            claims["given_name"] = serde_json::json!(user.given_name);
            claims["family_name"] = serde_json::json!(user.family_name);
        }
        Some(state.instance_tokens.id_token(&state.db, instance.id, claims).await.map_err(|e| OAuthError::from(crate::problem::ApiError::internal(e)))?)
    } else {
        None
    };
    Ok(OAuthToken {
        access_token: tokens.access_token,
        token_type: "Bearer",
        expires_in: tokens.expires_in,
        scope: found.scope.clone(),
        refresh_token: Some(tokens.refresh_token),
        id_token,
    }
    .respond())
}

fn user_token_response(t: super::auth::UserTokens) -> HttpResponse {
    OAuthToken {
        access_token: t.access_token,
        token_type: "Bearer",
        expires_in: t.expires_in,
        scope: String::new(),
        refresh_token: Some(t.refresh_token),
        id_token: None,
    }
    .respond()
}

/// Revoke a token (RFC 7009).
///
/// A back-end app (with its secret) or a front-end app (`client_id` alone) revokes a token it
/// was issued: a refresh token or an end user's access token ends the user's session (every
/// token of it); a client-credentials token stops at once. The answer is 200 whether or not the
/// token was valid (RFC 7009 §2.2); `token_type_hint` is optional.
#[utoipa::path(
    tag = "oauth",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body(content_type = "application/x-www-form-urlencoded", content = crate::oauth::TokenActionForm, description = "token=...[&token_type_hint=access_token|refresh_token][&client_id=...[&client_secret=...]]"),
    responses(
        (status = 200, description = "Revoked, or not a valid token of this client (nothing to do)."),
        (status = 400, body = OAuthErrorBody, description = "invalid_request"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client"),
    )
)]
#[post("/{instance}/oauth/revoke")]
#[tracing::instrument(skip_all)]
pub async fn revoke(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, OAuthError> {
    let request = TokenRequest::read(&req, &body)?;
    let (instance, app) = authenticate(&state, &path, &request, Clients::Any).await?;
    let presented = request.param("token")?;
    if presented.starts_with(REFRESH_PREFIX) {
        let found = sessions::by_refresh_token(&state.db, Realm::Instance(instance.id), &hash_refresh_token(presented)).await?;
        if let Some((session, _)) = found.filter(|(s, _)| s.application_id == Some(app.id))
            && let Some(user_id) = session.end_user_id
        {
            sessions::revoke(&state.db, Subject::EndUser { instance_id: instance.id, user_id }, session.id, RevokeReason::RevokedByClient).await?;
        }
    } else if let Some(claims) = state.instance_tokens.verify(&state.db, instance.id, &instance.slug, presented).await?.filter(|c| c.client_id == app.client_id)
    {
        match (claims.typ.as_str(), claims.sid, claims.sub.parse::<uuid::Uuid>()) {
            (USER, Some(sid), Ok(user_id)) => {
                sessions::revoke(&state.db, Subject::EndUser { instance_id: instance.id, user_id }, sid, RevokeReason::RevokedByClient).await?;
            }
            _ => {
                let exp = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_default().fixed_offset();
                revoked_tokens::revoke(&state.db, claims.jti, exp).await?;
                state.cache.changed(&state.db, instance.id, Some(claims.jti)).await?;
            }
        }
    }
    Ok(crate::oauth::revoked())
}

/// Introspect a token (RFC 7662), for back-end apps (resource servers).
///
/// The back-end app authenticates with its secret and sends `token`: an access token or a
/// refresh token of this instance, whichever application it was issued to. The answer says
/// whether it is active now — signature, expiry, revocation, the application enabled, the end
/// user not blocked and their session not ended — and, when it is, what it carries. Anything
/// else is `{"active": false}`.
#[utoipa::path(
    tag = "oauth",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body(content_type = "application/x-www-form-urlencoded", content = crate::oauth::TokenActionForm, description = "token=...[&token_type_hint=access_token|refresh_token][&client_id=...&client_secret=...]"),
    responses(
        (status = 200, body = Introspection),
        (status = 400, body = OAuthErrorBody, description = "invalid_request"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client"),
    )
)]
#[post("/{instance}/oauth/introspect")]
#[tracing::instrument(skip_all)]
pub async fn introspect(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, OAuthError> {
    let request = TokenRequest::read(&req, &body)?;
    let (instance, _app) = authenticate(&state, &path, &request, Clients::Confidential).await?;
    let presented = request.param("token")?;
    let issuer = state.instance_tokens.issuer(&instance.slug);
    let mut answer = Introspection::default();
    if presented.starts_with(REFRESH_PREFIX) {
        let found = sessions::by_refresh_token(&state.db, Realm::Instance(instance.id), &hash_refresh_token(presented)).await?;
        if let Some((session, true)) = found.filter(|(s, _)| s.is_live())
            && let (Some(user_id), Some(app_id)) = (session.end_user_id, session.application_id)
            && let Some(owner) = applications::get(&state.db, instance.id, app_id).await?.filter(|a| a.enabled)
            && let Some(user) = end_users::get(&state.db, instance.id, user_id).await?.filter(|u| !u.blocked)
        {
            answer = Introspection {
                active: true,
                token_type: Some("refresh_token"),
                client_id: Some(owner.client_id),
                sub: Some(user.id.to_string()),
                username: Some(user.email),
                exp: Some(session.expires_at.timestamp()),
                iat: Some(session.created_at.timestamp()),
                iss: Some(issuer),
                ..Introspection::default()
            };
        }
    } else if let Some(live) = super::gate::live_token(&state, &instance, presented).await? {
        let c = live.claims;
        answer = Introspection {
            active: true,
            token_type: Some("Bearer"),
            scope: (!c.scope.is_empty()).then_some(c.scope),
            client_id: Some(c.client_id),
            username: live.user.map(|u| u.email),
            sub: Some(c.sub),
            aud: Some(c.aud),
            iss: Some(c.iss),
            exp: Some(c.exp),
            iat: Some(c.iat),
            jti: Some(c.jti.to_string()),
            typ: Some(c.typ),
        };
    }
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(answer))
}

/// An introspection answer (RFC 7662 §2.2): `active`, and what an active token carries.
#[derive(serde::Serialize, utoipa::ToSchema, Default)]
pub struct Introspection {
    pub active: bool,
    /// `Bearer` (an access token) or `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The application the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The end user's email (user tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The end user's id, or the client id (client-credentials tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Steward's token kind: `client_credentials` or `user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

//! The OAuth 2.0 token endpoint (RFC 6749) for back-end apps: the client-credentials grant (the
//! app itself), and the password and refresh-token grants (an end user, through the app).
//!
//! Errors follow RFC 6749 §5.2 (`{error, error_description}`), not problem documents, so OAuth
//! client libraries understand them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use steward_persistence::{applications, instances};

use crate::AppState;
use crate::auth::instance_tokens::{CLIENT_CREDENTIALS, Grant};
use crate::oauth::{OAuthError, OAuthErrorBody, OAuthToken, TokenRequest};

/// Scopes a back-end application may ask for.
pub const BACKEND_SCOPES: &[&str] = &["users:manage"];

/// Get an access token (OAuth 2.0 token endpoint).
///
/// The back-end app authenticates by HTTP Basic (`client_id:client_secret`) or with `client_id`
/// and `client_secret` form fields. Grants: `client_credentials` (optional `scope`,
/// space-separated; default: every scope the app may have); `password` (`username` = the end
/// user's email, `password`) and `refresh_token` (`refresh_token`) for end users, answering a
/// user token and a single-use refresh token.
#[utoipa::path(
    tag = "public",
    params(("instance" = String, Path, description = "The instance's slug")),
    request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "grant_type=client_credentials[&scope=...] | grant_type=password&username=...&password=... | grant_type=refresh_token&refresh_token=... [&client_id=...&client_secret=...]"),
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
    let TokenRequest { form, client_id, secret, used_basic } = TokenRequest::read(&req, &body)?;
    let grant_type = form.get("grant_type").map(String::as_str).unwrap_or_default();
    if !["client_credentials", "password", "refresh_token"].contains(&grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The grant type {grant_type:?} is not supported; use client_credentials, password or refresh_token."),
        ));
    }

    let instance = instances::by_slug(&state.db, &path).await?;
    let app = match &instance {
        Some(i) => applications::by_client_id(&state.db, i.id, &client_id).await?,
        None => None,
    };
    let hashes = match &app {
        Some(a) if a.enabled && a.kind == "backend" => applications::valid_secrets(&state.db, a.id).await?.into_iter().map(|s| s.secret_hash).collect(),
        _ => Vec::new(),
    };
    // Always compute the keyed hash, so an unknown client costs what a wrong secret does.
    let ok = state.client_secrets.matches(&secret, hashes.iter().map(String::as_str));
    let (Some(instance), Some(app), true) = (instance, app, ok) else {
        return Err(OAuthError::invalid_client(used_basic));
    };

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
    let grant = Grant { sub: &app.client_id, client_id: &app.client_id, typ: CLIENT_CREDENTIALS, scope: &scope, sid: None };
    let (access_token, expires_in) = state
        .instance_tokens
        .issue(&state.db, instance.id, &instance.slug, grant)
        .await
        .map_err(|e| OAuthError::from(crate::problem::ApiError::internal(e)))?;
    applications::touch(&state.db, &app).await?;
    Ok(OAuthToken { access_token, token_type: "Bearer", expires_in, scope, refresh_token: None }.respond())
}

fn user_token_response(t: super::auth::UserTokens) -> HttpResponse {
    OAuthToken { access_token: t.access_token, token_type: "Bearer", expires_in: t.expires_in, scope: String::new(), refresh_token: Some(t.refresh_token) }
        .respond()
}

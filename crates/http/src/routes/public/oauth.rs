//! The OAuth 2.0 token endpoint (RFC 6749) for back-end apps: the client-credentials grant (the
//! app itself), and the password and refresh-token grants (an end user, through the app).
//!
//! Errors follow RFC 6749 §5.2 (`{error, error_description}`), not problem documents, so OAuth
//! client libraries understand them.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, post, web};
use base64::Engine as _;
use steward_persistence::{applications, instances};

use super::dto::{OAuthErrorBody, OAuthToken};
use crate::AppState;
use crate::auth::instance_tokens::{CLIENT_CREDENTIALS, Grant};

/// Scopes a back-end application may ask for.
pub const BACKEND_SCOPES: &[&str] = &["users:manage"];

#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    body: OAuthErrorBody,
    basic_challenge: bool,
    retry_after: Option<u64>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self { status, body: OAuthErrorBody { error, error_description: description.into() }, basic_challenge: false, retry_after: None }
    }

    fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    fn invalid_client(basic: bool) -> Self {
        let mut e =
            Self::new(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed: unknown client, wrong secret, or disabled application.");
        e.basic_challenge = basic;
        e
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.body.error, self.body.error_description)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache"));
        if self.basic_challenge {
            res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"steward\", charset=\"UTF-8\""));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(&self.body)
    }
}

impl From<crate::problem::ApiError> for OAuthError {
    fn from(e: crate::problem::ApiError) -> Self {
        if e.is_server_error() {
            // Log the cause through the problem's own rendering, answer in OAuth's shape.
            let _ = e.error_response();
            return Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Something went wrong on our side. Try again later.");
        }
        match e.code() {
            "too_many_attempts" => {
                let mut o = Self::new(StatusCode::TOO_MANY_REQUESTS, "invalid_grant", e.detail());
                o.retry_after = e.retry_after();
                o
            }
            "validation_failed" => Self::invalid_request("username must be an email address and password must not be empty."),
            _ => Self::new(StatusCode::BAD_REQUEST, "invalid_grant", e.detail()),
        }
    }
}

impl From<steward_persistence::StoreError> for OAuthError {
    fn from(e: steward_persistence::StoreError) -> Self {
        crate::problem::ApiError::from(e).into()
    }
}

/// `Authorization: Basic` credentials (RFC 6749 §2.3.1: each part form-urlencoded).
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| OAuthError::invalid_client(true))?;
    let Some((scheme, encoded)) = value.split_once(' ') else { return Err(OAuthError::invalid_client(true)) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_request("Authenticate the client with HTTP Basic or with client_id and client_secret in the body."));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| OAuthError::invalid_client(true))?;
    let text = String::from_utf8(decoded).map_err(|_| OAuthError::invalid_client(true))?;
    let (id, secret) = text.split_once(':').ok_or_else(|| OAuthError::invalid_client(true))?;
    let decode = |s: &str| -> Result<String, OAuthError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("v={}", s.replace('&', "%26").replace('=', "%3D"))).map_err(|_| OAuthError::invalid_client(true))?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    Ok(Some((decode(id)?, decode(secret)?)))
}

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
    let form_ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")));
    if !form_ct {
        return Err(OAuthError::invalid_request("Send the request as application/x-www-form-urlencoded."));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| OAuthError::invalid_request("The body is not valid form data."))?;
    let mut form = std::collections::HashMap::new();
    for (k, v) in pairs {
        if form.insert(k.clone(), v).is_some() {
            return Err(OAuthError::invalid_request(format!("The parameter {k} appears more than once.")));
        }
    }
    let basic = basic_credentials(&req)?;
    let grant_type = form.get("grant_type").map(String::as_str).ok_or_else(|| OAuthError::invalid_request("grant_type is required."))?;
    if !["client_credentials", "password", "refresh_token"].contains(&grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The grant type {grant_type:?} is not supported; use client_credentials, password or refresh_token."),
        ));
    }
    let used_basic = basic.is_some();
    let (client_id, secret) = match (basic, form.get("client_id"), form.get("client_secret")) {
        (Some(_), _, Some(_)) => return Err(OAuthError::invalid_request("Use one client authentication method: HTTP Basic or form fields, not both.")),
        (Some((id, secret)), form_id, None) => {
            if form_id.is_some_and(|f| f != &id) {
                return Err(OAuthError::invalid_request("client_id in the body differs from the Basic credentials."));
            }
            (id, secret)
        }
        (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
        (None, _, _) => {
            let mut e = OAuthError::invalid_client(true);
            e.body.error_description = "Client authentication is required: HTTP Basic, or client_id and client_secret in the body.".into();
            return Err(e);
        }
    };

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
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache")).json(OAuthToken {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope,
        refresh_token: None,
    }))
}

fn user_token_response(t: super::auth::UserTokens) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache")).json(OAuthToken {
        access_token: t.access_token,
        token_type: "Bearer",
        expires_in: t.expires_in,
        scope: String::new(),
        refresh_token: Some(t.refresh_token),
    })
}

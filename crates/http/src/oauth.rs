//! OAuth 2.0 token endpoints' shared pieces (RFC 6749): client authentication (HTTP Basic or
//! form fields, never both), the form body, the token response and errors in OAuth's own shape
//! (`{error, error_description}`, not problem documents, so OAuth client libraries understand
//! them). Used by the instance public API's token endpoint (applications) and the console API's
//! (management clients).

use std::collections::HashMap;
use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use base64::Engine as _;
use serde::Serialize;
use utoipa::ToSchema;

/// A successful token response (RFC 6749 §5.1).
#[derive(Serialize, ToSchema)]
pub struct OAuthToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 3600)]
    pub expires_in: i64,
    #[schema(example = "users:manage")]
    pub scope: String,
    /// `password`, `refresh_token` and `authorization_code` grants: the end user's refresh token (single use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// `authorization_code` grant with the `openid` scope: an OpenID Connect ID token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl OAuthToken {
    /// The response: the token, never cached (RFC 6749 §5.1).
    pub fn respond(self) -> HttpResponse {
        HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache")).json(self)
    }
}

/// An error of the token endpoint (RFC 6749 §5.2).
#[derive(Serialize, ToSchema, Debug)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type` or `invalid_scope`.
    #[schema(example = "invalid_client")]
    pub error: &'static str,
    pub error_description: String,
}

#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    body: OAuthErrorBody,
    basic_challenge: bool,
    retry_after: Option<u64>,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self { status, body: OAuthErrorBody { error, error_description: description.into() }, basic_challenge: false, retry_after: None }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    pub fn invalid_client(basic: bool) -> Self {
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
            "provider_disabled" | "registration_closed" => Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", e.detail()),
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
    // Another scheme (a Bearer token a client library attaches to every call) is not client
    // authentication here: the form's credentials decide.
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
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

/// A request to an OAuth endpoint (token, revocation, introspection): its form fields (each at
/// most once) and the client's credentials — HTTP Basic, or `client_id` (+ `client_secret`) in
/// the form, never both.
pub struct TokenRequest {
    pub form: HashMap<String, String>,
    pub client_id: String,
    /// `None` for a public client naming itself with `client_id` alone.
    pub secret: Option<String>,
    /// Whether the client authenticated with HTTP Basic (a failure then carries a challenge).
    pub used_basic: bool,
}

impl TokenRequest {
    /// Reads an `application/x-www-form-urlencoded` request and the client's credentials.
    pub fn read(req: &HttpRequest, body: &[u8]) -> Result<Self, OAuthError> {
        let form_ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")));
        if !form_ct {
            return Err(OAuthError::invalid_request("Send the request as application/x-www-form-urlencoded."));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| OAuthError::invalid_request("The body is not valid form data."))?;
        let mut form = HashMap::new();
        for (k, v) in pairs {
            if form.insert(k.clone(), v).is_some() {
                return Err(OAuthError::invalid_request(format!("The parameter {k} appears more than once.")));
            }
        }
        let basic = basic_credentials(req)?;
        let used_basic = basic.is_some();
        let (client_id, secret) = match (basic, form.get("client_id"), form.get("client_secret")) {
            (Some(_), _, Some(_)) => return Err(OAuthError::invalid_request("Use one client authentication method: HTTP Basic or form fields, not both.")),
            (Some((id, secret)), form_id, None) => {
                if form_id.is_some_and(|f| f != &id) {
                    return Err(OAuthError::invalid_request("client_id in the body differs from the Basic credentials."));
                }
                (id, Some(secret))
            }
            (None, Some(id), secret) => (id.clone(), secret.cloned()),
            (None, None, _) => {
                let mut e = OAuthError::invalid_client(true);
                e.body.error_description = "Client authentication is required: HTTP Basic, or client_id and client_secret in the body.".into();
                return Err(e);
            }
        };
        Ok(Self { form, client_id, secret, used_basic })
    }

    /// The `grant_type` (token endpoints).
    pub fn grant_type(&self) -> Result<&str, OAuthError> {
        self.form.get("grant_type").map(String::as_str).ok_or_else(|| OAuthError::invalid_request("grant_type is required."))
    }

    /// The client's secret: a confidential client must present one.
    pub fn secret(&self) -> Result<&str, OAuthError> {
        self.secret.as_deref().ok_or_else(|| {
            let mut e = OAuthError::invalid_client(true);
            e.body.error_description = "This endpoint needs the client's secret: HTTP Basic, or client_id and client_secret in the body.".into();
            e
        })
    }

    /// A required form parameter.
    pub fn param(&self, name: &str) -> Result<&str, OAuthError> {
        self.form.get(name).map(String::as_str).ok_or_else(|| OAuthError::invalid_request(format!("{name} is required.")))
    }
}

/// The answer of a revocation (RFC 7009 §2.2): 200 whether or not the token was known.
pub fn revoked() -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).finish()
}

/// The grant a token request asks for.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Documents the form; requests are read by `TokenRequest::read`.
pub enum GrantType {
    /// RFC 6749 §4.4: the client's own credentials.
    ClientCredentials,
    /// RFC 6749 §4.3: an end user's email (`username`) and password (the instance public API only).
    Password,
    /// RFC 6749 §6: a refresh token (the instance public API only).
    RefreshToken,
    /// RFC 6749 §4.1 with PKCE (RFC 7636): the one-time code of the hosted sign-in page (the
    /// instance public API only; front-end apps send `client_id` without a secret).
    AuthorizationCode,
}

/// The form of a token request (`application/x-www-form-urlencoded`, each field at most once).
/// The client authenticates with HTTP Basic, or with `client_id` and `client_secret` here — not both.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the form; requests are read by `TokenRequest::read`.
pub struct TokenForm {
    pub grant_type: GrantType,
    /// Space-separated scopes (default: every scope the client may have).
    pub scope: Option<String>,
    /// The end user's email (`password` grant).
    pub username: Option<String>,
    /// The end user's password (`password` grant).
    #[schema(format = Password)]
    pub password: Option<String>,
    /// The refresh token (`refresh_token` grant).
    pub refresh_token: Option<String>,
    /// The one-time code (`authorization_code` grant).
    pub code: Option<String>,
    /// The redirect URI the code was asked with (`authorization_code` grant).
    pub redirect_uri: Option<String>,
    /// The PKCE code verifier (`authorization_code` grant): 43 to 128 characters.
    #[schema(min_length = 43, max_length = 128, pattern = "^[A-Za-z0-9._~-]{43,128}$")]
    pub code_verifier: Option<String>,
    #[schema(min_length = 1)]
    pub client_id: Option<String>,
    #[schema(format = Password, min_length = 1)]
    pub client_secret: Option<String>,
}

/// What kind of token `token` is, as a hint (RFC 7009 §2.1).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Documents the form.
pub enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

/// The form of a revocation (RFC 7009) or introspection (RFC 7662) request.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the form; requests are read by `TokenRequest::read`.
pub struct TokenActionForm {
    /// The token to revoke or inspect.
    #[schema(min_length = 1)]
    pub token: String,
    pub token_type_hint: Option<TokenTypeHint>,
    #[schema(min_length = 1)]
    pub client_id: Option<String>,
    #[schema(format = Password, min_length = 1)]
    pub client_secret: Option<String>,
}

/// The only grant of the console API's token endpoint.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Documents the form.
pub enum ClientCredentialsGrant {
    ClientCredentials,
}

/// The form of a management client's token request (RFC 6749 §4.4). The client authenticates
/// with HTTP Basic, or with `client_id` and `client_secret` here — not both.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the form; requests are read by `TokenRequest::read`.
pub struct ClientCredentialsForm {
    pub grant_type: ClientCredentialsGrant,
    /// Space-separated scopes, e.g. `users:read users:write` (default: every scope of the client).
    pub scope: Option<String>,
    #[schema(min_length = 1)]
    pub client_id: Option<String>,
    #[schema(format = Password, min_length = 1)]
    pub client_secret: Option<String>,
}

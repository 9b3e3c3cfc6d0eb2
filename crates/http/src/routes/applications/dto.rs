use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_persistence::applications::{AppSecret, Application};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AppKindDto {
    /// A browser or mobile app: a public client with no secret, identified by `X-Client-Id`.
    Frontend,
    /// A server: a confidential client with a secret, using the client-credentials grant.
    Backend,
}

/// A client secret's metadata (the secret itself is shown only once).
#[derive(Serialize, ToSchema)]
pub struct SecretInfo {
    pub id: Uuid,
    /// The secret's last four characters.
    #[schema(example = "x9Qa")]
    pub hint: String,
    pub created_at: DateTime<Utc>,
    /// When a rotated-out secret stops working; null for the current one.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<AppSecret> for SecretInfo {
    fn from(s: AppSecret) -> Self {
        Self { id: s.id, hint: s.hint, created_at: s.created_at.to_utc(), expires_at: s.expires_at.map(|t| t.to_utc()) }
    }
}

impl From<steward_persistence::management_clients::ClientSecret> for SecretInfo {
    fn from(s: steward_persistence::management_clients::ClientSecret) -> Self {
        Self { id: s.id, hint: s.hint, created_at: s.created_at.to_utc(), expires_at: s.expires_at.map(|t| t.to_utc()) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: Uuid,
    pub kind: AppKindDto,
    pub name: String,
    pub description: String,
    /// Public identifier of the app.
    #[schema(example = "app_3q2-7wEjR0KTq9vTVXb8Qw")]
    pub client_id: String,
    /// Disabled apps are refused by the public API.
    pub enabled: bool,
    /// Web origins allowed to call the public API from a browser (front-end apps).
    pub allowed_origins: Vec<String>,
    /// Where users may be sent back after signing in (front-end apps).
    pub redirect_uris: Vec<String>,
    /// Valid client secrets (back-end apps): the current one, and rotated-out ones in their grace period.
    pub secrets: Vec<SecretInfo>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

impl ApplicationDto {
    pub fn new(a: Application, secrets: Vec<AppSecret>) -> Self {
        Self {
            id: a.id,
            kind: if a.kind == "backend" { AppKindDto::Backend } else { AppKindDto::Frontend },
            name: a.name,
            description: a.description,
            client_id: a.client_id,
            enabled: a.enabled,
            allowed_origins: strings(&a.allowed_origins),
            redirect_uris: strings(&a.redirect_uris),
            secrets: secrets.into_iter().map(SecretInfo::from).collect(),
            created_at: a.created_at.to_utc(),
            updated_at: a.updated_at.to_utc(),
            last_used_at: a.last_used_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// A new application; `client_secret` (back-end apps) is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedApplication {
    #[serde(flatten)]
    pub application: ApplicationDto,
    /// The back-end app's secret, shown only now. Null for front-end apps.
    pub client_secret: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplicationRequest {
    pub kind: AppKindDto,
    #[schema(example = "Web shop", min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Front-end apps only: `https://host[:port]` (http only for localhost), no wildcards, at most 20.
    #[schema(max_items = 20)]
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,
    /// Front-end apps only: absolute https URLs (http only for localhost), no fragments, at most 20.
    #[schema(max_items = 20)]
    #[serde(default)]
    pub redirect_uris: Option<Vec<String>>,
}

/// Fields to change; omitted fields stay as they are. The kind and client id cannot change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApplicationRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: Option<String>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    #[schema(max_items = 20)]
    pub allowed_origins: Option<Vec<String>>,
    #[schema(max_items = 20)]
    pub redirect_uris: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecretRequest {
    /// Seconds the current secret keeps working (0 to 604800, default 0: it stops at once).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 604800)]
    pub grace_period_secs: Option<u64>,
}

impl RotateSecretRequest {
    /// When the current secret stops working: now plus the grace period, or a 422 for a period
    /// out of range. (Applications, management clients and webhook endpoints rotate alike.)
    pub fn old_secret_until(&self) -> Result<chrono::DateTime<chrono::FixedOffset>, crate::problem::ApiError> {
        let grace = self.grace_period_secs.unwrap_or(0);
        if grace > 604_800 {
            return Err(crate::problem::ApiError::field(
                "grace_period_secs",
                "out_of_range",
                "The grace period must be between 0 and 604800 seconds (7 days).",
            ));
        }
        Ok(steward_persistence::now() + chrono::Duration::seconds(grace as i64))
    }
}

/// The new secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    pub client_secret: String,
    pub secret: SecretInfo,
    /// When the previous secret stops working (now, without a grace period).
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// What an application needs to make its first call.
#[derive(Serialize, ToSchema)]
pub struct Quickstart {
    /// The instance's public API base URL.
    pub api_base_url: String,
    pub client_id: String,
    /// A ready `.env` snippet (the secret is a placeholder: it is never shown again).
    pub env: String,
    /// A first call with curl.
    pub curl: String,
    /// A first call with JavaScript (fetch).
    pub javascript: String,
    /// The instance public API's OpenAPI document (`{instance}` is a server variable), to generate a client.
    pub openapi_url: String,
    /// The interactive API reference.
    pub docs_url: String,
    /// The JWKS URL, to verify the instance's tokens.
    pub jwks_url: String,
    /// OpenID Connect / OAuth discovery of the instance (every endpoint and what it supports).
    pub discovery_url: String,
    /// Verifying a token from the JWKS alone in Node (`jose`).
    pub verify_node: String,
    /// Verifying a token from the JWKS alone in Python (PyJWT).
    pub verify_python: String,
}

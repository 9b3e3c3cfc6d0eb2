use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::identity_provider::ProviderKind;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a provider is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKindDto {
    Password,
    Guest,
    Google,
    Facebook,
    Twitter,
    Linkedin,
    Oidc,
}

impl From<ProviderKind> for ProviderKindDto {
    fn from(k: ProviderKind) -> Self {
        match k {
            ProviderKind::Password => Self::Password,
            ProviderKind::Guest => Self::Guest,
            ProviderKind::Google => Self::Google,
            ProviderKind::Facebook => Self::Facebook,
            ProviderKind::Twitter => Self::Twitter,
            ProviderKind::Linkedin => Self::Linkedin,
            ProviderKind::Oidc => Self::Oidc,
        }
    }
}

/// An identity provider of the instance, as configured (or its defaults). The client secret
/// is never returned: `client_secret_set` says whether one is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityProviderDto {
    /// The kind's name for built-in providers; the developer's key for OpenID Connect ones.
    #[schema(example = "google")]
    pub key: String,
    pub kind: ProviderKindDto,
    pub enabled: bool,
    pub display_name: String,
    pub button_label: String,
    /// Lower first, on the sign-in page and in the providers list.
    pub position: i32,
    /// The client id the provider issued (empty for password and guest).
    pub client_id: String,
    pub client_secret_set: bool,
    pub scopes: Vec<String>,
    /// OpenID Connect providers: their discovery document.
    pub discovery_url: Option<String>,
    /// OpenID Connect providers: the issuer the discovery document names.
    pub issuer: Option<String>,
    /// The applications that offer the provider; empty: every application.
    pub application_ids: Vec<Uuid>,
    /// Password provider: people may register on the hosted page and through the API.
    pub allow_registration: bool,
    /// Guest provider: how long a guest lasts (its session, then the guest is deleted unless it
    /// became a full account).
    pub guest_lifetime_secs: Option<i64>,
    /// Where the provider sends people back: paste it into the provider's own console.
    pub callback_url: Option<String>,
    /// Whether anything was saved (otherwise these are the defaults).
    pub configured: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityProviderList {
    pub items: Vec<IdentityProviderDto>,
}

/// A provider's settings. Omitted fields keep their stored value (or default).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityProviderInput {
    pub enabled: bool,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 60, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub display_name: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 60, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub button_label: Option<String>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000)]
    pub position: Option<i32>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 512, pattern = r"^[^\s\x00-\x1F\x7F]+$")]
    pub client_id: Option<String>,
    /// Omit to keep the stored secret, `null` to remove it, a string to replace it.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 1024, pattern = r"^[^\x00-\x1F\x7F]+$")]
    pub client_secret: Option<Option<String>>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub scopes: Option<Vec<String>>,
    /// OpenID Connect providers only: fetched and checked on save.
    #[serde(default)]
    #[schema(max_length = 2048, example = "https://id.example.com/.well-known/openid-configuration")]
    pub discovery_url: Option<String>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub application_ids: Option<Vec<Uuid>>,
    /// Password provider only.
    #[serde(default)]
    pub allow_registration: Option<bool>,
    /// Guest provider only: 3600 (an hour) to 31536000 (a year).
    #[serde(default)]
    #[schema(minimum = 3600, maximum = 31536000)]
    pub guest_lifetime_secs: Option<i64>,
}

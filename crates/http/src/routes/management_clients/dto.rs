use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::scope::{Area, Scope, Verb};
use steward_persistence::management_clients::{ClientSecret, ManagementClient};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::applications::dto::SecretInfo;

/// A scope a management client may hold: `area:verb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ManagementScope {
    #[serde(rename = "settings:read")]
    SettingsRead,
    #[serde(rename = "settings:write")]
    SettingsWrite,
    #[serde(rename = "applications:read")]
    ApplicationsRead,
    #[serde(rename = "applications:write")]
    ApplicationsWrite,
    #[serde(rename = "users:read")]
    UsersRead,
    #[serde(rename = "users:write")]
    UsersWrite,
    #[serde(rename = "emails:read")]
    EmailsRead,
    #[serde(rename = "emails:write")]
    EmailsWrite,
    #[serde(rename = "members:read")]
    MembersRead,
    #[serde(rename = "members:write")]
    MembersWrite,
    #[serde(rename = "audit_log:read")]
    AuditLogRead,
    #[serde(rename = "webhooks:read")]
    WebhooksRead,
    #[serde(rename = "webhooks:write")]
    WebhooksWrite,
    #[serde(rename = "usage:read")]
    UsageRead,
}

impl ManagementScope {
    pub const ALL: [ManagementScope; 14] = [
        Self::SettingsRead,
        Self::SettingsWrite,
        Self::ApplicationsRead,
        Self::ApplicationsWrite,
        Self::UsersRead,
        Self::UsersWrite,
        Self::EmailsRead,
        Self::EmailsWrite,
        Self::MembersRead,
        Self::MembersWrite,
        Self::AuditLogRead,
        Self::WebhooksRead,
        Self::WebhooksWrite,
        Self::UsageRead,
    ];

    pub fn scope(self) -> Scope {
        use ManagementScope::*;
        let (area, verb) = match self {
            SettingsRead => (Area::Settings, Verb::Read),
            SettingsWrite => (Area::Settings, Verb::Write),
            ApplicationsRead => (Area::Applications, Verb::Read),
            ApplicationsWrite => (Area::Applications, Verb::Write),
            UsersRead => (Area::Users, Verb::Read),
            UsersWrite => (Area::Users, Verb::Write),
            EmailsRead => (Area::Emails, Verb::Read),
            EmailsWrite => (Area::Emails, Verb::Write),
            MembersRead => (Area::Members, Verb::Read),
            MembersWrite => (Area::Members, Verb::Write),
            AuditLogRead => (Area::AuditLog, Verb::Read),
            WebhooksRead => (Area::Webhooks, Verb::Read),
            WebhooksWrite => (Area::Webhooks, Verb::Write),
            UsageRead => (Area::Usage, Verb::Read),
        };
        Scope::new(area, verb)
    }

    pub fn of(scope: Scope) -> Self {
        Self::ALL.into_iter().find(|s| s.scope() == scope).unwrap_or(Self::SettingsRead)
    }
}

/// A scope and what it allows, for people choosing scopes.
#[derive(Serialize, ToSchema)]
pub struct ScopeInfo {
    pub scope: ManagementScope,
    pub description: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ScopeCatalogue {
    pub items: Vec<ScopeInfo>,
    /// Where a management client gets its token (client credentials).
    #[schema(example = "https://steward.example.com/api/v1/oauth/token")]
    pub token_endpoint: String,
}

#[derive(Serialize, ToSchema)]
pub struct ManagementClientDto {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    #[schema(example = "mgmt_3Jr2cQhN1i0yVb2mK7cT4w")]
    pub client_id: String,
    pub scopes: Vec<ManagementScope>,
    /// After this the client gets no token and its tokens stop working; null: never.
    pub expires_at: Option<DateTime<Utc>>,
    pub expired: bool,
    /// Valid secrets: the current one, and rotated-out ones in their grace period.
    pub secrets: Vec<SecretInfo>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ManagementClientDto {
    pub fn new(c: ManagementClient, secrets: Vec<ClientSecret>) -> Self {
        let expired = c.expired_at(steward_persistence::now());
        Self {
            id: c.id,
            scopes: c.scope_list().into_iter().map(ManagementScope::of).collect(),
            name: c.name,
            description: c.description,
            client_id: c.client_id,
            expires_at: c.expires_at.map(|t| t.to_utc()),
            expired,
            secrets: secrets.into_iter().map(SecretInfo::from).collect(),
            created_at: c.created_at.to_utc(),
            updated_at: c.updated_at.to_utc(),
            last_used_at: c.last_used_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ManagementClientList {
    pub items: Vec<ManagementClientDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateManagementClientRequest {
    #[schema(example = "CI deploy bot", min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: String,
    pub description: Option<String>,
    /// At least one.
    #[schema(min_items = 1)]
    pub scopes: Vec<ManagementScope>,
    /// Optional end of the client's life (in the future).
    pub expires_at: Option<DateTime<Utc>>,
}

/// The new client; `client_secret` is in this response only.
#[derive(Serialize, ToSchema)]
pub struct CreatedManagementClient {
    pub client: ManagementClientDto,
    pub client_secret: String,
}

/// Fields to change; absent ones stay. `expires_at: null` removes the expiry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateManagementClientRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: Option<String>,
    pub description: Option<String>,
    #[schema(min_items = 1)]
    pub scopes: Option<Vec<ManagementScope>>,
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

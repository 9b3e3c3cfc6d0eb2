use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use steward_persistence::end_users::EndUser;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserStatusDto {
    /// Not blocked, email verified.
    Active,
    /// Refused by the public API; existing tokens stopped working when blocked.
    Blocked,
    /// Not blocked, email not verified yet.
    Unverified,
}

/// An end user of the instance. Never carries password data.
#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    /// `null` for a user without an address (a guest, an X account).
    #[schema(example = "grace@example.com")]
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: String,
    pub family_name: String,
    /// Display name.
    pub name: String,
    pub blocked: bool,
    pub status: UserStatusDto,
    /// How the user signs in: `password`, or an identity provider.
    #[schema(example = "password")]
    pub provider: String,
    /// Whether a password is set (an invited user may not have one yet).
    pub has_password: bool,
    /// Free-form JSON object kept for the application.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<EndUser> for UserDto {
    fn from(u: EndUser) -> Self {
        let status = if u.blocked {
            UserStatusDto::Blocked
        } else if u.email_verified {
            UserStatusDto::Active
        } else {
            UserStatusDto::Unverified
        };
        Self {
            id: u.id,
            email: (!u.email.is_empty()).then_some(u.email),
            email_verified: u.email_verified,
            given_name: u.given_name,
            family_name: u.family_name,
            name: u.name,
            blocked: u.blocked,
            status,
            provider: u.provider,
            has_password: u.password_hash.is_some(),
            metadata: u.metadata,
            created_at: u.created_at.to_utc(),
            updated_at: u.updated_at.to_utc(),
            last_login_at: u.last_login_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserDto>,
    pub next_cursor: Option<String>,
    /// How many users match the filters, counted up to 10,000.
    pub total: u64,
    /// True when more users match than `total` says (the count stops at 10,000).
    pub total_capped: bool,
}

impl UserList {
    pub fn from_page(page: steward_persistence::Page<EndUser>) -> Self {
        let cap = steward_persistence::end_users::COUNT_CAP;
        Self {
            items: page.items.into_iter().map(UserDto::from).collect(),
            next_cursor: page.next_cursor,
            total: page.total.min(cap),
            total_capped: page.total > cap,
        }
    }
}

/// The order of a user list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserSortDto {
    CreatedAt,
    Email,
    /// The display name.
    Name,
    LastLoginAt,
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Filters, sort and page of a user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Case-insensitive text in the email or the name.
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub status: Option<UserStatusDto>,
    /// `password` or an identity provider.
    pub provider: Option<String>,
    /// Created at or after (RFC 3339).
    pub created_from: Option<String>,
    /// Created before (RFC 3339).
    pub created_to: Option<String>,
    /// Only these users: comma-separated ids, at most 200 (a selection, e.g. to export it).
    pub ids: Option<String>,
    /// `created_at` by default.
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    #[param(inline)]
    pub sort: Option<UserSortDto>,
    /// `desc` by default.
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// 1 to 100 (default 50).
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(example = "grace@example.com", format = Email, max_length = 254)]
    pub email: String,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub given_name: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub family_name: Option<String>,
    /// Display name; defaults to "given family".
    #[serde(default)]
    pub name: Option<String>,
    /// 8 to 256 characters. Omit to create a user without a password (they set one later).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Password, min_length = 8, max_length = 256)]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub email_verified: Option<bool>,
    #[serde(default)]
    pub blocked: Option<bool>,
    /// A JSON object of at most 16 KiB.
    #[serde(default)]
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub metadata: Option<serde_json::Value>,
    /// Email an invitation that lets the user choose a password (7 days). Only without `password`.
    #[serde(default)]
    pub send_invitation: Option<bool>,
}

/// Fields to change; omitted fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub given_name: Option<String>,
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub family_name: Option<String>,
    pub name: Option<String>,
    /// Sets a new password; the user's sessions and tokens end.
    #[schema(value_type = Option<String>, format = Password, min_length = 8, max_length = 256)]
    pub password: Option<SecretString>,
    pub email_verified: Option<bool>,
    pub blocked: Option<bool>,
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub metadata: Option<serde_json::Value>,
}

/// An active session of an end user.
#[derive(Serialize, ToSchema)]
pub struct UserSessionDto {
    pub id: Uuid,
    /// The application the user signed in through.
    pub application_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A sign-in attempt.
#[derive(Serialize, ToSchema)]
pub struct SignInDto {
    /// `succeeded`, `failed` or `locked`.
    pub outcome: String,
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A user's active sessions and latest sign-in attempts.
#[derive(Serialize, ToSchema)]
pub struct UserActivity {
    pub sessions: Vec<UserSessionDto>,
    pub sign_ins: Vec<SignInDto>,
}

/// What a bulk action does to each selected user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Block,
    Unblock,
    Delete,
    SendVerification,
    /// An invitation to choose a password (users without one, e.g. imported).
    SendInvitation,
}

/// A bulk action on up to 100 users.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub action: BulkAction,
    /// 1 to 100 distinct user ids.
    #[schema(min_items = 1, max_items = 100)]
    pub ids: Vec<Uuid>,
}

/// How a bulk action went for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// Done.
    Done,
    /// Nothing to do (already blocked, unblocked or verified; already has a password).
    Skipped,
    /// Not done: `code` and `message` say why.
    Failed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub id: Uuid,
    pub outcome: BulkOutcome,
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Each user's outcome, in the order asked, and the counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkReport {
    pub results: Vec<BulkResult>,
    pub done: u32,
    pub skipped: u32,
    pub failed: u32,
}

/// An identity that links the user to a provider's account.
#[derive(Serialize, ToSchema)]
pub struct UserIdentityDto {
    pub id: Uuid,
    /// The provider's key (`google`, an OpenID Connect provider's key...).
    #[schema(example = "google")]
    pub provider: String,
    /// The user's id at the provider (`sub`).
    pub subject: String,
    /// The address the provider gave, when it gave one.
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<steward_persistence::user_identities::UserIdentity> for UserIdentityDto {
    fn from(i: steward_persistence::user_identities::UserIdentity) -> Self {
        Self {
            id: i.id,
            provider: i.provider_key,
            subject: i.subject,
            email: i.email,
            linked_at: i.linked_at.to_utc(),
            last_used_at: i.last_used_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserIdentityList {
    pub items: Vec<UserIdentityDto>,
}

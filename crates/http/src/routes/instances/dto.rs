use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::Role;
use steward_persistence::instances::Membership;
use utoipa::ToSchema;
use uuid::Uuid;

/// A member's role on an instance.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RoleDto {
    Owner,
    Admin,
    Developer,
    Viewer,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => RoleDto::Owner,
            Role::Admin => RoleDto::Admin,
            Role::Developer => RoleDto::Developer,
            Role::Viewer => RoleDto::Viewer,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Owner => Role::Owner,
            RoleDto::Admin => Role::Admin,
            RoleDto::Developer => Role::Developer,
            RoleDto::Viewer => Role::Viewer,
        }
    }
}

/// A client instance, with the caller's role on it.
#[derive(Serialize, ToSchema)]
pub struct InstanceDto {
    pub id: Uuid,
    /// The instance's URL name (immutable).
    #[schema(example = "production")]
    pub slug: String,
    #[schema(example = "Production")]
    pub name: String,
    /// IANA time zone in which the console shows the instance's times.
    #[schema(example = "Europe/Athens")]
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The caller's role.
    pub role: RoleDto,
    /// Every member must have two-factor sign-in on (see the security policy).
    pub require_two_factor: bool,
}

impl From<Membership> for InstanceDto {
    fn from(m: Membership) -> Self {
        let i = m.instance;
        Self {
            id: i.id,
            slug: i.slug,
            name: i.name,
            time_zone: i.time_zone,
            created_at: i.created_at.to_utc(),
            updated_at: i.updated_at.to_utc(),
            role: m.role.into(),
            require_two_factor: i.require_two_factor,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstanceList {
    pub items: Vec<InstanceDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInstanceRequest {
    /// 3–40 characters: lowercase letters, digits and single hyphens, starting with a letter.
    #[schema(example = "production", min_length = 3, max_length = 40, pattern = "^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$")]
    pub slug: String,
    #[schema(example = "Production", max_length = 100, min_length = 1, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: String,
    /// An IANA time zone name.
    #[schema(example = "Europe/Athens", min_length = 1, pattern = r"\S")]
    pub time_zone: String,
}

/// Fields to change; omitted fields stay as they are. The slug cannot change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInstanceRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: Option<String>,
    #[schema(pattern = r"\S")]
    pub time_zone: Option<String>,
}

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_persistence::members::Member;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::instances::RoleDto;

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub account_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: RoleDto,
    pub added_at: DateTime<Utc>,
}

impl From<Member> for MemberDto {
    fn from(m: Member) -> Self {
        Self { account_id: m.account_id, email: m.email, name: m.name, role: m.role.into(), added_at: m.added_at.to_utc() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub role: RoleDto,
}

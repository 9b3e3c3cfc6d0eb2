use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_persistence::invitations::Invitation;
use steward_persistence::now;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::instances::RoleDto;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[schema(example = "grace@example.com", max_length = 254, format = Email)]
    pub email: String,
    /// The role the invitee gets on accepting (only an owner invites owners).
    pub role: RoleDto,
}

/// An invitation not yet accepted or revoked.
#[derive(Serialize, ToSchema)]
pub struct InvitationDto {
    pub id: Uuid,
    pub email: String,
    pub role: RoleDto,
    /// The address of the member who invited (null when that account is gone).
    pub invited_by_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When its email was last sent (null until the mail worker sends it).
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Past its expiry: resend it to give it 7 more days.
    pub expired: bool,
}

impl InvitationDto {
    pub fn new(i: Invitation, role: RoleDto, invited_by_email: Option<String>) -> Self {
        Self {
            id: i.id,
            email: i.email,
            role,
            invited_by_email,
            created_at: i.created_at.to_utc(),
            expired: i.expires_at <= now(),
            expires_at: i.expires_at.to_utc(),
            last_sent_at: i.last_sent_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// An invitation link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationTokenRequest {
    /// The `token` parameter of the invitation link.
    pub token: String,
}

/// What an invitation link offers, for the page that accepts it.
#[derive(Serialize, ToSchema)]
pub struct InvitationPreview {
    pub instance_name: String,
    pub instance_slug: String,
    pub role: RoleDto,
    /// The address it was sent to: only an account that has verified it may accept.
    pub email: String,
    /// The name of the member who invited.
    pub invited_by: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// An instance's security policy.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Every member must have two-factor sign-in on to use the instance (members without it get
    /// 403 `two_factor_required` on its routes until they turn it on).
    pub require_two_factor: bool,
}

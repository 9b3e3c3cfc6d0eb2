//! An account's security log: sign-ins (and failed ones), password, email and two-factor
//! changes, sessions ended. Only the account itself reads it.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use crate::entities::account_events::Model as AccountEvent;
use crate::entities::account_events::{ActiveModel, Column, Entity};
use crate::{Page, StoreError, StoreResult, now};

/// What happened to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignedIn,
    SignInFailed,
    SignInLocked,
    TwoFactorFailed,
    PasswordChanged,
    PasswordReset,
    EmailChanged,
    EmailVerified,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    SessionRevoked,
    OtherSessionsRevoked,
    InvitationAccepted,
}

impl EventKind {
    pub const ALL: [EventKind; 15] = [
        EventKind::SignedIn,
        EventKind::SignInFailed,
        EventKind::SignInLocked,
        EventKind::TwoFactorFailed,
        EventKind::PasswordChanged,
        EventKind::PasswordReset,
        EventKind::EmailChanged,
        EventKind::EmailVerified,
        EventKind::TwoFactorEnabled,
        EventKind::TwoFactorDisabled,
        EventKind::RecoveryCodeUsed,
        EventKind::RecoveryCodesRegenerated,
        EventKind::SessionRevoked,
        EventKind::OtherSessionsRevoked,
        EventKind::InvitationAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignedIn => "signed_in",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::SignInLocked => "sign_in_locked",
            EventKind::TwoFactorFailed => "two_factor_failed",
            EventKind::PasswordChanged => "password_changed",
            EventKind::PasswordReset => "password_reset",
            EventKind::EmailChanged => "email_changed",
            EventKind::EmailVerified => "email_verified",
            EventKind::TwoFactorEnabled => "two_factor_enabled",
            EventKind::TwoFactorDisabled => "two_factor_disabled",
            EventKind::RecoveryCodeUsed => "recovery_code_used",
            EventKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            EventKind::SessionRevoked => "session_revoked",
            EventKind::OtherSessionsRevoked => "other_sessions_revoked",
            EventKind::InvitationAccepted => "invitation_accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where an event came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

pub async fn record(db: &impl ConnectionTrait, account_id: Uuid, kind: EventKind, origin: Origin<'_>, detail: Option<&str>) -> StoreResult<()> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now()),
        ip: Set(origin.ip.map(|s| truncate(s, 64))),
        user_agent: Set(origin.user_agent.map(|s| truncate(s, 512))),
        detail: Set(detail.map(|s| truncate(s, 512))),
    }
    .insert(db)
    .await
    .context("Failed to record an account event")?;
    Ok(())
}

/// The account's events, newest first, optionally of some kinds only.
pub async fn list(db: &impl ConnectionTrait, account_id: Uuid, kinds: &[EventKind], limit: u64, after: Option<&str>) -> StoreResult<Page<AccountEvent>> {
    let mut base = Entity::find().filter(Column::AccountId.eq(account_id));
    if !kinds.is_empty() {
        base = base.filter(Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
    }
    let total = base.clone().count(db).await.context("Failed to count account events")?;
    let mut q = base;
    if let Some(cursor) = after {
        let after = Uuid::parse_str(cursor).map_err(|_| StoreError::InvalidCursor)?;
        q = q.filter(Column::Id.lt(after));
    }
    let rows = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list account events")?;
    Ok(Page::from_overfetch(rows, limit, total, |e| e.id.to_string()))
}

/// Deletes events older than `before` (retention).
pub async fn delete_older_than(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::CreatedAt.lt(before)).exec(db).await.context("Failed to delete old account events")?;
    Ok(r.rows_affected)
}

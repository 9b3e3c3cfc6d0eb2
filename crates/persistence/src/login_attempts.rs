//! Sign-in attempts: the brute-force lock and the security overview read them.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use crate::entities::login_attempts::Model as LoginAttempt;
use crate::entities::login_attempts::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

/// What came of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Unknown email or wrong password (indistinguishable to the caller).
    Failed,
    /// Refused without checking the password because the account was locked.
    Locked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Locked => "locked",
        }
    }
}

pub struct NewAttempt<'a> {
    /// `None` for the console; the instance for its end users.
    pub instance_id: Option<Uuid>,
    pub email: &'a str,
    pub account_id: Option<Uuid>,
    pub end_user_id: Option<Uuid>,
    pub outcome: Outcome,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[tracing::instrument(skip_all)]
pub async fn record(db: &impl ConnectionTrait, attempt: NewAttempt<'_>) -> StoreResult<()> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(attempt.email.to_owned()),
        account_id: Set(attempt.account_id),
        instance_id: Set(attempt.instance_id),
        end_user_id: Set(attempt.end_user_id),
        outcome: Set(attempt.outcome.as_str().to_owned()),
        ip: Set(attempt.ip.map(|s| truncate(s, 64))),
        user_agent: Set(attempt.user_agent.map(|s| truncate(s, 512))),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .context("Failed to record a sign-in attempt")?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The latest sign-in attempts of an end user of an instance, newest first.
pub async fn recent_for_end_user(db: &impl ConnectionTrait, instance_id: Uuid, end_user_id: Uuid, limit: u64) -> StoreResult<Vec<LoginAttempt>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::EndUserId.eq(end_user_id))
        .order_by_desc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
        .context("Failed to read sign-in attempts")?)
}

/// Deletes attempts made before `before` (retention). Returns how many.
pub async fn delete_older_than(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::CreatedAt.lt(before)).exec(db).await.context("Failed to delete old sign-in attempts")?;
    Ok(r.rows_affected)
}

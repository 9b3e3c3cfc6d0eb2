//! One-time tokens sent to end users by email: email verification, password reset, invitation.
//! Only their SHA-256 is stored; each works once, until it expires.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::entities::user_tokens::Model as UserToken;
use crate::entities::user_tokens::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    Invitation,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::Invitation => "invitation",
        }
    }
}

pub async fn create(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    user_id: Uuid,
    purpose: Purpose,
    hash: &str,
    email: &str,
    expires_at: DateTime<FixedOffset>,
) -> StoreResult<UserToken> {
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        end_user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(hash.to_owned()),
        email: Set(email.to_owned()),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to store a one-time token")?)
}

/// Uses the token with this hash, if it is of one of `purposes`, of this instance, unused and
/// unexpired. Of two concurrent uses, one wins.
pub async fn consume(db: &impl ConnectionTrait, instance_id: Uuid, hash: &str, purposes: &[Purpose]) -> StoreResult<Option<UserToken>> {
    let at = now();
    let Some(token) = Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::InstanceId.eq(instance_id))
        .one(db)
        .await
        .context("Failed to look up a one-time token")?
    else {
        return Ok(None);
    };
    if token.used_at.is_some() || token.expires_at <= at || !purposes.iter().any(|p| p.as_str() == token.purpose) {
        return Ok(None);
    }
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(at))
        .filter(Column::Id.eq(token.id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await
        .context("Failed to use a one-time token")?;
    Ok((res.rows_affected == 1).then_some(token))
}

/// Ends the user's unused tokens of `purpose` (a new one replaces them).
pub async fn revoke_unused(db: &impl ConnectionTrait, user_id: Uuid, purpose: Purpose) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::EndUserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await
        .context("Failed to revoke one-time tokens")?;
    Ok(())
}

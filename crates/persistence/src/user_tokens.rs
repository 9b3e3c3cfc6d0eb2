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
    /// Confirms a new address the user asked for (the token's `email`); the change is made
    /// when the link is followed.
    ChangeEmail,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [Purpose::VerifyEmail, Purpose::ResetPassword, Purpose::Invitation, Purpose::ChangeEmail];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::Invitation => "invitation",
            Purpose::ChangeEmail => "change_email",
        }
    }
}

/// A one-time token to store (only its hash).
pub struct NewToken<'a> {
    pub user_id: Uuid,
    pub purpose: Purpose,
    pub hash: &'a str,
    /// The address the link goes to (the token is bound to it).
    pub email: &'a str,
    pub expires_at: DateTime<FixedOffset>,
    /// The application the link was asked from.
    pub application_id: Option<Uuid>,
}

pub async fn create(db: &impl ConnectionTrait, instance_id: Uuid, token: NewToken<'_>) -> StoreResult<UserToken> {
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        end_user_id: Set(token.user_id),
        purpose: Set(token.purpose.as_str().to_owned()),
        token_hash: Set(token.hash.to_owned()),
        email: Set(token.email.to_owned()),
        created_at: Set(now()),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        application_id: Set(token.application_id),
    }
    .insert(db)
    .await
    .context("Failed to store a one-time token")?)
}

/// The token with this hash in the instance, whatever its state (used, expired): what a link's
/// page says about it.
pub async fn find(db: &impl ConnectionTrait, instance_id: Uuid, hash: &str) -> StoreResult<Option<UserToken>> {
    Ok(Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::InstanceId.eq(instance_id))
        .one(db)
        .await
        .context("Failed to look up a one-time token")?)
}

/// The token with this hash, if it is of one of `purposes`, of this instance, unused and
/// unexpired — without using it (to check a link before costly work).
pub async fn peek(db: &impl ConnectionTrait, instance_id: Uuid, hash: &str, purposes: &[Purpose]) -> StoreResult<Option<UserToken>> {
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
    Ok(Some(token))
}

/// Uses the token with this hash, if it is of one of `purposes`, of this instance, unused and
/// unexpired. Of two concurrent uses, one wins. The use is the first statement (a write), so on
/// SQLite a transaction calling this holds the write lock from the start.
pub async fn consume(db: &impl ConnectionTrait, instance_id: Uuid, hash: &str, purposes: &[Purpose]) -> StoreResult<Option<UserToken>> {
    let at = now();
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(at))
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(at))
        .filter(Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .exec(db)
        .await
        .context("Failed to use a one-time token")?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    Ok(Entity::find().filter(Column::TokenHash.eq(hash)).one(db).await.context("Failed to read a one-time token")?)
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

/// Ends every unused token of the user, whatever its purpose: their links were sent to an
/// address the user no longer has.
pub async fn revoke_all_unused(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<u64> {
    let r = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::EndUserId.eq(user_id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await
        .context("Failed to revoke one-time tokens")?;
    Ok(r.rows_affected)
}

/// Deletes tokens that expired before `before` (retention). Returns how many.
pub async fn delete_expired_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::ExpiresAt.lt(before)).exec(db).await.context("Failed to delete old one-time tokens")?;
    Ok(r.rows_affected)
}

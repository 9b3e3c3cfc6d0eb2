//! One-time tokens of console accounts: email verification, password reset, and the second step
//! of a sign-in with two-factor. Only their SHA-256 is stored; each works once, until it expires.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::entities::account_tokens::Model as AccountToken;
use crate::entities::account_tokens::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPurpose {
    VerifyEmail,
    ResetPassword,
    /// The password was right; the second factor is still to come.
    TwoFactorChallenge,
}

impl AccountPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountPurpose::VerifyEmail => "verify_email",
            AccountPurpose::ResetPassword => "reset_password",
            AccountPurpose::TwoFactorChallenge => "two_factor_challenge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [AccountPurpose::VerifyEmail, AccountPurpose::ResetPassword, AccountPurpose::TwoFactorChallenge].into_iter().find(|p| p.as_str() == s)
    }
}

pub async fn create(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    purpose: AccountPurpose,
    hash: &str,
    email: &str,
    expires_at: DateTime<FixedOffset>,
) -> StoreResult<AccountToken> {
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(hash.to_owned()),
        email: Set(email.to_owned()),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to store an account token")?)
}

/// The token with this hash, whatever its state (used, expired): what a link's page says.
pub async fn find(db: &impl ConnectionTrait, hash: &str) -> StoreResult<Option<AccountToken>> {
    Ok(Entity::find().filter(Column::TokenHash.eq(hash)).one(db).await.context("Failed to look up an account token")?)
}

/// The unused, unexpired token of `purpose` with this hash, without using it.
pub async fn peek(db: &impl ConnectionTrait, hash: &str, purpose: AccountPurpose) -> StoreResult<Option<AccountToken>> {
    let at = now();
    let token = Entity::find().filter(Column::TokenHash.eq(hash)).one(db).await.context("Failed to look up an account token")?;
    Ok(token.filter(|t| t.used_at.is_none() && t.expires_at > at && t.purpose == purpose.as_str()))
}

/// Uses the token with this hash if it is of `purpose`, unused and unexpired. Of two concurrent
/// uses, one wins.
pub async fn consume(db: &impl ConnectionTrait, hash: &str, purpose: AccountPurpose) -> StoreResult<Option<AccountToken>> {
    let at = now();
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(at))
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(at))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .exec(db)
        .await
        .context("Failed to use an account token")?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    Ok(Entity::find().filter(Column::TokenHash.eq(hash)).one(db).await.context("Failed to read an account token")?)
}

/// Ends the account's unused tokens of `purpose` (`None`: of every purpose — e.g. its address
/// changed, so links sent to the old one must stop working).
pub async fn revoke_unused(db: &impl ConnectionTrait, account_id: Uuid, purpose: Option<AccountPurpose>) -> StoreResult<u64> {
    let mut q = Entity::update_many().col_expr(Column::UsedAt, Expr::value(now())).filter(Column::AccountId.eq(account_id)).filter(Column::UsedAt.is_null());
    if let Some(p) = purpose {
        q = q.filter(Column::Purpose.eq(p.as_str()));
    }
    Ok(q.exec(db).await.context("Failed to revoke account tokens")?.rows_affected)
}

/// Deletes tokens that expired before `before` (retention).
pub async fn delete_expired_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::ExpiresAt.lt(before)).exec(db).await.context("Failed to delete old account tokens")?;
    Ok(r.rows_affected)
}

//! Access tokens revoked before they expire (RFC 7009): their `jti`, kept until the token would
//! have expired anyway. Tokens are JWTs checked without the database, so this list is what makes a
//! revocation stick; user tokens need no entry (revoking one ends its session).

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreResult;
use crate::entities::revoked_tokens::{ActiveModel, Column, Entity};

/// Revokes the token `jti` (expiring at `expires_at`); revoking it again changes nothing.
#[tracing::instrument(skip_all, fields(jti = %jti))]
pub async fn revoke(db: &impl ConnectionTrait, jti: Uuid, expires_at: DateTime<FixedOffset>) -> StoreResult<()> {
    Entity::insert(ActiveModel { jti: Set(jti), expires_at: Set(expires_at) })
        .on_conflict(OnConflict::column(Column::Jti).do_nothing().to_owned())
        .try_insert()
        .exec(db)
        .await
        .context("Failed to revoke a token")?;
    Ok(())
}

/// Whether the token `jti` was revoked. One primary-key lookup.
pub async fn is_revoked(db: &impl ConnectionTrait, jti: Uuid) -> StoreResult<bool> {
    Ok(Entity::find_by_id(jti).one(db).await.context("Failed to check a token's revocation")?.is_some())
}

/// Forgets revocations of tokens that expired before `before` (retention).
pub async fn delete_expired_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let res = Entity::delete_many().filter(Column::ExpiresAt.lt(before)).exec(db).await.context("Failed to delete expired token revocations")?;
    Ok(res.rows_affected)
}

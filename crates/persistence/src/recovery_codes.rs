//! Two-factor recovery codes: ten single-use codes, stored as SHA-256 hashes (each holds 50
//! random bits, so a fast hash is enough; guessing is also bounded by the sign-in lockout).

use anyhow::Context;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::recovery_codes::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

/// Replaces the account's codes with these.
pub async fn replace(db: &impl ConnectionTrait, account_id: Uuid, hashes: &[String]) -> StoreResult<()> {
    delete_all(db, account_id).await?;
    let at = now();
    for hash in hashes {
        ActiveModel { id: Set(Uuid::now_v7()), account_id: Set(account_id), code_hash: Set(hash.clone()), created_at: Set(at), used_at: Set(None) }
            .insert(db)
            .await
            .context("Failed to store a recovery code")?;
    }
    Ok(())
}

/// Uses the code with this hash: true once, false ever after (and for a wrong code).
pub async fn consume(db: &impl ConnectionTrait, account_id: Uuid, hash: &str) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::CodeHash.eq(hash))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await
        .context("Failed to use a recovery code")?;
    Ok(r.rows_affected == 1)
}

/// How many unused codes the account has left.
pub async fn remaining(db: &impl ConnectionTrait, account_id: Uuid) -> StoreResult<u64> {
    Ok(Entity::find().filter(Column::AccountId.eq(account_id)).filter(Column::UsedAt.is_null()).count(db).await.context("Failed to count recovery codes")?)
}

pub async fn delete_all(db: &impl ConnectionTrait, account_id: Uuid) -> StoreResult<()> {
    Entity::delete_many().filter(Column::AccountId.eq(account_id)).exec(db).await.context("Failed to delete recovery codes")?;
    Ok(())
}

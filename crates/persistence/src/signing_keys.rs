//! Each instance's keys for signing the tokens of its public API.
//!
//! One key is active (signs); retired keys stay published in the JWKS until `expires_at`, when no
//! token they signed can still be valid.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use crate::entities::signing_keys::Model as SigningKey;
use crate::entities::signing_keys::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

pub struct NewKey {
    pub kid: String,
    pub algorithm: &'static str,
    pub public_key: String,
    pub private_key_encrypted: String,
}

/// The key that signs new tokens, if any.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn active(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<SigningKey>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::RetiredAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .one(db)
        .await
        .context("Failed to load the active signing key")?)
}

/// Keys whose tokens may still be valid: the active one and recently retired ones.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn published(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<SigningKey>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::ExpiresAt.is_null().or(Column::ExpiresAt.gt(now())))
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await
        .context("Failed to load published signing keys")?)
}

/// A published key of the instance by its `kid`.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn by_kid(db: &impl ConnectionTrait, instance_id: Uuid, kid: &str) -> StoreResult<Option<SigningKey>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Kid.eq(kid))
        .filter(Column::ExpiresAt.is_null().or(Column::ExpiresAt.gt(now())))
        .one(db)
        .await
        .context("Failed to look up a signing key")?)
}

/// Makes `new` the active key; the previous ones stop signing now and stop being published at
/// `retired_until`. Runs in the caller's transaction (the caller commits).
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn rotate(txn: &DatabaseTransaction, instance_id: Uuid, new: NewKey, retired_until: DateTime<FixedOffset>) -> StoreResult<SigningKey> {
    let at = now();
    Entity::update_many()
        .col_expr(Column::RetiredAt, Expr::value(at))
        .col_expr(Column::ExpiresAt, Expr::value(retired_until))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::RetiredAt.is_null())
        .exec(txn)
        .await
        .context("Failed to retire signing keys")?;
    let key = ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        kid: Set(new.kid),
        algorithm: Set(new.algorithm.to_owned()),
        public_key: Set(new.public_key),
        private_key_encrypted: Set(new.private_key_encrypted),
        created_at: Set(at),
        retired_at: Set(None),
        expires_at: Set(None),
    }
    .insert(txn)
    .await
    .context("Failed to insert a signing key")?;
    Ok(key)
}

//! The identities that link an end user to a provider's subject (`sub`): one per provider and
//! subject in an instance.

use anyhow::Context;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use crate::entities::user_identities::Model as UserIdentity;
use crate::entities::user_identities::{ActiveModel, Column, Entity};
use crate::{StoreError, StoreResult, now};

pub async fn by_subject(db: &impl ConnectionTrait, instance_id: Uuid, provider_key: &str, subject: &str) -> StoreResult<Option<UserIdentity>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::ProviderKey.eq(provider_key))
        .filter(Column::Subject.eq(subject))
        .one(db)
        .await
        .context("Failed to look up an identity")?)
}

/// Links `user_id` to the provider's subject. `Ok(None)` when the subject is already linked
/// (to anyone: a concurrent sign-in won the race).
pub async fn link(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    user_id: Uuid,
    provider_key: &str,
    subject: &str,
    email: Option<&str>,
) -> StoreResult<Option<UserIdentity>> {
    let at = now();
    let inserted = ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        end_user_id: Set(user_id),
        provider_key: Set(provider_key.to_owned()),
        subject: Set(subject.to_owned()),
        email: Set(email.map(str::to_owned)),
        linked_at: Set(at),
        last_used_at: Set(Some(at)),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(i) => Ok(Some(i)),
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(StoreError::Unexpected(anyhow::Error::new(e).context("Failed to link an identity"))),
    }
}

pub async fn touch(db: &impl ConnectionTrait, identity: &UserIdentity, email: Option<&str>) -> StoreResult<()> {
    let mut active: ActiveModel = identity.clone().into();
    active.last_used_at = Set(Some(now()));
    active.email = Set(email.map(str::to_owned).or_else(|| identity.email.clone()));
    active.update(db).await.context("Failed to record an identity's use")?;
    Ok(())
}

/// The user's identities, oldest first.
pub async fn of_user(db: &impl ConnectionTrait, instance_id: Uuid, user_id: Uuid) -> StoreResult<Vec<UserIdentity>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::EndUserId.eq(user_id))
        .order_by_asc(Column::LinkedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
        .context("Failed to list a user's identities")?)
}

pub async fn unlink(db: &impl ConnectionTrait, instance_id: Uuid, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = Entity::delete_many()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::EndUserId.eq(user_id))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .context("Failed to unlink an identity")?;
    Ok(res.rows_affected > 0)
}

//! Console accounts (developer-account members), not end users.

use anyhow::Context;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::entities::accounts::Model as Account;
use crate::entities::accounts::{ActiveModel, Column, Entity};
use crate::{Conflict, StoreResult, map_unique, now};

#[tracing::instrument(skip_all)]
pub async fn create(db: &impl ConnectionTrait, email: &str, name: &str, password_hash: &str) -> StoreResult<Account> {
    let at = now();
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    model.insert(db).await.map_err(|e| map_unique(e, Conflict::EmailTaken, "Failed to insert an account"))
}

#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<Account>> {
    Ok(Entity::find_by_id(id).one(db).await.context("Failed to load an account")?)
}

#[tracing::instrument(skip_all)]
pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> StoreResult<Option<Account>> {
    Ok(Entity::find().filter(Column::Email.eq(email)).one(db).await.context("Failed to look up an account by email")?)
}

/// Changes the name and/or email; `None` leaves a field as it is.
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn update_profile(db: &impl ConnectionTrait, id: Uuid, name: Option<String>, email: Option<String>) -> StoreResult<Option<Account>> {
    let Some(current) = find(db, id).await? else { return Ok(None) };
    let mut model: ActiveModel = current.into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(email) = email {
        model.email = Set(email);
    }
    model.updated_at = Set(now());
    let updated = model.update(db).await.map_err(|e| map_unique(e, Conflict::EmailTaken, "Failed to update an account"))?;
    Ok(Some(updated))
}

#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn set_password_hash(db: &impl ConnectionTrait, id: Uuid, password_hash: &str) -> StoreResult<()> {
    let model = ActiveModel { id: Set(id), password_hash: Set(password_hash.to_owned()), updated_at: Set(now()), ..Default::default() };
    model.update(db).await.context("Failed to store a new password hash")?;
    Ok(())
}

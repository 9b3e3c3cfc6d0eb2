//! Console accounts (developer-account members), not end users.

use anyhow::Context;
use sea_orm::sea_query::{Expr, ExprTrait as _};
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
        // A new address is unproved until its link is followed.
        model.email = Set(email);
        model.email_verified_at = Set(None);
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

/// Marks the account's address verified, if it still is `email` (a link sent to an address the
/// account no longer has proves nothing). True when it is verified now.
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn mark_verified(db: &impl ConnectionTrait, id: Uuid, email: &str) -> StoreResult<bool> {
    Entity::update_many()
        .col_expr(Column::EmailVerifiedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::Email.eq(email))
        .filter(Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await
        .context("Failed to mark an email verified")?;
    Ok(find(db, id).await?.is_some_and(|a| a.email == email && a.email_verified_at.is_some()))
}

/// Stores a new, not yet confirmed TOTP secret (encrypted), replacing an unconfirmed one. False
/// when two-factor is already on (it must be disabled first).
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn start_totp(db: &impl ConnectionTrait, id: Uuid, encrypted_secret: &str) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::TotpSecret, Expr::value(encrypted_secret))
        .col_expr(Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::TotpEnabledAt.is_null())
        .exec(db)
        .await
        .context("Failed to store a TOTP secret")?;
    Ok(r.rows_affected == 1)
}

/// Accepts TOTP `step` for the account: only a step later than the last one accepted, in one
/// atomic statement, so of two uses of one code (even at once) one wins.
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn accept_totp_step(db: &impl ConnectionTrait, id: Uuid, step: i64) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::TotpLastStep, Expr::value(step))
        .filter(Column::Id.eq(id))
        .filter(Column::TotpSecret.is_not_null())
        .filter(Column::TotpLastStep.is_null().or(Column::TotpLastStep.lt(step)))
        .exec(db)
        .await
        .context("Failed to record a TOTP step")?;
    Ok(r.rows_affected == 1)
}

/// Turns two-factor on (the secret was confirmed with a code).
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn enable_totp(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::TotpEnabledAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::TotpSecret.is_not_null())
        .filter(Column::TotpEnabledAt.is_null())
        .exec(db)
        .await
        .context("Failed to enable two-factor")?;
    Ok(r.rows_affected == 1)
}

/// Turns two-factor off and forgets the secret.
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn disable_totp(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::TotpSecret, Expr::value(Option::<String>::None))
        .col_expr(Column::TotpEnabledAt, Expr::value(Option::<chrono::DateTime<chrono::FixedOffset>>::None))
        .col_expr(Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .context("Failed to disable two-factor")?;
    Ok(())
}

//! Invitations to join an instance. Nobody becomes a member without accepting one: it is sent to
//! an address, and only an account that has verified that address may accept it, once, before
//! it expires. Its link is made when the email is sent (only its hash is kept), so a resend ends
//! the previous link.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use crate::entities::invitations::Model as Invitation;
use crate::entities::invitations::{ActiveModel, Column, Entity};
use crate::{Page, StoreError, StoreResult, now};

pub struct NewInvitation<'a> {
    pub instance_id: Uuid,
    pub email: &'a str,
    pub role: &'a str,
    pub invited_by: Uuid,
    pub expires_at: DateTime<FixedOffset>,
}

pub async fn create(db: &impl ConnectionTrait, new: NewInvitation<'_>) -> StoreResult<Invitation> {
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(new.instance_id),
        email: Set(new.email.to_owned()),
        role: Set(new.role.to_owned()),
        invited_by: Set(Some(new.invited_by)),
        token_hash: Set(None),
        created_at: Set(now()),
        expires_at: Set(new.expires_at),
        last_sent_at: Set(None),
        accepted_at: Set(None),
        accepted_by: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to store an invitation")?)
}

fn open() -> sea_orm::Select<Entity> {
    Entity::find().filter(Column::AcceptedAt.is_null()).filter(Column::RevokedAt.is_null())
}

/// The invitation of the instance with this id, whatever its state.
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<Invitation>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load an invitation")?)
}

/// The invitation with this id, whatever its instance and state (for the mail worker).
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<Invitation>> {
    Ok(Entity::find_by_id(id).one(db).await.context("Failed to load an invitation")?)
}

/// The unexpired, unanswered invitation of `email` to the instance, if any.
pub async fn pending_for(db: &impl ConnectionTrait, instance_id: Uuid, email: &str) -> StoreResult<Option<Invitation>> {
    Ok(open()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Email.eq(email))
        .filter(Column::ExpiresAt.gt(now()))
        .one(db)
        .await
        .context("Failed to look up an invitation")?)
}

/// The instance's invitations not yet accepted or revoked (expired ones too: they can be resent),
/// newest first.
pub async fn list_open(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Invitation>> {
    let base = open().filter(Column::InstanceId.eq(instance_id));
    let total = base.clone().count(db).await.context("Failed to count invitations")?;
    let mut q = base;
    if let Some(cursor) = after {
        let after = Uuid::parse_str(cursor).map_err(|_| StoreError::InvalidCursor)?;
        q = q.filter(Column::Id.lt(after));
    }
    let rows = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list invitations")?;
    Ok(Page::from_overfetch(rows, limit, total, |i| i.id.to_string()))
}

/// Revokes an open invitation: its link stops working. False when it was not open.
pub async fn revoke(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("Failed to revoke an invitation")?;
    Ok(r.rows_affected == 1)
}

/// Gives an open invitation a new expiry (a resend). False when it was not open.
pub async fn renew(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid, expires_at: DateTime<FixedOffset>) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("Failed to renew an invitation")?;
    Ok(r.rows_affected == 1)
}

/// Stores the hash of the link being sent (the previous link stops working). False when the
/// invitation is no longer open or has expired.
pub async fn set_link(db: &impl ConnectionTrait, id: Uuid, hash: &str) -> StoreResult<bool> {
    let at = now();
    let r = Entity::update_many()
        .col_expr(Column::TokenHash, Expr::value(hash))
        .col_expr(Column::LastSentAt, Expr::value(at))
        .filter(Column::Id.eq(id))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(at))
        .exec(db)
        .await
        .context("Failed to store an invitation link")?;
    Ok(r.rows_affected == 1)
}

/// The invitation whose link has this hash, whatever its state.
pub async fn by_link(db: &impl ConnectionTrait, hash: &str) -> StoreResult<Option<Invitation>> {
    Ok(Entity::find().filter(Column::TokenHash.eq(hash)).one(db).await.context("Failed to look up an invitation link")?)
}

/// Marks the open, unexpired invitation with this link accepted by `account_id`. Of two
/// concurrent acceptances, one wins; false for the other (and for a closed one).
pub async fn accept(db: &impl ConnectionTrait, id: Uuid, hash: &str, account_id: Uuid) -> StoreResult<bool> {
    let at = now();
    let r = Entity::update_many()
        .col_expr(Column::AcceptedAt, Expr::value(at))
        .col_expr(Column::AcceptedBy, Expr::value(account_id))
        .filter(Column::Id.eq(id))
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(at))
        .exec(db)
        .await
        .context("Failed to accept an invitation")?;
    Ok(r.rows_affected == 1)
}

//! Members of an instance (console accounts with a role on it).
//!
//! The rule that an instance always keeps at least one owner is enforced here, inside the
//! caller's transaction (which also holds the change's audit entry), first locking the instance row (PostgreSQL) or holds SQLite's single writer,
//! so two concurrent demotions cannot leave an instance without an owner.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait as _,
};
use steward_domain::Role;
use uuid::Uuid;

use crate::entities::{accounts, instance_members, instances};
use crate::instances::parse_role;
use crate::{Conflict, Page, StoreResult, now};

/// A member as the console shows it.
#[derive(Debug, Clone)]
pub struct Member {
    pub account_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub added_at: DateTime<FixedOffset>,
}

fn to_member(m: instance_members::Model, a: accounts::Model) -> StoreResult<Member> {
    Ok(Member { account_id: a.id, email: a.email, name: a.name, role: parse_role(&m.role)?, added_at: m.created_at })
}

/// The members of an instance, ordered by email.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Member>> {
    let base = instance_members::Entity::find()
        .join(JoinType::InnerJoin, instance_members::Relation::Accounts.def())
        .filter(instance_members::Column::InstanceId.eq(instance_id));
    let total = base.clone().count(db).await.context("Failed to count members")?;
    let mut query = base;
    if let Some(after) = after {
        query = query.filter(accounts::Column::Email.gt(after));
    }
    let rows = query.order_by_asc(accounts::Column::Email).limit(limit + 1).select_also(accounts::Entity).all(db).await.context("Failed to list members")?;
    let mut items = Vec::with_capacity(rows.len());
    for (m, a) in rows {
        if let Some(a) = a {
            items.push(to_member(m, a)?);
        }
    }
    Ok(Page::from_overfetch(items, limit, total, |m| m.email.clone()))
}

/// One member of an instance.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id, account_id = %account_id))]
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, account_id: Uuid) -> StoreResult<Option<Member>> {
    let row = instance_members::Entity::find()
        .join(JoinType::InnerJoin, instance_members::Relation::Accounts.def())
        .filter(instance_members::Column::InstanceId.eq(instance_id))
        .filter(instance_members::Column::AccountId.eq(account_id))
        .select_also(accounts::Entity)
        .one(db)
        .await
        .context("Failed to load a member")?;
    match row {
        Some((m, Some(a))) => Ok(Some(to_member(m, a)?)),
        _ => Ok(None),
    }
}

/// Adds an existing account to the instance.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id, account_id = %account_id))]
pub async fn add<C: ConnectionTrait>(db: &C, instance_id: Uuid, account_id: Uuid, role: Role) -> StoreResult<Member> {
    let at = now();
    instance_members::ActiveModel {
        instance_id: Set(instance_id),
        account_id: Set(account_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| crate::map_unique(e, Conflict::AlreadyMember, "Failed to add a member"))?;
    get(db, instance_id, account_id).await?.ok_or_else(|| anyhow::anyhow!("Member vanished after insert").into())
}

/// Locks the instance row for the rest of the transaction (PostgreSQL). SQLite serialises
/// writers on its own; the write that follows takes its lock.
pub async fn lock_instance(txn: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        instances::Entity::find_by_id(instance_id).lock_exclusive().one(txn).await.context("Failed to lock an instance")?;
    }
    Ok(())
}

async fn owner_count(txn: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<u64> {
    Ok(instance_members::Entity::find()
        .filter(instance_members::Column::InstanceId.eq(instance_id))
        .filter(instance_members::Column::Role.eq(Role::Owner.as_str()))
        .count(txn)
        .await
        .context("Failed to count owners")?)
}

/// A role change: the member as they were and as they are.
#[derive(Debug, Clone)]
pub struct RoleChange {
    pub before: Member,
    pub after: Member,
}

/// Gives a member a new role, in the caller's transaction (begun with [`crate::begin`]; the
/// caller commits, with whatever else belongs to the change, e.g. its audit entry). Refuses to
/// demote the last owner. `None` when not a member.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id, account_id = %account_id))]
pub async fn change_role(txn: &DatabaseTransaction, instance_id: Uuid, account_id: Uuid, role: Role) -> StoreResult<Option<RoleChange>> {
    lock_instance(txn, instance_id).await?;
    let Some(current) = get(txn, instance_id, account_id).await? else { return Ok(None) };
    if current.role == Role::Owner && role != Role::Owner && owner_count(txn, instance_id).await? <= 1 {
        return Err(Conflict::LastOwner.into());
    }
    instance_members::ActiveModel {
        instance_id: Set(instance_id),
        account_id: Set(account_id),
        role: Set(role.as_str().to_owned()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(txn)
    .await
    .context("Failed to change a member's role")?;
    let after = get(txn, instance_id, account_id).await?.ok_or_else(|| anyhow::anyhow!("Member vanished after a role change"))?;
    Ok(Some(RoleChange { before: current, after }))
}

/// Removes a member, in the caller's transaction (the caller commits). Refuses to remove the
/// last owner. The member as they were; `None` when not a member.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id, account_id = %account_id))]
pub async fn remove(txn: &DatabaseTransaction, instance_id: Uuid, account_id: Uuid) -> StoreResult<Option<Member>> {
    lock_instance(txn, instance_id).await?;
    let Some(current) = get(txn, instance_id, account_id).await? else { return Ok(None) };
    if current.role == Role::Owner && owner_count(txn, instance_id).await? <= 1 {
        return Err(Conflict::LastOwner.into());
    }
    instance_members::Entity::delete_by_id((instance_id, account_id)).exec(txn).await.context("Failed to remove a member")?;
    Ok(Some(current))
}

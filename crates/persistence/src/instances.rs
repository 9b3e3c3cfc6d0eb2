//! Client instances and the caller's membership in them.

use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait as _,
};
use steward_domain::Role;
use uuid::Uuid;

use crate::entities::instance_members;
pub use crate::entities::instances::Model as Instance;
use crate::entities::instances::{ActiveModel, Column, Entity};
use crate::{Conflict, Page, StoreError, StoreResult, map_unique, now};

/// An instance as one member sees it.
#[derive(Debug, Clone)]
pub struct Membership {
    pub instance: Instance,
    pub role: Role,
}

pub(crate) fn parse_role(s: &str) -> StoreResult<Role> {
    Role::parse(s).ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("Unknown role {s:?} stored")))
}

/// Creates an instance with `owner` as its first owner.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn create_with_owner(db: &crate::Database, slug: &str, name: &str, time_zone: &str, owner: Uuid) -> StoreResult<Membership> {
    let at = now();
    let txn = crate::begin(db).await?;
    let instance = ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.to_owned()),
        name: Set(name.to_owned()),
        time_zone: Set(time_zone.to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        require_two_factor: Set(false),
    }
    .insert(&txn)
    .await
    .map_err(|e| map_unique(e, Conflict::SlugTaken, "Failed to insert an instance"))?;
    instance_members::ActiveModel {
        instance_id: Set(instance.id),
        account_id: Set(owner),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await
    .context("Failed to insert the owner membership")?;
    txn.commit().await.context("Failed to commit a new instance")?;
    Ok(Membership { instance, role: Role::Owner })
}

/// The instance with this slug, if `account_id` is a member of it. A non-member learns nothing.
#[tracing::instrument(skip_all, fields(slug = %slug, account_id = %account_id))]
pub async fn membership(db: &impl ConnectionTrait, slug: &str, account_id: Uuid) -> StoreResult<Option<Membership>> {
    let row = Entity::find()
        .join(JoinType::InnerJoin, crate::entities::instances::Relation::InstanceMembers.def())
        .filter(Column::Slug.eq(slug))
        .filter(instance_members::Column::AccountId.eq(account_id))
        .select_also(instance_members::Entity)
        .one(db)
        .await
        .context("Failed to look up a membership")?;
    match row {
        Some((instance, Some(member))) => Ok(Some(Membership { instance, role: parse_role(&member.role)? })),
        _ => Ok(None),
    }
}

/// The instances `account_id` is a member of, ordered by slug.
#[tracing::instrument(skip_all, fields(account_id = %account_id))]
pub async fn list_for_account(db: &impl ConnectionTrait, account_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Membership>> {
    let base = Entity::find()
        .join(JoinType::InnerJoin, crate::entities::instances::Relation::InstanceMembers.def())
        .filter(instance_members::Column::AccountId.eq(account_id));
    let total = base.clone().count(db).await.context("Failed to count instances")?;
    let mut query = base;
    if let Some(after) = after {
        query = query.filter(Column::Slug.gt(after));
    }
    let rows = query.order_by_asc(Column::Slug).limit(limit + 1).select_also(instance_members::Entity).all(db).await.context("Failed to list instances")?;
    let mut items = Vec::with_capacity(rows.len());
    for (instance, member) in rows {
        let role = member.map(|m| parse_role(&m.role)).transpose()?.unwrap_or(Role::Viewer);
        items.push(Membership { instance, role });
    }
    Ok(Page::from_overfetch(items, limit, total, |m| m.instance.slug.clone()))
}

/// Changes the name and/or time zone.
#[tracing::instrument(skip_all, fields(instance_id = %id))]
pub async fn update(db: &impl ConnectionTrait, id: Uuid, name: Option<String>, time_zone: Option<String>) -> StoreResult<Instance> {
    let mut model = ActiveModel { id: Set(id), updated_at: Set(now()), ..Default::default() };
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(tz) = time_zone {
        model.time_zone = Set(tz);
    }
    Ok(model.update(db).await.context("Failed to update an instance")?)
}

/// Deletes the instance and, by cascade, everything scoped to it.
#[tracing::instrument(skip_all, fields(instance_id = %id))]
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<()> {
    Entity::delete_by_id(id).exec(db).await.context("Failed to delete an instance")?;
    Ok(())
}

/// An instance by slug, for the public API (no membership involved).
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> StoreResult<Option<Instance>> {
    Ok(Entity::find().filter(Column::Slug.eq(slug)).one(db).await.context("Failed to look up an instance")?)
}

/// Every instance (the billing jobs go through them all).
pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<Instance>> {
    Ok(Entity::find().all(db).await.context("Failed to list instances")?)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<Instance>> {
    Ok(Entity::find_by_id(id).one(db).await.context("Failed to load an instance")?)
}

/// Sets whether every member must have two-factor sign-in on.
#[tracing::instrument(skip_all, fields(instance_id = %id))]
pub async fn set_require_two_factor(db: &impl ConnectionTrait, id: Uuid, required: bool) -> StoreResult<Instance> {
    let model = ActiveModel { id: Set(id), require_two_factor: Set(required), updated_at: Set(now()), ..Default::default() };
    Ok(model.update(db).await.context("Failed to change the two-factor requirement")?)
}

//! The instance audit log: one row per change made to an instance, written in the transaction
//! of the change itself (pass the transaction to [`record`]). Rows are never updated; the
//! retention job deletes old ones, and deleting an instance deletes its log (cascade).

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use steward_domain::audit::{ActorKind, AuditAction, TargetKind};
use uuid::Uuid;

use crate::entities::audit_log::{ActiveModel, Column, Entity, Model};
use crate::{Page, StoreError, StoreResult, now};

/// An entry as stored and read back.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: Uuid,
    pub created_at: DateTime<FixedOffset>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub ip: Option<String>,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    /// `{ "field": { "before": …, "after": … } }`, secrets already redacted.
    pub changes: serde_json::Value,
}

/// An entry to write. The caller has redacted `changes`.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub ip: Option<String>,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub changes: serde_json::Value,
}

/// Which entries a list or an export shows (all `None`: every entry).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub target_kind: Option<TargetKind>,
    pub target_id: Option<String>,
    /// Entries at or after this time.
    pub from: Option<DateTime<FixedOffset>>,
    /// Entries before this time.
    pub to: Option<DateTime<FixedOffset>>,
}

fn to_entry(m: Model) -> StoreResult<Entry> {
    let bad = |what: &str, v: &str| StoreError::Unexpected(anyhow::anyhow!("Unknown {what} {v:?} stored in the audit log"));
    Ok(Entry {
        id: m.id,
        created_at: m.created_at,
        actor_kind: ActorKind::parse(&m.actor_kind).ok_or_else(|| bad("actor kind", &m.actor_kind))?,
        actor_id: m.actor_id,
        actor_label: m.actor_label,
        ip: m.ip,
        action: AuditAction::parse(&m.action).ok_or_else(|| bad("action", &m.action))?,
        target_kind: TargetKind::parse(&m.target_kind).ok_or_else(|| bad("target kind", &m.target_kind))?,
        target_id: m.target_id,
        target_label: m.target_label,
        changes: serde_json::from_str(&m.changes).context("An audit entry's changes are not JSON")?,
    })
}

/// Writes an entry of instance `instance_id`. Pass the transaction of the change it records.
#[tracing::instrument(skip_all, fields(%instance_id, action = %entry.action))]
pub async fn record(db: &impl ConnectionTrait, instance_id: Uuid, entry: NewEntry) -> StoreResult<Uuid> {
    let (id, row) = row(instance_id, entry);
    Entity::insert(row).exec_without_returning(db).await.context("Failed to write an audit entry")?;
    Ok(id)
}

/// Writes an entry with the webhook event of the same change in one round trip to the database
/// (see [`crate::webhooks::record_event_with`]): a change's write transaction is what bounds a
/// route's throughput, and each statement in it costs a round trip. Answers whether the event had
/// a subscriber (deliveries were queued).
#[tracing::instrument(skip_all, fields(%instance_id, action = %entry.action))]
pub async fn record_with_event(db: &impl ConnectionTrait, instance_id: Uuid, entry: NewEntry, event: crate::webhooks::NewEvent) -> StoreResult<bool> {
    use sea_orm::QueryTrait as _;
    let (_, row) = row(instance_id, entry);
    let audit = Entity::insert(row).build(db.get_database_backend());
    Ok(crate::webhooks::record_event_with(db, Some(audit), instance_id, event).await.context("Failed to write an audit entry and its webhook event")?)
}

fn row(instance_id: Uuid, entry: NewEntry) -> (Uuid, ActiveModel) {
    let id = Uuid::now_v7();
    let row = ActiveModel {
        id: Set(id),
        instance_id: Set(instance_id),
        created_at: Set(now()),
        actor_kind: Set(entry.actor_kind.as_str().to_owned()),
        actor_id: Set(entry.actor_id),
        actor_label: Set(entry.actor_label),
        ip: Set(entry.ip),
        action: Set(entry.action.as_str().to_owned()),
        target_kind: Set(entry.target_kind.as_str().to_owned()),
        target_id: Set(entry.target_id),
        target_label: Set(entry.target_label),
        changes: Set(entry.changes.to_string()),
    };
    (id, row)
}

fn filtered(instance_id: Uuid, f: &Filter) -> Select<Entity> {
    let mut q = Entity::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(a) = f.actor_id {
        q = q.filter(Column::ActorId.eq(a));
    }
    if let Some(a) = f.action {
        q = q.filter(Column::Action.eq(a.as_str()));
    }
    if let Some(k) = f.target_kind {
        q = q.filter(Column::TargetKind.eq(k.as_str()));
    }
    if let Some(t) = &f.target_id {
        q = q.filter(Column::TargetId.eq(t.as_str()));
    }
    if let Some(from) = f.from {
        q = q.filter(Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(Column::CreatedAt.lt(to));
    }
    q
}

/// One page of the instance's entries, newest first (keyset on the time-ordered id), with the
/// total matching the filter. `after` is the previous page's last id.
#[tracing::instrument(skip_all, fields(%instance_id))]
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, filter: &Filter, limit: u64, after: Option<&str>) -> StoreResult<Page<Entry>> {
    let base = filtered(instance_id, filter);
    let total = base.clone().count(db).await.context("Failed to count audit entries")?;
    let mut q = base;
    if let Some(after) = after {
        let after: Uuid = after.parse().map_err(|_| StoreError::InvalidCursor)?;
        q = q.filter(Column::Id.lt(after));
    }
    let rows = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list audit entries")?;
    let items = rows.into_iter().map(to_entry).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, total, |e| e.id.to_string()))
}

/// Up to `limit` entries after `after` (newest first), without counting: for exports in batches.
#[tracing::instrument(skip_all, fields(%instance_id))]
pub async fn batch(db: &impl ConnectionTrait, instance_id: Uuid, filter: &Filter, after: Option<Uuid>, limit: u64) -> StoreResult<Vec<Entry>> {
    let mut q = filtered(instance_id, filter);
    if let Some(after) = after {
        q = q.filter(Column::Id.lt(after));
    }
    let rows = q.order_by_desc(Column::Id).limit(limit).all(db).await.context("Failed to read audit entries")?;
    rows.into_iter().map(to_entry).collect()
}

/// Deletes every instance's entries older than `before` (the retention job); how many.
#[tracing::instrument(skip_all)]
pub async fn delete_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::CreatedAt.lt(before)).exec(db).await.context("Failed to delete old audit entries")?;
    Ok(r.rows_affected)
}

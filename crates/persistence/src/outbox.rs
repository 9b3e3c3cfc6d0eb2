//! The email outbox: every email is a row, written in the same transaction as the change that
//! caused it, then delivered by a worker with retries and backoff. Nothing acknowledged is lost.
//!
//! Claiming takes due rows and leases them (`locked_until`) in one statement: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so several processes never take the same row; SQLite has a single
//! writer. A process that dies mid-send leaves a lease that expires, and the row is retried.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

pub use crate::entities::outbox_emails::Model as OutboxEmail;
use crate::entities::outbox_emails::{ActiveModel, Column, Entity};
use crate::{Page, StoreResult, now};

pub const MAX_ATTEMPTS: i32 = 8;

pub struct NewEmail<'a> {
    pub instance_id: Option<Uuid>,
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues an email (call it inside the transaction of the change that causes it).
#[tracing::instrument(skip_all, fields(kind = %email.kind))]
pub async fn enqueue(db: &impl ConnectionTrait, email: NewEmail<'_>) -> StoreResult<OutboxEmail> {
    let at = now();
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(email.instance_id),
        kind: Set(email.kind.to_owned()),
        to_address: Set(email.to.to_owned()),
        subject: Set(email.subject.to_owned()),
        text_body: Set(email.text.to_owned()),
        html_body: Set(email.html.to_owned()),
        status: Set("queued".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        sent_at: Set(None),
        delivered_via: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to queue an email")?)
}

/// Takes up to `limit` due emails and leases them for `lease_secs`.
#[tracing::instrument(skip_all)]
pub async fn claim(db: &crate::Database, limit: u64, lease_secs: i64) -> StoreResult<Vec<OutboxEmail>> {
    let at = now();
    let until = at + chrono::Duration::seconds(lease_secs);
    let backend = db.get_database_backend();
    // The columns are named: sqlx's SQLite driver mis-sizes rows of `RETURNING *` on a table that
    // gained a column through `ALTER TABLE` (index out of bounds).
    let columns = Column::iter().map(|c| format!("\"{}\"", c.as_str())).collect::<Vec<_>>().join(", ");
    let sql = match backend {
        DatabaseBackend::Postgres => format!(
            "UPDATE outbox_emails SET status = 'sending', locked_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox_emails WHERE status IN ('queued', 'sending') AND next_attempt_at <= $2 \
             AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT {limit} FOR UPDATE SKIP LOCKED) RETURNING {columns}"
        ),
        _ => format!(
            "UPDATE outbox_emails SET status = 'sending', locked_until = ?, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox_emails WHERE status IN ('queued', 'sending') AND next_attempt_at <= ? \
             AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT {limit}) RETURNING {columns}"
        ),
    };
    let values: Vec<sea_orm::Value> = match backend {
        DatabaseBackend::Postgres => vec![until.into(), at.into()],
        _ => vec![until.into(), at.into(), at.into()],
    };
    let rows = OutboxEmail::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await.context("Failed to claim outbox emails")?;
    Ok(rows)
}

/// Records a delivery and the transport that made it (`custom_smtp`, `platform_smtp`,
/// `local_mailbox`).
pub async fn mark_sent(db: &impl ConnectionTrait, id: Uuid, via: &str) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value("sent"))
        .col_expr(Column::DeliveredVia, Expr::value(via))
        .col_expr(Column::SentAt, Expr::value(now()))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .context("Failed to mark an email sent")?;
    Ok(())
}

/// Records a failed attempt through `via`: retried with exponential backoff, or failed for good
/// after [`MAX_ATTEMPTS`].
pub async fn mark_attempt_failed(db: &impl ConnectionTrait, email: &OutboxEmail, via: &str, error: &str, retry_base_ms: u64) -> StoreResult<()> {
    let give_up = email.attempts >= MAX_ATTEMPTS;
    let backoff_ms = (retry_base_ms as i64).saturating_mul(2i64.pow((email.attempts - 1).clamp(0, 16) as u32)).min(3_600_000);
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(if give_up { "failed" } else { "queued" }))
        .col_expr(Column::NextAttemptAt, Expr::value(now() + chrono::Duration::milliseconds(backoff_ms)))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .col_expr(Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
        .col_expr(Column::DeliveredVia, Expr::value(via))
        .filter(Column::Id.eq(email.id))
        .exec(db)
        .await
        .context("Failed to record a failed delivery")?;
    Ok(())
}

/// Queues a failed (or any unsent) email of the instance again, now.
pub async fn retry(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value("queued"))
        .col_expr(Column::NextAttemptAt, Expr::value(now()))
        .col_expr(Column::Attempts, Expr::value(0))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Status.eq("failed"))
        .exec(db)
        .await
        .context("Failed to retry an email")?;
    Ok(res.rows_affected == 1)
}

/// The instance's emails, newest first.
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, status: Option<&str>, limit: u64, after: Option<&str>) -> StoreResult<Page<OutboxEmail>> {
    let mut base = Entity::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(s) = status {
        base = base.filter(Column::Status.eq(s));
    }
    let total = base.clone().count(db).await.context("Failed to count emails")?;
    let mut q = base;
    if let Some(after) = after.and_then(|a| a.parse::<Uuid>().ok()) {
        q = q.filter(Column::Id.lt(after));
    }
    let items = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list emails")?;
    Ok(Page::from_overfetch(items, limit, total, |e| e.id.to_string()))
}

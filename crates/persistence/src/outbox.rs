//! The email outbox: every email is a row, written in the same transaction as the change that
//! caused it, then delivered by a worker with retries and backoff. Nothing acknowledged is lost.
//!
//! Most rows are *requests* (`payload`): the worker renders them (and makes their one-time link)
//! when it sends them, so a public request never runs a tenant's template and a stored body never
//! holds a live link. Rows queued before that carry their rendered bodies and are sent as they are.
//!
//! The worker claims one instance's due rows at a time, leasing them (`locked_until`) under a
//! fresh `claim_token` in one statement: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several
//! processes never take the same row; SQLite has a single writer. Before each send the lease is
//! renewed, and a row is marked only while the claim that took it still holds it — a row whose
//! lease was lost (and re-claimed elsewhere) is neither sent nor marked. A process that stops
//! releases what it claimed and did not send; one that dies leaves a lease that expires.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::entities::outbox_attempts;
pub use crate::entities::outbox_attempts::Model as OutboxAttempt;
pub use crate::entities::outbox_emails::Model as OutboxEmail;
use crate::entities::outbox_emails::{ActiveModel, Column, Entity};
use crate::{Database, Page, StoreResult, begin, like_pattern, now};

pub const MAX_ATTEMPTS: i32 = 8;

/// An email to send: the worker renders `payload` (a JSON request the caller defines) when it
/// sends it.
pub struct NewEmail<'a> {
    pub instance_id: Option<Uuid>,
    pub kind: &'a str,
    pub to: &'a str,
    pub payload: String,
}

/// What is stored of a sent (or failed) email for the console: rendered, live links redacted.
pub struct Stored<'a> {
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
        subject: Set(String::new()),
        text_body: Set(String::new()),
        html_body: Set(String::new()),
        payload: Set(Some(email.payload)),
        claim_token: Set(None),
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

const DUE: &str = "status IN ('queued', 'sending') AND next_attempt_at <= {now} AND (locked_until IS NULL OR locked_until < {now})";

/// The instances (`None`: emails of no instance) that have due emails, at most `limit`.
#[tracing::instrument(skip_all)]
pub async fn due_instances(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<Option<Uuid>>> {
    #[derive(FromQueryResult)]
    struct Row {
        instance_id: Option<Uuid>,
    }
    let backend = db.get_database_backend();
    let p = if backend == DatabaseBackend::Postgres { "$1" } else { "?1" };
    let sql = format!("SELECT DISTINCT instance_id FROM outbox_emails WHERE {} LIMIT {limit}", DUE.replace("{now}", p));
    let rows = Row::find_by_statement(Statement::from_sql_and_values(backend, sql, [now().into()]))
        .all(db)
        .await
        .context("Failed to find instances with due emails")?;
    Ok(rows.into_iter().map(|r| r.instance_id).collect())
}

/// Takes up to `limit` due emails of one instance (`None`: of no instance) and leases them for
/// `lease_secs` under a new claim token.
#[tracing::instrument(skip_all)]
pub async fn claim(db: &impl ConnectionTrait, instance_id: Option<Uuid>, limit: u64, lease_secs: i64) -> StoreResult<Vec<OutboxEmail>> {
    let at = now();
    let until = at + chrono::Duration::seconds(lease_secs);
    let token = Uuid::now_v7();
    let backend = db.get_database_backend();
    // The columns are named: sqlx's SQLite driver mis-sizes rows of `RETURNING *` on a table that
    // gained a column through `ALTER TABLE` (index out of bounds).
    let columns = Column::iter().map(|c| format!("\"{}\"", c.as_str())).collect::<Vec<_>>().join(", ");
    let pg = backend == DatabaseBackend::Postgres;
    let (p_until, p_now, p_token, p_instance) = if pg { ("$1", "$2", "$3", "$4") } else { ("?1", "?2", "?3", "?4") };
    let instance_filter = if instance_id.is_some() { format!("instance_id = {p_instance}") } else { "instance_id IS NULL".to_owned() };
    let lock = if pg { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE outbox_emails SET status = 'sending', locked_until = {p_until}, attempts = attempts + 1, claim_token = {p_token} \
         WHERE id IN (SELECT id FROM outbox_emails WHERE {instance_filter} AND {due} ORDER BY next_attempt_at LIMIT {limit} {lock}) RETURNING {columns}",
        due = DUE.replace("{now}", p_now),
    );
    let mut values: Vec<sea_orm::Value> = vec![until.into(), at.into(), token.into()];
    if let Some(id) = instance_id {
        values.push(id.into());
    }
    let rows = OutboxEmail::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await.context("Failed to claim outbox emails")?;
    Ok(rows)
}

/// Extends the lease of a claimed email before it is sent; false when the claim no longer holds
/// it (its lease ran out and another worker took it): then it must not be sent.
pub async fn renew(db: &impl ConnectionTrait, email: &OutboxEmail, lease_secs: i64) -> StoreResult<bool> {
    let at = now();
    let r = Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(at + chrono::Duration::seconds(lease_secs)))
        .filter(Column::Id.eq(email.id))
        .filter(Column::ClaimToken.eq(email.claim_token))
        .filter(Column::Status.eq("sending"))
        .filter(Column::LockedUntil.gt(at))
        .exec(db)
        .await
        .context("Failed to renew an email's lease")?;
    Ok(r.rows_affected == 1)
}

/// Gives back claimed emails that were not sent (the process is stopping): due again at once,
/// and the attempt does not count.
pub async fn release(db: &impl ConnectionTrait, claimed: &[OutboxEmail]) -> StoreResult<u64> {
    let mut released = 0;
    for email in claimed {
        let r = Entity::update_many()
            .col_expr(Column::Status, Expr::value("queued"))
            .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
            .col_expr(Column::ClaimToken, Expr::value(Option::<Uuid>::None))
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).sub(1))
            .filter(Column::Id.eq(email.id))
            .filter(Column::ClaimToken.eq(email.claim_token))
            .filter(Column::Status.eq("sending"))
            .exec(db)
            .await
            .context("Failed to release a claimed email")?;
        released += r.rows_affected;
    }
    Ok(released)
}

fn held(email: &OutboxEmail) -> sea_orm::Condition {
    sea_orm::Condition::all().add(Column::Id.eq(email.id)).add(Column::ClaimToken.eq(email.claim_token)).add(Column::Status.eq("sending"))
}

/// How one delivery attempt went, for the email's attempt log.
pub struct AttemptRecord<'a> {
    /// `custom_smtp`, `platform_smtp`, `local_mailbox`; `None` when no transport was tried.
    pub via: Option<&'a str>,
    pub duration_ms: i64,
}

async fn log_attempt(db: &impl ConnectionTrait, email: &OutboxEmail, outcome: &str, error: Option<&str>, record: &AttemptRecord<'_>) -> StoreResult<()> {
    outbox_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        email_id: Set(email.id),
        attempt: Set(email.attempts),
        at: Set(now()),
        via: Set(record.via.map(str::to_owned)),
        outcome: Set(outcome.to_owned()),
        error: Set(error.map(|e| e.chars().take(2000).collect())),
        duration_ms: Set(std::cmp::max(record.duration_ms, 0)),
    }
    .insert(db)
    .await
    .context("Failed to record a delivery attempt")?;
    Ok(())
}

/// Applies `update` to the row while the claim holds it and logs the attempt, in one
/// transaction. False when the claim no longer held the row (nothing is written).
async fn finish_attempt(
    db: &Database,
    email: &OutboxEmail,
    update: sea_orm::UpdateMany<Entity>,
    outcome: &str,
    error: Option<&str>,
    record: &AttemptRecord<'_>,
) -> StoreResult<bool> {
    let txn = begin(db).await?;
    let r = update.filter(held(email)).exec(&txn).await.context("Failed to record an email's delivery")?;
    if r.rows_affected != 1 {
        return Ok(false);
    }
    log_attempt(&txn, email, outcome, error, record).await?;
    txn.commit().await.context("Failed to commit an email's delivery")?;
    Ok(true)
}

/// Records a delivery and the transport that made it (`custom_smtp`, `platform_smtp`,
/// `local_mailbox`), with what was sent (live links redacted). False when the claim no longer
/// held the row.
pub async fn mark_sent(db: &Database, email: &OutboxEmail, stored: Stored<'_>, record: AttemptRecord<'_>) -> StoreResult<bool> {
    let update = Entity::update_many()
        .col_expr(Column::Status, Expr::value("sent"))
        .col_expr(Column::DeliveredVia, Expr::value(record.via))
        .col_expr(Column::SentAt, Expr::value(now()))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(Column::Subject, Expr::value(stored.subject))
        .col_expr(Column::TextBody, Expr::value(stored.text))
        .col_expr(Column::HtmlBody, Expr::value(stored.html));
    finish_attempt(db, email, update, "sent", None, &record).await
}

/// Records that a request needs no email after all (its user is gone, blocked, already verified,
/// or no account has the address): `skipped`, with the reason for the console.
pub async fn mark_skipped(db: &Database, email: &OutboxEmail, reason: &str, record: AttemptRecord<'_>) -> StoreResult<bool> {
    let update = Entity::update_many()
        .col_expr(Column::Status, Expr::value("skipped"))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .col_expr(Column::LastError, Expr::value(reason));
    finish_attempt(db, email, update, "skipped", Some(reason), &record).await
}

/// Records a failed attempt: retried with exponential backoff, or failed for good after
/// [`MAX_ATTEMPTS`].
pub async fn mark_attempt_failed(db: &Database, email: &OutboxEmail, error: &str, retry_base_ms: u64, record: AttemptRecord<'_>) -> StoreResult<bool> {
    let give_up = email.attempts >= MAX_ATTEMPTS;
    let backoff_ms = std::cmp::min((retry_base_ms as i64).saturating_mul(2i64.pow((email.attempts - 1).clamp(0, 16) as u32)), 3_600_000);
    let update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(if give_up { "failed" } else { "queued" }))
        .col_expr(Column::NextAttemptAt, Expr::value(now() + chrono::Duration::milliseconds(backoff_ms)))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .col_expr(Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
        .col_expr(Column::DeliveredVia, Expr::value(record.via));
    finish_attempt(db, email, update, "failed", Some(error), &record).await
}

/// The email's delivery attempts, oldest first (at most the last 100).
pub async fn attempts(db: &impl ConnectionTrait, email_id: Uuid) -> StoreResult<Vec<OutboxAttempt>> {
    let mut rows = outbox_attempts::Entity::find()
        .filter(outbox_attempts::Column::EmailId.eq(email_id))
        .order_by_desc(outbox_attempts::Column::At)
        .order_by_desc(outbox_attempts::Column::Id)
        .limit(100)
        .all(db)
        .await
        .context("Failed to load an email's attempts")?;
    rows.reverse();
    Ok(rows)
}

/// Deletes emails that were sent, skipped or failed before `before` (retention), at most
/// `batch` at a time. Returns how many.
pub async fn delete_finished_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>, batch: u64) -> StoreResult<u64> {
    let ids: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.is_in(["sent", "skipped", "failed", "cancelled"]))
        .filter(Column::CreatedAt.lt(before))
        .limit(batch)
        .into_tuple()
        .all(db)
        .await
        .context("Failed to find old emails")?;
    if ids.is_empty() {
        return Ok(0);
    }
    let r = Entity::delete_many().filter(Column::Id.is_in(ids)).exec(db).await.context("Failed to delete old emails")?;
    Ok(r.rows_affected)
}

/// One email of the instance.
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<OutboxEmail>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load an email")?)
}

/// Sends a failed email again, or a queued one waiting for a later attempt, now (a failed one
/// starts its attempts over). False when the email is neither.
pub async fn retry(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value("queued"))
        .col_expr(Column::NextAttemptAt, Expr::value(now()))
        .col_expr(Column::Attempts, Expr::cust("CASE WHEN status = 'failed' THEN 0 ELSE attempts END"))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Status.is_in(["failed", "queued"]))
        .exec(db)
        .await
        .context("Failed to retry an email")?;
    Ok(res.rows_affected == 1)
}

/// Cancels a queued or failed email of the instance: it is never sent. False when it is being
/// sent, was sent, skipped or cancelled already.
pub async fn cancel(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value("cancelled"))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Status.is_in(["failed", "queued"]))
        .exec(db)
        .await
        .context("Failed to cancel an email")?;
    Ok(res.rows_affected == 1)
}

/// The instance's emails, newest first.
/// `to` matches part of the address, case-insensitively.
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    status: Option<&str>,
    to: Option<&str>,
    limit: u64,
    after: Option<&str>,
) -> StoreResult<Page<OutboxEmail>> {
    let mut base = Entity::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(s) = status {
        base = base.filter(Column::Status.eq(s));
    }
    if let Some(to) = to {
        base = base.filter(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(Column::ToAddress))).like(sea_orm::sea_query::LikeExpr::new(like_pattern(to)).escape('\\')),
        );
    }
    let total = base.clone().count(db).await.context("Failed to count emails")?;
    let mut q = base;
    if let Some(after) = after.and_then(|a| a.parse::<Uuid>().ok()) {
        q = q.filter(Column::Id.lt(after));
    }
    let items = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list emails")?;
    Ok(Page::from_overfetch(items, limit, total, |e| e.id.to_string()))
}

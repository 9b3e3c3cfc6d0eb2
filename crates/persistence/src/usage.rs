//! API usage: rollups of metered calls, registrations and active users for the dashboard, and the
//! cache-invalidation events every process polls.
//!
//! Rollups are written only by adding ([`add_rollups`]: an upsert that adds to what is stored),
//! so any number of processes flushing their counts add up exactly. The tables are written
//! with plain SQL: both databases take `INSERT ... ON CONFLICT DO UPDATE` with `excluded`.

use anyhow::Context;
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, Value};
use steward_domain::usage::Resolution;
use uuid::Uuid;

use crate::{Database, StoreResult, now};

/// The `n`th (1-based) bind parameter of `backend`.
pub(crate) fn ph(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

/// The histogram columns, `h00`..`h15`.
fn hist_cols() -> impl Iterator<Item = String> {
    (0..16).map(|i| format!("h{i:02}"))
}

/// Counts to add to one rollup row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey {
    pub instance_id: Uuid,
    pub resolution: Resolution,
    pub bucket_start: i64,
    /// `Uuid::nil()` for calls no application made.
    pub application_id: Uuid,
    pub route: String,
    pub method: String,
    pub status: i16,
    pub billable: bool,
}

/// What is added to a row: calls, their summed latency and its histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub calls: i64,
    pub latency_us: i64,
    pub hist: [i64; 16],
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.calls += other.calls;
        self.latency_us += other.latency_us;
        for (a, b) in self.hist.iter_mut().zip(other.hist.iter()) {
            *a += b;
        }
    }
}

/// Adds `rows` to the stored rollups in one transaction, once per `flush_id`: the id is
/// recorded in the same transaction, so a flush retried after an unanswered commit is skipped
/// when it did commit (`Ok(false)`). Rows with the same key are summed first (one statement
/// may not touch a row twice) and written in key order, so two processes flushing overlapping
/// rows on PostgreSQL lock them in the same order (no deadlock).
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn add_rollups(db: &Database, flush_id: Uuid, rows: &[(RollupKey, Counts)]) -> StoreResult<bool> {
    if rows.is_empty() {
        return Ok(true);
    }
    let mut merged: std::collections::BTreeMap<&RollupKey, Counts> = std::collections::BTreeMap::new();
    for (k, c) in rows {
        merged.entry(k).or_default().add(c);
    }
    let sorted: Vec<(&RollupKey, Counts)> = merged.into_iter().collect();
    let backend = db.get_database_backend();
    let txn = crate::begin(db).await?;
    let mark = format!("INSERT INTO usage_flushes (id, created_at) VALUES ({}, {}) ON CONFLICT (id) DO NOTHING", ph(backend, 1), ph(backend, 2));
    let marked =
        txn.execute_raw(Statement::from_sql_and_values(backend, mark, [flush_id.into(), now().into()])).await.context("Failed to record a usage flush")?;
    if marked.rows_affected() == 0 {
        return Ok(false);
    }
    const COLS: usize = 10 + 16;
    // A statement of at most 100 rows keeps under SQLite's bind-parameter limit.
    for chunk in sorted.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO usage_rollups (instance_id, resolution, bucket_start, application_id, route, method, status, billable, calls, latency_us",
        );
        for c in hist_cols() {
            sql.push_str(", ");
            sql.push_str(&c);
        }
        sql.push_str(") VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * COLS);
        for (i, (k, c)) in chunk.iter().enumerate() {
            let (k, c) = (*k, c);
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..COLS {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&ph(backend, i * COLS + j + 1));
            }
            sql.push(')');
            values.extend([
                k.instance_id.into(),
                (k.resolution as i16).into(),
                k.bucket_start.into(),
                k.application_id.into(),
                k.route.clone().into(),
                k.method.clone().into(),
                k.status.into(),
                k.billable.into(),
                c.calls.into(),
                c.latency_us.into(),
            ]);
            values.extend(c.hist.iter().map(|h| Value::from(*h)));
        }
        sql.push_str(
            " ON CONFLICT (instance_id, resolution, bucket_start, application_id, route, method, status, billable) DO UPDATE SET \
             calls = usage_rollups.calls + excluded.calls, latency_us = usage_rollups.latency_us + excluded.latency_us",
        );
        for c in hist_cols() {
            sql.push_str(&format!(", {c} = usage_rollups.{c} + excluded.{c}"));
        }
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to add to the usage rollups")?;
    }
    txn.commit().await.context("Failed to commit the usage rollups")?;
    Ok(true)
}

/// Forgets flush ids older than `before` (a retry comes seconds after its flush).
pub async fn delete_flushes_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM usage_flushes WHERE created_at < {}", ph(backend, 1));
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, [before.into()])).await.context("Failed to delete old usage flushes")?;
    Ok(r.rows_affected())
}

/// How aggregated rows are grouped besides (optionally) their bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Application,
    Route,
    Status,
}

/// One aggregated group of rollups.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    /// The bucket, when grouped by bucket.
    pub bucket_start: Option<i64>,
    pub application_id: Option<Uuid>,
    pub method: Option<String>,
    pub route: Option<String>,
    pub status: Option<i16>,
    pub calls: i64,
    pub errors: i64,
    pub server_errors: i64,
    pub counts: Counts,
}

/// What to aggregate.
#[derive(Debug, Clone, Copy)]
pub struct AggregateQuery {
    pub instance_id: Uuid,
    pub resolution: Resolution,
    /// Unix seconds, `[from, to)` on bucket starts.
    pub from: i64,
    pub to: i64,
    pub by_bucket: bool,
    pub dimension: Option<Dimension>,
    /// Only calls the bill counts.
    pub billable_only: bool,
}

/// Sums the rollups of one instance in a window, grouped as asked.
#[tracing::instrument(skip_all, fields(instance_id = %q.instance_id))]
pub async fn aggregate(db: &impl ConnectionTrait, q: AggregateQuery) -> StoreResult<Vec<Aggregate>> {
    let backend = db.get_database_backend();
    let mut group: Vec<&str> = Vec::new();
    if q.by_bucket {
        group.push("bucket_start");
    }
    match q.dimension {
        Some(Dimension::Application) => group.push("application_id"),
        Some(Dimension::Route) => group.extend(["method", "route"]),
        Some(Dimension::Status) => group.push("status"),
        None => {}
    }
    let mut sql = String::from("SELECT ");
    for g in &group {
        sql.push_str(g);
        sql.push_str(", ");
    }
    sql.push_str(
        "CAST(SUM(calls) AS BIGINT) AS calls, \
         CAST(SUM(CASE WHEN status >= 400 THEN calls ELSE 0 END) AS BIGINT) AS errors, \
         CAST(SUM(CASE WHEN status >= 500 THEN calls ELSE 0 END) AS BIGINT) AS server_errors, \
         CAST(SUM(latency_us) AS BIGINT) AS latency_us",
    );
    for c in hist_cols() {
        sql.push_str(&format!(", CAST(SUM({c}) AS BIGINT) AS {c}"));
    }
    sql.push_str(&format!(
        " FROM usage_rollups WHERE instance_id = {} AND resolution = {} AND bucket_start >= {} AND bucket_start < {}",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4)
    ));
    if q.billable_only {
        sql.push_str(" AND billable");
        if backend == DatabaseBackend::Sqlite {
            sql.push_str(" = 1");
        }
    }
    if !group.is_empty() {
        sql.push_str(" GROUP BY ");
        sql.push_str(&group.join(", "));
    }
    let values: Vec<Value> = vec![q.instance_id.into(), (q.resolution as i16).into(), q.from.into(), q.to.into()];
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to read the usage rollups")?;
    rows.iter().map(|r| read_aggregate(r, q)).collect()
}

fn read_aggregate(r: &QueryResult, q: AggregateQuery) -> StoreResult<Aggregate> {
    let get = |c: &str| r.try_get::<Option<i64>>("", c).map(|v| v.unwrap_or(0)).with_context(|| format!("Failed to read {c} of a rollup"));
    let mut hist = [0i64; 16];
    for (i, c) in hist_cols().enumerate() {
        hist[i] = get(&c)?;
    }
    let calls = get("calls")?;
    let mut a = Aggregate {
        calls,
        errors: get("errors")?,
        server_errors: get("server_errors")?,
        counts: Counts { calls, latency_us: get("latency_us")?, hist },
        ..Default::default()
    };
    if q.by_bucket {
        a.bucket_start = Some(r.try_get::<i64>("", "bucket_start").context("Failed to read a rollup's bucket")?);
    }
    match q.dimension {
        Some(Dimension::Application) => a.application_id = Some(r.try_get::<Uuid>("", "application_id").context("Failed to read a rollup's application")?),
        Some(Dimension::Route) => {
            a.method = Some(r.try_get::<String>("", "method").context("Failed to read a rollup's method")?);
            a.route = Some(r.try_get::<String>("", "route").context("Failed to read a rollup's route")?);
        }
        Some(Dimension::Status) => a.status = Some(r.try_get::<i16>("", "status").context("Failed to read a rollup's status")?),
        None => {}
    }
    Ok(a)
}

/// Billable calls per instance and day bucket since `since` (unix seconds), for the alerts and
/// the quota: `(instance, bucket_start, calls)`.
pub async fn billable_days_since(db: &impl ConnectionTrait, since: i64) -> StoreResult<Vec<(Uuid, i64, i64)>> {
    let backend = db.get_database_backend();
    let truth = if backend == DatabaseBackend::Sqlite { "billable = 1" } else { "billable" };
    let sql = format!(
        "SELECT instance_id, bucket_start, CAST(SUM(calls) AS BIGINT) AS calls FROM usage_rollups \
         WHERE resolution = {} AND bucket_start >= {} AND {truth} GROUP BY instance_id, bucket_start",
        ph(backend, 1),
        ph(backend, 2)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [(Resolution::Day as i16).into(), since.into()]))
        .await
        .context("Failed to read billable calls")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<Uuid>("", "instance_id").context("instance_id")?,
                r.try_get::<i64>("", "bucket_start").context("bucket_start")?,
                r.try_get::<Option<i64>>("", "calls").context("calls")?.unwrap_or(0),
            ))
        })
        .collect()
}

/// Billable calls of one instance in `[from, to)` (unix seconds on local-day buckets).
pub async fn billable_calls(db: &impl ConnectionTrait, instance_id: Uuid, from: i64, to: i64) -> StoreResult<i64> {
    let rows =
        aggregate(db, AggregateQuery { instance_id, resolution: Resolution::Day, from, to, by_bucket: false, dimension: None, billable_only: true }).await?;
    Ok(rows.first().map_or(0, |a| a.calls))
}

/// Deletes rollups of `resolution` whose bucket started before `before` (compaction: the coarser
/// rollups were written with them and keep their counts). Returns how many.
pub async fn delete_rollups_before(db: &impl ConnectionTrait, resolution: Resolution, before: i64) -> StoreResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM usage_rollups WHERE resolution = {} AND bucket_start < {}", ph(backend, 1), ph(backend, 2));
    let r = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [(resolution as i16).into(), before.into()]))
        .await
        .context("Failed to compact the usage rollups")?;
    Ok(r.rows_affected())
}

/// Deletes the rollups of instances that no longer exist (a flush that raced a deletion).
pub async fn delete_orphan_rollups(db: &impl ConnectionTrait) -> StoreResult<u64> {
    let r = db
        .execute_unprepared("DELETE FROM usage_rollups WHERE instance_id NOT IN (SELECT id FROM instances)")
        .await
        .context("Failed to delete orphaned usage rollups")?;
    Ok(r.rows_affected())
}

/// Deletes every rollup of an instance (with the instance).
pub async fn delete_instance_rollups(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM usage_rollups WHERE instance_id = {}", ph(backend, 1));
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to delete an instance's usage")?;
    Ok(())
}

/// Registrations of an instance in `[from, to)`, per `step` seconds (unix seconds of each
/// step's start; 900 fits every zone: local hours and days are whole quarter hours).
pub async fn registrations(db: &impl ConnectionTrait, instance_id: Uuid, from: DateTime<Utc>, to: DateTime<Utc>, step: i64) -> StoreResult<Vec<(i64, i64)>> {
    let backend = db.get_database_backend();
    let step = step.max(1);
    let quarter = match backend {
        DatabaseBackend::Postgres => format!("CAST(FLOOR(EXTRACT(EPOCH FROM created_at) / {step}) AS BIGINT) * {step}"),
        _ => format!("(CAST(strftime('%s', created_at) AS INTEGER) / {step}) * {step}"),
    };
    let sql = format!(
        "SELECT {quarter} AS q, CAST(COUNT(*) AS BIGINT) AS n FROM end_users \
         WHERE instance_id = {} AND created_at >= {} AND created_at < {} GROUP BY 1",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3)
    );
    let (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>) = (from.fixed_offset(), to.fixed_offset());
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), from.into(), to.into()]))
        .await
        .context("Failed to count registrations")?;
    rows.iter().map(|r| Ok((r.try_get::<i64>("", "q").context("Failed to read a registration bucket")?, r.try_get::<i64>("", "n").context("n")?))).collect()
}

/// Sign-in activity of an instance's end users in `[from, to)`: each session started or last
/// used (a renewal) in it, with its user and both instants. At most `limit` sessions, newest first.
pub async fn session_activity(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<(Uuid, i64, i64)>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT end_user_id, created_at, last_used_at FROM auth_sessions \
         WHERE instance_id = {p1} AND end_user_id IS NOT NULL \
         AND ((created_at >= {p2} AND created_at < {p3}) OR (last_used_at >= {p2} AND last_used_at < {p3})) \
         ORDER BY last_used_at DESC LIMIT {limit}",
        p1 = ph(backend, 1),
        p2 = ph(backend, 2),
        p3 = ph(backend, 3)
    );
    let (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>) = (from.fixed_offset(), to.fixed_offset());
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), from.into(), to.into()]))
        .await
        .context("Failed to read sessions")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<Uuid>("", "end_user_id").context("end_user_id")?,
                r.try_get::<DateTime<FixedOffset>>("", "created_at").context("created_at")?.timestamp(),
                r.try_get::<DateTime<FixedOffset>>("", "last_used_at").context("last_used_at")?.timestamp(),
            ))
        })
        .collect()
}

/// End users of an instance created before `before` (the users a bill counts).
pub async fn users_before(db: &impl ConnectionTrait, instance_id: Uuid, before: DateTime<Utc>) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM end_users WHERE instance_id = {} AND created_at < {}", ph(backend, 1), ph(backend, 2));
    let before: DateTime<FixedOffset> = before.fixed_offset();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), before.into()]))
        .await
        .context("Failed to count users")?
        .context("COUNT returned no row")?;
    Ok(row.try_get::<i64>("", "n").context("n")?)
}

/// A change cached copies must drop: everything cached of an instance, or (with `subject`) what
/// was cached about one token or user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheEvent {
    pub id: i64,
    pub instance_id: Uuid,
    pub subject: Option<Uuid>,
}

/// Records a change for the other processes' caches.
pub async fn record_cache_event(db: &impl ConnectionTrait, instance_id: Uuid, subject: Option<Uuid>) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = format!("INSERT INTO cache_events (instance_id, subject, created_at) VALUES ({}, {}, {})", ph(backend, 1), ph(backend, 2), ph(backend, 3));
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), subject.into(), now().into()]))
        .await
        .context("Failed to record a cache event")?;
    Ok(())
}

/// The events recorded since `since` (the poller looks back a few seconds, because a
/// transaction may commit an older id after a newer one; it skips ids it has seen).
pub async fn cache_events_since(db: &impl ConnectionTrait, since: DateTime<FixedOffset>) -> StoreResult<Vec<CacheEvent>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT id, instance_id, subject FROM cache_events WHERE created_at >= {} ORDER BY id", ph(backend, 1));
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [since.into()])).await.context("Failed to read cache events")?;
    rows.iter()
        .map(|r| {
            Ok(CacheEvent {
                id: r.try_get::<i64>("", "id").context("id")?,
                instance_id: r.try_get::<Uuid>("", "instance_id").context("instance_id")?,
                subject: r.try_get::<Option<Uuid>>("", "subject").context("subject")?,
            })
        })
        .collect()
}

/// Deletes cache events older than `before` (retention).
pub async fn delete_cache_events_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM cache_events WHERE created_at < {}", ph(backend, 1));
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, [before.into()])).await.context("Failed to delete cache events")?;
    Ok(r.rows_affected())
}

/// Takes up to `want` calls of an instance's hard quota for its period (unix seconds of the
/// start), in one statement: the grant never passes `quota`, however many processes ask at
/// once. `used` seeds the period's row the first time (calls made before the limit applied).
/// Returns how many were granted (0: the quota is used up).
pub async fn grant_quota(db: &Database, instance_id: Uuid, period_start: i64, quota: i64, want: i64, used: i64) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let p = |n| ph(backend, n);
    let seed = format!(
        "INSERT INTO usage_quota (instance_id, period_start, granted, last_grant) VALUES ({}, {}, {}, 0) ON CONFLICT (instance_id, period_start) DO NOTHING",
        p(1),
        p(2),
        p(3)
    );
    db.execute_raw(Statement::from_sql_and_values(backend, seed, [instance_id.into(), period_start.into(), used.into()]))
        .await
        .context("Failed to open a quota")?;
    let take = format!("CASE WHEN {q} - granted < {w} THEN {q} - granted ELSE {w} END", q = p(3), w = p(4));
    let sql = format!(
        "UPDATE usage_quota SET last_grant = {take}, granted = granted + {take} \
         WHERE instance_id = {} AND period_start = {} AND granted < {} RETURNING last_grant",
        p(1),
        p(2),
        p(3)
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), period_start.into(), quota.into(), want.into()]))
        .await
        .context("Failed to take from a quota")?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "last_grant").context("last_grant")?,
        None => 0,
    })
}

/// Gives back calls granted but not used (a process shutting down).
pub async fn return_quota(db: &impl ConnectionTrait, instance_id: Uuid, period_start: i64, n: i64) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql =
        format!("UPDATE usage_quota SET granted = granted - {} WHERE instance_id = {} AND period_start = {}", ph(backend, 1), ph(backend, 2), ph(backend, 3));
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [n.into(), instance_id.into(), period_start.into()]))
        .await
        .context("Failed to return a quota lease")?;
    Ok(())
}

/// Forgets quota rows of periods that started before `before`.
pub async fn delete_quota_before(db: &impl ConnectionTrait, before: i64) -> StoreResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM usage_quota WHERE period_start < {}", ph(backend, 1));
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, [before.into()])).await.context("Failed to delete old quotas")?;
    Ok(r.rows_affected())
}

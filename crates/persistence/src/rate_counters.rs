//! Counters in fixed windows, kept in the database so a limit holds across every process: the
//! sign-in lockout and the limits on public routes that send email.
//!
//! [`hit`] counts and reads in one statement (an upsert with `RETURNING`), so 200 concurrent
//! attempts get 200 distinct counts and at most the limit of them pass — there is no window
//! between reading a count and recording the attempt.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::ColumnTrait;
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryFilter, Statement};

use crate::entities::rate_counters::{Column, Entity};
use crate::{StoreResult, now};

/// The state of a counter after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Hits in the current window, this one included.
    pub count: i64,
    /// When the current window ends (and the count starts again).
    pub window_ends: DateTime<FixedOffset>,
}

impl Hit {
    /// Whole seconds until the window ends, at least 1 (for `Retry-After`).
    pub fn retry_after_secs(&self) -> u64 {
        (self.window_ends - now()).num_seconds().max(1) as u64
    }
}

#[derive(FromQueryResult)]
struct Row {
    count: i64,
    window_start: DateTime<FixedOffset>,
}

/// Adds one to `key` in its window of `window_secs` (a new window starts when the last one has
/// ended) and returns the count, atomically.
#[tracing::instrument(skip_all)]
pub async fn hit(db: &impl ConnectionTrait, key: &str, window_secs: i64) -> StoreResult<Hit> {
    let at = now();
    let expired = at - chrono::Duration::seconds(window_secs);
    let backend = db.get_database_backend();
    let (p1, p2, p3) = match backend {
        DatabaseBackend::Postgres => ("$1", "$2", "$3"),
        _ => ("?1", "?2", "?3"),
    };
    let sql = format!(
        "INSERT INTO rate_counters (key, window_start, count) VALUES ({p1}, {p2}, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN rate_counters.window_start <= {p3} THEN 1 ELSE rate_counters.count + 1 END, \
           window_start = CASE WHEN rate_counters.window_start <= {p3} THEN {p2} ELSE rate_counters.window_start END \
         RETURNING count, window_start"
    );
    let row = Row::find_by_statement(Statement::from_sql_and_values(backend, sql, [key.into(), at.into(), expired.into()]))
        .one(db)
        .await
        .context("Failed to count a rate-limited action")?
        .context("The counter upsert returned no row")?;
    Ok(Hit { count: row.count, window_ends: row.window_start + chrono::Duration::seconds(window_secs) })
}

/// Takes up to `want` from counter `key` (one fixed window per key) whose limit is `limit`, in
/// one atomic statement: answers how many were granted (0 once the limit is reached). Processes
/// spend what they took in memory, so a limit per minute costs one write per lease, not per call.
pub async fn take(db: &impl ConnectionTrait, key: &str, want: i64, limit: i64) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let (p1, p2, p3) = match backend {
        DatabaseBackend::Postgres => ("$1", "$2", "$3"),
        _ => ("?1", "?2", "?3"),
    };
    let sql = format!(
        "INSERT INTO rate_counters (key, window_start, count) VALUES ({p1}, {p2}, {p3}) \
         ON CONFLICT (key) DO UPDATE SET count = rate_counters.count + {p3} RETURNING count"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [key.into(), now().into(), want.into()]))
        .await
        .context("Failed to take from a rate limit")?
        .context("The counter upsert returned no row")?;
    let count: i64 = row.try_get("", "count").context("count")?;
    Ok((want - (count - limit).max(0)).clamp(0, want))
}

/// Forgets `key` (a successful sign-in clears the failures before it).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> StoreResult<()> {
    Entity::delete_many().filter(Column::Key.eq(key)).exec(db).await.context("Failed to clear a counter")?;
    Ok(())
}

/// Deletes counters whose window started before `before` (retention). Returns how many.
pub async fn delete_older_than(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::WindowStart.lt(before)).exec(db).await.context("Failed to delete old counters")?;
    Ok(r.rows_affected)
}

//! End users of an instance. Every function takes the instance id.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use steward_domain::end_user::UserStatus;
use uuid::Uuid;

pub use crate::entities::end_users::Model as EndUser;
use crate::entities::end_users::{ActiveModel, Column, Entity};
use crate::like_pattern;
use crate::{Conflict, Page, StoreError, StoreResult, map_unique, now};

pub struct NewEndUser {
    pub email: String,
    pub email_verified: bool,
    pub given_name: String,
    pub family_name: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub blocked: bool,
    pub provider: String,
    pub metadata: serde_json::Value,
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn create(db: &impl ConnectionTrait, instance_id: Uuid, new: NewEndUser) -> StoreResult<EndUser> {
    let at = now();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        email: Set(new.email),
        email_verified: Set(new.email_verified),
        given_name: Set(new.given_name),
        family_name: Set(new.family_name),
        name: Set(new.name),
        password_hash: Set(new.password_hash),
        blocked: Set(new.blocked),
        provider: Set(new.provider),
        metadata: Set(new.metadata),
        created_at: Set(at),
        updated_at: Set(at),
        last_login_at: Set(None),
        tokens_valid_after: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| map_unique(e, Conflict::EmailTaken, "Failed to insert an end user"))
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, user_id = %id))]
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<EndUser>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load an end user")?)
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn by_email(db: &impl ConnectionTrait, instance_id: Uuid, email: &str) -> StoreResult<Option<EndUser>> {
    Ok(Entity::find().filter(Column::InstanceId.eq(instance_id)).filter(Column::Email.eq(email)).one(db).await.context("Failed to look up an end user")?)
}

/// Which users a list shows.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Case-insensitive substring of the email or the name.
    pub q: Option<String>,
    pub status: Option<UserStatus>,
    pub provider: Option<String>,
    pub created_from: Option<DateTime<FixedOffset>>,
    pub created_to: Option<DateTime<FixedOffset>>,
    /// Only these users (a selection).
    pub ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    CreatedAt,
    Email,
    Name,
    LastLoginAt,
}

/// A search with at most this many trigram hits is answered from the FTS5 index (SQLite).
const NARROW_CAP: u64 = 1_000;

/// How a text search runs on SQLite: a selective `q` (at most [`NARROW_CAP`] trigram matches
/// in the FTS5 index) narrows the rows to those rowids; a broad one scans in sort order, where
/// matches are dense and the page fills quickly. Counting FTS hits is cheap only while they are
/// few, hence the small cap. PostgreSQL's planner makes this choice itself with pg_trgm indexes.
async fn sqlite_search_narrowing(db: &impl ConnectionTrait, f: &UserFilter) -> StoreResult<Option<Vec<i64>>> {
    let Some(text) = f.q.as_deref().filter(|t| t.chars().count() >= 3) else { return Ok(None) };
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(None);
    }
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    // Counting the hits (up to the cap) is cheap even for a broad search; fetching them is not.
    let count = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM (SELECT rowid FROM end_users_search WHERE end_users_search MATCH ? LIMIT ?)",
            [phrase.clone().into(), ((NARROW_CAP + 1) as i64).into()],
        ))
        .await
        .context("Failed to search users")?;
    let n: i64 = count.map(|r| r.try_get("", "n")).transpose().context("Failed to read a search count")?.unwrap_or(0);
    if n as u64 > NARROW_CAP {
        return Ok(None);
    }
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Sqlite,
            "SELECT rowid AS r FROM end_users_search WHERE end_users_search MATCH ? LIMIT ?",
            [phrase.into(), ((NARROW_CAP + 1) as i64).into()],
        ))
        .await
        .context("Failed to search users")?;
    if rows.len() as u64 > NARROW_CAP {
        return Ok(None);
    }
    let ids = rows.iter().map(|r| r.try_get::<i64>("", "r")).collect::<Result<Vec<_>, _>>().context("Failed to read search hits")?;
    Ok(Some(ids))
}

fn filtered_with(instance_id: Uuid, f: &UserFilter, narrowing: Option<&[i64]>) -> sea_orm::Select<Entity> {
    let mut q = filtered(instance_id, f);
    if let Some(ids) = narrowing {
        // Integers from the index itself: safe to inline.
        let list = if ids.is_empty() { "NULL".to_owned() } else { ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",") };
        q = q.filter(Expr::cust(format!("end_users.rowid IN ({list})")));
    }
    q
}

fn filtered(instance_id: Uuid, f: &UserFilter) -> sea_orm::Select<Entity> {
    let mut q = Entity::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(text) = f.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = like_pattern(text);
        q = q.filter(
            Condition::any()
                .add(Expr::col(Column::Email).like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Expr::expr(Func::lower(Expr::col(Column::Name))).like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))),
        );
    }
    match f.status {
        Some(UserStatus::Blocked) => q = q.filter(Column::Blocked.eq(true)),
        Some(UserStatus::Active) => q = q.filter(Column::Blocked.eq(false)).filter(Column::EmailVerified.eq(true)),
        Some(UserStatus::Unverified) => q = q.filter(Column::Blocked.eq(false)).filter(Column::EmailVerified.eq(false)),
        None => {}
    }
    if let Some(p) = &f.provider {
        q = q.filter(Column::Provider.eq(p.as_str()));
    }
    if let Some(from) = f.created_from {
        q = q.filter(Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.created_to {
        q = q.filter(Column::CreatedAt.lt(to));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(Column::Id.is_in(ids.iter().copied()));
    }
    q
}

/// Counting stops here: beyond it a list says "more than this" (`Page::total_capped`), so a
/// filter matching a million users costs no more than one matching ten thousand.
pub const COUNT_CAP: u64 = 10_000;

/// One page of the instance's users: filtered, sorted with the id as tie-breaker (a stable
/// order), continuing after `cursor` (as returned in `next_cursor`). The total is exact up to
/// [`COUNT_CAP`].
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    limit: u64,
    cursor: Option<&str>,
) -> StoreResult<Page<EndUser>> {
    let narrowing = sqlite_search_narrowing(db, filter).await?;
    let base = filtered_with(instance_id, filter, narrowing.as_deref());
    let total = base.clone().select_only().column(Column::Id).limit(COUNT_CAP + 1).count(db).await.context("Failed to count end users")?;
    let mut q = base;
    let bad_cursor = || StoreError::InvalidCursor;
    let mut offset = 0u64;
    if let Some(c) = cursor {
        match sort {
            // Keyset: continue strictly after (value, id).
            UserSort::CreatedAt | UserSort::Email | UserSort::Name => {
                let (value, id) = c.rsplit_once('|').ok_or_else(bad_cursor)?;
                let id: Uuid = id.parse().map_err(|_| bad_cursor())?;
                let (col, v): (Column, sea_orm::Value) = match sort {
                    UserSort::Email => (Column::Email, value.to_owned().into()),
                    UserSort::Name => (Column::Name, value.to_owned().into()),
                    _ => (Column::CreatedAt, DateTime::parse_from_rfc3339(value).map_err(|_| bad_cursor())?.into()),
                };
                // A row-value comparison, which both databases answer from the (sort, id) index.
                let key = Expr::tuple([Expr::col(col), Expr::col(Column::Id)]);
                let cursor_key = Expr::tuple([Expr::val(v), Expr::val(id)]);
                q = q.filter(if descending { key.lt(cursor_key) } else { key.gt(cursor_key) });
            }
            // Last sign-in is often null: page by position.
            UserSort::LastLoginAt => offset = c.strip_prefix("o:").and_then(|n| n.parse().ok()).ok_or_else(bad_cursor)?,
        }
    }
    let col = match sort {
        UserSort::CreatedAt => Column::CreatedAt,
        UserSort::Email => Column::Email,
        UserSort::Name => Column::Name,
        UserSort::LastLoginAt => Column::LastLoginAt,
    };
    q = if descending { q.order_by_desc(col).order_by_desc(Column::Id) } else { q.order_by_asc(col).order_by_asc(Column::Id) };
    let items = q.offset(offset).limit(limit + 1).all(db).await.context("Failed to list end users")?;
    Ok(Page::from_overfetch(items, limit, total, |u| match sort {
        UserSort::CreatedAt => format!("{}|{}", u.created_at.to_rfc3339(), u.id),
        UserSort::Email => format!("{}|{}", u.email, u.id),
        UserSort::Name => format!("{}|{}", u.name, u.id),
        UserSort::LastLoginAt => format!("o:{}", offset + limit),
    }))
}

#[derive(Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub blocked: Option<bool>,
    pub metadata: Option<serde_json::Value>,
    /// Tokens issued before now stop working (block, password change, reset).
    pub revoke_tokens: bool,
}

#[tracing::instrument(skip_all, fields(instance_id = %user.instance_id, user_id = %user.id))]
pub async fn update(db: &impl ConnectionTrait, user: EndUser, c: UserChanges) -> StoreResult<EndUser> {
    let mut m: ActiveModel = user.into();
    if let Some(v) = c.email {
        m.email = Set(v);
    }
    if let Some(v) = c.email_verified {
        m.email_verified = Set(v);
    }
    if let Some(v) = c.given_name {
        m.given_name = Set(v);
    }
    if let Some(v) = c.family_name {
        m.family_name = Set(v);
    }
    if let Some(v) = c.name {
        m.name = Set(v);
    }
    if let Some(v) = c.password_hash {
        m.password_hash = Set(Some(v));
    }
    if let Some(v) = c.blocked {
        m.blocked = Set(v);
    }
    if let Some(v) = c.metadata {
        m.metadata = Set(v);
    }
    let at = now();
    if c.revoke_tokens {
        m.tokens_valid_after = Set(Some(at));
    }
    m.updated_at = Set(at);
    m.update(db).await.map_err(|e| map_unique(e, Conflict::EmailTaken, "Failed to update an end user"))
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, user_id = %id))]
pub async fn delete(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res =
        Entity::delete_many().filter(Column::Id.eq(id)).filter(Column::InstanceId.eq(instance_id)).exec(db).await.context("Failed to delete an end user")?;
    Ok(res.rows_affected == 1)
}

pub async fn record_login(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::LastLoginAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .context("Failed to record a sign-in")?;
    Ok(())
}

/// One batch of users after `cursor` in (created_at, id) order, without counting: for exports.
pub async fn batch(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    filter: &UserFilter,
    after: Option<(DateTime<FixedOffset>, Uuid)>,
    limit: u64,
) -> StoreResult<Vec<EndUser>> {
    let narrowing = sqlite_search_narrowing(db, filter).await?;
    let mut q = filtered_with(instance_id, filter, narrowing.as_deref());
    if let Some((at, id)) = after {
        q = q.filter(Expr::tuple([Expr::col(Column::CreatedAt), Expr::col(Column::Id)]).gt(Expr::tuple([Expr::val(at), Expr::val(id)])));
    }
    Ok(q.order_by_asc(Column::CreatedAt).order_by_asc(Column::Id).limit(limit).all(db).await.context("Failed to read a batch of users")?)
}

/// Which of `emails` already exist in the instance.
pub async fn existing_emails(db: &impl ConnectionTrait, instance_id: Uuid, emails: &[String]) -> StoreResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in emails.chunks(500) {
        let rows = Entity::find()
            .filter(Column::InstanceId.eq(instance_id))
            .filter(Column::Email.is_in(chunk.iter().cloned()))
            .all(db)
            .await
            .context("Failed to look up existing emails")?;
        found.extend(rows.into_iter().map(|u| u.email));
    }
    Ok(found)
}

/// What a guest becomes when it upgrades to a full account.
pub struct GuestUpgrade {
    pub email: String,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub provider: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
}

/// Turns guest `id` into a full account, keeping its id and data. `Ok(None)` when it is not (or
/// no longer) a guest; `Conflict::EmailTaken` when another user has the address.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id, user_id = %id))]
pub async fn upgrade_guest(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid, u: GuestUpgrade) -> StoreResult<Option<EndUser>> {
    let mut update = Entity::update_many()
        .col_expr(Column::Email, Expr::value(u.email))
        .col_expr(Column::EmailVerified, Expr::value(u.email_verified))
        .col_expr(Column::Provider, Expr::value(u.provider))
        .col_expr(Column::UpdatedAt, Expr::value(now()));
    if let Some(h) = u.password_hash {
        update = update.col_expr(Column::PasswordHash, Expr::value(h));
    }
    for (column, value) in [(Column::GivenName, u.given_name), (Column::FamilyName, u.family_name), (Column::Name, u.name)] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            update = update.col_expr(column, Expr::value(v));
        }
    }
    let res = update
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Id.eq(id))
        .filter(Column::Provider.eq("guest"))
        .exec(db)
        .await
        .map_err(|e| map_unique(e, Conflict::EmailTaken, "Failed to upgrade a guest"))?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    get(db, instance_id, id).await
}

/// Deletes guests of `instance_id` (every instance but `except` when `None`) created before
/// `before`, at most `limit` at a time.
pub async fn delete_guests_before(
    db: &impl ConnectionTrait,
    instance_id: Option<Uuid>,
    except: &[Uuid],
    before: DateTime<FixedOffset>,
    limit: u64,
) -> StoreResult<u64> {
    let mut q = Entity::find().select_only().column(Column::Id).filter(Column::Provider.eq("guest")).filter(Column::CreatedAt.lt(before));
    if let Some(i) = instance_id {
        q = q.filter(Column::InstanceId.eq(i));
    }
    if !except.is_empty() {
        q = q.filter(Column::InstanceId.is_not_in(except.iter().copied()));
    }
    let ids: Vec<Uuid> = q.limit(limit).into_tuple().all(db).await.context("Failed to find expired guests")?;
    if ids.is_empty() {
        return Ok(0);
    }
    let res = Entity::delete_many().filter(Column::Id.is_in(ids)).exec(db).await.context("Failed to delete expired guests")?;
    Ok(res.rows_affected)
}

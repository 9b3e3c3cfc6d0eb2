//! An instance's configuration as stored: entries set or defined, the revision counter, every
//! change (versions) and named backups. See the migration `m20261201_000015_configuration`.
//!
//! Writers call [`next_revision`] first in their transaction: it takes the instance's revision
//! row (a row lock on PostgreSQL, the write lock on SQLite), so one instance's changes are
//! serialised and an `If-Match` compared after it cannot be overtaken.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, QueryResult, Statement, Value};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::usage::ph;
use crate::{StoreResult, now};

/// A custom entry's definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Definition {
    pub description: String,
    pub schema: Json,
    pub default: Json,
    pub public: bool,
}

/// What an entry holds: the value set (None: the default) and, for a custom entry, its
/// definition. Versions keep these as JSON snapshots.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EntryState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
}

/// An entry's row.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub key: String,
    pub state: EntryState,
    pub updated_at: DateTime<FixedOffset>,
    pub updated_by: Option<String>,
}

fn json_col(r: &QueryResult, col: &str) -> StoreResult<Option<Json>> {
    let text = r.try_get::<Option<String>>("", col).with_context(|| col.to_owned())?;
    Ok(match text {
        Some(t) => Some(serde_json::from_str(&t).with_context(|| format!("Failed to parse the stored {col}"))?),
        None => None,
    })
}

fn entry_of(r: &QueryResult) -> StoreResult<StoredEntry> {
    let custom = r.try_get::<bool>("", "custom").context("custom")?;
    let definition = if custom {
        Some(Definition {
            description: r.try_get::<Option<String>>("", "description").context("description")?.unwrap_or_default(),
            schema: json_col(r, "schema")?.unwrap_or(Json::Bool(true)),
            default: json_col(r, "default_value")?.unwrap_or(Json::Null),
            public: r.try_get::<bool>("", "public").context("public")?,
        })
    } else {
        None
    };
    Ok(StoredEntry {
        key: r.try_get::<String>("", "key").context("key")?,
        state: EntryState { value: json_col(r, "value")?, definition },
        updated_at: r.try_get::<DateTime<FixedOffset>>("", "updated_at").context("updated_at")?,
        updated_by: r.try_get::<Option<String>>("", "updated_by").context("updated_by")?,
    })
}

/// `?1, ?2, … ?n` (`$1, …` on PostgreSQL).
fn placeholders(backend: sea_orm::DatabaseBackend, n: usize) -> String {
    (1..=n).map(|i| ph(backend, i)).collect::<Vec<_>>().join(", ")
}

const ENTRY_COLS: &str = "key, value, custom, description, schema, default_value, public, updated_at, updated_by";

/// Every stored entry of the instance, by key.
pub async fn entries(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<StoredEntry>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT {ENTRY_COLS} FROM config_entries WHERE instance_id = {} ORDER BY key", ph(backend, 1));
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to read the configuration")?;
    rows.iter().map(entry_of).collect()
}

pub async fn entry(db: &impl ConnectionTrait, instance_id: Uuid, key: &str) -> StoreResult<Option<StoredEntry>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT {ENTRY_COLS} FROM config_entries WHERE instance_id = {} AND key = {}", ph(backend, 1), ph(backend, 2));
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), key.into()])).await.context("Failed to read an entry")?;
    row.as_ref().map(entry_of).transpose()
}

/// The values set of every instance that set `key` (e.g. a retention job's per-instance lifetimes).
pub async fn values_of(db: &impl ConnectionTrait, key: &str) -> StoreResult<Vec<(Uuid, Json)>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT instance_id, value FROM config_entries WHERE key = {} AND value IS NOT NULL", ph(backend, 1));
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [key.into()])).await.context("Failed to read configuration values")?;
    rows.iter().map(|r| Ok((r.try_get::<Uuid>("", "instance_id").context("instance_id")?, json_col(r, "value")?.unwrap_or(Json::Null)))).collect()
}

/// The instance's revision (0 before any change).
pub async fn revision(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT revision FROM config_revisions WHERE instance_id = {}", ph(backend, 1));
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to read the revision")?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "revision").context("revision")?,
        None => 0,
    })
}

/// Takes the next revision of the instance's configuration (see the module's documentation).
pub async fn next_revision(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO config_revisions (instance_id, revision) VALUES ({}, 1) \
         ON CONFLICT (instance_id) DO UPDATE SET revision = config_revisions.revision + 1 RETURNING revision",
        ph(backend, 1)
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to take a revision")?;
    Ok(row.context("no revision returned")?.try_get::<i64>("", "revision").context("revision")?)
}

/// Takes the instance's revision row without advancing it (a reader that must see a whole
/// configuration, e.g. a backup), and answers the revision.
pub async fn lock_revision(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO config_revisions (instance_id, revision) VALUES ({}, 0) \
         ON CONFLICT (instance_id) DO UPDATE SET revision = config_revisions.revision RETURNING revision",
        ph(backend, 1)
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to lock the revision")?;
    Ok(row.context("no revision returned")?.try_get::<i64>("", "revision").context("revision")?)
}

fn text(v: &Option<Json>) -> Value {
    v.as_ref().map(Json::to_string).into()
}

/// Stores `state` as the entry `key`, changed at `revision`.
pub async fn put(db: &impl ConnectionTrait, instance_id: Uuid, key: &str, state: &EntryState, by: &str, revision: i64) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let d = state.definition.as_ref();
    let sql = format!(
        "INSERT INTO config_entries (instance_id, key, value, custom, description, schema, default_value, public, version, updated_at, updated_by) \
         VALUES ({}) \
         ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value, custom = excluded.custom, description = excluded.description, \
         schema = excluded.schema, default_value = excluded.default_value, public = excluded.public, version = excluded.version, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        placeholders(backend, 11)
    );
    let values: Vec<Value> = vec![
        instance_id.into(),
        key.into(),
        text(&state.value),
        d.is_some().into(),
        d.map(|d| d.description.clone()).into(),
        text(&d.map(|d| d.schema.clone())),
        text(&d.map(|d| d.default.clone())),
        d.is_some_and(|d| d.public).into(),
        revision.into(),
        now().into(),
        by.into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to store an entry")?;
    Ok(())
}

/// The revision of each entry's last change (its `ETag`; an entry never changed has none).
/// Kept in the history, so an entry removed and set again never reuses a version.
pub async fn last_revisions(db: &impl ConnectionTrait, instance_id: Uuid, key: Option<&str>) -> StoreResult<BTreeMap<String, i64>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![instance_id.into()];
    let mut sql = format!("SELECT key, MAX(revision) AS revision FROM config_versions WHERE instance_id = {}", ph(backend, 1));
    if let Some(k) = key {
        sql.push_str(&format!(" AND key = {}", ph(backend, 2)));
        values.push(k.into());
    }
    sql.push_str(" GROUP BY key");
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to read entries' versions")?;
    rows.iter().map(|r| Ok((r.try_get::<String>("", "key").context("key")?, r.try_get::<i64>("", "revision").context("revision")?))).collect()
}

/// Removes the entry's row (a built-in entry returns to its default; a custom one is gone).
pub async fn remove(db: &impl ConnectionTrait, instance_id: Uuid, key: &str) -> StoreResult<bool> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM config_entries WHERE instance_id = {} AND key = {}", ph(backend, 1), ph(backend, 2));
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), key.into()])).await.context("Failed to remove an entry")?;
    Ok(r.rows_affected() > 0)
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Set,
    Reset,
    Define,
    Redefine,
    Undefine,
    Restore,
    Import,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Set => "set",
            Self::Reset => "reset",
            Self::Define => "define",
            Self::Redefine => "redefine",
            Self::Undefine => "undefine",
            Self::Restore => "restore",
            Self::Import => "import",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "reset" => Self::Reset,
            "define" => Self::Define,
            "redefine" => Self::Redefine,
            "undefine" => Self::Undefine,
            "restore" => Self::Restore,
            "import" => Self::Import,
            _ => Self::Set,
        }
    }
}

/// One recorded change of one entry.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: Uuid,
    pub revision: i64,
    pub key: String,
    pub action: Action,
    pub before: Option<EntryState>,
    pub after: Option<EntryState>,
    pub actor: String,
    pub created_at: DateTime<FixedOffset>,
}

fn snapshot(s: Option<&EntryState>) -> StoreResult<Value> {
    Ok(match s {
        Some(s) => Some(serde_json::to_string(s).context("Failed to serialise an entry")?).into(),
        None => Option::<String>::None.into(),
    })
}

/// Records a change of `key` at `revision`.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    revision: i64,
    key: &str,
    action: Action,
    before: Option<&EntryState>,
    after: Option<&EntryState>,
    actor: &str,
) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO config_versions (id, instance_id, revision, key, action, state_before, state_after, actor, created_at) VALUES ({})",
        placeholders(backend, 9)
    );
    let values: Vec<Value> = vec![
        Uuid::now_v7().into(),
        instance_id.into(),
        revision.into(),
        key.into(),
        action.as_str().into(),
        snapshot(before)?,
        snapshot(after)?,
        actor.into(),
        now().into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to record a configuration change")?;
    Ok(())
}

fn state_col(r: &QueryResult, col: &str) -> StoreResult<Option<EntryState>> {
    Ok(match json_col(r, col)? {
        Some(j) => Some(serde_json::from_value(j).with_context(|| format!("Failed to read a stored {col}"))?),
        None => None,
    })
}

fn version_of(r: &QueryResult) -> StoreResult<Version> {
    Ok(Version {
        id: r.try_get::<Uuid>("", "id").context("id")?,
        revision: r.try_get::<i64>("", "revision").context("revision")?,
        key: r.try_get::<String>("", "key").context("key")?,
        action: Action::parse(&r.try_get::<String>("", "action").context("action")?),
        before: state_col(r, "state_before")?,
        after: state_col(r, "state_after")?,
        actor: r.try_get::<String>("", "actor").context("actor")?,
        created_at: r.try_get::<DateTime<FixedOffset>>("", "created_at").context("created_at")?,
    })
}

/// Changes newest first: of one entry or all, before revision `before` (a page's cursor), at
/// most `limit` (plus one, to tell whether more exist).
pub async fn versions(db: &impl ConnectionTrait, instance_id: Uuid, key: Option<&str>, before: Option<i64>, limit: u64) -> StoreResult<Vec<Version>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![instance_id.into(), before.unwrap_or(i64::MAX).into()];
    let mut sql = format!(
        "SELECT id, revision, key, action, state_before, state_after, actor, created_at FROM config_versions WHERE instance_id = {} AND revision < {}",
        ph(backend, 1),
        ph(backend, 2)
    );
    if let Some(k) = key {
        sql.push_str(&format!(" AND key = {}", ph(backend, 3)));
        values.push(k.into());
    }
    sql.push_str(&format!(" ORDER BY revision DESC, key LIMIT {}", limit + 1));
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to read the history")?;
    rows.iter().map(version_of).collect()
}

/// The entries as they stood after revision `revision`: for every key changed up to then, its
/// state after its last change (None: absent).
pub async fn state_at(db: &impl ConnectionTrait, instance_id: Uuid, revision: i64) -> StoreResult<BTreeMap<String, Option<EntryState>>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT v.key, v.state_after FROM config_versions v JOIN (SELECT key, MAX(revision) AS revision FROM config_versions \
         WHERE instance_id = {p1} AND revision <= {p2} GROUP BY key) last ON last.key = v.key AND last.revision = v.revision \
         WHERE v.instance_id = {p1}",
        p1 = ph(backend, 1),
        p2 = ph(backend, 2)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), revision.into()]))
        .await
        .context("Failed to read a past configuration")?;
    rows.iter().map(|r| Ok((r.try_get::<String>("", "key").context("key")?, state_col(r, "state_after")?))).collect()
}

/// A named backup.
#[derive(Debug, Clone)]
pub struct Backup {
    pub id: Uuid,
    pub name: String,
    pub revision: i64,
    pub document: Json,
    pub created_by: String,
    pub created_at: DateTime<FixedOffset>,
}

fn backup_of(r: &QueryResult, with_document: bool) -> StoreResult<Backup> {
    Ok(Backup {
        id: r.try_get::<Uuid>("", "id").context("id")?,
        name: r.try_get::<String>("", "name").context("name")?,
        revision: r.try_get::<i64>("", "revision").context("revision")?,
        document: if with_document { json_col(r, "document")?.unwrap_or(Json::Null) } else { Json::Null },
        created_by: r.try_get::<String>("", "created_by").context("created_by")?,
        created_at: r.try_get::<DateTime<FixedOffset>>("", "created_at").context("created_at")?,
    })
}

/// Stores a backup; None when the name is taken.
pub async fn create_backup(db: &impl ConnectionTrait, instance_id: Uuid, name: &str, revision: i64, document: &Json, by: &str) -> StoreResult<Option<Backup>> {
    let backend = db.get_database_backend();
    let id = Uuid::now_v7();
    let at = now();
    let sql = format!(
        "INSERT INTO config_backups (id, instance_id, name, revision, document, created_by, created_at) VALUES ({}) \
         ON CONFLICT (instance_id, name) DO NOTHING",
        placeholders(backend, 7)
    );
    let values: Vec<Value> = vec![id.into(), instance_id.into(), name.into(), revision.into(), document.to_string().into(), by.into(), at.into()];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to store a backup")?;
    Ok((r.rows_affected() > 0).then(|| Backup { id, name: name.to_owned(), revision, document: document.clone(), created_by: by.to_owned(), created_at: at }))
}

/// The instance's backups, newest first (without their documents).
pub async fn backups(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<Backup>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT id, name, revision, created_by, created_at FROM config_backups WHERE instance_id = {} ORDER BY created_at DESC, id DESC",
        ph(backend, 1)
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to list backups")?;
    rows.iter().map(|r| backup_of(r, false)).collect()
}

pub async fn backup(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<Backup>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT id, name, revision, document, created_by, created_at FROM config_backups WHERE instance_id = {} AND id = {}",
        ph(backend, 1),
        ph(backend, 2)
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), id.into()])).await.context("Failed to read a backup")?;
    row.as_ref().map(|r| backup_of(r, true)).transpose()
}

pub async fn delete_backup(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM config_backups WHERE instance_id = {} AND id = {}", ph(backend, 1), ph(backend, 2));
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), id.into()])).await.context("Failed to delete a backup")?;
    Ok(r.rows_affected() > 0)
}

/// The number of backups of the instance.
pub async fn backup_count(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<i64> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT COUNT(*) AS n FROM config_backups WHERE instance_id = {}", ph(backend, 1));
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to count backups")?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose().context("n")?.unwrap_or(0))
}

/// Instances' stored values of `keys`, keyed by key (for resolving one instance's settings).
pub fn as_values(entries: &[StoredEntry]) -> BTreeMap<String, Json> {
    entries.iter().filter_map(|e| e.state.value.clone().map(|v| (e.key.clone(), v))).collect()
}

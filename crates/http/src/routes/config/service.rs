//! Every change of an instance's configuration goes through [`apply`]: inside one transaction it
//! takes the instance's next revision (serialising the instance's writers), checks the caller's
//! precondition (`If-Match`), builds the target state from the current one, validates all of it,
//! writes only what differs, records a version per changed entry and one audit entry — or, for a
//! dry run, answers the same changes and writes nothing. After the commit the caches of every
//! process drop the instance's settings (see [`crate::cache`]), so a change drives behaviour at
//! once, everywhere.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::config::{self as rules, BUILTINS, ConfigKey, MAX_CUSTOM_ENTRIES, MAX_DESCRIPTION_CHARS, PlatformDefaults, Settings, Violation};
use steward_persistence::config::{self, Action, Backup, Definition, EntryState, StoredEntry, Version};
use steward_persistence::instances::Instance;
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::{ApiError, FieldError};

/// The stored state: the entries that have a row, by key.
pub type State = BTreeMap<String, EntryState>;

/// What an entry-level or configuration-level write was based on.
#[derive(Debug, Clone, Copy)]
pub enum Precondition<'a> {
    None,
    /// The entry's version (its `ETag`).
    Entry(&'a str, i64),
    /// The configuration's revision (its `ETag`).
    Revision(i64),
}

/// One entry's change.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: String,
    pub before: Option<EntryState>,
    pub after: Option<EntryState>,
}

/// How a change is made: its action (for the history), what it was based on, whether it is a
/// dry run, and how a key's fields are named in the request (`""` for an entry's own route,
/// `entries.<key>.` for a document).
pub struct Write<'a> {
    pub action: Action,
    pub precondition: Precondition<'a>,
    pub dry_run: bool,
    pub field_of: &'a dyn Fn(&str) -> String,
}

/// The outcome of [`apply`].
pub struct Applied {
    /// The revision now (unchanged by a dry run or a write that changed nothing).
    pub revision: i64,
    pub changes: Vec<Change>,
}

pub fn stale(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale_version",
        format!("{what} changed since you read it (If-Match does not match its current ETag). Read it again and reapply your change."),
    )
}

pub fn unknown_key(key: &str) -> ApiError {
    ApiError::not_found(format!("No configuration entry {key} exists in this instance."))
}

fn violations(prefix: &str, v: Vec<Violation>) -> Vec<FieldError> {
    v.into_iter().map(|v| FieldError::new(format!("{prefix}{}", v.pointer), v.rule, v.message)).collect()
}

/// Checks one entry of a target state. `field` names where its parts are in the request
/// (`""` for an entry's own route, `entries.<key>.` for a document).
fn check_entry(key: &str, s: &EntryState, field: &str, errors: &mut Vec<FieldError>) {
    match (rules::builtin(key), &s.definition) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(format!("{field}schema"), "builtin_entry", format!("{key} is a built-in entry: its definition can't be changed.")))
        }
        (Some(b), None) => {
            if let Some(v) = &s.value {
                match rules::builtin_schema(b.key) {
                    Some(schema) => {
                        if let Err(e) = schema.check(v) {
                            errors.extend(violations(&format!("{field}value"), e));
                        }
                    }
                    None => errors.push(FieldError::new(format!("{field}value"), "invalid_schema", "The built-in schema does not compile.")),
                }
            }
        }
        (None, None) => {
            errors.push(FieldError::new(format!("{field}key"), "unknown_key", format!("{key} is neither a built-in entry nor one defined in this instance.")))
        }
        (None, Some(d)) => {
            if let Err(e) = ConfigKey::parse_custom(key) {
                errors.push(FieldError::new(format!("{field}key"), e.code, e.message));
                return;
            }
            if d.description.trim().is_empty()
                || d.description.chars().count() > MAX_DESCRIPTION_CHARS
                || d.description.chars().any(|c| c.is_control() && c != '\n')
            {
                errors.push(FieldError::new(
                    format!("{field}description"),
                    "invalid_description",
                    format!("Describe the entry in 1 to {MAX_DESCRIPTION_CHARS} characters (no control characters)."),
                ));
            }
            match rules::schema_for(&d.schema) {
                Err(e) => errors.extend(violations(&format!("{field}schema"), e).into_iter().map(|mut f| {
                    f.message = format!("Not a valid JSON Schema: {}", f.message);
                    f.code = "invalid_schema".into();
                    f
                })),
                Ok(schema) => {
                    if let Err(e) = schema.check(&d.default) {
                        errors.extend(violations(&format!("{field}default"), e));
                    }
                    if let Some(v) = &s.value
                        && let Err(e) = schema.check(v)
                    {
                        errors.extend(violations(&format!("{field}value"), e));
                    }
                }
            }
        }
    }
}

/// Checks what a write changes (entries it leaves alone were checked when they were written):
/// the number of custom entries first, then each changed entry against its schema — so a
/// write of one value never recompiles the instance's other schemas.
fn check_changes(target: &State, changes: &[Change], field_of: &dyn Fn(&str) -> String) -> Result<(), ApiError> {
    let custom = target.values().filter(|s| s.definition.is_some()).count();
    if custom > MAX_CUSTOM_ENTRIES {
        return Err(ApiError::validation(vec![FieldError::new(
            "",
            "too_many_entries",
            format!("An instance may define at most {MAX_CUSTOM_ENTRIES} entries."),
        )]));
    }
    let mut errors = Vec::new();
    for c in changes {
        if let Some(after) = &c.after {
            check_entry(&c.key, after, &field_of(&c.key), &mut errors);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

/// Drops what carries nothing (a built-in entry at its default).
fn normalise(mut target: State) -> State {
    target.retain(|_, s| s.value.is_some() || s.definition.is_some());
    target
}

fn changes_between(current: &State, target: &State) -> Vec<Change> {
    let keys: BTreeSet<&String> = current.keys().chain(target.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (before, after) = (current.get(k), target.get(k));
            (before != after).then(|| Change { key: k.clone(), before: before.cloned(), after: after.cloned() })
        })
        .collect()
}

fn action_of(given: Action, c: &Change) -> Action {
    match (given, &c.before, &c.after) {
        (Action::Set, None, Some(a)) if a.definition.is_some() => Action::Define,
        (Action::Set, Some(b), Some(a)) if b.definition.is_some() && a.definition != b.definition => Action::Redefine,
        (Action::Set, Some(b), None) if b.definition.is_some() => Action::Undefine,
        (Action::Set, Some(_), None) => Action::Reset,
        (a, _, _) => a,
    }
}

/// The audit log's summary of the changes: per key, the entry (value, definition) before and
/// after. Built-in entries hold no secret (whatever their key says: `password.min_length`);
/// custom entries are redacted by name like any change (`stripe.secret_key`).
fn audit_changes(changes: &[Change]) -> Value {
    let (mut builtin, mut custom) = (serde_json::Map::new(), serde_json::Map::new());
    for c in changes {
        let side = if rules::builtin(&c.key).is_some() { &mut builtin } else { &mut custom };
        side.insert(c.key.clone(), json!({"before": c.before, "after": c.after}));
    }
    if let Value::Object(redacted) = audit::redact_changes(&Value::Object(custom)) {
        builtin.extend(redacted);
    }
    Value::Object(builtin)
}

/// Applies a change of instance `instance`'s configuration (see the module's documentation).
/// `field_of` names a key's place in the request, for validation errors.
pub async fn apply(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    write: Write<'_>,
    build: impl FnOnce(&State) -> Result<State, ApiError>,
) -> Result<Applied, ApiError> {
    let Write { action, precondition, dry_run, field_of } = write;
    let txn = steward_persistence::begin(&state.db).await?;
    let revision = config::next_revision(&txn, instance.id).await?;
    let rows = config::entries(&txn, instance.id).await?;
    match precondition {
        Precondition::None => {}
        Precondition::Revision(r) if r != revision - 1 => return Err(stale("The configuration")),
        Precondition::Revision(_) => {}
        Precondition::Entry(key, v) => {
            let current = config::last_revisions(&txn, instance.id, Some(key)).await?.get(key).copied().unwrap_or(0);
            if current != v {
                return Err(stale(&format!("Entry {key}")));
            }
        }
    }
    let current: State = rows.into_iter().map(|e| (e.key, e.state)).collect();
    let target = normalise(build(&current)?);
    let changes = changes_between(&current, &target);
    check_changes(&target, &changes, field_of)?;
    if dry_run || changes.is_empty() {
        // Nothing is written (the revision taken is rolled back with the transaction).
        txn.rollback().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to roll back a dry run")))?;
        return Ok(Applied { revision: revision - 1, changes });
    }
    for c in &changes {
        match &c.after {
            Some(a) => {
                config::put(&txn, instance.id, &c.key, a, &actor.label, revision).await?;
            }
            None => {
                config::remove(&txn, instance.id, &c.key).await?;
            }
        }
        config::record(&txn, instance.id, revision, &c.key, action_of(action, c), c.before.as_ref(), c.after.as_ref(), &actor.label).await?;
    }
    let label = if changes.len() == 1 { changes[0].key.clone() } else { format!("{} entries", changes.len()) };
    let target = Target::new(TargetKind::Config, revision, label);
    audit::record_redacted_changes(&txn, instance.id, actor, AuditAction::ConfigChange, target, audit_changes(&changes)).await?;
    state.cache.record(&txn, instance.id).await?;
    audit::commit(txn, "Failed to commit a configuration change").await?;
    state.cache.apply(instance.id, None);
    tracing::info!(instance_id = %instance.id, revision, changed = changes.len(), "configuration changed");
    Ok(Applied { revision, changes })
}

/// An entry as the console shows it: its documentation, schema, default and current value.
pub struct EntryView {
    pub key: String,
    pub builtin: Option<&'static rules::Builtin>,
    pub definition: Option<Definition>,
    pub default: Value,
    pub value: Option<Value>,
    pub version: i64,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_by: Option<String>,
}

impl EntryView {
    pub fn effective(&self) -> &Value {
        self.value.as_ref().unwrap_or(&self.default)
    }

    pub fn schema(&self) -> &Value {
        self.builtin.map(|b| &b.schema).or(self.definition.as_ref().map(|d| &d.schema)).unwrap_or(&Value::Bool(true))
    }
}

pub fn defaults(state: &AppState) -> PlatformDefaults {
    state.cache.platform_defaults()
}

fn view_of(defaults: &PlatformDefaults, key: &str, row: Option<&StoredEntry>, version: i64) -> Option<EntryView> {
    let builtin = rules::builtin(key);
    let definition = row.and_then(|r| r.state.definition.clone());
    let default = match (builtin, &definition) {
        (Some(b), _) => defaults.default_of(b),
        (None, Some(d)) => d.default.clone(),
        (None, None) => return None,
    };
    Some(EntryView {
        key: key.to_owned(),
        builtin,
        definition,
        default,
        value: row.and_then(|r| r.state.value.clone()),
        version,
        updated_at: row.map(|r| r.updated_at.to_utc()),
        updated_by: row.and_then(|r| r.updated_by.clone()),
    })
}

/// The whole configuration: every built-in entry (in catalogue order), then the custom ones by key.
pub async fn overview(state: &AppState, instance: &Instance) -> Result<(i64, Vec<EntryView>), ApiError> {
    let rows = config::entries(&state.db, instance.id).await?;
    let revision = config::revision(&state.db, instance.id).await?;
    let versions = config::last_revisions(&state.db, instance.id, None).await?;
    let version = |k: &str| versions.get(k).copied().unwrap_or(0);
    let defaults = defaults(state);
    let mut out: Vec<EntryView> = BUILTINS.iter().filter_map(|b| view_of(&defaults, b.key, rows.iter().find(|r| r.key == b.key), version(b.key))).collect();
    out.extend(rows.iter().filter(|r| rules::builtin(&r.key).is_none()).filter_map(|r| view_of(&defaults, &r.key, Some(r), version(&r.key))));
    Ok((revision, out))
}

pub async fn entry(state: &AppState, instance: &Instance, key: &str) -> Result<EntryView, ApiError> {
    let row = config::entry(&state.db, instance.id, key).await?;
    let version = config::last_revisions(&state.db, instance.id, Some(key)).await?.get(key).copied().unwrap_or(0);
    view_of(&defaults(state), key, row.as_ref(), version).ok_or_else(|| unknown_key(key))
}

/// The settings in force for an instance (read from the database; hot paths use the cache's copy).
pub async fn settings(state: &AppState, instance_id: Uuid) -> Result<Settings, ApiError> {
    let rows = config::entries(&state.db, instance_id).await?;
    Ok(Settings::resolve(&defaults(state), &config::as_values(&rows)))
}

/// The settings in force for `instance`, from the public API's cache (fresh in this process
/// at once after a change, in the others within a poll) or the database.
pub async fn settings_of(state: &AppState, instance: &Instance) -> Result<Settings, ApiError> {
    match state.cache.instance(&state.db, &instance.slug).await? {
        Some(c) if c.instance.id == instance.id => Ok(c.settings.clone()),
        _ => settings(state, instance.id).await,
    }
}

fn own_field(_: &str) -> String {
    String::new()
}

/// Sets entry `key` to `value` (built-in or defined).
pub async fn set_value(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    key: &str,
    value: Value,
    if_match: Option<i64>,
    dry_run: bool,
) -> Result<EntryView, ApiError> {
    let pre = if_match.map_or(Precondition::None, |v| Precondition::Entry(key, v));
    apply(state, instance, actor, Write { action: Action::Set, precondition: pre, dry_run, field_of: &own_field }, |current| {
        if rules::builtin(key).is_none() && current.get(key).and_then(|s| s.definition.as_ref()).is_none() {
            return Err(unknown_key(key));
        }
        let mut target = current.clone();
        target.entry(key.to_owned()).or_insert(EntryState { value: None, definition: None }).value = Some(value.clone());
        Ok(target)
    })
    .await?;
    preview(state, instance, key, Some(value), dry_run).await
}

/// The entry after a write; for a dry run, as it would be.
async fn preview(state: &AppState, instance: &Instance, key: &str, value: Option<Value>, dry_run: bool) -> Result<EntryView, ApiError> {
    let mut view = entry(state, instance, key).await?;
    if dry_run {
        view.value = value;
    }
    Ok(view)
}

/// Returns built-in entry `key` to its default (a custom entry to its definition's default).
pub async fn reset_entry(state: &AppState, instance: &Instance, actor: &Actor, key: &str, if_match: Option<i64>) -> Result<EntryView, ApiError> {
    let pre = if_match.map_or(Precondition::None, |v| Precondition::Entry(key, v));
    apply(state, instance, actor, Write { action: Action::Reset, precondition: pre, dry_run: false, field_of: &own_field }, |current| {
        if rules::builtin(key).is_none() && !current.contains_key(key) {
            return Err(unknown_key(key));
        }
        let mut target = current.clone();
        if let Some(s) = target.get_mut(key) {
            s.value = None;
        }
        Ok(target)
    })
    .await?;
    entry(state, instance, key).await
}

/// Defines (or redefines) custom entry `key`. A redefinition keeps the value, which must pass
/// the new schema.
#[allow(clippy::too_many_arguments)]
pub async fn define(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    key: &str,
    definition: Definition,
    create: bool,
    if_match: Option<i64>,
    dry_run: bool,
) -> Result<EntryView, ApiError> {
    if let Err(e) = ConfigKey::parse_custom(key) {
        return Err(ApiError::validation(vec![FieldError::new("key", e.code, e.message)]));
    }
    let pre = if_match.map_or(Precondition::None, |v| Precondition::Entry(key, v));
    let def = definition.clone();
    apply(state, instance, actor, Write { action: Action::Set, precondition: pre, dry_run, field_of: &own_field }, |current| {
        match (create, current.contains_key(key)) {
            (true, true) => return Err(ApiError::conflict("key_taken", format!("An entry {key} is already defined."))),
            (false, false) => return Err(unknown_key(key)),
            _ => {}
        }
        let mut target = current.clone();
        let value = current.get(key).and_then(|s| s.value.clone());
        target.insert(key.to_owned(), EntryState { value, definition: Some(def) });
        Ok(target)
    })
    .await?;
    if dry_run {
        let defaults = defaults(state);
        let row = StoredEntry {
            key: key.to_owned(),
            state: EntryState { value: None, definition: Some(definition) },
            updated_at: steward_persistence::now(),
            updated_by: None,
        };
        return view_of(&defaults, key, Some(&row), 0).ok_or_else(ApiError::invariant);
    }
    entry(state, instance, key).await
}

/// Removes custom entry `key` (its history stays; a restore brings it back).
pub async fn undefine(state: &AppState, instance: &Instance, actor: &Actor, key: &str, if_match: Option<i64>) -> Result<(), ApiError> {
    if rules::builtin(key).is_some() {
        return Err(ApiError::conflict("builtin_entry", format!("{key} is a built-in entry: reset it instead.")));
    }
    let pre = if_match.map_or(Precondition::None, |v| Precondition::Entry(key, v));
    apply(state, instance, actor, Write { action: Action::Undefine, precondition: pre, dry_run: false, field_of: &own_field }, |current| {
        if !current.contains_key(key) {
            return Err(unknown_key(key));
        }
        let mut target = current.clone();
        target.remove(key);
        Ok(target)
    })
    .await?;
    Ok(())
}

/// Every entry back to its default; custom entries keep their definitions.
pub async fn reset_all(state: &AppState, instance: &Instance, actor: &Actor, if_match: Option<i64>) -> Result<Applied, ApiError> {
    let pre = if_match.map_or(Precondition::None, Precondition::Revision);
    apply(state, instance, actor, Write { action: Action::Reset, precondition: pre, dry_run: false, field_of: &own_field }, |current| {
        Ok(current.iter().map(|(k, s)| (k.clone(), EntryState { value: None, definition: s.definition.clone() })).collect())
    })
    .await
}

/// Entry `key` as it stood after revision `revision` (absent then: removed, or reset).
pub async fn restore_entry(state: &AppState, instance: &Instance, actor: &Actor, key: &str, revision: i64) -> Result<Applied, ApiError> {
    let past = config::state_at(&state.db, instance.id, revision).await?;
    let had_history = !config::versions(&state.db, instance.id, Some(key), Some(revision.saturating_add(1)), 0).await?.is_empty();
    if !had_history {
        return Err(ApiError::not_found(format!("Entry {key} had not been changed by revision {revision}.")));
    }
    let then = past.get(key).cloned().flatten();
    apply(state, instance, actor, Write { action: Action::Restore, precondition: Precondition::None, dry_run: false, field_of: &own_field }, |current| {
        let mut target = current.clone();
        match then {
            Some(s) => target.insert(key.to_owned(), s),
            None => target.remove(key),
        };
        Ok(target)
    })
    .await
}

/// The whole configuration as it stood after revision `revision`.
pub async fn restore_all(state: &AppState, instance: &Instance, actor: &Actor, revision: i64, if_match: Option<i64>) -> Result<Applied, ApiError> {
    let now = config::revision(&state.db, instance.id).await?;
    if revision < 0 || revision > now {
        return Err(ApiError::not_found(format!("No revision {revision}: this configuration is at revision {now}.")));
    }
    let past = config::state_at(&state.db, instance.id, revision).await?;
    let pre = if_match.map_or(Precondition::None, Precondition::Revision);
    apply(state, instance, actor, Write { action: Action::Restore, precondition: pre, dry_run: false, field_of: &own_field }, move |_| {
        Ok(past.into_iter().filter_map(|(k, s)| s.map(|s| (k, s))).collect())
    })
    .await
}

/// The history, newest first: of one entry or all.
pub async fn history(
    state: &AppState,
    instance: &Instance,
    key: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<Version>, Option<i64>), ApiError> {
    let mut rows = config::versions(&state.db, instance.id, key, before, limit).await?;
    // A page ends on a whole revision (an import's entries are not split across pages).
    let next = if rows.len() as u64 > limit {
        let last = rows[limit as usize].revision;
        rows.retain(|v| v.revision > last);
        if rows.is_empty() {
            // One revision with more entries than a page: answer it whole.
            rows = config::versions(&state.db, instance.id, key, Some(last + 1), 10_000).await?.into_iter().filter(|v| v.revision == last).collect();
            Some(last)
        } else {
            rows.last().map(|v| v.revision)
        }
    } else {
        None
    };
    Ok((rows, next))
}

/// The format of an exported configuration.
pub const DOCUMENT_FORMAT: &str = "steward.configuration/v1";

/// The configuration as a portable document: values set (built-in and custom) and definitions.
pub fn document_of(instance: &Instance, revision: i64, stored: &State) -> Value {
    let mut values = serde_json::Map::new();
    let mut definitions = serde_json::Map::new();
    for (k, s) in stored {
        if let Some(v) = &s.value {
            values.insert(k.clone(), v.clone());
        }
        if let Some(d) = &s.definition {
            definitions.insert(k.clone(), json!(d));
        }
    }
    json!({
        "format": DOCUMENT_FORMAT,
        "instance": instance.slug,
        "revision": revision,
        "exported_at": chrono::Utc::now(),
        "values": values,
        "definitions": definitions,
    })
}

pub async fn export(state: &AppState, instance: &Instance) -> Result<Value, ApiError> {
    let rows = config::entries(&state.db, instance.id).await?;
    let revision = config::revision(&state.db, instance.id).await?;
    let stored: State = rows.into_iter().map(|e| (e.key, e.state)).collect();
    Ok(document_of(instance, revision, &stored))
}

/// The stored state a document describes, or the reasons it can't be read.
pub fn state_of_document(doc: &Value) -> Result<State, ApiError> {
    let mut errors = Vec::new();
    if doc.get("format").and_then(Value::as_str) != Some(DOCUMENT_FORMAT) {
        errors.push(FieldError::new("format", "unknown_format", format!("A configuration document has \"format\": \"{DOCUMENT_FORMAT}\".")));
    }
    let mut out = State::new();
    match doc.get("definitions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(defs)) => {
            for (k, d) in defs {
                match serde_json::from_value::<Definition>(d.clone()) {
                    Ok(d) => {
                        out.insert(k.clone(), EntryState { value: None, definition: Some(d) });
                    }
                    Err(e) => errors.push(FieldError::new(format!("definitions.{k}"), "invalid_definition", format!("Not a definition: {e}."))),
                }
            }
        }
        Some(_) => errors.push(FieldError::new("definitions", "invalid_type", "definitions is an object: key → definition.")),
    }
    match doc.get("values") {
        None | Some(Value::Null) => {}
        Some(Value::Object(values)) => {
            for (k, v) in values {
                out.entry(k.clone()).or_insert(EntryState { value: None, definition: None }).value = Some(v.clone());
            }
        }
        Some(_) => errors.push(FieldError::new("values", "invalid_type", "values is an object: key → value.")),
    }
    if errors.is_empty() { Ok(out) } else { Err(ApiError::validation(errors)) }
}

fn document_field(key: &str) -> String {
    format!("entries.{key}.")
}

/// Makes the configuration `target` (a document's state, see [`state_of_document`]), all or
/// nothing (a dry run answers the changes).
pub async fn import(state: &AppState, instance: &Instance, actor: &Actor, target: State, if_match: Option<i64>, dry_run: bool) -> Result<Applied, ApiError> {
    let pre = if_match.map_or(Precondition::None, Precondition::Revision);
    apply(state, instance, actor, Write { action: Action::Import, precondition: pre, dry_run, field_of: &document_field }, move |_| Ok(target)).await
}

/// The most backups an instance keeps.
pub const MAX_BACKUPS: i64 = 50;

pub async fn create_backup(state: &AppState, instance: &Instance, actor: &Actor, name: &str) -> Result<Backup, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::field("name", "invalid_name", "Name the backup in 1 to 100 characters."));
    }
    let txn = steward_persistence::begin(&state.db).await?;
    // Taking the revision row serialises this with the instance's changes: the snapshot is whole.
    let revision = config::lock_revision(&txn, instance.id).await?;
    if config::backup_count(&txn, instance.id).await? >= MAX_BACKUPS {
        return Err(ApiError::conflict("too_many_backups", format!("An instance keeps at most {MAX_BACKUPS} backups: delete one first.")));
    }
    let stored: State = config::entries(&txn, instance.id).await?.into_iter().map(|e| (e.key, e.state)).collect();
    let document = document_of(instance, revision, &stored);
    let backup = config::create_backup(&txn, instance.id, name, revision, &document, &actor.label)
        .await?
        .ok_or_else(|| ApiError::conflict("name_taken", "A backup with this name exists."))?;
    let target = Target::new(TargetKind::Config, backup.id, name.to_owned());
    audit::record_changes(
        &txn,
        instance.id,
        actor,
        AuditAction::ConfigBackupCreate,
        target,
        json!({"name": {"before": null, "after": name}, "revision": {"before": null, "after": revision}}),
    )
    .await?;
    audit::commit(txn, "Failed to commit a backup").await?;
    Ok(backup)
}

pub async fn restore_backup(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid, if_match: Option<i64>) -> Result<Applied, ApiError> {
    let backup = config::backup(&state.db, instance.id, id).await?.ok_or_else(|| ApiError::not_found("No backup with this id."))?;
    let target = state_of_document(&backup.document)?;
    let pre = if_match.map_or(Precondition::None, Precondition::Revision);
    apply(state, instance, actor, Write { action: Action::Restore, precondition: pre, dry_run: false, field_of: &document_field }, move |_| Ok(target)).await
}

pub async fn delete_backup(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let backup = config::backup(&txn, instance.id, id).await?.ok_or_else(|| ApiError::not_found("No backup with this id."))?;
    config::delete_backup(&txn, instance.id, id).await?;
    let target = Target::new(TargetKind::Config, id, backup.name.clone());
    audit::record_changes(&txn, instance.id, actor, AuditAction::ConfigBackupDelete, target, json!({"name": {"before": backup.name, "after": null}})).await?;
    audit::commit(txn, "Failed to commit a backup deletion").await
}

/// The custom entries marked public, with their values in force (the public API).
pub async fn public_values(state: &AppState, instance_id: Uuid) -> Result<(i64, BTreeMap<String, Value>), ApiError> {
    let rows = config::entries(&state.db, instance_id).await?;
    let revision = config::revision(&state.db, instance_id).await?;
    let values = rows
        .into_iter()
        .filter_map(|r| {
            let d = r.state.definition?;
            d.public.then(|| (r.key, r.state.value.unwrap_or(d.default)))
        })
        .collect();
    Ok((revision, values))
}

/// Sets built-in `key` inside another change's transaction (the identity providers' form, which
/// edits `registration.open` and `guest.session_lifetime_secs`): versioned like any change.
pub async fn set_builtin_in(
    txn: &steward_persistence::DatabaseTransaction,
    state: &AppState,
    instance_id: Uuid,
    actor: &Actor,
    key: &str,
    value: Option<Value>,
) -> Result<bool, ApiError> {
    let before = config::entry(txn, instance_id, key).await?.map(|e| e.state);
    let after = value.map(|v| EntryState { value: Some(v), definition: None });
    if before == after {
        return Ok(false);
    }
    let mut errors = Vec::new();
    if let Some(a) = &after {
        check_entry(key, a, "", &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let revision = config::next_revision(txn, instance_id).await?;
    match &after {
        Some(a) => {
            config::put(txn, instance_id, key, a, &actor.label, revision).await?;
        }
        None => {
            config::remove(txn, instance_id, key).await?;
        }
    }
    let action = if after.is_some() { Action::Set } else { Action::Reset };
    config::record(txn, instance_id, revision, key, action, before.as_ref(), after.as_ref(), &actor.label).await?;
    // The caller applies the change to this process's cache after its commit.
    state.cache.record(txn, instance_id).await?;
    Ok(true)
}

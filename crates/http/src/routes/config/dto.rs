use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_domain::config::{Category, ValueType};
use steward_persistence::config::{Action, Backup, Definition, EntryState, Version};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::service::{Change, EntryView};

/// Where an entry belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigCategory {
    Passwords,
    Tokens,
    SignIn,
    Registration,
    Guests,
    PublicApi,
    Custom,
}

impl From<Category> for ConfigCategory {
    fn from(c: Category) -> Self {
        match c {
            Category::Passwords => Self::Passwords,
            Category::Tokens => Self::Tokens,
            Category::SignIn => Self::SignIn,
            Category::Registration => Self::Registration,
            Category::Guests => Self::Guests,
            Category::PublicApi => Self::PublicApi,
            Category::Custom => Self::Custom,
        }
    }
}

/// The JSON type of an entry's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigValueType {
    Integer,
    Number,
    Boolean,
    String,
    Object,
    Array,
    Any,
}

impl From<ValueType> for ConfigValueType {
    fn from(t: ValueType) -> Self {
        match t {
            ValueType::Integer => Self::Integer,
            ValueType::Number => Self::Number,
            ValueType::Boolean => Self::Boolean,
            ValueType::String => Self::String,
            ValueType::Object => Self::Object,
            ValueType::Array => Self::Array,
            ValueType::Any => Self::Any,
        }
    }
}

/// A configuration entry: its documentation, rules and value.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigEntry {
    #[schema(example = "password.min_length")]
    pub key: String,
    /// Built in (Steward implements what it does) or defined by the instance's developers.
    pub builtin: bool,
    pub category: ConfigCategory,
    pub description: String,
    #[serde(rename = "type")]
    pub value_type: ConfigValueType,
    /// The unit of a number (`seconds`, `characters`...).
    pub unit: Option<String>,
    /// The JSON Schema every value must pass.
    pub schema: Value,
    pub default: Value,
    /// The value in force (the default when none is set).
    pub value: Value,
    /// Whether a value is set (false: the default is in force).
    pub is_set: bool,
    /// Custom entries: whether the instance's applications may read it (`GET /public/v1/{instance}/config`).
    pub public: bool,
    /// The entry's version: its `ETag`, to send back in `If-Match`.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

impl From<EntryView> for ConfigEntry {
    fn from(e: EntryView) -> Self {
        let schema = e.schema().clone();
        let value = e.effective().clone();
        let (category, description, unit) = match (e.builtin, &e.definition) {
            (Some(b), _) => (b.category, b.description.to_owned(), b.unit.map(str::to_owned)),
            (None, Some(d)) => (Category::Custom, d.description.clone(), None),
            (None, None) => (Category::Custom, String::new(), None),
        };
        Self {
            builtin: e.builtin.is_some(),
            category: category.into(),
            description,
            value_type: ValueType::of_schema(&schema).into(),
            unit,
            schema,
            default: e.default,
            value,
            is_set: e.value.is_some(),
            public: e.definition.as_ref().is_some_and(|d| d.public),
            version: e.version,
            updated_at: e.updated_at,
            updated_by: e.updated_by,
            key: e.key,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigOverview {
    /// The number of changes so far: the configuration's `ETag`.
    pub revision: i64,
    pub items: Vec<ConfigEntry>,
}

/// A value to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigValueInput {
    /// Any JSON the entry's schema accepts.
    pub value: Value,
}

/// A custom entry's definition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigDefinitionInput {
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    /// A JSON Schema (draft 2020-12 unless `$schema` names another; no remote `$ref`).
    pub schema: Value,
    /// The value in force until one is set; must pass the schema.
    pub default: Value,
    /// Whether the instance's applications may read it through the public API.
    #[serde(default)]
    pub public: bool,
}

impl From<ConfigDefinitionInput> for Definition {
    fn from(d: ConfigDefinitionInput) -> Self {
        Definition { description: d.description, schema: d.schema, default: d.default, public: d.public }
    }
}

/// A new custom entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntryCreate {
    /// Lowercase words separated by dots; not under a built-in entry's namespace.
    #[schema(example = "pricing.tiers", min_length = 1, max_length = 64, pattern = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    pub key: String,
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    /// A JSON Schema (draft 2020-12 unless `$schema` names another; no remote `$ref`).
    pub schema: Value,
    /// The value in force until one is set; must pass the schema.
    pub default: Value,
    /// Whether the instance's applications may read it through the public API.
    #[serde(default)]
    pub public: bool,
}

impl From<ConfigEntryCreate> for Definition {
    fn from(d: ConfigEntryCreate) -> Self {
        Definition { description: d.description, schema: d.schema, default: d.default, public: d.public }
    }
}

/// `?dry_run=true`: validate and answer what would change, without saving.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRunQuery {
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// An entry's state in a version or a change: its value set and, for a custom entry, its definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigEntryState {
    pub value: Option<Value>,
    pub definition: Option<ConfigDefinitionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigDefinitionDto {
    pub description: String,
    pub schema: Value,
    pub default: Value,
    pub public: bool,
}

impl From<EntryState> for ConfigEntryState {
    fn from(s: EntryState) -> Self {
        Self {
            value: s.value,
            definition: s.definition.map(|d| ConfigDefinitionDto { description: d.description, schema: d.schema, default: d.default, public: d.public }),
        }
    }
}

/// What a change did to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigAction {
    Set,
    Reset,
    Define,
    Redefine,
    Undefine,
    Restore,
    Import,
}

impl From<Action> for ConfigAction {
    fn from(a: Action) -> Self {
        match a {
            Action::Set => Self::Set,
            Action::Reset => Self::Reset,
            Action::Define => Self::Define,
            Action::Redefine => Self::Redefine,
            Action::Undefine => Self::Undefine,
            Action::Restore => Self::Restore,
            Action::Import => Self::Import,
        }
    }
}

/// One recorded change of one entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigVersionDto {
    pub id: Uuid,
    /// The configuration's revision this change made (restore it with `POST .../config/restore`).
    pub revision: i64,
    pub key: String,
    pub action: ConfigAction,
    /// The entry before (null: it had no value set and no definition).
    pub before: Option<ConfigEntryState>,
    pub after: Option<ConfigEntryState>,
    /// Who made it (an email, or a management client's name).
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

impl From<Version> for ConfigVersionDto {
    fn from(v: Version) -> Self {
        Self {
            id: v.id,
            revision: v.revision,
            key: v.key,
            action: v.action.into(),
            before: v.before.map(Into::into),
            after: v.after.map(Into::into),
            actor: v.actor,
            created_at: v.created_at.to_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigHistory {
    pub items: Vec<ConfigVersionDto>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only this entry's changes.
    #[param(max_length = 64)]
    pub key: Option<String>,
    /// Changes older than this revision (the previous page's `next_before`).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A change a write made (or, for a dry run, would make).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigChangeDto {
    pub key: String,
    pub before: Option<ConfigEntryState>,
    pub after: Option<ConfigEntryState>,
}

impl From<Change> for ConfigChangeDto {
    fn from(c: Change) -> Self {
        Self { key: c.key, before: c.before.map(Into::into), after: c.after.map(Into::into) }
    }
}

/// The outcome of a whole-configuration write (import, restore, reset).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigChangeSet {
    /// The revision now (for a dry run: still the current one).
    pub revision: i64,
    /// Whether the changes were saved (false for a dry run).
    pub applied: bool,
    pub changes: Vec<ConfigChangeDto>,
}

/// Restore the whole configuration as it stood after a revision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRestoreInput {
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// An exported configuration: the values set and the custom entries' definitions. Import it into
/// this or another instance.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConfigDocument {
    #[schema(example = "steward.configuration/v1")]
    pub format: String,
    /// The instance it was exported from.
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default)]
    pub revision: Option<i64>,
    /// When it was exported (informational).
    #[serde(default)]
    pub exported_at: Option<String>,
    /// Key → value, for every entry whose value is set.
    #[serde(default)]
    pub values: BTreeMap<String, Value>,
    /// Key → definition, for every custom entry.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, ConfigDefinitionDto>)]
    pub definitions: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupCreate {
    #[schema(min_length = 1, max_length = 100, example = "before the spring release")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupDto {
    pub id: Uuid,
    pub name: String,
    /// The configuration's revision it holds.
    pub revision: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Backup> for BackupDto {
    fn from(b: Backup) -> Self {
        Self { id: b.id, name: b.name, revision: b.revision, created_by: b.created_by, created_at: b.created_at.to_utc() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupList {
    pub items: Vec<BackupDto>,
}

/// The instance's public configuration: custom entries marked public, key → value in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicConfig {
    pub revision: i64,
    pub values: BTreeMap<String, Value>,
}

//! An instance's configuration: a catalogue of built-in entries that drive the instance's
//! behaviour, entries the developer defines, and the rules every value obeys.
//!
//! Every value is JSON and is checked against its entry's JSON Schema before it is stored. A
//! schema is tenant-supplied code, so it runs bounded (DESIGN rule 13): schemas and values have a
//! size cap, patterns use a linear-time regex engine with compile-size limits, and nothing is
//! fetched (a remote `$ref` makes the schema invalid).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::ValueError;

/// The largest value, serialised (64 KiB).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The largest custom schema, serialised (32 KiB).
pub const MAX_SCHEMA_BYTES: usize = 32 * 1024;
/// The most custom entries an instance may define.
pub const MAX_CUSTOM_ENTRIES: usize = 200;
/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;
/// A regex in a schema compiles to at most this much memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Where an entry belongs in the console's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Passwords,
    Tokens,
    SignIn,
    Registration,
    Guests,
    PublicApi,
    Custom,
}

/// The JSON type of an entry's values (from its schema's `type`; `any` when it names none or several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Integer,
    Number,
    Boolean,
    String,
    Object,
    Array,
    Any,
}

impl ValueType {
    pub fn of_schema(schema: &Value) -> Self {
        match schema.get("type").and_then(Value::as_str) {
            Some("integer") => Self::Integer,
            Some("number") => Self::Number,
            Some("boolean") => Self::Boolean,
            Some("string") => Self::String,
            Some("object") => Self::Object,
            Some("array") => Self::Array,
            _ => Self::Any,
        }
    }
}

/// An entry's key: lowercase words separated by dots (`password.min_length`, `pricing.tiers`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigKey(String);

impl ConfigKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.split('.').all(|seg| {
                let mut chars = seg.chars();
                chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        if !ok {
            return Err(ValueError::new(
                "invalid_key",
                format!("A key is up to {} characters of lowercase words (a-z, 0-9, _) separated by dots, e.g. pricing.tiers.", Self::MAX_LEN),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// A key a developer may define: not a built-in one, nor in a built-in's namespace.
    pub fn parse_custom(s: &str) -> Result<Self, ValueError> {
        let key = Self::parse(s)?;
        let ns = key.0.split('.').next().unwrap_or_default();
        if builtin(&key.0).is_some() || BUILTINS.iter().any(|b| b.key.split('.').next() == Some(ns)) {
            return Err(ValueError::new("reserved_key", format!("Keys under {ns}. are reserved for the built-in entries; choose another name.")));
        }
        Ok(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A built-in entry of the catalogue: what it does is implemented by Steward.
#[derive(Debug, Clone)]
pub struct Builtin {
    pub key: &'static str,
    pub description: &'static str,
    pub category: Category,
    pub unit: Option<&'static str>,
    pub schema: Value,
    /// The default when the operator gives none (see [`PlatformDefaults`]).
    pub default: Value,
}

fn int(min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

/// The catalogue, in the order the console lists it.
pub static BUILTINS: LazyLock<Vec<Builtin>> = LazyLock::new(|| {
    vec![
        Builtin {
            key: "password.min_length",
            description: "The fewest characters an end user's password may have (registration, reset, change, upgrade of a guest, an admin setting one).",
            category: Category::Passwords,
            unit: Some("characters"),
            schema: int(8, 128),
            default: json!(8),
        },
        Builtin {
            key: "tokens.access_ttl_secs",
            description: "How long an access token given to an end user or a back-end application stays valid.",
            category: Category::Tokens,
            unit: Some("seconds"),
            schema: int(60, 86_400),
            default: json!(3_600),
        },
        Builtin {
            key: "tokens.refresh_ttl_secs",
            description: "How long an end user's session (its refresh token) lasts without being renewed.",
            category: Category::Tokens,
            unit: Some("seconds"),
            schema: int(300, 31_536_000),
            default: json!(2_592_000),
        },
        Builtin {
            key: "lockout.threshold",
            description: "Failed sign-in attempts for one email within the lockout window after which sign-in is refused (429) until the window ends.",
            category: Category::SignIn,
            unit: Some("attempts"),
            schema: int(1, 1_000),
            default: json!(10),
        },
        Builtin {
            key: "lockout.window_secs",
            description: "The window over which failed sign-in attempts are counted, and how long a lockout lasts.",
            category: Category::SignIn,
            unit: Some("seconds"),
            schema: int(60, 86_400),
            default: json!(900),
        },
        Builtin {
            key: "signin.require_verified_email",
            description: "Refuse to sign in end users (password, refresh) until they have verified their email address.",
            category: Category::SignIn,
            unit: None,
            schema: json!({"type": "boolean"}),
            default: json!(false),
        },
        Builtin {
            key: "registration.open",
            description: "Whether new end users may register themselves with an email and password (the public API and the hosted page). Applications and admins can still create users.",
            category: Category::Registration,
            unit: None,
            schema: json!({"type": "boolean"}),
            default: json!(true),
        },
        Builtin {
            key: "guest.session_lifetime_secs",
            description: "How long a guest session lasts before the guest and its data are deleted (unless upgraded).",
            category: Category::Guests,
            unit: Some("seconds"),
            schema: int(3_600, 31_536_000),
            default: json!(crate::identity_provider::DEFAULT_GUEST_LIFETIME_SECS),
        },
        Builtin {
            key: "public_api.rate_limit_per_minute",
            description: "The most public API calls one application may make per minute (429 with Retry-After beyond it); 0 means no limit.",
            category: Category::PublicApi,
            unit: Some("calls per minute"),
            schema: int(0, 1_000_000),
            default: json!(0),
        },
        Builtin {
            key: "cors.max_age_secs",
            description: "How long browsers may cache the answer to a CORS preflight of the public API (Access-Control-Max-Age).",
            category: Category::PublicApi,
            unit: Some("seconds"),
            schema: int(0, 86_400),
            default: json!(600),
        },
    ]
});

/// The built-in entry with this key.
pub fn builtin(key: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.key == key)
}

/// The built-in entries' schemas, compiled once.
static BUILTIN_SCHEMAS: LazyLock<Vec<(&'static str, Schema)>> =
    LazyLock::new(|| BUILTINS.iter().filter_map(|b| schema_for(&b.schema).ok().map(|s| (b.key, s))).collect());

/// The compiled schema of built-in `key`.
pub fn builtin_schema(key: &str) -> Option<&'static Schema> {
    BUILTIN_SCHEMAS.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
}

/// The operator's defaults for the entries the platform's configuration also sets.
#[derive(Debug, Clone, Copy)]
pub struct PlatformDefaults {
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub lockout_threshold: u32,
    pub lockout_window_secs: i64,
}

impl PlatformDefaults {
    /// The default value of built-in `key` on this platform.
    pub fn default_of(&self, b: &Builtin) -> Value {
        match b.key {
            "tokens.access_ttl_secs" => json!(self.access_ttl_secs),
            "tokens.refresh_ttl_secs" => json!(self.refresh_ttl_secs),
            "lockout.threshold" => json!(self.lockout_threshold),
            "lockout.window_secs" => json!(self.lockout_window_secs),
            _ => b.default.clone(),
        }
    }
}

impl Default for PlatformDefaults {
    fn default() -> Self {
        Self { access_ttl_secs: 3_600, refresh_ttl_secs: 2_592_000, lockout_threshold: 10, lockout_window_secs: 900 }
    }
}

/// The values that drive an instance, resolved from its stored entries and the defaults. Read
/// on hot paths (from the public API's cache), so plain fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub password_min_length: usize,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub lockout_threshold: u32,
    pub lockout_window_secs: i64,
    pub require_verified_email: bool,
    pub registration_open: bool,
    pub guest_lifetime_secs: i64,
    /// `None`: no limit.
    pub rate_limit_per_minute: Option<u32>,
    pub cors_max_age_secs: i64,
}

impl Settings {
    /// The settings of an instance whose stored values are `stored` (key → value). A stored
    /// value that no longer passes its schema (the catalogue narrowed) falls back to the default.
    pub fn resolve(defaults: &PlatformDefaults, stored: &BTreeMap<String, Value>) -> Self {
        let get = |key: &str| -> Value {
            let b = builtin(key).expect("a catalogue key");
            stored.get(key).filter(|v| builtin_schema(key).is_some_and(|s| s.is_valid(v))).cloned().unwrap_or_else(|| defaults.default_of(b))
        };
        let int = |key: &str| get(key).as_i64().unwrap_or_default();
        let flag = |key: &str| get(key).as_bool().unwrap_or_default();
        Self {
            password_min_length: usize::try_from(int("password.min_length")).unwrap_or(8),
            access_ttl_secs: int("tokens.access_ttl_secs"),
            refresh_ttl_secs: int("tokens.refresh_ttl_secs"),
            lockout_threshold: u32::try_from(int("lockout.threshold")).unwrap_or(10),
            lockout_window_secs: int("lockout.window_secs"),
            require_verified_email: flag("signin.require_verified_email"),
            registration_open: flag("registration.open"),
            guest_lifetime_secs: int("guest.session_lifetime_secs"),
            rate_limit_per_minute: u32::try_from(int("public_api.rate_limit_per_minute")).ok().filter(|n| *n > 0),
            cors_max_age_secs: int("cors.max_age_secs"),
        }
    }

    /// Refuses a password shorter than the instance's minimum (the platform's own rules, see
    /// [`crate::Password`], are checked first).
    pub fn check_password(&self, password: &str) -> Result<(), ValueError> {
        if password.chars().count() < self.password_min_length {
            return Err(ValueError::new("password_too_short", format!("Password must be at least {} characters.", self.password_min_length)));
        }
        Ok(())
    }
}

/// One reason a value or a schema was refused: where (a JSON pointer into the value or the
/// schema) and which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub rule: String,
    pub message: String,
}

/// A compiled schema, bounded (see the module's documentation).
pub struct Schema(jsonschema::Validator);

impl Schema {
    pub fn is_valid(&self, value: &Value) -> bool {
        self.0.is_valid(value)
    }

    /// Checks `value`: its size, then the schema. At most 20 violations are reported.
    pub fn check(&self, value: &Value) -> Result<(), Vec<Violation>> {
        let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > MAX_VALUE_BYTES {
            return Err(vec![Violation {
                pointer: String::new(),
                rule: "max_size".into(),
                message: format!("A value is at most {MAX_VALUE_BYTES} bytes of JSON; this one is {size}."),
            }]);
        }
        let errors: Vec<Violation> = self
            .0
            .iter_errors(value)
            .take(20)
            .map(|e| Violation { pointer: e.instance_path().to_string(), rule: e.kind().keyword().to_owned(), message: e.to_string() })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Compiles `schema` under the bounds: refuses one that is too large, not a valid JSON Schema
/// (checked against its meta-schema, draft 2020-12 unless it names another), or that cannot be
/// compiled (a remote `$ref`, a regex past the size limit).
pub fn schema_for(schema: &Value) -> Result<Schema, Vec<Violation>> {
    let size = serde_json::to_vec(schema).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_SCHEMA_BYTES {
        return Err(vec![Violation {
            pointer: String::new(),
            rule: "max_size".into(),
            message: format!("A schema is at most {MAX_SCHEMA_BYTES} bytes of JSON; this one is {size}."),
        }]);
    }
    if !schema.is_object() && !schema.is_boolean() {
        return Err(vec![Violation { pointer: String::new(), rule: "type".into(), message: "A JSON Schema is an object (or true/false).".into() }]);
    }
    if let Err(e) = jsonschema::meta::validate(schema) {
        return Err(vec![Violation { pointer: e.instance_path().to_string(), rule: e.kind().keyword().to_owned(), message: e.to_string() }]);
    }
    jsonschema::options()
        .with_pattern_options(jsonschema::PatternOptions::regex().size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT))
        .build(schema)
        .map(Schema)
        .map_err(|e| vec![Violation { pointer: e.instance_path().to_string(), rule: "compile".into(), message: e.to_string() }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_a_valid_schema_and_default() {
        for b in BUILTINS.iter() {
            let schema = schema_for(&b.schema).unwrap_or_else(|e| panic!("{}: {e:?}", b.key));
            assert!(schema.is_valid(&b.default), "{}", b.key);
            assert!(schema.is_valid(&PlatformDefaults::default().default_of(b)), "{}", b.key);
            ConfigKey::parse(b.key).expect("a valid key");
        }
        assert_eq!(Settings::resolve(&PlatformDefaults::default(), &BTreeMap::new()).password_min_length, 8);
    }

    #[test]
    fn stored_values_resolve_and_bad_ones_fall_back() {
        let stored = BTreeMap::from([
            ("password.min_length".to_owned(), json!(12)),
            ("lockout.threshold".to_owned(), json!("many")),
            ("public_api.rate_limit_per_minute".to_owned(), json!(30)),
        ]);
        let s = Settings::resolve(&PlatformDefaults::default(), &stored);
        assert_eq!(s.password_min_length, 12);
        assert_eq!(s.lockout_threshold, 10);
        assert_eq!(s.rate_limit_per_minute, Some(30));
        assert!(s.check_password("eleven-char").is_err());
        assert!(s.check_password("twelve-chars").is_ok());
        assert_eq!(Settings::resolve(&PlatformDefaults::default(), &BTreeMap::new()).rate_limit_per_minute, None);
    }

    #[test]
    fn keys() {
        assert!(ConfigKey::parse("pricing.tiers").is_ok());
        assert!(ConfigKey::parse("Pricing").is_err());
        assert!(ConfigKey::parse("a..b").is_err());
        assert!(ConfigKey::parse("1a").is_err());
        assert!(ConfigKey::parse(&"a".repeat(65)).is_err());
        assert_eq!(ConfigKey::parse_custom("password.rules").unwrap_err().code, "reserved_key");
        assert_eq!(ConfigKey::parse_custom("tokens").unwrap_err().code, "reserved_key");
        assert!(ConfigKey::parse_custom("features.beta").is_ok());
    }

    #[test]
    fn values_are_checked_against_their_schema_with_pointers() {
        let s = schema_for(&json!({"type": "object", "properties": {"rate": {"type": "number", "maximum": 1}}, "required": ["rate"]})).unwrap();
        assert!(s.check(&json!({"rate": 0.5})).is_ok());
        let errs = s.check(&json!({"rate": 2})).unwrap_err();
        assert_eq!(errs[0].pointer, "/rate");
        assert_eq!(errs[0].rule, "maximum");
        let errs = s.check(&json!({})).unwrap_err();
        assert_eq!(errs[0].rule, "required");
        let big = json!("x".repeat(MAX_VALUE_BYTES));
        assert_eq!(schema_for(&json!({})).unwrap().check(&big).unwrap_err()[0].rule, "max_size");
    }

    #[test]
    fn invalid_or_unbounded_schemas_are_refused() {
        assert!(schema_for(&json!({"type": "nonsense"})).is_err());
        assert!(schema_for(&json!({"minimum": "three"})).is_err());
        assert!(schema_for(&json!(3)).is_err());
        assert!(schema_for(&json!({"$ref": "https://example.com/schema.json"})).is_err());
        // A pattern that would compile to megabytes is refused; a catastrophic-backtracking
        // one runs in linear time (no backtracking engine).
        assert!(schema_for(&json!({"type": "string", "pattern": "(\\w{1000}){1000}"})).is_err());
        let s = schema_for(&json!({"type": "string", "pattern": "^(a+)+$"})).unwrap();
        assert!(!s.is_valid(&json!(format!("{}!", "a".repeat(10_000)))));
        assert!(schema_for(&json!({"description": "x".repeat(MAX_SCHEMA_BYTES)})).is_err());
    }
}

//! Recording changes in the instance audit log.
//!
//! A service that changes an instance opens the transaction, makes the change, calls [`record`]
//! with the same transaction and commits ([`commit`]): the entry exists exactly when the change
//! does. What is stored is who ([`Actor`]), what ([`AuditAction`]), on what ([`Target`]) and the
//! changed top-level fields ([`diff`]) — a secret's value never: fields named like one
//! ([`steward_domain::audit::is_sensitive_field`]) show `"[redacted]"`, still saying that they
//! changed.

use serde_json::{Map, Value};
use steward_domain::audit::{ActorKind, AuditAction, REDACTED, TargetKind, is_sensitive_field};
use steward_persistence::audit::NewEntry;
use steward_persistence::{ConnectionTrait, DatabaseTransaction};
use uuid::Uuid;

use crate::problem::ApiError;

/// Who made a change, as the log keeps it: the label is the account's email (or the
/// application's name) at the time, so the entry still reads right after a rename or deletion.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    /// A person signed in to the console.
    pub fn account(id: Uuid, email: &str, ip: Option<String>) -> Self {
        Self { kind: ActorKind::Account, id: Some(id), label: email.to_owned(), ip }
    }

    /// A management client calling the console API with its token.
    pub fn management_client(id: Uuid, name: &str, ip: Option<String>) -> Self {
        Self { kind: ActorKind::ManagementClient, id: Some(id), label: name.to_owned(), ip }
    }

    /// A back-end application writing through the public API.
    pub fn application(app: &steward_persistence::applications::Application, ip: Option<String>) -> Self {
        Self { kind: ActorKind::Application, id: Some(app.id), label: app.name.clone(), ip }
    }
}

/// What an action was done to.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: TargetKind,
    pub id: Option<String>,
    pub label: Option<String>,
}

impl Target {
    pub fn new(kind: TargetKind, id: impl ToString, label: impl Into<String>) -> Self {
        Self { kind, id: Some(id.to_string()), label: Some(label.into()) }
    }

    /// A target that is one per instance (its SMTP settings, its logo, its email style).
    pub fn singleton(kind: TargetKind, label: impl Into<String>) -> Self {
        Self { kind, id: None, label: Some(label.into()) }
    }
}

/// Fields every change touches; showing them would only add noise.
const NOISE: [&str; 1] = ["updated_at"];

/// A copy of `value` in which the value of every sensitive field, at any depth, is
/// `"[redacted]"` (a `null` stays `null`: "no secret" is not a secret).
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_sensitive_field(k) { if v.is_null() { Value::Null } else { Value::String(REDACTED.to_owned()) } } else { redact(v) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Changes shaped `{ "field": { "before": …, "after": … } }` with every secret redacted: a
/// sensitive field keeps its shape (it changed) with each side that had a value redacted; any
/// other value is redacted at every depth.
pub fn redact_changes(changes: &Value) -> Value {
    let Some(map) = changes.as_object() else { return redact(changes) };
    let hide = |v: &Value| if v.is_null() { Value::Null } else { Value::String(REDACTED.to_owned()) };
    Value::Object(
        map.iter()
            .map(|(k, v)| {
                let v = match v.as_object() {
                    Some(change) if is_sensitive_field(k) => Value::Object(change.iter().map(|(side, value)| (side.clone(), hide(value))).collect()),
                    _ if is_sensitive_field(k) => hide(v),
                    _ => redact(v),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

/// The changed top-level fields of an object: `{ "field": { "before": …, "after": … } }`. A
/// create passes `Value::Null` as `before` (every field shows `before: null`), a delete passes
/// `Value::Null` as `after`. A sensitive field that changed shows `"[redacted]"` on each side
/// that had a value. Fields in [`NOISE`] are left out.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    for key in keys {
        if NOISE.contains(&key.as_str()) {
            continue;
        }
        let (old, new) = (b.get(key).unwrap_or(&Value::Null), a.get(key).unwrap_or(&Value::Null));
        if old == new {
            continue;
        }
        let shown = |v: &Value| if is_sensitive_field(key) && !v.is_null() { Value::String(REDACTED.to_owned()) } else { redact(v) };
        out.insert(key.clone(), serde_json::json!({ "before": shown(old), "after": shown(new) }));
    }
    Value::Object(out)
}

/// Records `action` on `target` by `actor` in instance `instance_id`, inside `txn` — the
/// transaction of the change itself. `before`/`after` are the target's state as JSON (`Null`
/// for none); only changed fields are kept, secrets redacted.
pub async fn record(
    txn: &DatabaseTransaction,
    instance_id: Uuid,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    before: &Value,
    after: &Value,
) -> Result<(), ApiError> {
    record_changes(txn, instance_id, actor, action, target, diff(before, after)).await
}

/// Like [`record`], and records the change's webhook event (`kind` with `data`) in the same round
/// trip to the database — the write transaction bounds a route's throughput.
#[allow(clippy::too_many_arguments)]
pub async fn record_and_publish(
    state: &crate::AppState,
    txn: &DatabaseTransaction,
    instance_id: Uuid,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    before: &Value,
    after: &Value,
    (kind, data): (steward_domain::webhook::EventType, Value),
) -> Result<(), ApiError> {
    let queued =
        steward_persistence::audit::record_with_event(txn, instance_id, entry(actor, action, target, diff(before, after)), crate::webhooks::event(kind, data))
            .await?;
    crate::webhooks::queued_deliveries(state, queued);
    Ok(())
}

/// Like [`record`] with changes already shaped (e.g. the outcome of a test, counts of an
/// import); they are redacted here all the same.
pub async fn record_changes(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    changes: Value,
) -> Result<(), ApiError> {
    steward_persistence::audit::record(db, instance_id, entry(actor, action, target, changes)).await?;
    Ok(())
}

/// Like [`record_changes`] for changes the caller redacted itself: configuration entries, whose
/// built-in keys name passwords and tokens (`password.min_length`) without holding any.
pub async fn record_redacted_changes(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    changes: Value,
) -> Result<(), ApiError> {
    steward_persistence::audit::record(db, instance_id, entry_as_is(actor, action, target, changes)).await?;
    Ok(())
}

/// The entry to write, its changes redacted.
fn entry(actor: &Actor, action: AuditAction, target: Target, changes: Value) -> NewEntry {
    entry_as_is(actor, action, target, redact_changes(&changes))
}

fn entry_as_is(actor: &Actor, action: AuditAction, target: Target, changes: Value) -> NewEntry {
    debug_assert_eq!(action.target_kind(), target.kind, "{action} recorded on a {} target", target.kind);
    NewEntry {
        actor_kind: actor.kind,
        actor_id: actor.id,
        actor_label: actor.label.clone(),
        ip: actor.ip.clone(),
        action,
        target_kind: target.kind,
        target_id: target.id,
        target_label: target.label,
        changes,
    }
}

/// Commits a change's transaction (with its audit entry).
pub async fn commit(txn: DatabaseTransaction, what: &'static str) -> Result<(), ApiError> {
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context(what)))
}

/// The JSON of a serializable snapshot (a DTO), `Null` if it cannot be serialized.
pub fn snapshot<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_with_both_sides() {
        let d = diff(&json!({"name": "a", "tz": "UTC", "updated_at": 1}), &json!({"name": "b", "tz": "UTC", "updated_at": 2}));
        assert_eq!(d, json!({"name": {"before": "a", "after": "b"}}));
    }

    #[test]
    fn create_and_delete() {
        assert_eq!(diff(&Value::Null, &json!({"name": "a"})), json!({"name": {"before": null, "after": "a"}}));
        assert_eq!(diff(&json!({"name": "a"}), &Value::Null), json!({"name": {"before": "a", "after": null}}));
    }

    #[test]
    fn secrets_show_that_they_changed_never_their_value() {
        let d = diff(&json!({"password_hash": "h1", "host": "a"}), &json!({"password_hash": "h2", "host": "a"}));
        assert_eq!(d, json!({"password_hash": {"before": "[redacted]", "after": "[redacted]"}}));
        let d = diff(&json!({"password": null}), &json!({"password": "hunter2"}));
        assert_eq!(d, json!({"password": {"before": null, "after": "[redacted]"}}));
        assert!(!d.to_string().contains("hunter2"));
    }

    #[test]
    fn nested_secrets_are_redacted() {
        let d = diff(&Value::Null, &json!({"metadata": {"api_token": "s3cr3t", "plan": "pro"}, "secrets": [{"hint": "abcd"}]}));
        assert!(!d.to_string().contains("s3cr3t"), "{d}");
        assert_eq!(d["metadata"]["after"]["plan"], "pro");
        assert_eq!(d["secrets"]["after"], "[redacted]");
    }

    #[test]
    fn recorded_changes_keep_their_shape_and_lose_their_secrets() {
        let d = diff(&Value::Null, &json!({"client_secret": "s3cr3t", "name": "a"}));
        let r = redact_changes(&d);
        assert_eq!(r, json!({"client_secret": {"before": null, "after": "[redacted]"}, "name": {"before": null, "after": "a"}}));
        let shaped = redact_changes(&json!({"password": {"before": "old", "after": "new"}, "extra": {"token": "t"}, "api_key": "k"}));
        assert_eq!(shaped, json!({"password": {"before": "[redacted]", "after": "[redacted]"}, "extra": {"token": "[redacted]"}, "api_key": "[redacted]"}));
    }

    #[test]
    fn unchanged_secrets_are_not_mentioned() {
        assert_eq!(diff(&json!({"client_secret": "x"}), &json!({"client_secret": "x"})), json!({}));
    }
}

//! Creating, changing, deleting applications and rotating their secrets, each with its audit
//! entry in the same transaction. A secret never reaches the log: the entry only says that the
//! secret changed.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::webhook::EventType;
use steward_persistence::applications::{self, AppChanges, AppSecret, Application, NewApplication, NewSecret};
use steward_persistence::instances::Instance;
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(a: &Application) -> Value {
    json!({
        "kind": a.kind,
        "name": a.name,
        "description": a.description,
        "client_id": a.client_id,
        "enabled": a.enabled,
        "allowed_origins": a.allowed_origins,
        "redirect_uris": a.redirect_uris,
    })
}

fn target(a: &Application) -> Target {
    Target::new(TargetKind::Application, a.id, &a.name)
}

/// Webhook event `kind` about `app` (never its secrets), recorded with the change's audit entry.
fn app_event(kind: EventType, app: &Application) -> (EventType, Value) {
    let mut data = view(app);
    data["id"] = json!(app.id);
    (kind, json!({ "application": data }))
}

pub fn app_not_found() -> ApiError {
    ApiError::not_found("No application with this id exists in the instance.")
}

/// Creates an application (with its first secret's hash, for a back end).
pub async fn create(state: &AppState, instance: &Instance, actor: &Actor, new: NewApplication, secret: Option<NewSecret<'_>>) -> Result<Application, ApiError> {
    let has_secret = secret.is_some();
    let txn = steward_persistence::begin(&state.db).await?;
    let app = applications::create(&txn, instance.id, new, secret).await?;
    let mut after = view(&app);
    if has_secret {
        after["client_secret"] = json!("set");
    }
    audit::record_and_publish(
        state,
        &txn,
        instance.id,
        actor,
        AuditAction::ApplicationCreate,
        target(&app),
        &Value::Null,
        &after,
        app_event(EventType::ApplicationCreated, &app),
    )
    .await?;
    audit::commit(txn, "Failed to commit a new application").await?;
    tracing::info!(application_id = %app.id, kind = %app.kind, "application created");
    Ok(app)
}

/// Applies `changes` to application `id`.
pub async fn update(state: &AppState, instance: &Instance, actor: &Actor, app: Application, changes: AppChanges) -> Result<Application, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    // Read again inside the transaction: the entry's "before" is what this change replaced.
    let current = applications::get(&txn, instance.id, app.id).await?.ok_or_else(app_not_found)?;
    let before = view(&current);
    let updated = applications::update(&txn, current, changes).await?;
    audit::record_and_publish(
        state,
        &txn,
        instance.id,
        actor,
        AuditAction::ApplicationUpdate,
        target(&updated),
        &before,
        &view(&updated),
        app_event(EventType::ApplicationUpdated, &updated),
    )
    .await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit an application change").await?;
    state.cache.apply(instance.id, None);
    Ok(updated)
}

/// Deletes application `id`; its client id and secrets stop working at once.
pub async fn delete(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let app = applications::get(&txn, instance.id, id).await?.ok_or_else(app_not_found)?;
    if !applications::delete(&txn, instance.id, id).await? {
        return Err(app_not_found());
    }
    audit::record_and_publish(
        state,
        &txn,
        instance.id,
        actor,
        AuditAction::ApplicationDelete,
        target(&app),
        &view(&app),
        &Value::Null,
        app_event(EventType::ApplicationDeleted, &app),
    )
    .await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit an application deletion").await?;
    state.cache.apply(instance.id, None);
    Ok(())
}

/// Gives a back-end application a new secret (its hash); the current ones stop at `until`.
pub async fn rotate_secret(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    app: &Application,
    secret: NewSecret<'_>,
    until: DateTime<FixedOffset>,
) -> Result<AppSecret, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let previous: Vec<String> = applications::valid_secrets(&txn, app.id).await?.into_iter().map(|s| s.id.to_string()).collect();
    let created = applications::rotate_secret(&txn, app.id, secret, Some(until)).await?;
    let before = json!({ "client_secret": previous, "previous_secret_expires_at": Value::Null });
    let after = json!({ "client_secret": [created.id.to_string()], "previous_secret_expires_at": until.to_utc() });
    audit::record_and_publish(
        state,
        &txn,
        instance.id,
        actor,
        AuditAction::ApplicationSecretRotate,
        target(app),
        &before,
        &after,
        app_event(EventType::ApplicationSecretRotated, app),
    )
    .await?;
    audit::commit(txn, "Failed to commit a secret rotation").await?;
    Ok(created)
}

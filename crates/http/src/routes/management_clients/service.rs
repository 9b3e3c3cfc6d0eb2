//! Creating, changing, deleting management clients and rotating their secrets, each with its
//! audit entry in the same transaction. A secret never reaches the log.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::scope;
use steward_persistence::applications::NewSecret;
use steward_persistence::instances::Instance;
use steward_persistence::management_clients::{self, ClientChanges, ClientSecret, ManagementClient, NewManagementClient};
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(c: &ManagementClient) -> Value {
    json!({
        "name": c.name,
        "description": c.description,
        "client_id": c.client_id,
        "scopes": scope::join(&c.scope_list()),
        "expires_at": c.expires_at.map(|t| t.to_utc()),
    })
}

fn target(c: &ManagementClient) -> Target {
    Target::new(TargetKind::ManagementClient, c.id, &c.name)
}

pub fn client_not_found() -> ApiError {
    ApiError::not_found("No management client with this id exists in the instance.")
}

pub async fn create(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    new: NewManagementClient,
    secret: NewSecret<'_>,
) -> Result<ManagementClient, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let client = management_clients::create(&txn, instance.id, new, secret).await?;
    let mut after = view(&client);
    after["client_secret"] = json!("set");
    audit::record(&txn, instance.id, actor, AuditAction::ManagementClientCreate, target(&client), &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit a new management client").await?;
    tracing::info!(management_client_id = %client.id, "management client created");
    Ok(client)
}

pub async fn update(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid, changes: ClientChanges) -> Result<ManagementClient, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let current = management_clients::get(&txn, instance.id, id).await?.ok_or_else(client_not_found)?;
    let before = view(&current);
    let updated = management_clients::update(&txn, current, changes).await?;
    audit::record(&txn, instance.id, actor, AuditAction::ManagementClientUpdate, target(&updated), &before, &view(&updated)).await?;
    audit::commit(txn, "Failed to commit a management client change").await?;
    Ok(updated)
}

/// Deletes the client: its secrets and every token it holds stop working at once.
pub async fn delete(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let client = management_clients::get(&txn, instance.id, id).await?.ok_or_else(client_not_found)?;
    if !management_clients::delete(&txn, instance.id, id).await? {
        return Err(client_not_found());
    }
    audit::record(&txn, instance.id, actor, AuditAction::ManagementClientDelete, target(&client), &view(&client), &Value::Null).await?;
    audit::commit(txn, "Failed to commit a management client deletion").await
}

/// A new secret (its hash); the current ones stop at `until`.
pub async fn rotate_secret(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    id: Uuid,
    secret: NewSecret<'_>,
    until: DateTime<FixedOffset>,
) -> Result<ClientSecret, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let client = management_clients::get(&txn, instance.id, id).await?.ok_or_else(client_not_found)?;
    let previous: Vec<String> = management_clients::valid_secrets(&txn, &[client.id]).await?.into_iter().map(|s| s.id.to_string()).collect();
    let created = management_clients::rotate_secret(&txn, client.id, secret, until).await?;
    let before = json!({ "client_secret": previous, "previous_secret_expires_at": Value::Null });
    let after = json!({ "client_secret": [created.id.to_string()], "previous_secret_expires_at": until.to_utc() });
    audit::record(&txn, instance.id, actor, AuditAction::ManagementClientSecretRotate, target(&client), &before, &after).await?;
    audit::commit(txn, "Failed to commit a management client secret rotation").await?;
    Ok(created)
}

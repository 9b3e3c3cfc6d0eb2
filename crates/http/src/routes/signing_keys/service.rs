//! Rotating an instance's signing key, with its audit entry in the same transaction (the key
//! material never reaches the log: only the key ids).

use serde_json::json;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::Instance;
use steward_persistence::signing_keys::{self, SigningKey};

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

pub async fn rotate(state: &AppState, instance: &Instance, actor: &Actor) -> Result<SigningKey, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let previous = signing_keys::active(&txn, instance.id).await?;
    let key = state.instance_tokens.rotate_in(&txn, instance.id).await?;
    let target = Target::new(TargetKind::SigningKey, &key.kid, &key.kid);
    let (before, after) = (json!({ "active_kid": previous.map(|k| k.kid) }), json!({ "active_kid": key.kid }));
    audit::record(&txn, instance.id, actor, AuditAction::SigningKeyRotate, target, &before, &after).await?;
    audit::commit(txn, "Failed to commit a key rotation").await?;
    state.instance_tokens.forget(instance.id);
    tracing::info!(instance_id = %instance.id, kid = %key.kid, "signing key rotated");
    Ok(key)
}

//! Rotating an instance's signing key, with its audit entry in the same transaction (the key
//! material never reaches the log: only the key ids).

use serde_json::json;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::signing::SigningAlgorithm;
use steward_persistence::instances::Instance;
use steward_persistence::signing_keys::{self, SigningKey};

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

/// Makes a new active key: of `algorithm`, or of the current key's (EdDSA for the first). A
/// change of algorithm is a rotation like any other: tokens already issued stay verifiable.
pub async fn rotate(state: &AppState, instance: &Instance, actor: &Actor, algorithm: Option<SigningAlgorithm>) -> Result<SigningKey, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let previous = signing_keys::active(&txn, instance.id).await?;
    let algorithm = algorithm.or_else(|| previous.as_ref().and_then(|k| SigningAlgorithm::parse(&k.algorithm))).unwrap_or_default();
    let key = state.instance_tokens.rotate_in(&txn, instance.id, algorithm).await?;
    let target = Target::new(TargetKind::SigningKey, &key.kid, &key.kid);
    let before = json!({ "active_kid": previous.as_ref().map(|k| &k.kid), "algorithm": previous.as_ref().map(|k| &k.algorithm) });
    let after = json!({ "active_kid": key.kid, "algorithm": key.algorithm });
    audit::record(&txn, instance.id, actor, AuditAction::SigningKeyRotate, target, &before, &after).await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit a key rotation").await?;
    state.instance_tokens.forget(instance.id);
    state.cache.apply(instance.id, None);
    tracing::info!(instance_id = %instance.id, kid = %key.kid, "signing key rotated");
    Ok(key)
}

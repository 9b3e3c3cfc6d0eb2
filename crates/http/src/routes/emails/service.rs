//! Sending a failed email again, with its audit entry in the same transaction.

use serde_json::json;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::Instance;
use steward_persistence::outbox;
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

pub fn not_retryable() -> ApiError {
    ApiError::not_found("No failed email with this id exists in the instance.")
}

/// Queues failed email `id` again (attempts start over).
pub async fn retry(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let email = outbox::get(&txn, instance.id, id).await?.ok_or_else(not_retryable)?;
    if !outbox::retry(&txn, instance.id, id).await? {
        return Err(not_retryable());
    }
    let target = Target::new(TargetKind::Email, id, format!("{} to {}", email.kind, email.to_address));
    let before = json!({ "status": email.status, "attempts": email.attempts });
    let after = json!({ "status": "queued", "attempts": 0 });
    audit::record(&txn, instance.id, actor, AuditAction::EmailRetry, target, &before, &after).await?;
    audit::commit(txn, "Failed to commit an email retry").await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

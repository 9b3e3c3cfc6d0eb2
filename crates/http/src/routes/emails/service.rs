//! Sending a failed email again, with its audit entry in the same transaction.

use serde_json::json;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::Instance;
use steward_persistence::outbox;
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn no_such_email() -> ApiError {
    ApiError::not_found("No email with this id exists in the instance.")
}

/// Sends failed email `id` again (its attempts start over), or a queued one waiting for a later
/// attempt now.
pub async fn retry(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let email = outbox::get(&txn, instance.id, id).await?.ok_or_else(no_such_email)?;
    if !outbox::retry(&txn, instance.id, id).await? {
        // Read again: a worker may have claimed it since.
        let now = outbox::get(&txn, instance.id, id).await?.map_or(email.status.clone(), |e| e.status);
        return Err(ApiError::conflict("email_not_retryable", format!("This email is {now}: only a failed or waiting email can be sent again.")));
    }
    let target = Target::new(TargetKind::Email, id, format!("{} to {}", email.kind, email.to_address));
    let before = json!({ "status": email.status, "attempts": email.attempts });
    let attempts = if email.status == "failed" { 0 } else { email.attempts };
    let after = json!({ "status": "queued", "attempts": attempts });
    audit::record(&txn, instance.id, actor, AuditAction::EmailRetry, target, &before, &after).await?;
    audit::commit(txn, "Failed to commit an email retry").await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Cancels queued or failed email `id`: it is never sent.
pub async fn cancel(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let email = outbox::get(&txn, instance.id, id).await?.ok_or_else(no_such_email)?;
    if !outbox::cancel(&txn, instance.id, id).await? {
        // Read again: a worker may have claimed it since.
        let now = outbox::get(&txn, instance.id, id).await?.map_or(email.status.clone(), |e| e.status);
        return Err(ApiError::conflict("email_not_cancellable", format!("This email is {now}: only a queued or failed email can be cancelled.")));
    }
    let target = Target::new(TargetKind::Email, id, format!("{} to {}", email.kind, email.to_address));
    let before = json!({ "status": email.status });
    let after = json!({ "status": "cancelled" });
    audit::record(&txn, instance.id, actor, AuditAction::EmailCancel, target, &before, &after).await?;
    audit::commit(txn, "Failed to commit an email cancellation").await?;
    Ok(())
}

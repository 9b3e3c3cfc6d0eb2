//! Saving and resetting email templates and the email style, each with its audit entry in the
//! same transaction.

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::email::TemplateKind;
use steward_persistence::email_templates::{self, EmailStyleRow, EmailTemplate};
use steward_persistence::instances::Instance;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(t: Option<&EmailTemplate>) -> Value {
    match t {
        Some(t) => json!({ "customized": true, "subject": t.subject, "body": t.body }),
        None => json!({ "customized": false, "subject": Value::Null, "body": Value::Null }),
    }
}

fn target(kind: TemplateKind) -> Target {
    Target::new(TargetKind::EmailTemplate, kind.as_str(), kind.title())
}

/// Saves a customised template (already validated).
pub async fn put_template(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    kind: TemplateKind,
    subject: Option<&str>,
    body: &str,
) -> Result<EmailTemplate, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let before = email_templates::some(&txn, instance.id, &[kind.as_str()]).await?.into_iter().next();
    let saved = email_templates::put(&txn, instance.id, kind.as_str(), subject, body).await?;
    audit::record(&txn, instance.id, actor, AuditAction::EmailTemplateUpdate, target(kind), &view(before.as_ref()), &view(Some(&saved))).await?;
    audit::commit(txn, "Failed to commit an email template").await?;
    tracing::info!(instance_id = %instance.id, kind = kind.as_str(), "email template saved");
    Ok(saved)
}

/// Goes back to the built-in template; recorded only when the template was customised.
pub async fn reset_template(state: &AppState, instance: &Instance, actor: &Actor, kind: TemplateKind) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let Some(before) = email_templates::some(&txn, instance.id, &[kind.as_str()]).await?.into_iter().next() else { return Ok(()) };
    email_templates::reset(&txn, instance.id, kind.as_str()).await?;
    audit::record(&txn, instance.id, actor, AuditAction::EmailTemplateReset, target(kind), &view(Some(&before)), &view(None)).await?;
    audit::commit(txn, "Failed to commit an email template reset").await
}

/// Saves the font of the instance's emails.
pub async fn put_style(state: &AppState, instance: &Instance, actor: &Actor, family: &str, size: i32) -> Result<EmailStyleRow, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let before = email_templates::style(&txn, instance.id).await?;
    let row = email_templates::put_style(&txn, instance.id, family, size).await?;
    let view = |s: Option<&EmailStyleRow>| s.map(|s| json!({ "font_family": s.font_family, "font_size": s.font_size })).unwrap_or(Value::Null);
    let target = Target::singleton(TargetKind::EmailStyle, "email style");
    audit::record(&txn, instance.id, actor, AuditAction::EmailStyleUpdate, target, &view(before.as_ref()), &view(Some(&row))).await?;
    audit::commit(txn, "Failed to commit an email style").await?;
    Ok(row)
}

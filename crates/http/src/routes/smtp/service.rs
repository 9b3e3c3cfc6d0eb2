//! Saving the instance's SMTP settings and recording SMTP tests in the audit log. The password
//! is compared in clear to tell whether it changed, and never stored in the log (the diff
//! redacts it).

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::Instance;
use steward_persistence::smtp_settings::{self, SmtpSettings};

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(s: &SmtpSettings, password: Option<&str>) -> Value {
    json!({
        "enabled": s.enabled,
        "host": s.host,
        "port": s.port,
        "security": s.security,
        "username": s.username,
        "password": password,
        "from_address": s.from_address,
        "from_name": s.from_name,
        "reply_to": s.reply_to,
        "allow_insecure_auth": s.allow_insecure_auth,
    })
}

fn target() -> Target {
    Target::singleton(TargetKind::Smtp, "SMTP settings")
}

/// Saves `settings` (password already encrypted; `password` is the same in clear).
pub async fn put(state: &AppState, instance: &Instance, actor: &Actor, settings: SmtpSettings, password: Option<&str>) -> Result<SmtpSettings, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let stored = smtp_settings::get(&txn, instance.id).await?;
    let before = match &stored {
        Some(s) => {
            let old = s.password(&state.secrets).map_err(ApiError::internal)?;
            view(s, old.as_deref())
        }
        None => Value::Null,
    };
    let saved = smtp_settings::put(&txn, settings).await?;
    audit::record(&txn, instance.id, actor, AuditAction::SmtpUpdate, target(), &before, &view(&saved, password)).await?;
    audit::commit(txn, "Failed to commit SMTP settings").await?;
    tracing::info!(instance_id = %instance.id, enabled = saved.enabled, host = %saved.host, "SMTP settings saved");
    Ok(saved)
}

/// Records a test that ran (whatever its outcome): where it connected, to whom it sent, and
/// whether it worked.
pub async fn record_test(state: &AppState, instance: &Instance, actor: &Actor, host: &str, port: u16, to: &str, ok: bool) -> Result<(), ApiError> {
    let after = json!({ "host": host, "port": port, "to": to, "ok": ok });
    audit::record_changes(&state.db, instance.id, actor, AuditAction::SmtpTest, target(), audit::diff(&Value::Null, &after)).await
}

//! Setting and removing the instance's logo, each with its audit entry in the same transaction.

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::branding::{self, LogoFacts, NewLogo};
use steward_persistence::instances::Instance;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(f: Option<&LogoFacts>) -> Value {
    f.map(|f| json!({ "sha256": f.sha256, "width": f.width, "height": f.height, "size_bytes": f.size_bytes, "has_alpha": f.has_alpha })).unwrap_or(Value::Null)
}

fn target() -> Target {
    Target::singleton(TargetKind::Branding, "logo")
}

/// Stores (or replaces) the logo.
pub async fn put_logo(state: &AppState, instance: &Instance, actor: &Actor, logo: NewLogo<'_>) -> Result<LogoFacts, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let before = branding::logo_facts(&txn, instance.id).await?;
    let facts = branding::put_logo(&txn, instance.id, logo).await?;
    audit::record(&txn, instance.id, actor, AuditAction::BrandingLogoSet, target(), &view(before.as_ref()), &view(Some(&facts))).await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit a logo").await?;
    state.cache.apply(instance.id, None);
    Ok(facts)
}

/// Removes the logo; false (and nothing recorded) when there was none.
pub async fn delete_logo(state: &AppState, instance: &Instance, actor: &Actor) -> Result<bool, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let Some(before) = branding::logo_facts(&txn, instance.id).await? else { return Ok(false) };
    if !branding::delete_logo(&txn, instance.id).await? {
        return Ok(false);
    }
    audit::record(&txn, instance.id, actor, AuditAction::BrandingLogoDelete, target(), &view(Some(&before)), &Value::Null).await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit a logo removal").await?;
    state.cache.apply(instance.id, None);
    Ok(true)
}

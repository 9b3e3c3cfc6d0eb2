//! Changes to an instance itself, each with its audit entry in the same transaction.

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::{self, Instance};

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(i: &Instance) -> Value {
    json!({ "slug": i.slug, "name": i.name, "time_zone": i.time_zone })
}

/// Renames the instance and/or changes its time zone.
pub async fn update(state: &AppState, instance: &Instance, actor: &Actor, name: Option<String>, time_zone: Option<String>) -> Result<Instance, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let updated = instances::update(&txn, instance.id, name, time_zone).await?;
    let target = Target::new(TargetKind::Instance, instance.id, &updated.slug);
    audit::record(&txn, instance.id, actor, AuditAction::InstanceUpdate, target, &view(instance), &view(&updated)).await?;
    steward_persistence::usage::record_cache_event(&txn, instance.id, None).await?;
    audit::commit(txn, "Failed to commit an instance change").await?;
    state.cache.apply(instance.id, None);
    Ok(updated)
}

/// Deletes the instance and everything in it — its audit log too (by cascade), so the deletion
/// is recorded in the process log only.
pub async fn delete(state: &AppState, instance: &Instance, actor: &Actor) -> Result<(), ApiError> {
    instances::delete(&state.db, instance.id).await?;
    // Its public API stops here at once and in every process within a second; its usage goes too.
    state.cache.changed(&state.db, instance.id, None).await?;
    steward_persistence::usage::delete_instance_rollups(&state.db, instance.id).await?;
    tracing::info!(
        instance_id = %instance.id,
        slug = %instance.slug,
        actor_id = ?actor.id,
        actor = %actor.label,
        ip = ?actor.ip,
        "instance deleted (its audit log with it)"
    );
    Ok(())
}

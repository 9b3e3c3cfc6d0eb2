//! Role changes and removals of members, each with its audit entry in the same transaction
//! (which also holds the last-owner rule's lock).

use serde_json::json;
use steward_domain::Role;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_persistence::instances::Instance;
use steward_persistence::members::{self, Member};
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

pub fn member_not_found() -> ApiError {
    ApiError::not_found("This account is not a member of the instance.")
}

pub fn may_not_manage() -> ApiError {
    ApiError::forbidden("Only an owner can grant the owner role or change or remove an owner.")
}

fn target(m: &Member) -> Target {
    Target::new(TargetKind::Member, m.account_id, &m.email)
}

/// Gives member `account_id` the role `role`, as a member whose role is `by`.
pub async fn change_role(state: &AppState, instance: &Instance, by: Role, actor: &Actor, account_id: Uuid, role: Role) -> Result<Member, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let current = members::get(&txn, instance.id, account_id).await?.ok_or_else(member_not_found)?;
    if !by.may_manage_member(current.role, Some(role)) {
        return Err(may_not_manage());
    }
    let change = members::change_role(&txn, instance.id, account_id, role).await?.ok_or_else(member_not_found)?;
    let (before, after) = (json!({ "role": change.before.role.as_str() }), json!({ "role": change.after.role.as_str() }));
    audit::record(&txn, instance.id, actor, AuditAction::MemberRoleChange, target(&change.after), &before, &after).await?;
    audit::commit(txn, "Failed to commit a role change").await?;
    Ok(change.after)
}

/// Removes member `account_id`, as a member whose role is `by` (`leaving`: they remove themselves).
pub async fn remove(state: &AppState, instance: &Instance, by: Role, actor: &Actor, account_id: Uuid, leaving: bool) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let current = members::get(&txn, instance.id, account_id).await?.ok_or_else(member_not_found)?;
    if !leaving && !by.may_manage_member(current.role, None) {
        return Err(may_not_manage());
    }
    let removed = members::remove(&txn, instance.id, account_id).await?.ok_or_else(member_not_found)?;
    let before = json!({ "email": removed.email, "name": removed.name, "role": removed.role.as_str() });
    audit::record(&txn, instance.id, actor, AuditAction::MemberRemove, target(&removed), &before, &serde_json::Value::Null).await?;
    audit::commit(txn, "Failed to commit a member removal").await
}

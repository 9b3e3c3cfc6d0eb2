//! Invitations as whole actions (DESIGN rule 3): each writes its change and the email that
//! follows from it in one transaction.

use actix_web::HttpRequest;
use steward_domain::{Email, Role};
use steward_persistence::account_events::{self, EventKind};
use steward_persistence::instances::{self, Instance, Membership};
use steward_persistence::invitations::{self, Invitation, NewInvitation};
use steward_persistence::{Conflict, StoreError, accounts, members, now};
use uuid::Uuid;

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};

use crate::AppState;
use crate::accounts::{RequestOrigin, commit_error};
use crate::audit::{self, Actor, Target};
use crate::emails::{self, INVITATION_TTL, invalid_link};
use crate::problem::ApiError;
use crate::throttle::check_mail_limits;

fn not_found() -> ApiError {
    ApiError::not_found("No open invitation of this instance has this id.")
}

/// Invites `email` with `role`. 409 when the address already belongs to a member or has an open
/// invitation (resend that one instead).
fn target(i: &Invitation) -> Target {
    Target::new(TargetKind::Invitation, i.id, &i.email)
}

fn snapshot(i: &Invitation) -> Value {
    json!({ "email": i.email, "role": i.role, "expires_at": i.expires_at.to_utc() })
}

pub async fn invite(state: &AppState, req: &HttpRequest, membership: &Membership, actor: &Actor, email: &Email, role: Role) -> Result<Invitation, ApiError> {
    let inviter = actor.id.ok_or_else(|| ApiError::internal(anyhow::anyhow!("An invitation by an actor without an account")))?;
    let instance = &membership.instance;
    if !membership.role.may_manage_member(Role::Viewer, Some(role)) {
        return Err(ApiError::forbidden("Only an owner can invite owners."));
    }
    if let Some(account) = accounts::find_by_email(&state.db, email.as_str()).await?
        && members::get(&state.db, instance.id, account.id).await?.is_some()
    {
        return Err(ApiError::conflict("already_member", "This address belongs to a member of the instance already."));
    }
    if invitations::pending_for(&state.db, instance.id, email.as_str()).await?.is_some() {
        return Err(ApiError::conflict("invitation_pending", "This address has an open invitation already; resend it instead."));
    }
    check_mail_limits(state, Some(instance), req, email.as_str()).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    let invitation = invitations::create(
        &txn,
        NewInvitation { instance_id: instance.id, email: email.as_str(), role: role.as_str(), invited_by: inviter, expires_at: now() + INVITATION_TTL.0 },
    )
    .await?;
    emails::queue_invitation(&txn, &invitation).await?;
    audit::record(&txn, instance.id, actor, AuditAction::InvitationCreate, target(&invitation), &Value::Null, &snapshot(&invitation)).await?;
    txn.commit().await.map_err(commit_error("Failed to commit an invitation"))?;
    state.mail_wakeup.notify_one();
    Ok(invitation)
}

/// Sends an open invitation again with a new expiry; the previous link stops working when the
/// new one is sent.
pub async fn resend(state: &AppState, req: &HttpRequest, instance: &Instance, actor: &Actor, id: Uuid) -> Result<Invitation, ApiError> {
    let invitation = invitations::get(&state.db, instance.id, id).await?.filter(|i| i.accepted_at.is_none() && i.revoked_at.is_none()).ok_or_else(not_found)?;
    check_mail_limits(state, Some(instance), req, &invitation.email).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    if !invitations::renew(&txn, instance.id, id, now() + INVITATION_TTL.0).await? {
        return Err(not_found());
    }
    emails::queue_invitation(&txn, &invitation).await?;
    let renewed = invitations::get(&txn, instance.id, id).await?.ok_or_else(not_found)?;
    audit::record(&txn, instance.id, actor, AuditAction::InvitationResend, target(&renewed), &snapshot(&invitation), &snapshot(&renewed)).await?;
    txn.commit().await.map_err(commit_error("Failed to commit an invitation resend"))?;
    state.mail_wakeup.notify_one();
    Ok(renewed)
}

/// Revokes an open invitation: its link stops working.
pub async fn revoke(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<Invitation, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let invitation = invitations::get(&txn, instance.id, id).await?.ok_or_else(not_found)?;
    if !invitations::revoke(&txn, instance.id, id).await? {
        return Err(not_found());
    }
    audit::record(&txn, instance.id, actor, AuditAction::InvitationRevoke, target(&invitation), &snapshot(&invitation), &Value::Null).await?;
    txn.commit().await.map_err(commit_error("Failed to commit an invitation revocation"))?;
    Ok(invitation)
}

/// The open, unexpired invitation behind a link.
async fn open_by_link(state: &AppState, token: &str) -> Result<(Invitation, String), ApiError> {
    let hash = emails::token_hash(token);
    let invitation = invitations::by_link(&state.db, &hash).await?.ok_or_else(invalid_link)?;
    if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() || invitation.expires_at <= now() {
        return Err(invalid_link());
    }
    Ok((invitation, hash))
}

/// What a link offers: the instance, the role, the address, who invited.
pub async fn lookup(state: &AppState, token: &str) -> Result<(Invitation, Instance, Option<String>), ApiError> {
    let (invitation, _) = open_by_link(state, token).await?;
    let instance = instances::get(&state.db, invitation.instance_id).await?.ok_or_else(invalid_link)?;
    let inviter = match invitation.invited_by {
        Some(id) => accounts::find(&state.db, id).await?.map(|a| a.name),
        None => None,
    };
    Ok((invitation, instance, inviter))
}

/// Accepts an invitation as the signed-in account: only with the invited address, verified;
/// once (of two concurrent acceptances one wins); the membership and the acceptance are one
/// transaction.
pub async fn accept(state: &AppState, req: &HttpRequest, account_id: Uuid, token: &str) -> Result<Membership, ApiError> {
    let account = accounts::find(&state.db, account_id).await?.ok_or_else(|| ApiError::unauthorized("unauthorized", "This account no longer exists."))?;
    let (invitation, hash) = open_by_link(state, token).await?;
    if !account.email.eq_ignore_ascii_case(&invitation.email) {
        return Err(ApiError::forbidden(format!(
            "This invitation is for {}; you are signed in as {}. Sign in with the invited address to accept it.",
            invitation.email, account.email
        ))
        .with_code("invitation_for_another_address"));
    }
    if account.email_verified_at.is_none() {
        return Err(
            ApiError::forbidden("Verify your email address first: follow the link we sent to it, then accept the invitation.").with_code("email_not_verified")
        );
    }
    let role = Role::parse(&invitation.role).ok_or_else(|| ApiError::internal(anyhow::anyhow!("Unknown role stored on an invitation")))?;
    let txn = steward_persistence::begin(&state.db).await?;
    if !invitations::accept(&txn, invitation.id, &hash, account.id).await? {
        return Err(invalid_link());
    }
    match members::add(&txn, invitation.instance_id, account.id, role).await {
        Ok(_) => {}
        Err(StoreError::Conflict(Conflict::AlreadyMember)) => {
            return Err(ApiError::conflict("already_member", "You are a member of this instance already."));
        }
        Err(e) => return Err(e.into()),
    }
    let instance = instances::get(&txn, invitation.instance_id).await?.ok_or_else(invalid_link)?;
    let origin = RequestOrigin::of(req);
    account_events::record(&txn, account.id, EventKind::InvitationAccepted, origin.as_origin(), Some(&instance.slug)).await?;
    let actor = Actor::account(account.id, &account.email, origin.ip.clone());
    audit::record_changes(
        &txn,
        instance.id,
        &actor,
        AuditAction::InvitationAccept,
        target(&invitation),
        json!({ "role": { "before": null, "after": invitation.role } }),
    )
    .await?;
    txn.commit().await.map_err(commit_error("Failed to commit an invitation acceptance"))?;
    Ok(Membership { instance, role })
}

/// Sets the instance's two-factor requirement (owner only, checked by the caller). An owner
/// without two-factor cannot require it (they would lock themselves out).
pub async fn set_two_factor_requirement(state: &AppState, instance: &Instance, actor: &Actor, required: bool) -> Result<Instance, ApiError> {
    let owner = actor.id.ok_or_else(|| ApiError::internal(anyhow::anyhow!("A policy change by an actor without an account")))?;
    if required {
        let account = accounts::find(&state.db, owner).await?.ok_or_else(|| ApiError::unauthorized("unauthorized", "This account no longer exists."))?;
        if account.totp_enabled_at.is_none() {
            return Err(ApiError::conflict(
                "two_factor_required_for_you",
                "Turn on two-factor sign-in for your own account first (Profile → Security), then require it for every member.",
            ));
        }
    }
    let txn = steward_persistence::begin(&state.db).await?;
    let updated = instances::set_require_two_factor(&txn, instance.id, required).await?;
    let (before, after) = (json!({ "require_two_factor": instance.require_two_factor }), json!({ "require_two_factor": required }));
    audit::record(
        &txn,
        instance.id,
        actor,
        AuditAction::InstanceTwoFactorRequire,
        Target::new(TargetKind::Instance, instance.id, &instance.slug),
        &before,
        &after,
    )
    .await?;
    txn.commit().await.map_err(commit_error("Failed to commit a security policy"))?;
    Ok(updated)
}

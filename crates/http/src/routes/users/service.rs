//! Parsing and rules for end users, shared by the console and the public API.

use steward_domain::config::Settings;
use steward_domain::end_user::{UserStatus, check_metadata, display_name, parse_display_name, parse_person_name};
use steward_domain::{Email, Password};
use steward_persistence::end_users::{self, EndUser, NewEndUser, UserChanges, UserFilter, UserSort};
use steward_persistence::sessions::{self, RevokeReason, Subject};
use steward_persistence::{Cursor, Page};
use uuid::Uuid;

use steward_persistence::instances::Instance;
use steward_persistence::user_tokens::{self, Purpose};

use super::dto::{
    BulkAction, BulkOutcome, BulkReport, BulkRequest, BulkResult, CreateUserRequest, SortOrder, UpdateUserRequest, UserDto, UserListQuery, UserSortDto,
    UserStatusDto,
};
use crate::audit::{self, Actor, Target};
use crate::problem::{ApiError, FieldError, Fields};
use crate::{AppState, emails, webhooks};
use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::webhook::EventType;

/// A user as the audit log compares it: what the API shows, plus the password hash (only ever
/// stored as `"[redacted]"`: it says that the password changed).
fn view(u: &EndUser) -> Value {
    let mut v = audit::snapshot(&UserDto::from(u.clone()));
    v["password_hash"] = json!(u.password_hash);
    v
}

fn target(u: &EndUser) -> Target {
    Target::new(TargetKind::User, u.id, &u.email)
}

pub fn user_not_found() -> ApiError {
    ApiError::not_found("No user with this id exists in the instance.")
}

fn metadata(fields: &mut Fields, value: Option<serde_json::Value>) -> Option<serde_json::Value> {
    let value = value?;
    let len = serde_json::to_vec(&value).map(|v| v.len()).unwrap_or(usize::MAX);
    fields.check("metadata", check_metadata(value.is_object(), len)).map(|()| value)
}

/// A new user checked against every rule (email, names, metadata, password, invitation), not
/// yet hashed: the one validation of every way a user is created (console, public API,
/// registration, CSV import).
pub fn validate_new(body: CreateUserRequest, provider: &str, settings: &Settings) -> Result<(NewEndUser, Option<Password>), Vec<FieldError>> {
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&body.email));
    let given = fields.check("given_name", parse_person_name(body.given_name.as_deref().unwrap_or(""), "Given name")).unwrap_or_default();
    let family = fields.check("family_name", parse_person_name(body.family_name.as_deref().unwrap_or(""), "Family name")).unwrap_or_default();
    let name = fields.check("name", parse_display_name(body.name.as_deref().unwrap_or(""))).unwrap_or_default();
    let password = body.password.and_then(|p| fields.check("password", password_under(p, settings)));
    let metadata = metadata(&mut fields, body.metadata).unwrap_or_else(|| serde_json::json!({}));
    if body.send_invitation == Some(true) && password.is_some() {
        fields.push(FieldError::new("send_invitation", "not_applicable", "Send an invitation or set a password, not both."));
    }
    let errors = fields.into_errors();
    let Some(email) = email.filter(|_| errors.is_empty()) else { return Err(errors) };
    let user = NewEndUser {
        name: display_name(&name, &given, &family),
        email: email.into_inner(),
        email_verified: body.email_verified.unwrap_or(false),
        given_name: given,
        family_name: family,
        password_hash: None,
        blocked: body.blocked.unwrap_or(false),
        provider: provider.to_owned(),
        metadata,
    };
    Ok((user, password))
}

/// A password under the platform's rules and the instance's minimum length (`password.min_length`).
pub fn password_under(p: secrecy::SecretString, settings: &Settings) -> Result<Password, steward_domain::ValueError> {
    let p = Password::parse(p)?;
    settings.check_password(p.expose())?;
    Ok(p)
}

/// A new user of `instance_id` from a request: validated, password hashed.
pub async fn parse_create(state: &AppState, instance_id: Uuid, body: CreateUserRequest, provider: &str) -> Result<NewEndUser, ApiError> {
    let settings = crate::routes::config::service::settings(state, instance_id).await?;
    let (mut user, password) = validate_new(body, provider, &settings).map_err(ApiError::validation)?;
    if let Some(p) = password {
        user.password_hash = Some(state.hasher.hash(p.expose()).await?);
    }
    Ok(user)
}

/// The `data` of a user event: the user as the console API shows them.
fn user_data(user: &EndUser) -> Value {
    json!({ "user": UserDto::from(user.clone()) })
}

/// Records webhook event `kind` about `user` in `txn`.
pub(crate) async fn user_event(state: &AppState, txn: &steward_persistence::DatabaseTransaction, kind: EventType, user: &EndUser) -> Result<(), ApiError> {
    Ok(webhooks::record(state, txn, user.instance_id, kind, user_data(user)).await?)
}

/// Creates a user (the console's add-user form and back-end apps): validated, password hashed,
/// and the invitation email queued in the same transaction when `send_invitation` asks for it.
pub async fn create_user(state: &AppState, instance: &Instance, actor: &Actor, body: CreateUserRequest) -> Result<EndUser, ApiError> {
    let invite = body.send_invitation == Some(true);
    let new = parse_create(state, instance.id, body, "password").await?;
    let txn = steward_persistence::begin(&state.db).await?;
    let user = end_users::create(&txn, instance.id, new).await?;
    if invite {
        emails::queue_link(&txn, instance, &user, Purpose::Invitation, None).await?;
    }
    let mut after = view(&user);
    after["invitation_sent"] = json!(invite);
    let event = (EventType::UserCreated, user_data(&user));
    audit::record_and_publish(state, &txn, instance.id, actor, AuditAction::UserCreate, target(&user), &Value::Null, &after, event).await?;
    audit::commit(txn, "Failed to commit a new user").await?;
    if invite {
        state.mail_wakeup.notify_one();
    }
    tracing::info!(user_id = %user.id, invited = invite, "end user created");
    Ok(user)
}

/// Registers a user through the public API: the same answer whether or not the email is taken.
/// A new user gets a verification email (in the same transaction); the owner of a taken address
/// gets a notice that someone tried to sign up with it.
pub async fn register(state: &AppState, instance: &Instance, application: Uuid, body: CreateUserRequest) -> Result<(), ApiError> {
    let new = parse_create(state, instance.id, body, "password").await?;
    let email = new.email.clone();
    let txn = steward_persistence::begin(&state.db).await?;
    match end_users::create(&txn, instance.id, new).await {
        Ok(user) => {
            emails::queue_link(&txn, instance, &user, Purpose::VerifyEmail, Some(application)).await?;
            user_event(state, &txn, EventType::UserCreated, &user).await?;
            txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a registration")))?;
            tracing::info!(user_id = %user.id, "end user registered");
        }
        Err(steward_persistence::StoreError::Conflict(steward_persistence::Conflict::EmailTaken)) => {
            txn.rollback().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to roll back a registration")))?;
            if let Some(existing) = end_users::by_email(&state.db, instance.id, &email).await? {
                let change = "Someone tried to create an account with this email address. If it was you, sign in, or reset your password if you forgot it";
                emails::queue_notice(&state.db, instance, &existing, &existing.email, change).await?;
            }
        }
        Err(e) => return Err(e.into()),
    }
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Applies an edit; a new password or a block ends the user's sessions and tokens.
pub async fn apply_update(state: &AppState, actor: &Actor, user: EndUser, body: UpdateUserRequest) -> Result<EndUser, ApiError> {
    update_as(state, actor, AuditAction::UserUpdate, user, body).await
}

/// An edit recorded as `action`: the user's changes, the sessions and links it ends, and its
/// audit entry, in one transaction.
async fn update_as(state: &AppState, actor: &Actor, action: AuditAction, user: EndUser, body: UpdateUserRequest) -> Result<EndUser, ApiError> {
    let mut fields = Fields::default();
    let email = body.email.as_deref().and_then(|e| fields.check("email", Email::parse(e)));
    let given = body.given_name.as_deref().and_then(|v| fields.check("given_name", parse_person_name(v, "Given name")));
    let family = body.family_name.as_deref().and_then(|v| fields.check("family_name", parse_person_name(v, "Family name")));
    let name = body.name.as_deref().and_then(|v| fields.check("name", parse_display_name(v)));
    let settings = crate::routes::config::service::settings(state, user.instance_id).await?;
    let password = body.password.and_then(|p| fields.check("password", password_under(p, &settings)));
    let metadata = metadata(&mut fields, body.metadata);
    fields.finish()?;
    let password_hash = match &password {
        Some(p) => Some(state.hasher.hash(p.expose()).await?),
        None => None,
    };
    let newly_blocked = body.blocked == Some(true) && !user.blocked;
    let body_unblocks = body.blocked == Some(false);
    let email_changes = email.as_ref().is_some_and(|e| e.as_str() != user.email);
    let revoke = newly_blocked || password_hash.is_some();
    let (instance_id, user_id) = (user.instance_id, user.id);
    let txn = steward_persistence::begin(&state.db).await?;
    // Read again inside the transaction: the entry's "before" is what this edit replaced.
    let user = end_users::get(&txn, instance_id, user_id).await?.ok_or_else(user_not_found)?;
    let before = view(&user);
    let was_blocked = user.blocked;
    let updated = end_users::update(
        &txn,
        user,
        UserChanges {
            email: email.filter(|_| email_changes).map(Email::into_inner),
            // A changed email is unverified unless the caller says otherwise.
            email_verified: body.email_verified.or(email_changes.then_some(false)),
            given_name: given,
            family_name: family,
            name,
            password_hash,
            blocked: body.blocked,
            metadata,
            revoke_tokens: revoke,
        },
    )
    .await?;
    if revoke {
        let reason = if newly_blocked { RevokeReason::Blocked } else { RevokeReason::PasswordChanged };
        sessions::revoke_others(&txn, Subject::EndUser { instance_id, user_id }, None, reason).await?;
    }
    if email_changes {
        // Links sent to the old address stop working.
        user_tokens::revoke_all_unused(&txn, user_id).await?;
    }
    let kind = match action {
        AuditAction::UserBlock => EventType::UserBlocked,
        AuditAction::UserUnblock => EventType::UserUnblocked,
        _ if newly_blocked => EventType::UserBlocked,
        _ if body_unblocks && was_blocked => EventType::UserUnblocked,
        _ => EventType::UserUpdated,
    };
    let event = (kind, user_data(&updated));
    audit::record_and_publish(state, &txn, instance_id, actor, action, target(&updated), &before, &view(&updated), event).await?;
    audit::commit(txn, "Failed to commit a user change").await?;
    Ok(updated)
}

/// What an end user may change of their own account.
pub struct OwnAccountChanges {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub new_password: Option<secrecy::SecretString>,
}

/// An end user changes their own account (the current password was checked by the caller).
/// Everything is validated before anything is saved. A new password ends the user's other
/// sessions (not `session_id`) and sends a notice. A new email is not applied here: a link to
/// confirm it goes to the new address (or, when another account has it, a notice to that
/// account — the answer is the same either way), a notice goes to the current one, and the
/// change is made when the link is followed.
pub async fn update_own_account(state: &AppState, instance: &Instance, user: EndUser, session_id: Uuid, c: OwnAccountChanges) -> Result<EndUser, ApiError> {
    let mut fields = Fields::default();
    let email = c.email.as_deref().and_then(|e| fields.check("email", Email::parse(e)));
    let given = c.given_name.as_deref().and_then(|v| fields.check("given_name", parse_person_name(v, "Given name")));
    let family = c.family_name.as_deref().and_then(|v| fields.check("family_name", parse_person_name(v, "Family name")));
    let name = c.name.as_deref().and_then(|v| fields.check("name", parse_display_name(v)));
    let settings = crate::routes::config::service::settings(state, instance.id).await?;
    let password = c.new_password.and_then(|p| fields.check("new_password", password_under(p, &settings)));
    fields.finish()?;
    let new_email = email.filter(|e| e.as_str() != user.email).map(Email::into_inner);
    let password_hash = match &password {
        Some(p) => Some(state.hasher.hash(p.expose()).await?),
        None => None,
    };
    let changed_password = password_hash.is_some();
    let txn = steward_persistence::begin(&state.db).await?;
    let profile_changes = given.is_some() || family.is_some() || name.is_some() || changed_password;
    let updated = if profile_changes {
        end_users::update(&txn, user, UserChanges { given_name: given, family_name: family, name, password_hash, ..Default::default() }).await?
    } else {
        user
    };
    if profile_changes {
        user_event(state, &txn, EventType::UserUpdated, &updated).await?;
    }
    let subject = Subject::EndUser { instance_id: instance.id, user_id: updated.id };
    if changed_password {
        sessions::revoke_others(&txn, subject, Some(session_id), RevokeReason::PasswordChanged).await?;
        emails::queue_notice(&txn, instance, &updated, &updated.email, "The password of your account was changed").await?;
    }
    if let Some(new_email) = new_email {
        match end_users::by_email(&txn, instance.id, &new_email).await? {
            Some(owner) => {
                let change =
                    "Someone asked to move another account to this email address. Nothing was changed. If it was you, sign in with this address instead";
                emails::queue_notice(&txn, instance, &owner, &owner.email, change).await?;
            }
            None => emails::queue_email_change(&txn, instance, &updated, &new_email).await?,
        }
        let change = format!(
            "Someone asked to change the email of your account to {new_email}; it changes once that address is confirmed. If it was not you, change your password"
        );
        emails::queue_notice(&txn, instance, &updated, &updated.email, &change).await?;
    }
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit an account change")))?;
    state.mail_wakeup.notify_one();
    Ok(updated)
}

/// Makes the change of address confirmed by a `change_email` link: the email becomes the
/// token's, verified, and every other outstanding link of the user ends.
pub async fn confirm_email_change(state: &AppState, user: EndUser, new_email: &str) -> Result<EndUser, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let user_id = user.id;
    let updated = end_users::update(&txn, user, UserChanges { email: Some(new_email.to_owned()), email_verified: Some(true), ..Default::default() }).await?;
    user_tokens::revoke_all_unused(&txn, user_id).await?;
    user_event(state, &txn, EventType::UserUpdated, &updated).await?;
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit an email change")))?;
    Ok(updated)
}

/// Marks the user's email verified (a verification link was followed), with its event.
pub async fn verify_email(state: &AppState, user: EndUser) -> Result<EndUser, ApiError> {
    let was_verified = user.email_verified;
    let txn = steward_persistence::begin(&state.db).await?;
    let updated = end_users::update(&txn, user, UserChanges { email_verified: Some(true), ..Default::default() }).await?;
    if !was_verified {
        user_event(state, &txn, EventType::UserEmailVerified, &updated).await?;
    }
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit an email verification")))?;
    Ok(updated)
}

/// The answer to a one-time link that cannot be used (unknown, expired, used, or sent to an
/// address the user no longer has) — one answer for all, so a link reveals nothing.
pub use crate::emails::invalid_link;

/// Sets a new password with a reset or invitation link: the link is checked before the (costly)
/// hash and must still match the user's address; it is used once (of two concurrent uses, one
/// wins), every session of the user ends, an invitation also verifies the email, and a notice is
/// queued — in one transaction.
pub async fn reset_password(state: &AppState, instance: &Instance, token: &str, password: secrecy::SecretString) -> Result<(), ApiError> {
    let settings = crate::routes::config::service::settings(state, instance.id).await?;
    let password = password_under(password, &settings).map_err(|e| ApiError::validation(vec![FieldError::from_value("password", e)]))?;
    let purposes = [Purpose::ResetPassword, Purpose::Invitation];
    let token_hash = emails::token_hash(token);
    let token = user_tokens::peek(&state.db, instance.id, &token_hash, &purposes).await?.ok_or_else(invalid_link)?;
    let user = end_users::get(&state.db, instance.id, token.end_user_id).await?.ok_or_else(invalid_link)?;
    if !user.email.eq_ignore_ascii_case(&token.email) {
        return Err(invalid_link());
    }
    let hash = state.hasher.hash(password.expose()).await?;
    let invitation = token.purpose == Purpose::Invitation.as_str();
    let was_verified = user.email_verified;
    let txn = steward_persistence::begin(&state.db).await?;
    user_tokens::consume(&txn, instance.id, &token_hash, &purposes).await?.ok_or_else(invalid_link)?;
    let user = end_users::update(
        &txn,
        user,
        UserChanges { password_hash: Some(hash), email_verified: invitation.then_some(true), revoke_tokens: true, ..Default::default() },
    )
    .await?;
    sessions::revoke_others(&txn, Subject::EndUser { instance_id: instance.id, user_id: user.id }, None, RevokeReason::PasswordChanged).await?;
    emails::queue_notice(&txn, instance, &user, &user.email, "The password of your account was changed").await?;
    user_event(state, &txn, EventType::UserUpdated, &user).await?;
    if invitation && !was_verified {
        user_event(state, &txn, EventType::UserEmailVerified, &user).await?;
    }
    txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a password reset")))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Creates the accepted rows of a CSV import in one transaction (all or none), recorded as one
/// audit entry (how many users, and the file's first emails).
pub async fn import_users(state: &AppState, instance: &Instance, actor: &Actor, users: Vec<NewEndUser>) -> Result<u64, ApiError> {
    const SHOWN: usize = 20;
    let count = users.len() as u64;
    let shown: Vec<String> = users.iter().take(SHOWN).map(|u| u.email.clone()).collect();
    let txn = steward_persistence::begin(&state.db).await?;
    // One lookup of the endpoints for the whole file.
    let targets = steward_persistence::webhooks::subscribers(&txn, instance.id, EventType::UserCreated).await?;
    for u in users {
        let user = end_users::create(&txn, instance.id, u).await?;
        if !targets.is_empty() {
            let payload = webhooks::envelope(EventType::UserCreated, user_data(&user));
            steward_persistence::webhooks::record_event(&txn, instance.id, EventType::UserCreated, payload, &targets).await?;
        }
    }
    if !targets.is_empty() {
        state.webhook_wakeup.notify_one();
    }
    let target = Target { kind: TargetKind::User, id: None, label: Some(format!("{count} users (CSV import)")) };
    let after = json!({ "accepted": count, "emails": shown });
    audit::record(&txn, instance.id, actor, AuditAction::UserImport, target, &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit an import").await?;
    tracing::info!(accepted = count, "users imported");
    Ok(count)
}

/// Blocks or unblocks; blocking ends every session and token of the user at once.
pub async fn set_blocked(state: &AppState, actor: &Actor, user: EndUser, blocked: bool) -> Result<EndUser, ApiError> {
    let action = if blocked { AuditAction::UserBlock } else { AuditAction::UserUnblock };
    update_as(
        state,
        actor,
        action,
        user,
        UpdateUserRequest {
            email: None,
            given_name: None,
            family_name: None,
            name: None,
            password: None,
            email_verified: None,
            blocked: Some(blocked),
            metadata: None,
        },
    )
    .await
}

/// Deletes user `id`, with their sessions and tokens.
pub async fn delete_user(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let user = end_users::get(&txn, instance.id, id).await?.ok_or_else(user_not_found)?;
    if !end_users::delete(&txn, instance.id, id).await? {
        return Err(user_not_found());
    }
    let event = (EventType::UserDeleted, user_data(&user));
    audit::record_and_publish(state, &txn, instance.id, actor, AuditAction::UserDelete, target(&user), &view(&user), &Value::Null, event).await?;
    audit::commit(txn, "Failed to commit a user deletion").await?;
    tracing::info!(user_id = %id, "end user deleted");
    Ok(())
}

/// Queues a verification, password-reset or invitation link for user `id` (not for a blocked
/// user, nor a verification for a verified one, nor an invitation for a user with a password).
pub async fn send_link(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid, purpose: Purpose) -> Result<(), ApiError> {
    let action = match purpose {
        Purpose::VerifyEmail => AuditAction::UserVerificationSend,
        Purpose::ResetPassword => AuditAction::UserPasswordResetSend,
        Purpose::Invitation => AuditAction::UserInvitationSend,
        _ => return Err(ApiError::internal(anyhow::anyhow!("send_link for {}", purpose.as_str()))),
    };
    let txn = steward_persistence::begin(&state.db).await?;
    let user = end_users::get(&txn, instance.id, id).await?.ok_or_else(user_not_found)?;
    if user.blocked {
        return Err(ApiError::conflict("user_blocked", "This user is blocked; unblock them first."));
    }
    if purpose == Purpose::VerifyEmail && user.email_verified {
        return Err(ApiError::conflict("already_verified", "This user's email is already verified."));
    }
    if purpose == Purpose::Invitation && user.password_hash.is_some() {
        return Err(ApiError::conflict("user_has_password", "This user already has a password: send a password reset instead."));
    }
    emails::queue_link(&txn, instance, &user, purpose, None).await?;
    let after = json!({ "email_sent_to": user.email });
    audit::record(&txn, instance.id, actor, action, target(&user), &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit a link").await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Signs user `id` out everywhere: every session and token ends now.
pub async fn sign_out(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let user = end_users::get(&txn, instance.id, id).await?.ok_or_else(user_not_found)?;
    let subject = Subject::EndUser { instance_id: instance.id, user_id: user.id };
    let target = target(&user);
    end_users::update(&txn, user, UserChanges { revoke_tokens: true, ..Default::default() }).await?;
    let ended = sessions::revoke_others(&txn, subject, None, RevokeReason::RevokedByUser).await?;
    let after = json!({ "sessions_ended": ended });
    audit::record(&txn, instance.id, actor, AuditAction::UserSignOut, target, &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit a sign-out").await
}

/// Unlinks identity `identity_id` from user `id`, unless it is the user's last way to sign in.
pub async fn unlink_identity(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid, identity_id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let user = end_users::get(&txn, instance.id, id).await?.ok_or_else(user_not_found)?;
    let identities = steward_persistence::user_identities::of_user(&txn, instance.id, id).await?;
    let identity = identities.iter().find(|i| i.id == identity_id).ok_or_else(|| ApiError::not_found("No such identity of this user."))?;
    if user.password_hash.is_none() && identities.len() == 1 {
        return Err(ApiError::conflict(
            "last_sign_in_method",
            "This identity is the user's only way to sign in: set a password (or send a reset link) before unlinking it.",
        ));
    }
    let before = json!({ "identity": { "provider": identity.provider_key, "subject": identity.subject } });
    steward_persistence::user_identities::unlink(&txn, instance.id, id, identity_id).await?;
    audit::record(&txn, instance.id, actor, AuditAction::UserIdentityUnlink, target(&user), &before, &Value::Null).await?;
    audit::commit(txn, "Failed to commit an identity unlink").await
}

/// The filters of a list query; field errors are collected into `errors`.
/// At most this many ids in a list's or export's `ids`.
/// (200 uuids keep a URL under the 8 KiB that common proxies accept.)
const MAX_SELECTED_IDS: usize = 200;

/// At most this many users in one bulk request (the console sends bigger selections in parts).
pub const MAX_BULK: usize = 100;

/// Applies `action` to each of `ids`, one transaction (and audit entry) per user, as the single
/// action would: one user's failure does not stop the others.
pub async fn bulk(state: &AppState, instance: &Instance, actor: &Actor, request: BulkRequest) -> Result<BulkReport, ApiError> {
    let mut seen = std::collections::HashSet::new();
    if request.ids.is_empty() || request.ids.len() > MAX_BULK {
        return Err(ApiError::field("ids", "out_of_range", format!("Send 1 to {MAX_BULK} user ids.")));
    }
    if !request.ids.iter().all(|id| seen.insert(*id)) {
        return Err(ApiError::field("ids", "duplicate", "Each user id may appear once."));
    }
    let mut report = BulkReport { results: Vec::with_capacity(request.ids.len()), done: 0, skipped: 0, failed: 0 };
    for id in request.ids {
        let outcome = bulk_one(state, instance, actor, request.action, id).await;
        let result = match outcome {
            Ok(true) => BulkResult { id, outcome: BulkOutcome::Done, code: None, message: None },
            Ok(false) => BulkResult { id, outcome: BulkOutcome::Skipped, code: None, message: None },
            Err(e) if e.code() == "already_verified" || e.code() == "user_has_password" => {
                BulkResult { id, outcome: BulkOutcome::Skipped, code: Some(e.code().to_owned()), message: Some(e.detail().to_owned()) }
            }
            Err(e) if e.is_server_error() => {
                // Logged once with its cause; the users before and after it keep their results.
                tracing::error!(user_id = %id, error = e.detail(), "a bulk action failed for one user");
                BulkResult {
                    id,
                    outcome: BulkOutcome::Failed,
                    code: Some("internal_error".to_owned()),
                    message: Some("Something went wrong on our side; try this user again.".to_owned()),
                }
            }
            Err(e) => BulkResult { id, outcome: BulkOutcome::Failed, code: Some(e.code().to_owned()), message: Some(e.detail().to_owned()) },
        };
        match result.outcome {
            BulkOutcome::Done => report.done += 1,
            BulkOutcome::Skipped => report.skipped += 1,
            BulkOutcome::Failed => report.failed += 1,
        }
        report.results.push(result);
    }
    tracing::info!(action = ?request.action, done = report.done, skipped = report.skipped, failed = report.failed, "bulk action on users");
    Ok(report)
}

/// One user of a bulk action: true when done, false when there was nothing to do.
async fn bulk_one(state: &AppState, instance: &Instance, actor: &Actor, action: BulkAction, id: Uuid) -> Result<bool, ApiError> {
    match action {
        BulkAction::Block | BulkAction::Unblock => {
            let blocked = action == BulkAction::Block;
            let user = end_users::get(&state.db, instance.id, id).await?.ok_or_else(user_not_found)?;
            if user.blocked == blocked {
                return Ok(false);
            }
            set_blocked(state, actor, user, blocked).await?;
        }
        BulkAction::Delete => delete_user(state, instance, actor, id).await?,
        BulkAction::SendVerification => send_link(state, instance, actor, id, Purpose::VerifyEmail).await?,
        BulkAction::SendInvitation => send_link(state, instance, actor, id, Purpose::Invitation).await?,
    }
    Ok(true)
}

fn filter_of(q: &UserListQuery, errors: &mut Vec<FieldError>) -> UserFilter {
    let mut bad = |field: &str, code: &str, message: &str| errors.push(FieldError::new(field, code, message));
    let status = q.status.map(|s| match s {
        UserStatusDto::Active => UserStatus::Active,
        UserStatusDto::Blocked => UserStatus::Blocked,
        UserStatusDto::Unverified => UserStatus::Unverified,
    });
    let mut date = |field: &str, v: Option<&str>| match v.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(d) => Some(d),
            Err(_) => {
                bad(field, "invalid_date", "Use an RFC 3339 date-time, such as 2026-11-28T00:00:00Z.");
                None
            }
        },
    };
    let created_from = date("created_from", q.created_from.as_deref());
    let created_to = date("created_to", q.created_to.as_deref());
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        errors.push(FieldError::new("q", "too_long", "q must be at most 200 characters."));
    }
    let ids = match q.ids.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(list) => {
            let parsed: Result<Vec<Uuid>, _> = list.split(',').map(|id| id.trim().parse::<Uuid>()).collect();
            match parsed {
                Ok(ids) if ids.len() <= MAX_SELECTED_IDS => Some(ids),
                Ok(_) => {
                    errors.push(FieldError::new("ids", "too_many", format!("Select at most {MAX_SELECTED_IDS} users; export a filter for more.")));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new("ids", "invalid_id", "ids must be user ids separated by commas."));
                    None
                }
            }
        }
    };
    UserFilter { q: q.q.clone().filter(|t| !t.is_empty()), status, provider: q.provider.clone().filter(|p| !p.is_empty()), created_from, created_to, ids }
}

/// Only the filters of a list query (for exports).
pub fn parse_filter(q: &UserListQuery) -> Result<UserFilter, ApiError> {
    let mut errors = Vec::new();
    let filter = filter_of(q, &mut errors);
    if errors.is_empty() { Ok(filter) } else { Err(ApiError::validation(errors)) }
}

/// The filtered, sorted page a list query asks for.
pub async fn list(state: &AppState, instance_id: Uuid, q: &UserListQuery) -> Result<Page<EndUser>, ApiError> {
    let mut errors = Vec::new();
    let filter = filter_of(q, &mut errors);
    let mut bad = |field: &str, code: &str, message: &str| errors.push(FieldError::new(field, code, message));
    let sort = match q.sort {
        None | Some(UserSortDto::CreatedAt) => UserSort::CreatedAt,
        Some(UserSortDto::Email) => UserSort::Email,
        Some(UserSortDto::Name) => UserSort::Name,
        Some(UserSortDto::LastLoginAt) => UserSort::LastLoginAt,
    };
    let descending = q.order != Some(SortOrder::Asc);
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(s) => match s.parse::<u64>() {
            Ok(n @ 1..=100) => n,
            _ => {
                bad("limit", "out_of_range", "limit must be a whole number from 1 to 100.");
                50
            }
        },
    };
    let cursor = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => match Cursor::decode(c) {
            Some(c) => Some(c),
            None => {
                bad("cursor", "invalid_cursor", "cursor is not one this API returned.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(end_users::list(&state.db, instance_id, &filter, sort, descending, limit, cursor.as_deref()).await?)
}

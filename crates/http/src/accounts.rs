//! Console accounts: each action on an account as a whole (DESIGN rule 3) — sign-up with email
//! verification, a change of email or password, forgot/reset — shared by the auth and me routes.
//! Each writes its change, the emails that follow from it and the account's security-log entry
//! in one transaction.

use actix_web::HttpRequest;
use secrecy::SecretString;
use steward_domain::{DisplayName, Email, Password};
use steward_persistence::account_events::{self, EventKind, Origin};
use steward_persistence::account_tokens::{self, AccountPurpose};
use steward_persistence::accounts::{self, Account};
use steward_persistence::sessions::{self, RevokeReason, Subject};
use steward_persistence::{rate_counters, recovery_codes};
use uuid::Uuid;

use crate::AppState;
use crate::emails::{self, invalid_link};
use crate::extract::{client_ip, user_agent};
use crate::problem::{ApiError, FieldError};
use crate::routes::auth::dto::{AccountLinkInfo, AccountLinkPurpose};
use crate::throttle::check_mail_limits;

/// Where a request came from, for the security log and the sessions list.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestOrigin {
    pub fn of(req: &HttpRequest) -> Self {
        Self { ip: client_ip(req), user_agent: user_agent(req) }
    }

    pub fn as_origin(&self) -> Origin<'_> {
        Origin { ip: self.ip.as_deref(), user_agent: self.user_agent.as_deref() }
    }
}

pub fn commit_error(what: &'static str) -> impl FnOnce(steward_persistence::DbErr) -> ApiError {
    move |e| ApiError::internal(anyhow::Error::new(e).context(what))
}

/// Creates an account and queues the verification of its address. The account can sign in at
/// once, but cannot join an instance until the address is verified.
pub async fn sign_up(state: &AppState, req: &HttpRequest, email: Email, password: Password, name: DisplayName) -> Result<Account, ApiError> {
    check_mail_limits(state, None, req, email.as_str()).await?;
    let hash = state.hasher.hash(password.expose()).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    let account = accounts::create(&txn, email.as_str(), name.as_str(), &hash).await?;
    emails::queue_account_link(&txn, &account, AccountPurpose::VerifyEmail).await?;
    txn.commit().await.map_err(commit_error("Failed to commit a sign-up"))?;
    state.mail_wakeup.notify_one();
    tracing::info!(account_id = %account.id, "account created");
    Ok(account)
}

/// Sends the verification link again (409 when the address is already verified).
pub async fn resend_verification(state: &AppState, req: &HttpRequest, account: &Account) -> Result<(), ApiError> {
    if account.email_verified_at.is_some() {
        return Err(ApiError::conflict("email_already_verified", "Your email address is already verified."));
    }
    check_mail_limits(state, None, req, &account.email).await?;
    emails::queue_account_link(&state.db, account, AccountPurpose::VerifyEmail).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Verifies an address with its link: once, and only while the account still has that address.
pub async fn verify_email(state: &AppState, req: &HttpRequest, token: &str) -> Result<Account, ApiError> {
    let origin = RequestOrigin::of(req);
    let txn = steward_persistence::begin(&state.db).await?;
    let link = account_tokens::consume(&txn, &emails::token_hash(token), AccountPurpose::VerifyEmail).await?.ok_or_else(invalid_link)?;
    if !accounts::mark_verified(&txn, link.account_id, &link.email).await? {
        return Err(invalid_link());
    }
    account_events::record(&txn, link.account_id, EventKind::EmailVerified, origin.as_origin(), Some(&link.email)).await?;
    let account = accounts::find(&txn, link.account_id).await?.ok_or_else(invalid_link)?;
    txn.commit().await.map_err(commit_error("Failed to commit an email verification"))?;
    Ok(account)
}

/// Describes a console account's link (verification or reset): the address it went to and
/// whether it still works. Other tokens (two-factor challenges) are not links.
pub async fn link_info(state: &AppState, token: &str) -> Result<AccountLinkInfo, ApiError> {
    let link = account_tokens::find(&state.db, &emails::token_hash(token)).await?.ok_or_else(invalid_link)?;
    let purpose = match AccountPurpose::parse(&link.purpose) {
        Some(AccountPurpose::VerifyEmail) => AccountLinkPurpose::VerifyEmail,
        Some(AccountPurpose::ResetPassword) => AccountLinkPurpose::ResetPassword,
        Some(AccountPurpose::TwoFactorChallenge) | None => return Err(invalid_link()),
    };
    let link_state = emails::LinkState::of(link.used_at, link.expires_at);
    Ok(AccountLinkInfo { purpose, email: link.email, expires_at: link.expires_at.to_utc(), state: link_state })
}

/// Queues a reset link for whichever account has `email` — the same answer, the same work,
/// whether or not one has it.
pub async fn forgot_password(state: &AppState, req: &HttpRequest, email: &Email) -> Result<(), ApiError> {
    check_mail_limits(state, None, req, email.as_str()).await?;
    emails::queue_account_reset_by_email(&state.db, email.as_str()).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Sets a new password with a reset link. The link proves the address, so it also verifies it;
/// every session ends; and when the address had not been verified before, two-factor is turned
/// off too (whoever created the account without owning the address may have set it up). One
/// transaction; the link works once.
pub async fn reset_password(state: &AppState, req: &HttpRequest, token: &str, password: SecretString) -> Result<(), ApiError> {
    let password = Password::parse(password).map_err(|e| ApiError::validation(vec![FieldError::from_value("password", e)]))?;
    let origin = RequestOrigin::of(req);
    let hash_of_link = emails::token_hash(token);
    // The link is checked before the (costly) hash.
    let link = account_tokens::peek(&state.db, &hash_of_link, AccountPurpose::ResetPassword).await?.ok_or_else(invalid_link)?;
    let hash = state.hasher.hash(password.expose()).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    account_tokens::consume(&txn, &hash_of_link, AccountPurpose::ResetPassword).await?.ok_or_else(invalid_link)?;
    let account = accounts::find(&txn, link.account_id).await?.ok_or_else(invalid_link)?;
    if !account.email.eq_ignore_ascii_case(&link.email) {
        return Err(invalid_link());
    }
    let was_unverified = account.email_verified_at.is_none();
    accounts::set_password_hash(&txn, account.id, &hash).await?;
    accounts::mark_verified(&txn, account.id, &account.email).await?;
    if was_unverified && account.totp_enabled_at.is_some() {
        accounts::disable_totp(&txn, account.id).await?;
        recovery_codes::delete_all(&txn, account.id).await?;
        account_events::record(&txn, account.id, EventKind::TwoFactorDisabled, origin.as_origin(), Some("reset by the owner of the address")).await?;
    }
    account_tokens::revoke_unused(&txn, account.id, None).await?;
    sessions::revoke_others(&txn, Subject::Account(account.id), None, RevokeReason::PasswordChanged).await?;
    account_events::record(&txn, account.id, EventKind::PasswordReset, origin.as_origin(), None).await?;
    emails::queue_account_notice(&txn, account.id, &account.email, "The password of your Steward account was reset").await?;
    txn.commit().await.map_err(commit_error("Failed to commit a password reset"))?;
    // A reset ends a lockout: the owner of the address proved themselves.
    rate_counters::clear(&state.db, &crate::auth::signin::console_lockout_key(&account.email)).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Changes the name and/or the address (the password was checked by the caller). A new address
/// is unverified: its link goes to it, every link sent to the old one stops working, and the
/// old address is told.
pub async fn update_profile(
    state: &AppState,
    req: &HttpRequest,
    account: &Account,
    name: Option<DisplayName>,
    email: Option<Email>,
) -> Result<Account, ApiError> {
    let origin = RequestOrigin::of(req);
    if let Some(email) = &email {
        check_mail_limits(state, None, req, email.as_str()).await?;
    }
    let txn = steward_persistence::begin(&state.db).await?;
    let updated = accounts::update_profile(&txn, account.id, name.map(DisplayName::into_inner), email.as_ref().map(|e| e.as_str().to_owned()))
        .await?
        .ok_or_else(|| ApiError::unauthorized("unauthorized", "This account no longer exists."))?;
    if let Some(email) = &email {
        account_tokens::revoke_unused(&txn, account.id, None).await?;
        emails::queue_account_link(&txn, &updated, AccountPurpose::VerifyEmail).await?;
        let notice = format!("The email address of your Steward account was changed to {}", email.as_str());
        emails::queue_account_notice(&txn, account.id, &account.email, &notice).await?;
        account_events::record(&txn, account.id, EventKind::EmailChanged, origin.as_origin(), Some(&format!("{} → {}", account.email, email.as_str()))).await?;
    }
    txn.commit().await.map_err(commit_error("Failed to commit a profile change"))?;
    state.mail_wakeup.notify_one();
    Ok(updated)
}

/// Sets a new password (the current one was checked by the caller); every other session ends
/// and the address is told.
pub async fn change_password(state: &AppState, req: &HttpRequest, account: &Account, keep_session: Uuid, new_password: Password) -> Result<(), ApiError> {
    let origin = RequestOrigin::of(req);
    let hash = state.hasher.hash(new_password.expose()).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    accounts::set_password_hash(&txn, account.id, &hash).await?;
    let ended = sessions::revoke_others(&txn, Subject::Account(account.id), Some(keep_session), RevokeReason::PasswordChanged).await?;
    account_tokens::revoke_unused(&txn, account.id, Some(AccountPurpose::ResetPassword)).await?;
    account_events::record(&txn, account.id, EventKind::PasswordChanged, origin.as_origin(), None).await?;
    emails::queue_account_notice(&txn, account.id, &account.email, "The password of your Steward account was changed").await?;
    txn.commit().await.map_err(commit_error("Failed to commit a password change"))?;
    state.mail_wakeup.notify_one();
    tracing::info!(sessions_ended = ended, "password changed");
    Ok(())
}

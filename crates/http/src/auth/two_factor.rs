//! Two-factor sign-in for console accounts: TOTP (enrolled with a secret shown once, confirmed
//! with a code) and ten single-use recovery codes. A code works once (the last accepted step is
//! stored and only a later one is accepted, in one atomic statement); wrong codes count against a
//! lockout like passwords, counted before the code is checked.

use base64::Engine as _;
use rand::RngCore as _;
use steward_domain::totp;
use steward_persistence::account_events::{self, EventKind};
use steward_persistence::account_tokens::{self, AccountPurpose};
use steward_persistence::accounts::{self, Account};
use steward_persistence::{now, rate_counters, recovery_codes};

use crate::AppState;
use crate::accounts::{RequestOrigin, commit_error};
use crate::auth::tokens::sha256_hex;
use crate::emails;
use crate::problem::ApiError;

/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown by authenticator apps.
const ISSUER: &str = "Steward";

/// What proves the second factor.
#[derive(Debug, Clone)]
pub enum Proof {
    /// A six-digit code from the authenticator app.
    Code(String),
    /// One of the recovery codes.
    RecoveryCode(String),
}

impl Proof {
    /// Exactly one of a code and a recovery code, as a request sends them; the field to blame
    /// for a wrong one.
    pub fn from_fields(code: Option<String>, recovery_code: Option<String>) -> Result<(Proof, &'static str), ApiError> {
        match (code.filter(|c| !c.trim().is_empty()), recovery_code.filter(|c| !c.trim().is_empty())) {
            (Some(code), None) => Ok((Proof::Code(code), "code")),
            (None, Some(code)) => Ok((Proof::RecoveryCode(code), "recovery_code")),
            (Some(_), Some(_)) => Err(ApiError::field("recovery_code", "one_of", "Send either a code or a recovery code, not both.")),
            (None, None) => Err(ApiError::field("code", "required", "Enter the code from your authenticator app, or a recovery code.")),
        }
    }
}

/// A new secret, shown once.
pub struct Setup {
    pub secret: String,
    pub otpauth_uri: String,
}

fn secret_aad(account_id: uuid::Uuid) -> String {
    format!("totp-secret/{account_id}")
}

fn lockout_key(account_id: uuid::Uuid) -> String {
    format!("2fa:{account_id}")
}

/// A recovery code as stored: its normalised form, hashed.
fn recovery_hash(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    sha256_hex(normal.as_bytes())
}

fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            rand::rng().fill_bytes(&mut bytes);
            let s = totp::base32(&bytes).to_ascii_lowercase();
            format!("{}-{}", &s[..5], &s[5..10])
        })
        .collect()
}

/// Starts enrolment: a new secret (encrypted at rest), shown once. Replaces an unconfirmed one;
/// 409 when two-factor is already on.
pub async fn begin_setup(state: &AppState, account: &Account) -> Result<Setup, ApiError> {
    let mut secret = [0u8; totp::SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let encrypted = state.secrets.encrypt(&secret, &secret_aad(account.id)).map_err(ApiError::internal)?;
    if !accounts::start_totp(&state.db, account.id, &encrypted).await? {
        return Err(already_enabled());
    }
    Ok(Setup { secret: totp::base32(&secret), otpauth_uri: totp::otpauth_uri(ISSUER, &account.email, &secret) })
}

fn already_enabled() -> ApiError {
    ApiError::conflict("two_factor_enabled", "Two-factor sign-in is already on. Turn it off first to enrol a new authenticator.")
}

fn wrong_code() -> ApiError {
    ApiError::unauthorized("invalid_two_factor_code", "The code is incorrect, expired or was already used.")
}

/// Checks `proof` for `account` under the lockout: 429 while locked (without checking), 401
/// `invalid_two_factor_code` for a wrong, expired or reused code. A recovery code is used up.
pub async fn check(state: &AppState, account: &Account, proof: &Proof, origin: &RequestOrigin) -> Result<(), ApiError> {
    let policy = state.lockout;
    let key = lockout_key(account.id);
    let hit = rate_counters::hit(&state.db, &key, policy.window_secs).await?;
    if hit.count > i64::from(policy.max_failures) {
        let retry_after = hit.retry_after_secs();
        account_events::record(&state.db, account.id, EventKind::SignInLocked, origin.as_origin(), Some("two-factor")).await?;
        return Err(ApiError::too_many("too_many_attempts", format!("Too many wrong codes. Try again in {retry_after} seconds."), retry_after));
    }
    let ok = match proof {
        Proof::Code(code) => {
            let Some(stored) = account.totp_secret.as_deref() else { return Err(wrong_code()) };
            let secret = state.secrets.decrypt(stored, &secret_aad(account.id)).map_err(ApiError::internal)?;
            match totp::verify(&secret, code, now().timestamp(), account.totp_last_step) {
                Some(step) => accounts::accept_totp_step(&state.db, account.id, step).await?,
                None => false,
            }
        }
        Proof::RecoveryCode(code) => {
            let used = recovery_codes::consume(&state.db, account.id, &recovery_hash(code)).await?;
            if used {
                account_events::record(&state.db, account.id, EventKind::RecoveryCodeUsed, origin.as_origin(), None).await?;
            }
            used
        }
    };
    if !ok {
        account_events::record(&state.db, account.id, EventKind::TwoFactorFailed, origin.as_origin(), None).await?;
        return Err(wrong_code());
    }
    rate_counters::clear(&state.db, &key).await?;
    Ok(())
}

/// Confirms enrolment with a code from the app: two-factor is on, and ten recovery codes are
/// returned (shown once; only their hashes are kept).
pub async fn enable(state: &AppState, account: &Account, code: &str, origin: &RequestOrigin) -> Result<Vec<String>, ApiError> {
    if account.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    if account.totp_secret.is_none() {
        return Err(ApiError::conflict("two_factor_not_started", "Start the setup first: it shows the secret to add to your authenticator app."));
    }
    check(state, account, &Proof::Code(code.to_owned()), origin).await?;
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let txn = steward_persistence::begin(&state.db).await?;
    if !accounts::enable_totp(&txn, account.id).await? {
        return Err(already_enabled());
    }
    recovery_codes::replace(&txn, account.id, &hashes).await?;
    account_events::record(&txn, account.id, EventKind::TwoFactorEnabled, origin.as_origin(), None).await?;
    emails::queue_account_notice(&txn, account.id, &account.email, "Two-factor sign-in was turned on for your Steward account").await?;
    txn.commit().await.map_err(commit_error("Failed to commit two-factor enrolment"))?;
    state.mail_wakeup.notify_one();
    Ok(codes)
}

fn not_enabled() -> ApiError {
    ApiError::conflict("two_factor_not_enabled", "Two-factor sign-in is not on for this account.")
}

/// Turns two-factor off, proved with a code or a recovery code.
pub async fn disable(state: &AppState, account: &Account, proof: &Proof, origin: &RequestOrigin) -> Result<(), ApiError> {
    if account.totp_enabled_at.is_none() {
        return Err(not_enabled());
    }
    check(state, account, proof, origin).await?;
    let txn = steward_persistence::begin(&state.db).await?;
    accounts::disable_totp(&txn, account.id).await?;
    recovery_codes::delete_all(&txn, account.id).await?;
    account_events::record(&txn, account.id, EventKind::TwoFactorDisabled, origin.as_origin(), None).await?;
    emails::queue_account_notice(&txn, account.id, &account.email, "Two-factor sign-in was turned off for your Steward account").await?;
    txn.commit().await.map_err(commit_error("Failed to commit turning two-factor off"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Replaces the recovery codes (the old ones stop working), proved with a code.
pub async fn regenerate_recovery_codes(state: &AppState, account: &Account, proof: &Proof, origin: &RequestOrigin) -> Result<Vec<String>, ApiError> {
    if account.totp_enabled_at.is_none() {
        return Err(not_enabled());
    }
    check(state, account, proof, origin).await?;
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let txn = steward_persistence::begin(&state.db).await?;
    recovery_codes::replace(&txn, account.id, &hashes).await?;
    account_events::record(&txn, account.id, EventKind::RecoveryCodesRegenerated, origin.as_origin(), None).await?;
    txn.commit().await.map_err(commit_error("Failed to commit new recovery codes"))?;
    Ok(codes)
}

/// After the right password of an account with two-factor: a short-lived, single-use challenge
/// that the second step presents with the code.
pub async fn challenge(state: &AppState, account: &Account) -> Result<(String, i64), ApiError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let (ttl, _) = emails::account_ttl(AccountPurpose::TwoFactorChallenge);
    account_tokens::create(&state.db, account.id, AccountPurpose::TwoFactorChallenge, &emails::token_hash(&token), &account.email, now() + ttl).await?;
    Ok((token, ttl.num_seconds()))
}

fn invalid_challenge() -> ApiError {
    ApiError::unauthorized("invalid_challenge", "This sign-in has expired or was already completed. Sign in again with your password.")
}

/// The second step of a sign-in: the challenge and a proof. The challenge is used only when the
/// proof is right (a wrong code may be retried, under the lockout).
pub async fn complete_sign_in(state: &AppState, challenge: &str, proof: &Proof, origin: &RequestOrigin) -> Result<Account, ApiError> {
    let hash = emails::token_hash(challenge);
    let pending = account_tokens::peek(&state.db, &hash, AccountPurpose::TwoFactorChallenge).await?.ok_or_else(invalid_challenge)?;
    let account = accounts::find(&state.db, pending.account_id).await?.ok_or_else(invalid_challenge)?;
    if account.totp_enabled_at.is_none() || account.email != pending.email {
        return Err(invalid_challenge());
    }
    check(state, &account, proof, origin).await?;
    account_tokens::consume(&state.db, &hash, AccountPurpose::TwoFactorChallenge).await?.ok_or_else(invalid_challenge)?;
    Ok(account)
}

/// How many recovery codes are left.
pub async fn recovery_codes_left(state: &AppState, account: &Account) -> Result<u64, ApiError> {
    Ok(recovery_codes::remaining(&state.db, account.id).await?)
}

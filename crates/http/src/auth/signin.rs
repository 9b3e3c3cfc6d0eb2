//! Password sign-in shared by console accounts and end users: the brute-force lock, the
//! constant-cost password check, and the record of every attempt.

use steward_persistence::account_events::{self, EventKind, Origin};
use steward_persistence::login_attempts::{self, NewAttempt, Outcome};
use steward_persistence::rate_counters;
use uuid::Uuid;

use crate::AppState;
use crate::problem::ApiError;

/// Who is signing in, and where.
pub struct Attempt<'a> {
    /// `None` for the console; the instance for its end users.
    pub instance_id: Option<Uuid>,
    /// The normalised email.
    pub email: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// The stored identity behind the email, if any.
pub struct Candidate<'a> {
    pub id: Uuid,
    pub password_hash: Option<&'a str>,
}

/// The lockout counter of an email in a realm (the console, or one instance).
fn lockout_key(instance_id: Option<Uuid>, email: &str) -> String {
    match instance_id {
        Some(id) => format!("signin:{id}:{email}"),
        None => console_lockout_key(email),
    }
}

/// The lockout counter of a console email.
pub fn console_lockout_key(email: &str) -> String {
    format!("signin:console:{email}")
}

/// A console account's failed or locked attempt, in its security log.
async fn log_console_failure(state: &AppState, attempt: &Attempt<'_>, account_id: Option<Uuid>, kind: EventKind) -> Result<(), ApiError> {
    if let (None, Some(id)) = (attempt.instance_id, account_id) {
        account_events::record(&state.db, id, kind, Origin { ip: attempt.ip, user_agent: attempt.user_agent }, None).await?;
    }
    Ok(())
}

/// Checks `password` for `candidate` (which may be unknown). Answers the candidate's id, or:
/// 429 `too_many_attempts` (with `Retry-After`) while the email is locked — without looking at
/// the password; 401 `invalid_credentials` for an unknown email or a wrong password, alike and in
/// the same time.
///
/// The attempt is counted *before* the password is hashed, in one atomic statement
/// ([`rate_counters::hit`]): however many attempts arrive at once, at most
/// `max_failures` passwords are checked per window. A correct password clears the count.
pub async fn check_password(state: &AppState, attempt: Attempt<'_>, candidate: Option<Candidate<'_>>, password: &str) -> Result<Uuid, ApiError> {
    let record = |id: Option<Uuid>, outcome| {
        let (account_id, end_user_id) = if attempt.instance_id.is_some() { (None, id) } else { (id, None) };
        NewAttempt { instance_id: attempt.instance_id, email: attempt.email, account_id, end_user_id, outcome, ip: attempt.ip, user_agent: attempt.user_agent }
    };
    // End users sign in under their instance's lockout (`lockout.threshold`, `lockout.window_secs`).
    let policy = match attempt.instance_id {
        Some(id) => {
            let settings = crate::routes::config::service::settings(state, id).await?;
            crate::LockoutPolicy { max_failures: settings.lockout_threshold, window_secs: settings.lockout_window_secs }
        }
        None => state.lockout,
    };
    let key = lockout_key(attempt.instance_id, attempt.email);
    let hit = rate_counters::hit(&state.db, &key, policy.window_secs).await?;
    if hit.count > i64::from(policy.max_failures) {
        let retry_after = hit.retry_after_secs();
        login_attempts::record(&state.db, record(candidate.as_ref().map(|c| c.id), Outcome::Locked)).await?;
        log_console_failure(state, &attempt, candidate.as_ref().map(|c| c.id), EventKind::SignInLocked).await?;
        return Err(ApiError::too_many("too_many_attempts", format!("Too many failed sign-in attempts. Try again in {retry_after} seconds."), retry_after));
    }
    let hash = candidate.as_ref().and_then(|c| c.password_hash);
    let ok = state.hasher.verify(password, hash).await?;
    match (ok, candidate) {
        (true, Some(c)) => {
            rate_counters::clear(&state.db, &key).await?;
            login_attempts::record(&state.db, record(Some(c.id), Outcome::Succeeded)).await?;
            Ok(c.id)
        }
        (_, c) => {
            login_attempts::record(&state.db, record(c.as_ref().map(|c| c.id), Outcome::Failed)).await?;
            log_console_failure(state, &attempt, c.map(|c| c.id), EventKind::SignInFailed).await?;
            Err(ApiError::unauthorized("invalid_credentials", "The email or password is incorrect."))
        }
    }
}

/// Checks the current password of a signed-in person before a sensitive change (email,
/// password), under the same lockout as sign-in: a stolen access token cannot be used to guess
/// the password faster than the sign-in form allows. A wrong password is a field error of
/// `current_password`; a lock is 429.
pub async fn check_current_password(state: &AppState, attempt: Attempt<'_>, candidate: Candidate<'_>, password: &str) -> Result<(), ApiError> {
    match check_password(state, attempt, Some(candidate), password).await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == "invalid_credentials" => Err(ApiError::field("current_password", "incorrect_password", "The current password is incorrect.")),
        Err(e) => Err(e),
    }
}

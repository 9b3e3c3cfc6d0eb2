//! Password sign-in shared by console accounts and end users: the brute-force lock, the
//! constant-cost password check, and the record of every attempt.

use steward_persistence::login_attempts::{self, NewAttempt, Outcome};
use steward_persistence::now;
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

/// Checks `password` for `candidate` (which may be unknown). Answers the candidate's id, or:
/// 429 `too_many_attempts` (with `Retry-After`) while the email is locked — without looking at
/// the password; 401 `invalid_credentials` for an unknown email or a wrong password, alike and in
/// the same time.
pub async fn check_password(state: &AppState, attempt: Attempt<'_>, candidate: Option<Candidate<'_>>, password: &str) -> Result<Uuid, ApiError> {
    let record = |id: Option<Uuid>, outcome| {
        let (account_id, end_user_id) = if attempt.instance_id.is_some() { (None, id) } else { (id, None) };
        NewAttempt { instance_id: attempt.instance_id, email: attempt.email, account_id, end_user_id, outcome, ip: attempt.ip, user_agent: attempt.user_agent }
    };
    let policy = state.lockout;
    let window = chrono::Duration::seconds(policy.window_secs);
    let failures = login_attempts::recent_failures(&state.db, attempt.instance_id, attempt.email, now() - window, u64::from(policy.max_failures)).await?;
    if failures.len() >= policy.max_failures as usize {
        let oldest = failures[policy.max_failures as usize - 1];
        let retry_after = (oldest + window - now()).num_seconds().max(1) as u64;
        login_attempts::record(&state.db, record(None, Outcome::Locked)).await?;
        return Err(ApiError::too_many("too_many_attempts", format!("Too many failed sign-in attempts. Try again in {retry_after} seconds."), retry_after));
    }
    let hash = candidate.as_ref().and_then(|c| c.password_hash);
    let ok = state.hasher.verify(password, hash).await?;
    match (ok, candidate) {
        (true, Some(c)) => {
            login_attempts::record(&state.db, record(Some(c.id), Outcome::Succeeded)).await?;
            Ok(c.id)
        }
        (_, c) => {
            login_attempts::record(&state.db, record(c.map(|c| c.id), Outcome::Failed)).await?;
            Err(ApiError::unauthorized("invalid_credentials", "The email or password is incorrect."))
        }
    }
}

//! Limits that protect the platform (counted in the database, so they hold across processes),
//! and their wording for people.

use actix_web::HttpRequest;
use steward_persistence::instances::Instance;
use steward_persistence::rate_counters;

use crate::AppState;
use crate::extract::client_ip;
use crate::problem::ApiError;

/// Counts a request that sends email against the limits of its realm — an instance's public API,
/// or the console (`None`) — per client IP, per recipient and for the realm as a whole, each an
/// hour's window kept in the database, whether or not the address has an account (a 429 tells
/// nothing about it). 429 with `Retry-After` past a limit.
pub async fn check_mail_limits(state: &AppState, instance: Option<&Instance>, req: &HttpRequest, recipient: &str) -> Result<(), ApiError> {
    const HOUR: i64 = 3600;
    let limits = state.mail_limits;
    let ip = client_ip(req).unwrap_or_else(|| "unknown".into());
    let realm = instance.map_or_else(|| "console".to_owned(), |i| i.id.to_string());
    let whole = if instance.is_some() { "This application has sent" } else { "The console has sent" };
    let checks = [
        (format!("mail:ip:{realm}:{ip}"), limits.per_ip, "too_many_requests_from_ip", "Too many requests from this address. Try again later.".to_owned()),
        (
            format!("mail:rcpt:{realm}:{recipient}"),
            limits.per_recipient,
            "too_many_emails_to_recipient",
            "Too many emails were asked for this address. Try again later.".to_owned(),
        ),
        (format!("mail:instance:{realm}"), limits.per_instance, "too_many_emails", format!("{whole} too many emails in the last hour. Try again later.")),
    ];
    for (key, limit, code, detail) in checks {
        let hit = rate_counters::hit(&state.db, &key, HOUR).await?;
        if hit.count > i64::from(limit) {
            tracing::warn!(realm, code, "an email-sending request was refused by a limit");
            return Err(ApiError::too_many(code, detail, hit.retry_after_secs()));
        }
    }
    Ok(())
}

/// `secs` in words ("1 second", "45 seconds", "3 minutes").
pub fn in_words(secs: u64) -> String {
    match secs {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(in_words(1), "1 second");
        assert_eq!(in_words(45), "45 seconds");
        assert_eq!(in_words(121), "3 minutes");
    }
}

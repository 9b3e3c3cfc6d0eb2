//! The retention job: what the platform keeps only for a while is deleted once it is old, so no
//! table grows forever (emails sent, skipped or failed; the capture mailbox; sign-in attempts;
//! ended sessions; used or expired one-time links; revocations of tokens that have expired; finished webhook deliveries; counters of past windows; instances' audit
//! log entries, after `STEWARD_AUDIT_RETENTION_DAYS`; authorization requests of the hosted sign-in
//! page an hour after they expired; guests whose lifetime has ended and that never became an account;
//! per-minute and per-hour usage rollups past their retention — compaction, as the coarser rollups
//! hold the same counts — and rollups of deleted instances; cache events after an hour).
//!
//! It runs in every process. Each pass is a few idempotent `DELETE`s by age (emails in batches),
//! so two processes running it at once only share the work.

use std::time::Duration;

use steward_domain::usage::Resolution;
use steward_persistence::{
    Database, account_events, account_tokens, audit, authorization_requests, end_users, login_attempts, mailbox, now, outbox, rate_counters, revoked_tokens,
    sessions, usage, user_tokens, webhooks,
};
use tokio::sync::watch;

/// How long each kind of record is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub days: u32,
    pub login_attempts_days: u32,
    pub mailbox_days: u32,
    pub audit_days: u32,
    /// Per-minute and per-hour usage rollups (the coarser ones keep their counts).
    pub usage_minute_days: u32,
    pub usage_hour_days: u32,
    pub interval: Duration,
}

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub emails: u64,
    pub mailbox: u64,
    pub login_attempts: u64,
    pub sessions: u64,
    pub tokens: u64,
    pub counters: u64,
    pub audit_entries: u64,
    pub webhook_deliveries: u64,
    pub guests: u64,
    pub usage_rollups: u64,
}

fn days_ago(days: u32) -> chrono::DateTime<chrono::FixedOffset> {
    now() - chrono::Duration::days(i64::from(days))
}

/// Deletes everything past its retention, once.
pub async fn run_once(db: &Database, r: &Retention) -> anyhow::Result<Deleted> {
    let mut deleted = Deleted::default();
    loop {
        let n = outbox::delete_finished_before(db, days_ago(r.days), 1000).await?;
        deleted.emails += n;
        if n < 1000 {
            break;
        }
    }
    deleted.mailbox = mailbox::delete_older_than(db, days_ago(r.mailbox_days)).await?;
    deleted.login_attempts = login_attempts::delete_older_than(db, days_ago(r.login_attempts_days)).await?;
    // An account's security log is kept as long as its sign-in attempts.
    deleted.login_attempts += account_events::delete_older_than(db, days_ago(r.login_attempts_days)).await?;
    deleted.sessions = sessions::delete_ended_before(db, days_ago(r.days)).await?;
    deleted.tokens = user_tokens::delete_expired_before(db, days_ago(r.days)).await?;
    deleted.tokens += account_tokens::delete_expired_before(db, days_ago(r.days)).await?;
    // A revocation matters only while the token could still be presented.
    deleted.tokens += revoked_tokens::delete_expired_before(db, now()).await?;
    // A window lasts at most a day (the sign-in lockout's is 15 minutes, email limits' an hour).
    deleted.counters = rate_counters::delete_older_than(db, days_ago(1)).await?;
    deleted.audit_entries = audit::delete_before(db, days_ago(r.audit_days)).await?;
    deleted.webhook_deliveries = webhooks::delete_finished_before(db, days_ago(r.days)).await?;
    // Useless once expired; an hour's margin keeps a replayed code recognisable a while.
    deleted.tokens += authorization_requests::delete_expired_before(db, now() - chrono::Duration::hours(1)).await?;
    deleted.guests = delete_expired_guests(db).await?;
    // Compaction: the hourly and daily rollups were written with the per-minute ones.
    let secs_ago = |days: u32| days_ago(days).timestamp();
    deleted.usage_rollups = usage::delete_rollups_before(db, Resolution::Minute, secs_ago(r.usage_minute_days)).await?;
    deleted.usage_rollups += usage::delete_rollups_before(db, Resolution::Hour, secs_ago(r.usage_hour_days)).await?;
    deleted.usage_rollups += usage::delete_orphan_rollups(db).await?;
    usage::delete_cache_events_before(db, now() - chrono::Duration::hours(1)).await?;
    usage::delete_flushes_before(db, days_ago(1)).await?;
    usage::delete_quota_before(db, secs_ago(400)).await?;
    Ok(deleted)
}

/// Deletes guests past their instance's guest lifetime (the default for instances that set
/// none), in batches.
async fn delete_expired_guests(db: &Database) -> anyhow::Result<u64> {
    let custom: Vec<(uuid::Uuid, i64)> =
        steward_persistence::config::values_of(db, "guest.session_lifetime_secs").await?.into_iter().filter_map(|(i, v)| v.as_i64().map(|s| (i, s))).collect();
    let mut deleted = 0;
    let default_before = now() - chrono::Duration::seconds(steward_domain::identity_provider::DEFAULT_GUEST_LIFETIME_SECS);
    let except: Vec<uuid::Uuid> = custom.iter().map(|(i, _)| *i).collect();
    let mut passes: Vec<(Option<uuid::Uuid>, chrono::DateTime<chrono::FixedOffset>)> = vec![(None, default_before)];
    passes.extend(custom.iter().map(|(i, secs)| (Some(*i), now() - chrono::Duration::seconds(*secs))));
    for (instance, before) in passes {
        let except = if instance.is_none() { except.as_slice() } else { &[] };
        loop {
            let n = end_users::delete_guests_before(db, instance, except, before, 1000).await?;
            deleted += n;
            if n < 1000 {
                break;
            }
        }
    }
    Ok(deleted)
}

/// Runs a pass at every interval until stopped.
pub async fn run(db: Database, r: Retention, mut stop: watch::Receiver<bool>) {
    loop {
        match run_once(&db, &r).await {
            Ok(d) if d != Deleted::default() => tracing::info!(?d, "retention: old records deleted"),
            Ok(_) => {}
            Err(e) => tracing::error!(error.cause_chain = ?e, "the retention job failed; it runs again at the next interval"),
        }
        tokio::select! {
            _ = tokio::time::sleep(r.interval) => {}
            _ = stop.changed() => return,
        }
    }
}

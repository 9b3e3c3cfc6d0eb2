//! The hard limit of a plan: once an instance's included calls of the period are used, its
//! public API answers 429 (`quota_exceeded`, `Retry-After` at the period's end).
//!
//! Counted exactly across processes without a database write per call: each process takes
//! *leases* of calls from the period's row in `usage_quota` with one conditional update that
//! never grants past the quota, and spends them in memory. Leases shrink as the quota nears its
//! end (a sixteenth of what is left, down to one call), so no process sits on calls another
//! needs; a process that stops gives back what it did not spend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use steward_domain::usage::{PlanLimit, period_of};
use steward_persistence::{Database, StoreResult, usage};
use uuid::Uuid;

use crate::cache::CachedInstance;
use crate::problem::ApiError;

#[derive(Default)]
struct Lease {
    period_start: i64,
    plan_key: String,
    /// Calls leased and not yet spent.
    left: i64,
    /// How many to ask for next.
    want: i64,
    /// The quota's row was seeded by this process for this period.
    seeded: bool,
    /// The quota was used up (until the period or the plan changes).
    exhausted: bool,
}

/// A process's lease of an application's calls in one minute (`public_api.rate_limit_per_minute`).
#[derive(Default)]
struct RateLease {
    minute: i64,
    left: i64,
    exhausted: bool,
}

#[derive(Default)]
pub struct Quota {
    leases: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<Lease>>>>,
    rates: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<RateLease>>>>,
}

impl Quota {
    /// `None` when the call may go on; the refusal to answer with otherwise.
    pub async fn admit(&self, db: &Database, instance: &CachedInstance) -> StoreResult<Option<ApiError>> {
        if instance.plan.limit != PlanLimit::Hard {
            return Ok(None);
        }
        let id = instance.instance.id;
        let lease = {
            let Ok(mut map) = self.leases.lock() else { return Ok(None) };
            map.entry(id).or_default().clone()
        };
        let mut lease = lease.lock().await;
        let now = Utc::now();
        let (start, end) = period_of(now, instance.tz);
        let period_start = start.timestamp();
        if lease.period_start != period_start || lease.plan_key != instance.plan.key {
            *lease = Lease { period_start, plan_key: instance.plan.key.clone(), want: 1, ..Lease::default() };
        }
        if lease.left > 0 {
            lease.left -= 1;
            return Ok(None);
        }
        if !lease.exhausted {
            let used = if lease.seeded { 0 } else { usage::billable_calls(db, id, period_start, end.timestamp()).await? };
            let granted = usage::grant_quota(db, id, period_start, instance.plan.included_calls, lease.want, used).await?;
            lease.seeded = true;
            if granted > 0 {
                // Ask for more next time while plenty is left; the update caps every grant.
                lease.want = if granted < lease.want { 1 } else { (lease.want * 4).min(instance.plan.included_calls / 16).clamp(1, 1000) };
                lease.left = granted - 1;
                return Ok(None);
            }
            lease.exhausted = true;
        }
        let retry = (end - now).num_seconds().max(1) as u64;
        Ok(Some(ApiError::too_many(
            "quota_exceeded",
            format!(
                "This instance has used the {} API calls its {} plan includes this period. Calls are refused until {} or until the plan changes.",
                instance.plan.included_calls,
                instance.plan.name,
                end.to_rfc3339()
            ),
            retry,
        )))
    }

    /// Admits a call of application `app_id` under its instance's limit per minute: `None` when
    /// it may go on, else 429 `rate_limited` with `Retry-After` at the minute's end. Exact across
    /// processes in the same way as the quota (leases of a sixteenth of the limit, at most 100,
    /// taken from a counter per application and minute); a lease unspent at the minute's end
    /// is lost, so a limit is never exceeded, only — under many processes — approached.
    pub async fn admit_app(&self, db: &Database, app_id: Uuid, limit: u32) -> StoreResult<Option<ApiError>> {
        let lease = {
            let Ok(mut map) = self.rates.lock() else { return Ok(None) };
            if map.len() > 50_000 {
                map.clear();
            }
            map.entry(app_id).or_default().clone()
        };
        let mut lease = lease.lock().await;
        let now = Utc::now().timestamp();
        let minute = now.div_euclid(60) * 60;
        if lease.minute != minute {
            *lease = RateLease { minute, ..RateLease::default() };
        }
        if lease.left == 0 && !lease.exhausted {
            let want = (i64::from(limit) / 16).clamp(1, 100);
            let granted = steward_persistence::rate_counters::take(db, &format!("api-rate:{app_id}:{minute}"), want, i64::from(limit)).await?;
            lease.left = granted;
            lease.exhausted = granted == 0;
        }
        if lease.left > 0 {
            lease.left -= 1;
            return Ok(None);
        }
        let retry = (minute + 60 - now).max(1) as u64;
        Ok(Some(ApiError::too_many(
            "rate_limited",
            format!("This application may make {limit} calls a minute to this instance's API (public_api.rate_limit_per_minute). Retry in {retry} seconds."),
            retry,
        )))
    }

    /// Gives back every lease not spent (a process stopping).
    pub async fn release(&self, db: &Database) {
        let leases: Vec<(Uuid, Arc<tokio::sync::Mutex<Lease>>)> = match self.leases.lock() {
            Ok(map) => map.iter().map(|(k, v)| (*k, v.clone())).collect(),
            Err(_) => return,
        };
        for (id, lease) in leases {
            let mut lease = lease.lock().await;
            if lease.left > 0 {
                if let Err(e) = usage::return_quota(db, id, lease.period_start, lease.left).await {
                    tracing::warn!(error = %e, "an unspent quota lease could not be given back");
                }
                lease.left = 0;
            }
        }
    }

    /// Forgets an instance's lease state (its plan changed).
    pub fn forget(&self, instance_id: Uuid) {
        if let Ok(mut map) = self.leases.lock() {
            map.remove(&instance_id);
        }
    }
}

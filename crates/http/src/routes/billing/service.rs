//! Usage & billing: the instance's plan and its changes, this period's usage against the quota,
//! the bill so far and projected, alerts at 80% and 100%, and the invoices of closed periods.
//!
//! The two background jobs ([`check_alerts`], [`close_periods`]) run in every process: each
//! alert and invoice is a row with a unique natural key inserted with `ON CONFLICT DO NOTHING`,
//! and only the process whose insert took effect goes on (queueing the alert's emails in the
//! same transaction) — run twice, or in two processes at once, they do the work once.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde_json::json;
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::usage::{self as rules, Catalogue, Plan, PlanLimit, PlanSpan, period_of};
use steward_persistence::billing::{self, Invoice, PlanChange};
use steward_persistence::instances::{self, Instance};
use steward_persistence::{begin, usage};
use uuid::Uuid;

use super::dto::{Bill, BillingOverview, InvoiceLine, Period, PlanChangeDto, PlanDto, UsageAlert, UsageMetric};
use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

/// How long after a period's end its invoice waits (every process's last counts are flushed).
const CLOSE_GRACE: Duration = Duration::minutes(2);

fn tz_of(instance: &Instance) -> Tz {
    instance.time_zone.parse().unwrap_or(Tz::UTC)
}

/// The plans in force through time: the default from the instance's creation, then each change.
fn spans<'a>(catalogue: &'a Catalogue, instance: &Instance, changes: &[PlanChange]) -> Vec<PlanSpan<'a>> {
    let mut spans = vec![PlanSpan { plan: catalogue.default_plan(), from: instance.created_at.with_timezone(&Utc) }];
    spans.extend(changes.iter().map(|c| PlanSpan { plan: catalogue.resolve(Some(&c.plan_key)), from: c.effective_at.with_timezone(&Utc) }));
    spans
}

fn bill_dto(b: &rules::Bill) -> Bill {
    Bill { currency: b.currency.clone(), total_minor: b.total_minor, lines: b.lines.iter().map(InvoiceLine::from).collect() }
}

fn percent(used: i64, included: i64) -> i64 {
    if included <= 0 { if used > 0 { 100 } else { 0 } } else { used.saturating_mul(100) / included }
}

/// The instance's plan now.
pub fn current_plan<'a>(catalogue: &'a Catalogue, changes: &[PlanChange]) -> &'a Plan {
    catalogue.resolve(changes.last().map(|c| c.plan_key.as_str()))
}

/// The plan, this period's usage and bill.
pub async fn overview(state: &AppState, instance: &Instance) -> Result<BillingOverview, ApiError> {
    let catalogue = state.cache.catalogue();
    let tz = tz_of(instance);
    let now = Utc::now();
    let (start, end) = period_of(now, tz);
    let changes = billing::plan_changes(&state.db, instance.id).await?;
    let plan = current_plan(catalogue, &changes);
    let calls = usage::billable_calls(&state.db, instance.id, start.timestamp(), end.timestamp()).await?;
    let users = usage::users_before(&state.db, instance.id, now + Duration::seconds(1)).await?;
    let spans = spans(catalogue, instance, &changes);
    let to_date = rules::bill(&spans, start, end, tz, calls);
    // The pace so far (at least an hour of it, so a period's first minutes don't extrapolate wildly).
    let elapsed = (now - start).num_seconds().max(3600);
    let projected_calls = rules::mul_div_round(calls, (end - start).num_seconds(), elapsed);
    let projected = rules::bill(&spans, start, end, tz, projected_calls.max(calls));
    let alerts = billing::alerts(&state.db, instance.id, start.timestamp())
        .await?
        .into_iter()
        .map(|a| UsageAlert { metric: if a.metric == "users" { UsageMetric::Users } else { UsageMetric::Calls }, threshold: a.threshold, at: a.at })
        .collect();
    let plan_changes = changes
        .iter()
        .rev()
        .map(|c| PlanChangeDto {
            plan_key: c.plan_key.clone(),
            plan_name: catalogue.get(&c.plan_key).map_or_else(|| c.plan_key.clone(), |p| p.name.clone()),
            effective_at: c.effective_at,
            changed_by: c.changed_by.clone(),
        })
        .collect();
    Ok(BillingOverview {
        plan: PlanDto::from(plan),
        period: Period { start, end },
        calls,
        users,
        calls_percent: percent(calls, plan.included_calls),
        users_percent: percent(users, plan.included_users),
        limit_reached: plan.limit == PlanLimit::Hard && calls >= plan.included_calls,
        alerts,
        to_date: bill_dto(&to_date),
        projected: bill_dto(&projected),
        plan_changes,
    })
}

/// Switches the instance to plan `key` from now (audited; every process's caches and quota
/// leases follow).
pub async fn change_plan(state: &AppState, instance: &Instance, actor: &Actor, by: Option<Uuid>, key: &str) -> Result<BillingOverview, ApiError> {
    let catalogue = state.cache.catalogue();
    let Some(plan) = catalogue.get(key.trim()) else {
        let known: Vec<&str> = catalogue.plans().iter().map(|p| p.key.as_str()).collect();
        return Err(
            ApiError::field("plan", "unknown_plan", format!("No plan is called {key:?}; the plans are {}.", known.join(", "))).with_code("unknown_plan")
        );
    };
    let changes = billing::plan_changes(&state.db, instance.id).await?;
    let current = current_plan(catalogue, &changes);
    if current.key != plan.key {
        let txn = begin(&state.db).await?;
        billing::change_plan(&txn, instance.id, &plan.key, by).await?;
        audit::record(
            &txn,
            instance.id,
            actor,
            AuditAction::PlanChange,
            Target::singleton(TargetKind::Plan, plan.name.clone()),
            &json!({"plan": current.key}),
            &json!({"plan": plan.key}),
        )
        .await?;
        usage::record_cache_event(&txn, instance.id, None).await?;
        txn.commit().await.map_err(|e| ApiError::internal(anyhow::Error::new(e).context("Failed to commit a plan change")))?;
        state.cache.apply(instance.id, None);
        state.quota.forget(instance.id);
    }
    overview(state, instance).await
}

/// Records the alerts usage has reached this period and queues their emails to the owners.
/// Returns how many alerts were recorded.
pub async fn check_alerts(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let catalogue = state.cache.catalogue();
    let plans: std::collections::HashMap<Uuid, String> = billing::current_plans(&state.db).await?.into_iter().collect();
    let instances = instances::all(&state.db).await?;
    let mut recorded = 0;
    for instance in instances {
        let plan = catalogue.resolve(plans.get(&instance.id).map(String::as_str));
        let tz = tz_of(&instance);
        let (start, end) = period_of(now, tz);
        let calls = usage::billable_calls(&state.db, instance.id, start.timestamp(), end.timestamp()).await?;
        let users = usage::users_before(&state.db, instance.id, now).await?;
        for (metric, used, included) in [("calls", calls, plan.included_calls), ("users", users, plan.included_users)] {
            for threshold in [80i16, 100] {
                if included <= 0 || used.saturating_mul(100) < included.saturating_mul(i64::from(threshold)) {
                    continue;
                }
                let txn = begin(&state.db).await?;
                if !billing::record_alert(&txn, instance.id, start.timestamp(), metric, threshold).await? {
                    continue;
                }
                let what = if metric == "calls" { "API calls" } else { "end users" };
                let consequence = match (metric, threshold, plan.limit) {
                    ("calls", 100, PlanLimit::Hard) => " Its public API now answers 429 until the period ends or the plan changes.",
                    ("calls", 100, PlanLimit::Soft) => " Further calls are billed as overage.",
                    _ => "",
                };
                let change = format!(
                    "Instance {} ({}) has used {threshold}% of the {what} its {} plan includes this month: {used} of {included}.{consequence}",
                    instance.name, instance.slug, plan.name
                );
                for (account_id, email) in billing::owners(&txn, instance.id).await? {
                    crate::emails::queue_usage_alert(&txn, account_id, &email, instance.id, &change).await?;
                }
                txn.commit().await?;
                state.mail_wakeup.notify_one();
                recorded += 1;
            }
        }
    }
    Ok(recorded)
}

/// The invoice of one closed period.
async fn invoice_of(state: &AppState, instance: &Instance, start: DateTime<Utc>, end: DateTime<Utc>) -> anyhow::Result<Invoice> {
    let catalogue = state.cache.catalogue();
    let tz = tz_of(instance);
    let changes = billing::plan_changes(&state.db, instance.id).await?;
    let spans = spans(catalogue, instance, &changes);
    let calls = usage::billable_calls(&state.db, instance.id, start.timestamp(), end.timestamp()).await?;
    let users = usage::users_before(&state.db, instance.id, end).await?;
    let bill = rules::bill(&spans, start, end, tz, calls);
    let plan = spans.iter().rev().find(|s| s.from < end).map_or_else(|| catalogue.default_plan(), |s| s.plan);
    let local = start.with_timezone(&tz);
    Ok(Invoice {
        id: Uuid::now_v7(),
        instance_id: instance.id,
        number: format!("{}-{}", instance.slug.to_uppercase(), local.format("%Y%m")),
        period_start: start.fixed_offset(),
        period_end: end.fixed_offset(),
        plan_key: plan.key.clone(),
        currency: bill.currency.clone(),
        calls,
        users,
        lines: bill.lines,
        total_minor: bill.total_minor,
        issued_at: steward_persistence::now(),
    })
}

/// Invoices every period that ended (a grace after its end) and has none yet, from the
/// instance's first period; at most 24 per instance and pass. Returns how many were written.
pub async fn close_periods(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let instances = instances::all(&state.db).await?;
    let mut written = 0;
    for instance in instances {
        let tz = tz_of(&instance);
        let mut start = match billing::last_invoiced(&state.db, instance.id).await? {
            Some(last) => period_of(last.with_timezone(&Utc), tz).1,
            None => period_of(instance.created_at.with_timezone(&Utc), tz).0,
        };
        for _ in 0..24 {
            let (_, end) = period_of(start, tz);
            if end + CLOSE_GRACE > now {
                break;
            }
            let invoice = invoice_of(state, &instance, start, end).await?;
            if billing::insert_invoice(&state.db, &invoice).await? {
                written += 1;
            }
            start = end;
        }
    }
    Ok(written)
}

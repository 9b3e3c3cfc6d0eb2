//! Shapes of the Usage & billing routes.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::usage::{BillLine, Plan, PlanLimit};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::analytics::dto::{GranularityDto, WindowDto};

/// Billable calls and registrations of one point.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsagePoint {
    pub start: DateTime<Utc>,
    pub label: String,
    /// Calls the bill counts (not those refused by the quota).
    pub calls: i64,
    pub registrations: i64,
}

/// API calls and user registrations through a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageReport {
    pub window: WindowDto,
    pub granularity: GranularityDto,
    pub total_calls: i64,
    pub total_registrations: i64,
    pub points: Vec<UsagePoint>,
}

/// What happens when a plan's included calls are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanLimitDto {
    /// The public API answers 429 until the period ends or the plan changes.
    Hard,
    /// Calls go on and are billed as overage.
    Soft,
}

/// A plan of the operator's catalogue. Money in minor units (cents) of `currency`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    pub key: String,
    pub name: String,
    pub currency: String,
    pub monthly_price_minor: i64,
    pub included_calls: i64,
    pub included_users: i64,
    pub overage_per_1000_calls_minor: i64,
    pub limit: PlanLimitDto,
}

impl From<&Plan> for PlanDto {
    fn from(p: &Plan) -> Self {
        Self {
            key: p.key.clone(),
            name: p.name.clone(),
            currency: p.currency.clone(),
            monthly_price_minor: p.monthly_price_minor,
            included_calls: p.included_calls,
            included_users: p.included_users,
            overage_per_1000_calls_minor: p.overage_per_1000_calls_minor,
            limit: match p.limit {
                PlanLimit::Hard => PlanLimitDto::Hard,
                PlanLimit::Soft => PlanLimitDto::Soft,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    pub items: Vec<PlanDto>,
}

/// A billing period: a calendar month in the instance's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsageMetric {
    Calls,
    Users,
}

/// Usage passed a share of the plan's quota (sent once per metric, threshold and period).
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageAlert {
    pub metric: UsageMetric,
    /// 80 or 100 (percent).
    pub threshold: i16,
    pub at: DateTime<FixedOffset>,
}

/// One line of a bill or invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    /// `days` or `calls`.
    pub unit: String,
    pub amount_minor: i64,
}

impl From<&BillLine> for InvoiceLine {
    fn from(l: &BillLine) -> Self {
        Self { description: l.description.clone(), quantity: l.quantity, unit: l.unit.clone(), amount_minor: l.amount_minor }
    }
}

/// A bill's lines and total.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bill {
    pub currency: String,
    pub total_minor: i64,
    pub lines: Vec<InvoiceLine>,
}

/// A change of plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanChangeDto {
    pub plan_key: String,
    pub plan_name: String,
    pub effective_at: DateTime<FixedOffset>,
    /// Who changed it (the console account's email), when known.
    pub changed_by: Option<String>,
}

/// The instance's plan, this period's usage against it, and its bill.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingOverview {
    pub plan: PlanDto,
    pub period: Period,
    /// Billable calls this period.
    pub calls: i64,
    /// End users now.
    pub users: i64,
    /// `calls` as a percentage of the plan's included calls (may pass 100).
    pub calls_percent: i64,
    pub users_percent: i64,
    /// The plan's hard limit is reached: the public API answers 429 `quota_exceeded`.
    pub limit_reached: bool,
    /// This period's alerts.
    pub alerts: Vec<UsageAlert>,
    /// The period's bill with the calls made so far.
    pub to_date: Bill,
    /// The period's bill if calls go on at this period's pace.
    pub projected: Bill,
    /// Plan changes, newest first.
    pub plan_changes: Vec<PlanChangeDto>,
}

/// Switch the instance to another plan of the catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePlan {
    /// A plan key from `GET /api/v1/billing/plans`.
    pub plan: String,
}

/// A closed period's invoice. Money in minor units of `currency`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDto {
    pub id: Uuid,
    pub number: String,
    pub period_start: DateTime<FixedOffset>,
    pub period_end: DateTime<FixedOffset>,
    pub issued_at: DateTime<FixedOffset>,
    /// The plan in force at the period's end.
    pub plan_key: String,
    pub currency: String,
    pub calls: i64,
    pub users: i64,
    pub lines: Vec<InvoiceLine>,
    pub total_minor: i64,
}

impl From<&steward_persistence::billing::Invoice> for InvoiceDto {
    fn from(i: &steward_persistence::billing::Invoice) -> Self {
        Self {
            id: i.id,
            number: i.number.clone(),
            period_start: i.period_start,
            period_end: i.period_end,
            issued_at: i.issued_at,
            plan_key: i.plan_key.clone(),
            currency: i.currency.clone(),
            calls: i.calls,
            users: i.users,
            lines: i.lines.iter().map(InvoiceLine::from).collect(),
            total_minor: i.total_minor,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<InvoiceDto>,
    pub next_cursor: Option<String>,
}

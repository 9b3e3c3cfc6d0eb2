//! Billing: each instance's plan changes, the usage alerts sent, and closed periods' invoices.
//!
//! Alerts and invoices are inserted with `ON CONFLICT DO NOTHING` on their natural key (instance,
//! period, ...): whichever process gets there first writes the row, and only it goes on to queue
//! what follows (the alert's emails) in the same transaction — nothing is done twice.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, Statement, Value};
use steward_domain::usage::BillLine;
use uuid::Uuid;

use crate::usage::ph;
use crate::{Cursor, Page, StoreResult, now};

/// A plan change of an instance.
#[derive(Debug, Clone)]
pub struct PlanChange {
    pub plan_key: String,
    pub effective_at: DateTime<FixedOffset>,
    /// The console account's email, when it still exists.
    pub changed_by: Option<String>,
}

/// The plan changes of an instance, oldest first.
pub async fn plan_changes(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<PlanChange>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT p.plan_key, p.effective_at, a.email FROM instance_plans p LEFT JOIN accounts a ON a.id = p.changed_by \
         WHERE p.instance_id = {} ORDER BY p.effective_at, p.id",
        ph(backend, 1)
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to read plan changes")?;
    rows.iter()
        .map(|r| {
            Ok(PlanChange {
                plan_key: r.try_get::<String>("", "plan_key").context("plan_key")?,
                effective_at: r.try_get::<DateTime<FixedOffset>>("", "effective_at").context("effective_at")?,
                changed_by: r.try_get::<Option<String>>("", "email").context("email")?,
            })
        })
        .collect()
}

/// Records that `instance_id` is on `plan_key` from now.
pub async fn change_plan(db: &impl ConnectionTrait, instance_id: Uuid, plan_key: &str, by: Option<Uuid>) -> StoreResult<DateTime<FixedOffset>> {
    let backend = db.get_database_backend();
    let at = now();
    let sql = format!(
        "INSERT INTO instance_plans (id, instance_id, plan_key, effective_at, changed_by) VALUES ({}, {}, {}, {}, {})",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
        ph(backend, 5)
    );
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [Uuid::now_v7().into(), instance_id.into(), plan_key.into(), at.into(), by.into()]))
        .await
        .context("Failed to change the plan")?;
    Ok(at)
}

/// The current plan of every instance that ever changed it: `(instance, plan_key)`.
pub async fn current_plans(db: &impl ConnectionTrait) -> StoreResult<Vec<(Uuid, String)>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT p.instance_id, p.plan_key FROM instance_plans p WHERE NOT EXISTS \
             (SELECT 1 FROM instance_plans q WHERE q.instance_id = p.instance_id AND (q.effective_at > p.effective_at OR (q.effective_at = p.effective_at AND q.id > p.id)))",
        ))
        .await
        .context("Failed to read the instances' plans")?;
    rows.iter().map(|r| Ok((r.try_get::<Uuid>("", "instance_id").context("instance_id")?, r.try_get::<String>("", "plan_key").context("plan_key")?))).collect()
}

/// Records an alert (`metric` at `threshold`% in the period starting at `period_start`, unix
/// seconds). `false` when it was recorded already (by this or another process).
pub async fn record_alert(db: &impl ConnectionTrait, instance_id: Uuid, period_start: i64, metric: &str, threshold: i16) -> StoreResult<bool> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO usage_alerts (instance_id, period_start, metric, threshold, created_at) VALUES ({}, {}, {}, {}, {}) \
         ON CONFLICT (instance_id, period_start, metric, threshold) DO NOTHING",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
        ph(backend, 5)
    );
    let r = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), period_start.into(), metric.into(), threshold.into(), now().into()]))
        .await
        .context("Failed to record a usage alert")?;
    Ok(r.rows_affected() == 1)
}

/// An alert recorded for a period.
#[derive(Debug, Clone)]
pub struct Alert {
    pub metric: String,
    pub threshold: i16,
    pub at: DateTime<FixedOffset>,
}

/// The alerts of an instance's period.
pub async fn alerts(db: &impl ConnectionTrait, instance_id: Uuid, period_start: i64) -> StoreResult<Vec<Alert>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT metric, threshold, created_at FROM usage_alerts WHERE instance_id = {} AND period_start = {} ORDER BY created_at, metric, threshold",
        ph(backend, 1),
        ph(backend, 2)
    );
    let rows =
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), period_start.into()])).await.context("Failed to read alerts")?;
    rows.iter()
        .map(|r| {
            Ok(Alert {
                metric: r.try_get::<String>("", "metric").context("metric")?,
                threshold: r.try_get::<i16>("", "threshold").context("threshold")?,
                at: r.try_get::<DateTime<FixedOffset>>("", "created_at").context("created_at")?,
            })
        })
        .collect()
}

/// The owners of an instance: `(account id, email)`.
pub async fn owners(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<(Uuid, String)>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT a.id, a.email FROM instance_members m JOIN accounts a ON a.id = m.account_id WHERE m.instance_id = {} AND m.role = 'owner' ORDER BY a.email",
        ph(backend, 1)
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to read owners")?;
    rows.iter().map(|r| Ok((r.try_get::<Uuid>("", "id").context("id")?, r.try_get::<String>("", "email").context("email")?))).collect()
}

/// A closed period's invoice.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: Uuid,
    pub instance_id: Uuid,
    pub number: String,
    pub period_start: DateTime<FixedOffset>,
    pub period_end: DateTime<FixedOffset>,
    pub plan_key: String,
    pub currency: String,
    pub calls: i64,
    pub users: i64,
    pub lines: Vec<BillLine>,
    pub total_minor: i64,
    pub issued_at: DateTime<FixedOffset>,
}

/// Inserts an invoice unless its period has one. `true` when this call wrote it.
pub async fn insert_invoice(db: &impl ConnectionTrait, inv: &Invoice) -> StoreResult<bool> {
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (1..=12).map(|n| ph(backend, n)).collect();
    let sql = format!(
        "INSERT INTO invoices (id, instance_id, number, period_start, period_end, plan_key, currency, calls, users, lines, total_minor, issued_at) \
         VALUES ({}) ON CONFLICT (instance_id, period_start) DO NOTHING",
        placeholders.join(", ")
    );
    let lines = serde_json::to_value(&inv.lines).context("Failed to encode invoice lines")?;
    let values: Vec<Value> = vec![
        inv.id.into(),
        inv.instance_id.into(),
        inv.number.clone().into(),
        inv.period_start.into(),
        inv.period_end.into(),
        inv.plan_key.clone().into(),
        inv.currency.clone().into(),
        inv.calls.into(),
        inv.users.into(),
        lines.into(),
        inv.total_minor.into(),
        inv.issued_at.into(),
    ];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to store an invoice")?;
    Ok(r.rows_affected() == 1)
}

const INVOICE_COLS: &str = "id, instance_id, number, period_start, period_end, plan_key, currency, calls, users, lines, total_minor, issued_at";

fn read_invoice(r: &sea_orm::QueryResult) -> StoreResult<Invoice> {
    let lines: serde_json::Value = r.try_get("", "lines").context("lines")?;
    Ok(Invoice {
        id: r.try_get("", "id").context("id")?,
        instance_id: r.try_get("", "instance_id").context("instance_id")?,
        number: r.try_get("", "number").context("number")?,
        period_start: r.try_get("", "period_start").context("period_start")?,
        period_end: r.try_get("", "period_end").context("period_end")?,
        plan_key: r.try_get("", "plan_key").context("plan_key")?,
        currency: r.try_get("", "currency").context("currency")?,
        calls: r.try_get("", "calls").context("calls")?,
        users: r.try_get("", "users").context("users")?,
        lines: serde_json::from_value(lines).context("Failed to read invoice lines")?,
        total_minor: r.try_get("", "total_minor").context("total_minor")?,
        issued_at: r.try_get("", "issued_at").context("issued_at")?,
    })
}

/// An instance's invoices, newest period first.
pub async fn invoices(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Invoice>> {
    let backend = db.get_database_backend();
    let after = match after {
        Some(c) => Some(Cursor::decode(c).and_then(|k| DateTime::parse_from_rfc3339(&k).ok()).ok_or(crate::StoreError::InvalidCursor)?),
        None => None,
    };
    let mut sql = format!("SELECT {INVOICE_COLS} FROM invoices WHERE instance_id = {}", ph(backend, 1));
    let mut values: Vec<Value> = vec![instance_id.into()];
    if let Some(a) = after {
        sql.push_str(&format!(" AND period_start < {}", ph(backend, 2)));
        values.push(a.into());
    }
    sql.push_str(&format!(" ORDER BY period_start DESC LIMIT {}", limit + 1));
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await.context("Failed to list invoices")?;
    let items = rows.iter().map(read_invoice).collect::<StoreResult<Vec<_>>>()?;
    let total = items.len() as u64;
    Ok(Page::from_overfetch(items, limit, total, |i| i.period_start.to_rfc3339()))
}

/// One invoice of an instance.
pub async fn invoice(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<Invoice>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT {INVOICE_COLS} FROM invoices WHERE instance_id = {} AND id = {}", ph(backend, 1), ph(backend, 2));
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into(), id.into()])).await.context("Failed to read an invoice")?;
    row.as_ref().map(read_invoice).transpose()
}

/// The start of the newest invoiced period of an instance.
pub async fn last_invoiced(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<DateTime<FixedOffset>>> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT MAX(period_start) AS p FROM invoices WHERE instance_id = {}", ph(backend, 1));
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [instance_id.into()])).await.context("Failed to read invoices")?;
    Ok(match row {
        Some(r) => r.try_get::<Option<DateTime<FixedOffset>>>("", "p").context("p")?,
        None => None,
    })
}

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use chrono::Utc;
use chrono_tz::Tz;
use steward_persistence::billing;
use uuid::Uuid;

use super::dto::{BillingOverview, ChangePlan, InvoiceDto, InvoiceList, PlanDto, PlanList, UsagePoint, UsageReport};
use super::service;
use crate::AppState;
use crate::access::{Caller, Member, Own, Read, Usage};
use crate::auth::Authenticated;
use crate::extract::{ApiJson, ApiQuery, Deferred, PageQuery};
use crate::problem::ApiError;
use crate::routes::analytics::dto::{GranularityDto, WindowQuery};
use crate::routes::analytics::service as analytics;
use crate::routes::users::csv::{cell, csv_bytes};

/// API calls (billable) and user registrations through a window, in the instance's time zone
/// (viewer and up).
#[utoipa::path(
    operation_id = "get_usage",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, WindowQuery),
    responses(
        (status = 200, body = UsageReport),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/usage")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_usage(state: web::Data<AppState>, member: Member<Read<Usage>>, query: Deferred<ApiQuery<WindowQuery>>) -> Result<HttpResponse, ApiError> {
    // The caller is identified before the query is looked at.
    let query = query.get()?;
    let instance = &member.membership.instance;
    let w = analytics::window(instance, query.frame, query.from.as_deref(), query.to.as_deref())?;
    let g = analytics::granularity(&w, query.granularity);
    let (edges, calls, regs) = analytics::usage_points(&state.db, instance, &w, g).await?;
    let points: Vec<UsagePoint> =
        (0..calls.len()).map(|i| UsagePoint { start: edges[i], label: w.label(edges[i], g), calls: calls[i], registrations: regs[i] }).collect();
    Ok(HttpResponse::Ok().json(UsageReport {
        window: analytics::window_dto(&w),
        granularity: GranularityDto::of(g),
        total_calls: calls.iter().sum(),
        total_registrations: regs.iter().sum(),
        points,
    }))
}

/// The billing plans instances can be on (the operator's catalogue).
#[utoipa::path(
    operation_id = "list_plans",
    tag = "billing",
    security(("bearer" = [])),
    responses((status = 200, body = PlanList), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden))
)]
#[get("/billing/plans")]
pub async fn list_plans(state: web::Data<AppState>, _auth: Authenticated) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(PlanList { items: state.cache.catalogue().plans().iter().map(PlanDto::from).collect() }))
}

/// The instance's plan, this period's usage against it, alerts, and the bill so far and
/// projected (viewer and up).
#[utoipa::path(
    operation_id = "get_billing",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 200, body = BillingOverview),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/billing")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_billing(state: web::Data<AppState>, member: Member<Read<Usage>>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::overview(&state, &member.membership.instance).await?))
}

/// Switch the instance's plan (owner only). Effective at once; the period's bill is prorated
/// by day. A hard limit applies (or stops applying) to the public API at once.
#[utoipa::path(
    operation_id = "change_plan",
    tag = "billing",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath),
    request_body = ChangePlan,
    responses(
        (status = 200, body = BillingOverview),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/billing/plan")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn change_plan(state: web::Data<AppState>, member: Member<Own>, body: Deferred<ApiJson<ChangePlan>>) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let by = match &member.caller {
        Caller::Account(a) => Some(a.account_id),
        Caller::Client(_) => None,
    };
    Ok(HttpResponse::Ok().json(service::change_plan(&state, &member.membership.instance, &actor, by, &body.0.plan).await?))
}

/// The instance's invoices, newest period first (viewer and up).
#[utoipa::path(
    operation_id = "list_invoices",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = InvoiceList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/billing/invoices")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_invoices(state: web::Data<AppState>, member: Member<Read<Usage>>, query: Deferred<ApiQuery<PageQuery>>) -> Result<HttpResponse, ApiError> {
    // The caller is identified before the query is looked at.
    let query = query.get()?;
    let (limit, cursor) = query.parse()?;
    let page = billing::invoices(&state.db, member.membership.instance.id, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(InvoiceList { items: page.items.iter().map(InvoiceDto::from).collect(), next_cursor: page.next_cursor }))
}

async fn find(state: &AppState, instance_id: Uuid, id: Uuid) -> Result<billing::Invoice, ApiError> {
    billing::invoice(&state.db, instance_id, id).await?.ok_or_else(|| ApiError::not_found("No invoice with this id exists on this instance."))
}

/// One invoice (viewer and up).
#[utoipa::path(
    operation_id = "get_invoice",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, ("invoice" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, body = InvoiceDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/billing/invoices/{invoice}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_invoice(state: web::Data<AppState>, member: Member<Read<Usage>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let invoice = find(&state, member.membership.instance.id, path.1).await?;
    Ok(HttpResponse::Ok().json(InvoiceDto::from(&invoice)))
}

/// `amount` minor units of `currency` as people read it (two decimals, thousands separated).
pub fn money(currency: &str, amount: i64) -> String {
    let symbol = match currency {
        "EUR" => "€".to_owned(),
        "USD" => "$".to_owned(),
        "GBP" => "£".to_owned(),
        other => format!("{other} "),
    };
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!("{sign}{symbol}{}.{:02}", grouped(abs / 100), abs % 100)
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn attachment(name: &str) -> (header::HeaderName, String) {
    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
}

/// An invoice as a PDF document (viewer and up).
#[utoipa::path(
    operation_id = "get_invoice_pdf",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, ("invoice" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/billing/invoices/{invoice}/pdf")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_invoice_pdf(state: web::Data<AppState>, member: Member<Read<Usage>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let instance = &member.membership.instance;
    let inv = find(&state, instance.id, path.1).await?;
    let tz: Tz = instance.time_zone.parse().unwrap_or(Tz::UTC);
    let day = |t: chrono::DateTime<chrono::FixedOffset>| t.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let last_day = day(inv.period_end - chrono::Duration::seconds(1));
    let plan = state.cache.catalogue().get(&inv.plan_key).map_or_else(|| inv.plan_key.clone(), |p| p.name.clone());
    let doc = steward_report::InvoiceDoc {
        number: inv.number.clone(),
        billed_to: format!("{} ({})", instance.name, instance.slug),
        period: format!("{} – {last_day} ({})", day(inv.period_start), tz.name()),
        issued: inv.issued_at.with_timezone(&Utc).format("%Y-%m-%d").to_string(),
        plan,
        usage: format!("{} billable API calls, {} end users", grouped(inv.calls.max(0) as u64), grouped(inv.users.max(0) as u64)),
        lines: inv
            .lines
            .iter()
            .map(|l| steward_report::Line {
                description: l.description.clone(),
                quantity: format!("{} {}", grouped(l.quantity.max(0) as u64), l.unit),
                amount: money(&inv.currency, l.amount_minor),
            })
            .collect(),
        total: money(&inv.currency, inv.total_minor),
        issuer: "Steward".to_owned(),
    };
    let pdf = web::block(move || steward_report::invoice_pdf(&doc)).await.map_err(|e| ApiError::internal(anyhow::anyhow!("The PDF renderer failed: {e}")))?;
    Ok(HttpResponse::Ok().content_type("application/pdf").insert_header(attachment(&format!("{}.pdf", inv.number))).body(pdf))
}

/// An invoice as CSV: one row per line, then the total (viewer and up).
#[utoipa::path(
    operation_id = "get_invoice_csv",
    tag = "billing",
    security(("bearer" = []), ("management" = ["usage:read"])),
    params(crate::openapi::InstancePath, ("invoice" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice's lines", content_type = "text/csv", body = String),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/billing/invoices/{invoice}/csv")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_invoice_csv(state: web::Data<AppState>, member: Member<Read<Usage>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let inv = find(&state, member.membership.instance.id, path.1).await?;
    let header = ["invoice", "period_start", "period_end", "description", "quantity", "unit", "amount_minor", "currency"].map(String::from).to_vec();
    let base = |description: &str, quantity: String, unit: &str, amount: i64| {
        vec![
            inv.number.clone(),
            inv.period_start.to_rfc3339(),
            inv.period_end.to_rfc3339(),
            cell(description),
            quantity,
            unit.to_owned(),
            amount.to_string(),
            inv.currency.clone(),
        ]
    };
    let mut rows = vec![header];
    rows.extend(inv.lines.iter().map(|l| base(&l.description, l.quantity.to_string(), &l.unit, l.amount_minor)));
    rows.push(base("Total", String::new(), "", inv.total_minor));
    let body = csv_bytes(rows).map_err(|e| ApiError::internal(anyhow::anyhow!("Failed to write the CSV: {e}")))?;
    Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").insert_header(attachment(&format!("{}.csv", inv.number))).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money("EUR", 123_456_789), "€1,234,567.89");
        assert_eq!(money("EUR", 5), "€0.05");
        assert_eq!(money("CHF", -2900), "-CHF 29.00");
    }
}

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use futures_util::StreamExt as _;
use steward_persistence::audit::{self, Entry, Filter};

use super::dto::{AuditEntryDto, AuditLogList, AuditLogQuery};
use crate::AppState;
use crate::access::{Administer, AuditLog, Member};
use crate::extract::{ApiQuery, PageQuery};
use crate::problem::{ApiError, FieldError};
use crate::routes::users::{csv_bytes, csv_cell};

/// The columns of an export, in order.
const COLUMNS: [&str; 11] =
    ["id", "created_at", "actor_kind", "actor_id", "actor_label", "ip", "action", "target_kind", "target_id", "target_label", "changes"];
const BATCH: u64 = 500;

/// The filters of a query, or a 422 naming each bad parameter.
fn filter_of(q: &AuditLogQuery) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let mut date = |field: &str, v: Option<&str>| match v.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "invalid_date", format!("{field} must be an RFC 3339 date-time, such as 2026-11-28T00:00:00Z.")));
                None
            }
        },
    };
    let from = date("from", q.from.as_deref());
    let to = date("to", q.to.as_deref());
    let target_id = q.target_id.clone().filter(|t| !t.is_empty());
    if target_id.as_ref().is_some_and(|t| t.chars().count() > 200) {
        errors.push(FieldError::new("target_id", "too_long", "target_id must be at most 200 characters."));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(Filter { actor_id: q.actor, action: q.action.map(|a| a.0), target_kind: q.target_kind.map(|k| k.0), target_id, from, to })
}

/// The instance's audit log, newest first (admin and up): every change made to the instance,
/// who made it (an account, or an application through the public API), from which address, and
/// the fields it changed (secrets redacted).
#[utoipa::path(
    tag = "audit-log",
    security(("bearer" = []), ("management" = ["audit_log:read"])),
    params(crate::openapi::InstancePath, AuditLogQuery, PageQuery),
    responses(
        (status = 200, body = AuditLogList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/audit-log")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_audit_log(
    state: web::Data<AppState>,
    member: Member<Administer<AuditLog>>,
    query: ApiQuery<AuditLogQuery>,
    page: ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query)?;
    let (limit, cursor) = page.parse()?;
    let page = audit::list(&state.db, member.membership.instance.id, &filter, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(AuditLogList {
        items: page.items.into_iter().map(AuditEntryDto::from).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

fn row(e: &Entry) -> Vec<String> {
    vec![
        e.id.to_string(),
        e.created_at.to_utc().to_rfc3339(),
        e.actor_kind.as_str().to_owned(),
        e.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        csv_cell(&e.actor_label),
        csv_cell(e.ip.as_deref().unwrap_or("")),
        e.action.as_str().to_owned(),
        e.target_kind.as_str().to_owned(),
        csv_cell(e.target_id.as_deref().unwrap_or("")),
        csv_cell(e.target_label.as_deref().unwrap_or("")),
        csv_cell(&e.changes.to_string()),
    ]
}

/// Export the (filtered) audit log as CSV, newest first, a header row first (admin and up).
/// Streamed in batches: memory stays flat whatever the size of the log. Cells that a
/// spreadsheet would run as a formula (starting with `= + - @`) are prefixed with `'`.
#[utoipa::path(
    tag = "audit-log",
    security(("bearer" = []), ("management" = ["audit_log:read"])),
    params(crate::openapi::InstancePath, AuditLogQuery),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/audit-log.csv")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn export_audit_log(
    state: web::Data<AppState>,
    member: Member<Administer<AuditLog>>,
    query: ApiQuery<AuditLogQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query)?;
    let instance = member.membership.instance;
    let instance_id = instance.id;
    let header_row = csv_bytes([COLUMNS.iter().map(|c| c.to_string()).collect()]);
    let body = futures_util::stream::once(async move { header_row }).chain(futures_util::stream::unfold(Some(None), move |after| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            match audit::batch(&state.db, instance_id, &filter, after, BATCH).await {
                Ok(entries) if entries.is_empty() => None,
                Ok(entries) => {
                    let next = if (entries.len() as u64) < BATCH { None } else { Some(entries.last().map(|e| e.id)) };
                    Some((csv_bytes(entries.iter().map(row)), next))
                }
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, "an audit log export failed midway");
                    Some((Err(actix_web::error::ErrorInternalServerError("export failed")), None))
                }
            }
        }
    }));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-audit-log.csv\"", instance.slug)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

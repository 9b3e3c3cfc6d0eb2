//! CSV export (streamed in batches, flat memory) and import (validated row by row, all accepted
//! rows in one transaction) of an instance's end users.

use super::dto::CreateUserRequest;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use steward_domain::Email;
use steward_persistence::end_users::{self, EndUser, NewEndUser};
use utoipa::{IntoParams, ToSchema};

use super::dto::UserListQuery;
use super::service;
use crate::AppState;
use crate::access::{Member, Read, Users, Write};
use crate::extract::ApiQuery;
use crate::problem::{ApiError, FieldError};

/// The columns of an export, in order; an import takes `email` and any of the others it knows.
pub const COLUMNS: [&str; 11] =
    ["id", "email", "email_verified", "given_name", "family_name", "name", "blocked", "provider", "metadata", "created_at", "last_login_at"];
const IMPORTABLE: [&str; 7] = ["email", "given_name", "family_name", "name", "email_verified", "blocked", "metadata"];
/// The largest CSV file an import takes.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;
const MAX_ROWS: usize = 50_000;
const BATCH: u64 = 1000;

/// A cell safe to open in a spreadsheet: values starting with `= + - @` (formula injection) get
/// a leading apostrophe.
pub(crate) fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

fn row(u: &EndUser) -> Vec<String> {
    vec![
        u.id.to_string(),
        cell(&u.email),
        u.email_verified.to_string(),
        cell(&u.given_name),
        cell(&u.family_name),
        cell(&u.name),
        u.blocked.to_string(),
        cell(&u.provider),
        u.metadata.to_string(),
        u.created_at.to_utc().to_rfc3339(),
        u.last_login_at.map(|t| t.to_utc().to_rfc3339()).unwrap_or_default(),
    ]
}

/// CSV rows as one chunk of a streamed body.
pub(crate) fn csv_bytes(rows: impl IntoIterator<Item = Vec<String>>) -> Result<web::Bytes, actix_web::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(web::Bytes::from(w.into_inner().map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?))
}

/// Export the (filtered) users as CSV, a header row first. Streamed: memory stays flat
/// whatever the number of users.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:read"])),
    params(crate::openapi::InstancePath, UserListQuery),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/users/export")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn export_users(state: web::Data<AppState>, member: Member<Read<Users>>, query: ApiQuery<UserListQuery>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let filter = service::parse_filter(&query)?;
    let instance_id = membership.instance.id;
    let header_row = csv_bytes([COLUMNS.iter().map(|c| c.to_string()).collect()]);
    let body = futures_util::stream::once(async move { header_row }).chain(futures_util::stream::unfold(Some(None), move |after| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            match end_users::batch(&state.db, instance_id, &filter, after, BATCH).await {
                Ok(users) if users.is_empty() => None,
                Ok(users) => {
                    let last = users.last().map(|u| (u.created_at, u.id));
                    let next = if (users.len() as u64) < BATCH { None } else { Some(last) };
                    Some((csv_bytes(users.iter().map(row)), next))
                }
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, "a users export failed midway");
                    Some((Err(actix_web::error::ErrorInternalServerError("export failed")), None))
                }
            }
        }
    }));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-users.csv\"", membership.instance.slug)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate and report without creating anyone.
    pub dry_run: Option<bool>,
}

/// A refused row of an import.
#[derive(Serialize, ToSchema)]
pub struct RejectedRow {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub email: String,
    pub errors: Vec<FieldError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows created (or that would be, in a dry run).
    pub accepted: u64,
    pub rejected: Vec<RejectedRow>,
    pub dry_run: bool,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" => Some(false),
        "true" | "1" | "yes" => Some(true),
        _ => None,
    }
}

/// Import users from CSV (`Content-Type: text/csv`, at most 10 MiB, 50,000 rows). The header
/// names the columns: `email` and any of `given_name, family_name, name, email_verified,
/// blocked, metadata` (an export's extra columns are ignored). Each row is validated; valid rows
/// are created together in one transaction, invalid ones reported with reasons. A file that is
/// unusable as a whole (wrong header, not UTF-8, malformed CSV, too large) changes nothing.
#[utoipa::path(
    tag = "users",
    security(("bearer" = []), ("management" = ["users:write"])),
    params(crate::openapi::InstancePath, ImportQuery),
    request_body(content_type = "text/csv", content = String),
    responses(
        (status = 200, body = ImportReport),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/users/import")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn import_users(
    state: web::Data<AppState>,
    member: Member<Write<Users>>,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    if crate::extract::media_type(&req) != "text/csv" {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as the body with `Content-Type: text/csv`.",
        ));
    }
    let too_large =
        || ApiError::new(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("A CSV import must be at most {IMPORT_LIMIT} bytes."));
    let body = crate::extract::read_bounded(&req, &mut payload, IMPORT_LIMIT, too_large).await?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("invalid_csv", "The file is not UTF-8 text."))?;
    let text = text.trim_start_matches('\u{feff}');

    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::bad_request("invalid_csv", format!("The file is not valid CSV: {e}.")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let bad_header = |m: String| ApiError::validation(vec![FieldError::new("header", "invalid_header", m)]);
    if !headers.iter().any(|h| h == "email") {
        return Err(bad_header(format!("The first row must name the columns and include email; known columns: {}.", IMPORTABLE.join(", "))));
    }
    if let Some(unknown) = headers.iter().find(|h| !IMPORTABLE.contains(&h.as_str()) && !COLUMNS.contains(&h.as_str())) {
        return Err(bad_header(format!("Unknown column {unknown:?}; known columns: {}.", IMPORTABLE.join(", "))));
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (c_email, c_given, c_family, c_name, c_verified, c_blocked, c_meta) =
        (col("email"), col("given_name"), col("family_name"), col("name"), col("email_verified"), col("blocked"), col("metadata"));

    let mut accepted: Vec<NewEndUser> = Vec::new();
    let mut rejected = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Imported users get no password (they are invited or sign in otherwise).
    let no_password_rules = steward_domain::config::Settings::resolve(&state.cache.platform_defaults(), &Default::default());
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(ApiError::new(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, "too_many_rows", format!("A CSV import takes at most {MAX_ROWS} rows.")));
        }
        let line = i as u64 + 2;
        let record = record.map_err(|e| ApiError::bad_request("invalid_csv", format!("Line {line} is not valid CSV: {e}.")))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_owned();
        let raw_email = get(c_email);
        let mut errors = Vec::new();
        let mut flag = |field: &str, v: String| {
            parse_bool(&v).unwrap_or_else(|| {
                errors.push(FieldError::new(field, "invalid_boolean", "Use true or false."));
                false
            })
        };
        let verified = flag("email_verified", get(c_verified));
        let blocked = flag("blocked", get(c_blocked));
        let meta_raw = get(c_meta);
        let metadata = if meta_raw.trim().is_empty() {
            None
        } else {
            match serde_json::from_str::<serde_json::Value>(&meta_raw) {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(FieldError::new("metadata", "invalid_json", "Metadata must be a JSON object."));
                    None
                }
            }
        };
        let opt = |v: String| (!v.is_empty()).then_some(v);
        let request = CreateUserRequest {
            email: raw_email.clone(),
            given_name: opt(get(c_given)),
            family_name: opt(get(c_family)),
            name: opt(get(c_name)),
            password: None,
            email_verified: Some(verified),
            blocked: Some(blocked),
            metadata,
            send_invitation: None,
        };
        // The same rules as every other way a user is created.
        let user = match service::validate_new(request, "password", &no_password_rules) {
            Ok((user, _)) => Some(user),
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        };
        if let Some(u) = &user
            && !seen.insert(u.email.clone())
        {
            errors.push(FieldError::new("email", "duplicate_in_file", "This email appears earlier in the file."));
        }
        match (user, errors.is_empty()) {
            (Some(user), true) => accepted.push(user),
            _ => rejected.push(RejectedRow { line, email: raw_email, errors }),
        }
    }

    // Emails already in the instance are refused too.
    let emails: Vec<String> = accepted.iter().map(|u| u.email.clone()).collect();
    let existing: std::collections::HashSet<String> = end_users::existing_emails(&state.db, membership.instance.id, &emails).await?.into_iter().collect();
    if !existing.is_empty() {
        let mut line_of = std::collections::HashMap::new();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        for (i, r) in reader.records().enumerate() {
            if let Ok(r) = r
                && let Some(e) = c_email.and_then(|c| r.get(c)).and_then(|e| Email::parse(e).ok())
            {
                line_of.entry(e.into_inner()).or_insert(i as u64 + 2);
            }
        }
        accepted.retain(|u| {
            if existing.contains(&u.email) {
                rejected.push(RejectedRow {
                    line: line_of.get(&u.email).copied().unwrap_or(0),
                    email: u.email.clone(),
                    errors: vec![FieldError::new("email", "email_taken", "A user with this email already exists.")],
                });
                false
            } else {
                true
            }
        });
        rejected.sort_by_key(|r| r.line);
    }

    let dry_run = query.dry_run.unwrap_or(false);
    let count = accepted.len() as u64;
    if !dry_run && !accepted.is_empty() {
        service::import_users(&state, &membership.instance, &actor, accepted).await?;
    }
    Ok(HttpResponse::Ok().json(ImportReport { accepted: count, rejected, dry_run }))
}

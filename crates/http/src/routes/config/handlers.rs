use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use uuid::Uuid;

use super::dto::{
    BackupCreate, BackupDto, BackupList, ConfigChangeSet, ConfigDefinitionInput, ConfigDocument, ConfigEntry, ConfigEntryCreate, ConfigHistory, ConfigOverview,
    ConfigRestoreInput, ConfigValueInput, ConfigVersionDto, DryRunQuery, HistoryQuery,
};
use super::service::{self, Applied};
use crate::AppState;
use crate::access::{Administer, Member, Read, Settings};
use crate::extract::{ApiJson, ApiQuery, Deferred};
use crate::problem::ApiError;

/// The largest configuration document accepted by an import (4 MiB).
pub const IMPORT_LIMIT: usize = 4 * 1024 * 1024;

/// The version an `If-Match` names (`"v12"` for an entry, `"r12"` for the configuration), if
/// any; a header that names nothing we issued never matches (412).
fn if_match(req: &HttpRequest, prefix: char) -> Result<Option<i64>, ApiError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let parsed =
        raw.to_str().ok().map(|v| v.trim().trim_start_matches("W/").trim_matches('"')).and_then(|v| v.strip_prefix(prefix)).and_then(|v| v.parse::<i64>().ok());
    match parsed {
        Some(v) => Ok(Some(v)),
        None => Err(service::stale(if prefix == 'v' { "The entry" } else { "The configuration" })),
    }
}

/// The `{key}` of an entry's route: a key that can't exist is 404 (before any precondition).
fn path_key(path: web::Path<(String, String)>) -> Result<String, ApiError> {
    let (_, key) = path.into_inner();
    steward_domain::config::ConfigKey::parse(&key).map(|k| k.as_str().to_owned()).map_err(|_| service::unknown_key(&key))
}

/// A revision named in a body: 0 (before any change) or later.
fn revision_of(input: &ConfigRestoreInput) -> Result<i64, ApiError> {
    if input.revision < 0 {
        return Err(ApiError::field("revision", "out_of_range", "A revision is 0 (before any change) or a later one."));
    }
    Ok(input.revision)
}

fn entry_etag(version: i64) -> String {
    format!("\"v{version}\"")
}

fn revision_etag(revision: i64) -> String {
    format!("\"r{revision}\"")
}

fn change_set(applied: Applied, dry_run: bool) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, revision_etag(applied.revision))).json(ConfigChangeSet {
        revision: applied.revision,
        applied: !dry_run && !applied.changes.is_empty(),
        changes: applied.changes.into_iter().map(Into::into).collect(),
    })
}

fn entry_response(status: StatusCode, entry: ConfigEntry) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, entry_etag(entry.version))).json(entry)
}

/// The instance's configuration: every built-in entry (documented, with its schema, default
/// and value in force) and the entries its developers defined. The `ETag` is the revision.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 200, body = ConfigOverview, headers(("ETag" = String, description = "The configuration's revision, for If-Match"))),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/config")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_config(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let (revision, items) = service::overview(&state, &member.membership.instance).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, revision_etag(revision)))
        .json(ConfigOverview { revision, items: items.into_iter().map(Into::into).collect() }))
}

/// One entry. Its `ETag` is its version: send it back in `If-Match` to change it safely.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath, ("key" = String, Path, description = "The entry's key", max_length = 64)),
    responses(
        (status = 200, body = ConfigEntry, headers(("ETag" = String, description = "The entry's version, for If-Match"))),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/config/entries/{key}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_config_entry(state: web::Data<AppState>, member: Member<Read<Settings>>, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let entry = service::entry(&state, &member.membership.instance, &key).await?;
    Ok(entry_response(StatusCode::OK, entry.into()))
}

/// Set an entry's value (admin and up). The value is checked against the entry's JSON Schema:
/// each error names the JSON pointer (`field`: `value/...`) and the rule (`code`: the schema
/// keyword, e.g. `maximum`). `If-Match` with the entry's `ETag` refuses a write based on a
/// stale read (412). `?dry_run=true` validates and answers the entry as it would be, saving
/// nothing. The change takes effect at once in every process.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(
        crate::openapi::InstancePath,
        ("key" = String, Path, description = "The entry's key", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "The entry's ETag this change is based on"),
        DryRunQuery
    ),
    request_body = ConfigValueInput,
    responses(
        (status = 200, body = ConfigEntry, headers(("ETag" = String, description = "The entry's new version"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/config/entries/{key}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn set_config_value(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: Deferred<ApiQuery<DryRunQuery>>,
    body: Deferred<ApiJson<ConfigValueInput>>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let dry_run = query.get()?.dry_run.unwrap_or(false);
    let body = body.get()?.0;
    let expected = if_match(&req, 'v')?;
    let actor = member.actor(&state).await?;
    let entry = service::set_value(&state, &member.membership.instance, &actor, &key, body.value, expected, dry_run).await?;
    Ok(entry_response(StatusCode::OK, entry.into()))
}

/// Return an entry to its default (admin and up); `If-Match` as for a change.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(
        crate::openapi::InstancePath,
        ("key" = String, Path, description = "The entry's key", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "The entry's ETag this change is based on")
    ),
    responses(
        (status = 200, body = ConfigEntry),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
    )
)]
#[post("/instances/{instance}/config/entries/{key}/reset")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn reset_config_entry(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let expected = if_match(&req, 'v')?;
    let actor = member.actor(&state).await?;
    let entry = service::reset_entry(&state, &member.membership.instance, &actor, &key, expected).await?;
    Ok(entry_response(StatusCode::OK, entry.into()))
}

/// Define a custom entry (admin and up): its key, description, JSON Schema (refused when it is
/// not a valid schema), default and whether applications may read it. `?dry_run=true`
/// validates only.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, DryRunQuery),
    request_body = ConfigEntryCreate,
    responses(
        (status = 201, body = ConfigEntry, headers(("Location" = String), ("ETag" = String))),
        (status = 200, body = ConfigEntry, description = "A dry run: the entry as it would be"),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/entries")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_config_entry(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    query: Deferred<ApiQuery<DryRunQuery>>,
    body: Deferred<ApiJson<ConfigEntryCreate>>,
) -> Result<HttpResponse, ApiError> {
    let dry_run = query.get()?.dry_run.unwrap_or(false);
    let body = body.get()?.0;
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let key = body.key.clone();
    let entry = service::define(&state, instance, &actor, &key, body.into(), true, None, dry_run).await?;
    if dry_run {
        return Ok(entry_response(StatusCode::OK, entry.into()));
    }
    let location = format!("/api/v1/instances/{}/config/entries/{}", instance.slug, entry.key);
    let entry: ConfigEntry = entry.into();
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).insert_header((header::ETAG, entry_etag(entry.version))).json(entry))
}

/// Change a custom entry's definition (admin and up). Its value, when set, must pass the new
/// schema. `If-Match` and `?dry_run=true` as for a value.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(
        crate::openapi::InstancePath,
        ("key" = String, Path, description = "The entry's key", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "The entry's ETag this change is based on"),
        DryRunQuery
    ),
    request_body = ConfigDefinitionInput,
    responses(
        (status = 200, body = ConfigEntry),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 412, response = crate::problem::PreconditionFailed),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/config/entries/{key}/definition")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn define_config_entry(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: Deferred<ApiQuery<DryRunQuery>>,
    body: Deferred<ApiJson<ConfigDefinitionInput>>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let dry_run = query.get()?.dry_run.unwrap_or(false);
    let body = body.get()?.0;
    let expected = if_match(&req, 'v')?;
    let actor = member.actor(&state).await?;
    if steward_domain::config::builtin(&key).is_some() {
        return Err(ApiError::conflict("builtin_entry", format!("{key} is a built-in entry: its definition can't be changed.")));
    }
    let entry = service::define(&state, &member.membership.instance, &actor, &key, body.into(), false, expected, dry_run).await?;
    Ok(entry_response(StatusCode::OK, entry.into()))
}

/// Remove a custom entry (admin and up). Its history stays: restoring a revision from before
/// brings it back.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(
        crate::openapi::InstancePath,
        ("key" = String, Path, description = "The entry's key", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "The entry's ETag this change is based on")
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 412, response = crate::problem::PreconditionFailed),
    )
)]
#[delete("/instances/{instance}/config/entries/{key}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_config_entry(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let expected = if_match(&req, 'v')?;
    let actor = member.actor(&state).await?;
    service::undefine(&state, &member.membership.instance, &actor, &key, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore one entry as it stood after a revision of the history (admin and up).
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("key" = String, Path, description = "The entry's key", max_length = 64)),
    request_body = ConfigRestoreInput,
    responses(
        (status = 200, body = ConfigChangeSet),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/entries/{key}/restore")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn restore_config_entry(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    path: web::Path<(String, String)>,
    body: Deferred<ApiJson<ConfigRestoreInput>>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(path)?;
    let revision = revision_of(&body.get()?.0)?;
    let actor = member.actor(&state).await?;
    let applied = service::restore_entry(&state, &member.membership.instance, &actor, &key, revision).await?;
    Ok(change_set(applied, false))
}

/// The history of changes, newest first: who changed which entry when, with the entry before
/// and after. `key` narrows it to one entry.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath, HistoryQuery),
    responses(
        (status = 200, body = ConfigHistory),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed)
    )
)]
#[get("/instances/{instance}/config/history")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_config_history(
    state: web::Data<AppState>,
    member: Member<Read<Settings>>,
    query: Deferred<ApiQuery<HistoryQuery>>,
) -> Result<HttpResponse, ApiError> {
    let q = query.get()?.0;
    let limit = u64::from(q.limit.unwrap_or(50));
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field("limit", "out_of_range", "limit must be between 1 and 100."));
    }
    if q.key.as_ref().is_some_and(|k| k.chars().count() > 64) {
        return Err(ApiError::field("key", "too_long", "A key is at most 64 characters."));
    }
    if q.before.is_some_and(|b| b < 1) {
        return Err(ApiError::field("before", "out_of_range", "before is a revision, 1 or later."));
    }
    let (items, next_before) = service::history(&state, &member.membership.instance, q.key.as_deref(), q.before, limit).await?;
    Ok(HttpResponse::Ok().json(ConfigHistory { items: items.into_iter().map(ConfigVersionDto::from).collect(), next_before }))
}

/// Restore the whole configuration as it stood after a revision (admin and up): one new
/// revision that makes every entry what it was then. `If-Match` with the configuration's
/// `ETag` refuses it when something changed since you looked (412).
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("If-Match" = Option<String>, Header, description = "The configuration's ETag this change is based on")),
    request_body = ConfigRestoreInput,
    responses(
        (status = 200, body = ConfigChangeSet),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/restore")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn restore_config(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    body: Deferred<ApiJson<ConfigRestoreInput>>,
) -> Result<HttpResponse, ApiError> {
    let revision = revision_of(&body.get()?.0)?;
    let expected = if_match(&req, 'r')?;
    let actor = member.actor(&state).await?;
    let applied = service::restore_all(&state, &member.membership.instance, &actor, revision, expected).await?;
    Ok(change_set(applied, false))
}

/// Reset every entry to its default (admin and up); custom entries keep their definitions.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("If-Match" = Option<String>, Header, description = "The configuration's ETag this change is based on")),
    responses(
        (status = 200, body = ConfigChangeSet),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
    )
)]
#[post("/instances/{instance}/config/reset")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn reset_config(state: web::Data<AppState>, member: Member<Administer<Settings>>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req, 'r')?;
    let actor = member.actor(&state).await?;
    let applied = service::reset_all(&state, &member.membership.instance, &actor, expected).await?;
    Ok(change_set(applied, false))
}

/// Export the configuration as a JSON document (values set and custom definitions), to keep or
/// to import into another instance.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 200, body = ConfigDocument, headers(("Content-Disposition" = String, description = "An attachment's file name"))),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/config/export")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn export_config(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let instance = &member.membership.instance;
    let doc = service::export(&state, instance).await?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-configuration.json\"", instance.slug))).json(doc))
}

/// Import a configuration document (at most 4 MiB): the configuration becomes exactly what it
/// says, all or nothing — every value and definition is validated first. `?dry_run=true`
/// answers the changes it would make (the diff to review) and saves nothing.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("If-Match" = Option<String>, Header, description = "The configuration's ETag this change is based on"), DryRunQuery),
    request_body = ConfigDocument,
    responses(
        (status = 200, body = ConfigChangeSet),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/import")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn import_config(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    query: Deferred<ApiQuery<DryRunQuery>>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dry_run = query.get()?.dry_run.unwrap_or(false);
    let media = crate::extract::media_type(&req);
    if media != "application/json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the document as JSON with `Content-Type: application/json`.",
        ));
    }
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("A configuration document is at most {IMPORT_LIMIT} bytes."));
    let body = crate::extract::read_bounded(&req, &mut payload, IMPORT_LIMIT, too_large).await?;
    // The typed read refuses what is not a document's shape; the tree is what is applied.
    let _: ConfigDocument = crate::extract::parse_json(&body)?;
    let doc: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request("malformed_json", format!("The body is not valid JSON: {e}.")))?;
    // The document is read whole before its precondition: a malformed one is 422 whatever If-Match says.
    let target = service::state_of_document(&doc)?;
    let expected = if_match(&req, 'r')?;
    let actor = member.actor(&state).await?;
    let applied = service::import(&state, &member.membership.instance, &actor, target, expected, dry_run).await?;
    Ok(change_set(applied, dry_run))
}

/// The instance's named backups, newest first.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = BackupList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/config/backups")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_config_backups(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let items = steward_persistence::config::backups(&state.db, member.membership.instance.id).await?;
    Ok(HttpResponse::Ok().json(BackupList { items: items.into_iter().map(BackupDto::from).collect() }))
}

/// Back up the configuration under a name (admin and up; at most 50 backups).
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = BackupCreate,
    responses(
        (status = 201, body = BackupDto, headers(("Location" = String))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/backups")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_config_backup(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    body: Deferred<ApiJson<BackupCreate>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?.0;
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let backup = service::create_backup(&state, instance, &actor, &body.name).await?;
    let location = format!("/api/v1/instances/{}/config/backups/{}", instance.slug, backup.id);
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).json(BackupDto::from(backup)))
}

/// A backup's document (the same shape as an export).
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath, ("id" = Uuid, Path, description = "The backup's id")),
    responses((status = 200, body = ConfigDocument), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/config/backups/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_config_backup(state: web::Data<AppState>, member: Member<Read<Settings>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let backup = steward_persistence::config::backup(&state.db, member.membership.instance.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("No backup with this id."))?;
    Ok(HttpResponse::Ok().json(backup.document))
}

/// Restore a backup (admin and up): the configuration becomes what the backup holds, in one
/// new revision.
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(
        crate::openapi::InstancePath,
        ("id" = Uuid, Path, description = "The backup's id"),
        ("If-Match" = Option<String>, Header, description = "The configuration's ETag this change is based on")
    ),
    responses(
        (status = 200, body = ConfigChangeSet),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 412, response = crate::problem::PreconditionFailed),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/config/backups/{id}/restore")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn restore_config_backup(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let expected = if_match(&req, 'r')?;
    let actor = member.actor(&state).await?;
    let applied = service::restore_backup(&state, &member.membership.instance, &actor, id, expected).await?;
    Ok(change_set(applied, false))
}

/// Delete a backup (admin and up).
#[utoipa::path(
    tag = "configuration",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("id" = Uuid, Path, description = "The backup's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/config/backups/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_config_backup(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::delete_backup(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

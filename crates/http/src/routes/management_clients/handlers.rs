use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use steward_domain::application::{AppName, parse_description};
use steward_persistence::applications::NewSecret;
use steward_persistence::management_clients::{self, ClientChanges, NewManagementClient};
use uuid::Uuid;

use super::dto::{
    CreateManagementClientRequest, CreatedManagementClient, ManagementClientDto, ManagementClientList, ManagementScope, ScopeCatalogue, ScopeInfo,
    UpdateManagementClientRequest,
};
use super::service::{self, client_not_found};
use crate::AppState;
use crate::access::{Administer, Member, PeopleOnly};
use crate::auth::Authenticated;
use crate::auth::client_secrets::new_management_client_id;
use crate::extract::{ApiJson, Deferred, PageQuery};
use crate::problem::{ApiError, FieldError, Fields};
use crate::routes::applications::dto::{RotateSecretRequest, RotatedSecret, SecretInfo};

fn parse_scopes(fields: &mut Fields, scopes: &[ManagementScope]) -> Vec<steward_domain::scope::Scope> {
    if scopes.is_empty() {
        fields.push(FieldError::new("scopes", "required", "Choose at least one scope."));
    }
    let mut v: Vec<_> = scopes.iter().map(|s| s.scope()).collect();
    v.sort();
    v.dedup();
    v
}

fn parse_expiry(fields: &mut Fields, at: Option<chrono::DateTime<chrono::Utc>>) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let at = at?;
    if at <= chrono::Utc::now() {
        fields.push(FieldError::new("expires_at", "in_the_past", "The expiry must be in the future."));
        return None;
    }
    Some(at.fixed_offset())
}

/// The scopes a management client may hold, with what each allows.
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    responses((status = 200, body = ScopeCatalogue), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden))
)]
#[get("/management-scopes")]
pub async fn list_management_scopes(state: web::Data<AppState>, _auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let items = ManagementScope::ALL.into_iter().map(|s| ScopeInfo { scope: s, description: s.scope().description() }).collect();
    Ok(HttpResponse::Ok().json(ScopeCatalogue { items, token_endpoint: format!("{}/api/v1/oauth/token", state.public_url) }))
}

/// The instance's management clients, newest first (admin and up).
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = ManagementClientList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/management-clients")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_management_clients(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, cursor) = query.parse()?;
    let page = management_clients::list(&state.db, member.membership.instance.id, limit, cursor.as_deref()).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|c| c.id).collect();
    let mut secrets = management_clients::valid_secrets(&state.db, &ids).await?;
    let items = page
        .items
        .into_iter()
        .map(|c| {
            let mine = secrets.extract_if(.., |s| s.management_client_id == c.id).collect();
            ManagementClientDto::new(c, mine)
        })
        .collect();
    Ok(HttpResponse::Ok().json(ManagementClientList { items, next_cursor: page.next_cursor, total: page.total }))
}

/// Create a management client (admin and up). Its `client_secret` is in this response only.
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(crate::openapi::InstancePath),
    request_body = CreateManagementClientRequest,
    responses(
        (status = 201, body = CreatedManagementClient, headers(("Location" = String, description = "The client's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/management-clients")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_management_client(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    body: Deferred<ApiJson<CreateManagementClientRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?.0;
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let mut fields = Fields::default();
    let name = fields.check("name", AppName::parse(&body.name));
    let description = fields.check("description", parse_description(body.description.as_deref().unwrap_or(""))).unwrap_or_default();
    let scopes = parse_scopes(&mut fields, &body.scopes);
    let expires_at = parse_expiry(&mut fields, body.expires_at);
    fields.finish()?;
    let Some(name) = name else { return Err(ApiError::invariant()) };
    let secret = state.client_secrets.generate();
    let new = NewManagementClient { name: name.into_inner(), description, scopes, expires_at, client_id: new_management_client_id() };
    let client = service::create(&state, instance, &actor, new, NewSecret { hash: &secret.hash, hint: &secret.hint }).await?;
    let secrets = management_clients::valid_secrets(&state.db, &[client.id]).await?;
    let location = format!("/api/v1/instances/{}/management-clients/{}", instance.slug, client.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedManagementClient { client: ManagementClientDto::new(client, secrets), client_secret: secret.secret }))
}

/// One management client (admin and up).
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The management client's id")),
    responses(
        (status = 200, body = ManagementClientDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/management-clients/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_management_client(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let client = management_clients::get(&state.db, member.membership.instance.id, id).await?.ok_or_else(client_not_found)?;
    let secrets = management_clients::valid_secrets(&state.db, &[client.id]).await?;
    Ok(HttpResponse::Ok().json(ManagementClientDto::new(client, secrets)))
}

/// Change a management client's name, description, scopes or expiry (admin and up). Narrower
/// scopes apply at once, to tokens already issued too.
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The management client's id")),
    request_body = UpdateManagementClientRequest,
    responses(
        (status = 200, body = ManagementClientDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}/management-clients/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_management_client(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateManagementClientRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?.0;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let mut fields = Fields::default();
    let name = body.name.as_deref().and_then(|n| fields.check("name", AppName::parse(n)));
    let description = body.description.as_deref().and_then(|d| fields.check("description", parse_description(d)));
    let scopes = body.scopes.as_deref().map(|s| parse_scopes(&mut fields, s));
    let expires_at = body.expires_at.map(|e| parse_expiry(&mut fields, e));
    fields.finish()?;
    let changes = ClientChanges { name: name.map(AppName::into_inner), description, scopes, expires_at };
    let client = service::update(&state, &member.membership.instance, &actor, id, changes).await?;
    let secrets = management_clients::valid_secrets(&state.db, &[client.id]).await?;
    Ok(HttpResponse::Ok().json(ManagementClientDto::new(client, secrets)))
}

/// Delete a management client (admin and up): its secrets and tokens stop working at once.
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The management client's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[delete("/instances/{instance}/management-clients/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_management_client(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::delete(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a management client's secret (admin and up). The new secret is in this response
/// only; the old one keeps working for `grace_period_secs` (default 0: it stops at once).
/// Tokens already issued keep working until they expire.
#[utoipa::path(
    tag = "management-clients",
    security(("bearer" = [])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The management client's id")),
    request_body = RotateSecretRequest,
    responses(
        (status = 200, body = RotatedSecret),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/management-clients/{id}/secret")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn rotate_management_client_secret(
    state: web::Data<AppState>,
    member: Member<Administer<PeopleOnly>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<RotateSecretRequest>>,
) -> Result<HttpResponse, ApiError> {
    let until = body.get()?.0.old_secret_until()?;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let secret = state.client_secrets.generate();
    let created = service::rotate_secret(&state, &member.membership.instance, &actor, id, NewSecret { hash: &secret.hash, hint: &secret.hint }, until).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(RotatedSecret {
        client_secret: secret.secret,
        secret: SecretInfo::from(created),
        previous_secret_expires_at: until.to_utc(),
    }))
}

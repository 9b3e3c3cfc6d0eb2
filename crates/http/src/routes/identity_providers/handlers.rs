use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, put, web};

use super::dto::{IdentityProviderDto, IdentityProviderInput, IdentityProviderList};
use super::service;
use crate::AppState;
use crate::access::{Administer, Member, Read, Settings};
use crate::extract::{ApiJson, Deferred};
use crate::problem::ApiError;

/// The instance's identity providers: every built-in kind (configured or at its defaults) and
/// the OpenID Connect providers added, in order. Secrets are never returned.
#[utoipa::path(
    tag = "identity-providers",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = IdentityProviderList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/identity-providers")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_identity_providers(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let instance = &member.membership.instance;
    let items = service::effective(&state, instance.id).await?.into_iter().map(|p| service::dto(&state, &instance.slug, p)).collect();
    Ok(HttpResponse::Ok().json(IdentityProviderList { items }))
}

/// Configure a provider (admin and up). `key` is a built-in kind (`password`, `guest`,
/// `google`, `facebook`, `twitter`, `linkedin`) or, for an OpenID Connect provider, a key of
/// your choice (created by the first save; its discovery document is fetched and checked on
/// every save). Enabling a social or OpenID Connect provider needs its client id and secret;
/// a new discovery URL needs the secret again.
#[utoipa::path(
    tag = "identity-providers",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("key" = String, Path, description = "A built-in provider's name, or an OpenID Connect provider's key", pattern = "^[a-z][a-z0-9-]{0,38}[a-z0-9]$")),
    request_body = IdentityProviderInput,
    responses(
        (status = 200, body = IdentityProviderDto, description = "Saved"),
        (status = 201, body = IdentityProviderDto, description = "An OpenID Connect provider was added", headers(("Location" = String))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/identity-providers/{key}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn put_identity_provider(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    path: web::Path<(String, String)>,
    body: Deferred<ApiJson<IdentityProviderInput>>,
) -> Result<HttpResponse, ApiError> {
    let (_, key) = path.into_inner();
    let body = body.get()?.0;
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let (saved, created) = service::save(&state, instance, &actor, &key, body).await?;
    let dto = service::dto(&state, &instance.slug, saved);
    Ok(if created {
        HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/instances/{}/identity-providers/{key}", instance.slug))).json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}

/// Reset a provider (admin and up): a built-in provider returns to its defaults (email and
/// password on, the others off); an OpenID Connect provider is removed. Users who signed in
/// with it keep their accounts and their linked identities.
#[utoipa::path(
    tag = "identity-providers",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath, ("key" = String, Path, description = "A built-in provider's name, or an OpenID Connect provider's key", pattern = "^[a-z][a-z0-9-]{0,38}[a-z0-9]$")),
    responses(
        (status = 204, description = "Reset or removed"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[delete("/instances/{instance}/identity-providers/{key}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn reset_identity_provider(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (_, key) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::reset(&state, &member.membership.instance, &actor, &key).await?;
    Ok(HttpResponse::NoContent().finish())
}

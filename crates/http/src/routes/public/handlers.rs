use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use steward_persistence::{instances, signing_keys};

use super::dto::{Branding, Jwk, Jwks, WhoAmI};
use super::gate::{AppCaller, instance_not_found};
use crate::AppState;
use crate::auth::instance_tokens::ALGORITHM;
use crate::problem::ApiError;

/// The instance's token-signing public keys (JWKS), to verify its tokens.
#[utoipa::path(
    tag = "public",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = Jwks), (status = 404, response = crate::problem::NotFound))
)]
#[get("/{instance}/.well-known/jwks.json")]
#[tracing::instrument(skip_all)]
pub async fn jwks(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let instance = instances::by_slug(&state.db, &path).await?.ok_or_else(instance_not_found)?;
    state.instance_tokens.ensure_key(&state.db, instance.id).await?;
    let keys = signing_keys::published(&state.db, instance.id).await?;
    let keys = keys
        .into_iter()
        .filter(|k| k.algorithm == ALGORITHM)
        .map(|k| Jwk { kty: "OKP", crv: "Ed25519", x: k.public_key, kid: k.kid, alg: ALGORITHM, use_: "sig" })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .content_type("application/jwk-set+json")
        .json(Jwks { keys }))
}

/// The instance's name and logo, for login screens. Public.
#[utoipa::path(
    tag = "public",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = Branding), (status = 404, response = crate::problem::NotFound))
)]
#[get("/{instance}/branding")]
#[tracing::instrument(skip_all)]
pub async fn branding(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let instance = instances::by_slug(&state.db, &path).await?.ok_or_else(instance_not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(Branding { instance: instance.slug, name: instance.name, logo_url: None }))
}

/// The calling application: a first call to check a configuration.
#[utoipa::path(
    tag = "public",
    params(("instance" = String, Path, description = "The instance's slug"), ("X-Client-Id" = Option<String>, Header, description = "Front-end apps: their client id")),
    security(("app_bearer" = []), ("client_id" = [])),
    responses(
        (status = 200, body = WhoAmI),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/{instance}/app")]
#[tracing::instrument(skip_all)]
pub async fn whoami(caller: AppCaller) -> Result<HttpResponse, ApiError> {
    let scopes = caller.claims.as_ref().map(|c| c.scope.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
    Ok(HttpResponse::Ok().json(WhoAmI {
        client_id: caller.app.client_id,
        name: caller.app.name,
        kind: caller.app.kind,
        authenticated_by: if caller.claims.is_some() { "bearer_token" } else { "client_id" },
        scopes,
        instance: caller.instance.slug,
    }))
}

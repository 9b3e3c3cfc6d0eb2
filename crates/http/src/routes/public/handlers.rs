use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, route, web};
use steward_persistence::branding as logos;
use steward_persistence::signing_keys;

use super::dto::{Branding, BrandingRef, Jwks, ServerMetadata, WhoAmI};
use super::gate::{AppCaller, instance_not_found};
use crate::AppState;
use crate::auth::instance_tokens::jwk;
use crate::emails::logo_url;
use crate::problem::ApiError;

/// The instance's token-signing public keys (JWKS), to verify its tokens.
#[utoipa::path(
    get,
    tag = "discovery",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = Jwks, content_type = "application/jwk-set+json"), (status = 404, response = crate::problem::NotFound))
)]
#[route("/{instance}/.well-known/jwks.json", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn jwks(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let instance = state.cache.instance_row(&state.db, &path).await?.ok_or_else(instance_not_found)?;
    state.instance_tokens.ensure_key(&state.db, instance.id).await?;
    let keys = signing_keys::published(&state.db, instance.id).await?;
    let keys = keys.iter().filter_map(jwk).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .content_type("application/jwk-set+json")
        .json(Jwks { keys }))
}

/// The metadata document of instance `slug`.
async fn metadata(state: &AppState, slug: &str) -> Result<HttpResponse, ApiError> {
    let instance = state.cache.instance_row(&state.db, slug).await?.ok_or_else(instance_not_found)?;
    let active = state.instance_tokens.ensure_key(&state.db, instance.id).await?;
    let issuer = state.instance_tokens.issuer(&instance.slug);
    let auth_methods = vec!["client_secret_basic", "client_secret_post"];
    let doc = ServerMetadata {
        jwks_uri: format!("{issuer}/.well-known/jwks.json"),
        token_endpoint: format!("{issuer}/oauth/token"),
        revocation_endpoint: format!("{issuer}/oauth/revoke"),
        introspection_endpoint: format!("{issuer}/oauth/introspect"),
        authorization_endpoint: format!("{issuer}/oauth/authorize"),
        grant_types_supported: vec!["authorization_code", "client_credentials", "password", "refresh_token"],
        token_endpoint_auth_methods_supported: auth_methods.clone(),
        revocation_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post", "none"],
        introspection_endpoint_auth_methods_supported: auth_methods,
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query"],
        code_challenge_methods_supported: vec!["S256"],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: super::hosted::service::SCOPES.iter().chain(super::oauth::BACKEND_SCOPES).copied().collect(),
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec![active.algorithm],
        claims_supported: vec![
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "jti",
            "client_id",
            "scope",
            "sid",
            "typ",
            "auth_time",
            "nonce",
            "azp",
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
        ],
        service_documentation: format!("{}/api/docs/", state.public_url),
        issuer,
    };
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")).json(doc))
}

/// OpenID Connect discovery of the instance (its issuer's `/.well-known/openid-configuration`).
#[utoipa::path(
    get,
    tag = "discovery",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = ServerMetadata), (status = 404, response = crate::problem::NotFound))
)]
#[route("/{instance}/.well-known/openid-configuration", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn openid_configuration(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    metadata(&state, &path).await
}

/// OAuth 2.0 authorization-server metadata of the instance (RFC 8414), under its issuer.
#[utoipa::path(
    get,
    tag = "discovery",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = ServerMetadata), (status = 404, response = crate::problem::NotFound))
)]
#[route("/{instance}/.well-known/oauth-authorization-server", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn authorization_server_metadata(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    metadata(&state, &path).await
}

/// The same metadata where RFC 8414 §3.1 puts it for an issuer with a path: the well-known
/// segment between the host and the issuer's path.
#[utoipa::path(
    get,
    tag = "operations",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = ServerMetadata), (status = 404, response = crate::problem::NotFound))
)]
#[route("/.well-known/oauth-authorization-server/public/v1/{instance}", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn authorization_server_metadata_at_root(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    metadata(&state, &path).await
}

/// The instance's name and logo, for login screens. Public.
#[utoipa::path(
    get,
    tag = "branding",
    params(("instance" = String, Path, description = "The instance's slug")),
    responses((status = 200, body = Branding), (status = 404, response = crate::problem::NotFound))
)]
#[route("/{instance}/branding", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn branding(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // The slug straight from the matched path (no extractor): this route is among the busiest.
    let slug = req.match_info().get("instance").unwrap_or_default();
    let cached = crate::metering::instance_of(&state, &req, slug).await?.ok_or_else(instance_not_found)?;
    let instance = &cached.instance;
    let logo_url = cached.logo_sha256.as_deref().map(|sha| logo_url(&state.public_url, &instance.slug, sha));
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, header::HeaderValue::from_static("public, max-age=60")))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*")))
        .json(BrandingRef { instance: &instance.slug, name: &instance.name, logo_url }))
}

/// The instance's logo (PNG). Public and cacheable: an `ETag` answers `If-None-Match` with 304;
/// the versioned URL given by the branding endpoint (`?v=`) may be cached for a year.
#[utoipa::path(
    get,
    tag = "branding",
    params(
        ("instance" = String, Path, description = "The instance's slug"),
        ("v" = Option<String>, Query, description = "The logo's version, from `logo_url`"),
    ),
    responses(
        (status = 200, description = "The PNG", content_type = "image/png", body = Vec<u8>,
            headers(("ETag" = String, description = "The SHA-256 of the file, quoted"), ("Cache-Control" = String, description = "Caching policy"))),
        (status = 304, description = "Not modified (the `If-None-Match` ETag is current)"),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[route("/{instance}/branding/logo", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all)]
pub async fn logo(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, query: web::Query<LogoQuery>) -> Result<HttpResponse, ApiError> {
    let instance = state.cache.instance_row(&state.db, &path).await?.ok_or_else(instance_not_found)?;
    let not_set = || ApiError::not_found("The instance has no logo.").with_code("logo_not_set");
    let facts = logos::logo_facts(&state.db, instance.id).await?.ok_or_else(not_set)?;
    let etag = format!("\"{}\"", facts.sha256);
    let versioned = query.v.as_deref().is_some_and(|v| !v.is_empty() && facts.sha256.starts_with(v));
    let cache = if versioned { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let matches = crate::extract::if_none_match(&req, &etag);
    let mut res = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'"));
    if matches {
        return Ok(res.finish());
    }
    let logo = logos::logo(&state.db, instance.id).await?.ok_or_else(not_set)?;
    Ok(res.insert_header((header::ETAG, format!("\"{}\"", logo.sha256))).content_type("image/png").body(logo.png))
}

#[derive(serde::Deserialize)]
pub struct LogoQuery {
    v: Option<String>,
}

/// The calling application: a first call to check a configuration.
#[utoipa::path(
    tag = "applications",
    params(crate::openapi::InstancePath, ("X-Client-Id" = Option<String>, Header, description = "Front-end apps: their client id")),
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
        client_id: caller.app.client_id.clone(),
        name: caller.app.name.clone(),
        kind: caller.app.kind.clone(),
        authenticated_by: if caller.claims.is_some() { "bearer_token" } else { "client_id" },
        scopes,
        instance: caller.instance.slug,
    }))
}

/// The ways of signing in this application offers (enabled providers, in order), for a custom
/// login screen: email and password, guest, the social and OpenID Connect providers.
#[utoipa::path(
    operation_id = "list_offered_providers",
    tag = "end-user-auth",
    params(crate::openapi::InstancePath),
    security(("client_id" = []), ("app_bearer" = [])),
    responses((status = 200, body = super::dto::OfferedProviders), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden))
)]
#[get("/{instance}/auth/providers")]
#[tracing::instrument(skip_all)]
pub async fn providers(state: web::Data<AppState>, caller: AppCaller) -> Result<HttpResponse, ApiError> {
    use crate::routes::identity_providers::service::kind_of;
    let offered = super::hosted::service::offered(&state, caller.instance.id, caller.app.id).await?;
    let registration_enabled = super::hosted::service::password_of(&offered).is_some_and(|p| p.allow_registration);
    let items = offered
        .into_iter()
        .map(|p| super::dto::OfferedProvider {
            kind: kind_of(&p).into(),
            key: p.key,
            display_name: p.display_name,
            button_label: p.button_label,
            position: p.position,
        })
        .collect();
    let authorization_endpoint = format!("{}/oauth/authorize", state.instance_tokens.issuer(&caller.instance.slug));
    Ok(HttpResponse::Ok().json(super::dto::OfferedProviders { items, registration_enabled, authorization_endpoint }))
}

/// The instance's public configuration: the custom entries its developers marked public, key →
/// value in force. The `ETag` is the configuration's revision: `If-None-Match` with it answers
/// 304 while nothing changed.
#[utoipa::path(
    tag = "configuration",
    params(
        crate::openapi::InstancePath,
        ("X-Client-Id" = Option<String>, Header, description = "Front-end apps: their client id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy you hold")
    ),
    security(("app_bearer" = []), ("client_id" = [])),
    responses(
        (status = 200, body = crate::routes::config::dto::PublicConfig, headers(("ETag" = String, description = "The configuration's revision"))),
        (status = 304, description = "Not modified (the `If-None-Match` ETag is current)"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/{instance}/config")]
#[tracing::instrument(skip_all)]
pub async fn public_config(state: web::Data<AppState>, req: HttpRequest, caller: AppCaller) -> Result<HttpResponse, ApiError> {
    let (revision, values) = crate::routes::config::service::public_values(&state, caller.instance.id).await?;
    let etag = format!("\"r{revision}\"");
    let matches = crate::extract::if_none_match(&req, &etag);
    let mut res = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if matches {
        return Ok(res.finish());
    }
    Ok(res.json(crate::routes::config::dto::PublicConfig { revision, values }))
}

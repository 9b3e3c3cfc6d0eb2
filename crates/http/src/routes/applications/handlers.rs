use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use steward_domain::ValueError;
use steward_domain::application::{AllowedOrigin, AppKind, AppName, MAX_URLS, RedirectUri, parse_description};
use steward_persistence::applications::{self, AppChanges, NewApplication, NewSecret};
use uuid::Uuid;

use super::dto::{
    AppKindDto, ApplicationDto, ApplicationList, CreateApplicationRequest, CreatedApplication, Quickstart, RotateSecretRequest, RotatedSecret, SecretInfo,
    UpdateApplicationRequest,
};
use crate::AppState;
use crate::access::{Applications, Member, Read, Write};
use crate::auth::client_secrets::new_client_id;
use crate::extract::{ApiJson, Deferred, PageQuery};
use crate::problem::{ApiError, FieldError, Fields};

use super::service::{self, app_not_found};

/// Parses a list of URLs with `parse`, naming each bad entry `field[i]`.
fn parse_urls<T>(fields: &mut Fields, field: &str, raw: &[String], parse: impl Fn(&str) -> Result<T, ValueError>, out: impl Fn(T) -> String) -> Vec<String> {
    if raw.len() > MAX_URLS {
        fields.push(FieldError::new(field, "too_many", format!("At most {MAX_URLS} entries.")));
        return Vec::new();
    }
    let mut values: Vec<String> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        if let Some(v) = fields.check(&format!("{field}[{i}]"), parse(r)) {
            let v = out(v);
            if !values.contains(&v) {
                values.push(v);
            }
        }
    }
    values
}

fn not_for_backend(fields: &mut Fields, kind: AppKind, field: &str, given: Option<&Vec<String>>) {
    if kind == AppKind::Backend && given.is_some_and(|v| !v.is_empty()) {
        fields.push(FieldError::new(
            field,
            "not_applicable",
            "Back-end applications call the API from servers: origins and redirect URIs apply to front-end applications only.",
        ));
    }
}

/// The instance's applications, newest first.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:read"])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = ApplicationList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/applications")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_applications(state: web::Data<AppState>, member: Member<Read<Applications>>, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let (limit, cursor) = query.parse()?;
    let page = applications::list(&state.db, membership.instance.id, limit, cursor.as_deref()).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|a| a.id).collect();
    let mut secrets = applications::secrets_of(&state.db, &ids).await?;
    let items = page
        .items
        .into_iter()
        .map(|a| {
            let mine = secrets.extract_if(.., |s| s.application_id == a.id).collect();
            ApplicationDto::new(a, mine)
        })
        .collect();
    Ok(HttpResponse::Ok().json(ApplicationList { items, next_cursor: page.next_cursor, total: page.total }))
}

/// Connect an application. A back-end app's `client_secret` is in this response only.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:write"])),
    params(crate::openapi::InstancePath),
    request_body = CreateApplicationRequest,
    responses(
        (status = 201, body = CreatedApplication, headers(("Location" = String, description = "The application's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/applications")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_application(
    state: web::Data<AppState>,
    member: Member<Write<Applications>>,
    body: Deferred<ApiJson<CreateApplicationRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let body = body.0;
    let kind = match body.kind {
        AppKindDto::Frontend => AppKind::Frontend,
        AppKindDto::Backend => AppKind::Backend,
    };
    let mut fields = Fields::default();
    let name = fields.check("name", AppName::parse(&body.name));
    let description = fields.check("description", parse_description(body.description.as_deref().unwrap_or(""))).unwrap_or_default();
    not_for_backend(&mut fields, kind, "allowed_origins", body.allowed_origins.as_ref());
    not_for_backend(&mut fields, kind, "redirect_uris", body.redirect_uris.as_ref());
    let origins = parse_urls(&mut fields, "allowed_origins", body.allowed_origins.as_deref().unwrap_or(&[]), AllowedOrigin::parse, AllowedOrigin::into_inner);
    let redirects = parse_urls(&mut fields, "redirect_uris", body.redirect_uris.as_deref().unwrap_or(&[]), RedirectUri::parse, RedirectUri::into_inner);
    fields.finish()?;
    let Some(name) = name else { return Err(ApiError::invariant()) };

    let secret = (kind == AppKind::Backend).then(|| state.client_secrets.generate());
    let app = service::create(
        &state,
        &membership.instance,
        &actor,
        NewApplication {
            kind: kind.as_str(),
            name: name.into_inner(),
            description,
            enabled: body.enabled.unwrap_or(true),
            allowed_origins: origins,
            redirect_uris: redirects,
            client_id: new_client_id(),
        },
        secret.as_ref().map(|s| NewSecret { hash: &s.hash, hint: &s.hint }),
    )
    .await?;
    let secrets = applications::valid_secrets(&state.db, app.id).await?;
    let location = format!("/api/v1/instances/{}/applications/{}", membership.instance.slug, app.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedApplication { application: ApplicationDto::new(app, secrets), client_secret: secret.map(|s| s.secret) }))
}

/// One application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The application's id")),
    responses((status = 200, body = ApplicationDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/applications/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_application(
    state: web::Data<AppState>,
    member: Member<Read<Applications>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let membership = member.membership;
    let app = applications::get(&state.db, membership.instance.id, id).await?.ok_or_else(app_not_found)?;
    let secrets = applications::valid_secrets(&state.db, app.id).await?;
    Ok(HttpResponse::Ok().json(ApplicationDto::new(app, secrets)))
}

/// Change an application's name, description, enabled flag, origins or redirect URIs.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The application's id")),
    request_body = UpdateApplicationRequest,
    responses(
        (status = 200, body = ApplicationDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}/applications/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_application(
    state: web::Data<AppState>,
    member: Member<Write<Applications>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateApplicationRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let app = applications::get(&state.db, membership.instance.id, id).await?.ok_or_else(app_not_found)?;
    let kind = AppKind::parse(&app.kind).unwrap_or(AppKind::Frontend);
    let body = body.0;
    let mut fields = Fields::default();
    let name = body.name.as_deref().and_then(|n| fields.check("name", AppName::parse(n)));
    let description = body.description.as_deref().and_then(|d| fields.check("description", parse_description(d)));
    not_for_backend(&mut fields, kind, "allowed_origins", body.allowed_origins.as_ref());
    not_for_backend(&mut fields, kind, "redirect_uris", body.redirect_uris.as_ref());
    let origins = body.allowed_origins.as_deref().map(|o| parse_urls(&mut fields, "allowed_origins", o, AllowedOrigin::parse, AllowedOrigin::into_inner));
    let redirects = body.redirect_uris.as_deref().map(|r| parse_urls(&mut fields, "redirect_uris", r, RedirectUri::parse, RedirectUri::into_inner));
    fields.finish()?;
    let app = service::update(
        &state,
        &membership.instance,
        &actor,
        app,
        AppChanges { name: name.map(AppName::into_inner), description, enabled: body.enabled, allowed_origins: origins, redirect_uris: redirects },
    )
    .await?;
    let secrets = applications::valid_secrets(&state.db, app.id).await?;
    Ok(HttpResponse::Ok().json(ApplicationDto::new(app, secrets)))
}

/// Delete an application: its client id and secrets stop working at once.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The application's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/applications/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_application(
    state: web::Data<AppState>,
    member: Member<Write<Applications>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::delete(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a back-end application's secret. The new secret is in this response only; the old
/// one keeps working for `grace_period_secs` (default 0: it stops at once).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The application's id")),
    request_body = RotateSecretRequest,
    responses(
        (status = 200, body = RotatedSecret),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/applications/{id}/secret")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    member: Member<Write<Applications>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<RotateSecretRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let until = body.0.old_secret_until()?;
    let app = applications::get(&state.db, membership.instance.id, id).await?.ok_or_else(app_not_found)?;
    if app.kind != "backend" {
        return Err(ApiError::conflict("not_applicable", "Front-end applications have no secret to rotate."));
    }
    let secret = state.client_secrets.generate();
    let created = service::rotate_secret(&state, &membership.instance, &actor, &app, NewSecret { hash: &secret.hash, hint: &secret.hint }, until).await?;
    tracing::info!(application_id = %app.id, old_secret_until = %until, "client secret rotated");
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(RotatedSecret {
        client_secret: secret.secret,
        secret: SecretInfo::from(created),
        previous_secret_expires_at: until.to_utc(),
    }))
}

/// Ready-to-paste configuration and a first call for the application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["applications:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The application's id")),
    responses((status = 200, body = Quickstart), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/applications/{id}/quickstart")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn quickstart(state: web::Data<AppState>, member: Member<Read<Applications>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let membership = member.membership;
    let app = applications::get(&state.db, membership.instance.id, id).await?.ok_or_else(app_not_found)?;
    let base = state.instance_tokens.issuer(&membership.instance.slug);
    let client_id = &app.client_id;
    let (env, curl, javascript) = if app.kind == "backend" {
        (
            format!("STEWARD_API_URL={base}\nSTEWARD_CLIENT_ID={client_id}\nSTEWARD_CLIENT_SECRET=<the secret shown when you created or rotated it>\n"),
            format!(
                "# 1. Get an access token (client-credentials grant)\n\
                 TOKEN=$(curl -s -u \"$STEWARD_CLIENT_ID:$STEWARD_CLIENT_SECRET\" \\\n  -d grant_type=client_credentials \\\n  {base}/oauth/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n\
                 # 2. Call the API\n\
                 curl -s -H \"Authorization: Bearer $TOKEN\" {base}/app\n"
            ),
            format!(
                "const base = process.env.STEWARD_API_URL; // {base}\n\
                 const basic = Buffer.from(`${{process.env.STEWARD_CLIENT_ID}}:${{process.env.STEWARD_CLIENT_SECRET}}`).toString('base64');\n\
                 const tokenRes = await fetch(`${{base}}/oauth/token`, {{\n  method: 'POST',\n  headers: {{ Authorization: `Basic ${{basic}}`, 'Content-Type': 'application/x-www-form-urlencoded' }},\n  body: new URLSearchParams({{ grant_type: 'client_credentials' }}),\n}});\n\
                 const {{ access_token }} = await tokenRes.json();\n\
                 const app = await fetch(`${{base}}/app`, {{ headers: {{ Authorization: `Bearer ${{access_token}}` }} }}).then((r) => r.json());\n\
                 console.log(app);\n"
            ),
        )
    } else {
        let origin = app.allowed_origins.as_array().and_then(|a| a.first()).and_then(|v| v.as_str()).unwrap_or("http://localhost:5173").to_owned();
        (
            format!("VITE_STEWARD_API_URL={base}\nVITE_STEWARD_CLIENT_ID={client_id}\n"),
            format!("curl -s -H \"X-Client-Id: {client_id}\" -H \"Origin: {origin}\" {base}/app\n"),
            format!(
                "const base = import.meta.env.VITE_STEWARD_API_URL; // {base}\n\
                 const app = await fetch(`${{base}}/app`, {{\n  headers: {{ 'X-Client-Id': import.meta.env.VITE_STEWARD_CLIENT_ID }},\n}}).then((r) => r.json());\n\
                 console.log(app);\n"
            ),
        )
    };
    let algorithm = state.instance_tokens.ensure_key(&state.db, membership.instance.id).await?.algorithm;
    let verify_node = format!(
        "// npm install jose\n\
         import {{ createRemoteJWKSet, jwtVerify }} from 'jose';\n\
         const jwks = createRemoteJWKSet(new URL('{base}/.well-known/jwks.json'));\n\
         // Pins the issuer and audience; the algorithm is the key's ({algorithm} now, whatever it becomes).\n\
         const {{ payload }} = await jwtVerify(token, jwks, {{ issuer: '{base}', audience: '{base}' }});\n\
         console.log(payload.sub, payload.typ, payload.scope);\n"
    );
    let verify_python = format!(
        "# pip install 'pyjwt[crypto]'\n\
         import jwt\n\
         jwks = jwt.PyJWKClient('{base}/.well-known/jwks.json')\n\
         key = jwks.get_signing_key_from_jwt(token)\n\
         # The key says its algorithm ({algorithm} now); never take it from the token alone.\n\
         claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], issuer='{base}', audience='{base}')\n\
         print(claims['sub'], claims['typ'])\n"
    );
    Ok(HttpResponse::Ok().json(Quickstart {
        verify_node,
        verify_python,
        discovery_url: format!("{base}/.well-known/openid-configuration"),
        api_base_url: base.clone(),
        client_id: client_id.clone(),
        env,
        curl,
        javascript,
        openapi_url: format!("{}/public/openapi.json", state.public_url),
        docs_url: format!("{}/api/docs/", state.public_url),
        jwks_url: format!("{base}/.well-known/jwks.json"),
    }))
}

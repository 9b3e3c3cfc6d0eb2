//! The OpenAPI 3.1 documents and their interactive reference (Swagger UI, served from assets
//! embedded in the binary: it works with no network).
//!
//! Paths are collected from the handlers' `#[utoipa::path]` attributes by utoipa-actix-web as
//! routes are registered: there is no central list to forget to update. The whole is split into
//! the console document and the instance public API's ([`document`]; decision 0011), committed
//! as `openapi/console.json` and `openapi/public.json` and checked for drift by a test
//! (`make openapi` rewrites them).

use std::collections::BTreeSet;

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::problem;

/// The `{instance}` path parameter, declared once for the routes that read it only through
/// `Member<_>` or `AppCaller` (routes with a `web::Path` argument declare it beside their other
/// path parameters, where utoipa matches it by name).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Documents the path; handlers read `{instance}` through their extractors.
pub struct InstancePath {
    /// The instance's slug
    pub instance: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward API",
        description = "The console API of Steward, a self-hostable developer console and instance API.\n\n\
            Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code` and per-field `errors`.\n\
            Console routes take a short-lived access token: `Authorization: Bearer <access_token>` from `POST /api/v1/auth/login`.\n\n\
            Machines use a management client's token instead (`POST /api/v1/oauth/token`, client credentials): it works on the \
            `/api/v1/instances/{instance}/…` routes of the client's instance whose `management` security lists a scope the token holds.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&BearerAuth),
    components(
        schemas(problem::Problem, problem::FieldError),
        responses(
            problem::ValidationFailed,
            problem::BadRequest,
            problem::Unauthorized,
            problem::Forbidden,
            problem::NotFound,
            problem::ConflictResponse,
            problem::PreconditionFailed,
            problem::TooManyRequests,
            problem::UnsupportedMediaType,
            problem::PayloadTooLarge,
        )
    ),
    tags(
        (name = "auth", description = "Sign up, sign in, refresh and sign out (console accounts)."),
        (name = "me", description = "The signed-in console account."),
        (name = "instances", description = "Client instances and their settings."),
        (name = "members", description = "Members of an instance and their roles."),
        (name = "applications", description = "Applications connected to an instance's public API, and its signing keys."),
        (name = "users", description = "End users of an instance."),
        (name = "emails", description = "Outgoing emails of an instance: the outbox and the local mailbox."),
        (name = "branding", description = "General: the instance's corporate identity (logo)."),
        (name = "email-templates", description = "General: the instance's email messages (templates, font) with previews."),
        (name = "audit-log", description = "The instance's audit log: who changed what, when and from where (admin and up)."),
        (name = "smtp", description = "General: the instance's own SMTP server, and a step-by-step connection test."),
        (name = "identity-providers", description = "General: the providers end users may sign in with (email and password, guest, Google, Facebook, X, LinkedIn, OpenID Connect issuers)."),
        (name = "webhooks", description = "Webhook endpoints of an instance (Standard Webhooks signatures), their deliveries, test events and resends."),
        (name = "management-clients", description = "Machines with scoped client-credentials access to an instance's console API (admins manage them)."),
        (name = "end-user-auth", description = "End users sign up, sign in, verify their address, reset their password and manage their own account."),
        (name = "hosted-sign-in", description = "The instance's hosted, branded sign-in page: authorization code with PKCE for applications, sign-in with a password or at an identity provider."),
        (name = "oauth", description = "Applications' tokens: client credentials, revocation (RFC 7009) and introspection (RFC 7662)."),
        (name = "discovery", description = "The instance's issuer metadata (OpenID Connect discovery, RFC 8414) and its signing keys (JWKS)."),
        (name = "operations", description = "Health, readiness and metrics."),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").description(Some("A console access token.")).build()),
        );
        let scopes = steward_domain::scope::Scope::all().into_iter().map(|s| (s.as_string(), s.description().to_owned()));
        components.add_security_scheme(
            "management",
            SecurityScheme::OAuth2(utoipa::openapi::security::OAuth2::with_description(
                [utoipa::openapi::security::Flow::ClientCredentials(utoipa::openapi::security::ClientCredentials::new(
                    "/api/v1/oauth/token",
                    utoipa::openapi::security::Scopes::from_iter(scopes),
                ))],
                "A management client's token (client credentials), for the routes of its instance that its scopes allow.",
            )),
        );
        components.add_security_scheme(
            "app_bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A back-end application's token: `POST /oauth/token` with `grant_type=client_credentials` (scope `users:manage` for the users routes).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "end_user_bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A signed-in end user's access token (from `POST /auth/login` or `POST /auth/refresh`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_id",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(utoipa::openapi::security::ApiKeyValue::with_description(
                "X-Client-Id",
                "A front-end application's client id (its requests' Origin must be allowed).",
            ))),
        );
    }
}

/// The document's fixed part; handlers add their paths.
pub fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// Adds the answers every operation of a kind can give, so no handler can forget them: 415 for a
/// body of the wrong type (or none) and 400 for one that does not parse wherever a body is taken,
/// 404 wherever the path names something (an unknown instance, user, ...).
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in doc.paths.paths.iter_mut() {
        let named = path.contains('{');
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.head, &mut item.patch, &mut item.trace];
        for op in ops.into_iter().flatten() {
            // A path parameter declared twice (by a handler's `web::Path` and by `InstancePath`)
            // is one parameter.
            if let Some(params) = op.parameters.as_mut() {
                let mut seen = std::collections::HashSet::new();
                params.retain(|p| seen.insert((p.name.clone(), serde_json::to_string(&p.parameter_in).unwrap_or_default())));
            }
            let responses = &mut op.responses.responses;
            if op.request_body.is_some() {
                responses.entry("415".to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("UnsupportedMediaType")));
                responses.entry("400".to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("BadRequest")));
            }
            if named {
                responses.entry("404".to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("NotFound")));
            }
        }
    }
}

/// A document as committed in `openapi/`: pretty JSON with a final newline.
pub fn to_pretty_json(doc: &Value) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(doc)?;
    s.push('\n');
    Ok(s)
}

/// `/api/openapi.json` (the console document), `/public/openapi.json` (the public API's) and the
/// reference page at `/api/docs/`, which shows either.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/docs", web::get().to(|| async { HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish() })).service(
        SwaggerUi::new("/api/docs/{_:.*}").external_urls_from_iter_unchecked([
            (utoipa_swagger_ui::Url::new("Console API", "/api/openapi.json"), document(Which::Console)),
            (utoipa_swagger_ui::Url::new("Instance public API", "/public/openapi.json"), document(Which::Public)),
        ]),
    );
}

/// Where the instance public API's paths start; its document's server carries it, with `{instance}`
/// as a server variable.
const PUBLIC_PREFIX: &str = "/public/v1/{instance}";

/// The two documents integrators generate clients from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The console and management API (`/api/openapi.json`, `openapi/console.json`).
    Console,
    /// The instance public API (`/public/openapi.json`, `openapi/public.json`).
    Public,
}

/// One of the two published documents, split from every route the code declares: the public
/// API's paths (`/public/v1/{instance}/…`) lose their prefix, which becomes the `servers` entry
/// with an `{instance}` variable; everything else is the console document. Each keeps only the
/// components, security schemes and tags its operations use.
pub fn document(which: Which) -> Value {
    let full = serde_json::to_value(crate::openapi_document()).expect("the OpenAPI document serializes");
    split(full, which)
}

fn split(mut full: Value, which: Which) -> Value {
    let paths = std::mem::take(full["paths"].as_object_mut().expect("paths"));
    let mut kept = Map::new();
    for (path, mut item) in paths {
        match (which, path.strip_prefix(PUBLIC_PREFIX)) {
            (Which::Public, Some(rest)) => {
                for (_, op) in item.as_object_mut().into_iter().flatten() {
                    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                        params.retain(|p| !(p["in"] == "path" && p["name"] == "instance"));
                        if params.is_empty() {
                            op.as_object_mut().map(|o| o.remove("parameters"));
                        }
                    }
                }
                kept.insert(rest.to_owned(), item);
            }
            (Which::Console, None) => {
                kept.insert(path, item);
            }
            _ => {}
        }
    }
    full["paths"] = Value::Object(kept);
    bytes_bodies(&mut full);
    empty_means_absent(&mut full);
    match which {
        Which::Console => {
            full["info"]["title"] = json!("Steward console API");
            full["servers"] = json!([{ "url": "/", "description": "This Steward server" }]);
        }
        Which::Public => {
            full["info"]["title"] = json!("Steward instance public API");
            full["info"]["description"] = json!(PUBLIC_DESCRIPTION);
            full["servers"] = json!([{
                "url": format!("{PUBLIC_PREFIX}"),
                "description": "An instance's public API on this Steward server",
                "variables": { "instance": { "default": "my-instance", "description": "The instance's slug" } },
            }]);
        }
    }
    prune(&mut full);
    full
}

const PUBLIC_DESCRIPTION: &str = "The public API of one Steward instance, called by its applications.\n\n\
    Front-end applications send their client id (`X-Client-Id`, from an allowed `Origin`); back-end applications \
    a token from `POST /oauth/token` (client credentials, `app_bearer`); signed-in end users their own access token \
    (`end_user_bearer`, from `POST /auth/login`).\n\n\
    Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code` and per-field `errors`.";

/// Bodies of a media type that is not JSON or a form (a PNG, a CSV) are bytes of that type, which
/// generated clients send as a file: `format: binary` with the media type.
fn bytes_bodies(doc: &mut Value) {
    for (_, item) in doc["paths"].as_object_mut().into_iter().flatten() {
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            for (media, content) in op.pointer_mut("/requestBody/content").and_then(Value::as_object_mut).into_iter().flatten() {
                if media.starts_with("image/") || media.starts_with("text/") {
                    content["schema"] = json!({ "type": "string", "format": "binary", "contentMediaType": media });
                }
            }
        }
    }
}

/// An optional query parameter with a closed set of values also takes the empty string, which
/// means "not given" (what an HTML form or a cleared filter sends).
fn empty_means_absent(doc: &mut Value) {
    for (_, item) in doc["paths"].as_object_mut().into_iter().flatten() {
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if param["in"] != "query" || param["required"] == true {
                    continue;
                }
                let schema = &mut param["schema"];
                if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
                    if !values.contains(&json!("")) {
                        values.push(json!(""));
                    }
                } else if schema.get("$ref").is_some() {
                    *schema = json!({ "anyOf": [schema.clone(), { "const": "" }] });
                }
            }
        }
    }
}

/// Drops the components, security schemes and tags no operation of this document uses.
fn prune(doc: &mut Value) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    collect_refs(&doc["paths"], &mut pending);
    while let Some(r) = pending.pop() {
        if !used.insert(r.clone()) {
            continue;
        }
        let pointer = r.trim_start_matches('#');
        if let Some(target) = doc.pointer(pointer) {
            collect_refs(target, &mut pending);
        }
    }
    let mut schemes: BTreeSet<String> = BTreeSet::new();
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for (_, item) in doc["paths"].as_object().into_iter().flatten() {
        for (_, op) in item.as_object().into_iter().flatten() {
            for requirement in op["security"].as_array().into_iter().flatten() {
                schemes.extend(requirement.as_object().into_iter().flatten().map(|(k, _)| k.clone()));
            }
            tags.extend(op["tags"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else { continue };
            if kind == "securitySchemes" {
                entries.retain(|name, _| schemes.contains(name));
            } else {
                entries.retain(|name, _| used.contains(&format!("#/components/{kind}/{name}")));
            }
        }
        components.retain(|_, entries| entries.as_object().is_none_or(|e| !e.is_empty()));
    }
    if let Some(list) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        list.retain(|t| t["name"].as_str().is_some_and(|n| tags.contains(n)));
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

//! The OpenAPI 3.1 document and its interactive reference (Swagger UI, served from assets
//! embedded in the binary: it works with no network).
//!
//! Paths are collected from the handlers' `#[utoipa::path]` attributes by utoipa-actix-web as
//! routes are registered: there is no central list to forget to update. `openapi/openapi.json`
//! in the repository is this document, checked for drift by a test (`make openapi` rewrites it).

use actix_web::{HttpResponse, web};
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
        (name = "webhooks", description = "Webhook endpoints of an instance (Standard Webhooks signatures), their deliveries, test events and resends."),
        (name = "management-clients", description = "Machines with scoped client-credentials access to an instance's console API (admins manage them)."),
        (name = "public", description = "The instance public API, called by applications: `/public/v1/{instance}/...`."),
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
                    .description(Some("A back-end application's token from `POST /public/v1/{instance}/oauth/token`."))
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

/// The document as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn to_pretty_json(doc: &utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(doc)?;
    s.push('\n');
    Ok(s)
}

/// `/api/openapi.json` and the reference page at `/api/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let doc = crate::openapi_document();
    cfg.route("/api/docs", web::get().to(|| async { HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish() }))
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc));
}

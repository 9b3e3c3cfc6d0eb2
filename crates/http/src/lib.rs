//! Steward's HTTP surface: the console API (`/api/v1`), operations endpoints, the OpenAPI
//! document and its reference page, and the console's static files.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod console;
pub mod emails;
pub mod extract;
pub mod federation;
pub mod metering;
pub mod metrics;
pub mod multipart;
pub mod oauth;
pub mod openapi;
pub mod outbound;
pub mod problem;
pub mod quota;
pub mod routes;
pub mod throttle;
pub mod webhooks;

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, web};
use steward_persistence::Database;
use utoipa_actix_web::AppExt as _;

pub use auth::{HashParams, PasswordHasher, TokenService};
pub use metrics::Metrics;

/// Brute-force protection for console sign-in.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failed attempts within `window_secs` that lock the account.
    pub max_failures: u32,
    pub window_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 10, window_secs: 15 * 60 }
    }
}

/// Limits on the public routes that send email (register, resend-verification,
/// forgot-password), per hour, counted in the database so they hold across processes.
#[derive(Debug, Clone, Copy)]
pub struct MailLimits {
    /// Emails one address may be sent.
    pub per_recipient: u32,
    /// Requests one client IP may make, per instance.
    pub per_ip: u32,
    /// Requests one instance may take.
    pub per_instance: u32,
}

impl Default for MailLimits {
    fn default() -> Self {
        Self { per_recipient: 5, per_ip: 30, per_instance: 1000 }
    }
}

/// Everything a handler may use, shared by every worker.
pub struct AppState {
    pub db: Database,
    /// The URL clients use to reach this server, without a trailing slash.
    pub public_url: String,
    pub tokens: TokenService,
    pub instance_tokens: auth::instance_tokens::InstanceTokens,
    pub client_secrets: auth::client_secrets::ClientSecrets,
    /// Encrypts secrets at rest (SMTP passwords) with a key derived from the master key.
    pub secrets: steward_persistence::crypto::SecretCipher,
    /// Extra root certificates for instances' own SMTP servers (`STEWARD_SMTP_CA_FILE`).
    pub smtp_roots: steward_mail::TrustedRoots,
    /// SMTP tests per instance and hour (`STEWARD_SMTP_TESTS_PER_HOUR`): each connects where its
    /// caller says. Counted in the database, so the limit holds across processes.
    pub smtp_tests_per_hour: u32,
    /// Where instances' own SMTP servers may be (`STEWARD_SMTP_ALLOW_PRIVATE_NETWORKS`).
    pub smtp_egress: steward_mail::Egress,
    pub hasher: Arc<PasswordHasher>,
    pub lockout: LockoutPolicy,
    pub mail_limits: MailLimits,
    /// Sign-ins one client IP may start on an instance's hosted page per 10 minutes.
    pub signin_page_limit_per_ip: u32,
    pub refresh_ttl_secs: i64,
    pub metrics: Metrics,
    /// Wakes the mail worker when an email is queued (it also polls).
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes the webhook worker when an event is recorded (it also polls).
    pub webhook_wakeup: Arc<tokio::sync::Notify>,
    /// Where the built console lives (`frontend/dist`); `None` when it is not built.
    pub console_dir: Option<PathBuf>,
    /// Proxies whose `X-Forwarded-For` is believed (`STEWARD_TRUSTED_PROXIES`).
    pub trusted_proxies: steward_domain::net::TrustedProxies,
    /// The platform's mail transport, as the console describes it.
    pub platform_mail: PlatformMail,
    /// Calls to identity providers (sign-in with Google, an OIDC issuer...).
    pub federation: federation::Federation,
    /// What every public API call reads (instances, applications, verified tokens), kept fresh
    /// across processes; also holds the plan catalogue.
    pub cache: cache::PublicCache,
    /// Public API calls counted and not yet flushed to the rollups.
    pub meter: metering::Meter,
    /// Leases of hard-limited instances' quotas.
    pub quota: quota::Quota,
}

/// The platform's own mail transport: an SMTP server (`STEWARD_SMTP_URL`), or — without one —
/// the local mailbox that captures instances' emails.
#[derive(Debug, Clone)]
pub struct PlatformMail {
    /// The SMTP server's host; `None` when emails are captured locally.
    pub smtp_host: Option<String>,
    /// The From of platform-sent emails (`STEWARD_MAIL_FROM`).
    pub from: String,
}

/// Registers every documented route on a utoipa-aware app.
fn documented<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(openapi::base())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
        .service(utoipa_actix_web::scope("/public/v1").wrap(actix_web::middleware::from_fn(metering::meter)).configure(routes::public::configure))
        .service(routes::public::handlers::authorization_server_metadata_at_root)
        .configure(routes::health::configure)
}

/// The OpenAPI document of every route, as the code declares it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = documented(App::new().into_utoipa_app()).split_for_parts();
    openapi::complete(&mut doc);
    doc
}

/// The whole application: API, operations endpoints, API reference and console.
pub fn app(
    state: web::Data<AppState>,
) -> App<impl ServiceFactory<ServiceRequest, Config = (), Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error, InitError = ()>> {
    let metrics = state.metrics.clone();
    let (app, _) = documented(
        App::new().app_data(state).app_data(extract::query_config()).app_data(extract::path_config()).app_data(extract::payload_config()).into_utoipa_app(),
    )
    .split_for_parts();
    app.configure(openapi::configure)
        .default_service(web::to(console::serve))
        .wrap(actix_web::middleware::from_fn(metrics::track))
        .wrap(actix_web::middleware::from_fn(head_as_get))
        .app_data(web::Data::new(metrics))
}

/// `HEAD` is answered as `GET` on every route that answers `GET` (RFC 9110 §9.3.2): the route
/// runs as a GET, and the server sends its headers (`Content-Length` included) without the body,
/// as it does for any response to a HEAD request.
async fn head_as_get(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

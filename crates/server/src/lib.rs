//! The `steward` binary's library: settings, keys and wiring. The binary (`main.rs`) parses the
//! command line; tests build an [`Application`] directly.

pub mod keys;
pub mod mailer;
pub mod memory;
pub mod retention;
pub mod settings;
pub mod telemetry;
pub mod usage;
pub mod webhooks;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};
use anyhow::Context;
use steward_http::auth::client_secrets::ClientSecrets;
use steward_http::auth::instance_tokens::InstanceTokens;
use steward_http::{AppState, HashParams, LockoutPolicy, MailLimits, Metrics, PasswordHasher, TokenService};

pub use settings::Settings;

/// A configured server, bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    workers: Workers,
}

/// The background work of a process: the mail worker and the retention job, stopped together.
pub struct Workers {
    state: web::Data<AppState>,
    usage: usage::UsageHandle,
    mailer: mailer::MailerHandle,
    webhooks: webhooks::WebhookHandle,
    retention: tokio::task::JoinHandle<()>,
    stop_retention: tokio::sync::watch::Sender<bool>,
}

impl Workers {
    /// Stops claiming new work, lets what is under way finish (each send is bounded) and
    /// releases what was claimed but not started.
    pub async fn shutdown(self) {
        let _ = self.stop_retention.send(true);
        self.usage.shutdown(&self.state).await;
        self.mailer.shutdown().await;
        self.webhooks.shutdown().await;
        let _ = self.retention.await;
    }

    /// Ends the workers at once, as a crash would (tests of what survives a killed process).
    pub fn abort(&self) {
        self.usage.abort();
        self.mailer.task.abort();
        self.webhooks.task.abort();
        self.retention.abort();
    }
}

impl Application {
    /// Connects to the database, applies migrations, loads keys and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        memory::tune_allocator();
        if settings.uses_sqlite() || settings.master_key.is_none() {
            std::fs::create_dir_all(&settings.data_dir).with_context(|| format!("Failed to create the data directory {}", settings.data_dir.display()))?;
        }
        let master_key = keys::MasterKey::load_or_create(settings.master_key.as_deref(), &settings.data_dir)?;
        let db = steward_persistence::connect(&settings.database_url()).await?;
        steward_persistence::db::migrate(&db).await?;

        let listener = TcpListener::bind(settings.bind_addr()?).with_context(|| format!("Failed to listen on {}", settings.bind))?;
        let bound = listener.local_addr()?;
        let public_url = settings.public_url(bound);
        let cores = Settings::cores();
        let hasher = PasswordHasher::new(
            HashParams { memory_kib: settings.argon2_memory_kib, iterations: settings.argon2_iterations, parallelism: settings.argon2_parallelism },
            settings.hash_concurrency.unwrap_or(cores),
        )
        .context("Invalid STEWARD_ARGON2_* settings")?;
        let transport = match settings.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => mailer::Transport::Smtp(steward_mail::SmtpSender::from_url(url, std::time::Duration::from_secs(settings.smtp_timeout_secs))?),
            None => mailer::Transport::Capture,
        };
        let mail_wakeup = Arc::new(tokio::sync::Notify::new());
        let webhook_wakeup = Arc::new(tokio::sync::Notify::new());
        let roots = match &settings.smtp_ca_file {
            Some(path) => steward_mail::TrustedRoots::from_pem_file(path).context("Invalid STEWARD_SMTP_CA_FILE")?,
            None => steward_mail::TrustedRoots::default(),
        };
        let egress = steward_mail::Egress { allow_private: settings.smtp_allow_private_networks };
        let cipher = steward_persistence::crypto::SecretCipher::new(&master_key.derive("secrets-at-rest/v1"));
        let state = web::Data::new(AppState {
            db,
            public_url: public_url.clone(),
            tokens: TokenService::new(&master_key.derive("console-access-token/v1"), public_url.clone(), settings.access_token_ttl_secs),
            instance_tokens: InstanceTokens::new(cipher.clone(), public_url.clone(), settings.app_token_ttl_secs),
            secrets: cipher,
            smtp_roots: roots.clone(),
            smtp_tests_per_hour: settings.smtp_tests_per_hour,
            smtp_egress: egress,
            client_secrets: ClientSecrets::new(master_key.derive("client-secret/v1")),
            hasher: Arc::new(hasher),
            lockout: LockoutPolicy { max_failures: settings.signin_max_failures, ..LockoutPolicy::default() },
            mail_limits: MailLimits {
                per_recipient: settings.mail_limit_per_recipient,
                per_ip: settings.mail_limit_per_ip,
                per_instance: settings.mail_limit_per_instance,
            },
            signin_page_limit_per_ip: settings.signin_page_limit_per_ip,
            refresh_ttl_secs: settings.refresh_token_ttl_secs,
            metrics: Metrics::new()?,
            console_dir: settings.console_dir(),
            mail_wakeup: mail_wakeup.clone(),
            webhook_wakeup: webhook_wakeup.clone(),
            trusted_proxies: settings.trusted_proxies()?,
            federation: steward_http::federation::Federation::new(
                egress,
                settings.provider_endpoints()?,
                std::time::Duration::from_secs(settings.idp_timeout_secs),
            )?,
            cache: steward_http::cache::PublicCache::new(
                std::time::Duration::from_secs(settings.cache_ttl_secs),
                Arc::new(settings.catalogue()?),
                steward_domain::config::PlatformDefaults {
                    access_ttl_secs: settings.app_token_ttl_secs,
                    refresh_ttl_secs: settings.refresh_token_ttl_secs,
                    lockout_threshold: settings.signin_max_failures,
                    lockout_window_secs: LockoutPolicy::default().window_secs,
                },
            ),
            meter: steward_http::metering::Meter::new(settings.metering),
            quota: steward_http::quota::Quota::default(),
            platform_mail: steward_http::PlatformMail {
                smtp_host: match &transport {
                    mailer::Transport::Smtp(sender) => Some(sender.host().to_owned()),
                    mailer::Transport::Capture => None,
                },
                from: settings.mail_from.clone(),
            },
        });
        let mailer = mailer::Mailer {
            db: state.db.clone(),
            platform: transport.clone(),
            platform_from: settings.mail_from.clone(),
            public_url: public_url.clone(),
            cipher: state.secrets.clone(),
            roots,
            egress,
            options: mailer::MailerOptions {
                lease_secs: settings.mail_lease_secs,
                step: std::time::Duration::from_secs(settings.smtp_timeout_secs),
                batch: 10,
                max_instances: 16,
                retry_base_ms: settings.mail_retry_base_ms,
                poll: std::time::Duration::from_millis(settings.mail_poll_ms),
            },
        };
        let webhook_worker = webhooks::WebhookWorker {
            db: state.db.clone(),
            cipher: state.secrets.clone(),
            egress,
            options: webhooks::WebhookOptions {
                timeout: std::time::Duration::from_secs(settings.webhook_timeout_secs),
                retry_schedule: settings.webhook_retry_schedule()?,
                disable_after: chrono::Duration::seconds(settings.webhook_disable_after_secs as i64),
                poll: std::time::Duration::from_millis(settings.webhook_poll_ms),
                max_endpoints: 32,
                max_per_instance: 4,
                batch: 100,
                lease_secs: settings.webhook_timeout_secs as i64 * 4 + 30,
                gather: std::time::Duration::from_millis(settings.webhook_poll_ms.min(100)),
            },
        };
        let (stop_retention, retention_stopped) = tokio::sync::watch::channel(false);
        let retention = retention::Retention {
            days: settings.retention_days,
            login_attempts_days: settings.login_attempts_retention_days,
            mailbox_days: settings.mailbox_retention_days,
            audit_days: settings.audit_retention_days,
            usage_minute_days: settings.usage_minute_retention_days,
            usage_hour_days: settings.usage_hour_retention_days,
            interval: std::time::Duration::from_secs(settings.retention_interval_secs),
        };
        let workers = Workers {
            state: state.clone(),
            usage: usage::spawn(
                state.clone(),
                usage::UsageOptions {
                    flush: std::time::Duration::from_millis(settings.usage_flush_ms),
                    poll: std::time::Duration::from_millis(settings.cache_poll_ms),
                    billing: std::time::Duration::from_secs(settings.billing_interval_secs),
                },
            ),
            mailer: mailer.spawn(mail_wakeup),
            webhooks: webhook_worker.spawn(webhook_wakeup, settings.webhook_delivery)?,
            retention: tokio::spawn(retention::run(state.db.clone(), retention, retention_stopped)),
            stop_retention,
        };
        tracing::info!(
            address = %bound,
            public_url = %public_url,
            database = steward_persistence::db::backend_name(&state.db),
            console = ?state.console_dir,
            mail = transport.describe(),
            "steward is ready"
        );
        let app_state = state.clone();
        let server = HttpServer::new(move || steward_http::app(app_state.clone())).workers(settings.workers.unwrap_or(cores)).listen(listener)?.run();
        Ok(Self { port: bound.port(), server, state, workers })
    }

    /// Stops serving (for tests that stop or restart a process on the same database).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT/SIGTERM (graceful) or the server is stopped, then stops the
    /// background workers gracefully (claimed emails are sent or released).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (server, workers) = self.split();
        let result = server.await;
        workers.shutdown().await;
        result
    }

    /// The HTTP server and the background workers, to run and stop separately.
    pub fn split(self) -> (Server, Workers) {
        (self.server, self.workers)
    }
}

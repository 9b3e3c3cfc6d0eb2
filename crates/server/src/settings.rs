//! Layered configuration: built-in defaults → an optional TOML file (`--config` or
//! `STEWARD_CONFIG`) → `STEWARD_*` environment variables. Invalid settings stop the server at
//! start with a message naming the variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every variable the server reads: name, default, meaning. `steward --help` and the README
/// print this table.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("STEWARD_CONFIG", "(none)", "Optional TOML file with any of the settings below (keys in lower case, without the prefix)."),
    ("STEWARD_BIND", "127.0.0.1:8080", "Address and port to listen on."),
    ("STEWARD_PUBLIC_URL", "http://<bind>", "The URL clients use to reach this server (token issuer, links in emails)."),
    ("STEWARD_DATA_DIR", "./data", "Where the SQLite database and the generated master key live."),
    ("STEWARD_DATABASE_URL", "sqlite://<data_dir>/steward.db?mode=rwc", "sqlite://... or postgres://user:pass@host:5432/db."),
    (
        "STEWARD_MASTER_KEY",
        "(generated)",
        "Base64 of 32 random bytes; encrypts secrets at rest and derives signing keys. Default: generated once into <data_dir>/master.key (0600).",
    ),
    ("STEWARD_CONSOLE_DIR", "./frontend/dist", "The built console to serve at /; when missing, / explains how to build it."),
    ("STEWARD_LOG", "info", "Log filter (tracing EnvFilter syntax, e.g. info,steward=debug)."),
    ("STEWARD_LOG_FORMAT", "text", "text or json."),
    ("STEWARD_WORKERS", "(cores)", "HTTP worker threads."),
    ("STEWARD_ARGON2_MEMORY_KIB", "19456", "argon2id memory cost in KiB (OWASP: 19456)."),
    ("STEWARD_ARGON2_ITERATIONS", "2", "argon2id time cost (OWASP: 2)."),
    ("STEWARD_ARGON2_PARALLELISM", "1", "argon2id lanes (OWASP: 1)."),
    ("STEWARD_SIGNIN_MAX_FAILURES", "10", "Failed console sign-ins per address within 15 minutes before the address is locked out for the rest of the window."),
    ("STEWARD_HASH_CONCURRENCY", "(cores)", "Password hashes computed at once; more wait their turn."),
    ("STEWARD_ACCESS_TOKEN_TTL_SECS", "900", "Lifetime of console access tokens (60..=3600)."),
    ("STEWARD_REFRESH_TOKEN_TTL_SECS", "2592000", "Lifetime of a console session without activity (30 days)."),
    (
        "STEWARD_SMTP_URL",
        "(none: local mailbox)",
        "The platform's SMTP server, e.g. smtp://127.0.0.1:1025 or smtps://user:pass@mail.example.com:465. Without it, emails are captured in a local mailbox shown in the console.",
    ),
    ("STEWARD_MAIL_FROM", "Steward <no-reply@steward.localhost>", "The sender of platform emails."),
    (
        "STEWARD_SMTP_CA_FILE",
        "(none)",
        "PEM file of extra root certificates trusted when connecting to instances' own SMTP servers (a private CA); the public web PKI roots are always trusted.",
    ),
    (
        "STEWARD_SMTP_ALLOW_PRIVATE_NETWORKS",
        "true",
        "Whether hosts an instance names — its own SMTP server, its webhook endpoints, its OpenID Connect issuers — may be on loopback, private, link-local or CGNAT addresses. Set false on a shared deployment: instance admins then cannot reach (or probe with the SMTP test, a webhook or a discovery URL) the operator's network.",
    ),
    ("STEWARD_IDP_TIMEOUT_SECS", "10", "Each call to an identity provider (discovery, code exchange, keys, profile) may take this long (1..=60)."),
    ("STEWARD_IDP_GOOGLE_DISCOVERY_URL", "https://accounts.google.com/.well-known/openid-configuration", "Google's OpenID Connect discovery document."),
    ("STEWARD_IDP_LINKEDIN_DISCOVERY_URL", "https://www.linkedin.com/oauth/.well-known/openid-configuration", "LinkedIn's OpenID Connect discovery document."),
    ("STEWARD_IDP_FACEBOOK_AUTHORIZE_URL", "https://www.facebook.com/v19.0/dialog/oauth", "Facebook's login dialog."),
    ("STEWARD_IDP_FACEBOOK_TOKEN_URL", "https://graph.facebook.com/v19.0/oauth/access_token", "Facebook's code exchange."),
    ("STEWARD_IDP_FACEBOOK_USERINFO_URL", "https://graph.facebook.com/v19.0/me", "Facebook's profile of the signed-in person."),
    ("STEWARD_IDP_TWITTER_AUTHORIZE_URL", "https://twitter.com/i/oauth2/authorize", "X (Twitter)'s OAuth 2.0 consent page."),
    ("STEWARD_IDP_TWITTER_TOKEN_URL", "https://api.twitter.com/2/oauth2/token", "X (Twitter)'s code exchange."),
    ("STEWARD_IDP_TWITTER_USERINFO_URL", "https://api.twitter.com/2/users/me", "X (Twitter)'s profile of the signed-in person."),
    ("STEWARD_WEBHOOK_TIMEOUT_SECS", "10", "Each webhook delivery (connect, send, answer) may take this long (1..=60)."),
    (
        "STEWARD_WEBHOOK_RETRY_SCHEDULE_MS",
        "5000,300000,1800000,7200000,18000000,36000000,36000000",
        "Delays before each retry of a failed webhook delivery, comma-separated milliseconds (about 27 hours in all); after the last, the delivery has failed and the next in line goes.",
    ),
    (
        "STEWARD_WEBHOOK_DISABLE_AFTER_SECS",
        "432000",
        "A webhook endpoint whose deliveries have failed for this long (5 days) is turned off and its instance's owners are told by email.",
    ),
    (
        "STEWARD_WEBHOOK_DELIVERY",
        "true",
        "Whether this process fans recorded events out to endpoints and delivers them. Turn it off on API-only processes when others (sharing the database) deliver.",
    ),
    ("STEWARD_WEBHOOK_POLL_MS", "1000", "How often the webhook worker looks for due deliveries (it is also woken when an event is recorded)."),
    (
        "STEWARD_SMTP_TESTS_PER_HOUR",
        "30",
        "SMTP tests (General → Email SMTP → Send a test email) an instance may run per hour (1..=1000), across all processes.",
    ),
    ("STEWARD_MAIL_POLL_MS", "1000", "How often the mail worker looks for due emails (it is also woken when one is queued)."),
    ("STEWARD_SMTP_TIMEOUT_SECS", "10", "Each SMTP step (connect, TLS, AUTH, each command, the data) may take this long (1..=60)."),
    ("STEWARD_MAIL_LEASE_SECS", "120", "How long the mail worker holds a claimed email; must exceed 8 SMTP steps (the longest send)."),
    (
        "STEWARD_MAIL_LIMIT_PER_RECIPIENT",
        "5",
        "Emails the public API sends one address per hour (register, resend-verification, forgot-password); more answer 429.",
    ),
    ("STEWARD_MAIL_LIMIT_PER_IP", "30", "Email-sending public requests one client IP may make per instance and hour."),
    ("STEWARD_MAIL_LIMIT_PER_INSTANCE", "1000", "Email-sending public requests an instance may take per hour."),
    (
        "STEWARD_SIGNIN_PAGE_LIMIT_PER_IP",
        "300",
        "Sign-ins one client IP may start on an instance's hosted sign-in page per 10 minutes (each opens an authorization request).",
    ),
    ("STEWARD_RETENTION_DAYS", "30", "Sent, skipped and failed emails, ended sessions and one-time tokens are deleted after this many days."),
    ("STEWARD_LOGIN_ATTEMPTS_RETENTION_DAYS", "90", "Sign-in attempts and console accounts' security logs are kept this many days."),
    ("STEWARD_MAILBOX_RETENTION_DAYS", "7", "Messages of the local capture mailbox are kept this many days."),
    ("STEWARD_AUDIT_RETENTION_DAYS", "365", "Entries of instances' audit logs are kept this many days."),
    ("STEWARD_RETENTION_INTERVAL_SECS", "3600", "How often the retention job runs (in every process; it is safe to run at once)."),
    ("STEWARD_MAIL_RETRY_BASE_MS", "5000", "First retry delay of a failed email; doubles each attempt (at most 1 hour, 8 attempts)."),
    (
        "STEWARD_TRUSTED_PROXIES",
        "(none)",
        "Comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For is believed (e.g. 10.0.0.0/8, ::1). The client IP (sessions, sign-in records, audit log, per-IP limits) is then the rightmost address not in this list; without it, the connecting peer.",
    ),
    ("STEWARD_APP_TOKEN_TTL_SECS", "3600", "Lifetime of tokens issued to applications by the instance public API (60..=86400)."),
    ("STEWARD_METERING", "true", "Whether public API calls are counted (the Dashboard, usage and the bill). Off only to measure what counting costs."),
    ("STEWARD_USAGE_FLUSH_MS", "5000", "How often counted calls are added to the database's rollups (100..=60000); also at shutdown."),
    ("STEWARD_USAGE_MINUTE_RETENTION_DAYS", "7", "Per-minute rollups are kept this many days; hourly and daily ones hold the same counts."),
    ("STEWARD_USAGE_HOUR_RETENTION_DAYS", "400", "Per-hour rollups are kept this many days; daily ones are kept for good."),
    (
        "STEWARD_CACHE_POLL_MS",
        "250",
        "How often a process reads the changes other processes made to what it caches (instances, applications, plans, revoked tokens); 10..=1000.",
    ),
    ("STEWARD_CACHE_TTL_SECS", "60", "The longest an instance or application stays cached without a change being seen (1..=3600)."),
    (
        "STEWARD_PLANS_FILE",
        "(built-in: free, starter, growth, scale)",
        "A JSON file with the billing plan catalogue: an array of {key, name, currency, monthly_price_minor, included_calls, included_users, overage_per_1000_calls_minor, limit: hard|soft}.",
    ),
    ("STEWARD_DEFAULT_PLAN", "(the catalogue's first)", "The plan of instances that never chose one."),
    ("STEWARD_BILLING_INTERVAL_SECS", "60", "How often usage alerts are checked and closed periods invoiced (in every process; safe at once)."),
];

/// Variables of the test suite and tooling, not of the server.
const TOOLING_VARIABLES: &[&str] = &["STEWARD_TEST_PG_URL", "STEWARD_REQUIRE_PG", "STEWARD_SKIP_PG"];

/// The server's settings after layering. Secrets are not printed by `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub bind: String,
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub master_key: Option<String>,
    pub console_dir: Option<PathBuf>,
    pub log: String,
    pub log_format: String,
    pub workers: Option<usize>,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub signin_max_failures: u32,
    pub hash_concurrency: Option<usize>,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub app_token_ttl_secs: i64,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub smtp_ca_file: Option<std::path::PathBuf>,
    pub smtp_tests_per_hour: u32,
    pub smtp_allow_private_networks: bool,
    pub mail_poll_ms: u64,
    pub mail_retry_base_ms: u64,
    pub webhook_timeout_secs: u64,
    pub idp_timeout_secs: u64,
    pub metering: bool,
    pub usage_flush_ms: u64,
    pub usage_minute_retention_days: u32,
    pub usage_hour_retention_days: u32,
    pub cache_poll_ms: u64,
    pub cache_ttl_secs: u64,
    pub plans_file: Option<PathBuf>,
    pub default_plan: Option<String>,
    pub billing_interval_secs: u64,
    pub idp_google_discovery_url: String,
    pub idp_linkedin_discovery_url: String,
    pub idp_facebook_authorize_url: String,
    pub idp_facebook_token_url: String,
    pub idp_facebook_userinfo_url: String,
    pub idp_twitter_authorize_url: String,
    pub idp_twitter_token_url: String,
    pub idp_twitter_userinfo_url: String,
    pub webhook_retry_schedule_ms: String,
    pub webhook_disable_after_secs: u64,
    pub webhook_poll_ms: u64,
    pub webhook_delivery: bool,
    pub smtp_timeout_secs: u64,
    pub mail_lease_secs: i64,
    pub mail_limit_per_recipient: u32,
    pub mail_limit_per_ip: u32,
    pub mail_limit_per_instance: u32,
    pub signin_page_limit_per_ip: u32,
    pub retention_days: u32,
    pub login_attempts_retention_days: u32,
    pub mailbox_retention_days: u32,
    pub audit_retention_days: u32,
    pub retention_interval_secs: u64,
    pub trusted_proxies: String,
}

impl Default for Settings {
    fn default() -> Self {
        let defaults = steward_http::federation::ProviderEndpoints::default();
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            master_key: None,
            console_dir: None,
            log: "info".into(),
            log_format: "text".into(),
            workers: None,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            signin_max_failures: 10,
            hash_concurrency: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            app_token_ttl_secs: 3600,
            smtp_url: None,
            mail_from: "Steward <no-reply@steward.localhost>".into(),
            smtp_ca_file: None,
            smtp_tests_per_hour: 30,
            smtp_allow_private_networks: true,
            mail_poll_ms: 1000,
            mail_retry_base_ms: 5000,
            webhook_timeout_secs: 10,
            idp_timeout_secs: 10,
            metering: true,
            usage_flush_ms: 5000,
            usage_minute_retention_days: 7,
            usage_hour_retention_days: 400,
            cache_poll_ms: 250,
            cache_ttl_secs: 60,
            plans_file: None,
            default_plan: None,
            billing_interval_secs: 60,
            idp_google_discovery_url: defaults.google_discovery,
            idp_linkedin_discovery_url: defaults.linkedin_discovery,
            idp_facebook_authorize_url: defaults.facebook.authorize,
            idp_facebook_token_url: defaults.facebook.token,
            idp_facebook_userinfo_url: defaults.facebook.userinfo,
            idp_twitter_authorize_url: defaults.twitter.authorize,
            idp_twitter_token_url: defaults.twitter.token,
            idp_twitter_userinfo_url: defaults.twitter.userinfo,
            webhook_retry_schedule_ms: "5000,300000,1800000,7200000,18000000,36000000,36000000".into(),
            webhook_disable_after_secs: 432_000,
            webhook_poll_ms: 1000,
            webhook_delivery: true,
            smtp_timeout_secs: 10,
            mail_lease_secs: 120,
            mail_limit_per_recipient: 5,
            mail_limit_per_ip: 30,
            mail_limit_per_instance: 1000,
            signin_page_limit_per_ip: 300,
            retention_days: 30,
            login_attempts_retention_days: 90,
            mailbox_retention_days: 7,
            audit_retention_days: 365,
            retention_interval_secs: 3600,
            trusted_proxies: String::new(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_deref().map(steward_persistence::db::redact_url))
            .field("master_key", &self.master_key.as_ref().map(|_| "[REDACTED]"))
            .field("console_dir", &self.console_dir)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The parsed `STEWARD_TRUSTED_PROXIES`.
    pub fn trusted_proxies(&self) -> anyhow::Result<steward_domain::net::TrustedProxies> {
        steward_domain::net::TrustedProxies::parse(&self.trusted_proxies).map_err(|e| anyhow::anyhow!("Invalid STEWARD_TRUSTED_PROXIES: {e}"))
    }

    /// The parsed `STEWARD_WEBHOOK_RETRY_SCHEDULE_MS`.
    /// Where the identity providers are (their documented endpoints unless overridden).
    pub fn provider_endpoints(&self) -> anyhow::Result<steward_http::federation::ProviderEndpoints> {
        use steward_http::federation::{OAuthEndpoints, ProviderEndpoints};
        for (name, url) in [
            ("STEWARD_IDP_GOOGLE_DISCOVERY_URL", &self.idp_google_discovery_url),
            ("STEWARD_IDP_LINKEDIN_DISCOVERY_URL", &self.idp_linkedin_discovery_url),
            ("STEWARD_IDP_FACEBOOK_AUTHORIZE_URL", &self.idp_facebook_authorize_url),
            ("STEWARD_IDP_FACEBOOK_TOKEN_URL", &self.idp_facebook_token_url),
            ("STEWARD_IDP_FACEBOOK_USERINFO_URL", &self.idp_facebook_userinfo_url),
            ("STEWARD_IDP_TWITTER_AUTHORIZE_URL", &self.idp_twitter_authorize_url),
            ("STEWARD_IDP_TWITTER_TOKEN_URL", &self.idp_twitter_token_url),
            ("STEWARD_IDP_TWITTER_USERINFO_URL", &self.idp_twitter_userinfo_url),
        ] {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => bail!("{name} must be an http(s) URL"),
            }
        }
        Ok(ProviderEndpoints {
            google_discovery: self.idp_google_discovery_url.clone(),
            linkedin_discovery: self.idp_linkedin_discovery_url.clone(),
            facebook: OAuthEndpoints {
                authorize: self.idp_facebook_authorize_url.clone(),
                token: self.idp_facebook_token_url.clone(),
                userinfo: self.idp_facebook_userinfo_url.clone(),
            },
            twitter: OAuthEndpoints {
                authorize: self.idp_twitter_authorize_url.clone(),
                token: self.idp_twitter_token_url.clone(),
                userinfo: self.idp_twitter_userinfo_url.clone(),
            },
        })
    }

    /// The billing plans: the operator's file, or the built-in catalogue.
    pub fn catalogue(&self) -> anyhow::Result<steward_domain::usage::Catalogue> {
        use steward_domain::usage::{Catalogue, Plan};
        let plans = match &self.plans_file {
            None => Catalogue::builtin().plans().to_vec(),
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("STEWARD_PLANS_FILE: cannot read {}", path.display()))?;
                serde_json::from_str::<Vec<Plan>>(&text).with_context(|| format!("STEWARD_PLANS_FILE: {} is not a JSON array of plans", path.display()))?
            }
        };
        Catalogue::new(plans, self.default_plan.as_deref()).map_err(|e| anyhow::anyhow!("STEWARD_PLANS_FILE / STEWARD_DEFAULT_PLAN: {e}"))
    }

    pub fn webhook_retry_schedule(&self) -> anyhow::Result<Vec<std::time::Duration>> {
        let delays: Result<Vec<u64>, _> = self.webhook_retry_schedule_ms.split(',').map(|p| p.trim().parse::<u64>()).collect();
        match delays {
            Ok(d) if (1..=20).contains(&d.len()) && d.iter().all(|ms| *ms <= 7 * 24 * 3600 * 1000) => {
                Ok(d.into_iter().map(std::time::Duration::from_millis).collect())
            }
            _ => bail!("STEWARD_WEBHOOK_RETRY_SCHEDULE_MS must be 1 to 20 comma-separated delays in milliseconds, each at most 7 days"),
        }
    }

    /// Layers defaults, the optional file and the environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let file = config_file.map(Path::to_path_buf).or_else(|| std::env::var_os("STEWARD_CONFIG").map(PathBuf::from));
        if let Some(file) = file {
            if !file.is_file() {
                bail!("The configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        // Only the documented variables are read; others (such as the test suite's
        // STEWARD_TEST_PG_URL) are left alone, and reported in case one is a typo.
        let known: Vec<String> =
            VARIABLES.iter().filter(|(n, _, _)| *n != "STEWARD_CONFIG").map(|(n, _, _)| n.trim_start_matches("STEWARD_").to_ascii_lowercase()).collect();
        let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
        figment = figment.merge(Env::prefixed("STEWARD_").only(&known_refs));
        let settings: Settings = figment.extract().map_err(|e| anyhow::anyhow!("Invalid configuration: {e}"))?;
        let unknown: Vec<String> = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| k.starts_with("STEWARD_") && !VARIABLES.iter().any(|(n, _, _)| n == k) && !TOOLING_VARIABLES.contains(&k.as_str()))
            .collect();
        if !unknown.is_empty() {
            eprintln!("warning: ignoring unknown environment variables {} (see `steward --help`)", unknown.join(", "));
        }
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.bind_addr()?;
        self.trusted_proxies()?;
        if self.signin_max_failures == 0 {
            bail!("STEWARD_SIGNIN_MAX_FAILURES must be at least 1");
        }
        let url = self.database_url();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!("STEWARD_DATABASE_URL must start with sqlite:// or postgres:// (got {})", steward_persistence::db::redact_url(&url));
        }
        if let Some(public) = &self.public_url
            && !(public.starts_with("http://") || public.starts_with("https://"))
        {
            bail!("STEWARD_PUBLIC_URL must be an http:// or https:// URL (got {public})");
        }
        if !(60..=3600).contains(&self.access_token_ttl_secs) {
            bail!("STEWARD_ACCESS_TOKEN_TTL_SECS must be between 60 and 3600");
        }
        if !(300..=365 * 24 * 3600).contains(&self.refresh_token_ttl_secs) {
            bail!("STEWARD_REFRESH_TOKEN_TTL_SECS must be between 300 and 31536000");
        }
        if !(60..=86400).contains(&self.app_token_ttl_secs) {
            bail!("STEWARD_APP_TOKEN_TTL_SECS must be between 60 and 86400");
        }
        if !(1..=1000).contains(&self.smtp_tests_per_hour) {
            bail!("STEWARD_SMTP_TESTS_PER_HOUR must be between 1 and 1000");
        }
        if !(10..=60_000).contains(&self.mail_poll_ms) {
            bail!("STEWARD_MAIL_POLL_MS must be between 10 and 60000");
        }
        self.webhook_retry_schedule()?;
        self.provider_endpoints()?;
        if !(1..=60).contains(&self.idp_timeout_secs) {
            bail!("STEWARD_IDP_TIMEOUT_SECS must be between 1 and 60");
        }
        if !(1..=60).contains(&self.webhook_timeout_secs) {
            bail!("STEWARD_WEBHOOK_TIMEOUT_SECS must be between 1 and 60");
        }
        if !(100..=60_000).contains(&self.usage_flush_ms) {
            bail!("STEWARD_USAGE_FLUSH_MS must be between 100 and 60000");
        }
        if !(10..=1000).contains(&self.cache_poll_ms) {
            bail!("STEWARD_CACHE_POLL_MS must be between 10 and 1000");
        }
        if !(1..=3600).contains(&self.cache_ttl_secs) {
            bail!("STEWARD_CACHE_TTL_SECS must be between 1 and 3600");
        }
        if self.usage_minute_retention_days == 0 || self.usage_hour_retention_days < self.usage_minute_retention_days {
            bail!("STEWARD_USAGE_MINUTE_RETENTION_DAYS must be at least 1 and at most STEWARD_USAGE_HOUR_RETENTION_DAYS");
        }
        if !(1..=86_400).contains(&self.billing_interval_secs) {
            bail!("STEWARD_BILLING_INTERVAL_SECS must be between 1 and 86400");
        }
        self.catalogue()?;
        if !(10..=60_000).contains(&self.webhook_poll_ms) {
            bail!("STEWARD_WEBHOOK_POLL_MS must be between 10 and 60000");
        }
        if self.webhook_disable_after_secs < 60 {
            bail!("STEWARD_WEBHOOK_DISABLE_AFTER_SECS must be at least 60");
        }
        if !(1..=60).contains(&self.smtp_timeout_secs) {
            bail!("STEWARD_SMTP_TIMEOUT_SECS must be between 1 and 60");
        }
        if self.mail_lease_secs <= i64::from(steward_mail::smtp::STEPS_PER_SEND) * self.smtp_timeout_secs as i64 + 2 {
            bail!("STEWARD_MAIL_LEASE_SECS must exceed the longest send, 8 SMTP steps (8 × STEWARD_SMTP_TIMEOUT_SECS) and a margin of 2 seconds");
        }
        if self.signin_page_limit_per_ip == 0 {
            bail!("STEWARD_SIGNIN_PAGE_LIMIT_PER_IP must be at least 1");
        }
        if self.mail_limit_per_recipient == 0 || self.mail_limit_per_ip == 0 || self.mail_limit_per_instance == 0 {
            bail!("STEWARD_MAIL_LIMIT_* must be at least 1");
        }
        if self.retention_days == 0 || self.login_attempts_retention_days == 0 || self.mailbox_retention_days == 0 || self.audit_retention_days == 0 {
            bail!("STEWARD_*RETENTION_DAYS must be at least 1");
        }
        if !(10..=86_400).contains(&self.retention_interval_secs) {
            bail!("STEWARD_RETENTION_INTERVAL_SECS must be between 10 and 86400");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("STEWARD_LOG_FORMAT must be text or json");
        }
        if self.workers == Some(0) || self.hash_concurrency == Some(0) {
            bail!("STEWARD_WORKERS and STEWARD_HASH_CONCURRENCY must be at least 1");
        }
        Ok(())
    }

    pub fn bind_addr(&self) -> anyhow::Result<SocketAddr> {
        self.bind.parse().with_context(|| format!("STEWARD_BIND must be an address and port such as 127.0.0.1:8080 (got {:?})", self.bind))
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/steward.db?mode=rwc", self.data_dir.display()))
    }

    pub fn uses_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// The public URL, defaulting to the bind address.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{bound}")).trim_end_matches('/').to_owned()
    }

    /// The console directory when it holds a built console.
    pub fn console_dir(&self) -> Option<PathBuf> {
        let dir = self.console_dir.clone().unwrap_or_else(|| PathBuf::from("frontend/dist"));
        dir.join("index.html").is_file().then_some(dir)
    }

    pub fn cores() -> usize {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
    }
}

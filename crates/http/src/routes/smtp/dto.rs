use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurityDto {
    /// Plain text: only for relays on a trusted network.
    None,
    /// Upgrade with STARTTLS (usually port 587); fails when the server does not offer it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// The instance's SMTP settings. The password is never returned.
#[derive(Serialize, ToSchema)]
pub struct SmtpSettingsDto {
    /// When true, the instance's emails go through this server; else through the platform's.
    pub enabled: bool,
    #[schema(example = "smtp.example.com")]
    pub host: String,
    #[schema(example = 587)]
    pub port: u16,
    pub security: SmtpSecurityDto,
    pub username: Option<String>,
    /// Whether a password is stored (it is never shown).
    pub password_set: bool,
    #[schema(example = "no-reply@example.com")]
    pub from_address: String,
    #[schema(example = "Acme Shop")]
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    /// The password may be sent over an unencrypted connection.
    pub allow_insecure_auth: bool,
    /// `None` until saved once.
    pub updated_at: Option<DateTime<Utc>>,
}

/// SMTP settings to save (or to test).
#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct SmtpInput {
    pub enabled: bool,
    #[serde(default)]
    pub host: String,
    #[schema(example = 587, minimum = 1, maximum = 65535)]
    pub port: i64,
    pub security: SmtpSecurityDto,
    #[serde(default)]
    pub username: Option<String>,
    /// Omit to keep the stored password, `null` to remove it, a string to replace it.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<Option<String>>,
    #[serde(default)]
    pub from_address: String,
    #[serde(default)]
    pub from_name: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Send the password even over an unencrypted connection (`security: none`). Off unless set:
    /// without it, a username with `security: none` is refused.
    #[serde(default)]
    pub allow_insecure_auth: bool,
}

/// Send a test email to `to`, through the saved settings or through `settings` (not saved; an
/// omitted password means the stored one).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpTestInput {
    #[schema(example = "you@example.com")]
    pub to: String,
    pub settings: Option<SmtpInput>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    Connect,
    Tls,
    Auth,
    Send,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Ok,
    Failed,
    Skipped,
}

/// One step of the test.
#[derive(Serialize, ToSchema)]
pub struct SmtpTestStep {
    pub step: StepName,
    pub outcome: StepOutcome,
    /// What happened; on failure, what the server (or the network) said.
    pub detail: String,
    pub duration_ms: u64,
}

/// What the test found. `ok` only when the server accepted the test email.
#[derive(Serialize, ToSchema)]
pub struct SmtpTestReport {
    pub ok: bool,
    pub steps: Vec<SmtpTestStep>,
}

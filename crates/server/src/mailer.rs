//! The mail worker: delivers the outbox. Runs in every `steward` process; claims are leased so
//! several processes on one PostgreSQL never send an email twice.
//!
//! Each email goes through its instance's own SMTP server when the instance enabled one, else
//! through the platform's transport (`STEWARD_SMTP_URL`, or the local capture mailbox). The choice
//! is made when the email is sent, so a change of settings affects only later deliveries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use steward_domain::email::SmtpSecurity;
use steward_mail::{Egress, Outgoing, SmtpConfig, SmtpSender, TrustedRoots};
use steward_persistence::crypto::SecretCipher;
use steward_persistence::smtp_settings::{self, SmtpSettings};
use steward_persistence::{Database, mailbox, outbox};
use tokio::sync::Notify;
use uuid::Uuid;

/// The platform's transport.
#[derive(Clone)]
pub enum Transport {
    /// The operator's SMTP server (`STEWARD_SMTP_URL`).
    Smtp(SmtpSender),
    /// The local capture mailbox (zero configuration), shown in the console.
    Capture,
}

impl Transport {
    pub fn describe(&self) -> &'static str {
        match self {
            Transport::Smtp(_) => "smtp",
            Transport::Capture => "local mailbox",
        }
    }
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Mailer {
    pub db: Database,
    pub platform: Transport,
    /// The sender of platform emails (`STEWARD_MAIL_FROM`).
    pub platform_from: String,
    pub cipher: SecretCipher,
    pub roots: TrustedRoots,
    /// Where instances' own servers may be; when private networks are refused, each sender is
    /// pinned to the public address that was checked, and rebuilt when the host's address changes.
    pub egress: Egress,
    pub retry_base_ms: u64,
    /// Pooled senders of instances' own servers, rebuilt when their settings change.
    custom: Arc<Mutex<HashMap<Uuid, CachedSender>>>,
}

/// A pooled sender, keyed by what it was built from: the settings version (`updated_at`) and
/// the address it is pinned to (if any).
type CachedSender = ((chrono::DateTime<chrono::FixedOffset>, Option<std::net::IpAddr>), SmtpSender);

/// Where one email goes.
#[derive(Clone)]
enum Route {
    Custom {
        sender: SmtpSender,
        from: String,
        reply_to: Option<String>,
    },
    Platform,
    /// The instance's settings cannot be used (e.g. the master key changed): retried later.
    Broken(String),
}

impl Mailer {
    pub fn new(
        db: Database,
        platform: Transport,
        platform_from: String,
        cipher: SecretCipher,
        roots: TrustedRoots,
        egress: Egress,
        retry_base_ms: u64,
    ) -> Self {
        Self { db, platform, platform_from, cipher, roots, egress, retry_base_ms, custom: Arc::default() }
    }

    /// Delivers due emails until the process stops.
    pub async fn run(self, wakeup: Arc<Notify>, poll: Duration) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error.cause_chain = ?e, "the mail worker failed to read the outbox"),
            }
            tokio::select! {
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    async fn route(&self, settings: Option<&SmtpSettings>) -> Route {
        let Some(s) = settings.filter(|s| s.enabled) else { return Route::Platform };
        let port = u16::try_from(s.port).unwrap_or(25);
        let pinned = if self.egress.allow_private {
            None
        } else {
            match self.egress.resolve(&s.host, port).await {
                Ok(addrs) => addrs.first().map(|a| a.ip()),
                Err(e) => return Route::Broken(e),
            }
        };
        let key = (s.updated_at, pinned);
        if let Some((built_from, sender)) = self.custom.lock().ok().and_then(|m| m.get(&s.instance_id).cloned())
            && built_from == key
        {
            return Route::Custom { sender, from: from_header(s), reply_to: s.reply_to.clone() };
        }
        let password = match s.password(&self.cipher) {
            Ok(p) => p,
            Err(e) => return Route::Broken(format!("the instance's SMTP password cannot be read: {e}")),
        };
        let config = SmtpConfig {
            host: s.host.clone(),
            port,
            security: SmtpSecurity::parse(&s.security).unwrap_or(SmtpSecurity::Starttls),
            username: s.username.clone(),
            password,
        };
        match SmtpSender::from_config(&config, &self.roots, pinned) {
            Ok(sender) => {
                if let Ok(mut m) = self.custom.lock() {
                    m.insert(s.instance_id, (key, sender.clone()));
                }
                Route::Custom { sender, from: from_header(s), reply_to: s.reply_to.clone() }
            }
            Err(e) => Route::Broken(format!("the instance's SMTP settings cannot be used: {e}")),
        }
    }

    /// Claims and delivers one batch; returns how many were claimed.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let batch = outbox::claim(&self.db, 10, 60).await?;
        let n = batch.len();
        // One route per instance and batch: its settings are read (and its host resolved) once.
        let mut routes: HashMap<Uuid, Route> = HashMap::new();
        for email in batch {
            let route = match email.instance_id {
                Some(id) => match routes.get(&id) {
                    Some(route) => route.clone(),
                    None => {
                        let settings = smtp_settings::get(&self.db, id).await?;
                        let route = self.route(settings.as_ref()).await;
                        routes.insert(id, route.clone());
                        route
                    }
                },
                None => Route::Platform,
            };
            let (via, result) = match route {
                Route::Broken(error) => ("custom_smtp", Err(error)),
                Route::Custom { sender, from, reply_to } => {
                    let msg = Outgoing {
                        from: &from,
                        reply_to: reply_to.as_deref(),
                        to: &email.to_address,
                        subject: &email.subject,
                        text: &email.text_body,
                        html: &email.html_body,
                    };
                    ("custom_smtp", sender.send(&msg).await)
                }
                Route::Platform => match &self.platform {
                    Transport::Smtp(sender) => {
                        let msg = Outgoing {
                            from: &self.platform_from,
                            reply_to: None,
                            to: &email.to_address,
                            subject: &email.subject,
                            text: &email.text_body,
                            html: &email.html_body,
                        };
                        ("platform_smtp", sender.send(&msg).await)
                    }
                    Transport::Capture => ("local_mailbox", mailbox::deliver(&self.db, &email, &self.platform_from).await.map_err(|e| e.to_string())),
                },
            };
            match result {
                Ok(()) => {
                    outbox::mark_sent(&self.db, email.id, via).await?;
                    tracing::info!(email_id = %email.id, kind = %email.kind, via, "email delivered");
                }
                Err(error) => {
                    tracing::warn!(email_id = %email.id, attempt = email.attempts, via, %error, "email delivery failed; will retry");
                    outbox::mark_attempt_failed(&self.db, &email, via, &error, self.retry_base_ms).await?;
                }
            }
        }
        Ok(n)
    }
}

/// The From header of an instance's own server (a name and an address, quoted by lettre).
fn from_header(s: &SmtpSettings) -> String {
    steward_mail::smtp::mailbox_header(s.from_name.as_deref(), &s.from_address)
}

//! The mail worker: delivers the outbox. Runs in every `steward` process; claims are leased so
//! several processes on one PostgreSQL never send an email twice.
//!
//! Instances are delivered independently: each instance with due emails gets a task of its own
//! (at most [`MailerOptions::max_instances`] at once), which claims that instance's emails a few
//! at a time. An instance whose server never answers holds only its own task, for one bounded
//! step at a time; every other instance's email goes on being sent.
//!
//! Each email goes through its instance's own SMTP server when the instance enabled one, else
//! through the platform's transport (`STEWARD_SMTP_URL`, or the local capture mailbox). The choice
//! is made when the email is sent, so a change of settings affects only later deliveries. The
//! email is rendered then too (`steward_http::emails::prepare`).
//!
//! Exactly once, as far as the worker can: before each send the row's lease is renewed (and the
//! email skipped if another worker took it over); a send is bounded well under the lease, so the
//! lease cannot run out mid-send; a row is marked only under the claim that took it; a process
//! that stops releases what it claimed and did not send. The one remaining window is a process
//! dying between the server's acceptance and the mark: that email is sent again after its lease.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use steward_domain::email::SmtpSecurity;
use steward_http::emails::{self, Preparation, Prepared};
use steward_mail::smtp::SmtpSession;
use steward_mail::{Egress, Outgoing, SmtpConfig, SmtpSender, TrustedRoots};
use steward_persistence::crypto::SecretCipher;
use steward_persistence::mailbox::Letter;
use steward_persistence::outbox::{AttemptRecord, OutboxEmail, Stored};
use steward_persistence::smtp_settings::{self, SmtpSettings};
use steward_persistence::{Database, mailbox, outbox};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
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

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct MailerOptions {
    /// How long a claim holds an email; renewed before each send. Must exceed the longest send.
    pub lease_secs: i64,
    /// Each SMTP step (connect, TLS, AUTH, each command, the data) at most this long.
    pub step: Duration,
    /// Emails an instance's task claims at a time.
    pub batch: u64,
    /// Instances delivered at once by this process.
    pub max_instances: usize,
    pub retry_base_ms: u64,
    pub poll: Duration,
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Mailer {
    pub db: Database,
    pub platform: Transport,
    /// The sender of platform emails (`STEWARD_MAIL_FROM`).
    pub platform_from: String,
    pub public_url: String,
    pub cipher: SecretCipher,
    pub roots: TrustedRoots,
    /// Where instances' own servers may be; when private networks are refused, each connection
    /// goes to the public address that was checked.
    pub egress: Egress,
    pub options: MailerOptions,
}

/// Where one batch of an instance's emails goes.
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

/// A stopped worker's handle: `stop` asks it to finish (it releases what it has not sent), and
/// the task ends once it has.
pub struct MailerHandle {
    pub stop: watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<()>,
}

impl MailerHandle {
    /// Stops claiming, lets sends under way finish (each is bounded), releases the rest, and
    /// waits for that.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl Mailer {
    /// Starts delivering until stopped.
    pub fn spawn(self, wakeup: Arc<Notify>) -> MailerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(wakeup, stopped));
        MailerHandle { stop, task }
    }

    async fn run(self, wakeup: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut busy: HashSet<Option<Uuid>> = HashSet::new();
        let mut keys: HashMap<tokio::task::Id, Option<Uuid>> = HashMap::new();
        let mut tasks: JoinSet<()> = JoinSet::new();
        loop {
            if *stop.borrow() {
                break;
            }
            if busy.len() < self.options.max_instances {
                match outbox::due_instances(&self.db, (self.options.max_instances + busy.len()) as u64).await {
                    Ok(due) => {
                        for key in due {
                            if busy.len() >= self.options.max_instances {
                                break;
                            }
                            if busy.insert(key) {
                                let handle = tasks.spawn(self.clone().deliver_instance(key, stop.clone()));
                                keys.insert(handle.id(), key);
                            }
                        }
                    }
                    Err(e) => tracing::error!(error.cause_chain = ?e, "the mail worker failed to read the outbox"),
                }
            }
            tokio::select! {
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(self.options.poll) => {}
                _ = stop.changed() => {}
                Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    let id = match done {
                        Ok((id, ())) => id,
                        Err(e) => {
                            tracing::error!(error = %e, "a mail delivery task failed");
                            e.id()
                        }
                    };
                    if let Some(key) = keys.remove(&id) {
                        busy.remove(&key);
                    }
                }
            }
        }
        while tasks.join_next().await.is_some() {}
        tracing::info!("the mail worker stopped");
    }

    /// Delivers one instance's due emails (`None`: emails of no instance), a batch at a time,
    /// until none is due or the worker stops.
    async fn deliver_instance(self, key: Option<Uuid>, stop: watch::Receiver<bool>) {
        loop {
            let batch = match outbox::claim(&self.db, key, self.options.batch, self.options.lease_secs).await {
                Ok(b) if b.is_empty() => return,
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, "the mail worker failed to claim emails");
                    return;
                }
            };
            let route = match key {
                Some(id) => match smtp_settings::get(&self.db, id).await {
                    Ok(settings) => self.route(settings.as_ref()).await,
                    Err(e) => Route::Broken(format!("the instance's SMTP settings could not be read: {e}")),
                },
                None => Route::Platform,
            };
            let mut session: Option<SmtpSession> = None;
            let mut pending = batch.into_iter();
            while let Some(email) = pending.next() {
                if *stop.borrow() {
                    let rest: Vec<OutboxEmail> = std::iter::once(email).chain(pending).collect();
                    if let Err(e) = outbox::release(&self.db, &rest).await {
                        tracing::error!(error.cause_chain = ?e, "failed to release claimed emails; they are retried when their lease ends");
                    }
                    if let Some(s) = session.take() {
                        s.quit().await;
                    }
                    return;
                }
                match outbox::renew(&self.db, &email, self.options.lease_secs).await {
                    Ok(true) => self.deliver_one(&email, &route, &mut session).await,
                    Ok(false) => tracing::warn!(email_id = %email.id, "an email's lease was lost before sending; another worker has it"),
                    Err(e) => tracing::error!(error.cause_chain = ?e, email_id = %email.id, "failed to renew an email's lease; it is retried later"),
                }
            }
            if let Some(s) = session.take() {
                s.quit().await;
            }
        }
    }

    async fn deliver_one(&self, email: &OutboxEmail, route: &Route, session: &mut Option<SmtpSession>) {
        let via = match (route, &self.platform) {
            (Route::Custom { .. } | Route::Broken(_), _) => "custom_smtp",
            (Route::Platform, Transport::Smtp(_)) => "platform_smtp",
            (Route::Platform, Transport::Capture) => "local_mailbox",
        };
        let started = std::time::Instant::now();
        let record = |via: Option<&'static str>| AttemptRecord { via, duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX) };
        let prepared = match emails::prepare(&self.db, &self.public_url, email).await {
            Ok(Preparation::Send(p)) => p,
            Ok(Preparation::Skip(reason)) => {
                tracing::info!(email_id = %email.id, kind = %email.kind, reason, "no email was due after all");
                if let Err(e) = outbox::mark_skipped(&self.db, email, reason, record(None)).await {
                    tracing::error!(error.cause_chain = ?e, "failed to mark an email skipped");
                }
                return;
            }
            Err(e) => {
                tracing::error!(error.cause_chain = ?e, email_id = %email.id, "an email could not be prepared; will retry");
                if let Err(e) = outbox::mark_attempt_failed(&self.db, email, "the email could not be prepared", self.options.retry_base_ms, record(None)).await
                {
                    tracing::error!(error.cause_chain = ?e, "failed to record a failed preparation");
                }
                return;
            }
        };
        let result = match route {
            Route::Broken(error) => Err(error.clone()),
            Route::Custom { sender, from, reply_to } => send(sender, session, &outgoing(email.id, from, reply_to.as_deref(), &prepared)).await,
            Route::Platform => match &self.platform {
                Transport::Smtp(sender) => send(sender, session, &outgoing(email.id, &self.platform_from, None, &prepared)).await,
                Transport::Capture => {
                    if email.instance_id.is_none() {
                        // The console's own emails (verification, reset, invitations) have no
                        // instance mailbox to show them: without an SMTP server, the operator
                        // finds them in the log.
                        tracing::info!(to = %prepared.to, subject = %prepared.subject, text = %prepared.text, "platform email captured (no STEWARD_SMTP_URL)");
                    }
                    let letter = Letter { from: &self.platform_from, to: &prepared.to, subject: &prepared.subject, text: &prepared.text, html: &prepared.html };
                    mailbox::deliver(&self.db, email, letter).await.map_err(|e| e.to_string())
                }
            },
        };
        match result {
            Ok(()) => {
                let stored = Stored { subject: &prepared.subject, text: &prepared.stored_text, html: &prepared.stored_html };
                match outbox::mark_sent(&self.db, email, stored, record(Some(via))).await {
                    Ok(true) => tracing::info!(email_id = %email.id, kind = %email.kind, via, "email delivered"),
                    Ok(false) => tracing::error!(email_id = %email.id, "an email was sent after its claim was lost"),
                    Err(e) => tracing::error!(error.cause_chain = ?e, email_id = %email.id, "an email was sent but could not be marked; it may be sent again"),
                }
            }
            Err(error) => {
                tracing::warn!(email_id = %email.id, attempt = email.attempts, via, %error, "email delivery failed; will retry");
                if let Err(e) = outbox::mark_attempt_failed(&self.db, email, &error, self.options.retry_base_ms, record(Some(via))).await {
                    tracing::error!(error.cause_chain = ?e, "failed to record a failed delivery");
                }
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
            allow_insecure_auth: s.allow_insecure_auth,
        };
        let sender = SmtpSender::from_config(&config, &self.roots, pinned, self.options.step);
        Route::Custom { sender, from: from_header(s), reply_to: s.reply_to.clone() }
    }
}

fn outgoing<'a>(id: Uuid, from: &'a str, reply_to: Option<&'a str>, p: &'a Prepared) -> Outgoing<'a> {
    Outgoing { message_id: Some(format!("<{id}@steward.outbox>")), from, reply_to, to: &p.to, subject: &p.subject, text: &p.text, html: &p.html }
}

/// Sends on the batch's open connection, opening it first if needed; a failed connection is
/// dropped (the next email opens a new one).
async fn send(sender: &SmtpSender, session: &mut Option<SmtpSession>, msg: &Outgoing<'_>) -> Result<(), String> {
    if session.is_none() {
        *session = Some(sender.connect().await?);
    }
    let Some(open) = session.as_mut() else { return Err("no connection".into()) };
    let result = open.send(msg).await;
    if result.is_err() {
        *session = None;
    }
    result
}

/// The From header of an instance's own server (a name and an address, quoted by lettre).
fn from_header(s: &SmtpSettings) -> String {
    steward_mail::smtp::mailbox_header(s.from_name.as_deref(), &s.from_address)
}

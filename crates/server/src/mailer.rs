//! The mail worker: delivers the outbox. Runs in every `steward` process; claims are leased so
//! several processes on one PostgreSQL never send an email twice.

use std::sync::Arc;
use std::time::Duration;

use steward_mail::SmtpSender;
use steward_persistence::{Database, mailbox, outbox};
use tokio::sync::Notify;

/// Where emails go.
#[derive(Clone)]
pub enum Transport {
    /// The operator's SMTP server (`STEWARD_SMTP_URL`).
    Smtp(SmtpSender),
    /// The local capture mailbox (zero configuration), shown in the console.
    Capture { from: String },
}

impl Transport {
    pub fn describe(&self) -> &'static str {
        match self {
            Transport::Smtp(_) => "smtp",
            Transport::Capture { .. } => "local mailbox",
        }
    }
}

/// Delivers due emails until the process stops.
pub async fn run(db: Database, transport: Transport, wakeup: Arc<Notify>, poll: Duration, retry_base_ms: u64) {
    loop {
        match deliver_due(&db, &transport, retry_base_ms).await {
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

/// Claims and delivers one batch; returns how many were claimed.
pub async fn deliver_due(db: &Database, transport: &Transport, retry_base_ms: u64) -> anyhow::Result<usize> {
    let batch = outbox::claim(db, 10, 60).await?;
    let n = batch.len();
    for email in batch {
        let result = match transport {
            Transport::Smtp(smtp) => smtp.send(&email.to_address, &email.subject, &email.text_body, &email.html_body).await,
            Transport::Capture { from } => mailbox::deliver(db, &email, from).await.map_err(|e| e.to_string()),
        };
        match result {
            Ok(()) => {
                outbox::mark_sent(db, email.id).await?;
                tracing::info!(email_id = %email.id, kind = %email.kind, "email delivered");
            }
            Err(error) => {
                tracing::warn!(email_id = %email.id, attempt = email.attempts, %error, "email delivery failed; will retry");
                outbox::mark_attempt_failed(db, &email, &error, retry_base_ms).await?;
            }
        }
    }
    Ok(n)
}

//! Email: the built-in messages (greeting and footer wrap each one; HTML and plain-text parts)
//! and the SMTP transport. Queueing and retries live in the outbox (persistence + the worker).

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The messages Steward sends to end users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Verification,
    ResetPassword,
    UpdateAccount,
    Invitation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Verification => "verification",
            Kind::ResetPassword => "reset_password",
            Kind::UpdateAccount => "update_account",
            Kind::Invitation => "invitation",
        }
    }
}

/// What a message may say.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub instance_name: String,
    pub user_name: String,
    pub email: String,
    /// The action link (verify, reset, accept the invitation).
    pub link: String,
    /// How long the link works, for people ("30 minutes").
    pub expires_in: String,
    /// What changed (update-account messages).
    pub change: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a built-in message.
pub fn render(kind: Kind, v: &Vars) -> Rendered {
    let who = if v.user_name.is_empty() { v.email.as_str() } else { v.user_name.as_str() };
    let (subject, lines, action): (String, Vec<String>, Option<&str>) = match kind {
        Kind::Verification => (
            format!("Verify your email for {}", v.instance_name),
            vec![format!("Please confirm that {} is your email address.", v.email), format!("The link works for {}.", v.expires_in)],
            Some("Verify email"),
        ),
        Kind::ResetPassword => (
            format!("Reset your {} password", v.instance_name),
            vec![
                "Someone asked to reset the password of your account. If it was you, choose a new password:".to_owned(),
                format!("The link works for {} and only once. If it was not you, ignore this email.", v.expires_in),
            ],
            Some("Choose a new password"),
        ),
        Kind::UpdateAccount => (
            format!("Your {} account was updated", v.instance_name),
            vec![format!("{}.", v.change), "If you did not make this change, reset your password and contact support.".to_owned()],
            None,
        ),
        Kind::Invitation => (
            format!("You are invited to {}", v.instance_name),
            vec![format!("An account was created for {}. Choose a password to start:", v.email), format!("The link works for {}.", v.expires_in)],
            Some("Accept the invitation"),
        ),
    };
    let greeting = format!("Hello {who},");
    let footer = format!("— The {} team", v.instance_name);
    let mut text = format!("{greeting}\n\n");
    for l in &lines {
        text.push_str(l);
        text.push_str("\n\n");
    }
    if action.is_some() {
        text.push_str(&v.link);
        text.push_str("\n\n");
    }
    text.push_str(&footer);
    text.push('\n');

    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 15px; color: #1f2933; line-height: 1.5\">",
    );
    html.push_str(&format!("<p>{}</p>", escape_html(&greeting)));
    for l in &lines {
        html.push_str(&format!("<p>{}</p>", escape_html(l)));
    }
    if let Some(label) = action {
        html.push_str(&format!(
            "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;background:#228be6;color:#fff;border-radius:6px;text-decoration:none\">{}</a></p>",
            escape_html(&v.link),
            escape_html(label)
        ));
        html.push_str(&format!("<p style=\"font-size:13px;color:#52606d\">{}</p>", escape_html(&v.link)));
    }
    html.push_str(&format!("<p>{}</p></body></html>", escape_html(&footer)));
    Rendered { subject, text, html }
}

/// Sends through an SMTP server given as a URL (lettre's form: `smtp://host:port`,
/// `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`).
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    pub fn from_url(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("STEWARD_SMTP_URL is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("The sender address {from:?} is invalid: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends one message. The error text is what the server (or the network) said.
    pub async fn send(&self, to: &str, subject: &str, text: &str, html: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("invalid recipient {to:?}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()))
            .map_err(|e| format!("could not build the message: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }

    pub fn from_address(&self) -> String {
        self.from.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_user_values_and_has_both_parts() {
        let v = Vars {
            instance_name: "Shop".into(),
            user_name: "<script>alert(1)</script>".into(),
            email: "a@example.com".into(),
            link: "https://x.example/v?token=a&b=\"c\"".into(),
            expires_in: "24 hours".into(),
            change: String::new(),
        };
        let r = render(Kind::Verification, &v);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(r.html.contains("token=a&amp;b=&quot;c&quot;"));
        assert!(r.text.contains("https://x.example/v?token=a&b=\"c\""));
        assert!(r.subject.contains("Shop"));
        assert!(r.text.starts_with("Hello <script>"));
        assert!(r.text.trim_end().ends_with("— The Shop team"));
    }
}

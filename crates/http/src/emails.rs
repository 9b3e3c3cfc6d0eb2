//! Emails to end users: one-time tokens, rendering, and queueing in the outbox within the
//! caller's transaction. Delivery is the worker's job (`steward::mailer`).

use base64::Engine as _;
use rand::RngCore as _;
use steward_domain::email::{EmailStyle, TemplateKind as Kind};
use steward_mail::{Parts, Source, Vars, render};
use steward_persistence::ConnectionTrait;
use steward_persistence::branding::{self, LogoFacts};
use steward_persistence::email_templates;
use steward_persistence::end_users::EndUser;
use steward_persistence::instances::Instance;
use steward_persistence::outbox::{self, NewEmail};
use steward_persistence::user_tokens::{self, Purpose};
use steward_persistence::{StoreResult, now};

use crate::AppState;
use crate::auth::tokens::hash_refresh_token as sha256_hex;

/// How long each kind of link works.
pub fn ttl(purpose: Purpose) -> (chrono::Duration, &'static str) {
    match purpose {
        Purpose::VerifyEmail => (chrono::Duration::hours(24), "24 hours"),
        Purpose::ResetPassword => (chrono::Duration::minutes(30), "30 minutes"),
        Purpose::Invitation => (chrono::Duration::days(7), "7 days"),
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a one-time token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// The values a message about `user` is rendered with (the link and the rest are added by the
/// caller).
pub fn user_vars(state: &AppState, instance: &Instance, logo: Option<&LogoFacts>, user: &EndUser) -> Vars {
    Vars {
        instance_name: instance.name.clone(),
        logo_url: logo.map(|l| logo_url(&state.public_url, &instance.slug, &l.sha256)).unwrap_or_default(),
        first_name: user.given_name.clone(),
        last_name: user.family_name.clone(),
        user_name: user.name.clone(),
        email: user.email.clone(),
        ..Vars::default()
    }
}

/// The public, cacheable URL of an instance's logo; the version makes a new logo a new URL.
pub fn logo_url(public_url: &str, slug: &str, sha256: &str) -> String {
    format!("{public_url}/public/v1/{slug}/branding/logo?v={}", &sha256[..sha256.len().min(16)])
}

/// The templates and style `kind` is rendered with: the instance's customised ones where it has
/// them, the built-in defaults elsewhere.
pub async fn instance_parts(db: &impl ConnectionTrait, instance_id: uuid::Uuid, kind: Kind) -> StoreResult<(Parts, EmailStyle)> {
    let mut parts = Parts::defaults(kind);
    let kinds = [kind.as_str(), Kind::Greeting.as_str(), Kind::Footer.as_str()];
    for t in email_templates::some(db, instance_id, &kinds).await? {
        let source = Source { subject: t.subject, body: t.body };
        match Kind::parse(&t.kind) {
            Some(Kind::Greeting) => parts.greeting = source,
            Some(Kind::Footer) => parts.footer = source,
            Some(k) if k == kind => parts.message = source,
            _ => {}
        }
    }
    let style = email_templates::style(db, instance_id).await?.map(|s| EmailStyle::from_stored(&s.font_family, s.font_size)).unwrap_or_default();
    Ok((parts, style))
}

/// Queues an email with a one-time link (verification, reset, invitation) to `user`.
pub async fn queue_link(state: &AppState, db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, purpose: Purpose) -> StoreResult<()> {
    let (kind, path) = match purpose {
        Purpose::VerifyEmail => (Kind::Verification, "verify-email"),
        Purpose::ResetPassword => (Kind::ResetPassword, "reset-password"),
        Purpose::Invitation => (Kind::Invitation, "accept-invitation"),
    };
    user_tokens::revoke_unused(db, user.id, purpose).await?;
    let token = new_token();
    let (duration, expires_in) = ttl(purpose);
    user_tokens::create(db, instance.id, user.id, purpose, &token_hash(&token), &user.email, now() + duration).await?;
    let logo = branding::logo_facts(db, instance.id).await?;
    let vars = Vars {
        link: format!("{}/account/{path}?instance={}&token={token}", state.public_url, instance.slug),
        expires_in: expires_in.to_owned(),
        ..user_vars(state, instance, logo.as_ref(), user)
    };
    enqueue(db, instance, &user.email, kind, &vars).await
}

/// Queues an "account updated" notice saying what changed, to `to`.
pub async fn queue_notice(state: &AppState, db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, to: &str, change: &str) -> StoreResult<()> {
    let logo = branding::logo_facts(db, instance.id).await?;
    let vars = Vars { email: to.to_owned(), change: change.to_owned(), ..user_vars(state, instance, logo.as_ref(), user) };
    enqueue(db, instance, to, Kind::UpdateAccount, &vars).await
}

async fn enqueue(db: &impl ConnectionTrait, instance: &Instance, to: &str, kind: Kind, vars: &Vars) -> StoreResult<()> {
    let (parts, style) = instance_parts(db, instance.id, kind).await?;
    // Saved templates were checked with sample data; should real data still trip one, the email
    // goes out with the built-in text rather than not at all.
    let r = match render(kind, &parts, &style, vars) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(instance = %instance.slug, kind = kind.as_str(), error = %e.message, "a custom email template failed to render; the default was used");
            render(kind, &Parts::defaults(kind), &style, vars)
                .map_err(|e| anyhow::anyhow!("The default {} template failed to render: {}", kind.as_str(), e.message))?
        }
    };
    outbox::enqueue(db, NewEmail { instance_id: Some(instance.id), kind: kind.as_str(), to, subject: &r.subject, text: &r.text, html: &r.html }).await?;
    Ok(())
}

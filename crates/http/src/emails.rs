//! Emails to end users: one-time tokens, rendering, and queueing in the outbox within the
//! caller's transaction. Delivery is the worker's job (`steward::mailer`).

use base64::Engine as _;
use rand::RngCore as _;
use steward_persistence::ConnectionTrait;
use steward_mail::{Kind, Vars, render};
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
    let link = format!("{}/account/{path}?instance={}&token={token}", state.public_url, instance.slug);
    let vars = Vars {
        instance_name: instance.name.clone(),
        user_name: user.name.clone(),
        email: user.email.clone(),
        link,
        expires_in: expires_in.to_owned(),
        change: String::new(),
    };
    enqueue(db, instance, &user.email, kind, &vars).await
}

/// Queues an "account updated" notice saying what changed, to `to`.
pub async fn queue_notice(db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, to: &str, change: &str) -> StoreResult<()> {
    let vars = Vars { instance_name: instance.name.clone(), user_name: user.name.clone(), email: to.to_owned(), change: change.to_owned(), ..Vars::default() };
    enqueue(db, instance, to, Kind::UpdateAccount, &vars).await
}

async fn enqueue(db: &impl ConnectionTrait, instance: &Instance, to: &str, kind: Kind, vars: &Vars) -> StoreResult<()> {
    let r = render(kind, vars);
    outbox::enqueue(db, NewEmail { instance_id: Some(instance.id), kind: kind.as_str(), to, subject: &r.subject, text: &r.text, html: &r.html }).await?;
    Ok(())
}

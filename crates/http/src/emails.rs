//! Emails to end users: requests queued in the outbox within the caller's transaction, and their
//! preparation when the worker sends them (one-time tokens, rendering). Delivery is the worker's
//! job (`steward::mailer`).

use anyhow::Context as _;
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use steward_domain::email::{EmailStyle, TemplateKind as Kind};
use steward_mail::{Parts, Rendered, Source, Vars, render};
use steward_persistence::ConnectionTrait;
use steward_persistence::account_tokens::{self, AccountPurpose};
use steward_persistence::accounts::{self, Account};
use steward_persistence::branding::{self, LogoFacts};
use steward_persistence::end_users::{self, EndUser};
use steward_persistence::instances::{self, Instance};
use steward_persistence::invitations::{self, Invitation};
use steward_persistence::outbox::{self, NewEmail, OutboxEmail};
use steward_persistence::user_tokens::{self, Purpose};
use steward_persistence::{StoreResult, email_templates, now};
use uuid::Uuid;

use crate::auth::tokens::hash_refresh_token as sha256_hex;

/// How long each kind of link works.
pub fn ttl(purpose: Purpose) -> (chrono::Duration, &'static str) {
    match purpose {
        Purpose::VerifyEmail => (chrono::Duration::hours(24), "24 hours"),
        Purpose::ResetPassword => (chrono::Duration::minutes(30), "30 minutes"),
        Purpose::Invitation => (chrono::Duration::days(7), "7 days"),
        Purpose::ChangeEmail => (chrono::Duration::hours(24), "24 hours"),
    }
}

/// How long the link of a `kind` email works, as its text says ("30 minutes"); empty for kinds
/// without a link.
pub fn link_lifetime(kind: Kind) -> &'static str {
    match kind {
        Kind::Verification => ttl(Purpose::VerifyEmail).1,
        Kind::ResetPassword => ttl(Purpose::ResetPassword).1,
        Kind::Invitation => ttl(Purpose::Invitation).1,
        Kind::UpdateAccount | Kind::Greeting | Kind::Footer => "",
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A one-time link (end user's or console account's) that cannot be used: the same answer
/// whatever the reason.
pub fn invalid_link() -> crate::problem::ApiError {
    crate::problem::ApiError::bad_request("invalid_token", "This link is invalid, expired or already used. Ask for a new one.")
}

/// Whether an emailed link still works (what its page says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Valid,
    Expired,
    /// Used, or replaced by a newer link.
    Used,
}

impl LinkState {
    pub fn of(used_at: Option<chrono::DateTime<chrono::FixedOffset>>, expires_at: chrono::DateTime<chrono::FixedOffset>) -> Self {
        if used_at.is_some() {
            Self::Used
        } else if expires_at <= now() {
            Self::Expired
        } else {
            Self::Valid
        }
    }
}

/// The stored form of a one-time token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// The values a message about `user` is rendered with (the link and the rest are added by the
/// caller).
pub fn user_vars(public_url: &str, instance: &Instance, logo: Option<&LogoFacts>, user: &EndUser) -> Vars {
    Vars {
        instance_name: instance.name.clone(),
        logo_url: logo.map(|l| logo_url(public_url, &instance.slug, &l.sha256)).unwrap_or_default(),
        first_name: user.given_name.clone(),
        last_name: user.family_name.clone(),
        user_name: user.name.clone(),
        email: user.email.clone(),
        metadata: steward_mail::templates::Metadata::from_json(&user.metadata),
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

/// What the worker is asked to send: rendered (and its one-time link made) when it is sent, so
/// a public request never runs a tenant's template, costs the same whether or not the address
/// has an account, and no stored body ever holds a live link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MailRequest {
    /// A one-time link (verification, reset, invitation) for a user, to the address they had
    /// when it was asked for.
    Link {
        user_id: Uuid,
        purpose: String,
        /// The application the link was asked from (its page sends the person back there).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_id: Option<Uuid>,
    },
    /// A link for whoever has the address in the instance (forgot-password, resend-verification):
    /// nothing is sent when nobody has it.
    LinkByEmail {
        purpose: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_id: Option<Uuid>,
    },
    /// An "account updated" notice saying what changed.
    Notice { user_id: Uuid, change: String },
    /// A link to confirm a new address (sent to it) that the user asked for while their email
    /// was `from_email`.
    EmailChange { user_id: Uuid, from_email: String },
    /// A console account's link (verification, reset), to the address it had when asked for.
    /// Console emails go through the platform's transport.
    AccountLink { account_id: Uuid, purpose: String },
    /// A reset link for whichever console account has the address (forgot-password): nothing is
    /// sent when none has it.
    AccountLinkByEmail { purpose: String },
    /// A notice to a console account's address (e.g. the old one, after a change of email).
    AccountNotice { account_id: Uuid, change: String },
    /// An invitation to join an instance.
    Invitation { invitation_id: Uuid },
    /// A usage alert (80% or 100% of a plan's quota) to an owner of an instance.
    UsageAlert { account_id: Uuid, instance_id: Uuid, change: String },
}

fn template_kind(purpose: Purpose) -> (Kind, &'static str) {
    match purpose {
        Purpose::VerifyEmail => (Kind::Verification, "verify-email"),
        Purpose::ResetPassword => (Kind::ResetPassword, "reset-password"),
        Purpose::Invitation => (Kind::Invitation, "accept-invitation"),
        Purpose::ChangeEmail => (Kind::Verification, "verify-email"),
    }
}

async fn enqueue(db: &impl ConnectionTrait, instance_id: Uuid, to: &str, kind: Kind, request: &MailRequest) -> StoreResult<()> {
    let payload = serde_json::to_string(request).map_err(|e| anyhow::anyhow!("Failed to encode an email request: {e}"))?;
    outbox::enqueue(db, NewEmail { instance_id: Some(instance_id), kind: kind.as_str(), to, payload }).await?;
    Ok(())
}

async fn enqueue_platform(db: &impl ConnectionTrait, to: &str, kind: Kind, request: &MailRequest) -> StoreResult<()> {
    let payload = serde_json::to_string(request).map_err(|e| anyhow::anyhow!("Failed to encode an email request: {e}"))?;
    outbox::enqueue(db, NewEmail { instance_id: None, kind: kind.as_str(), to, payload }).await?;
    Ok(())
}

/// Queues a console account's link (verification or reset) to its current address.
pub async fn queue_account_link(db: &impl ConnectionTrait, account: &Account, purpose: AccountPurpose) -> StoreResult<()> {
    let kind = if purpose == AccountPurpose::ResetPassword { Kind::ResetPassword } else { Kind::Verification };
    enqueue_platform(db, &account.email, kind, &MailRequest::AccountLink { account_id: account.id, purpose: purpose.as_str().to_owned() }).await
}

/// Queues a reset link for whichever console account has `email`, decided when it is sent (the
/// same work whether or not one has it).
pub async fn queue_account_reset_by_email(db: &impl ConnectionTrait, email: &str) -> StoreResult<()> {
    enqueue_platform(db, email, Kind::ResetPassword, &MailRequest::AccountLinkByEmail { purpose: AccountPurpose::ResetPassword.as_str().to_owned() }).await
}

/// Queues a notice saying what changed, to `to` (an address of the account, maybe a former one).
pub async fn queue_account_notice(db: &impl ConnectionTrait, account_id: Uuid, to: &str, change: &str) -> StoreResult<()> {
    enqueue_platform(db, to, Kind::UpdateAccount, &MailRequest::AccountNotice { account_id, change: change.to_owned() }).await
}

/// Queues a usage alert to an owner of an instance (rendered when it is sent).
pub async fn queue_usage_alert(db: &impl ConnectionTrait, account_id: Uuid, to: &str, instance_id: Uuid, change: &str) -> StoreResult<()> {
    enqueue_platform(db, to, Kind::UpdateAccount, &MailRequest::UsageAlert { account_id, instance_id, change: change.to_owned() }).await
}

/// Queues an invitation's email (its link is made when it is sent).
pub async fn queue_invitation(db: &impl ConnectionTrait, invitation: &Invitation) -> StoreResult<()> {
    enqueue_platform(db, &invitation.email, Kind::Invitation, &MailRequest::Invitation { invitation_id: invitation.id }).await
}

/// How long a console account's link works.
pub fn account_ttl(purpose: AccountPurpose) -> (chrono::Duration, &'static str) {
    match purpose {
        AccountPurpose::VerifyEmail => (chrono::Duration::hours(24), "24 hours"),
        AccountPurpose::ResetPassword => (chrono::Duration::minutes(30), "30 minutes"),
        AccountPurpose::TwoFactorChallenge => (chrono::Duration::minutes(5), "5 minutes"),
    }
}

/// How long an invitation works.
pub const INVITATION_TTL: (chrono::Duration, &str) = (chrono::Duration::days(7), "7 days");

/// Queues an email with a one-time link (verification, reset, invitation) to `user`, asked from
/// `application` (`None`: from the console).
pub async fn queue_link(db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, purpose: Purpose, application: Option<Uuid>) -> StoreResult<()> {
    let request = MailRequest::Link { user_id: user.id, purpose: purpose.as_str().to_owned(), application_id: application };
    enqueue(db, instance.id, &user.email, template_kind(purpose).0, &request).await
}

/// Queues a link for whoever has `email` in the instance, decided when it is sent. One insert,
/// whether or not anyone has the address: the answer takes the same time either way.
pub async fn queue_link_by_email(db: &impl ConnectionTrait, instance: &Instance, email: &str, purpose: Purpose, application: Option<Uuid>) -> StoreResult<()> {
    let request = MailRequest::LinkByEmail { purpose: purpose.as_str().to_owned(), application_id: application };
    enqueue(db, instance.id, email, template_kind(purpose).0, &request).await
}

/// Queues the confirmation of a new address the user asked for, to that address.
pub async fn queue_email_change(db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, new_email: &str) -> StoreResult<()> {
    enqueue(db, instance.id, new_email, Kind::Verification, &MailRequest::EmailChange { user_id: user.id, from_email: user.email.clone() }).await
}

/// Queues an "account updated" notice saying what changed, to `to`.
pub async fn queue_notice(db: &impl ConnectionTrait, instance: &Instance, user: &EndUser, to: &str, change: &str) -> StoreResult<()> {
    enqueue(db, instance.id, to, Kind::UpdateAccount, &MailRequest::Notice { user_id: user.id, change: change.to_owned() }).await
}

/// An email ready to send, and what the console may keep of it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The same, with live one-time links redacted: what is stored in the outbox.
    pub stored_text: String,
    pub stored_html: String,
}

/// What to do with a claimed outbox row.
#[derive(Debug)]
pub enum Preparation {
    Send(Prepared),
    /// No email is due after all (the reason is kept for the console).
    Skip(&'static str),
}

/// Replaces every one-time link token (`token=…`) in `s`.
pub fn redact_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("token=") {
        let (before, after) = rest.split_at(at + "token=".len());
        out.push_str(before);
        let len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_').count();
        if len >= 16 {
            out.push_str("[redacted]");
        } else {
            out.push_str(&after[..len]);
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Renders a claimed outbox row: finds its user, makes its one-time link (each attempt makes a
/// new one and ends the previous), and renders the instance's templates — falling back to the
/// built-in text when a custom template fails on real data, so the email is never lost.
#[tracing::instrument(skip_all, fields(email_id = %email.id))]
pub async fn prepare(db: &steward_persistence::Database, public_url: &str, email: &OutboxEmail) -> anyhow::Result<Preparation> {
    let Some(payload) = email.payload.as_deref() else {
        // Queued before requests existed: sent as it was rendered.
        return Ok(Preparation::Send(Prepared {
            to: email.to_address.clone(),
            subject: email.subject.clone(),
            text: email.text_body.clone(),
            html: email.html_body.clone(),
            stored_text: redact_links(&email.text_body),
            stored_html: redact_links(&email.html_body),
        }));
    };
    let request: MailRequest = serde_json::from_str(payload).context("An outbox row has an unreadable request")?;
    if matches!(
        request,
        MailRequest::AccountLink { .. }
            | MailRequest::AccountLinkByEmail { .. }
            | MailRequest::AccountNotice { .. }
            | MailRequest::Invitation { .. }
            | MailRequest::UsageAlert { .. }
    ) {
        return prepare_platform(db, public_url, email, request).await;
    }
    let instance_id = email.instance_id.context("An email request without an instance")?;
    let Some(instance) = instances::get(db, instance_id).await? else { return Ok(Preparation::Skip("the instance no longer exists")) };
    let purpose_of = |p: &str| Purpose::parse(p).with_context(|| format!("Unknown link purpose {p:?}"));
    let (user, purpose, change) = match &request {
        MailRequest::Link { user_id, purpose, .. } => (end_users::get(db, instance_id, *user_id).await?, Some(purpose_of(purpose)?), None),
        MailRequest::LinkByEmail { purpose, .. } => (end_users::by_email(db, instance_id, &email.to_address).await?, Some(purpose_of(purpose)?), None),
        MailRequest::Notice { user_id, change } => (end_users::get(db, instance_id, *user_id).await?, None, Some(change.clone())),
        MailRequest::EmailChange { user_id, .. } => (end_users::get(db, instance_id, *user_id).await?, Some(Purpose::ChangeEmail), None),
        MailRequest::AccountLink { .. }
        | MailRequest::AccountLinkByEmail { .. }
        | MailRequest::AccountNotice { .. }
        | MailRequest::Invitation { .. }
        | MailRequest::UsageAlert { .. } => {
            anyhow::bail!("A platform email request on an instance's row")
        }
    };
    let Some(user) = user else {
        return Ok(Preparation::Skip(match request {
            MailRequest::LinkByEmail { .. } => "no account has this address",
            _ => "the user no longer exists",
        }));
    };
    let logo = branding::logo_facts(db, instance_id).await?;
    let base = user_vars(public_url, &instance, logo.as_ref(), &user);
    let (kind, vars, token) = match purpose {
        Some(purpose) => {
            // A link goes only to the address the user has now — or, for a change of address, to
            // the new one while the user still has the address they asked from.
            if let MailRequest::EmailChange { from_email, .. } = &request {
                if !user.email.eq_ignore_ascii_case(from_email) {
                    return Ok(Preparation::Skip("the user's email changed since this was asked for"));
                }
                if end_users::by_email(db, instance_id, &email.to_address).await?.is_some() {
                    return Ok(Preparation::Skip("another account has the new address"));
                }
            } else if !user.email.eq_ignore_ascii_case(&email.to_address) {
                return Ok(Preparation::Skip("the user's email changed since this was asked for"));
            }
            if user.blocked && purpose != Purpose::Invitation {
                return Ok(Preparation::Skip("the user is blocked"));
            }
            if purpose == Purpose::VerifyEmail && user.email_verified {
                return Ok(Preparation::Skip("the email is already verified"));
            }
            let (kind, path) = template_kind(purpose);
            let token = new_token();
            let (duration, expires_in) = ttl(purpose);
            let txn = steward_persistence::begin(db).await?;
            user_tokens::revoke_unused(&txn, user.id, purpose).await?;
            // The token is bound to the address it goes to.
            let application = match &request {
                MailRequest::Link { application_id, .. } | MailRequest::LinkByEmail { application_id, .. } => *application_id,
                _ => None,
            };
            let hash = token_hash(&token);
            let new = user_tokens::NewToken {
                user_id: user.id,
                purpose,
                hash: &hash,
                email: &email.to_address,
                expires_at: now() + duration,
                application_id: application,
            };
            user_tokens::create(&txn, instance_id, new).await?;
            txn.commit().await.context("Failed to store a one-time token")?;
            let link = format!("{public_url}/account/{path}?instance={}&token={token}", instance.slug);
            (kind, Vars { link, expires_in: expires_in.to_owned(), email: email.to_address.clone(), ..base }, Some(token))
        }
        None => (Kind::UpdateAccount, Vars { email: email.to_address.clone(), change: change.unwrap_or_default(), ..base }, None),
    };
    let (parts, style) = instance_parts(db, instance_id, kind).await?;
    let r = match render(kind, &parts, &style, &vars) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(instance = %instance.slug, kind = kind.as_str(), error = %e.message, "a custom email template failed to render; the default was used");
            render(kind, &Parts::defaults(kind), &style, &vars)
                .map_err(|e| anyhow::anyhow!("The default {} template failed to render: {}", kind.as_str(), e.message))?
        }
    };
    Ok(Preparation::Send(ready(r, token.as_deref(), email)))
}

/// The console's own emails: sent as Steward (the platform's templates, not an instance's).
const PLATFORM_NAME: &str = "Steward";

/// The invitation email: who invites, to what, with which role (`change` carries that sentence).
fn usage_alert_parts() -> Parts {
    let mut parts = Parts::defaults(Kind::UpdateAccount);
    parts.message = Source {
        subject: Some("Usage alert: {{ instance_name }} on Steward".into()),
        body: "<p>{{ change }}</p>\n<p><a href=\"{{ link }}\">See Usage &amp; billing</a> to follow its usage or change its plan.</p>".into(),
    };
    parts.footer = Source { subject: None, body: "<p>— Steward</p>".into() };
    parts
}

fn invitation_parts() -> Parts {
    let mut parts = Parts::defaults(Kind::Invitation);
    parts.message = Source {
        subject: Some("You are invited to {{ instance_name }} on Steward".into()),
        body: "<p>{{ change }}</p>\n<p><a href=\"{{ link }}\">Accept the invitation</a></p>\n<p>The link works for {{ expires_in }}, once. Sign in (or create your Steward account) with {{ email }} to accept it; if you did not expect it, ignore this email.</p>".into(),
    };
    parts.footer = Source { subject: None, body: "<p>— Steward</p>".into() };
    parts
}

async fn prepare_platform(db: &steward_persistence::Database, public_url: &str, email: &OutboxEmail, request: MailRequest) -> anyhow::Result<Preparation> {
    let mut parts_for = |kind: Kind| {
        let mut parts = Parts::defaults(kind);
        parts.footer = Source { subject: None, body: "<p>— Steward</p>".into() };
        parts
    };
    let (kind, parts, vars, token) = match request {
        MailRequest::AccountLink { account_id, purpose } => {
            let purpose = AccountPurpose::parse(&purpose).with_context(|| format!("Unknown account link purpose {purpose:?}"))?;
            let Some(account) = accounts::find(db, account_id).await? else { return Ok(Preparation::Skip("the account no longer exists")) };
            return account_link(db, public_url, email, &account, purpose, &mut parts_for).await;
        }
        MailRequest::AccountLinkByEmail { purpose } => {
            let purpose = AccountPurpose::parse(&purpose).with_context(|| format!("Unknown account link purpose {purpose:?}"))?;
            let Some(account) = accounts::find_by_email(db, &email.to_address).await? else { return Ok(Preparation::Skip("no account has this address")) };
            return account_link(db, public_url, email, &account, purpose, &mut parts_for).await;
        }
        MailRequest::AccountNotice { account_id, change } => {
            let Some(account) = accounts::find(db, account_id).await? else { return Ok(Preparation::Skip("the account no longer exists")) };
            let vars = Vars { instance_name: PLATFORM_NAME.into(), user_name: account.name, email: email.to_address.clone(), change, ..Vars::default() };
            (Kind::UpdateAccount, parts_for(Kind::UpdateAccount), vars, None)
        }
        MailRequest::UsageAlert { account_id, instance_id, change } => {
            let Some(account) = accounts::find(db, account_id).await? else { return Ok(Preparation::Skip("the account no longer exists")) };
            let Some(instance) = instances::get(db, instance_id).await? else { return Ok(Preparation::Skip("the instance no longer exists")) };
            let vars = Vars {
                instance_name: instance.name,
                user_name: account.name,
                email: email.to_address.clone(),
                link: format!("{public_url}/i/{}/usage", instance.slug),
                change,
                ..Vars::default()
            };
            (Kind::UpdateAccount, usage_alert_parts(), vars, None)
        }
        MailRequest::Invitation { invitation_id } => {
            let Some(invitation) = invitations::by_id(db, invitation_id).await? else { return Ok(Preparation::Skip("the invitation no longer exists")) };
            let Some(instance) = instances::get(db, invitation.instance_id).await? else { return Ok(Preparation::Skip("the instance no longer exists")) };
            let inviter = match invitation.invited_by {
                Some(id) => accounts::find(db, id).await?.map(|a| format!("{} ({})", a.name, a.email)),
                None => None,
            };
            let token = new_token();
            if !invitations::set_link(db, invitation.id, &token_hash(&token)).await? {
                return Ok(Preparation::Skip("the invitation was accepted, revoked or has expired"));
            }
            let change =
                format!("{} invited you to join {} on Steward as {}.", inviter.as_deref().unwrap_or("A member"), instance.name, with_article(&invitation.role));
            let vars = Vars {
                instance_name: instance.name,
                email: invitation.email.clone(),
                link: format!("{public_url}/invitations/accept?token={token}"),
                expires_in: remaining(invitation.expires_at),
                change,
                ..Vars::default()
            };
            (Kind::Invitation, invitation_parts(), vars, Some(token))
        }
        _ => anyhow::bail!("Not a platform email request"),
    };
    finish(kind, &parts, vars, token, email)
}

fn with_article(role: &str) -> String {
    match role.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {role}"),
        _ => format!("a {role}"),
    }
}

/// "7 days", "23 hours", "5 minutes": how long from now until `at`.
fn remaining(at: chrono::DateTime<chrono::FixedOffset>) -> String {
    let left = at.signed_duration_since(now());
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    if left.num_days() >= 1 {
        plural(left.num_days(), "day")
    } else if left.num_hours() >= 1 {
        plural(left.num_hours(), "hour")
    } else {
        plural(left.num_minutes().max(1), "minute")
    }
}

async fn account_link(
    db: &steward_persistence::Database,
    public_url: &str,
    email: &OutboxEmail,
    account: &Account,
    purpose: AccountPurpose,
    parts_for: &mut impl FnMut(Kind) -> Parts,
) -> anyhow::Result<Preparation> {
    if !account.email.eq_ignore_ascii_case(&email.to_address) {
        return Ok(Preparation::Skip("the account's email changed since this was asked for"));
    }
    if purpose == AccountPurpose::VerifyEmail && account.email_verified_at.is_some() {
        return Ok(Preparation::Skip("the email is already verified"));
    }
    let (kind, path) = match purpose {
        AccountPurpose::ResetPassword => (Kind::ResetPassword, "reset-password"),
        AccountPurpose::VerifyEmail => (Kind::Verification, "verify-email"),
        AccountPurpose::TwoFactorChallenge => anyhow::bail!("A sign-in challenge is never emailed"),
    };
    let token = new_token();
    let (duration, expires_in) = account_ttl(purpose);
    let txn = steward_persistence::begin(db).await?;
    account_tokens::revoke_unused(&txn, account.id, Some(purpose)).await?;
    account_tokens::create(&txn, account.id, purpose, &token_hash(&token), &email.to_address, now() + duration).await?;
    txn.commit().await.context("Failed to store an account token")?;
    let vars = Vars {
        instance_name: PLATFORM_NAME.into(),
        user_name: account.name.clone(),
        email: email.to_address.clone(),
        link: format!("{public_url}/{path}?token={token}"),
        expires_in: expires_in.to_owned(),
        ..Vars::default()
    };
    finish(kind, &parts_for(kind), vars, Some(token), email)
}

/// A rendered email to send, and what the outbox keeps of it: the same with its one-time link's
/// token redacted.
fn ready(r: Rendered, token: Option<&str>, email: &OutboxEmail) -> Prepared {
    let redact = |s: &str| match token {
        Some(t) => s.replace(t, "[redacted]"),
        None => s.to_owned(),
    };
    Prepared { to: email.to_address.clone(), stored_text: redact(&r.text), stored_html: redact(&r.html), subject: r.subject, text: r.text, html: r.html }
}

/// Renders a platform email and what the outbox keeps of it (the link redacted).
fn finish(kind: Kind, parts: &Parts, vars: Vars, token: Option<String>, email: &OutboxEmail) -> anyhow::Result<Preparation> {
    let r = render(kind, parts, &EmailStyle::default(), &vars)
        .map_err(|e| anyhow::anyhow!("A platform {} email failed to render: {}", kind.as_str(), e.message))?;
    Ok(Preparation::Send(ready(r, token.as_deref(), email)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_redacted() {
        let live = "https://x.example/account/reset-password?instance=shop&token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        let text = format!("Choose a new password: {live}\n<a href=\"{live}\">go</a> token=short");
        let r = redact_links(&text);
        assert!(!r.contains("AbCdEf"), "{r}");
        assert_eq!(r.matches("token=[redacted]").count(), 2);
        assert!(r.ends_with("token=short"));
    }
}

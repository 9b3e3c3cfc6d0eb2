use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_persistence::mailbox::{self, MailboxMessage};
use steward_persistence::outbox::{self, OutboxEmail};
use steward_persistence::smtp_settings;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::access::{Emails, Member, Read, Write};
use crate::emails::redact_links;
use crate::extract::{ApiQuery, PageQuery};
use crate::problem::ApiError;

/// What an email is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    Verification,
    ResetPassword,
    UpdateAccount,
    Invitation,
}

/// Where an email is: waiting, being sent, accepted by the transport, not needed after all
/// (its user is gone, already verified, or no account has the address), or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Queued,
    Sending,
    Sent,
    Skipped,
    Failed,
    /// Cancelled from the console before it was sent: never sent.
    Cancelled,
}

/// The transport of an email's last attempt: the instance's own SMTP server, the platform's,
/// or the local mailbox (no SMTP server configured).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveredVia {
    CustomSmtp,
    PlatformSmtp,
    LocalMailbox,
}

/// Reads a stored value into its enum (the database holds the `snake_case` names).
fn stored<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|_| ApiError::internal(anyhow::anyhow!("An outbox row holds an unknown value {value:?}")))
}

fn stored_name<T: Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct OutboxEmailDto {
    pub id: Uuid,
    pub kind: EmailKind,
    pub to: String,
    /// Empty until the email is rendered (when it is sent).
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    /// Why the last attempt failed, or why the email was skipped.
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// `null` before the first attempt.
    pub delivered_via: Option<DeliveredVia>,
}

impl TryFrom<OutboxEmail> for OutboxEmailDto {
    type Error = ApiError;
    fn try_from(e: OutboxEmail) -> Result<Self, ApiError> {
        Ok(Self {
            id: e.id,
            kind: stored(&e.kind)?,
            to: e.to_address,
            subject: e.subject,
            status: stored(&e.status)?,
            attempts: e.attempts,
            last_error: e.last_error,
            next_attempt_at: e.next_attempt_at.to_utc(),
            created_at: e.created_at.to_utc(),
            sent_at: e.sent_at.map(|t| t.to_utc()),
            delivered_via: e.delivered_via.as_deref().and_then(|v| stored(v).ok()),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct OutboxList {
    pub items: Vec<OutboxEmailDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only emails with this status.
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub status: Option<OutboxStatus>,
    /// Emails to addresses containing this text (case-insensitive).
    pub to: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailboxQuery {
    /// Messages to addresses containing this text (case-insensitive).
    pub to: Option<String>,
}

/// A `to` filter, trimmed; `None` when empty.
fn to_part(to: Option<&str>) -> Option<String> {
    to.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Sent,
    Failed,
    /// No email was due after all (the reason is the error).
    Skipped,
}

/// One delivery attempt of an email.
#[derive(Serialize, ToSchema)]
pub struct OutboxAttemptDto {
    /// The attempt's number (attempts start over when a failed email is retried).
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// `null` when no transport was tried (the email could not be prepared, or was skipped).
    pub via: Option<DeliveredVia>,
    pub outcome: AttemptOutcome,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// An email as it was sent (one-time links redacted: they are never stored), with its attempts.
#[derive(Serialize, ToSchema)]
pub struct OutboxEmailDetail {
    #[serde(flatten)]
    pub email: OutboxEmailDto,
    /// The text part; empty until the email is rendered.
    pub text: String,
    /// The HTML part; empty until the email is rendered.
    pub html: String,
    pub attempt_log: Vec<OutboxAttemptDto>,
    /// The local mailbox's copy (`GET .../mailbox/{id}`, with live links for developers and
    /// up), when the email went there.
    pub mailbox_message_id: Option<Uuid>,
}

/// The transport the instance's next email goes through.
#[derive(Serialize, ToSchema)]
pub struct EmailTransportDto {
    pub transport: DeliveredVia,
    /// The SMTP server's host; `null` for the local mailbox.
    pub host: Option<String>,
    /// The From of the instance's emails.
    pub from: String,
}

#[derive(Serialize, ToSchema)]
pub struct MailboxMessageDto {
    pub id: Uuid,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub received_at: DateTime<Utc>,
}

impl MailboxMessageDto {
    /// The message as the caller may see it: live one-time links only for a caller that could
    /// send them itself (developer and up, or a machine with `users:write`: send a verification
    /// or reset email); viewers see them redacted.
    fn for_caller(m: MailboxMessage, live_links: bool) -> Self {
        let (text, html) = if live_links { (m.text_body, m.html_body) } else { (redact_links(&m.text_body), redact_links(&m.html_body)) };
        Self { id: m.id, from: m.from_address, to: m.to_address, subject: m.subject, text, html, received_at: m.received_at.to_utc() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MailboxList {
    pub items: Vec<MailboxMessageDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// The instance's outgoing emails and their delivery status, newest first.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:read"])),
    params(crate::openapi::InstancePath, OutboxQuery, PageQuery),
    responses((status = 200, body = OutboxList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound), (status = 422, response = crate::problem::ValidationFailed))
)]
#[get("/instances/{instance}/outbox")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_outbox(
    state: web::Data<AppState>,
    member: Member<Read<Emails>>,
    filter: ApiQuery<OutboxQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let (limit, cursor) = page.parse()?;
    let status = filter.status.map(stored_name);
    let p = outbox::list(&state.db, membership.instance.id, status.as_deref(), to_part(filter.to.as_deref()).as_deref(), limit, cursor.as_deref()).await?;
    let items = p.items.into_iter().map(OutboxEmailDto::try_from).collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(OutboxList { items, next_cursor: p.next_cursor, total: p.total }))
}

/// One email of the outbox as sent, with its delivery attempts.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The email's id")),
    responses((status = 200, body = OutboxEmailDetail), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/outbox/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_outbox_email(state: web::Data<AppState>, member: Member<Read<Emails>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let instance_id = member.membership.instance.id;
    let email = outbox::get(&state.db, instance_id, id).await?.ok_or_else(|| ApiError::not_found("No email with this id exists in the instance."))?;
    let attempt_log = outbox::attempts(&state.db, email.id)
        .await?
        .into_iter()
        .map(|a| {
            Ok(OutboxAttemptDto {
                attempt: a.attempt,
                at: a.at.to_utc(),
                via: a.via.as_deref().and_then(|v| stored(v).ok()),
                outcome: stored(&a.outcome)?,
                error: a.error,
                duration_ms: a.duration_ms,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let mailbox_message_id = mailbox::id_of_outbox(&state.db, instance_id, email.id).await?;
    let (text, html) = (email.text_body.clone(), email.html_body.clone());
    Ok(HttpResponse::Ok().json(OutboxEmailDetail { email: email.try_into()?, text, html, attempt_log, mailbox_message_id }))
}

/// Cancel a queued or failed email: it is never sent.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The email's id")),
    responses(
        (status = 204, description = "Cancelled."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse)
    )
)]
#[post("/instances/{instance}/outbox/{id}/cancel")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn cancel_email(state: web::Data<AppState>, member: Member<Write<Emails>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    super::service::cancel(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The transport the instance's emails go through now: its own SMTP server when one is enabled,
/// else the platform's SMTP server, else the local mailbox.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = EmailTransportDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/email-transport")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_email_transport(state: web::Data<AppState>, member: Member<Read<Emails>>) -> Result<HttpResponse, ApiError> {
    let settings = smtp_settings::get(&state.db, member.membership.instance.id).await?.filter(|s| s.enabled);
    let platform = &state.platform_mail;
    let dto = match (settings, &platform.smtp_host) {
        (Some(s), _) => EmailTransportDto {
            transport: DeliveredVia::CustomSmtp,
            host: Some(s.host.clone()),
            from: steward_mail::smtp::mailbox_header(s.from_name.as_deref(), &s.from_address),
        },
        (None, Some(host)) => EmailTransportDto { transport: DeliveredVia::PlatformSmtp, host: Some(host.clone()), from: platform.from.clone() },
        (None, None) => EmailTransportDto { transport: DeliveredVia::LocalMailbox, host: None, from: platform.from.clone() },
    };
    Ok(HttpResponse::Ok().json(dto))
}

/// Send a failed email again (its attempts start over), or a queued one waiting for its next
/// attempt now.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The email's id")),
    responses(
        (status = 202, description = "Queued again."),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse)
    )
)]
#[post("/instances/{instance}/outbox/{id}/retry")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn retry_email(state: web::Data<AppState>, member: Member<Write<Emails>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    super::service::retry(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Emails captured by the local mailbox (the default transport, when no SMTP server is set).
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:read"])),
    params(crate::openapi::InstancePath, MailboxQuery, PageQuery),
    responses((status = 200, body = MailboxList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound), (status = 422, response = crate::problem::ValidationFailed))
)]
#[get("/instances/{instance}/mailbox")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_mailbox(
    state: web::Data<AppState>,
    member: Member<Read<Emails>>,
    filter: ApiQuery<MailboxQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let live_links = member.may_see_account_links();
    let membership = member.membership;
    let (limit, cursor) = page.parse()?;
    let p = mailbox::list(&state.db, membership.instance.id, to_part(filter.to.as_deref()).as_deref(), limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(MailboxList {
        items: p.items.into_iter().map(|m| MailboxMessageDto::for_caller(m, live_links)).collect(),
        next_cursor: p.next_cursor,
        total: p.total,
    }))
}

/// One captured email.
#[utoipa::path(
    tag = "emails",
    security(("bearer" = []), ("management" = ["emails:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The message's id")),
    responses((status = 200, body = MailboxMessageDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/mailbox/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_mailbox_message(state: web::Data<AppState>, member: Member<Read<Emails>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let live_links = member.may_see_account_links();
    let m = mailbox::get(&state.db, member.membership.instance.id, id).await?.ok_or_else(|| ApiError::not_found("No message with this id."))?;
    Ok(HttpResponse::Ok().json(MailboxMessageDto::for_caller(m, live_links)))
}

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_domain::webhook::{DeliveryStatus, EventType};
use steward_persistence::webhooks::{Attempt, Delivery, Endpoint, Event};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An event type an endpoint may subscribe to (`webhook.test` is sent only on request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum EventTypeDto {
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "user.deleted")]
    UserDeleted,
    #[serde(rename = "user.blocked")]
    UserBlocked,
    #[serde(rename = "user.unblocked")]
    UserUnblocked,
    #[serde(rename = "user.signed_in")]
    UserSignedIn,
    #[serde(rename = "user.email_verified")]
    UserEmailVerified,
    #[serde(rename = "application.created")]
    ApplicationCreated,
    #[serde(rename = "application.updated")]
    ApplicationUpdated,
    #[serde(rename = "application.deleted")]
    ApplicationDeleted,
    #[serde(rename = "application.secret_rotated")]
    ApplicationSecretRotated,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventTypeDto {
    pub fn kind(self) -> EventType {
        use EventTypeDto::*;
        match self {
            UserCreated => EventType::UserCreated,
            UserUpdated => EventType::UserUpdated,
            UserDeleted => EventType::UserDeleted,
            UserBlocked => EventType::UserBlocked,
            UserUnblocked => EventType::UserUnblocked,
            UserSignedIn => EventType::UserSignedIn,
            UserEmailVerified => EventType::UserEmailVerified,
            ApplicationCreated => EventType::ApplicationCreated,
            ApplicationUpdated => EventType::ApplicationUpdated,
            ApplicationDeleted => EventType::ApplicationDeleted,
            ApplicationSecretRotated => EventType::ApplicationSecretRotated,
            WebhookTest => EventType::WebhookTest,
        }
    }

    pub fn all() -> Vec<EventTypeDto> {
        use EventTypeDto::*;
        vec![
            UserCreated,
            UserUpdated,
            UserDeleted,
            UserBlocked,
            UserUnblocked,
            UserSignedIn,
            UserEmailVerified,
            ApplicationCreated,
            ApplicationUpdated,
            ApplicationDeleted,
            ApplicationSecretRotated,
            WebhookTest,
        ]
    }

    pub fn of(kind: EventType) -> Self {
        Self::all().into_iter().find(|d| d.kind() == kind).unwrap_or(EventTypeDto::WebhookTest)
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventTypeInfo {
    #[serde(rename = "type")]
    pub type_: EventTypeDto,
    pub description: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct EventTypeCatalogue {
    pub items: Vec<EventTypeInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: Uuid,
    #[schema(example = "https://api.example.com/steward-events")]
    pub url: String,
    pub description: String,
    /// The event types delivered; empty: every type.
    pub event_types: Vec<EventTypeDto>,
    pub enabled: bool,
    /// Why it was turned off, when Steward did it (failing for too long).
    pub disabled_reason: Option<String>,
    /// Since when its deliveries have been failing; null when the last one succeeded.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the previous secret also signs (after a rotation with a grace period).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Endpoint> for WebhookDto {
    fn from(e: Endpoint) -> Self {
        let event_types = e.event_type_list().into_iter().map(EventTypeDto::of).collect();
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            event_types,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since.map(|t| t.to_utc()),
            previous_secret_expires_at: e.previous_secret_expires_at.filter(|t| *t > steward_persistence::now()).map(|t| t.to_utc()),
            created_at: e.created_at.to_utc(),
            updated_at: e.updated_at.to_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// An http(s) URL; on a shared deployment, private networks are refused.
    #[schema(pattern = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+")]
    pub url: String,
    pub description: Option<String>,
    /// The event types to deliver; absent or empty: every type.
    pub event_types: Option<Vec<EventTypeDto>>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// The new endpoint; its `secret` (for verifying signatures) is in this response only.
#[derive(Serialize, ToSchema)]
pub struct CreatedWebhook {
    pub endpoint: WebhookDto,
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[schema(pattern = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+")]
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventTypeDto>>,
    /// Turning an endpoint on again forgets its failures.
    pub enabled: Option<bool>,
}

/// The new secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RotatedWebhookSecret {
    pub secret: String,
    /// Until when the previous secret also signs (now, without a grace period).
    pub previous_secret_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatusDto {
    /// Waiting for its turn or its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

impl DeliveryStatusDto {
    pub fn status(self) -> DeliveryStatus {
        match self {
            Self::Pending => DeliveryStatus::Pending,
            Self::Succeeded => DeliveryStatus::Succeeded,
            Self::Failed => DeliveryStatus::Failed,
        }
    }

    fn of(s: &str) -> Self {
        match DeliveryStatus::parse(s) {
            Some(DeliveryStatus::Succeeded) => Self::Succeeded,
            Some(DeliveryStatus::Failed) => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: Uuid,
    /// The `webhook-id` the endpoint received (the same for every attempt and resend).
    #[schema(example = "msg_0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4")]
    pub message_id: String,
    pub event_type: EventTypeDto,
    pub status: DeliveryStatusDto,
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer, when there was one.
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    /// The first KiB of the last answer's body.
    pub last_response: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl DeliveryDto {
    pub fn new(d: Delivery, e: &Event) -> Self {
        let status = DeliveryStatusDto::of(&d.status);
        Self {
            id: d.id,
            message_id: crate::webhooks::message_id(e.id),
            event_type: EventType::parse(&e.event_type).map(EventTypeDto::of).unwrap_or(EventTypeDto::WebhookTest),
            next_attempt_at: matches!(status, DeliveryStatusDto::Pending).then(|| d.next_attempt_at.to_utc()),
            status,
            attempts: d.attempts,
            last_attempt_at: d.last_attempt_at.map(|t| t.to_utc()),
            last_status: d.last_status,
            last_latency_ms: d.last_latency_ms,
            last_error: d.last_error,
            last_response: d.last_response,
            delivered_at: d.delivered_at.map(|t| t.to_utc()),
            created_at: d.created_at.to_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptDto {
    pub attempt: i32,
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

impl From<Attempt> for AttemptDto {
    fn from(a: Attempt) -> Self {
        Self {
            attempt: a.attempt,
            at: a.at.to_utc(),
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
            error: a.error,
        }
    }
}

/// A delivery with the body sent and every attempt.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDetail {
    pub delivery: DeliveryDto,
    /// The JSON body the endpoint receives: `{type, timestamp, data}`.
    pub payload: Value,
    pub attempts: Vec<AttemptDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub status: Option<DeliveryStatusDto>,
}

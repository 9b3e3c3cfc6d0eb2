//! Creating, changing and deleting webhook endpoints, rotating their secrets, test events and
//! resends — each with its audit entry in the same transaction. Secrets never reach the log.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::webhook::EventType;
use steward_persistence::instances::Instance;
use steward_persistence::webhooks::{self, Delivery, Endpoint, EndpointChanges, NewEndpoint};
use uuid::Uuid;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::problem::ApiError;

fn view(e: &Endpoint) -> Value {
    json!({
        "url": e.url,
        "description": e.description,
        "event_types": e.event_type_list().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "enabled": e.enabled,
    })
}

fn target(e: &Endpoint) -> Target {
    Target::new(TargetKind::Webhook, e.id, &e.url)
}

pub fn endpoint_not_found() -> ApiError {
    ApiError::not_found("No webhook endpoint with this id exists in the instance.")
}

/// The additional data each secret is encrypted with: it opens only for its instance.
pub fn secret_aad(instance_id: Uuid) -> String {
    format!("webhook-secret/{instance_id}")
}

/// Endpoints an instance may have: every event is fanned out to each, and each is worked by the
/// delivery workers in turn.
pub const MAX_ENDPOINTS: u64 = 20;

pub async fn create(state: &AppState, instance: &Instance, actor: &Actor, new: NewEndpoint) -> Result<Endpoint, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    // Two creations at once must not both see room for one more.
    steward_persistence::members::lock_instance(&txn, instance.id).await?;
    if webhooks::count(&txn, instance.id).await? >= MAX_ENDPOINTS {
        return Err(ApiError::conflict("too_many_endpoints", format!("An instance has at most {MAX_ENDPOINTS} webhook endpoints; delete one first.")));
    }
    let endpoint = webhooks::create(&txn, instance.id, new).await?;
    let mut after = view(&endpoint);
    after["secret"] = json!("set");
    audit::record(&txn, instance.id, actor, AuditAction::WebhookCreate, target(&endpoint), &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit a new webhook endpoint").await?;
    Ok(endpoint)
}

pub async fn update(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid, changes: EndpointChanges) -> Result<Endpoint, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let current = webhooks::get(&txn, instance.id, id).await?.ok_or_else(endpoint_not_found)?;
    let before = view(&current);
    let updated = webhooks::update(&txn, current, changes).await?;
    audit::record(&txn, instance.id, actor, AuditAction::WebhookUpdate, target(&updated), &before, &view(&updated)).await?;
    audit::commit(txn, "Failed to commit a webhook endpoint change").await?;
    state.webhook_wakeup.notify_one();
    Ok(updated)
}

/// Deletes the endpoint with its pending deliveries.
pub async fn delete(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let endpoint = webhooks::get(&txn, instance.id, id).await?.ok_or_else(endpoint_not_found)?;
    if !webhooks::delete(&txn, instance.id, id).await? {
        return Err(endpoint_not_found());
    }
    audit::record(&txn, instance.id, actor, AuditAction::WebhookDelete, target(&endpoint), &view(&endpoint), &Value::Null).await?;
    audit::commit(txn, "Failed to commit a webhook endpoint deletion").await
}

/// A new secret (encrypted); the current one keeps signing beside it until `until`.
pub async fn rotate_secret(
    state: &AppState,
    instance: &Instance,
    actor: &Actor,
    id: Uuid,
    encrypted: String,
    until: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let endpoint = webhooks::get(&txn, instance.id, id).await?.ok_or_else(endpoint_not_found)?;
    let endpoint = webhooks::rotate_secret(&txn, endpoint, encrypted, until).await?;
    let (before, after) =
        (json!({ "secret": "set", "previous_secret_expires_at": Value::Null }), json!({ "secret": "rotated", "previous_secret_expires_at": until.to_utc() }));
    audit::record(&txn, instance.id, actor, AuditAction::WebhookSecretRotate, target(&endpoint), &before, &after).await?;
    audit::commit(txn, "Failed to commit a webhook secret rotation").await
}

/// Queues a `webhook.test` event for this endpoint only.
pub async fn send_test(state: &AppState, instance: &Instance, actor: &Actor, id: Uuid) -> Result<Uuid, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let endpoint = webhooks::get(&txn, instance.id, id).await?.ok_or_else(endpoint_not_found)?;
    if !endpoint.enabled {
        return Err(ApiError::conflict("endpoint_disabled", "This endpoint is turned off; turn it on to send it events."));
    }
    let data = json!({ "message": "A test event from Steward.", "endpoint_id": endpoint.id, "instance": instance.slug });
    let event =
        webhooks::record_event(&txn, instance.id, EventType::WebhookTest, crate::webhooks::envelope(EventType::WebhookTest, data), &[endpoint.id]).await?;
    audit::record(
        &txn,
        instance.id,
        actor,
        AuditAction::WebhookTest,
        target(&endpoint),
        &Value::Null,
        &json!({ "event_id": event.id, "event_type": event.event_type }),
    )
    .await?;
    audit::commit(txn, "Failed to commit a webhook test event").await?;
    state.webhook_wakeup.notify_one();
    Ok(event.id)
}

/// Queues delivery `delivery_id`'s event again for its endpoint, at the end of its line.
pub async fn resend(state: &AppState, instance: &Instance, actor: &Actor, endpoint_id: Uuid, delivery_id: Uuid) -> Result<Delivery, ApiError> {
    let txn = steward_persistence::begin(&state.db).await?;
    let endpoint = webhooks::get(&txn, instance.id, endpoint_id).await?.ok_or_else(endpoint_not_found)?;
    let (delivery, event, _) = webhooks::delivery(&txn, instance.id, endpoint_id, delivery_id).await?.ok_or_else(delivery_not_found)?;
    let again = webhooks::resend(&txn, &delivery).await?;
    let after = json!({ "event_id": event.id, "event_type": event.event_type, "delivery_id": again.id });
    audit::record(&txn, instance.id, actor, AuditAction::WebhookResend, target(&endpoint), &Value::Null, &after).await?;
    audit::commit(txn, "Failed to commit a webhook resend").await?;
    state.webhook_wakeup.notify_one();
    Ok(again)
}

pub fn delivery_not_found() -> ApiError {
    ApiError::not_found("No delivery with this id exists for this endpoint.")
}

//! Webhooks as the rest of the code sees them: [`record`] an event in the transaction of the
//! change that caused it (services call it beside their audit entry), and sign a delivery the
//! Standard Webhooks way ([`sign`]): `webhook-id`, `webhook-timestamp` and `webhook-signature:
//! v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by the endpoint's `whsec_`
//! secret. The delivery worker lives in the server crate.

use anyhow::Context as _;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use serde_json::{Value, json};
use sha2::Sha256;
use steward_domain::webhook::EventType;
use steward_persistence::{DatabaseTransaction, StoreResult, webhooks};
use uuid::Uuid;

use crate::AppState;

/// Standard Webhooks secrets start with this; the rest is the base64 of the key.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new endpoint secret: `whsec_` + 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(key))
}

/// The `webhook-signature` value for one secret: `v1,<base64 HMAC-SHA256>`; `None` for a
/// malformed secret.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
}

/// The message id of an event (`webhook-id`): the same for every attempt and resend, so
/// receivers can drop duplicates.
pub fn message_id(event_id: Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

/// What an endpoint receives: `{type, timestamp, data}`.
pub fn envelope(kind: EventType, data: Value) -> Value {
    json!({ "type": kind.as_str(), "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "data": data })
}

/// Records event `kind` of `instance_id` for every enabled endpoint that wants it, in `txn`;
/// nothing when none does — one statement (see [`webhooks::record_event_with`]). The delivery
/// worker is woken when deliveries were queued (it finds them once `txn` commits). A change with
/// an audit entry records both at once with [`crate::audit::record_and_publish`].
pub async fn record(state: &AppState, txn: &DatabaseTransaction, instance_id: Uuid, kind: EventType, data: Value) -> StoreResult<()> {
    let queued = webhooks::record_event_with(txn, None, instance_id, event(kind, data)).await.context("Failed to record a webhook event")?;
    queued_deliveries(state, queued);
    Ok(())
}

/// The event as recorded: its kind and what endpoints receive.
pub fn event(kind: EventType, data: Value) -> webhooks::NewEvent {
    webhooks::NewEvent { kind, payload: envelope(kind, data) }
}

/// Wakes the delivery worker when deliveries were queued.
pub fn queued_deliveries(state: &AppState, queued: bool) {
    if queued {
        state.webhook_wakeup.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    #[test]
    fn signs_like_the_specification() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(sign("not-a-secret", "m", 1, b"").is_none());
        assert!(new_secret().starts_with(SECRET_PREFIX));
    }
}

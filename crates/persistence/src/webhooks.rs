//! Webhooks of an instance: endpoints, the events recorded with the changes that caused them,
//! one delivery per event and subscribed endpoint, and each delivery's attempts.
//!
//! Delivery order is per endpoint: a delivery waits until every earlier one of its endpoint has
//! succeeded or finally failed. One process at a time works an endpoint (a lease on its row), so
//! the order holds with several processes on one PostgreSQL.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use steward_domain::webhook::{DeliveryStatus, EventType};
use uuid::Uuid;

use crate::entities::{webhook_attempts as attempts, webhook_deliveries as deliveries, webhook_endpoints as endpoints, webhook_events as events};
use crate::{Page, StoreResult, now};

pub use crate::entities::webhook_attempts::Model as Attempt;
pub use crate::entities::webhook_deliveries::Model as Delivery;
pub use crate::entities::webhook_endpoints::Model as Endpoint;
pub use crate::entities::webhook_events::Model as Event;

impl Endpoint {
    /// The event types it subscribed to; empty: every type.
    pub fn event_type_list(&self) -> Vec<EventType> {
        self.event_types.as_array().into_iter().flatten().filter_map(|v| v.as_str().and_then(EventType::parse)).collect()
    }
}

fn types_json(types: &[EventType]) -> serde_json::Value {
    serde_json::json!(types.iter().map(|t| t.as_str()).collect::<Vec<_>>())
}

pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    pub secret_encrypted: String,
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn create(db: &impl ConnectionTrait, instance_id: Uuid, new: NewEndpoint) -> StoreResult<Endpoint> {
    let at = now();
    Ok(endpoints::ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        url: Set(new.url),
        description: Set(new.description),
        event_types: Set(types_json(&new.event_types)),
        enabled: Set(new.enabled),
        secret_encrypted: Set(new.secret_encrypted),
        previous_secret_encrypted: Set(None),
        previous_secret_expires_at: Set(None),
        failing_since: Set(None),
        disabled_reason: Set(None),
        lease_token: Set(None),
        lease_until: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .context("Failed to insert a webhook endpoint")?)
}

pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<Endpoint>> {
    Ok(endpoints::Entity::find_by_id(id).filter(endpoints::Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load a webhook endpoint")?)
}

/// How many endpoints the instance has.
pub async fn count(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<u64> {
    Ok(endpoints::Entity::find().filter(endpoints::Column::InstanceId.eq(instance_id)).count(db).await.context("Failed to count webhook endpoints")?)
}

/// The instance's endpoints, newest first.
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Endpoint>> {
    let base = endpoints::Entity::find().filter(endpoints::Column::InstanceId.eq(instance_id));
    let total = base.clone().count(db).await.context("Failed to count webhook endpoints")?;
    let mut query = base;
    if let Some(after) = after {
        let after: Uuid = after.parse().map_err(|_| crate::StoreError::InvalidCursor)?;
        query = query.filter(endpoints::Column::Id.lt(after));
    }
    let items = query.order_by_desc(endpoints::Column::Id).limit(limit + 1).all(db).await.context("Failed to list webhook endpoints")?;
    Ok(Page::from_overfetch(items, limit, total, |e| e.id.to_string()))
}

#[derive(Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// Turning an endpoint on again forgets its failures.
    pub enabled: Option<bool>,
}

pub async fn update(db: &impl ConnectionTrait, endpoint: Endpoint, changes: EndpointChanges) -> StoreResult<Endpoint> {
    let mut model: endpoints::ActiveModel = endpoint.into();
    if let Some(v) = changes.url {
        model.url = Set(v);
    }
    if let Some(v) = changes.description {
        model.description = Set(v);
    }
    if let Some(v) = changes.event_types {
        model.event_types = Set(types_json(&v));
    }
    if let Some(v) = changes.enabled {
        model.enabled = Set(v);
        if v {
            model.failing_since = Set(None);
            model.disabled_reason = Set(None);
        }
    }
    model.updated_at = Set(now());
    Ok(model.update(db).await.context("Failed to update a webhook endpoint")?)
}

pub async fn delete(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = endpoints::Entity::delete_many()
        .filter(endpoints::Column::Id.eq(id))
        .filter(endpoints::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .context("Failed to delete a webhook endpoint")?;
    Ok(res.rows_affected == 1)
}

/// Replaces the signing secret; the current one keeps signing beside it until `until`.
pub async fn rotate_secret(db: &impl ConnectionTrait, endpoint: Endpoint, secret_encrypted: String, until: DateTime<FixedOffset>) -> StoreResult<Endpoint> {
    let previous = endpoint.secret_encrypted.clone();
    let mut model: endpoints::ActiveModel = endpoint.into();
    model.previous_secret_encrypted = Set(Some(previous));
    model.previous_secret_expires_at = Set(Some(until));
    model.secret_encrypted = Set(secret_encrypted);
    model.updated_at = Set(now());
    Ok(model.update(db).await.context("Failed to rotate a webhook secret")?)
}

/// Records an event of `instance_id` with one delivery for each endpoint in `endpoint_ids`, in
/// the caller's transaction (the change that caused it commits with it, or neither does).
pub async fn record_event(
    txn: &DatabaseTransaction,
    instance_id: Uuid,
    kind: EventType,
    payload: serde_json::Value,
    endpoint_ids: &[Uuid],
) -> StoreResult<Event> {
    let at = now();
    let event = Event { id: Uuid::now_v7(), instance_id, event_type: kind.as_str().to_owned(), payload, created_at: at, fanout_pending: false };
    // Without RETURNING: the row is what was written (a route's write transaction is the cost).
    let row = events::ActiveModel {
        id: Set(event.id),
        instance_id: Set(instance_id),
        event_type: Set(event.event_type.clone()),
        payload: Set(event.payload.clone()),
        created_at: Set(at),
        fanout_pending: Set(false),
    };
    events::Entity::insert(row).exec_without_returning(txn).await.context("Failed to record a webhook event")?;
    if !endpoint_ids.is_empty() {
        let rows = endpoint_ids.iter().map(|&endpoint_id| new_delivery(instance_id, endpoint_id, event.id, at));
        deliveries::Entity::insert_many(rows).exec_without_returning(txn).await.context("Failed to queue webhook deliveries")?;
    }
    Ok(event)
}

fn new_delivery(instance_id: Uuid, endpoint_id: Uuid, event_id: Uuid, at: DateTime<FixedOffset>) -> deliveries::ActiveModel {
    deliveries::ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        endpoint_id: Set(endpoint_id),
        event_id: Set(event_id),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        last_attempt_at: Set(None),
        last_status: Set(None),
        last_latency_ms: Set(None),
        last_error: Set(None),
        last_response: Set(None),
        delivered_at: Set(None),
        created_at: Set(at),
    }
}

/// An event to record with the change that caused it.
pub struct NewEvent {
    pub kind: EventType,
    /// What endpoints receive (the envelope: type, timestamp, data).
    pub payload: serde_json::Value,
}

/// Records `event` of `instance_id` when an enabled endpoint wants it (nothing otherwise), in a
/// single round trip to the database, after `first` (the change's audit entry) when given: a
/// change's write transaction bounds a route's throughput, and each statement in it is a round
/// trip. The subscription test runs in SQL (`INSERT … SELECT … WHERE EXISTS`) as a filter — in
/// `LIKE` an `_` of a type matches any character, so it may let through an event nobody wants —
/// and the deliveries are made by the delivery workers ([`fan_out`]), which apply the exact test. SQLite runs the statements as one batch;
/// PostgreSQL, which takes one statement per prepared query, as one statement with a
/// data-modifying `WITH`. Answers whether the event was recorded.
pub async fn record_event_with(
    db: &impl ConnectionTrait,
    first: Option<sea_orm::Statement>,
    instance_id: Uuid,
    event: NewEvent,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::{DatabaseBackend, Value};
    let backend = db.get_database_backend();
    let postgres = backend == DatabaseBackend::Postgres;
    let (sql, mut values) = match first {
        Some(s) => (s.sql, s.values.map(|v| v.0).unwrap_or_default()),
        None => (String::new(), Vec::new()),
    };
    let audited = !sql.is_empty();
    // SQLite binds `?` in the order of the text: values are pushed in that order.
    let mut p = |v: Value| -> String {
        values.push(v);
        if postgres { format!("${}", values.len()) } else { "?".to_owned() }
    };
    let types = if postgres { "e.event_types::text" } else { "e.event_types" };
    let event_insert = format!(
        "INSERT INTO webhook_events (id, instance_id, event_type, payload, created_at, fanout_pending) SELECT {}, {}, {}, {}, {}, {} \
         WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.instance_id = {} AND e.enabled = {} AND ({types} = '[]' OR {types} LIKE {}))",
        p(Uuid::now_v7().into()),
        p(instance_id.into()),
        p(event.kind.as_str().into()),
        p(event.payload.into()),
        p(now().into()),
        p(true.into()),
        p(instance_id.into()),
        p(true.into()),
        p(format!("%\"{}\"%", event.kind.as_str()).into()),
    );
    let statement = match (audited, postgres) {
        (false, _) => event_insert,
        (true, true) => format!("WITH audit AS ({sql}) {event_insert}"),
        (true, false) => format!("{sql}; {event_insert}"),
    };
    let rows = db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, statement, values)).await?.rows_affected();
    // PostgreSQL counts the main statement's rows (the event); SQLite every statement's.
    Ok(if postgres { rows > 0 } else { rows > u64::from(audited) })
}

/// Makes the deliveries of up to `limit` recorded events (oldest first): one per endpoint of
/// the event's instance that is enabled, wants its type and existed when it was recorded. Safe
/// with several processes: an event is claimed by clearing its mark, in the transaction that
/// writes its deliveries, so exactly one process fans it out. Answers how many events it looked
/// at (`limit`: there may be more).
pub async fn fan_out(db: &crate::Database, limit: u64) -> StoreResult<u64> {
    let pending: Vec<(Uuid, Uuid, String, DateTime<FixedOffset>)> = events::Entity::find()
        .select_only()
        .columns([events::Column::Id, events::Column::InstanceId, events::Column::EventType, events::Column::CreatedAt])
        .filter(events::Column::FanoutPending.eq(true))
        .order_by_asc(events::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .context("Failed to look for webhook events to fan out")?;
    if pending.is_empty() {
        return Ok(0);
    }
    let seen = pending.len() as u64;
    let txn = crate::begin(db).await?;
    let mut endpoints_of: std::collections::HashMap<Uuid, Vec<(Uuid, serde_json::Value, DateTime<FixedOffset>)>> = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for (event_id, instance_id, event_type, created_at) in pending {
        let claimed = events::Entity::update_many()
            .col_expr(events::Column::FanoutPending, Expr::value(false))
            .filter(events::Column::Id.eq(event_id))
            .filter(events::Column::FanoutPending.eq(true))
            .exec(&txn)
            .await
            .context("Failed to claim a webhook event")?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let Some(kind) = EventType::parse(&event_type) else { continue };
        if let std::collections::hash_map::Entry::Vacant(slot) = endpoints_of.entry(instance_id) {
            let list = endpoints::Entity::find()
                .select_only()
                .columns([endpoints::Column::Id, endpoints::Column::EventTypes, endpoints::Column::CreatedAt])
                .filter(endpoints::Column::InstanceId.eq(instance_id))
                .filter(endpoints::Column::Enabled.eq(true))
                .order_by_asc(endpoints::Column::Id)
                .into_tuple()
                .all(&txn)
                .await
                .context("Failed to load webhook endpoints")?;
            slot.insert(list);
        }
        let at = now();
        for (endpoint_id, types, endpoint_created) in &endpoints_of[&instance_id] {
            if *endpoint_created <= created_at && wants(types, kind) {
                rows.push(new_delivery(instance_id, *endpoint_id, event_id, at));
            }
        }
    }
    for chunk in rows.chunks(500) {
        deliveries::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await.context("Failed to queue webhook deliveries")?;
    }
    txn.commit().await.context("Failed to commit webhook deliveries")?;
    Ok(seen)
}

/// The enabled endpoints of the instance that want events of `kind`: their ids (only the two
/// columns needed are read). For changes that write their deliveries at once (a CSV import).
pub async fn subscribers(db: &impl ConnectionTrait, instance_id: Uuid, kind: EventType) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid, serde_json::Value)> = endpoints::Entity::find()
        .select_only()
        .columns([endpoints::Column::Id, endpoints::Column::EventTypes])
        .filter(endpoints::Column::InstanceId.eq(instance_id))
        .filter(endpoints::Column::Enabled.eq(true))
        .into_tuple()
        .all(db)
        .await
        .context("Failed to load webhook endpoints")?;
    Ok(rows.into_iter().filter(|(_, types)| wants(types, kind)).map(|(id, _)| id).collect())
}

/// Whether an endpoint subscribed to `types` (empty: every type) wants events of `kind` (a test
/// event goes only where it is sent).
fn wants(types: &serde_json::Value, kind: EventType) -> bool {
    kind != EventType::WebhookTest
        && types.as_array().is_none_or(|list| list.is_empty() || list.iter().any(|t| t.as_str().and_then(EventType::parse) == Some(kind)))
}

/// Endpoints with a delivery due now that no process is working, with their instances: at
/// most `limit`.
pub async fn due_endpoints(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<(Uuid, Uuid)>> {
    let at = now();
    let ids: Vec<Uuid> = deliveries::Entity::find()
        .select_only()
        .column(deliveries::Column::EndpointId)
        .distinct()
        .filter(deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(deliveries::Column::NextAttemptAt.lte(at))
        .limit(limit * 4)
        .into_tuple()
        .all(db)
        .await
        .context("Failed to find due webhook deliveries")?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(endpoints::Entity::find()
        .select_only()
        .column(endpoints::Column::Id)
        .column(endpoints::Column::InstanceId)
        .filter(endpoints::Column::Id.is_in(ids))
        .filter(endpoints::Column::Enabled.eq(true))
        .filter(endpoints::Column::LeaseUntil.is_null().or(endpoints::Column::LeaseUntil.lt(at)))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .context("Failed to find free webhook endpoints")?)
}

/// Takes (or renews, with the same `token`) the lease of an endpoint for `secs`: whether this
/// process may work it now.
pub async fn lease(db: &impl ConnectionTrait, endpoint_id: Uuid, token: Uuid, secs: i64) -> StoreResult<bool> {
    let at = now();
    let res = endpoints::Entity::update_many()
        .col_expr(endpoints::Column::LeaseToken, Expr::value(token))
        .col_expr(endpoints::Column::LeaseUntil, Expr::value(at + chrono::Duration::seconds(secs)))
        .filter(endpoints::Column::Id.eq(endpoint_id))
        .filter(endpoints::Column::Enabled.eq(true))
        .filter(endpoints::Column::LeaseUntil.is_null().or(endpoints::Column::LeaseUntil.lt(at)).or(endpoints::Column::LeaseToken.eq(token)))
        .exec(db)
        .await
        .context("Failed to lease a webhook endpoint")?;
    Ok(res.rows_affected == 1)
}

pub async fn release(db: &impl ConnectionTrait, endpoint_id: Uuid, token: Uuid) -> StoreResult<()> {
    endpoints::Entity::update_many()
        .col_expr(endpoints::Column::LeaseToken, Expr::value(Option::<Uuid>::None))
        .col_expr(endpoints::Column::LeaseUntil, Expr::value(Option::<DateTime<FixedOffset>>::None))
        .filter(endpoints::Column::Id.eq(endpoint_id))
        .filter(endpoints::Column::LeaseToken.eq(token))
        .exec(db)
        .await
        .context("Failed to release a webhook endpoint")?;
    Ok(())
}

/// An endpoint by id, whatever its instance (the worker's).
pub async fn endpoint(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<Endpoint>> {
    Ok(endpoints::Entity::find_by_id(id).one(db).await.context("Failed to load a webhook endpoint")?)
}

/// The next pending deliveries of an endpoint, oldest first, with their events.
pub async fn next_in_line(db: &impl ConnectionTrait, endpoint_id: Uuid, limit: u64) -> StoreResult<Vec<(Delivery, Event)>> {
    let rows = deliveries::Entity::find()
        .filter(deliveries::Column::EndpointId.eq(endpoint_id))
        .filter(deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .order_by_asc(deliveries::Column::Id)
        .limit(limit)
        .find_also_related(events::Entity)
        .all(db)
        .await
        .context("Failed to load webhook deliveries")?;
    Ok(rows.into_iter().filter_map(|(d, e)| e.map(|e| (d, e))).collect())
}

/// What one attempt gave.
pub struct Outcome {
    pub delivery_id: Uuid,
    pub attempt: i32,
    pub at: DateTime<FixedOffset>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    /// The delivery's state after it: succeeded, failed for good, or pending until `retry_at`.
    pub status: DeliveryStatus,
    pub retry_at: Option<DateTime<FixedOffset>>,
}

/// Records attempts and their deliveries' new states in one transaction.
pub async fn record_outcomes(db: &crate::Database, outcomes: &[Outcome]) -> StoreResult<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let txn = crate::begin(db).await?;
    attempts::Entity::insert_many(outcomes.iter().map(|o| attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(o.delivery_id),
        attempt: Set(o.attempt),
        at: Set(o.at),
        status_code: Set(o.status_code),
        latency_ms: Set(o.latency_ms),
        response_excerpt: Set(o.response_excerpt.clone()),
        error: Set(o.error.clone()),
    }))
    .exec(&txn)
    .await
    .context("Failed to record webhook attempts")?;
    for o in outcomes {
        let mut update = deliveries::Entity::update_many()
            .col_expr(deliveries::Column::Status, Expr::value(o.status.as_str()))
            .col_expr(deliveries::Column::Attempts, Expr::value(o.attempt))
            .col_expr(deliveries::Column::LastAttemptAt, Expr::value(o.at))
            .col_expr(deliveries::Column::LastStatus, Expr::value(o.status_code))
            .col_expr(deliveries::Column::LastLatencyMs, Expr::value(o.latency_ms))
            .col_expr(deliveries::Column::LastError, Expr::value(o.error.clone()))
            .col_expr(deliveries::Column::LastResponse, Expr::value(o.response_excerpt.clone()));
        if o.status == DeliveryStatus::Succeeded {
            update = update.col_expr(deliveries::Column::DeliveredAt, Expr::value(o.at));
        }
        if let Some(retry) = o.retry_at {
            update = update.col_expr(deliveries::Column::NextAttemptAt, Expr::value(retry));
        }
        update.filter(deliveries::Column::Id.eq(o.delivery_id)).exec(&txn).await.context("Failed to update a webhook delivery")?;
    }
    txn.commit().await.context("Failed to commit webhook attempts")?;
    Ok(())
}

/// Notes an endpoint's health after a run: `failing` sets when its failures began (kept if
/// already set), a success clears it. Answers the endpoint as stored.
pub async fn set_health(db: &impl ConnectionTrait, endpoint_id: Uuid, failing: bool) -> StoreResult<Option<Endpoint>> {
    let at = now();
    let query = endpoints::Entity::update_many().filter(endpoints::Column::Id.eq(endpoint_id));
    if failing {
        query.col_expr(endpoints::Column::FailingSince, Expr::value(at)).filter(endpoints::Column::FailingSince.is_null()).exec(db).await
    } else {
        query.col_expr(endpoints::Column::FailingSince, Expr::value(Option::<DateTime<FixedOffset>>::None)).exec(db).await
    }
    .context("Failed to record a webhook endpoint's health")?;
    endpoint(db, endpoint_id).await
}

/// Turns an endpoint off (it has been failing too long). Whether this call did it.
pub async fn disable(db: &impl ConnectionTrait, endpoint_id: Uuid, reason: &str) -> StoreResult<bool> {
    let res = endpoints::Entity::update_many()
        .col_expr(endpoints::Column::Enabled, Expr::value(false))
        .col_expr(endpoints::Column::DisabledReason, Expr::value(reason))
        .col_expr(endpoints::Column::UpdatedAt, Expr::value(now()))
        .filter(endpoints::Column::Id.eq(endpoint_id))
        .filter(endpoints::Column::Enabled.eq(true))
        .exec(db)
        .await
        .context("Failed to disable a webhook endpoint")?;
    Ok(res.rows_affected == 1)
}

/// An endpoint's deliveries, newest first, with their events' types.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    instance_id: Uuid,
    endpoint_id: Uuid,
    status: Option<DeliveryStatus>,
    limit: u64,
    after: Option<&str>,
) -> StoreResult<Page<(Delivery, Event)>> {
    let mut base = deliveries::Entity::find().filter(deliveries::Column::InstanceId.eq(instance_id)).filter(deliveries::Column::EndpointId.eq(endpoint_id));
    if let Some(s) = status {
        base = base.filter(deliveries::Column::Status.eq(s.as_str()));
    }
    let total = base.clone().count(db).await.context("Failed to count webhook deliveries")?;
    let mut query = base;
    if let Some(after) = after {
        let after: Uuid = after.parse().map_err(|_| crate::StoreError::InvalidCursor)?;
        query = query.filter(deliveries::Column::Id.lt(after));
    }
    let rows = query
        .order_by_desc(deliveries::Column::Id)
        .limit(limit + 1)
        .find_also_related(events::Entity)
        .all(db)
        .await
        .context("Failed to list webhook deliveries")?;
    let items: Vec<(Delivery, Event)> = rows.into_iter().filter_map(|(d, e)| e.map(|e| (d, e))).collect();
    Ok(Page::from_overfetch(items, limit, total, |(d, _)| d.id.to_string()))
}

/// One delivery of the instance's endpoint, with its event and attempts.
pub async fn delivery(db: &impl ConnectionTrait, instance_id: Uuid, endpoint_id: Uuid, id: Uuid) -> StoreResult<Option<(Delivery, Event, Vec<Attempt>)>> {
    let Some((d, Some(e))) = deliveries::Entity::find_by_id(id)
        .filter(deliveries::Column::InstanceId.eq(instance_id))
        .filter(deliveries::Column::EndpointId.eq(endpoint_id))
        .find_also_related(events::Entity)
        .one(db)
        .await
        .context("Failed to load a webhook delivery")?
    else {
        return Ok(None);
    };
    let list = attempts::Entity::find()
        .filter(attempts::Column::DeliveryId.eq(d.id))
        .order_by_asc(attempts::Column::Attempt)
        .all(db)
        .await
        .context("Failed to load webhook attempts")?;
    Ok(Some((d, e, list)))
}

/// The delivery of event `event_id` to endpoint `endpoint_id` (the first, when it was resent).
pub async fn delivery_of_event(db: &impl ConnectionTrait, endpoint_id: Uuid, event_id: Uuid) -> StoreResult<Option<(Delivery, Event)>> {
    let row = deliveries::Entity::find()
        .filter(deliveries::Column::EndpointId.eq(endpoint_id))
        .filter(deliveries::Column::EventId.eq(event_id))
        .order_by_asc(deliveries::Column::Id)
        .find_also_related(events::Entity)
        .one(db)
        .await
        .context("Failed to load a webhook delivery")?;
    Ok(row.and_then(|(d, e)| e.map(|e| (d, e))))
}

/// Queues the event of delivery `d` again for its endpoint, at the end of its line.
pub async fn resend(db: &impl ConnectionTrait, d: &Delivery) -> StoreResult<Delivery> {
    Ok(new_delivery(d.instance_id, d.endpoint_id, d.event_id, now()).insert(db).await.context("Failed to queue a webhook delivery again")?)
}

/// Deletes finished deliveries older than `before`, and events left without deliveries
/// (retention). Returns how many deliveries.
pub async fn delete_finished_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let res = deliveries::Entity::delete_many()
        .filter(deliveries::Column::Status.ne(DeliveryStatus::Pending.as_str()))
        .filter(deliveries::Column::CreatedAt.lt(before))
        .exec(db)
        .await
        .context("Failed to delete old webhook deliveries")?;
    events::Entity::delete_many()
        .filter(events::Column::CreatedAt.lt(before))
        .filter(events::Column::FanoutPending.eq(false))
        .filter(events::Column::Id.not_in_subquery(sea_orm::sea_query::Query::select().column(deliveries::Column::EventId).from(deliveries::Entity).to_owned()))
        .exec(db)
        .await
        .context("Failed to delete old webhook events")?;
    Ok(res.rows_affected)
}

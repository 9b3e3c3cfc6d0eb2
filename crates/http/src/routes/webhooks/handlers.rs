use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use steward_domain::application::parse_description;
use steward_domain::webhook::{EventType, WebhookUrl};
use steward_persistence::webhooks::{self, EndpointChanges, NewEndpoint};
use uuid::Uuid;

use super::dto::{
    AttemptDto, CreateWebhookRequest, CreatedWebhook, DeliveryDetail, DeliveryDto, DeliveryList, DeliveryQuery, EventTypeCatalogue, EventTypeDto,
    EventTypeInfo, RotatedWebhookSecret, UpdateWebhookRequest, WebhookDto, WebhookList,
};
use super::service::{self, delivery_not_found, endpoint_not_found, secret_aad};
use crate::AppState;
use crate::access::{Administer, Member, Read, Webhooks};
use crate::auth::Authenticated;
use crate::extract::{ApiJson, ApiQuery, Deferred, PageQuery};
use crate::problem::{ApiError, FieldError, Fields};
use crate::routes::applications::dto::RotateSecretRequest;

/// The URL, if it is one and the egress policy lets the server call it.
fn parse_url(state: &AppState, fields: &mut Fields, raw: &str) -> Option<String> {
    let url = fields.check("url", WebhookUrl::parse(raw))?;
    if let Err(why) = state.smtp_egress.check_literal(&url.host()) {
        fields.push(FieldError::new("url", "private_network", why));
        return None;
    }
    Some(url.into_inner())
}

fn parse_types(fields: &mut Fields, types: &[EventTypeDto]) -> Vec<EventType> {
    if types.contains(&EventTypeDto::WebhookTest) {
        fields.push(FieldError::new("event_types", "not_subscribable", "webhook.test is sent only on request (Send test event)."));
    }
    let mut kinds: Vec<EventType> = Vec::new();
    for t in types {
        if !kinds.contains(&t.kind()) {
            kinds.push(t.kind());
        }
    }
    kinds
}

/// The event types webhooks deliver, with what each means.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, body = EventTypeCatalogue), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden))
)]
#[get("/webhook-event-types")]
pub async fn list_webhook_event_types(_auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let items = EventTypeDto::all().into_iter().map(|t| EventTypeInfo { type_: t, description: t.kind().description() }).collect();
    Ok(HttpResponse::Ok().json(EventTypeCatalogue { items }))
}

/// The instance's webhook endpoints, newest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:read"])),
    params(crate::openapi::InstancePath, PageQuery),
    responses(
        (status = 200, body = WebhookList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/webhooks")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_webhooks(state: web::Data<AppState>, member: Member<Read<Webhooks>>, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let (limit, cursor) = query.parse()?;
    let page = webhooks::list(&state.db, member.membership.instance.id, limit, cursor.as_deref()).await?;
    Ok(HttpResponse::Ok().json(WebhookList { items: page.items.into_iter().map(WebhookDto::from).collect(), next_cursor: page.next_cursor, total: page.total }))
}

/// Add a webhook endpoint (admin and up). Its signing `secret` is in this response only.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(crate::openapi::InstancePath),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = CreatedWebhook, headers(("Location" = String, description = "The endpoint's URL"))),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/webhooks")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    body: Deferred<ApiJson<CreateWebhookRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?.0;
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let mut fields = Fields::default();
    let url = parse_url(&state, &mut fields, &body.url);
    let description = fields.check("description", parse_description(body.description.as_deref().unwrap_or(""))).unwrap_or_default();
    let event_types = parse_types(&mut fields, body.event_types.as_deref().unwrap_or(&[]));
    fields.finish()?;
    let Some(url) = url else { return Err(ApiError::invariant()) };
    let secret = crate::webhooks::new_secret();
    let secret_encrypted = state.secrets.encrypt(secret.as_bytes(), &secret_aad(instance.id))?;
    let new = NewEndpoint { url, description, event_types, enabled: body.enabled.unwrap_or(true), secret_encrypted };
    let endpoint = service::create(&state, instance, &actor, new).await?;
    let location = format!("/api/v1/instances/{}/webhooks/{}", instance.slug, endpoint.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhook { endpoint: WebhookDto::from(endpoint), secret }))
}

/// One webhook endpoint.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 200, body = WebhookDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_webhook(state: web::Data<AppState>, member: Member<Read<Webhooks>>, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let endpoint = webhooks::get(&state.db, member.membership.instance.id, id).await?.ok_or_else(endpoint_not_found)?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(endpoint)))
}

/// Change an endpoint's URL, description, event types, or turn it on or off (admin and up).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, body = WebhookDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/instances/{instance}/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateWebhookRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?.0;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let mut fields = Fields::default();
    let url = body.url.as_deref().and_then(|u| parse_url(&state, &mut fields, u));
    let description = body.description.as_deref().and_then(|d| fields.check("description", parse_description(d)));
    let event_types = body.event_types.as_deref().map(|t| parse_types(&mut fields, t));
    fields.finish()?;
    let changes = EndpointChanges { url, description, event_types, enabled: body.enabled };
    let endpoint = service::update(&state, &member.membership.instance, &actor, id, changes).await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(endpoint)))
}

/// Delete an endpoint and its pending deliveries (admin and up).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[delete("/instances/{instance}/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    service::delete(&state, &member.membership.instance, &actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate an endpoint's signing secret (admin and up). During `grace_period_secs` every
/// delivery carries both signatures, so the receiver can switch without losing one.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = RotateSecretRequest,
    responses(
        (status = 200, body = RotatedWebhookSecret),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/webhooks/{id}/secret")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<RotateSecretRequest>>,
) -> Result<HttpResponse, ApiError> {
    let until = body.get()?.0.old_secret_until()?;
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let secret = crate::webhooks::new_secret();
    let encrypted = state.secrets.encrypt(secret.as_bytes(), &secret_aad(instance.id))?;
    service::rotate_secret(&state, instance, &actor, id, encrypted, until).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(RotatedWebhookSecret { secret, previous_secret_expires_at: until.to_utc() }))
}

/// Send a `webhook.test` event to this endpoint (admin and up); follow it in its deliveries.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 202, body = DeliveryDto, description = "Queued"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
    )
)]
#[post("/instances/{instance}/webhooks/{id}/test")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn send_test_event(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let event_id = service::send_test(&state, instance, &actor, id).await?;
    // By its event: another event of the endpoint may be newer by now (concurrent test sends).
    let (d, e) = webhooks::delivery_of_event(&state.db, id, event_id).await?.ok_or_else(delivery_not_found)?;
    Ok(HttpResponse::Accepted().json(DeliveryDto::new(d, &e)))
}

/// An endpoint's deliveries, newest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The endpoint's id"), DeliveryQuery, PageQuery),
    responses(
        (status = 200, body = DeliveryList),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[get("/instances/{instance}/webhooks/{id}/deliveries")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    member: Member<Read<Webhooks>>,
    path: web::Path<(String, Uuid)>,
    filter: ApiQuery<DeliveryQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let instance_id = member.membership.instance.id;
    webhooks::get(&state.db, instance_id, id).await?.ok_or_else(endpoint_not_found)?;
    let (limit, cursor) = page.parse()?;
    let p = webhooks::deliveries(&state.db, instance_id, id, filter.status.map(|s| s.status()), limit, cursor.as_deref()).await?;
    let items = p.items.into_iter().map(|(d, e)| DeliveryDto::new(d, &e)).collect();
    Ok(HttpResponse::Ok().json(DeliveryList { items, next_cursor: p.next_cursor, total: p.total }))
}

/// One delivery: the body sent and every attempt.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:read"])),
    params(
        ("instance" = String, Path, description = "The instance's slug"),
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id")
    ),
    responses(
        (status = 200, body = DeliveryDetail),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[get("/instances/{instance}/webhooks/{id}/deliveries/{delivery_id}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_delivery(state: web::Data<AppState>, member: Member<Read<Webhooks>>, path: web::Path<(String, Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (_, id, delivery_id) = path.into_inner();
    let (d, e, attempts) = webhooks::delivery(&state.db, member.membership.instance.id, id, delivery_id).await?.ok_or_else(delivery_not_found)?;
    let payload = e.payload.clone();
    Ok(HttpResponse::Ok().json(DeliveryDetail { delivery: DeliveryDto::new(d, &e), payload, attempts: attempts.into_iter().map(AttemptDto::from).collect() }))
}

/// Send a delivery's event again (admin and up): a new delivery at the end of the endpoint's
/// line, with the same `webhook-id`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("management" = ["webhooks:write"])),
    params(
        ("instance" = String, Path, description = "The instance's slug"),
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id")
    ),
    responses(
        (status = 202, body = DeliveryDto, description = "Queued"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound)
    )
)]
#[post("/instances/{instance}/webhooks/{id}/deliveries/{delivery_id}/resend")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn resend_delivery(
    state: web::Data<AppState>,
    member: Member<Administer<Webhooks>>,
    path: web::Path<(String, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, id, delivery_id) = path.into_inner();
    let actor = member.actor(&state).await?;
    let instance = &member.membership.instance;
    let again = service::resend(&state, instance, &actor, id, delivery_id).await?;
    let (d, e, _) = webhooks::delivery(&state.db, instance.id, id, again.id).await?.ok_or_else(delivery_not_found)?;
    Ok(HttpResponse::Accepted().json(DeliveryDto::new(d, &e)))
}

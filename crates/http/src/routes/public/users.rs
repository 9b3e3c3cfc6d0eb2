//! End users managed by a back-end application ("users created through the API"): the
//! client-credentials token must carry the `users:manage` scope.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use steward_persistence::end_users;
use uuid::Uuid;

use super::gate::AppCaller;
use crate::AppState;
use crate::audit::Actor;
use crate::extract::{ApiJson, Deferred, client_ip};
use crate::problem::ApiError;
use crate::routes::users::dto::{CreateUserRequest, UpdateUserRequest, UserDto, UserList, UserListQuery};
use crate::routes::users::service;

const SCOPE: &str = "users:manage";

fn not_found() -> ApiError {
    ApiError::not_found("No user with this id exists in the instance.")
}

/// List the instance's end users (back-end apps, scope `users:manage`).
#[utoipa::path(
    operation_id = "list_users_as_app",
    tag = "users",
    params(crate::openapi::InstancePath, UserListQuery),
    security(("app_bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 422, response = crate::problem::ValidationFailed))
)]
#[get("/{instance}/users")]
#[tracing::instrument(skip_all)]
pub async fn list_users(state: web::Data<AppState>, caller: AppCaller, query: web::Query<UserListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require_scope(SCOPE)?;
    let page = service::list(&state, caller.instance.id, &query).await?;
    Ok(HttpResponse::Ok().json(UserList::from_page(page)))
}

/// Create an end user (back-end apps, scope `users:manage`).
#[utoipa::path(
    operation_id = "create_user_as_app",
    tag = "users",
    params(crate::openapi::InstancePath),
    security(("app_bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/{instance}/users")]
#[tracing::instrument(skip_all)]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    body: Deferred<ApiJson<CreateUserRequest>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_scope(SCOPE)?;
    let actor = Actor::application(&caller.app, client_ip(&req));
    let user = service::create_user(&state, &caller.instance, &actor, body.get()?.0).await?;
    tracing::info!(user_id = %user.id, client_id = %caller.app.client_id, "end user created through the API");
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/public/v1/{}/users/{}", caller.instance.slug, user.id))).json(UserDto::from(user)))
}

/// One end user (back-end apps, scope `users:manage`).
#[utoipa::path(
    operation_id = "get_user_as_app",
    tag = "users",
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    security(("app_bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound))
)]
#[get("/{instance}/users/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_user(state: web::Data<AppState>, caller: AppCaller, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    caller.require_scope(SCOPE)?;
    let user = end_users::get(&state.db, caller.instance.id, path.1).await?.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Edit an end user (back-end apps, scope `users:manage`).
#[utoipa::path(
    operation_id = "update_user_as_app",
    tag = "users",
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    security(("app_bearer" = [])),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 409, response = crate::problem::ConflictResponse),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[patch("/{instance}/users/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: AppCaller,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
    body: Deferred<ApiJson<UpdateUserRequest>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_scope(SCOPE)?;
    let actor = Actor::application(&caller.app, client_ip(&req));
    let user = end_users::get(&state.db, caller.instance.id, path.1).await?.ok_or_else(not_found)?;
    let user = service::apply_update(&state, &actor, user, body.get()?.0).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Delete an end user (back-end apps, scope `users:manage`).
#[utoipa::path(
    operation_id = "delete_user_as_app",
    tag = "users",
    params(("instance" = String, Path, description = "The instance's slug"), ("id" = Uuid, Path, description = "The user's id")),
    security(("app_bearer" = [])),
    responses((status = 204, description = "Deleted."), (status = 401, response = crate::problem::Unauthorized), (status = 403, response = crate::problem::Forbidden), (status = 404, response = crate::problem::NotFound))
)]
#[delete("/{instance}/users/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_user(state: web::Data<AppState>, caller: AppCaller, req: HttpRequest, path: web::Path<(String, Uuid)>) -> Result<HttpResponse, ApiError> {
    caller.require_scope(SCOPE)?;
    let actor = Actor::application(&caller.app, client_ip(&req));
    service::delete_user(&state, &caller.instance, &actor, path.1).await?;
    Ok(HttpResponse::NoContent().finish())
}

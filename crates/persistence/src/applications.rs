//! Applications of an instance and their client secrets. Every function takes the instance id.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::application_secrets;
pub use crate::entities::application_secrets::Model as AppSecret;
pub use crate::entities::applications::Model as Application;
use crate::entities::applications::{ActiveModel, Column, Entity};
use crate::{Conflict, Page, StoreResult, map_unique, now};

pub struct NewApplication {
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub allowed_origins: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub client_id: String,
}

/// A secret to store: its keyed hash and the last characters shown as a hint.
pub struct NewSecret<'a> {
    pub hash: &'a str,
    pub hint: &'a str,
}

/// Creates an application, with its first secret for back-end apps, in the caller's transaction
/// (the caller commits).
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn create(txn: &DatabaseTransaction, instance_id: Uuid, new: NewApplication, secret: Option<NewSecret<'_>>) -> StoreResult<Application> {
    let at = now();
    let app = ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        client_id: Set(new.client_id),
        kind: Set(new.kind.to_owned()),
        name: Set(new.name),
        description: Set(new.description),
        enabled: Set(new.enabled),
        allowed_origins: Set(serde_json::json!(new.allowed_origins)),
        redirect_uris: Set(serde_json::json!(new.redirect_uris)),
        created_at: Set(at),
        updated_at: Set(at),
        last_used_at: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| map_unique(e, Conflict::AppNameTaken, "Failed to insert an application"))?;
    if let Some(secret) = secret {
        insert_secret(txn, app.id, secret).await?;
    }
    Ok(app)
}

async fn insert_secret(db: &impl ConnectionTrait, application_id: Uuid, secret: NewSecret<'_>) -> StoreResult<AppSecret> {
    Ok(application_secrets::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application_id),
        secret_hash: Set(secret.hash.to_owned()),
        hint: Set(secret.hint.to_owned()),
        created_at: Set(now()),
        expires_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to insert a client secret")?)
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, application_id = %id))]
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<Application>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load an application")?)
}

/// The application with this client id, only if it belongs to `instance_id`.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn by_client_id(db: &impl ConnectionTrait, instance_id: Uuid, client_id: &str) -> StoreResult<Option<Application>> {
    Ok(Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .filter(Column::InstanceId.eq(instance_id))
        .one(db)
        .await
        .context("Failed to look up an application by client id")?)
}

/// The instance's applications, newest first.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<Application>> {
    let base = Entity::find().filter(Column::InstanceId.eq(instance_id));
    let total = base.clone().count(db).await.context("Failed to count applications")?;
    let mut query = base;
    if let Some(after) = after {
        let after: Uuid = after.parse().map_err(|_| crate::StoreError::InvalidCursor)?;
        query = query.filter(Column::Id.lt(after));
    }
    let items = query.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list applications")?;
    Ok(Page::from_overfetch(items, limit, total, |a| a.id.to_string()))
}

/// Enabled front-end applications of the instance (for CORS preflight).
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn enabled_frontends(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<Application>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Kind.eq("frontend"))
        .filter(Column::Enabled.eq(true))
        .all(db)
        .await
        .context("Failed to list front-end applications")?)
}

#[derive(Default)]
pub struct AppChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub allowed_origins: Option<Vec<String>>,
    pub redirect_uris: Option<Vec<String>>,
}

#[tracing::instrument(skip_all, fields(instance_id = %app.instance_id, application_id = %app.id))]
pub async fn update(db: &impl ConnectionTrait, app: Application, changes: AppChanges) -> StoreResult<Application> {
    let mut model: ActiveModel = app.into();
    if let Some(v) = changes.name {
        model.name = Set(v);
    }
    if let Some(v) = changes.description {
        model.description = Set(v);
    }
    if let Some(v) = changes.enabled {
        model.enabled = Set(v);
    }
    if let Some(v) = changes.allowed_origins {
        model.allowed_origins = Set(serde_json::json!(v));
    }
    if let Some(v) = changes.redirect_uris {
        model.redirect_uris = Set(serde_json::json!(v));
    }
    model.updated_at = Set(now());
    model.update(db).await.map_err(|e| map_unique(e, Conflict::AppNameTaken, "Failed to update an application"))
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, application_id = %id))]
pub async fn delete(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res =
        Entity::delete_many().filter(Column::Id.eq(id)).filter(Column::InstanceId.eq(instance_id)).exec(db).await.context("Failed to delete an application")?;
    Ok(res.rows_affected == 1)
}

/// Secrets that still authenticate: not expired.
#[tracing::instrument(skip_all, fields(application_id = %application_id))]
pub async fn valid_secrets(db: &impl ConnectionTrait, application_id: Uuid) -> StoreResult<Vec<AppSecret>> {
    let at = now();
    Ok(application_secrets::Entity::find()
        .filter(application_secrets::Column::ApplicationId.eq(application_id))
        .filter(application_secrets::Column::ExpiresAt.is_null().or(application_secrets::Column::ExpiresAt.gt(at)))
        .order_by_desc(application_secrets::Column::CreatedAt)
        .all(db)
        .await
        .context("Failed to load client secrets")?)
}

/// Replaces the application's secret: the new one works at once; the current ones stop at
/// `old_valid_until` (now, when `None`). Expired secrets are deleted. Runs in the caller's
/// transaction (the caller commits).
#[tracing::instrument(skip_all, fields(application_id = %application_id))]
pub async fn rotate_secret(
    txn: &DatabaseTransaction,
    application_id: Uuid,
    secret: NewSecret<'_>,
    old_valid_until: Option<DateTime<FixedOffset>>,
) -> StoreResult<AppSecret> {
    let at = now();
    let until = old_valid_until.unwrap_or(at);
    application_secrets::Entity::update_many()
        .col_expr(application_secrets::Column::ExpiresAt, Expr::value(until))
        .filter(application_secrets::Column::ApplicationId.eq(application_id))
        .filter(application_secrets::Column::ExpiresAt.is_null().or(application_secrets::Column::ExpiresAt.gt(until)))
        .exec(txn)
        .await
        .context("Failed to retire client secrets")?;
    application_secrets::Entity::delete_many()
        .filter(application_secrets::Column::ApplicationId.eq(application_id))
        .filter(application_secrets::Column::ExpiresAt.lte(at))
        .exec(txn)
        .await
        .context("Failed to delete expired client secrets")?;
    insert_secret(txn, application_id, secret).await
}

/// Records use, at most once a minute per application (the hot path must not write each call).
pub async fn touch(db: &impl ConnectionTrait, app: &Application) -> StoreResult<()> {
    let at = now();
    if app.last_used_at.is_some_and(|t| at - t < chrono::Duration::seconds(60)) {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(at))
        .filter(Column::Id.eq(app.id))
        .exec(db)
        .await
        .context("Failed to record application use")?;
    Ok(())
}

/// The unexpired secrets of several applications at once (for lists).
pub async fn secrets_of(db: &impl ConnectionTrait, application_ids: &[Uuid]) -> StoreResult<Vec<AppSecret>> {
    if application_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(application_secrets::Entity::find()
        .filter(application_secrets::Column::ApplicationId.is_in(application_ids.iter().copied()))
        .filter(application_secrets::Column::ExpiresAt.is_null().or(application_secrets::Column::ExpiresAt.gt(now())))
        .order_by_desc(application_secrets::Column::CreatedAt)
        .all(db)
        .await
        .context("Failed to load client secrets")?)
}

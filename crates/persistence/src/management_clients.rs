//! Management clients of an instance (machines with scoped access to its console API) and their
//! secrets. Every function but [`by_client_id`] (the token endpoint's, which knows no instance
//! yet) takes the instance id.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use steward_domain::scope::{self, Scope};
use uuid::Uuid;

use crate::applications::NewSecret;
use crate::entities::management_client_secrets as secrets;
pub use crate::entities::management_client_secrets::Model as ClientSecret;
pub use crate::entities::management_clients::Model as ManagementClient;
use crate::entities::management_clients::{ActiveModel, Column, Entity};
use crate::{Conflict, Page, StoreResult, map_unique, now};

pub struct NewManagementClient {
    pub name: String,
    pub description: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<FixedOffset>>,
    pub client_id: String,
}

impl ManagementClient {
    /// The scopes granted, in their stable order (unknown stored names are dropped).
    pub fn scope_list(&self) -> Vec<Scope> {
        let mut v: Vec<Scope> = self.scopes.as_array().into_iter().flatten().filter_map(|s| s.as_str().and_then(Scope::parse)).collect();
        v.sort();
        v
    }

    /// Whether the client may still get and use tokens at `at`.
    pub fn expired_at(&self, at: DateTime<FixedOffset>) -> bool {
        self.expires_at.is_some_and(|e| e <= at)
    }
}

fn scopes_json(scopes: &[Scope]) -> serde_json::Value {
    serde_json::json!(scope::join(scopes).split_whitespace().collect::<Vec<_>>())
}

/// Creates a client and its first secret in the caller's transaction (the caller commits).
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn create(txn: &DatabaseTransaction, instance_id: Uuid, new: NewManagementClient, secret: NewSecret<'_>) -> StoreResult<ManagementClient> {
    let at = now();
    let client = ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        client_id: Set(new.client_id),
        name: Set(new.name),
        description: Set(new.description),
        scopes: Set(scopes_json(&new.scopes)),
        expires_at: Set(new.expires_at),
        created_at: Set(at),
        updated_at: Set(at),
        last_used_at: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| map_unique(e, Conflict::ManagementClientNameTaken, "Failed to insert a management client"))?;
    insert_secret(txn, client.id, secret).await?;
    Ok(client)
}

async fn insert_secret(db: &impl ConnectionTrait, client_id: Uuid, secret: NewSecret<'_>) -> StoreResult<ClientSecret> {
    Ok(secrets::ActiveModel {
        id: Set(Uuid::now_v7()),
        management_client_id: Set(client_id),
        secret_hash: Set(secret.hash.to_owned()),
        hint: Set(secret.hint.to_owned()),
        created_at: Set(now()),
        expires_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to insert a management client secret")?)
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, management_client_id = %id))]
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<ManagementClient>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load a management client")?)
}

/// The client with this id, whatever its instance (for checking a token, which names both).
#[tracing::instrument(skip_all, fields(management_client_id = %id))]
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<ManagementClient>> {
    Ok(Entity::find_by_id(id).one(db).await.context("Failed to load a management client")?)
}

/// The client with this public client id (`mgmt_…`), whatever its instance.
#[tracing::instrument(skip_all)]
pub async fn by_client_id(db: &impl ConnectionTrait, client_id: &str) -> StoreResult<Option<ManagementClient>> {
    Ok(Entity::find().filter(Column::ClientId.eq(client_id)).one(db).await.context("Failed to look up a management client")?)
}

/// The instance's management clients, newest first.
#[tracing::instrument(skip_all, fields(instance_id = %instance_id))]
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, limit: u64, after: Option<&str>) -> StoreResult<Page<ManagementClient>> {
    let base = Entity::find().filter(Column::InstanceId.eq(instance_id));
    let total = base.clone().count(db).await.context("Failed to count management clients")?;
    let mut query = base;
    if let Some(after) = after {
        let after: Uuid = after.parse().map_err(|_| crate::StoreError::InvalidCursor)?;
        query = query.filter(Column::Id.lt(after));
    }
    let items = query.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list management clients")?;
    Ok(Page::from_overfetch(items, limit, total, |c| c.id.to_string()))
}

#[derive(Default)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub scopes: Option<Vec<Scope>>,
    /// `Some(None)` removes the expiry.
    pub expires_at: Option<Option<DateTime<FixedOffset>>>,
}

#[tracing::instrument(skip_all, fields(instance_id = %client.instance_id, management_client_id = %client.id))]
pub async fn update(db: &impl ConnectionTrait, client: ManagementClient, changes: ClientChanges) -> StoreResult<ManagementClient> {
    let mut model: ActiveModel = client.into();
    if let Some(v) = changes.name {
        model.name = Set(v);
    }
    if let Some(v) = changes.description {
        model.description = Set(v);
    }
    if let Some(v) = changes.scopes {
        model.scopes = Set(scopes_json(&v));
    }
    if let Some(v) = changes.expires_at {
        model.expires_at = Set(v);
    }
    model.updated_at = Set(now());
    model.update(db).await.map_err(|e| map_unique(e, Conflict::ManagementClientNameTaken, "Failed to update a management client"))
}

#[tracing::instrument(skip_all, fields(instance_id = %instance_id, management_client_id = %id))]
pub async fn delete(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let res = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .context("Failed to delete a management client")?;
    Ok(res.rows_affected == 1)
}

/// Secrets that still authenticate (not expired) of these clients, newest first.
pub async fn valid_secrets(db: &impl ConnectionTrait, client_ids: &[Uuid]) -> StoreResult<Vec<ClientSecret>> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(secrets::Entity::find()
        .filter(secrets::Column::ManagementClientId.is_in(client_ids.iter().copied()))
        .filter(secrets::Column::ExpiresAt.is_null().or(secrets::Column::ExpiresAt.gt(now())))
        .order_by_desc(secrets::Column::CreatedAt)
        .all(db)
        .await
        .context("Failed to load management client secrets")?)
}

/// Replaces the client's secret: the new one works at once; the current ones stop at `until`.
/// Expired secrets are deleted. Runs in the caller's transaction.
#[tracing::instrument(skip_all, fields(management_client_id = %client_id))]
pub async fn rotate_secret(txn: &DatabaseTransaction, client_id: Uuid, secret: NewSecret<'_>, until: DateTime<FixedOffset>) -> StoreResult<ClientSecret> {
    secrets::Entity::update_many()
        .col_expr(secrets::Column::ExpiresAt, Expr::value(until))
        .filter(secrets::Column::ManagementClientId.eq(client_id))
        .filter(secrets::Column::ExpiresAt.is_null().or(secrets::Column::ExpiresAt.gt(until)))
        .exec(txn)
        .await
        .context("Failed to retire management client secrets")?;
    secrets::Entity::delete_many()
        .filter(secrets::Column::ManagementClientId.eq(client_id))
        .filter(secrets::Column::ExpiresAt.lte(now()))
        .exec(txn)
        .await
        .context("Failed to delete expired management client secrets")?;
    insert_secret(txn, client_id, secret).await
}

/// Records use, at most once a minute per client.
pub async fn touch(db: &impl ConnectionTrait, client: &ManagementClient) -> StoreResult<()> {
    let at = now();
    if client.last_used_at.is_some_and(|t| at - t < chrono::Duration::seconds(60)) {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(at))
        .filter(Column::Id.eq(client.id))
        .exec(db)
        .await
        .context("Failed to record management client use")?;
    Ok(())
}

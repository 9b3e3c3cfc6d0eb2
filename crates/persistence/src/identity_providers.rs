//! An instance's identity providers as configured. A built-in kind with no row has its
//! defaults (see `steward_domain::identity_provider::ProviderKind`); OpenID Connect providers
//! exist only as rows. The client secret is stored encrypted, bound to the instance, the
//! provider's key and where it is sent ([`secret_aad`]).

use anyhow::Context;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use crate::entities::identity_providers::Model as IdentityProvider;
use crate::entities::identity_providers::{Column, Entity};
use crate::{StoreResult, now};

/// What binds a stored client secret: its instance, its provider and the token endpoint (or
/// discovery URL) it is sent to — a secret saved for one issuer never goes to another.
pub fn secret_aad(instance_id: Uuid, key: &str, sent_to: &str) -> String {
    format!("identity-provider-secret/{instance_id}/{key}/{sent_to}")
}

impl IdentityProvider {
    /// The application ids the provider is limited to (empty: every application).
    pub fn application_ids(&self) -> Vec<Uuid> {
        serde_json::from_value(self.application_ids.clone()).unwrap_or_default()
    }

    pub fn scopes(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }

    /// Whether `app` may use the provider.
    pub fn allows(&self, application_id: Uuid) -> bool {
        let ids = self.application_ids();
        ids.is_empty() || ids.contains(&application_id)
    }
}

/// Every configured provider of the instance, in order.
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<IdentityProvider>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Key)
        .all(db)
        .await
        .context("Failed to list identity providers")?)
}

pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, key: &str) -> StoreResult<Option<IdentityProvider>> {
    Ok(Entity::find().filter(Column::InstanceId.eq(instance_id)).filter(Column::Key.eq(key)).one(db).await.context("Failed to read an identity provider")?)
}

/// Inserts the provider, or replaces the stored one with the same key.
#[tracing::instrument(skip_all, fields(instance_id = %p.instance_id, key = %p.key))]
pub async fn put(db: &impl ConnectionTrait, mut p: IdentityProvider) -> StoreResult<IdentityProvider> {
    p.updated_at = now();
    let stored = get(db, p.instance_id, &p.key).await?;
    let saved = match stored {
        Some(s) => {
            p.id = s.id;
            p.created_at = s.created_at;
            let mut active = p.clone().into_active_model();
            active = active.reset_all();
            active.id = sea_orm::ActiveValue::Unchanged(p.id);
            active.update(db).await.context("Failed to update an identity provider")?
        }
        None => {
            let mut active = p.clone().into_active_model();
            active.id = Set(p.id);
            active.insert(db).await.context("Failed to insert an identity provider")?
        }
    };
    Ok(saved)
}

/// Removes the stored configuration (a built-in kind returns to its defaults).
pub async fn delete(db: &impl ConnectionTrait, instance_id: Uuid, key: &str) -> StoreResult<bool> {
    let res = Entity::delete_many()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Key.eq(key))
        .exec(db)
        .await
        .context("Failed to delete an identity provider")?;
    Ok(res.rows_affected > 0)
}

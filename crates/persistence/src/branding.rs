//! The instance's logo, stored in the database (at most 1 MB) so every process serves it.

use anyhow::Context;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

pub use crate::entities::instance_logos::Model as Logo;
use crate::entities::instance_logos::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

/// A logo's facts without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct LogoFacts {
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i32,
    pub has_alpha: bool,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

pub struct NewLogo<'a> {
    pub png: &'a [u8],
    pub sha256: &'a str,
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
}

/// Stores (or replaces) the instance's logo.
#[tracing::instrument(skip_all, fields(%instance_id))]
pub async fn put_logo(db: &impl ConnectionTrait, instance_id: Uuid, logo: NewLogo<'_>) -> StoreResult<LogoFacts> {
    let at = now();
    let model = ActiveModel {
        instance_id: Set(instance_id),
        png: Set(logo.png.to_vec()),
        sha256: Set(logo.sha256.to_owned()),
        width: Set(logo.width as i32),
        height: Set(logo.height as i32),
        size_bytes: Set(logo.png.len() as i32),
        has_alpha: Set(logo.has_alpha),
        updated_at: Set(at),
    };
    Entity::insert(model)
        .on_conflict(
            OnConflict::column(Column::InstanceId)
                .update_columns([Column::Png, Column::Sha256, Column::Width, Column::Height, Column::SizeBytes, Column::HasAlpha, Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .context("Failed to store a logo")?;
    Ok(LogoFacts {
        sha256: logo.sha256.to_owned(),
        width: logo.width as i32,
        height: logo.height as i32,
        size_bytes: logo.png.len() as i32,
        has_alpha: logo.has_alpha,
        updated_at: at,
    })
}

/// The logo's facts (no bytes), when there is one.
pub async fn logo_facts(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<LogoFacts>> {
    Ok(Entity::find()
        .select_only()
        .columns([Column::Sha256, Column::Width, Column::Height, Column::SizeBytes, Column::HasAlpha, Column::UpdatedAt])
        .filter(Column::InstanceId.eq(instance_id))
        .into_model::<LogoFacts>()
        .one(db)
        .await
        .context("Failed to read a logo's facts")?)
}

/// The logo with its bytes.
pub async fn logo(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<Logo>> {
    Ok(Entity::find_by_id(instance_id).one(db).await.context("Failed to read a logo")?)
}

/// Removes the logo; false when there was none.
pub async fn delete_logo(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<bool> {
    let res = Entity::delete_many().filter(Column::InstanceId.eq(instance_id)).exec(db).await.context("Failed to delete a logo")?;
    Ok(res.rows_affected > 0)
}

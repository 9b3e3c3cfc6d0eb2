//! An instance's customised email templates (a row per customised kind; no row means the
//! built-in default) and the style (font) of its emails.

use anyhow::Context;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::entities::email_styles::Model as EmailStyleRow;
pub use crate::entities::email_templates::Model as EmailTemplate;
use crate::entities::{email_styles, email_templates};
use crate::{StoreResult, now};

/// Every customised template of the instance.
pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Vec<EmailTemplate>> {
    Ok(email_templates::Entity::find().filter(email_templates::Column::InstanceId.eq(instance_id)).all(db).await.context("Failed to list email templates")?)
}

/// The customised templates among `kinds`.
pub async fn some(db: &impl ConnectionTrait, instance_id: Uuid, kinds: &[&str]) -> StoreResult<Vec<EmailTemplate>> {
    Ok(email_templates::Entity::find()
        .filter(email_templates::Column::InstanceId.eq(instance_id))
        .filter(email_templates::Column::Kind.is_in(kinds.iter().copied()))
        .all(db)
        .await
        .context("Failed to read email templates")?)
}

/// Saves a customised template.
#[tracing::instrument(skip_all, fields(%instance_id, kind))]
pub async fn put(db: &impl ConnectionTrait, instance_id: Uuid, kind: &str, subject: Option<&str>, body: &str) -> StoreResult<EmailTemplate> {
    let model = email_templates::Model { instance_id, kind: kind.to_owned(), subject: subject.map(str::to_owned), body: body.to_owned(), updated_at: now() };
    let active = email_templates::ActiveModel {
        instance_id: Set(model.instance_id),
        kind: Set(model.kind.clone()),
        subject: Set(model.subject.clone()),
        body: Set(model.body.clone()),
        updated_at: Set(model.updated_at),
    };
    email_templates::Entity::insert(active)
        .on_conflict(
            OnConflict::columns([email_templates::Column::InstanceId, email_templates::Column::Kind])
                .update_columns([email_templates::Column::Subject, email_templates::Column::Body, email_templates::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .context("Failed to save an email template")?;
    Ok(model)
}

/// Goes back to the built-in default; false when the template was not customised.
pub async fn reset(db: &impl ConnectionTrait, instance_id: Uuid, kind: &str) -> StoreResult<bool> {
    let res = email_templates::Entity::delete_many()
        .filter(email_templates::Column::InstanceId.eq(instance_id))
        .filter(email_templates::Column::Kind.eq(kind))
        .exec(db)
        .await
        .context("Failed to reset an email template")?;
    Ok(res.rows_affected > 0)
}

/// The instance's email style, when it chose one.
pub async fn style(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<EmailStyleRow>> {
    Ok(email_styles::Entity::find_by_id(instance_id).one(db).await.context("Failed to read the email style")?)
}

/// Saves the instance's email style.
pub async fn put_style(db: &impl ConnectionTrait, instance_id: Uuid, font_family: &str, font_size: i32) -> StoreResult<EmailStyleRow> {
    let model = EmailStyleRow { instance_id, font_family: font_family.to_owned(), font_size, updated_at: now() };
    email_styles::Entity::insert(email_styles::ActiveModel {
        instance_id: Set(instance_id),
        font_family: Set(model.font_family.clone()),
        font_size: Set(font_size),
        updated_at: Set(model.updated_at),
    })
    .on_conflict(
        OnConflict::column(email_styles::Column::InstanceId)
            .update_columns([email_styles::Column::FontFamily, email_styles::Column::FontSize, email_styles::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .context("Failed to save the email style")?;
    Ok(model)
}

//! The local capture mailbox: where emails go when no SMTP server is configured, so sign-up
//! works out of the box. The console shows it.

use anyhow::Context;
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, LikeExpr};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use crate::entities::mailbox_messages::Model as MailboxMessage;
use crate::entities::mailbox_messages::{ActiveModel, Column, Entity};
use crate::outbox::OutboxEmail;
use crate::{Page, StoreResult, like_pattern, now};

/// A message as delivered.
pub struct Letter<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Delivers an outbox email into the mailbox. Idempotent: one message per outbox row.
pub async fn deliver(db: &impl ConnectionTrait, email: &OutboxEmail, letter: Letter<'_>) -> StoreResult<()> {
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        outbox_id: Set(email.id),
        instance_id: Set(email.instance_id),
        from_address: Set(letter.from.to_owned()),
        to_address: Set(letter.to.to_owned()),
        subject: Set(letter.subject.to_owned()),
        text_body: Set(letter.text.to_owned()),
        html_body: Set(letter.html.to_owned()),
        received_at: Set(now()),
    };
    Entity::insert(model).on_conflict_do_nothing_on([Column::OutboxId]).exec(db).await.context("Failed to deliver into the mailbox")?;
    Ok(())
}

pub async fn list(db: &impl ConnectionTrait, instance_id: Uuid, to: Option<&str>, limit: u64, after: Option<&str>) -> StoreResult<Page<MailboxMessage>> {
    let mut base = Entity::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(to) = to {
        // Part of the address, case-insensitively.
        base = base.filter(Expr::expr(Func::lower(Expr::col(Column::ToAddress))).like(LikeExpr::new(like_pattern(to)).escape('\\')));
    }
    let total = base.clone().count(db).await.context("Failed to count mailbox messages")?;
    let mut q = base;
    if let Some(after) = after.and_then(|a| a.parse::<Uuid>().ok()) {
        q = q.filter(Column::Id.lt(after));
    }
    let items = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await.context("Failed to list mailbox messages")?;
    Ok(Page::from_overfetch(items, limit, total, |m| m.id.to_string()))
}

/// The captured copy of outbox email `outbox_id`, if it went to the mailbox.
pub async fn id_of_outbox(db: &impl ConnectionTrait, instance_id: Uuid, outbox_id: Uuid) -> StoreResult<Option<Uuid>> {
    Ok(Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::OutboxId.eq(outbox_id))
        .into_tuple()
        .one(db)
        .await
        .context("Failed to find an email's captured copy")?)
}

pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<MailboxMessage>> {
    Ok(Entity::find_by_id(id).filter(Column::InstanceId.eq(instance_id)).one(db).await.context("Failed to load a mailbox message")?)
}

/// Deletes messages received before `before` (retention). Returns how many.
pub async fn delete_older_than(db: &impl ConnectionTrait, before: chrono::DateTime<chrono::FixedOffset>) -> StoreResult<u64> {
    let r = Entity::delete_many().filter(Column::ReceivedAt.lt(before)).exec(db).await.context("Failed to delete old mailbox messages")?;
    Ok(r.rows_affected)
}

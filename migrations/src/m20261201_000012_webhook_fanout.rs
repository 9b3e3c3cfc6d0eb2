//! Webhook events are fanned out to their endpoints by the delivery workers, not by the change
//! that records them: `fanout_pending` marks an event recorded with its change whose deliveries
//! are still to be made (a partial index finds them). Earlier events were fanned out already.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    FanoutPending,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(WebhookEvents::Table).add_column(boolean(WebhookEvents::FanoutPending).default(false)).to_owned()).await?;
        // Both databases take a partial index; sea-query renders it for neither.
        manager.get_connection().execute_unprepared("CREATE INDEX idx_webhook_events_fanout ON webhook_events (id) WHERE fanout_pending").await?;
        Ok(())
    }
}

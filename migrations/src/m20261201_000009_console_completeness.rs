//! What the console needed to do everything the API does: each delivery attempt of an email
//! (when, through what, how long, why it failed), user lists sorted by name from an index, and
//! the application a one-time link was asked from (to send the person back to it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxAttempts {
    Table,
    Id,
    EmailId,
    Attempt,
    At,
    Via,
    Outcome,
    Error,
    DurationMs,
}

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    InstanceId,
    Name,
    Id,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    ApplicationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxAttempts::Table)
                    .col(uuid(OutboxAttempts::Id).primary_key())
                    .col(uuid(OutboxAttempts::EmailId))
                    .col(integer(OutboxAttempts::Attempt))
                    .col(timestamp_with_time_zone(OutboxAttempts::At))
                    .col(text_null(OutboxAttempts::Via))
                    .col(text(OutboxAttempts::Outcome))
                    .col(text_null(OutboxAttempts::Error))
                    .col(big_integer(OutboxAttempts::DurationMs))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_attempts_email")
                            .from(OutboxAttempts::Table, OutboxAttempts::EmailId)
                            .to(OutboxEmails::Table, OutboxEmails::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_outbox_attempts_email").table(OutboxAttempts::Table).col(OutboxAttempts::EmailId).col(OutboxAttempts::At).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_end_users_instance_name")
                    .table(EndUsers::Table)
                    .col(EndUsers::InstanceId)
                    .col(EndUsers::Name)
                    .col(EndUsers::Id)
                    .to_owned(),
            )
            .await?;
        // No foreign key: a link outlives a deleted application (it then just has nowhere to
        // send the person back to).
        manager.alter_table(Table::alter().table(UserTokens::Table).add_column(uuid_null(UserTokens::ApplicationId)).to_owned()).await?;
        Ok(())
    }
}

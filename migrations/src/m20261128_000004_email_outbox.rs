//! The email outbox (work that must not be lost), the local capture mailbox, and one-time tokens
//! sent to end users (email verification, password reset, invitation).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
    InstanceId,
    Kind,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum MailboxMessages {
    Table,
    Id,
    OutboxId,
    InstanceId,
    FromAddress,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    InstanceId,
    EndUserId,
    Purpose,
    TokenHash,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
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
                    .table(OutboxEmails::Table)
                    .col(pk_uuid(OutboxEmails::Id))
                    .col(uuid_null(OutboxEmails::InstanceId))
                    .col(string_len(OutboxEmails::Kind, 32))
                    .col(string_len(OutboxEmails::ToAddress, 254))
                    .col(string_len(OutboxEmails::Subject, 998))
                    .col(text(OutboxEmails::TextBody))
                    .col(text(OutboxEmails::HtmlBody))
                    .col(string_len(OutboxEmails::Status, 16))
                    .col(integer(OutboxEmails::Attempts))
                    .col(timestamp_with_time_zone(OutboxEmails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboxEmails::LockedUntil))
                    .col(text_null(OutboxEmails::LastError))
                    .col(timestamp_with_time_zone(OutboxEmails::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxEmails::SentAt))
                    .foreign_key(
                        ForeignKey::create().from(OutboxEmails::Table, OutboxEmails::InstanceId).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_outbox_due").table(OutboxEmails::Table).col(OutboxEmails::Status).col(OutboxEmails::NextAttemptAt).to_owned())
            .await?;
        manager
            .create_index(Index::create().name("idx_outbox_instance").table(OutboxEmails::Table).col(OutboxEmails::InstanceId).col(OutboxEmails::CreatedAt).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailboxMessages::Table)
                    .col(pk_uuid(MailboxMessages::Id))
                    .col(uuid_uniq(MailboxMessages::OutboxId))
                    .col(uuid_null(MailboxMessages::InstanceId))
                    .col(string_len(MailboxMessages::FromAddress, 512))
                    .col(string_len(MailboxMessages::ToAddress, 254))
                    .col(string_len(MailboxMessages::Subject, 998))
                    .col(text(MailboxMessages::TextBody))
                    .col(text(MailboxMessages::HtmlBody))
                    .col(timestamp_with_time_zone(MailboxMessages::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create().from(MailboxMessages::Table, MailboxMessages::InstanceId).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_mailbox_instance").table(MailboxMessages::Table).col(MailboxMessages::InstanceId).col(MailboxMessages::ReceivedAt).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(pk_uuid(UserTokens::Id))
                    .col(uuid(UserTokens::InstanceId))
                    .col(uuid(UserTokens::EndUserId))
                    .col(string_len(UserTokens::Purpose, 32))
                    .col(string_len_uniq(UserTokens::TokenHash, 64))
                    .col(string_len(UserTokens::Email, 254))
                    .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                    .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(UserTokens::UsedAt))
                    .foreign_key(ForeignKey::create().from(UserTokens::Table, UserTokens::InstanceId).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(ForeignKey::create().from(UserTokens::Table, UserTokens::EndUserId).to(EndUsers::Table, EndUsers::Id).on_delete(ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_user_tokens_user").table(UserTokens::Table).col(UserTokens::EndUserId).to_owned()).await?;
        Ok(())
    }
}

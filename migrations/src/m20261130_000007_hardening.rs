//! Hardening: counters that hold across processes (sign-in lockout, email limits), outbox rows
//! rendered by the worker (a payload) and marked only under the lease that claimed them (a claim
//! token), SMTP AUTH over plain text only when asked for, and indexes for the retention jobs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateCounters {
    Table,
    Key,
    WindowStart,
    Count,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    ClaimToken,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SmtpSettings {
    Table,
    AllowInsecureAuth,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum MailboxMessages {
    Table,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    ExpiresAt,
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
                    .table(RateCounters::Table)
                    .col(text(RateCounters::Key).primary_key())
                    .col(timestamp_with_time_zone(RateCounters::WindowStart))
                    .col(big_integer(RateCounters::Count))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_rate_counters_window").table(RateCounters::Table).col(RateCounters::WindowStart).to_owned()).await?;
        // SQLite adds one column per ALTER TABLE.
        manager.alter_table(Table::alter().table(OutboxEmails::Table).add_column(uuid_null(OutboxEmails::ClaimToken)).to_owned()).await?;
        manager.alter_table(Table::alter().table(OutboxEmails::Table).add_column(text_null(OutboxEmails::Payload)).to_owned()).await?;
        manager.alter_table(Table::alter().table(SmtpSettings::Table).add_column(boolean(SmtpSettings::AllowInsecureAuth).default(false)).to_owned()).await?;
        let indexes = [
            Index::create().name("idx_outbox_created").table(OutboxEmails::Table).col(OutboxEmails::CreatedAt).to_owned(),
            Index::create().name("idx_login_attempts_created").table(LoginAttempts::Table).col(LoginAttempts::CreatedAt).to_owned(),
            Index::create().name("idx_auth_sessions_expires").table(AuthSessions::Table).col(AuthSessions::ExpiresAt).to_owned(),
            Index::create().name("idx_mailbox_received").table(MailboxMessages::Table).col(MailboxMessages::ReceivedAt).to_owned(),
            Index::create().name("idx_user_tokens_expires").table(UserTokens::Table).col(UserTokens::ExpiresAt).to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

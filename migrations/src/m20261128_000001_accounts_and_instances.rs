//! Console accounts, their sessions and sign-in attempts; instances and their members.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    AccountId,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
    UserAgent,
    Ip,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    Email,
    AccountId,
    Outcome,
    Ip,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
    Slug,
    Name,
    TimeZone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InstanceMembers {
    Table,
    InstanceId,
    AccountId,
    Role,
    CreatedAt,
    UpdatedAt,
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
                    .table(Accounts::Table)
                    .col(pk_uuid(Accounts::Id))
                    .col(string_len_uniq(Accounts::Email, 254))
                    .col(string_len(Accounts::Name, 100))
                    .col(string(Accounts::PasswordHash))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::AccountId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastUsedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .col(string_len_null(Sessions::RevokedReason, 32))
                    .col(string_len_null(Sessions::UserAgent, 512))
                    .col(string_len_null(Sessions::Ip, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_sessions_account").table(Sessions::Table).col(Sessions::AccountId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::SessionId))
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_refresh_tokens_session").table(RefreshTokens::Table).col(RefreshTokens::SessionId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(pk_uuid(LoginAttempts::Id))
                    .col(string_len(LoginAttempts::Email, 254))
                    .col(uuid_null(LoginAttempts::AccountId))
                    .col(string_len(LoginAttempts::Outcome, 32))
                    .col(string_len_null(LoginAttempts::Ip, 64))
                    .col(string_len_null(LoginAttempts::UserAgent, 512))
                    .col(timestamp_with_time_zone(LoginAttempts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LoginAttempts::Table, LoginAttempts::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempts_email_time")
                    .table(LoginAttempts::Table)
                    .col(LoginAttempts::Email)
                    .col(LoginAttempts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempts_account_time")
                    .table(LoginAttempts::Table)
                    .col(LoginAttempts::AccountId)
                    .col(LoginAttempts::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Instances::Table)
                    .col(pk_uuid(Instances::Id))
                    .col(string_len_uniq(Instances::Slug, 40))
                    .col(string_len(Instances::Name, 100))
                    .col(string_len(Instances::TimeZone, 64))
                    .col(timestamp_with_time_zone(Instances::CreatedAt))
                    .col(timestamp_with_time_zone(Instances::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstanceMembers::Table)
                    .col(uuid(InstanceMembers::InstanceId))
                    .col(uuid(InstanceMembers::AccountId))
                    .col(string_len(InstanceMembers::Role, 16))
                    .col(timestamp_with_time_zone(InstanceMembers::CreatedAt))
                    .col(timestamp_with_time_zone(InstanceMembers::UpdatedAt))
                    .primary_key(Index::create().col(InstanceMembers::InstanceId).col(InstanceMembers::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstanceMembers::Table, InstanceMembers::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstanceMembers::Table, InstanceMembers::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instance_members_account")
                    .table(InstanceMembers::Table)
                    .col(InstanceMembers::AccountId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

//! End users of an instance, and sessions shared by console accounts and end users.
//!
//! Console sessions move from `sessions`/`refresh_tokens` to `auth_sessions`/`auth_refresh_tokens`,
//! whose subject is either an account or an end user (of one instance); existing rows are copied.
//! Sign-in attempts gain the instance and end user they concern (null for the console).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Id,
    InstanceId,
    Email,
    EmailVerified,
    GivenName,
    FamilyName,
    Name,
    PasswordHash,
    Blocked,
    Provider,
    Metadata,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
    TokensValidAfter,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    AccountId,
    EndUserId,
    InstanceId,
    ApplicationId,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
    UserAgent,
    Ip,
}

#[derive(DeriveIden)]
enum AuthRefreshTokens {
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
    InstanceId,
    EndUserId,
    Email,
    CreatedAt,
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
                    .table(EndUsers::Table)
                    .col(pk_uuid(EndUsers::Id))
                    .col(uuid(EndUsers::InstanceId))
                    .col(string_len(EndUsers::Email, 254))
                    .col(boolean(EndUsers::EmailVerified))
                    .col(string_len(EndUsers::GivenName, 100))
                    .col(string_len(EndUsers::FamilyName, 100))
                    .col(string_len(EndUsers::Name, 200))
                    .col(string_null(EndUsers::PasswordHash))
                    .col(boolean(EndUsers::Blocked))
                    .col(string_len(EndUsers::Provider, 32))
                    .col(json(EndUsers::Metadata))
                    .col(timestamp_with_time_zone(EndUsers::CreatedAt))
                    .col(timestamp_with_time_zone(EndUsers::UpdatedAt))
                    .col(timestamp_with_time_zone_null(EndUsers::LastLoginAt))
                    .col(timestamp_with_time_zone_null(EndUsers::TokensValidAfter))
                    .foreign_key(
                        ForeignKey::create().from(EndUsers::Table, EndUsers::InstanceId).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("uq_end_users_instance_email").table(EndUsers::Table).col(EndUsers::InstanceId).col(EndUsers::Email).unique().to_owned())
            .await?;
        manager
            .create_index(
                Index::create().name("idx_end_users_instance_created").table(EndUsers::Table).col(EndUsers::InstanceId).col(EndUsers::CreatedAt).col(EndUsers::Id).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_end_users_instance_last_login")
                    .table(EndUsers::Table)
                    .col(EndUsers::InstanceId)
                    .col(EndUsers::LastLoginAt)
                    .col(EndUsers::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(pk_uuid(AuthSessions::Id))
                    .col(uuid_null(AuthSessions::AccountId))
                    .col(uuid_null(AuthSessions::EndUserId))
                    .col(uuid_null(AuthSessions::InstanceId))
                    .col(uuid_null(AuthSessions::ApplicationId))
                    .col(timestamp_with_time_zone(AuthSessions::CreatedAt))
                    .col(timestamp_with_time_zone(AuthSessions::LastUsedAt))
                    .col(timestamp_with_time_zone(AuthSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
                    .col(string_len_null(AuthSessions::RevokedReason, 32))
                    .col(string_len_null(AuthSessions::UserAgent, 512))
                    .col(string_len_null(AuthSessions::Ip, 64))
                    .foreign_key(ForeignKey::create().from(AuthSessions::Table, AuthSessions::AccountId).to(Accounts::Table, Accounts::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(ForeignKey::create().from(AuthSessions::Table, AuthSessions::EndUserId).to(EndUsers::Table, EndUsers::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(ForeignKey::create().from(AuthSessions::Table, AuthSessions::InstanceId).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(
                        ForeignKey::create().from(AuthSessions::Table, AuthSessions::ApplicationId).to(Applications::Table, Applications::Id).on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_auth_sessions_account").table(AuthSessions::Table).col(AuthSessions::AccountId).to_owned()).await?;
        manager.create_index(Index::create().name("idx_auth_sessions_end_user").table(AuthSessions::Table).col(AuthSessions::EndUserId).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthRefreshTokens::Table)
                    .col(pk_uuid(AuthRefreshTokens::Id))
                    .col(uuid(AuthRefreshTokens::SessionId))
                    .col(string_len_uniq(AuthRefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(AuthRefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(AuthRefreshTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthRefreshTokens::Table, AuthRefreshTokens::SessionId)
                            .to(AuthSessions::Table, AuthSessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_auth_refresh_tokens_session").table(AuthRefreshTokens::Table).col(AuthRefreshTokens::SessionId).to_owned())
            .await?;

        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO auth_sessions (id, account_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason, user_agent, ip) \
             SELECT id, account_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason, user_agent, ip FROM sessions",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO auth_refresh_tokens (id, session_id, token_hash, created_at, used_at) SELECT id, session_id, token_hash, created_at, used_at FROM refresh_tokens",
        )
        .await?;
        manager.drop_table(Table::drop().table(Alias::new("refresh_tokens")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("sessions")).to_owned()).await?;

        manager.alter_table(Table::alter().table(LoginAttempts::Table).add_column(uuid_null(LoginAttempts::InstanceId)).to_owned()).await?;
        manager.alter_table(Table::alter().table(LoginAttempts::Table).add_column(uuid_null(LoginAttempts::EndUserId)).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempts_instance_email_time")
                    .table(LoginAttempts::Table)
                    .col(LoginAttempts::InstanceId)
                    .col(LoginAttempts::Email)
                    .col(LoginAttempts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

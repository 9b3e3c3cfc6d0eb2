//! Console accounts you can trust: verified emails, one-time links for accounts, invitations to
//! instances, TOTP two-factor with recovery codes, the account's security log, an instance's
//! two-factor requirement, and the instance audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    EmailVerifiedAt,
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    AccountId,
    Purpose,
    TokenHash,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    AccountId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AccountEvents {
    Table,
    Id,
    AccountId,
    Kind,
    CreatedAt,
    Ip,
    UserAgent,
    Detail,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    InstanceId,
    Email,
    Role,
    InvitedBy,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    LastSentAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    InstanceId,
    CreatedAt,
    ActorKind,
    ActorId,
    ActorLabel,
    Ip,
    Action,
    TargetKind,
    TargetId,
    TargetLabel,
    Changes,
}

fn fk_account(table: impl IntoIden, column: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(table, column).to(Accounts::Table, Accounts::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE. Existing accounts start unverified: nothing
        // proved they own their address (the takeover this migration closes).
        manager.alter_table(Table::alter().table(Accounts::Table).add_column(timestamp_with_time_zone_null(Accounts::EmailVerifiedAt)).to_owned()).await?;
        manager.alter_table(Table::alter().table(Accounts::Table).add_column(text_null(Accounts::TotpSecret)).to_owned()).await?;
        manager.alter_table(Table::alter().table(Accounts::Table).add_column(timestamp_with_time_zone_null(Accounts::TotpEnabledAt)).to_owned()).await?;
        manager.alter_table(Table::alter().table(Accounts::Table).add_column(big_integer_null(Accounts::TotpLastStep)).to_owned()).await?;
        manager.alter_table(Table::alter().table(Instances::Table).add_column(boolean(Instances::RequireTwoFactor).default(false)).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(uuid(AccountTokens::Id).primary_key())
                    .col(uuid(AccountTokens::AccountId))
                    .col(text(AccountTokens::Purpose))
                    .col(text(AccountTokens::TokenHash).unique_key())
                    .col(text(AccountTokens::Email))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .foreign_key(&mut fk_account(AccountTokens::Table, AccountTokens::AccountId, "fk_account_tokens_account"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(uuid(RecoveryCodes::Id).primary_key())
                    .col(uuid(RecoveryCodes::AccountId))
                    .col(text(RecoveryCodes::CodeHash))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut fk_account(RecoveryCodes::Table, RecoveryCodes::AccountId, "fk_recovery_codes_account"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountEvents::Table)
                    .col(uuid(AccountEvents::Id).primary_key())
                    .col(uuid(AccountEvents::AccountId))
                    .col(text(AccountEvents::Kind))
                    .col(timestamp_with_time_zone(AccountEvents::CreatedAt))
                    .col(text_null(AccountEvents::Ip))
                    .col(text_null(AccountEvents::UserAgent))
                    .col(text_null(AccountEvents::Detail))
                    .foreign_key(&mut fk_account(AccountEvents::Table, AccountEvents::AccountId, "fk_account_events_account"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(uuid(Invitations::Id).primary_key())
                    .col(uuid(Invitations::InstanceId))
                    .col(text(Invitations::Email))
                    .col(text(Invitations::Role))
                    .col(uuid_null(Invitations::InvitedBy))
                    .col(text_null(Invitations::TokenHash).unique_key())
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::LastSentAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(uuid_null(Invitations::AcceptedBy))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitations_instance")
                            .from(Invitations::Table, Invitations::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitations_inviter")
                            .from(Invitations::Table, Invitations::InvitedBy)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid(AuditLog::InstanceId))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .col(text(AuditLog::ActorKind))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(text(AuditLog::ActorLabel))
                    .col(text_null(AuditLog::Ip))
                    .col(text(AuditLog::Action))
                    .col(text(AuditLog::TargetKind))
                    .col(text_null(AuditLog::TargetId))
                    .col(text_null(AuditLog::TargetLabel))
                    .col(text(AuditLog::Changes))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_log_instance")
                            .from(AuditLog::Table, AuditLog::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            Index::create().name("idx_account_tokens_account").table(AccountTokens::Table).col(AccountTokens::AccountId).to_owned(),
            Index::create().name("idx_account_tokens_expires").table(AccountTokens::Table).col(AccountTokens::ExpiresAt).to_owned(),
            Index::create().name("idx_recovery_codes_account").table(RecoveryCodes::Table).col(RecoveryCodes::AccountId).to_owned(),
            Index::create().name("idx_account_events_account").table(AccountEvents::Table).col(AccountEvents::AccountId).col(AccountEvents::Id).to_owned(),
            Index::create().name("idx_account_events_created").table(AccountEvents::Table).col(AccountEvents::CreatedAt).to_owned(),
            Index::create().name("idx_invitations_instance").table(Invitations::Table).col(Invitations::InstanceId).col(Invitations::Email).to_owned(),
            Index::create().name("idx_audit_log_instance").table(AuditLog::Table).col(AuditLog::InstanceId).col(AuditLog::Id).to_owned(),
            Index::create().name("idx_audit_log_created").table(AuditLog::Table).col(AuditLog::CreatedAt).to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

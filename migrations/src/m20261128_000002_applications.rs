//! Applications connected to an instance's public API, their client secrets, and the
//! instance's token-signing keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    InstanceId,
    ClientId,
    Kind,
    Name,
    Description,
    Enabled,
    AllowedOrigins,
    RedirectUris,
    CreatedAt,
    UpdatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum ApplicationSecrets {
    Table,
    Id,
    ApplicationId,
    SecretHash,
    Hint,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Id,
    InstanceId,
    Kid,
    Algorithm,
    PublicKey,
    PrivateKeyEncrypted,
    CreatedAt,
    RetiredAt,
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
                    .table(Applications::Table)
                    .col(pk_uuid(Applications::Id))
                    .col(uuid(Applications::InstanceId))
                    .col(string_len_uniq(Applications::ClientId, 64))
                    .col(string_len(Applications::Kind, 16))
                    .col(string_len(Applications::Name, 100))
                    .col(text(Applications::Description))
                    .col(boolean(Applications::Enabled))
                    .col(json(Applications::AllowedOrigins))
                    .col(json(Applications::RedirectUris))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Applications::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_applications_instance_name")
                    .table(Applications::Table)
                    .col(Applications::InstanceId)
                    .col(Applications::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApplicationSecrets::Table)
                    .col(pk_uuid(ApplicationSecrets::Id))
                    .col(uuid(ApplicationSecrets::ApplicationId))
                    .col(string_len(ApplicationSecrets::SecretHash, 64))
                    .col(string_len(ApplicationSecrets::Hint, 8))
                    .col(timestamp_with_time_zone(ApplicationSecrets::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApplicationSecrets::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationSecrets::Table, ApplicationSecrets::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_secrets_application")
                    .table(ApplicationSecrets::Table)
                    .col(ApplicationSecrets::ApplicationId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .col(pk_uuid(SigningKeys::Id))
                    .col(uuid(SigningKeys::InstanceId))
                    .col(string_len_uniq(SigningKeys::Kid, 64))
                    .col(string_len(SigningKeys::Algorithm, 16))
                    .col(string_len(SigningKeys::PublicKey, 128))
                    .col(text(SigningKeys::PrivateKeyEncrypted))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::RetiredAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SigningKeys::Table, SigningKeys::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_signing_keys_instance").table(SigningKeys::Table).col(SigningKeys::InstanceId).to_owned())
            .await?;
        Ok(())
    }
}

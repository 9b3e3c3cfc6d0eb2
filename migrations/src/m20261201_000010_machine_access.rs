//! Machine access: management clients (machines with scoped client-credentials access to the
//! console API of one instance) and their secrets (hashes only; several valid during a
//! rotation's grace period); revoked access tokens (RFC 7009), kept until they would expire;
//! signing keys' public halves long enough for RSA (an instance chooses EdDSA, ES256 or RS256).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ManagementClients {
    Table,
    Id,
    InstanceId,
    ClientId,
    Name,
    Description,
    Scopes,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum ManagementClientSecrets {
    Table,
    Id,
    ManagementClientId,
    SecretHash,
    Hint,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    PublicKey,
}

#[derive(DeriveIden)]
enum RevokedTokens {
    Table,
    Jti,
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
                    .table(ManagementClients::Table)
                    .col(pk_uuid(ManagementClients::Id))
                    .col(uuid(ManagementClients::InstanceId))
                    .col(string_len_uniq(ManagementClients::ClientId, 64))
                    .col(string_len(ManagementClients::Name, 100))
                    .col(text(ManagementClients::Description))
                    .col(json(ManagementClients::Scopes))
                    .col(timestamp_with_time_zone_null(ManagementClients::ExpiresAt))
                    .col(timestamp_with_time_zone(ManagementClients::CreatedAt))
                    .col(timestamp_with_time_zone(ManagementClients::UpdatedAt))
                    .col(timestamp_with_time_zone_null(ManagementClients::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ManagementClients::Table, ManagementClients::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_management_clients_instance_name")
                    .table(ManagementClients::Table)
                    .col(ManagementClients::InstanceId)
                    .col(ManagementClients::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ManagementClientSecrets::Table)
                    .col(pk_uuid(ManagementClientSecrets::Id))
                    .col(uuid(ManagementClientSecrets::ManagementClientId))
                    .col(string_len(ManagementClientSecrets::SecretHash, 64))
                    .col(string_len(ManagementClientSecrets::Hint, 8))
                    .col(timestamp_with_time_zone(ManagementClientSecrets::CreatedAt))
                    .col(timestamp_with_time_zone_null(ManagementClientSecrets::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ManagementClientSecrets::Table, ManagementClientSecrets::ManagementClientId)
                            .to(ManagementClients::Table, ManagementClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_management_client_secrets_client")
                    .table(ManagementClientSecrets::Table)
                    .col(ManagementClientSecrets::ManagementClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create().table(RevokedTokens::Table).col(pk_uuid(RevokedTokens::Jti)).col(timestamp_with_time_zone(RevokedTokens::ExpiresAt)).to_owned(),
            )
            .await?;
        // An RSA-2048 modulus is 342 base64url characters; SQLite does not enforce lengths.
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .alter_table(Table::alter().table(SigningKeys::Table).modify_column(ColumnDef::new(SigningKeys::PublicKey).text().not_null()).to_owned())
                .await?;
        }
        manager.create_index(Index::create().name("idx_revoked_tokens_expires_at").table(RevokedTokens::Table).col(RevokedTokens::ExpiresAt).to_owned()).await
    }
}

//! Instance configuration: values, custom entries, versions and backups.
//!
//! - `config_entries`: per instance and key, the value set (JSON text; NULL: the default) and,
//!   for an entry the developer defined (`custom`), its description, JSON Schema, default and
//!   whether applications may read it (`public`). `version` is the revision of its last change.
//!   Built-in entries have a row only while set. The password provider's `allow_registration`
//!   and the guest provider's `guest_lifetime_secs` move here (`registration.open`,
//!   `guest.session_lifetime_secs`); those columns are no longer read.
//! - `config_revisions`: per instance, the number of configuration changes so far (the whole
//!   configuration's ETag). Every change takes this row first, so an instance's changes are
//!   serialised and each gets the next revision.
//! - `config_versions`: every change of an entry: revision, action, the entry before and after
//!   (a JSON snapshot, NULL when absent), who and when. History, diffs and restores read it.
//! - `config_backups`: named snapshots of the whole configuration on demand.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConfigEntries {
    Table,
    InstanceId,
    Key,
    Value,
    Custom,
    Description,
    Schema,
    DefaultValue,
    Public,
    Version,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum ConfigRevisions {
    Table,
    InstanceId,
    Revision,
}

#[derive(DeriveIden)]
enum ConfigVersions {
    Table,
    Id,
    InstanceId,
    Revision,
    Key,
    Action,
    StateBefore,
    StateAfter,
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConfigBackups {
    Table,
    Id,
    InstanceId,
    Name,
    Revision,
    Document,
    CreatedBy,
    CreatedAt,
}

fn instance_fk(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, col).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConfigEntries::Table)
                    .col(uuid(ConfigEntries::InstanceId))
                    .col(string_len(ConfigEntries::Key, 64))
                    .col(text_null(ConfigEntries::Value))
                    .col(boolean(ConfigEntries::Custom).default(false))
                    .col(text_null(ConfigEntries::Description))
                    .col(text_null(ConfigEntries::Schema))
                    .col(text_null(ConfigEntries::DefaultValue))
                    .col(boolean(ConfigEntries::Public).default(false))
                    .col(big_integer(ConfigEntries::Version))
                    .col(timestamp_with_time_zone(ConfigEntries::UpdatedAt))
                    .col(string_len_null(ConfigEntries::UpdatedBy, 320))
                    .primary_key(Index::create().col(ConfigEntries::InstanceId).col(ConfigEntries::Key))
                    .foreign_key(&mut instance_fk(ConfigEntries::Table, ConfigEntries::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConfigRevisions::Table)
                    .col(uuid(ConfigRevisions::InstanceId).primary_key())
                    .col(big_integer(ConfigRevisions::Revision))
                    .foreign_key(&mut instance_fk(ConfigRevisions::Table, ConfigRevisions::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConfigVersions::Table)
                    .col(pk_uuid(ConfigVersions::Id))
                    .col(uuid(ConfigVersions::InstanceId))
                    .col(big_integer(ConfigVersions::Revision))
                    .col(string_len(ConfigVersions::Key, 64))
                    .col(string_len(ConfigVersions::Action, 20))
                    .col(text_null(ConfigVersions::StateBefore))
                    .col(text_null(ConfigVersions::StateAfter))
                    .col(string_len(ConfigVersions::Actor, 320))
                    .col(timestamp_with_time_zone(ConfigVersions::CreatedAt))
                    .foreign_key(&mut instance_fk(ConfigVersions::Table, ConfigVersions::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_config_versions_revision")
                    .table(ConfigVersions::Table)
                    .col(ConfigVersions::InstanceId)
                    .col(ConfigVersions::Revision)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_config_versions_key")
                    .table(ConfigVersions::Table)
                    .col(ConfigVersions::InstanceId)
                    .col(ConfigVersions::Key)
                    .col(ConfigVersions::Revision)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConfigBackups::Table)
                    .col(pk_uuid(ConfigBackups::Id))
                    .col(uuid(ConfigBackups::InstanceId))
                    .col(string_len(ConfigBackups::Name, 100))
                    .col(big_integer(ConfigBackups::Revision))
                    .col(text(ConfigBackups::Document))
                    .col(string_len(ConfigBackups::CreatedBy, 320))
                    .col(timestamp_with_time_zone(ConfigBackups::CreatedAt))
                    .foreign_key(&mut instance_fk(ConfigBackups::Table, ConfigBackups::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_config_backups_name")
                    .table(ConfigBackups::Table)
                    .col(ConfigBackups::InstanceId)
                    .col(ConfigBackups::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Two settings lived on the identity providers until now; the configuration owns them.
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO config_entries (instance_id, key, value, custom, public, version, updated_at) \
             SELECT instance_id, 'registration.open', 'false', false, false, 0, updated_at FROM identity_providers \
             WHERE key = 'password' AND allow_registration = false",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO config_entries (instance_id, key, value, custom, public, version, updated_at) \
             SELECT instance_id, 'guest.session_lifetime_secs', CAST(guest_lifetime_secs AS TEXT), false, false, 0, updated_at FROM identity_providers \
             WHERE key = 'guest' AND guest_lifetime_secs IS NOT NULL",
        )
        .await?;
        Ok(())
    }
}

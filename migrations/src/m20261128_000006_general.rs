//! The General tab: the instance's logo, its email templates and style, its own SMTP server;
//! and which transport delivered each email.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InstanceLogos {
    Table,
    InstanceId,
    Png,
    Sha256,
    Width,
    Height,
    SizeBytes,
    HasAlpha,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailTemplates {
    Table,
    InstanceId,
    Kind,
    Subject,
    Body,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailStyles {
    Table,
    InstanceId,
    FontFamily,
    FontSize,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SmtpSettings {
    Table,
    InstanceId,
    Enabled,
    Host,
    Port,
    Security,
    Username,
    PasswordCiphertext,
    FromAddress,
    FromName,
    ReplyTo,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    DeliveredVia,
}

fn instance_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Instances::Table, Instances::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
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
                    .table(InstanceLogos::Table)
                    .col(uuid(InstanceLogos::InstanceId).primary_key())
                    .col(blob(InstanceLogos::Png))
                    .col(string_len(InstanceLogos::Sha256, 64))
                    .col(integer(InstanceLogos::Width))
                    .col(integer(InstanceLogos::Height))
                    .col(integer(InstanceLogos::SizeBytes))
                    .col(boolean(InstanceLogos::HasAlpha))
                    .col(timestamp_with_time_zone(InstanceLogos::UpdatedAt))
                    .foreign_key(&mut instance_fk(InstanceLogos::Table, InstanceLogos::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailTemplates::Table)
                    .col(uuid(EmailTemplates::InstanceId))
                    .col(string_len(EmailTemplates::Kind, 32))
                    .col(text_null(EmailTemplates::Subject))
                    .col(text(EmailTemplates::Body))
                    .col(timestamp_with_time_zone(EmailTemplates::UpdatedAt))
                    .primary_key(Index::create().col(EmailTemplates::InstanceId).col(EmailTemplates::Kind))
                    .foreign_key(&mut instance_fk(EmailTemplates::Table, EmailTemplates::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailStyles::Table)
                    .col(uuid(EmailStyles::InstanceId).primary_key())
                    .col(string_len(EmailStyles::FontFamily, 64))
                    .col(integer(EmailStyles::FontSize))
                    .col(timestamp_with_time_zone(EmailStyles::UpdatedAt))
                    .foreign_key(&mut instance_fk(EmailStyles::Table, EmailStyles::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmtpSettings::Table)
                    .col(uuid(SmtpSettings::InstanceId).primary_key())
                    .col(boolean(SmtpSettings::Enabled))
                    .col(string_len(SmtpSettings::Host, 253))
                    .col(integer(SmtpSettings::Port))
                    .col(string_len(SmtpSettings::Security, 16))
                    .col(string_len_null(SmtpSettings::Username, 256))
                    .col(text_null(SmtpSettings::PasswordCiphertext))
                    .col(string_len(SmtpSettings::FromAddress, 254))
                    .col(string_len_null(SmtpSettings::FromName, 128))
                    .col(string_len_null(SmtpSettings::ReplyTo, 254))
                    .col(timestamp_with_time_zone(SmtpSettings::UpdatedAt))
                    .foreign_key(&mut instance_fk(SmtpSettings::Table, SmtpSettings::InstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(OutboxEmails::Table).add_column(string_len_null(OutboxEmails::DeliveredVia, 32)).to_owned())
            .await?;
        Ok(())
    }
}

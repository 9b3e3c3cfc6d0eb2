//! Steward's database migrations: forward-only, one file per change, never edited once landed.
//!
//! They run on SQLite and PostgreSQL alike, so they use only what sea-query renders for both.

pub use sea_orm_migration::prelude::*;

// Landed migrations are never edited, not even by the formatter.
#[rustfmt::skip]
mod m20261128_000001_accounts_and_instances;
#[rustfmt::skip]
mod m20261128_000002_applications;
#[rustfmt::skip]
mod m20261128_000003_end_users;
#[rustfmt::skip]
mod m20261128_000004_email_outbox;
#[rustfmt::skip]
mod m20261128_000005_user_search;
#[rustfmt::skip]
mod m20261128_000006_general;
#[rustfmt::skip]
mod m20261130_000007_hardening;
#[rustfmt::skip]
mod m20261130_000008_console_accounts;
#[rustfmt::skip]
mod m20261201_000009_console_completeness;
#[rustfmt::skip]
mod m20261201_000010_machine_access;
#[rustfmt::skip]
mod m20261201_000011_webhooks;
#[rustfmt::skip]
mod m20261201_000012_webhook_fanout;
#[rustfmt::skip]
mod m20261201_000013_identity_providers;
#[rustfmt::skip]
mod m20261201_000014_usage_and_billing;
mod m20261201_000015_configuration;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_accounts_and_instances::Migration),
            Box::new(m20261128_000002_applications::Migration),
            Box::new(m20261128_000003_end_users::Migration),
            Box::new(m20261128_000004_email_outbox::Migration),
            Box::new(m20261128_000005_user_search::Migration),
            Box::new(m20261128_000006_general::Migration),
            Box::new(m20261130_000007_hardening::Migration),
            Box::new(m20261130_000008_console_accounts::Migration),
            Box::new(m20261201_000009_console_completeness::Migration),
            Box::new(m20261201_000010_machine_access::Migration),
            Box::new(m20261201_000011_webhooks::Migration),
            Box::new(m20261201_000012_webhook_fanout::Migration),
            Box::new(m20261201_000013_identity_providers::Migration),
            Box::new(m20261201_000014_usage_and_billing::Migration),
            Box::new(m20261201_000015_configuration::Migration),
        ]
    }
}

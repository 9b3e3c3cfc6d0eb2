//! API usage and billing.
//!
//! - `usage_rollups`: public API calls counted per bucket (a UTC minute, a local hour, a local
//!   day — `resolution` 1, 2, 3; `bucket_start` in unix seconds), application, route template,
//!   method, status and whether the call is billable (a call refused by the quota is not), with
//!   the latency as a sum and a 16-bucket histogram. Processes add to a row with an upsert, so
//!   several of them add up. No foreign key: a flush racing an instance's deletion must not fail
//!   (the instance's rows are deleted with it and orphans by the retention job).
//! - `usage_flushes`: the id of every flush applied, written in its transaction: a flush whose
//!   commit went unanswered is retried under the same id and skipped if it did commit, so no
//!   count is added twice.
//! - `cache_events`: a change that cached copies of an instance (its row, applications, keys,
//!   plan) or of a revoked token must drop, read by every process's poller.
//! - `usage_quota`: per instance and period, the calls granted so far under a hard limit, in
//!   leases taken by processes — so the limit holds exactly across processes.
//! - `instance_plans`: each plan change of an instance (the current plan is the latest).
//! - `usage_alerts`: the 80% and 100% alerts sent, once per metric, threshold and period.
//! - `invoices`: closed periods' bills, one per instance and period.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UsageRollups {
    Table,
    InstanceId,
    Resolution,
    BucketStart,
    ApplicationId,
    Route,
    Method,
    Status,
    Billable,
    Calls,
    LatencyUs,
}

#[derive(DeriveIden)]
enum UsageFlushes {
    Table,
    Id,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CacheEvents {
    Table,
    Id,
    InstanceId,
    Subject,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UsageQuota {
    Table,
    InstanceId,
    PeriodStart,
    Granted,
    LastGrant,
}

#[derive(DeriveIden)]
enum InstancePlans {
    Table,
    Id,
    InstanceId,
    PlanKey,
    EffectiveAt,
    ChangedBy,
}

#[derive(DeriveIden)]
enum UsageAlerts {
    Table,
    InstanceId,
    PeriodStart,
    Metric,
    Threshold,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invoices {
    Table,
    Id,
    InstanceId,
    Number,
    PeriodStart,
    PeriodEnd,
    PlanKey,
    Currency,
    Calls,
    Users,
    Lines,
    TotalMinor,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rollups = Table::create();
        rollups
            .table(UsageRollups::Table)
            .col(uuid(UsageRollups::InstanceId))
            .col(small_integer(UsageRollups::Resolution))
            .col(big_integer(UsageRollups::BucketStart))
            .col(uuid(UsageRollups::ApplicationId))
            .col(string_len(UsageRollups::Route, 200))
            .col(string_len(UsageRollups::Method, 10))
            .col(small_integer(UsageRollups::Status))
            .col(boolean(UsageRollups::Billable))
            .col(big_integer(UsageRollups::Calls))
            .col(big_integer(UsageRollups::LatencyUs));
        for i in 0..16 {
            rollups.col(big_integer(Alias::new(format!("h{i:02}"))).default(0));
        }
        rollups.primary_key(
            Index::create()
                .col(UsageRollups::InstanceId)
                .col(UsageRollups::Resolution)
                .col(UsageRollups::BucketStart)
                .col(UsageRollups::ApplicationId)
                .col(UsageRollups::Route)
                .col(UsageRollups::Method)
                .col(UsageRollups::Status)
                .col(UsageRollups::Billable),
        );
        manager.create_table(rollups.to_owned()).await?;
        // Compaction deletes by age across instances.
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_rollups_age")
                    .table(UsageRollups::Table)
                    .col(UsageRollups::Resolution)
                    .col(UsageRollups::BucketStart)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create().table(UsageFlushes::Table).col(pk_uuid(UsageFlushes::Id)).col(timestamp_with_time_zone(UsageFlushes::CreatedAt)).to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_usage_flushes_created").table(UsageFlushes::Table).col(UsageFlushes::CreatedAt).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(CacheEvents::Table)
                    .col(pk_auto(CacheEvents::Id).big_integer())
                    .col(uuid(CacheEvents::InstanceId))
                    .col(uuid_null(CacheEvents::Subject))
                    .col(timestamp_with_time_zone(CacheEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_cache_events_created").table(CacheEvents::Table).col(CacheEvents::CreatedAt).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(UsageQuota::Table)
                    .col(uuid(UsageQuota::InstanceId))
                    .col(big_integer(UsageQuota::PeriodStart))
                    .col(big_integer(UsageQuota::Granted))
                    .col(big_integer(UsageQuota::LastGrant).default(0))
                    .primary_key(Index::create().col(UsageQuota::InstanceId).col(UsageQuota::PeriodStart))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UsageQuota::Table, UsageQuota::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstancePlans::Table)
                    .col(pk_uuid(InstancePlans::Id))
                    .col(uuid(InstancePlans::InstanceId))
                    .col(string_len(InstancePlans::PlanKey, 40))
                    .col(timestamp_with_time_zone(InstancePlans::EffectiveAt))
                    .col(uuid_null(InstancePlans::ChangedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstancePlans::Table, InstancePlans::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstancePlans::Table, InstancePlans::ChangedBy)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instance_plans_instance")
                    .table(InstancePlans::Table)
                    .col(InstancePlans::InstanceId)
                    .col(InstancePlans::EffectiveAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UsageAlerts::Table)
                    .col(uuid(UsageAlerts::InstanceId))
                    .col(big_integer(UsageAlerts::PeriodStart))
                    .col(string_len(UsageAlerts::Metric, 10))
                    .col(small_integer(UsageAlerts::Threshold))
                    .col(timestamp_with_time_zone(UsageAlerts::CreatedAt))
                    .primary_key(
                        Index::create().col(UsageAlerts::InstanceId).col(UsageAlerts::PeriodStart).col(UsageAlerts::Metric).col(UsageAlerts::Threshold),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UsageAlerts::Table, UsageAlerts::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invoices::Table)
                    .col(pk_uuid(Invoices::Id))
                    .col(uuid(Invoices::InstanceId))
                    .col(string_len(Invoices::Number, 80))
                    .col(timestamp_with_time_zone(Invoices::PeriodStart))
                    .col(timestamp_with_time_zone(Invoices::PeriodEnd))
                    .col(string_len(Invoices::PlanKey, 40))
                    .col(string_len(Invoices::Currency, 3))
                    .col(big_integer(Invoices::Calls))
                    .col(big_integer(Invoices::Users))
                    .col(json(Invoices::Lines))
                    .col(big_integer(Invoices::TotalMinor))
                    .col(timestamp_with_time_zone(Invoices::IssuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoices::Table, Invoices::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_invoices_period").table(Invoices::Table).col(Invoices::InstanceId).col(Invoices::PeriodStart).unique().to_owned(),
            )
            .await?;
        Ok(())
    }
}

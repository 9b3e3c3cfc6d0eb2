//! User lists that stay fast with a million users: substring search over emails and names with
//! trigram indexes (PostgreSQL: pg_trgm GIN indexes; SQLite: an FTS5 trigram table kept in step
//! by triggers), and an index for the status filters in creation order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_end_users_instance_status_created")
                    .table(Alias::new("end_users"))
                    .col(Alias::new("instance_id"))
                    .col(Alias::new("blocked"))
                    .col(Alias::new("email_verified"))
                    .col(Alias::new("created_at"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
                db.execute_unprepared("CREATE INDEX idx_end_users_email_trgm ON end_users USING gin (email gin_trgm_ops)").await?;
                db.execute_unprepared("CREATE INDEX idx_end_users_name_trgm ON end_users USING gin (lower(name) gin_trgm_ops)").await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE end_users_search USING fts5(email, name, content='end_users', content_rowid='rowid', tokenize='trigram')",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER end_users_search_ai AFTER INSERT ON end_users BEGIN \
                     INSERT INTO end_users_search(rowid, email, name) VALUES (new.rowid, new.email, new.name); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER end_users_search_ad AFTER DELETE ON end_users BEGIN \
                     INSERT INTO end_users_search(end_users_search, rowid, email, name) VALUES ('delete', old.rowid, old.email, old.name); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER end_users_search_au AFTER UPDATE OF email, name ON end_users BEGIN \
                     INSERT INTO end_users_search(end_users_search, rowid, email, name) VALUES ('delete', old.rowid, old.email, old.name); \
                     INSERT INTO end_users_search(rowid, email, name) VALUES (new.rowid, new.email, new.name); END",
                )
                .await?;
                db.execute_unprepared("INSERT INTO end_users_search(end_users_search) VALUES ('rebuild')").await?;
            }
        }
        Ok(())
    }
}

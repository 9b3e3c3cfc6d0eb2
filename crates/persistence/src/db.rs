//! Connecting to SQLite or PostgreSQL and applying migrations.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use steward_migrations::Migrator;

/// The application's database handle (a connection pool).
pub type Database = DatabaseConnection;

/// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) with settings fit for the
/// backend. SQLite runs in WAL mode with foreign keys enforced and a busy timeout.
pub async fn connect(url: &str) -> anyhow::Result<Database> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10)).sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        options.max_connections(32).min_connections(1);
    }
    let db = sea_orm::Database::connect(options).await.with_context(|| format!("Failed to connect to the database at {}", redact_url(url)))?;
    Ok(db)
}

/// The PostgreSQL advisory lock that serialises migrations between processes.
const MIGRATION_LOCK: i64 = 0x5374_6577_6172_6400; // "Steward\0"

/// Applies every pending migration. On PostgreSQL, several processes starting at once (replicas
/// of one deployment) take turns: the first migrates under an advisory lock held by the very
/// connection that migrates, the others wait for it and then find nothing to do.
pub async fn migrate(db: &Database) -> anyhow::Result<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Migrator::up(db, None).await.context("Failed to apply database migrations");
    }
    // One connection, so the lock and the migrations share a session.
    let connect = (*db.get_postgres_connection_pool().connect_options()).clone();
    let pool = sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(600))
        .connect_with(connect)
        .await
        .context("Failed to open a connection for migrations")?;
    let conn = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
    conn.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).await.context("Failed to take the migration lock")?;
    let result = Migrator::up(&conn, None).await.context("Failed to apply database migrations");
    let _ = conn.execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).await;
    let _ = conn.close().await;
    result
}

/// Checks that the database answers a trivial query.
pub async fn ping(db: &Database) -> anyhow::Result<()> {
    db.execute_unprepared("SELECT 1").await.context("Failed to query the database")?;
    Ok(())
}

pub fn backend_name(db: &Database) -> &'static str {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => "postgres",
        DatabaseBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

/// The URL with any password replaced by `***`, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
    {
        let user = creds.split(':').next().unwrap_or("");
        if creds.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_owned()
}

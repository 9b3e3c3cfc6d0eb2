//! Migrations keep data: a console session made before migration 3 survives the move to
//! `auth_sessions`, on both databases.

use sea_orm::{ConnectionTrait as _, DatabaseBackend, Statement, Value};
use sea_orm_migration::MigratorTrait as _;
use steward_migrations::Migrator;

use crate::helpers::{Backend, pg_database};

async fn sessions_survive_the_move(url: &str) {
    let db = steward_persistence::connect(url).await.unwrap();
    Migrator::up(&db, Some(2)).await.unwrap();
    let backend = db.get_database_backend();
    // Placeholders in order of appearance: `$1, $2...` on PostgreSQL, `?` on SQLite.
    let run = |sql: &str, values: Vec<Value>| {
        let mut n = 0;
        let sql: String = sql
            .split('#')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    n += 1;
                    if backend == DatabaseBackend::Postgres { format!("${n}{part}") } else { format!("?{part}") }
                }
            })
            .collect();
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
    };
    let at = steward_persistence::now();
    let far = at + chrono::Duration::days(30);
    let (acc, ses, tok) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    run(
        "INSERT INTO accounts (id, email, name, password_hash, created_at, updated_at) VALUES (#, 'm@example.com', 'M', 'x', #, #)",
        vec![acc.into(), at.into(), at.into()],
    )
    .await
    .unwrap();
    run(
        "INSERT INTO sessions (id, account_id, created_at, last_used_at, expires_at) VALUES (#, #, #, #, #)",
        vec![ses.into(), acc.into(), at.into(), at.into(), far.into()],
    )
    .await
    .unwrap();
    run("INSERT INTO refresh_tokens (id, session_id, token_hash, created_at) VALUES (#, #, 'h', #)", vec![tok.into(), ses.into(), at.into()]).await.unwrap();

    Migrator::up(&db, None).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM auth_sessions s JOIN auth_refresh_tokens t ON t.session_id = s.id WHERE t.token_hash = 'h'",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    assert_eq!(n, 1, "the session and its refresh token moved");
    assert!(steward_persistence::sessions::is_active(&db, steward_persistence::sessions::Subject::Account(acc), ses).await.unwrap());
}

#[tokio::test]
async fn sqlite_sessions_survive_migration_3() {
    let dir = tempfile::tempdir().unwrap();
    sessions_survive_the_move(&format!("sqlite://{}/m.db?mode=rwc", dir.path().display())).await;
}

#[tokio::test]
async fn postgres_sessions_survive_migration_3() {
    if let Some((url, _guard)) = pg_database(Backend::Postgres).await {
        sessions_survive_the_move(&url).await;
    }
}

/// Replicas of one deployment starting at the same moment on an empty PostgreSQL database all
/// come up: migrations take turns under an advisory lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_started_at_once_on_an_empty_database_all_come_up() {
    let Some(db) = crate::helpers::TestDb::new(Backend::Postgres).await else { return };
    let db = std::sync::Arc::new(db);
    let start = || crate::helpers::TestApp::start(db.clone(), |s| s.public_url = Some("http://steward.test".into()));
    let (a, b, c) = tokio::join!(start(), start(), start());
    for app in [&a, &b, &c] {
        assert_eq!(app.get("/readyz", None).await.status(), reqwest::StatusCode::OK);
    }
    let s = a.signup("first@example.com").await;
    assert_eq!(b.get("/api/v1/me", Some(&s.access)).await.status(), reqwest::StatusCode::OK);
}

//! `TestApp`: the real application on port 0 against a fresh database (a new SQLite file, or a
//! new PostgreSQL database per test), and a typed HTTP helper.

use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use reqwest::{Method, Response, StatusCode};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use steward::{Application, Settings};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery";

/// The master key every test app uses, so tests can forge tokens with the real signing key.
pub static MASTER_KEY_B64: LazyLock<String> = LazyLock::new(|| base64::engine::general_purpose::STANDARD.encode([42u8; 32]));

fn pg_admin_url() -> String {
    std::env::var("STEWARD_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Runs each listed `async fn name(app: TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

pub struct TestApp {
    pub address: String,
    /// The running application's state (database, token services) for white-box setup.
    pub state: actix_web::web::Data<steward_http::AppState>,
    pub client: reqwest::Client,
    /// Kept alive as long as the application uses it.
    _db: Arc<TestDb>,
    _console_dir: tempfile::TempDir,
    server: actix_web::dev::ServerHandle,
    workers: tokio::sync::Mutex<Option<steward::Workers>>,
}

/// A fresh database (a SQLite file, or a PostgreSQL database dropped afterwards).
pub struct TestDb {
    pub url: String,
    pub data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let data_dir = tempfile::tempdir().expect("tempdir");
        match backend {
            Backend::Sqlite => Some(TestDb { url: format!("sqlite://{}/steward.db?mode=rwc", data_dir.path().display()), data_dir, _pg: None }),
            Backend::Postgres => {
                let (url, guard) = pg_database(backend).await?;
                Some(TestDb { url, data_dir, _pg: Some(guard) })
            }
        }
    }
}

/// A fresh PostgreSQL database, dropped (with its connections) when this is dropped.
pub struct PgDatabase(String);

/// Creates a fresh PostgreSQL database; `None` when PostgreSQL is unreachable and not required
/// (`STEWARD_REQUIRE_PG` unset), or skipped with `STEWARD_SKIP_PG=1`.
pub async fn pg_database(_backend: Backend) -> Option<(String, PgDatabase)> {
    let required = std::env::var("STEWARD_REQUIRE_PG").is_ok_and(|v| v == "1");
    if std::env::var("STEWARD_SKIP_PG").is_ok_and(|v| v == "1") && !required {
        return None;
    }
    let admin_url = pg_admin_url();
    let admin = match steward_persistence::connect(&admin_url).await {
        Ok(db) => db,
        Err(e) => {
            if required {
                panic!("PostgreSQL is required (STEWARD_REQUIRE_PG=1) but unreachable: {e:#}");
            }
            eprintln!("SKIPPED on PostgreSQL: unreachable at {admin_url}");
            return None;
        }
    };
    let name = format!("steward_test_{}", uuid::Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
    let _ = admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
    Some((format!("{base}/{name}"), PgDatabase(name)))
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.0);
        // Drop the test database from a thread of its own (Drop cannot await).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(admin) = steward_persistence::connect(&pg_admin_url()).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

pub struct Session {
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    /// `None` when PostgreSQL is unreachable and not required (`STEWARD_REQUIRE_PG` unset).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with settings adjusted by `configure`.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let db = Arc::new(TestDb::new(backend).await?);
        Some(Self::start(db, configure).await)
    }

    /// Starts an application process on an existing test database.
    pub async fn start(db: Arc<TestDb>, configure: impl FnOnce(&mut Settings)) -> TestApp {
        // STEWARD_TEST_LOG=warn (for instance) shows the servers' logs of a failing test.
        if let Ok(filter) = std::env::var("STEWARD_TEST_LOG") {
            steward::telemetry::init(&filter, "text");
        }
        let console_dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(console_dir.path().join("index.html"), "<!doctype html><title>Steward console</title><div id=root></div>").unwrap();
        std::fs::create_dir_all(console_dir.path().join("assets")).unwrap();
        std::fs::write(console_dir.path().join("assets/app.js"), "console.log('steward')").unwrap();
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: db.data_dir.path().to_path_buf(),
            database_url: Some(db.url.clone()),
            master_key: Some(MASTER_KEY_B64.clone()),
            console_dir: Some(console_dir.path().to_path_buf()),
            workers: Some(2),
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            argon2_parallelism: 1,
            mail_poll_ms: 50,
            mail_retry_base_ms: 100,
            ..Settings::default()
        };
        configure(&mut settings);
        let app = Application::build(settings).await.expect("build the application");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        let server = app.server_handle();
        let (running, workers) = app.split();
        tokio::spawn(running);
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { address, state, client, _db: db, _console_dir: console_dir, server, workers: tokio::sync::Mutex::new(Some(workers)) }
    }

    /// Stops serving, then stops delivering mail gracefully (what was claimed and not sent is
    /// released), as a process does on SIGTERM.
    pub async fn stop(&self) {
        self.server.stop(true).await;
        if let Some(workers) = self.workers.lock().await.take() {
            workers.shutdown().await;
        }
    }

    /// Ends the process's work at once, as `kill -9` would: nothing is released.
    pub async fn kill(&self) {
        if let Some(workers) = self.workers.lock().await.take() {
            workers.abort();
        }
        self.server.stop(false).await;
    }

    /// Moves every use of a refresh token an hour back, past the reuse grace period: a replay
    /// now is theft, not a race.
    pub async fn age_refresh_token_uses(&self) {
        let sql = match self.state.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "UPDATE auth_refresh_tokens SET used_at = used_at - INTERVAL '1 hour' WHERE used_at IS NOT NULL",
            _ => "UPDATE auth_refresh_tokens SET used_at = '2000-01-01 00:00:00+00:00' WHERE used_at IS NOT NULL",
        };
        self.state.db.execute_unprepared(sql).await.expect("age refresh token uses");
    }

    /// The database this process uses (to start another process on it).
    pub fn db(&self) -> Arc<TestDb> {
        self._db.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Signs up `email` (name "Test User") and returns its session.
    pub async fn signup(&self, email: &str) -> Session {
        let res = self.post("/api/v1/auth/signup", None, json!({"email": email, "password": PASSWORD, "name": "Test User"})).await;
        assert_eq!(res.status(), StatusCode::CREATED, "signup of {email}");
        let body: Value = res.json().await.unwrap();
        Session { access: body["access_token"].as_str().unwrap().into(), refresh: body["refresh_token"].as_str().unwrap().into() }
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await
    }

    pub async fn create_instance(&self, token: &str, slug: &str) -> Value {
        let res = self.post("/api/v1/instances", Some(token), json!({"slug": slug, "name": format!("Instance {slug}"), "time_zone": "Europe/Athens"})).await;
        assert_eq!(res.status(), StatusCode::CREATED, "create instance {slug}");
        res.json().await.unwrap()
    }

    pub async fn account_id(&self, token: &str) -> String {
        let me: Value = self.get("/api/v1/me", Some(token)).await.json().await.unwrap();
        me["id"].as_str().unwrap().to_owned()
    }

    /// Creates an application and returns the response body (with `client_secret` for back ends).
    pub async fn create_app(&self, token: &str, slug: &str, body: Value) -> Value {
        let res = self.post(&format!("/api/v1/instances/{slug}/applications"), Some(token), body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "create application");
        res.json().await.unwrap()
    }

    /// Client-credentials grant with HTTP Basic.
    pub async fn client_token(&self, slug: &str, client_id: &str, secret: &str) -> Response {
        self.client
            .post(self.url(&format!("/public/v1/{slug}/oauth/token")))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
    }

    /// Adds `email` (who must have signed up) to `slug` with `role`, as `token`.
    pub async fn add_member(&self, token: &str, slug: &str, email: &str, role: &str) -> Response {
        self.post(&format!("/api/v1/instances/{slug}/members"), Some(token), json!({"email": email, "role": role})).await
    }
}

/// Asserts a problem document with `status` and `code`; returns it.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(ct.starts_with("application/problem+json"), "content type {ct}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "problem {body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["type"].as_str().unwrap().ends_with(code));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

/// The field errors of a problem document as (field, code) pairs.
pub fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())).collect())
        .unwrap_or_default()
}

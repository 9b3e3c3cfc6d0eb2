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

/// Runs each listed `async fn name(backend: Backend)` once on SQLite and once on PostgreSQL:
/// for tests that start their own processes (several on one database, restarts).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await;
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
            webhook_poll_ms: 50,
            webhook_retry_schedule_ms: "200,200,200".into(),
            webhook_timeout_secs: 5,
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

    /// Runs SQL on the app's database (to move time for a test, or reset a counter).
    pub async fn state_db_execute(&self, sql: &str) {
        self.state.db.execute_unprepared(sql).await.expect("test SQL");
    }

    /// The HTTP client (for requests with headers of their own).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
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

    /// Makes `email` (who must have signed up with [`PASSWORD`]) a member of `slug` with `role`
    /// the only way there is: `token` invites the address, the invitee verifies it and accepts
    /// with the emailed links. Answers the invitation's response when it is refused, else the
    /// acceptance's (200 with the instance).
    pub async fn add_member(&self, token: &str, slug: &str, email: &str, role: &str) -> Response {
        let email = email.to_ascii_lowercase();
        let before = self.platform_links(&email, "/invitations/accept").await.len();
        let res = self.invite(token, slug, &email, role).await;
        if res.status() != StatusCode::CREATED {
            return res;
        }
        let invitee = self.login(&email, PASSWORD).await.json::<Value>().await.unwrap();
        let access = invitee["access_token"].as_str().expect("the invitee signed up").to_owned();
        let me: Value = self.get("/api/v1/me", Some(&access)).await.json().await.unwrap();
        if me["email_verified"] != true {
            self.verify_email(&email).await;
        }
        let link = self.new_platform_link(&email, "/invitations/accept", before).await;
        self.post("/api/v1/invitations/accept", Some(&access), json!({"token": link})).await
    }

    /// Signs `email` up, makes it a member of `slug` with `role`, and answers its access token.
    pub async fn member_token(&self, owner: &str, slug: &str, email: &str, role: &str) -> String {
        self.signup(email).await;
        assert_eq!(self.add_member(owner, slug, email, role).await.status(), StatusCode::OK, "{email} joins {slug}");
        let session: Value = self.login(email, PASSWORD).await.json().await.unwrap();
        session["access_token"].as_str().expect("an access token").to_owned()
    }

    pub async fn invite(&self, token: &str, slug: &str, email: &str, role: &str) -> Response {
        self.post(&format!("/api/v1/instances/{slug}/invitations"), Some(token), json!({"email": email, "role": role})).await
    }

    /// Follows the verification link the platform sent to `email` (once it is sent).
    pub async fn verify_email(&self, email: &str) {
        let link = self.platform_link(email, "/verify-email").await;
        let res = self.post("/api/v1/auth/verify-email", None, json!({"token": link})).await;
        assert_eq!(res.status(), StatusCode::OK, "verify {email}");
    }

    /// The emails the platform (not an instance) sent to `to`, newest first, as captured by the
    /// local mailbox: (subject, text).
    pub async fn platform_emails(&self, to: &str) -> Vec<(String, String)> {
        let db = &self.state.db;
        let backend = db.get_database_backend();
        let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
        let sql = format!(
            "SELECT subject, text_body FROM mailbox_messages WHERE instance_id IS NULL AND to_address = {placeholder} ORDER BY received_at DESC, id DESC"
        );
        let rows = db.query_all_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [to.into()])).await.expect("read the mailbox");
        rows.into_iter().map(|r| (r.try_get::<String>("", "subject").unwrap(), r.try_get::<String>("", "text_body").unwrap())).collect()
    }

    /// The tokens of the links to console page `path` that the platform emailed to `to`, newest
    /// first.
    pub async fn platform_links(&self, to: &str, path: &str) -> Vec<String> {
        self.platform_emails(to).await.iter().filter_map(|(_, text)| link_token(text, path)).collect()
    }

    /// The token of the newest link to console page `path` emailed to `to`, waiting (a bounded
    /// time) for the mail worker to send it.
    pub async fn platform_link(&self, to: &str, path: &str) -> String {
        self.new_platform_link(to, path, 0).await
    }

    /// Waits until more than `known` links to `path` were emailed to `to`; the newest.
    pub async fn new_platform_link(&self, to: &str, path: &str, known: usize) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let links = self.platform_links(to, path).await;
            if links.len() > known {
                return links[0].clone();
            }
            assert!(std::time::Instant::now() < deadline, "no new {path} link was emailed to {to}");
            self.state.mail_wakeup.notify_one();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The `token` of the first link to `path` in `text`.
pub fn link_token(text: &str, path: &str) -> Option<String> {
    let at = text.find(&format!("{path}?token="))?;
    let rest = &text[at + path.len() + "?token=".len()..];
    Some(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
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

//! Custom SMTP: settings (validated, the password encrypted and never returned), the
//! step-by-step test against real SMTP server processes (plain; STARTTLS with authentication
//! and a private CA), and delivery of the instance's emails through it, with fallback.

use std::path::PathBuf;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, assert_problem, field_errors};
use crate::smtp_sink::{SmtpSink, free_port};

const S: &str = "/api/v1/instances/shop/smtp";

async fn put(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.request(reqwest::Method::PUT, S, Some(token), Some(body)).await
}

fn steps(report: &Value) -> Vec<(String, String)> {
    report["steps"].as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap().to_owned(), s["outcome"].as_str().unwrap().to_owned())).collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// A private CA and a certificate for 127.0.0.1 signed by it (openssl).
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let run = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(d).output().expect("openssl is needed for the TLS mail tests");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        std::fs::write(
            d.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Steward Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        run(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        Pki { dir }
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

fn secure_sink(pki: &Pki) -> SmtpSink {
    SmtpSink::start_with(free_port(), &["--starttls", &pki.path("server.pem"), &pki.path("server.key"), "--auth", "mailer", "s3cret-pass"])
}

async fn setup(app: &TestApp) -> String {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    s.access
}

async fn settings_are_validated_and_the_password_never_returned(app: TestApp) {
    let t = setup(&app).await;
    let default: Value = app.get(S, Some(&t)).await.json().await.unwrap();
    assert_eq!(default["enabled"], false);
    assert_eq!(default["password_set"], false);
    assert_eq!(default["updated_at"], Value::Null);

    let base = json!({"enabled": true, "host": "smtp.example.com", "port": 587, "security": "starttls", "username": "mailer", "password": "p4ss-word", "from_address": "no-reply@shop.example", "from_name": "Shop", "reply_to": "help@shop.example"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("port", json!(70000)), "port", "out_of_range"),
        (with("port", json!(0)), "port", "out_of_range"),
        (with("host", json!("smtp://smtp.example.com")), "host", "invalid_host"),
        (with("host", json!("")), "host", "required"),
        (with("from_address", json!("not an email")), "from_address", "invalid_email"),
        (with("from_address", json!("")), "from_address", "required"),
        (with("from_name", json!("Shop\r\nBcc: evil@example.com")), "from_name", "invalid_characters"),
        (with("password", json!(null)), "password", "required"),
        (with("password", json!("a\r\nRSET")), "password", "invalid_characters"),
    ];
    for (body, field, code) in cases {
        let p = assert_problem(put(&app, &t, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p), vec![(field.to_owned(), code.to_owned())], "{body}");
    }
    let p = assert_problem(put(&app, &t, with("security", json!("ssl"))).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "security");
    assert_eq!(app.get(S, Some(&t)).await.json::<Value>().await.unwrap(), default, "refusals changed nothing");

    // Saved: the password is encrypted at rest and never returned.
    let res = put(&app, &t, base.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["password_set"], true);
    assert!(saved.get("password").is_none());
    let text = app.get(S, Some(&t)).await.text().await.unwrap();
    assert!(!text.contains("p4ss-word") && text.contains("\"password_set\":true"), "{text}");
    let row = steward_persistence::smtp_settings::get(&app.state.db, instance_id(&app, &t).await).await.unwrap().unwrap();
    let stored = row.password_ciphertext.clone().unwrap();
    assert!(stored.starts_with("v1.") && !stored.contains("p4ss-word"));
    assert_eq!(row.password(&app.state.secrets).unwrap().as_deref(), Some("p4ss-word"));

    // Omitting the password keeps it for the same host, port and username.
    let mut keep = base.clone();
    keep.as_object_mut().unwrap().remove("password");
    keep["from_name"] = json!("Shop team");
    let saved: Value = put(&app, &t, keep.clone()).await.json().await.unwrap();
    assert_eq!((saved["from_name"].as_str(), saved["password_set"].as_bool()), (Some("Shop team"), Some(true)));
    // The stored password never goes to another server or user: a new host, port or username
    // needs it again (saving, or testing unsaved settings), and nothing changes meanwhile.
    for (field, value) in [("host", json!("evil.example.net")), ("port", json!(2525)), ("username", json!("someone-else"))] {
        let mut moved = keep.clone();
        moved[field] = value;
        let p = assert_problem(put(&app, &t, moved.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p), vec![("password".to_owned(), "required".to_owned())], "{field}");
        let test = app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com", "settings": moved})).await;
        let p = assert_problem(test, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p), vec![("settings.password".to_owned(), "required".to_owned())], "{field}");
    }
    let unchanged: Value = app.get(S, Some(&t)).await.json().await.unwrap();
    assert_eq!(unchanged["host"], base["host"]);
    // With the password again, the new host is fine.
    let mut moved = keep.clone();
    moved["host"] = json!("mail.example.com");
    moved["password"] = json!("p4ss-word");
    let saved: Value = put(&app, &t, moved).await.json().await.unwrap();
    assert_eq!((saved["host"].as_str(), saved["password_set"].as_bool()), (Some("mail.example.com"), Some(true)));
    keep["host"] = json!("mail.example.com");

    // AUTH over an unencrypted connection only when asked for explicitly.
    let mut plain = keep.clone();
    plain["security"] = json!("none");
    let p = assert_problem(put(&app, &t, plain.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("security".to_owned(), "insecure_auth".to_owned())]);
    plain["allow_insecure_auth"] = json!(true);
    let saved: Value = put(&app, &t, plain).await.json().await.unwrap();
    assert_eq!((saved["security"].as_str(), saved["allow_insecure_auth"].as_bool()), (Some("none"), Some(true)));
    let saved: Value = put(&app, &t, keep.clone()).await.json().await.unwrap();
    assert_eq!(saved["allow_insecure_auth"], false);
    // Removing the username removes the stored password with it.
    let mut anonymous = base.clone();
    anonymous.as_object_mut().unwrap().remove("password");
    anonymous["username"] = json!("");
    let saved: Value = put(&app, &t, anonymous).await.json().await.unwrap();
    assert_eq!((saved["username"].as_str(), saved["password_set"].as_bool()), (None, Some(false)));
    assert_eq!(put(&app, &t, base.clone()).await.status(), StatusCode::OK);
    let saved: Value =
        put(&app, &t, json!({"enabled": false, "host": "mail.example.com", "port": 587, "security": "starttls", "password": null})).await.json().await.unwrap();
    assert_eq!((saved["enabled"].as_bool(), saved["password_set"].as_bool()), (Some(false), Some(false)));

    // Only admins and owners change or test it.
    app.signup("dev@shop.example.com").await;
    app.add_member(&t, "shop", "dev@shop.example.com", "developer").await;
    let dev = app.login("dev@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get(S, Some(&dev)).await.status(), StatusCode::OK);
    assert_problem(put(&app, &dev, base.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(app.post(&format!("{S}/test"), Some(&dev), json!({"to": "x@example.com"})).await, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn instance_id(app: &TestApp, token: &str) -> uuid::Uuid {
    let i: Value = app.get("/api/v1/instances/shop", Some(token)).await.json().await.unwrap();
    i["id"].as_str().unwrap().parse().unwrap()
}

async fn the_test_reports_each_step(app: TestApp) {
    let t = setup(&app).await;
    let path = format!("{S}/test");
    let test = |body: Value| app.post(&path, Some(&t), body);

    // Bad input.
    let p = assert_problem(test(json!({"to": "nobody"})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(field_errors(&p).contains(&("to".to_owned(), "invalid_email".to_owned())));
    assert!(field_errors(&p).contains(&("settings".to_owned(), "required".to_owned())), "nothing saved yet");
    let p = assert_problem(test(json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": 65536, "security": "none", "from_address": "a@b.example"}})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("settings.port".to_owned(), "out_of_range".to_owned())]);

    // A real server, plain.
    let sink = SmtpSink::start(free_port());
    let res = test(json!({"to": "me@example.com", "settings": {"enabled": false, "host": "127.0.0.1", "port": sink.port, "security": "none", "from_address": "no-reply@shop.example", "from_name": "Shop"}})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(steps(&report), pairs(&[("connect", "ok"), ("tls", "skipped"), ("auth", "skipped"), ("send", "ok")]));
    let m = sink.wait_for(1).await;
    assert!(m[0].contains("Subject: Test email from Instance shop") && m[0].contains("From: Shop <no-reply@shop.example>"), "{}", m[0]);
    assert_eq!(sink.senders(), vec!["no-reply@shop.example".to_owned()]);
    assert_eq!(app.get(S, Some(&t)).await.json::<Value>().await.unwrap()["updated_at"], Value::Null, "a test saves nothing");

    // Nothing listens: the connect step fails and says so.
    let closed = free_port();
    let report: Value = test(json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": closed, "security": "starttls", "from_address": "a@shop.example"}})).await.json().await.unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(steps(&report), pairs(&[("connect", "failed"), ("tls", "skipped"), ("auth", "skipped"), ("send", "skipped")]));
    assert!(report["steps"][0]["detail"].as_str().unwrap().contains(&format!("127.0.0.1:{closed}")), "{report}");

    // A host that accepts the connection but never answers: the 10 s timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let report: Value = test(
        json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": port, "security": "none", "from_address": "a@shop.example"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["steps"][0]["outcome"], "failed");
    assert!(report["steps"][0]["detail"].as_str().unwrap().contains("10 seconds"), "{report}");
    assert!(started.elapsed() < std::time::Duration::from_secs(25));
    drop(silent);

    // STARTTLS without trusting the server's CA: the TLS step fails.
    let pki = Pki::new();
    let secure = secure_sink(&pki);
    let report: Value = test(json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": secure.port, "security": "starttls", "username": "mailer", "password": "s3cret-pass", "from_address": "a@shop.example"}})).await.json().await.unwrap();
    assert_eq!(steps(&report), pairs(&[("connect", "ok"), ("tls", "failed"), ("auth", "skipped"), ("send", "skipped")]), "{report}");
    // TLS from the first byte against a STARTTLS port: fails at the TLS step too.
    let report: Value = test(json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": secure.port, "security": "tls", "from_address": "a@shop.example"}})).await.json().await.unwrap();
    assert_eq!(report["steps"][1]["outcome"], "failed", "{report}");
    // Security none against a server that requires STARTTLS: the server's refusal is reported.
    let report: Value = test(json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": secure.port, "security": "none", "from_address": "a@shop.example"}})).await.json().await.unwrap();
    assert_eq!(report["ok"], false);
    assert!(report["steps"].as_array().unwrap().iter().any(|s| s["outcome"] == "failed" && s["detail"].as_str().unwrap().contains("530")), "{report}");
}

async fn starttls_and_auth_against_a_private_ca(backend: Backend) {
    let pki = Pki::new();
    let ca = pki.ca();
    let Some(app) = TestApp::spawn_with(backend, move |s| s.smtp_ca_file = Some(ca)).await else { return };
    let t = setup(&app).await;
    let secure = secure_sink(&pki);
    let settings = |password: &str| json!({"enabled": true, "host": "127.0.0.1", "port": secure.port, "security": "starttls", "username": "mailer", "password": password, "from_address": "no-reply@shop.example", "from_name": "Shop"});

    let report: Value = app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com", "settings": settings("wrong")})).await.json().await.unwrap();
    assert_eq!(steps(&report), pairs(&[("connect", "ok"), ("tls", "ok"), ("auth", "failed"), ("send", "skipped")]), "{report}");
    assert!(report["steps"][2]["detail"].as_str().unwrap().contains("535"), "the server's reply: {report}");

    let report: Value =
        app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com", "settings": settings("s3cret-pass")})).await.json().await.unwrap();
    assert_eq!(steps(&report), pairs(&[("connect", "ok"), ("tls", "ok"), ("auth", "ok"), ("send", "ok")]), "{report}");
    assert_eq!(secure.wait_for(1).await.len(), 1);

    // Saved, then tested with the saved settings (the stored password is used).
    assert_eq!(put(&app, &t, settings("s3cret-pass")).await.status(), StatusCode::OK);
    let report: Value = app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com"})).await.json().await.unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let mut unsaved = settings("");
    unsaved.as_object_mut().unwrap().remove("password");
    let report: Value = app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com", "settings": unsaved})).await.json().await.unwrap();
    assert_eq!(report["ok"], true, "an omitted password means the stored one: {report}");

    // The instance's emails now go through it, from its sender; the local mailbox gets nothing.
    let front = app.create_app(&t, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let client_id = front["client_id"].as_str().unwrap().to_owned();
    let register = |email: &'static str| {
        app.client
            .post(app.url("/public/v1/shop/auth/register"))
            .header("x-client-id", client_id.clone())
            .json(&json!({"email": email, "password": PASSWORD, "name": "Reader"}))
            .send()
    };
    assert_eq!(register("reader@example.com").await.unwrap().status(), StatusCode::ACCEPTED);
    let m = secure.wait_for(4).await;
    let last = &m[3];
    assert!(last.contains("To: reader@example.com") && last.contains("From: Shop <no-reply@shop.example>") && !last.contains("Reply-To"), "{last}");
    assert!(last.contains("Subject: Verify your email for Instance shop"));
    let outbox = wait_outbox_sent(&app, &t, 1).await;
    assert_eq!(outbox["items"][0]["delivered_via"], "custom_smtp");
    let mailbox: Value = app.get("/api/v1/instances/shop/mailbox", Some(&t)).await.json().await.unwrap();
    assert_eq!(mailbox["items"], json!([]));

    // Disabled: back to the platform transport (here the local mailbox), for later emails only.
    let mut off = settings("s3cret-pass");
    off["enabled"] = json!(false);
    assert_eq!(put(&app, &t, off).await.status(), StatusCode::OK);
    assert_eq!(register("second@example.com").await.unwrap().status(), StatusCode::ACCEPTED);
    let outbox = wait_outbox_sent(&app, &t, 2).await;
    assert_eq!(outbox["items"][0]["delivered_via"], "local_mailbox");
    assert_eq!(outbox["items"][1]["delivered_via"], "custom_smtp");
    assert_eq!(secure.messages().len(), 4);
}

/// Waits until `n` emails of the instance are sent; returns the outbox.
async fn wait_outbox_sent(app: &TestApp, token: &str, n: usize) -> Value {
    for _ in 0..200 {
        let o: Value = app.get("/api/v1/instances/shop/outbox", Some(token)).await.json().await.unwrap();
        if o["items"].as_array().unwrap().iter().filter(|e| e["status"] == "sent").count() >= n {
            return o;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{n} emails were not sent");
}

async fn a_failing_custom_server_keeps_the_email_for_retry(app: TestApp) {
    let t = setup(&app).await;
    let port = free_port();
    assert_eq!(
        put(&app, &t, json!({"enabled": true, "host": "127.0.0.1", "port": port, "security": "none", "from_address": "no-reply@shop.example"})).await.status(),
        StatusCode::OK
    );
    let front = app.create_app(&t, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", front["client_id"].as_str().unwrap())
        .json(&json!({"email": "reader@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mut email = Value::Null;
    for _ in 0..100 {
        let o: Value = app.get("/api/v1/instances/shop/outbox", Some(&t)).await.json().await.unwrap();
        if o["items"][0]["last_error"].is_string() {
            email = o["items"][0].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(email["delivered_via"], "custom_smtp", "{email}");
    assert_ne!(email["status"], "sent");
    // The server comes up: the retry delivers it.
    let sink = SmtpSink::start(port);
    let m = sink.wait_for(1).await;
    assert!(m[0].contains("To: reader@example.com"));
    let o = wait_outbox_sent(&app, &t, 1).await;
    assert_eq!(o["items"][0]["delivered_via"], "custom_smtp");
}

/// Each test connects where its caller says: an instance runs a limited number an hour.
/// (The limit is kept in memory, not in the database: SQLite alone.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_tests_are_limited_per_instance() {
    let configure = |s: &mut steward::Settings| {
        s.smtp_tests_per_hour = 2;
        s.public_url = Some("http://steward.test".into());
    };
    let app = TestApp::spawn_with(Backend::Sqlite, configure).await.expect("sqlite app");
    let t = setup(&app).await;
    let closed = free_port();
    let body = json!({"to": "me@example.com", "settings": {"enabled": true, "host": "127.0.0.1", "port": closed, "security": "none", "from_address": "a@shop.example"}});
    for _ in 0..2 {
        let res = app.post(&format!("{S}/test"), Some(&t), body.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["steps"][0]["outcome"], "failed", "nothing listens there");
    }
    // Refused input is not counted; a third test is.
    assert_problem(app.post(&format!("{S}/test"), Some(&t), json!({"to": "nobody"})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.post(&format!("{S}/test"), Some(&t), body.clone()).await;
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&wait), "about an hour: {wait}");
    let p = assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_smtp_tests").await;
    assert!(p["detail"].as_str().unwrap().contains("Try again in 6"), "{p}");
    // Another instance has its own allowance.
    app.create_instance(&t, "other").await;
    let res = app.post("/api/v1/instances/other/smtp/test", Some(&t), body.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The count is in the database: another process refuses the shop's next test too.
    let other = TestApp::start(app.db(), configure).await;
    let res = other.post(&format!("{S}/test"), Some(&t), body).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

db_tests!(settings_are_validated_and_the_password_never_returned, the_test_reports_each_step, a_failing_custom_server_keeps_the_email_for_retry);

mod starttls_and_auth {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::starttls_and_auth_against_a_private_ca(crate::helpers::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::starttls_and_auth_against_a_private_ca(crate::helpers::Backend::Postgres).await;
    }
}

/// A shared deployment (`STEWARD_SMTP_ALLOW_PRIVATE_NETWORKS=false`): an instance's server must
/// be on a public address, for saving, testing and delivery alike. (No database behaviour: SQLite.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_networks_can_be_refused() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.smtp_allow_private_networks = false).await.expect("sqlite app");
    let t = setup(&app).await;
    // A real server listens there: refused all the same, without a connection.
    let sink = SmtpSink::start(free_port());
    let settings = |host: &str| json!({"enabled": true, "host": host, "port": sink.port, "security": "none", "from_address": "no-reply@shop.example"});

    // An address literal is refused when saved.
    for host in ["127.0.0.1", "10.0.0.8", "[::1]", "169.254.169.254"] {
        let p = assert_problem(put(&app, &t, settings(host)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p), vec![("host".to_owned(), "private_address".to_owned())], "{host}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("connects only to public addresses"), "{p}");
    }
    // A name is checked when connecting: the test stops at connect and says why.
    assert_eq!(put(&app, &t, settings("localhost")).await.status(), StatusCode::OK);
    let report: Value = app.post(&format!("{S}/test"), Some(&t), json!({"to": "me@example.com"})).await.json().await.unwrap();
    assert_eq!(steps(&report), pairs(&[("connect", "failed"), ("tls", "skipped"), ("auth", "skipped"), ("send", "skipped")]), "{report}");
    let detail = report["steps"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("localhost resolves to") && detail.contains("loopback"), "{detail}");

    // Delivery: kept for retry with the reason; nothing reaches the server.
    let front = app.create_app(&t, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", front["client_id"].as_str().unwrap())
        .json(&json!({"email": "reader@example.com", "password": PASSWORD, "name": "Reader"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mut email = Value::Null;
    for _ in 0..200 {
        let o: Value = app.get("/api/v1/instances/shop/outbox", Some(&t)).await.json().await.unwrap();
        // Attempted and recorded (a claimed email is `sending` until its attempt is recorded).
        if o["items"][0]["last_error"].is_string() {
            email = o["items"][0].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(email["delivered_via"], "custom_smtp", "{email}");
    assert!(email["last_error"].as_str().unwrap().contains("connects only to public addresses"), "{email}");
    assert_ne!(email["status"], "sent");
    assert!(sink.messages().is_empty());
}

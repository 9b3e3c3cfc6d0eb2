//! Email: the outbox delivering through a real SMTP server process (aiosmtpd), the links in the
//! emails, the local mailbox, retries when the server is down, and no double sending.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, TestDb, assert_problem};
use crate::smtp_sink::{SmtpSink, Tarpit, free_port, message_id};

fn token_in(message: &str) -> String {
    let at = message.find("token=").expect("a link with a token");
    message[at + 6..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn setup(app: &TestApp) -> (String, String) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    (s.access, front["client_id"].as_str().unwrap().to_owned())
}

async fn register(app: &TestApp, client_id: &str, email: &str) -> Value {
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", client_id)
        .json(&json!({"email": email, "password": PASSWORD, "name": "Reader"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    res.json().await.unwrap()
}

async fn outbox(app: &TestApp, console: &str) -> Value {
    app.get("/api/v1/instances/shop/outbox", Some(console)).await.json().await.unwrap()
}

async fn run_with_smtp(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let url = sink.url();
    TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await
}

async fn verification_email_through_real_smtp(backend: Backend) {
    let sink = SmtpSink::start(free_port());
    let Some(app) = run_with_smtp(backend, &sink).await else { return };
    let (console, client_id) = setup(&app).await;
    register(&app, &client_id, "reader@example.com").await;
    let messages = sink.wait_for(1).await;
    let m = &messages[0];
    assert!(m.contains("To: reader@example.com"), "{m}");
    assert!(m.contains("Subject: Verify your email for Instance shop"), "{m}");
    assert!(m.contains("multipart/alternative") && m.contains("text/html") && m.contains("text/plain"));
    assert!(m.contains("Hello Reader,") && m.contains("The Instance shop team"), "greeting and footer wrap the message");
    let token = token_in(m);

    // Follow the link.
    let verify = |t: &str| app.client.post(app.url("/public/v1/shop/auth/verify-email")).json(&json!({"token": t})).send();
    let res = verify(&token).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["email_verified"], true);
    assert_problem(verify(&token).await.unwrap(), StatusCode::BAD_REQUEST, "invalid_token").await;
    assert_problem(verify("made-up").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_token").await;
    let o = outbox(&app, &console).await;
    assert_eq!(o["items"][0]["status"], "sent");
    assert_eq!(o["items"][0]["kind"], "verification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_email_through_real_smtp_sqlite() {
    verification_email_through_real_smtp(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_email_through_real_smtp_postgres() {
    verification_email_through_real_smtp(Backend::Postgres).await;
}

/// The SMTP server is down; the process restarts; the server comes back: the email arrives once.
async fn nothing_lost_nothing_doubled(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let db = Arc::new(db);
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    // Processes of one deployment share the public URL (the issuer of console tokens).
    let configure = |s: &mut steward::Settings| {
        s.smtp_url = Some(url.clone());
        s.public_url = Some("http://steward.test".into());
    };
    let first = TestApp::start(db.clone(), configure).await;
    let (console, client_id) = setup(&first).await;
    register(&first, &client_id, "patient@example.com").await;
    let mut failed = false;
    for _ in 0..100 {
        let o = outbox(&first, &console).await;
        if o["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1 && !o["items"][0]["last_error"].is_null() {
            // Waiting for its next attempt, or already in it (the backoff is short here).
            let status = o["items"][0]["status"].as_str().unwrap().to_owned();
            assert!(["queued", "sending"].contains(&status.as_str()), "a failed attempt is retried, not dropped: {status}");
            failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed, "the first attempt should fail while the server is down");
    first.stop().await;

    let sink = SmtpSink::start(port);
    let second = TestApp::start(db.clone(), configure).await;
    let messages = sink.wait_for(1).await;
    assert!(messages[0].contains("To: patient@example.com"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
    let o = outbox(&second, &console).await;
    assert_eq!((o["total"].as_u64(), o["items"][0]["status"].as_str()), (Some(1), Some("sent")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_lost_nothing_doubled_sqlite() {
    nothing_lost_nothing_doubled(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_lost_nothing_doubled_postgres() {
    nothing_lost_nothing_doubled(Backend::Postgres).await;
}

/// Two processes on one database deliver every email exactly once.
async fn two_processes_never_send_twice(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let db = Arc::new(db);
    let sink = SmtpSink::start(free_port());
    let a = TestApp::start(db.clone(), |s| s.smtp_url = Some(sink.url())).await;
    let b = TestApp::start(db.clone(), |s| s.smtp_url = Some(sink.url())).await;
    let (console, client_id) = setup(&a).await;
    let n = 12;
    for i in 0..n {
        let app = if i % 2 == 0 { &a } else { &b };
        register(app, &client_id, &format!("user{i}@example.com")).await;
    }
    let messages = sink.wait_for(n).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let messages = if sink.messages().len() > messages.len() { sink.messages() } else { messages };
    assert_eq!(messages.len(), n, "each email once");
    let mut to: Vec<String> = messages.iter().map(|m| m.lines().find(|l| l.starts_with("To: ")).unwrap().to_owned()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n);
    let _ = console;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_send_twice_sqlite() {
    two_processes_never_send_twice(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_send_twice_postgres() {
    two_processes_never_send_twice(Backend::Postgres).await;
}

db_tests!(password_reset_through_the_mailbox, console_invitations_and_links);

async fn mailbox_messages(app: &TestApp, console: &str, to: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let m: Value = app.get(&format!("/api/v1/instances/shop/mailbox?to={to}"), Some(console)).await.json().await.unwrap();
        let items = m["items"].as_array().unwrap().clone();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} messages to {to}");
}

async fn password_reset_through_the_mailbox(app: TestApp) {
    let (console, client_id) = setup(&app).await;
    register(&app, &client_id, "forgetful@example.com").await;
    // A second sign-up with the same address tells its owner, and says nothing to the caller.
    register(&app, &client_id, "forgetful@example.com").await;
    let notice = mailbox_messages(&app, &console, "forgetful@example.com", 2).await;
    assert!(notice.iter().any(|m| m["text"].as_str().unwrap().contains("Someone tried to create an account")), "{notice:?}");
    let forgot =
        |email: &str| app.client.post(app.url("/public/v1/shop/auth/forgot-password")).header("x-client-id", &client_id).json(&json!({"email": email})).send();
    assert_eq!(forgot("nobody@example.com").await.unwrap().status(), StatusCode::ACCEPTED, "no hint whether the email exists");
    assert_eq!(forgot("forgetful@example.com").await.unwrap().status(), StatusCode::ACCEPTED);
    let messages = mailbox_messages(&app, &console, "forgetful@example.com", 3).await;
    let reset = messages.iter().find(|m| m["subject"].as_str().unwrap().contains("Reset")).expect("a reset email");
    assert!(reset["html"].as_str().unwrap().contains("<a href="));
    let token = token_in(reset["text"].as_str().unwrap());
    let nobody: Value = app.get("/api/v1/instances/shop/mailbox?to=nobody@example.com", Some(&console)).await.json().await.unwrap();
    assert_eq!(nobody["total"], 0);

    // A session from before the reset.
    let before: Value = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &client_id)
        .json(&json!({"email": "forgetful@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reset_with = |t: &str, p: &str| app.client.post(app.url("/public/v1/shop/auth/reset-password")).json(&json!({"token": t, "password": p})).send();
    assert_problem(reset_with(&token, "short").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(reset_with(&token, "a brand new password").await.unwrap().status(), StatusCode::NO_CONTENT, "a refused password did not use the token");
    assert_problem(reset_with(&token, "another new password").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_token").await;
    let login = |p: &str| {
        app.client
            .post(app.url("/public/v1/shop/auth/login"))
            .header("x-client-id", &client_id)
            .json(&json!({"email": "forgetful@example.com", "password": p}))
            .send()
    };
    assert_eq!(login(PASSWORD).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login("a brand new password").await.unwrap().status(), StatusCode::OK);
    let res = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(before["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "resetting ends the user's sessions");
    let notices = mailbox_messages(&app, &console, "forgetful@example.com", 4).await;
    assert!(notices.iter().any(|m| m["subject"].as_str().unwrap().contains("account was updated")), "an update-account notice");
}

async fn console_invitations_and_links(app: TestApp) {
    let (console, client_id) = setup(&app).await;
    let res =
        app.post("/api/v1/instances/shop/users", Some(&console), json!({"email": "invitee@example.com", "name": "Invitee", "send_invitation": true})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["has_password"], false);
    let res =
        app.post("/api/v1/instances/shop/users", Some(&console), json!({"email": "both@example.com", "password": PASSWORD, "send_invitation": true})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let messages = mailbox_messages(&app, &console, "invitee@example.com", 1).await;
    assert!(messages[0]["subject"].as_str().unwrap().contains("invited"));
    let token = token_in(messages[0]["text"].as_str().unwrap());
    let res =
        app.client.post(app.url("/public/v1/shop/auth/reset-password")).json(&json!({"token": token, "password": "my own password"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let got: Value = app.get(&format!("/api/v1/instances/shop/users/{}", user["id"].as_str().unwrap()), Some(&console)).await.json().await.unwrap();
    assert_eq!((got["has_password"].as_bool(), got["email_verified"].as_bool()), (Some(true), Some(true)), "accepting verifies the email");
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &client_id)
        .json(&json!({"email": "invitee@example.com", "password": "my own password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Links sent from the console.
    let id = user["id"].as_str().unwrap();
    assert_problem(
        app.post(&format!("/api/v1/instances/shop/users/{id}/send-verification"), Some(&console), json!({})).await,
        StatusCode::CONFLICT,
        "already_verified",
    )
    .await;
    assert_eq!(app.post(&format!("/api/v1/instances/shop/users/{id}/send-password-reset"), Some(&console), json!({})).await.status(), StatusCode::ACCEPTED);
    let all = mailbox_messages(&app, &console, "invitee@example.com", 3).await;
    assert!(all.iter().any(|m| m["subject"].as_str().unwrap().contains("Reset")));
    let mut sent = 0;
    for _ in 0..100 {
        let o: Value = app.get("/api/v1/instances/shop/outbox?status=sent", Some(&console)).await.json().await.unwrap();
        sent = o["total"].as_u64().unwrap();
        if sent >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sent >= 3, "{sent} sent");
    assert_problem(app.get("/api/v1/instances/shop/outbox?status=lost", Some(&console)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

/// One instance's SMTP server accepts connections and never answers; another's is slow but
/// works. On PostgreSQL with two processes: the platform's emails of a third instance arrive at
/// once, the slow server gets each of its emails exactly once, and the tarpit holds only its own
/// instance's emails (retried, never marked sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_tenants_dead_smtp_server_delays_only_its_own_email() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let db = Arc::new(db);
    let platform = SmtpSink::start(free_port());
    let slow = SmtpSink::start_with(free_port(), &["--delay", "0.3"]);
    let tarpit = Tarpit::start().await;
    let configure = |s: &mut steward::Settings| {
        s.smtp_url = Some(platform.url());
        s.public_url = Some("http://steward.test".into());
        s.smtp_timeout_secs = 1;
        s.mail_lease_secs = 12;
    };
    let a = TestApp::start(db.clone(), configure).await;
    let b = TestApp::start(db.clone(), configure).await;
    let owner = a.signup("owner@example.com").await;
    let mut client_ids = std::collections::HashMap::new();
    for (slug, server) in [("dead", Some(tarpit.port)), ("slow", Some(slow.port)), ("fine", None)] {
        a.create_instance(&owner.access, slug).await;
        let front = a.create_app(&owner.access, slug, json!({"kind": "frontend", "name": "Web"})).await;
        client_ids.insert(slug, front["client_id"].as_str().unwrap().to_owned());
        if let Some(port) = server {
            let smtp = json!({"enabled": true, "host": "127.0.0.1", "port": port, "security": "none", "from_address": format!("no-reply@{slug}.example")});
            let res = a.request(reqwest::Method::PUT, &format!("/api/v1/instances/{slug}/smtp"), Some(&owner.access), Some(smtp)).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    let register_in = |app: &TestApp, slug: &'static str, email: String| {
        let client_id = client_ids[slug].clone();
        let request = app
            .client
            .post(app.url(&format!("/public/v1/{slug}/auth/register")))
            .header("x-client-id", client_id)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send();
        async move { assert_eq!(request.await.unwrap().status(), StatusCode::ACCEPTED) }
    };
    // The dead server's emails first, so they are due before anyone else's.
    for i in 0..6 {
        register_in(if i % 2 == 0 { &a } else { &b }, "dead", format!("d{i}@example.com")).await;
    }
    for i in 0..4 {
        register_in(if i % 2 == 0 { &a } else { &b }, "slow", format!("s{i}@example.com")).await;
    }
    let started = std::time::Instant::now();
    for i in 0..3 {
        register_in(if i % 2 == 0 { &b } else { &a }, "fine", format!("f{i}@example.com")).await;
    }
    let fine = platform.wait_for(3).await;
    assert!(started.elapsed() < Duration::from_secs(8), "the other instance's emails waited {:?}", started.elapsed());
    assert_eq!(fine.len(), 3);
    let slow_messages = slow.wait_for(4).await;

    // Settled: the slow server's emails sent (each once), the dead server's never.
    let outbox_of = |slug: &'static str| {
        let app = &a;
        let token = owner.access.clone();
        async move { app.get(&format!("/api/v1/instances/{slug}/outbox"), Some(&token)).await.json::<Value>().await.unwrap() }
    };
    for _ in 0..400 {
        let o = outbox_of("slow").await;
        if o["items"].as_array().unwrap().iter().all(|e| e["status"] == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let o = outbox_of("slow").await;
    assert!(o["items"].as_array().unwrap().iter().all(|e| e["status"] == "sent"), "{o}");
    assert_eq!(slow.messages().len(), 4, "each email of the slow server exactly once");
    let ids: std::collections::HashSet<_> = slow_messages.iter().filter_map(|m| message_id(m)).collect();
    assert_eq!(ids.len(), 4);
    let dead = outbox_of("dead").await;
    for e in dead["items"].as_array().unwrap() {
        assert_ne!(e["status"], "sent");
    }
    let tried: Vec<_> = dead["items"].as_array().unwrap().iter().filter(|e| e["last_error"].is_string()).collect();
    assert!(!tried.is_empty(), "{dead}");
    assert!(tried.iter().all(|e| e["last_error"].as_str().unwrap().contains("no answer within")), "{dead}");
    assert_eq!(platform.messages().len(), 3, "nothing else went through the platform");
}

/// A process killed (no graceful stop) while it delivers: the other process delivers what it had
/// claimed once the lease ends; every email arrives, and a message the dead process may have
/// handed over just before dying comes again with the same Message-ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_process_loses_no_email() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let db = Arc::new(db);
    let sink = SmtpSink::start_with(free_port(), &["--delay", "0.05"]);
    let configure = |s: &mut steward::Settings| {
        s.smtp_url = Some(sink.url());
        s.public_url = Some("http://steward.test".into());
        s.smtp_timeout_secs = 1;
        s.mail_lease_secs = 11;
    };
    let a = TestApp::start(db.clone(), configure).await;
    let (console, client_id) = setup(&a).await;
    let n = 20;
    for i in 0..n {
        register(&a, &client_id, &format!("k{i}@example.com")).await;
    }
    // Kill it as soon as it has delivered something (it is mid-batch).
    sink.wait_for(1).await;
    a.kill().await;
    let b = TestApp::start(db.clone(), configure).await;
    // What the dead process had claimed waits for its lease (11 s) to end.
    let messages = sink.wait_for_within(n, Duration::from_secs(60)).await;
    let mut ids: std::collections::HashSet<_> = messages.iter().filter_map(|m| message_id(m)).collect();
    for _ in 0..600 {
        if ids.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        ids = sink.messages().iter().filter_map(|m| message_id(m)).collect();
    }
    assert_eq!(ids.len(), n, "every email arrived");
    for _ in 0..800 {
        let o: Value = b.get("/api/v1/instances/shop/outbox?limit=100", Some(&console)).await.json().await.unwrap();
        if o["items"].as_array().unwrap().iter().all(|e| e["status"] == "sent") {
            assert_eq!(o["total"], n);
            // At most the one message in flight when the process died comes twice.
            assert!(sink.messages().len() <= n + 1, "{} deliveries", sink.messages().len());
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the outbox did not settle");
}

/// A real `kill -9` of a `steward` process (PostgreSQL) while it takes writes and delivers mail:
/// every registration it acknowledged is there after a new process starts, and every one of
/// their emails arrives (the one the killed process may have handed over just before dying
/// comes again with the same Message-ID).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_write_load_loses_nothing_acknowledged() {
    let Some((url, _guard)) = crate::helpers::pg_database(Backend::Postgres).await else { return };
    let sink = SmtpSink::start_with(free_port(), &["--delay", "0.02"]);
    let data = tempfile::tempdir().unwrap();
    let console = tempfile::tempdir().unwrap();
    std::fs::write(console.path().join("index.html"), "<!doctype html>").unwrap();
    let spawn = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STEWARD_BIND", format!("127.0.0.1:{port}"))
            .env("STEWARD_PUBLIC_URL", "http://steward.test")
            .env("STEWARD_DATABASE_URL", &url)
            .env("STEWARD_DATA_DIR", data.path())
            .env("STEWARD_CONSOLE_DIR", console.path())
            .env("STEWARD_MASTER_KEY", crate::helpers::MASTER_KEY_B64.as_str())
            .env("STEWARD_SMTP_URL", sink.url())
            .env("STEWARD_SMTP_TIMEOUT_SECS", "1")
            .env("STEWARD_MAIL_LEASE_SECS", "11")
            .env("STEWARD_MAIL_POLL_MS", "50")
            .env("STEWARD_MAIL_LIMIT_PER_IP", "1000")
            .env("STEWARD_ARGON2_MEMORY_KIB", "256")
            .env("STEWARD_ARGON2_ITERATIONS", "1")
            .env("STEWARD_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start steward")
    };
    let client = reqwest::Client::new();
    let ready = |base: String| {
        let client = client.clone();
        async move {
            for _ in 0..600 {
                if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("steward did not start");
        }
    };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut first = spawn(port);
    ready(base.clone()).await;
    let owner: Value = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"email": "owner@example.com", "password": PASSWORD, "name": "Owner"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = owner["access_token"].as_str().unwrap().to_owned();
    client
        .post(format!("{base}/api/v1/instances"))
        .bearer_auth(&token)
        .json(&json!({"slug": "shop", "name": "Shop", "time_zone": "UTC"}))
        .send()
        .await
        .unwrap();
    let app: Value = client
        .post(format!("{base}/api/v1/instances/shop/applications"))
        .bearer_auth(&token)
        .json(&json!({"kind": "frontend", "name": "Web"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = app["client_id"].as_str().unwrap().to_owned();

    // Eight writers register users until the process dies; each remembers what was acknowledged.
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (client, base, client_id, acknowledged, stop) = (client.clone(), base.clone(), client_id.clone(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let email = format!("w{w}-{i}@example.com");
                    let res = client
                        .post(format!("{base}/public/v1/shop/auth/register"))
                        .header("x-client-id", &client_id)
                        .json(&json!({"email": email, "password": PASSWORD}))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == StatusCode::ACCEPTED => acknowledged.lock().unwrap().push(email),
                        _ => {}
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // Kill -9 once writes are flowing and mail is being delivered.
    sink.wait_for_within(5, Duration::from_secs(30)).await;
    first.kill().expect("kill -9");
    first.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 5, "writes were flowing");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut second = spawn(port);
    ready(base.clone()).await;
    let users: Value = client.get(format!("{base}/api/v1/instances/shop/users?limit=1")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let total = users["total"].as_u64().unwrap() as usize;
    assert!(total >= acknowledged.len(), "{total} users for {} acknowledged registrations", acknowledged.len());
    for email in &acknowledged {
        let found: Value = client.get(format!("{base}/api/v1/instances/shop/users?q={email}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(found["total"], 1, "{email} was acknowledged but is missing");
    }
    // Every user's verification email arrives (after the dead process's leases end).
    let distinct = |messages: &[String]| messages.iter().filter_map(|m| message_id(m)).collect::<std::collections::HashSet<_>>().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut messages = sink.messages();
    while distinct(&messages) < total && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        messages = sink.messages();
    }
    assert_eq!(distinct(&messages), total, "one distinct email per user");
    assert!(messages.len() <= total + 16, "{} deliveries for {total} emails", messages.len());
    let _ = second.kill();
    let _ = second.wait();
}

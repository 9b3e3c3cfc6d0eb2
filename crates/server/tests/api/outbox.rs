//! The outbox as the console reads it: each email as sent with its delivery attempts, retrying a
//! waiting email now, cancelling one, filters on part of an address, and the transport in use.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, assert_problem};

db_tests!(an_email_shows_as_sent_with_its_attempts, filters_match_part_of_an_address, the_transport_in_use);

/// A failed attempt waits an hour for the next one: the email stays `queued` while the test acts.
async fn with_slow_retries(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.mail_retry_base_ms = 3_600_000).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_emails_are_retried_now_or_cancelled_sqlite() {
    waiting_emails_are_retried_now_or_cancelled(with_slow_retries(Backend::Sqlite).await.expect("sqlite app")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_emails_are_retried_now_or_cancelled_postgres() {
    if let Some(app) = with_slow_retries(Backend::Postgres).await {
        waiting_emails_are_retried_now_or_cancelled(app).await;
    }
}

async fn setup(app: &TestApp) -> (String, String) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    (s.access, front["client_id"].as_str().unwrap().to_owned())
}

async fn register(app: &TestApp, client_id: &str, email: &str) {
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", client_id)
        .json(&json!({"email": email, "password": PASSWORD, "name": "Reader"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

/// The outbox's newest email once it has `status`.
async fn newest_with_status(app: &TestApp, console: &str, status: &str) -> Value {
    for _ in 0..200 {
        let o: Value = app.get("/api/v1/instances/shop/outbox", Some(console)).await.json().await.unwrap();
        if o["items"][0]["status"] == status {
            return o["items"][0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email reached {status}");
}

async fn an_email_shows_as_sent_with_its_attempts(app: TestApp) {
    let (console, client_id) = setup(&app).await;
    register(&app, &client_id, "reader@example.com").await;
    let email = newest_with_status(&app, &console, "sent").await;
    let id = email["id"].as_str().unwrap();

    let res = app.get(&format!("/api/v1/instances/shop/outbox/{id}"), Some(&console)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    assert_eq!(detail["to"], "reader@example.com");
    assert_eq!(detail["status"], "sent");
    assert!(detail["subject"].as_str().unwrap().contains("Verify"), "{detail}");
    let text = detail["text"].as_str().unwrap();
    assert!(text.contains("token=[redacted]"), "the stored copy never holds a live link: {text}");
    assert!(detail["html"].as_str().unwrap().contains("token=[redacted]"));
    let log = detail["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{detail}");
    assert_eq!(log[0]["attempt"], 1);
    assert_eq!(log[0]["outcome"], "sent");
    assert_eq!(log[0]["via"], "local_mailbox");
    assert!(log[0]["duration_ms"].as_i64().unwrap() >= 0);
    // The local mailbox's copy, which has the live link for a developer.
    let copy = detail["mailbox_message_id"].as_str().expect("the captured copy");
    let m: Value = app.get(&format!("/api/v1/instances/shop/mailbox/{copy}"), Some(&console)).await.json().await.unwrap();
    assert!(!m["text"].as_str().unwrap().contains("[redacted]"), "{m}");

    // Another instance's email is not there.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "other").await;
    let res = app.get(&format!("/api/v1/instances/other/outbox/{id}"), Some(&other)).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.get(&format!("/api/v1/instances/shop/outbox/{id}"), Some(&other)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn waiting_emails_are_retried_now_or_cancelled(app: TestApp) {
    let (console, client_id) = setup(&app).await;
    // The instance's own SMTP server is down: every attempt fails and the email waits for its
    // next attempt.
    let port = closed_port();
    let smtp = json!({"enabled": true, "host": "127.0.0.1", "port": port, "security": "none", "from_address": "shop@example.com"});
    let res = app.request(reqwest::Method::PUT, "/api/v1/instances/shop/smtp", Some(&console), Some(smtp)).await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    register(&app, &client_id, "waiting@example.com").await;
    let email = newest_with_status_after_attempt(&app, &console).await;
    let id = email["id"].as_str().unwrap().to_owned();
    let detail: Value = app.get(&format!("/api/v1/instances/shop/outbox/{id}"), Some(&console)).await.json().await.unwrap();
    let failed = &detail["attempt_log"][0];
    assert_eq!(failed["outcome"], "failed", "{detail}");
    assert_eq!(failed["via"], "custom_smtp");
    assert!(failed["error"].as_str().is_some_and(|e| !e.is_empty()), "{detail}");

    // A viewer may not cancel.
    let viewer = app.member_token(&console, "shop", "viewer@example.com", "viewer").await;
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{id}/cancel"), Some(&viewer), None).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;

    // Cancelled: never sent, and it cannot be cancelled or retried again.
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{id}/cancel"), Some(&console), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let detail: Value = app.get(&format!("/api/v1/instances/shop/outbox/{id}"), Some(&console)).await.json().await.unwrap();
    assert_eq!(detail["status"], "cancelled");
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{id}/cancel"), Some(&console), None).await;
    let problem = assert_problem(res, StatusCode::CONFLICT, "email_not_cancellable").await;
    assert!(problem["detail"].as_str().unwrap().contains("cancelled"), "{problem}");
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{id}/retry"), Some(&console), None).await;
    assert_problem(res, StatusCode::CONFLICT, "email_not_retryable").await;
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{}/retry", uuid::Uuid::now_v7()), Some(&console), None).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let listed: Value = app.get("/api/v1/instances/shop/outbox?status=cancelled", Some(&console)).await.json().await.unwrap();
    assert_eq!(listed["total"], 1);

    // A waiting email is sent now on retry, keeping its attempt count: once the SMTP setting is
    // off, it goes to the mailbox without waiting the hour.
    register(&app, &client_id, "second@example.com").await;
    let second = newest_with_status_after_attempt(&app, &console).await;
    let second_id = second["id"].as_str().unwrap().to_owned();
    assert_ne!(second_id, id);
    let res = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/instances/shop/smtp",
            Some(&console),
            Some(json!({"enabled": false, "host": "127.0.0.1", "port": port, "security": "none", "from_address": "shop@example.com"})),
        )
        .await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let res = app.request(reqwest::Method::POST, &format!("/api/v1/instances/shop/outbox/{second_id}/retry"), Some(&console), None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    for _ in 0..200 {
        let d: Value = app.get(&format!("/api/v1/instances/shop/outbox/{second_id}"), Some(&console)).await.json().await.unwrap();
        if d["status"] == "sent" {
            let log = d["attempt_log"].as_array().unwrap();
            assert_eq!(log.last().unwrap()["outcome"], "sent", "{d}");
            assert_eq!(log.last().unwrap()["via"], "local_mailbox", "{d}");
            assert!(log.len() >= 2, "the failed attempt stays in the log: {d}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the retried email was not sent");
}

/// A port on which nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The newest email once its first attempt failed (it waits for the next one).
async fn newest_with_status_after_attempt(app: &TestApp, console: &str) -> Value {
    for _ in 0..400 {
        let o: Value = app.get("/api/v1/instances/shop/outbox", Some(console)).await.json().await.unwrap();
        let e = &o["items"][0];
        if e["status"] == "queued" && e["attempts"].as_i64().unwrap_or(0) >= 1 {
            return e.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email failed its first attempt");
}

async fn filters_match_part_of_an_address(app: TestApp) {
    let (console, client_id) = setup(&app).await;
    register(&app, &client_id, "Grace.Hopper@example.com").await;
    register(&app, &client_id, "ada@example.org").await;
    newest_with_status(&app, &console, "sent").await;
    for _ in 0..200 {
        let m: Value = app.get("/api/v1/instances/shop/mailbox", Some(&console)).await.json().await.unwrap();
        if m["total"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for path in ["outbox", "mailbox"] {
        let get = |q: &str| {
            let url = format!("/api/v1/instances/shop/{path}?to={q}");
            let console = console.clone();
            let app = &app;
            async move { app.get(&url, Some(&console)).await.json::<Value>().await.unwrap() }
        };
        assert_eq!(get("hopper").await["total"], 1, "{path}: part of the address, any case");
        assert_eq!(get("GRACE").await["items"][0]["to"].as_str().unwrap().to_lowercase(), "grace.hopper@example.com", "{path}");
        assert_eq!(get("example.").await["total"], 2, "{path}");
        assert_eq!(get("%25").await["total"], 0, "{path}: % is a character, not a wildcard");
        assert_eq!(get("_").await["total"], 0, "{path}: _ is a character, not a wildcard");
        assert_eq!(get("").await["total"], 2, "{path}: an empty filter is no filter");
    }
}

async fn the_transport_in_use(app: TestApp) {
    let (console, _) = setup(&app).await;
    let transport = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/instances/shop/email-transport", Some(&token)).await.json::<Value>().await.unwrap() }
    };
    let t = transport(console.clone()).await;
    assert_eq!(t["transport"], "local_mailbox", "{t}");
    assert_eq!(t["host"], Value::Null);
    let smtp = json!({"enabled": true, "host": "smtp.example.net", "port": 2525, "security": "none", "from_address": "shop@example.com", "from_name": "Shop"});
    let res = app.request(reqwest::Method::PUT, "/api/v1/instances/shop/smtp", Some(&console), Some(smtp)).await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let t = transport(console.clone()).await;
    assert_eq!(t["transport"], "custom_smtp", "{t}");
    assert_eq!(t["host"], "smtp.example.net");
    assert!(t["from"].as_str().unwrap().contains("shop@example.com"), "{t}");
    assert!(!t.to_string().contains("password"), "no credentials");
}

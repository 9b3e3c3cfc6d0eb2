//! Webhooks end to end: events recorded with the changes that caused them, delivered to a real
//! HTTP receiver process that verifies every signature with the Standard Webhooks reference
//! library; order per endpoint under a failing receiver; timeouts that slow nothing else; the
//! egress policy; test events, resends, secret rotation; an endpoint failing too long turned off.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem, field_errors};
use crate::webhook_receiver::Receiver;

db_tests!(
    events_reach_a_real_receiver_signed_and_in_order,
    a_failing_receiver_gets_retries_in_order,
    test_events_resends_and_secret_rotation,
    bad_endpoints_are_refused,
);

const WAIT: Duration = Duration::from_secs(30);

/// Creates an endpoint; answers (id, secret).
async fn endpoint(app: &TestApp, token: &str, slug: &str, body: Value) -> (String, String) {
    let res = app.post(&format!("/api/v1/instances/{slug}/webhooks"), Some(token), body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let b: Value = res.json().await.unwrap();
    (b["endpoint"]["id"].as_str().unwrap().to_owned(), b["secret"].as_str().unwrap().to_owned())
}

async fn deliveries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let page: Value = app.get(&format!("/api/v1/instances/shop/webhooks/{id}/deliveries?limit=100"), Some(token)).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn events_reach_a_real_receiver_signed_and_in_order(app: TestApp) {
    let receiver = Receiver::start();
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    let (all_id, all_secret) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("all"), "description": "Everything"})).await;
    let (_, created_secret) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("created"), "event_types": ["user.created"]})).await;
    endpoint(&app, &owner, "shop", json!({"url": receiver.url("off"), "enabled": false})).await;
    receiver.configure("all", &[&all_secret], 0, 200, 0).await;
    receiver.configure("created", &[&created_secret], 0, 200, 0).await;

    // Changes through the console, and through the public API.
    let back = app.create_app(&owner, "shop", json!({"kind": "backend", "name": "Billing"})).await;
    let app_id = back["id"].as_str().unwrap();
    let res = app.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD})).await;
    let user: Value = res.json().await.unwrap();
    let user_id = user["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/instances/shop/users/{user_id}"), Some(&owner), json!({"name": "Ada L."})).await;
    let signin = app
        .client
        .post(app.url("/public/v1/shop/oauth/token"))
        .basic_auth(back["client_id"].as_str().unwrap(), Some(back["client_secret"].as_str().unwrap()))
        .form(&[("grant_type", "password"), ("username", "ada@example.com"), ("password", crate::helpers::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signin.status(), StatusCode::OK);
    app.post(&format!("/api/v1/instances/shop/users/{user_id}/block"), Some(&owner), json!({})).await;
    app.post(&format!("/api/v1/instances/shop/applications/{app_id}/secret"), Some(&owner), json!({})).await;
    assert_eq!(app.delete(&format!("/api/v1/instances/shop/users/{user_id}"), Some(&owner)).await.status(), StatusCode::NO_CONTENT);

    let expected = ["application.created", "user.created", "user.updated", "user.signed_in", "user.blocked", "application.secret_rotated", "user.deleted"];
    let got = receiver.wait_for("all", expected.len(), WAIT).await;
    let types: Vec<&str> = got.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, expected, "exactly these events, in the order they happened");
    for r in &got {
        assert_eq!(r["verified"], true, "signature verified by the reference library: {r}");
        assert!(r["id"].as_str().unwrap().starts_with("msg_"));
    }
    let ids: std::collections::HashSet<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "one message id per event");
    assert_eq!(got[1]["body"]["data"]["user"]["email"], "ada@example.com");
    assert_eq!(got[3]["body"]["data"]["application"]["client_id"], back["client_id"]);
    let text = serde_json::to_string(&got).unwrap();
    assert!(!text.contains(back["client_secret"].as_str().unwrap()), "no secret in any payload");
    assert!(!text.contains("password_hash") && !text.contains(crate::helpers::PASSWORD));

    let created = receiver.wait_for("created", 1, WAIT).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["type"], "user.created");
    assert!(receiver.received("off").await.is_empty(), "a disabled endpoint gets nothing");

    // The console's log of each delivery.
    let log = deliveries(&app, &owner, &all_id).await;
    assert_eq!(log.len(), expected.len());
    for d in &log {
        assert_eq!(d["status"], "succeeded", "{d}");
        assert_eq!(d["last_status"], 200);
        assert!(d["last_latency_ms"].as_i64().is_some());
        assert!(d["last_response"].as_str().unwrap().contains("received"));
    }
    let detail: Value =
        app.get(&format!("/api/v1/instances/shop/webhooks/{all_id}/deliveries/{}", log[0]["id"].as_str().unwrap()), Some(&owner)).await.json().await.unwrap();
    assert_eq!(detail["payload"]["type"], "user.deleted");
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 1);
    let filtered: Value = app.get(&format!("/api/v1/instances/shop/webhooks/{all_id}/deliveries?status=failed"), Some(&owner)).await.json().await.unwrap();
    assert_eq!(filtered["total"], 0);

    // Another instance's endpoint is not reachable through this one.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "mall").await;
    assert_problem(app.get(&format!("/api/v1/instances/mall/webhooks/{all_id}"), Some(&other)).await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn a_failing_receiver_gets_retries_in_order(app: TestApp) {
    let receiver = Receiver::start();
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    let (id, secret) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("flaky"), "event_types": ["application.created"]})).await;
    // The first three deliveries answer 500 with a body.
    receiver.configure("flaky", &[&secret], 3, 500, 0).await;
    for name in ["One", "Two", "Three"] {
        app.create_app(&owner, "shop", json!({"kind": "backend", "name": name})).await;
    }
    let got = receiver.wait_for("flaky", 3, WAIT).await;
    let names: Vec<&str> = got.iter().map(|r| r["body"]["data"]["application"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["One", "Two", "Three"], "in order, though the first needed retries");
    let all = receiver.received("flaky").await;
    let first_id = got[0]["id"].as_str().unwrap();
    assert_eq!(all.iter().filter(|r| r["id"] == first_id).count(), 4, "three failures then a success, same message id");
    assert!(all[..4].iter().all(|r| r["id"] == first_id), "nothing overtook the failing delivery");
    let log = deliveries(&app, &owner, &id).await;
    let first = log.iter().find(|d| d["attempts"] == 4).expect("the first delivery took four attempts");
    assert_eq!(first["status"], "succeeded");
    let detail: Value =
        app.get(&format!("/api/v1/instances/shop/webhooks/{id}/deliveries/{}", first["id"].as_str().unwrap()), Some(&owner)).await.json().await.unwrap();
    let attempts = detail["attempts"].as_array().unwrap();
    assert_eq!(attempts.iter().map(|a| a["status_code"].as_i64().unwrap()).collect::<Vec<_>>(), [500, 500, 500, 200]);
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert!(attempts[0]["response_excerpt"].as_str().unwrap().contains("500"));
    let stored: Value = app.get(&format!("/api/v1/instances/shop/webhooks/{id}"), Some(&owner)).await.json().await.unwrap();
    assert_eq!(stored["failing_since"], Value::Null, "a success ends the failing streak");

    // A receiver that never answers fails by timeout; another endpoint is not held up by it.
    let (hang_id, hang_secret) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("hang"), "event_types": ["user.created"]})).await;
    let (_, fast_secret) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("fast"), "event_types": ["user.created"]})).await;
    receiver.configure("hang", &[&hang_secret], 0, 200, 20).await;
    receiver.configure("fast", &[&fast_secret], 0, 200, 0).await;
    app.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": "bob@example.com"})).await;
    receiver.wait_for("fast", 1, WAIT).await;
    let hang_log = deliveries(&app, &owner, &hang_id).await;
    assert_eq!(hang_log[0]["attempts"], 0, "the fast endpoint got its event while the hanging one was still waiting");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let d = deliveries(&app, &owner, &hang_id).await;
        if d[0]["attempts"].as_i64().unwrap() >= 1 {
            assert!(d[0]["last_error"].as_str().unwrap().contains("No answer within 5 s"), "{}", d[0]);
            assert_eq!(d[0]["status"], "pending", "a retry is scheduled");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the hanging delivery never timed out");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Failing for longer than the limit: turned off, and the owners are told.
    app.state_db_execute(&format!("UPDATE webhook_endpoints SET failing_since = '2020-01-01T00:00:00+00:00' WHERE url = '{}'", receiver.url("hang"))).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let e: Value = app.get(&format!("/api/v1/instances/shop/webhooks/{hang_id}"), Some(&owner)).await.json().await.unwrap();
        if e["enabled"] == false {
            assert!(e["disabled_reason"].as_str().unwrap().contains("failed"), "{e}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the endpoint was never turned off: {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mails = app.platform_emails("owner@example.com").await;
        if mails.iter().any(|(_, body)| body.contains("webhook endpoint") && body.contains(&receiver.url("hang"))) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the owners were not told: {mails:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn test_events_resends_and_secret_rotation(app: TestApp) {
    let receiver = Receiver::start();
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    let (id, first) = endpoint(&app, &owner, "shop", json!({"url": receiver.url("t"), "event_types": ["user.deleted"]})).await;
    receiver.configure("t", &[&first], 0, 200, 0).await;

    let res = app.post(&format!("/api/v1/instances/shop/webhooks/{id}/test"), Some(&owner), json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["event_type"], "webhook.test");
    let got = receiver.wait_for("t", 1, WAIT).await;
    assert_eq!((got[0]["type"].clone(), got[0]["verified"].clone()), (json!("webhook.test"), json!(true)));

    // Twenty test sends at once: each answers its own delivery, none a 500.
    let test_path = format!("/api/v1/instances/shop/webhooks/{id}/test");
    let sends = (0..20).map(|_| app.post(&test_path, Some(&owner), json!({})));
    let mut ids = std::collections::HashSet::new();
    for res in futures_util::future::join_all(sends).await {
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert!(ids.insert(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()), "each send its own delivery");
    }
    receiver.wait_for("t", 21, WAIT).await;

    // Resend: the same message id again, at the end of the line.
    let res = app.post(&format!("/api/v1/instances/shop/webhooks/{id}/deliveries/{}/resend", queued["id"].as_str().unwrap()), Some(&owner), json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let got = receiver.wait_for("t", 22, WAIT).await;
    assert_eq!(got[21]["id"], got[0]["id"]);

    // Rotation with a grace period: both signatures; a receiver with only the new secret verifies.
    let res = app.post(&format!("/api/v1/instances/shop/webhooks/{id}/secret"), Some(&owner), json!({"grace_period_secs": 3600})).await;
    let second = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    receiver.configure("t", &[&second], 0, 200, 0).await;
    app.post(&format!("/api/v1/instances/shop/webhooks/{id}/test"), Some(&owner), json!({})).await;
    let got = receiver.wait_for("t", 23, WAIT).await;
    assert_eq!(got[22]["verified"], true);
    assert_eq!(got[22]["signature"].as_str().unwrap().split(' ').count(), 2, "old and new signatures during the grace period");
    receiver.configure("t", &[&first], 0, 200, 0).await;
    app.post(&format!("/api/v1/instances/shop/webhooks/{id}/test"), Some(&owner), json!({})).await;
    let got = receiver.wait_for("t", 24, WAIT).await;
    assert_eq!(got[23]["verified"], true, "the old secret still verifies during the grace period");

    // Turned off: no test event; roles and machines.
    let res = app.patch(&format!("/api/v1/instances/shop/webhooks/{id}"), Some(&owner), json!({"enabled": false})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["enabled"], false);
    assert_problem(app.post(&format!("/api/v1/instances/shop/webhooks/{id}/test"), Some(&owner), json!({})).await, StatusCode::CONFLICT, "endpoint_disabled")
        .await;
    let viewer = app.member_token(&owner, "shop", "viewer@example.com", "viewer").await;
    assert_eq!(app.get("/api/v1/instances/shop/webhooks", Some(&viewer)).await.status(), StatusCode::OK);
    let res = app.post("/api/v1/instances/shop/webhooks", Some(&viewer), json!({"url": receiver.url("x")})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let (cid, csecret, _) = crate::management_clients::create_client(&app, &owner, "shop", "Ops", &["webhooks:write"]).await;
    let machine = crate::management_clients::management_token(&app, &cid, &csecret, None).await;
    assert_eq!(app.post("/api/v1/instances/shop/webhooks", Some(&machine), json!({"url": receiver.url("m")})).await.status(), StatusCode::CREATED);
    assert_eq!(app.delete(&format!("/api/v1/instances/shop/webhooks/{id}"), Some(&owner)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&format!("/api/v1/instances/shop/webhooks/{id}/deliveries"), Some(&owner)).await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn bad_endpoints_are_refused(app: TestApp) {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    for (body, field, code) in [
        (json!({"url": "ftp://example.com/x"}), "url", "invalid_scheme"),
        (json!({"url": "javascript:alert(1)"}), "url", "invalid_scheme"),
        (json!({"url": "not a url"}), "url", "invalid_url"),
        (json!({"url": "https://u:p@example.com/"}), "url", "credentials_not_allowed"),
        (json!({"url": "https://example.com/", "event_types": ["webhook.test"]}), "event_types", "not_subscribable"),
        (json!({"url": "https://example.com/", "event_types": ["user.exploded"]}), "event_types[0]", "invalid_value"),
    ] {
        let p = assert_problem(
            app.post("/api/v1/instances/shop/webhooks", Some(&owner), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(field_errors(&p)[0], (field.to_owned(), code.to_owned()), "{body}: {p}");
    }
    let list: Value = app.get("/api/v1/instances/shop/webhooks", Some(&owner)).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "nothing created");
    // At most 20 endpoints — also when the last ones are created at once.
    for i in 0..17 {
        endpoint(&app, &owner, "shop", json!({"url": format!("https://hooks.example.com/{i}")})).await;
    }
    let racing = (0..8).map(|i| app.post("/api/v1/instances/shop/webhooks", Some(&owner), json!({"url": format!("https://hooks.example.com/race-{i}")})));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(racing).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.is_success() || *s == StatusCode::CONFLICT), "{statuses:?}");
    let list: Value = app.get("/api/v1/instances/shop/webhooks?limit=100", Some(&owner)).await.json().await.unwrap();
    assert_eq!(list["total"], 20);
    let res = app.post("/api/v1/instances/shop/webhooks", Some(&owner), json!({"url": "https://hooks.example.com/one-too-many"})).await;
    assert_problem(res, StatusCode::CONFLICT, "too_many_endpoints").await;
    let catalogue: Value = app.get("/api/v1/webhook-event-types", Some(&owner)).await.json().await.unwrap();
    assert!(catalogue["items"].as_array().unwrap().iter().any(|t| t["type"] == "user.signed_in"));
}

/// On a shared deployment (private networks refused), an address literal is refused when saved
/// and a name that resolves to one is refused when delivering — the connection goes only to the
/// address that was checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_networks_are_refused_when_the_operator_says_so() {
    let receiver = Receiver::start();
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| s.smtp_allow_private_networks = false).await.expect("sqlite app");
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    for url in [receiver.url("x"), "http://10.0.0.8/hook".to_owned(), "http://[::1]:9/hook".to_owned(), "http://169.254.169.254/latest/meta-data".to_owned()] {
        let p = assert_problem(
            app.post("/api/v1/instances/shop/webhooks", Some(&owner), json!({"url": url})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(field_errors(&p)[0], ("url".to_owned(), "private_network".to_owned()), "{url}");
    }
    let by_name = format!("http://localhost:{}/hook/named", receiver.port);
    let (id, secret) = endpoint(&app, &owner, "shop", json!({"url": by_name})).await;
    receiver.configure("named", &[&secret], 0, 200, 0).await;
    app.post(&format!("/api/v1/instances/shop/webhooks/{id}/test"), Some(&owner), json!({})).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let d = deliveries(&app, &owner, &id).await;
        if d[0]["attempts"].as_i64().unwrap() >= 1 {
            assert!(d[0]["last_error"].as_str().unwrap().contains("public addresses"), "{}", d[0]);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no attempt recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(receiver.received("named").await.is_empty(), "nothing reached the private address");
}

/// Two processes on one database, both running the webhook worker: every event reaches the
/// endpoint exactly once and in order (one process at a time works an endpoint).
async fn two_processes_deliver_once_in_order(backend: crate::helpers::Backend) {
    let Some(db) = crate::helpers::TestDb::new(backend).await else { return };
    let db = std::sync::Arc::new(db);
    let configure = |s: &mut steward::Settings| s.public_url = Some("http://steward.test".into());
    let first = TestApp::start(db.clone(), configure).await;
    let second = TestApp::start(db.clone(), configure).await;
    let receiver = Receiver::start();
    let owner = first.signup("owner@example.com").await.access;
    first.create_instance(&owner, "shop").await;
    let (_, secret) = endpoint(&first, &owner, "shop", json!({"url": receiver.url("both"), "event_types": ["user.created"]})).await;
    receiver.configure("both", &[&secret], 0, 200, 0).await;
    // Events recorded through both processes, interleaved.
    for i in 0..40 {
        let app = if i % 2 == 0 { &first } else { &second };
        let res = app.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": format!("u{i:02}@example.com")})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let got = receiver.wait_for("both", 40, WAIT).await;
    let emails: Vec<&str> = got.iter().map(|r| r["body"]["data"]["user"]["email"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..40).map(|i| format!("u{i:02}@example.com")).collect();
    assert_eq!(emails, expected, "each event once, in the order recorded");
    assert_eq!(receiver.received("both").await.len(), 40, "nothing delivered twice");
    first.stop().await;
    second.stop().await;
}

/// An API-only process records events with its changes; a delivery process fans them out to the
/// endpoints that existed when each was recorded (an endpoint created later gets none of them).
async fn an_api_only_process_records_and_a_worker_fans_out(backend: crate::helpers::Backend) {
    let Some(db) = crate::helpers::TestDb::new(backend).await else { return };
    let db = std::sync::Arc::new(db);
    let api = TestApp::start(db.clone(), |s| s.webhook_delivery = false).await;
    let receiver = Receiver::start();
    let owner = api.signup("owner@example.com").await.access;
    api.create_instance(&owner, "shop").await;
    let (_, early) = endpoint(&api, &owner, "shop", json!({"url": receiver.url("early"), "event_types": ["user.created"]})).await;
    receiver.configure("early", &[&early], 0, 200, 0).await;
    for i in 0..3 {
        let res = api.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": format!("u{i}@example.com")})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let (_, late) = endpoint(&api, &owner, "shop", json!({"url": receiver.url("late")})).await;
    receiver.configure("late", &[&late], 0, 200, 0).await;
    let worker = TestApp::start(db.clone(), |_| {}).await;
    let got = receiver.wait_for("early", 3, WAIT).await;
    let emails: Vec<&str> = got.iter().map(|r| r["body"]["data"]["user"]["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["u0@example.com", "u1@example.com", "u2@example.com"]);
    // A change after the late endpoint exists reaches both.
    let res = api.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": "u3@example.com"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    receiver.wait_for("early", 4, WAIT).await;
    let late_got = receiver.wait_for("late", 1, WAIT).await;
    assert_eq!(late_got[0]["body"]["data"]["user"]["email"], "u3@example.com", "the late endpoint gets only what was recorded after it");
    assert_eq!(receiver.received("late").await.len(), 1);
    api.stop().await;
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_only_process_records_and_a_worker_fans_out_sqlite() {
    an_api_only_process_records_and_a_worker_fans_out(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_only_process_records_and_a_worker_fans_out_postgres() {
    an_api_only_process_records_and_a_worker_fans_out(crate::helpers::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_deliver_once_in_order_sqlite() {
    two_processes_deliver_once_in_order(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_deliver_once_in_order_postgres() {
    two_processes_deliver_once_in_order(crate::helpers::Backend::Postgres).await;
}

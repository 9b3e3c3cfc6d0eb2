//! Metering, the Dashboard's analytics, Usage & billing, the hard quota and the public API's
//! caches — on SQLite and PostgreSQL, with several processes on one database where it matters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Timelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use steward_domain::usage::Resolution;
use steward_persistence::usage::{Counts, RollupKey};

use crate::backend_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, TestDb, assert_problem, field_errors};

backend_tests!(
    every_call_is_counted_and_read_back,
    processes_add_up_and_a_graceful_restart_loses_nothing,
    a_change_reaches_every_process_cache,
    the_hard_limit_holds_exactly_across_processes,
    plans_bills_and_invoices,
    alerts_are_sent_once_per_threshold,
    buckets_follow_the_instance_time_zone,
);

/// A plan catalogue with small quotas, written to the test database's directory.
fn tiny_plans(db: &TestDb, hard: bool) -> std::path::PathBuf {
    let path = db.data_dir.path().join("plans.json");
    let plans = json!([
        {"key": "tiny", "name": "Tiny", "currency": "EUR", "monthly_price_minor": 0, "included_calls": 20, "included_users": 10,
         "overage_per_1000_calls_minor": 0, "limit": if hard { "hard" } else { "soft" }},
        {"key": "big", "name": "Big", "currency": "EUR", "monthly_price_minor": 3000, "included_calls": 1000000, "included_users": 1000,
         "overage_per_1000_calls_minor": 40, "limit": "soft"},
    ]);
    std::fs::write(&path, plans.to_string()).unwrap();
    path
}

async fn spawn(backend: Backend) -> Option<(TestApp, Arc<TestDb>)> {
    let db = Arc::new(TestDb::new(backend).await?);
    Some((TestApp::start(db.clone(), |_| {}).await, db))
}

/// A custom window around now (minute-aligned, so it reads the per-minute rollups).
fn around_now() -> String {
    let now = Utc::now();
    let minute = now.with_second(0).unwrap().with_nanosecond(0).unwrap();
    let from = (minute - chrono::Duration::minutes(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (minute + chrono::Duration::minutes(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!("frame=custom&from={from}&to={to}")
}

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.unwrap()
}

async fn public_get(app: &TestApp, path: &str, header: Option<(&str, &str)>) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    req.send().await.unwrap()
}

/// Waits (up to 10 s) until `check` holds, polling.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn every_call_is_counted_and_read_back(backend: Backend) {
    let Some((app, _db)) = spawn(backend).await else { return };
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let client_id = front["client_id"].as_str().unwrap().to_owned();

    // 200 calls at once (150 unauthenticated, 50 by the app) and 10 to a route that does not exist.
    let mut calls = Vec::new();
    for i in 0..210 {
        let (app, client_id) = (&app, client_id.clone());
        calls.push(async move {
            match i {
                0..150 => public_get(app, "/public/v1/shop/branding", None).await.status(),
                150..200 => public_get(app, "/public/v1/shop/app", Some(("x-client-id", &client_id))).await.status(),
                _ => public_get(app, "/public/v1/shop/nothing-here", None).await.status(),
            }
        });
    }
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 200);
    // An end user registers and signs in (a registration, an active user).
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", &client_id)
        .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &client_id)
        .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.state.meter.flush(&app.state.db).await.unwrap();

    let window = around_now();
    let summary = get_json(&app, &format!("/api/v1/instances/shop/analytics/summary?{window}"), &s.access).await;
    assert_eq!(summary["calls"], 212, "{summary}");
    assert_eq!(summary["errors"], 10);
    assert_eq!(summary["server_errors"], 0);
    assert_eq!(summary["registrations"], 1);
    assert_eq!(summary["active_users"], 1);
    assert!(summary["latency"]["p50_ms"].as_f64().unwrap() > 0.0);
    assert!(summary["latency"]["p99_ms"].as_f64().unwrap() >= summary["latency"]["p50_ms"].as_f64().unwrap());
    assert_eq!(summary["window"]["time_zone"], "Europe/Athens");

    let routes = get_json(&app, &format!("/api/v1/instances/shop/analytics/breakdown?{window}&group_by=route"), &s.access).await;
    let item = |list: &Value, key: &str| list["items"].as_array().unwrap().iter().find(|i| i["key"] == key).cloned();
    assert_eq!(item(&routes, "GET /public/v1/{instance}/branding").unwrap()["calls"], 150, "{routes}");
    assert_eq!(item(&routes, "GET /public/v1/{instance}/branding").unwrap()["label"], "GET /branding");
    assert_eq!(item(&routes, "GET /public/v1/{instance}/app").unwrap()["calls"], 50);
    let apps = get_json(&app, &format!("/api/v1/instances/shop/analytics/breakdown?{window}&group_by=application"), &s.access).await;
    let web = apps["items"].as_array().unwrap().iter().find(|i| i["label"] == "Web").unwrap();
    assert_eq!(web["calls"], 52, "its 50 calls, the registration and the sign-in");
    let none = apps["items"].as_array().unwrap().iter().find(|i| i["key"] == "none").unwrap();
    assert_eq!((none["calls"].as_i64(), none["label"].as_str()), (Some(160), Some("No application")));
    let statuses = get_json(&app, &format!("/api/v1/instances/shop/analytics/breakdown?{window}&group_by=status"), &s.access).await;
    assert_eq!(item(&statuses, "404").unwrap()["calls"], 10);
    assert_eq!(item(&statuses, "404").unwrap()["label"], "404 Not Found");
    assert_eq!(statuses["total_calls"], 212);

    for g in ["minute", "hour"] {
        let series = get_json(&app, &format!("/api/v1/instances/shop/analytics/timeseries?{window}&granularity={g}&group_by=application"), &s.access).await;
        let points = series["points"].as_array().unwrap();
        assert_eq!(points.iter().map(|p| p["calls"].as_i64().unwrap()).sum::<i64>(), 212, "{g}");
        assert_eq!(points.iter().map(|p| p["registrations"].as_i64().unwrap()).sum::<i64>(), 1, "{g}");
        let groups = series["groups"].as_array().unwrap();
        assert_eq!(groups.iter().map(|g| g["calls"].as_i64().unwrap()).sum::<i64>(), 212);
    }
    // The named frames answer too (their default granularity), and the usage report counts the same calls.
    for frame in ["today", "this_week", "this_month", "this_year"] {
        get_json(&app, &format!("/api/v1/instances/shop/analytics/timeseries?frame={frame}"), &s.access).await;
    }
    let usage = get_json(&app, &format!("/api/v1/instances/shop/usage?{window}&granularity=hour"), &s.access).await;
    assert_eq!(usage["total_calls"], 212);
    assert_eq!(usage["total_registrations"], 1);

    // A viewer reads; a stranger does not learn the instance exists.
    let viewer = app.member_token(&s.access, "shop", "viewer@example.com", "viewer").await;
    get_json(&app, &format!("/api/v1/instances/shop/analytics/summary?{window}"), &viewer).await;
    let stranger = app.signup("stranger@example.com").await;
    assert_problem(app.get("/api/v1/instances/shop/analytics/summary", Some(&stranger.access)).await, StatusCode::NOT_FOUND, "not_found").await;

    // Bad windows: clear problems naming the field.
    let bad = [
        ("frame=custom", "from", "required"),
        ("frame=custom&from=2026-01-01", "to", "required"),
        ("frame=custom&from=2026-02-01&to=2026-01-01", "from", "from_after_to"),
        ("frame=custom&from=yesterday&to=2026-01-01", "from", "invalid_date"),
        ("frame=custom&from=2016-01-01&to=2025-12-31&granularity=minute", "granularity", "too_many_points"),
        ("frame=this_year&granularity=minute", "granularity", "too_many_points"),
        ("frame=fortnight", "frame", "invalid_value"),
        ("group_by=planet", "group_by", "invalid_value"),
    ];
    for (query, field, code) in bad {
        let res = app.get(&format!("/api/v1/instances/shop/analytics/timeseries?{query}"), Some(&s.access)).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, if code == "too_many_points" { code } else { "validation_failed" }).await;
        assert_eq!(field_errors(&problem), vec![(field.to_owned(), code.to_owned())], "{query}");
    }
    let res = app.get("/api/v1/instances/shop/analytics/breakdown?group_by=route&limit=0", Some(&s.access)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

async fn hammer(app: &TestApp, n: usize) -> Vec<reqwest::Response> {
    futures_util::future::join_all((0..n).map(|_| public_get(app, "/public/v1/shop/branding", None))).await
}

async fn whoami(app: &TestApp, bearer: &str) -> reqwest::Response {
    public_get(app, "/public/v1/shop/app", Some(("authorization", bearer))).await
}

async fn check(app: &TestApp) -> anyhow::Result<usize> {
    steward_http::routes::billing::service::check_alerts(&app.state, Utc::now()).await
}

/// Processes of one deployment share its public URL (the tokens' issuer).
fn shared_url(s: &mut steward::Settings) {
    s.public_url = Some("http://steward.test".into());
}

async fn processes_add_up_and_a_graceful_restart_loses_nothing(backend: Backend) {
    let Some(db) = TestDb::new(backend).await.map(Arc::new) else { return };
    let a = TestApp::start(db.clone(), shared_url).await;
    let b = TestApp::start(db.clone(), shared_url).await;
    let s = a.signup("owner@example.com").await;
    a.create_instance(&s.access, "shop").await;
    let (ra, rb) = tokio::join!(hammer(&a, 100), hammer(&b, 100));
    assert!(ra.iter().chain(rb.iter()).all(|r| r.status() == StatusCode::OK));
    // A stops as on SIGTERM: its last counts are flushed on the way out.
    a.stop().await;
    b.state.meter.flush(&b.state.db).await.unwrap();
    let window = around_now();
    let summary = get_json(&b, &format!("/api/v1/instances/shop/analytics/summary?{window}"), &s.access).await;
    assert_eq!(summary["calls"], 200);
    // A new process on the same database takes more and stops too.
    let c = TestApp::start(db.clone(), shared_url).await;
    let rc = hammer(&c, 10).await;
    assert!(rc.iter().all(|r| r.status() == StatusCode::OK));
    c.stop().await;
    let summary = get_json(&b, &format!("/api/v1/instances/shop/analytics/summary?{window}"), &s.access).await;
    assert_eq!(summary["calls"], 210);
}

async fn a_change_reaches_every_process_cache(backend: Backend) {
    let Some(db) = TestDb::new(backend).await.map(Arc::new) else { return };
    let configure = |s: &mut steward::Settings| {
        shared_url(s);
        s.cache_poll_ms = 50;
    };
    let a = TestApp::start(db.clone(), configure).await;
    let b = TestApp::start(db.clone(), configure).await;
    let s = a.signup("owner@example.com").await;
    a.create_instance(&s.access, "shop").await;
    let back = a.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    let (client_id, secret) = (back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap());
    let res = a.client_token("shop", client_id, secret).await;
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    // Both processes have verified (and cached) the token.
    for _ in 0..3 {
        let r = whoami(&a, &bearer).await;
        assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
        assert_eq!(whoami(&b, &bearer).await.status(), StatusCode::OK);
    }
    // Disabling the app stops its token at once where it was disabled, and within a second elsewhere.
    let app_id = back["id"].as_str().unwrap();
    let res = a.patch(&format!("/api/v1/instances/shop/applications/{app_id}"), Some(&s.access), json!({"enabled": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(whoami(&a, &bearer).await.status(), StatusCode::UNAUTHORIZED);
    let started = Instant::now();
    eventually("the other process refuses the disabled app's token", || async { whoami(&b, &bearer).await.status() == StatusCode::UNAUTHORIZED }).await;
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let res = a.patch(&format!("/api/v1/instances/shop/applications/{app_id}"), Some(&s.access), json!({"enabled": true})).await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually("the other process takes the token again", || async { whoami(&b, &bearer).await.status() == StatusCode::OK }).await;

    // A revoked token stops everywhere.
    let res =
        a.client.post(a.url("/public/v1/shop/oauth/revoke")).basic_auth(client_id, Some(secret)).form(&[("token", access.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(whoami(&a, &bearer).await.status(), StatusCode::UNAUTHORIZED);
    eventually("the other process refuses the revoked token", || async { whoami(&b, &bearer).await.status() == StatusCode::UNAUTHORIZED }).await;

    // A renamed instance is seen renamed; a deleted one is gone everywhere.
    assert_eq!(public_get(&b, "/public/v1/shop/branding", None).await.json::<Value>().await.unwrap()["name"], "Instance shop");
    let res = a.patch("/api/v1/instances/shop", Some(&s.access), json!({"name": "Shop & Co"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually("the other process sees the new name", || async {
        public_get(&b, "/public/v1/shop/branding", None).await.json::<Value>().await.unwrap()["name"] == "Shop & Co"
    })
    .await;
    let res = a.delete("/api/v1/instances/shop", Some(&s.access)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(public_get(&a, "/public/v1/shop/branding", None).await.status(), StatusCode::NOT_FOUND);
    eventually("the other process forgets the deleted instance", || async {
        public_get(&b, "/public/v1/shop/branding", None).await.status() == StatusCode::NOT_FOUND
    })
    .await;
}

async fn the_hard_limit_holds_exactly_across_processes(backend: Backend) {
    let Some(db) = TestDb::new(backend).await.map(Arc::new) else { return };
    let plans = tiny_plans(&db, true);
    let configure = |s: &mut steward::Settings| {
        s.plans_file = Some(plans.clone());
        s.cache_poll_ms = 50;
    };
    let a = TestApp::start(db.clone(), configure).await;
    let b = TestApp::start(db.clone(), configure).await;
    let s = a.signup("owner@example.com").await;
    a.create_instance(&s.access, "shop").await;
    // 60 calls at once, half to each process: exactly the 20 included pass.
    let calls: Vec<_> = (0..60).map(|i| public_get(if i % 2 == 0 { &a } else { &b }, "/public/v1/shop/branding", None)).collect();
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers.iter().filter(|r| r.status() == StatusCode::OK).count();
    assert_eq!(ok, 20, "exactly the quota passes");
    let refused: Vec<_> = answers.into_iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!(refused.len(), 40);
    let retry: u64 = refused[0].headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 31 * 86_400);
    let problem = assert_problem(refused.into_iter().next().unwrap(), StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    assert!(problem["detail"].as_str().unwrap().contains("20"));
    a.state.meter.flush(&a.state.db).await.unwrap();
    b.state.meter.flush(&b.state.db).await.unwrap();
    let billing = get_json(&a, "/api/v1/instances/shop/billing", &s.access).await;
    assert_eq!(billing["calls"], 20, "refused calls are not billed");
    assert_eq!(billing["limit_reached"], true);
    assert_eq!(billing["plan"]["key"], "tiny");
    let summary = get_json(&a, &format!("/api/v1/instances/shop/analytics/summary?{}", around_now()), &s.access).await;
    assert_eq!(summary["calls"], 60, "the dashboard shows the refusals");
    assert_eq!(summary["errors"], 40);

    // A plan without the hard limit lets calls through at once, in both processes.
    let res = a.request(Method::PUT, "/api/v1/instances/shop/billing/plan", Some(&s.access), Some(json!({"plan": "big"}))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(public_get(&a, "/public/v1/shop/branding", None).await.status(), StatusCode::OK);
    eventually("the other process sees the new plan", || async { public_get(&b, "/public/v1/shop/branding", None).await.status() == StatusCode::OK }).await;
}

async fn plans_bills_and_invoices(backend: Backend) {
    let Some((a, db)) = spawn(backend).await else { return };
    let b = TestApp::start(db.clone(), |_| {}).await;
    let s = a.signup("owner@example.com").await;
    let created = a.create_instance(&s.access, "shop").await;
    let admin = a.member_token(&s.access, "shop", "admin@example.com", "admin").await;

    let plans = get_json(&a, "/api/v1/billing/plans", &s.access).await;
    let keys: Vec<&str> = plans["items"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["free", "starter", "growth", "scale"]);
    let overview = get_json(&a, "/api/v1/instances/shop/billing", &s.access).await;
    assert_eq!(overview["plan"]["key"], "free");
    assert_eq!(overview["to_date"]["total_minor"], 0);
    assert_eq!(overview["plan_changes"], json!([]));

    // Refused: an unknown plan, a non-owner. Nothing changes.
    let res = a.request(Method::PUT, "/api/v1/instances/shop/billing/plan", Some(&s.access), Some(json!({"plan": "platinum"}))).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "unknown_plan").await;
    assert_eq!(field_errors(&problem), vec![("plan".to_owned(), "unknown_plan".to_owned())]);
    let res = a.request(Method::PUT, "/api/v1/instances/shop/billing/plan", Some(&admin), Some(json!({"plan": "starter"}))).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = a.request(Method::PUT, "/api/v1/instances/shop/billing/plan", Some(&s.access), Some(json!({"plan": "starter", "extra": 1}))).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get_json(&a, "/api/v1/instances/shop/billing", &s.access).await["plan_changes"], json!([]));

    // The owner switches to Starter: effective now, prorated by day.
    let res = a.request(Method::PUT, "/api/v1/instances/shop/billing/plan", Some(&s.access), Some(json!({"plan": "starter"}))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let overview: Value = res.json().await.unwrap();
    assert_eq!(overview["plan"]["key"], "starter");
    assert_eq!(overview["plan_changes"][0]["changed_by"], "owner@example.com");
    let tz: chrono_tz::Tz = created["time_zone"].as_str().unwrap().parse().unwrap();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = today.with_day(1).unwrap();
    let days_in_month = (first + chrono::Months::new(1) - first).num_days();
    let starter_days = days_in_month - i64::from(today.day()) + 1;
    let lines = overview["to_date"]["lines"].as_array().unwrap();
    let starter = lines.iter().find(|l| l["description"].as_str().unwrap().starts_with("Starter")).unwrap();
    assert_eq!(starter["quantity"], starter_days);
    assert_eq!(starter["amount_minor"], (2900 * starter_days * 2 + days_in_month) / (2 * days_in_month));
    assert_eq!(lines.iter().map(|l| l["quantity"].as_i64().unwrap()).sum::<i64>(), days_in_month);
    // Audited.
    let log = get_json(&a, "/api/v1/instances/shop/audit-log?action=plan.change", &s.access).await;
    assert_eq!(log["items"][0]["changes"]["plan"], json!({"before": "free", "after": "starter"}), "{log}");

    // Some billable calls, then the period ends: the invoice job, run twice and by two processes
    // at once, writes one invoice.
    for _ in 0..5 {
        assert_eq!(public_get(&a, "/public/v1/shop/branding", None).await.status(), StatusCode::OK);
    }
    a.state.meter.flush(&a.state.db).await.unwrap();
    let later = Utc::now() + chrono::Duration::days(40);
    let (x, y) = tokio::join!(
        steward_http::routes::billing::service::close_periods(&a.state, later),
        steward_http::routes::billing::service::close_periods(&b.state, later)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(steward_http::routes::billing::service::close_periods(&a.state, later).await.unwrap(), 0);
    let invoices = get_json(&a, "/api/v1/instances/shop/billing/invoices", &s.access).await;
    let items = invoices["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let invoice = &items[0];
    assert_eq!(invoice["calls"], 5);
    assert_eq!(invoice["plan_key"], "starter");
    assert_eq!(invoice["total_minor"], starter["amount_minor"]);
    let number = invoice["number"].as_str().unwrap();
    assert!(number.starts_with("SHOP-"), "{number}");
    let id = invoice["id"].as_str().unwrap();
    // PDF and CSV, for a viewer too.
    let viewer = a.member_token(&s.access, "shop", "viewer@example.com", "viewer").await;
    let res = a.get(&format!("/api/v1/instances/shop/billing/invoices/{id}/pdf"), Some(&viewer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(&format!("{number}.pdf")));
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).contains(&format!("({number})")));
    let res = a.get(&format!("/api/v1/instances/shop/billing/invoices/{id}/csv"), Some(&viewer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "invoice,period_start,period_end,description,quantity,unit,amount_minor,currency");
    assert!(rows.last().unwrap().contains(",Total,"), "{csv}");
    // Another instance's invoice is not found.
    let other = a.signup("other@example.com").await;
    a.create_instance(&other.access, "elsewhere").await;
    assert_problem(a.get(&format!("/api/v1/instances/elsewhere/billing/invoices/{id}"), Some(&other.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(a.get(&format!("/api/v1/instances/elsewhere/billing/invoices/{id}/pdf"), Some(&other.access)).await, StatusCode::NOT_FOUND, "not_found")
        .await;
}

async fn alerts_are_sent_once_per_threshold(backend: Backend) {
    let Some(db) = TestDb::new(backend).await.map(Arc::new) else { return };
    let plans = tiny_plans(&db, false);
    let configure = |s: &mut steward::Settings| s.plans_file = Some(plans.clone());
    let a = TestApp::start(db.clone(), configure).await;
    let b = TestApp::start(db.clone(), configure).await;
    let s = a.signup("owner@example.com").await;
    a.create_instance(&s.access, "shop").await;
    for _ in 0..16 {
        assert_eq!(public_get(&a, "/public/v1/shop/branding", None).await.status(), StatusCode::OK);
    }
    a.state.meter.flush(&a.state.db).await.unwrap();
    let (x, y) = tokio::join!(check(&a), check(&b));
    assert_eq!(x.unwrap() + y.unwrap(), 1, "80% is recorded once");
    assert_eq!(check(&a).await.unwrap(), 0);
    for _ in 0..4 {
        assert_eq!(public_get(&a, "/public/v1/shop/branding", None).await.status(), StatusCode::OK, "a soft limit lets calls through");
    }
    a.state.meter.flush(&a.state.db).await.unwrap();
    assert_eq!(check(&b).await.unwrap(), 1, "100% is recorded once");
    let billing = get_json(&a, "/api/v1/instances/shop/billing", &s.access).await;
    let thresholds: Vec<i64> = billing["alerts"].as_array().unwrap().iter().map(|a| a["threshold"].as_i64().unwrap()).collect();
    assert_eq!(thresholds, [80, 100]);
    assert_eq!(billing["calls_percent"], 100);
    assert_eq!(billing["limit_reached"], false);
    eventually("both alerts reach the owner", || async {
        let mails = a.platform_emails("owner@example.com").await;
        mails.iter().filter(|(_, text)| text.contains("of the API calls its Tiny plan includes")).count() == 2
    })
    .await;
}

async fn buckets_follow_the_instance_time_zone(backend: Backend) {
    let Some((app, _db)) = spawn(backend).await else { return };
    let s = app.signup("owner@example.com").await;
    let created = app.create_instance(&s.access, "shop").await; // Europe/Athens
    let instance_id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let tz: chrono_tz::Tz = "Europe/Athens".parse().unwrap();
    // One call in each UTC hour of 24–26 October 2026 (Athens leaves summer time on the 25th).
    let start = DateTime::parse_from_rfc3339("2026-10-24T00:00:00Z").unwrap().timestamp();
    let mut rows = Vec::new();
    for h in 0..72 {
        let at = start + h * 3600;
        for resolution in Resolution::ALL {
            let key = RollupKey {
                instance_id,
                resolution,
                bucket_start: resolution.bucket_of(at, tz),
                application_id: uuid::Uuid::nil(),
                route: "/public/v1/{instance}/branding".into(),
                method: "GET".into(),
                status: 200,
                billable: true,
            };
            let mut c = Counts { calls: 1, latency_us: 1000, ..Counts::default() };
            c.hist[2] = 1;
            rows.push((key, c));
        }
    }
    // Rows of one local day arrive in several flushes, as they would.
    let mut first = None;
    for chunk in rows.chunks(30) {
        let id = uuid::Uuid::now_v7();
        assert!(steward_persistence::usage::add_rollups(&app.state.db, id, chunk).await.unwrap());
        first.get_or_insert((id, chunk));
    }
    // A flush retried after a commit that went unanswered (but took effect) adds nothing.
    let (id, chunk) = first.unwrap();
    assert!(!steward_persistence::usage::add_rollups(&app.state.db, id, chunk).await.unwrap());
    let day = get_json(&app, "/api/v1/instances/shop/analytics/timeseries?frame=custom&from=2026-10-25&to=2026-10-25&granularity=hour", &s.access).await;
    let points = day["points"].as_array().unwrap();
    assert_eq!(points.len(), 25, "the day summer time ends has 25 hours");
    assert!(points.iter().all(|p| p["calls"] == 1));
    assert_eq!(points[0]["start"], "2026-10-24T21:00:00Z");
    let days = get_json(&app, "/api/v1/instances/shop/analytics/timeseries?frame=custom&from=2026-10-24&to=2026-10-26&granularity=day", &s.access).await;
    let per_day: Vec<i64> = days["points"].as_array().unwrap().iter().map(|p| p["calls"].as_i64().unwrap()).collect();
    // Local days: the 24th from 21:00 UTC on the 23rd (21 of our hours), the 25th (25 hours),
    // the 26th from 22:00 UTC on the 25th (24; the last two hours are the 27th's).
    assert_eq!(per_day, [21, 25, 24]);
    let week = get_json(&app, "/api/v1/instances/shop/analytics/timeseries?frame=custom&from=2026-10-19&to=2026-10-31&granularity=week", &s.access).await;
    let weeks = week["points"].as_array().unwrap();
    assert_eq!(weeks[0]["label"], "Week of 2026-10-19");
    assert_eq!(weeks.iter().map(|p| p["calls"].as_i64().unwrap()).collect::<Vec<_>>(), [46, 26]);
    let summary = get_json(&app, "/api/v1/instances/shop/analytics/summary?frame=custom&from=2026-10-25&to=2026-10-25", &s.access).await;
    assert_eq!(summary["calls"], 25);
}

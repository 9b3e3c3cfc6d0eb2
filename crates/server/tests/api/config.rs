//! Configuration: each catalogue entry's effect end to end, validation that changes nothing,
//! versions, restores, backups, export/import, optimistic concurrency, concurrent writers, the
//! public API's view, and a change reaching another process — on SQLite and PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backend_tests;
use crate::db_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, TestDb, assert_problem, field_errors};

db_tests!(
    every_builtin_entry_drives_the_instance,
    bad_values_and_writes_change_nothing,
    history_restores_backups_and_imports,
    concurrent_writers_and_stale_writes,
    custom_entries_and_the_public_api,
);

backend_tests!(a_change_reaches_every_process);

const SLUG: &str = "shop";

fn entry_path(key: &str) -> String {
    format!("/api/v1/instances/{SLUG}/config/entries/{key}")
}

async fn put_value(app: &TestApp, token: &str, key: &str, value: Value, if_match: Option<&str>) -> reqwest::Response {
    let mut req = app.client.put(app.url(&entry_path(key))).bearer_auth(token).json(&json!({"value": value}));
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    req.send().await.unwrap()
}

async fn set(app: &TestApp, token: &str, key: &str, value: Value) -> Value {
    let res = put_value(app, token, key, value, None).await;
    assert_eq!(res.status(), StatusCode::OK, "set {key}");
    res.json().await.unwrap()
}

async fn json_of(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    res.json().await.unwrap()
}

/// The owner's token and a front-end app's client id on instance `shop`.
async fn setup(app: &TestApp) -> (String, String) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, SLUG).await;
    let front = app.create_app(&s.access, SLUG, json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://shop.example.com"]})).await;
    (s.access, front["client_id"].as_str().unwrap().to_owned())
}

async fn public(app: &TestApp, method: Method, path: &str, client_id: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(&format!("/public/v1/{SLUG}{path}"))).header("x-client-id", client_id);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn register(app: &TestApp, client_id: &str, email: &str, password: &str) -> reqwest::Response {
    public(app, Method::POST, "/auth/register", client_id, Some(json!({"email": email, "password": password}))).await
}

async fn login(app: &TestApp, client_id: &str, email: &str, password: &str) -> reqwest::Response {
    public(app, Method::POST, "/auth/login", client_id, Some(json!({"email": email, "password": password}))).await
}

async fn every_builtin_entry_drives_the_instance(app: TestApp) {
    let (owner, client) = setup(&app).await;
    let cfg: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&owner)).await, StatusCode::OK).await;
    let keys: Vec<&str> = cfg["items"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    for k in [
        "password.min_length",
        "tokens.access_ttl_secs",
        "tokens.refresh_ttl_secs",
        "lockout.threshold",
        "lockout.window_secs",
        "signin.require_verified_email",
        "registration.open",
        "guest.session_lifetime_secs",
        "public_api.rate_limit_per_minute",
        "cors.max_age_secs",
    ] {
        assert!(keys.contains(&k), "{k} is in the catalogue");
    }
    let first = &cfg["items"][0];
    for field in ["description", "schema", "default", "type", "category", "value", "is_set", "version"] {
        assert!(!first[field].is_null(), "entries document {field}: {first}");
    }

    // Password minimum length.
    set(&app, &owner, "password.min_length", json!(14)).await;
    let res = register(&app, &client, "short@example.com", "thirteen-char").await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("password".to_owned(), "password_too_short".to_owned())]);
    assert_eq!(register(&app, &client, "long@example.com", "fourteen-chars").await.status(), StatusCode::ACCEPTED);

    // Access-token lifetime (end users and back-end applications).
    set(&app, &owner, "tokens.access_ttl_secs", json!(120)).await;
    let back = app.create_app(&owner, SLUG, json!({"kind": "backend", "name": "Worker"})).await;
    let res = app.client_token(SLUG, back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap()).await;
    assert_eq!(json_of(res, StatusCode::OK).await["expires_in"], 120);

    // Email verification before sign-in.
    set(&app, &owner, "signin.require_verified_email", json!(true)).await;
    assert_problem(login(&app, &client, "long@example.com", "fourteen-chars").await, StatusCode::FORBIDDEN, "email_not_verified").await;
    set(&app, &owner, "signin.require_verified_email", json!(false)).await;
    let tokens = json_of(login(&app, &client, "long@example.com", "fourteen-chars").await, StatusCode::OK).await;
    assert_eq!(tokens["expires_in"], 120);

    // Lockout threshold: two failures allowed, the third attempt is refused unchecked.
    set(&app, &owner, "lockout.threshold", json!(2)).await;
    for _ in 0..2 {
        assert_eq!(login(&app, &client, "long@example.com", "wrong-password!").await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = login(&app, &client, "long@example.com", "fourteen-chars").await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    // Registration closed (the identity providers' form shows the same setting).
    set(&app, &owner, "registration.open", json!(false)).await;
    assert_problem(register(&app, &client, "late@example.com", "fourteen-chars").await, StatusCode::FORBIDDEN, "registration_closed").await;
    let providers: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/identity-providers"), Some(&owner)).await, StatusCode::OK).await;
    let password = providers["items"].as_array().unwrap().iter().find(|p| p["key"] == "password").unwrap();
    assert_eq!(password["allow_registration"], false);
    // ...and the providers' form writes it back to the configuration, versioned.
    let res = app
        .request(
            Method::PUT,
            &format!("/api/v1/instances/{SLUG}/identity-providers/password"),
            Some(&owner),
            Some(json!({"enabled": true, "allow_registration": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let entry: Value = json_of(app.get(&entry_path("registration.open"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(entry["value"], true);
    assert_eq!(register(&app, &client, "late@example.com", "fourteen-chars").await.status(), StatusCode::ACCEPTED);

    // Guest session lifetime: shown on the guest provider.
    set(&app, &owner, "guest.session_lifetime_secs", json!(7200)).await;
    let providers: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/identity-providers"), Some(&owner)).await, StatusCode::OK).await;
    let guest = providers["items"].as_array().unwrap().iter().find(|p| p["key"] == "guest").unwrap();
    assert_eq!(guest["guest_lifetime_secs"], 7200);

    // CORS preflight max age.
    set(&app, &owner, "cors.max_age_secs", json!(42)).await;
    let res = app
        .client
        .request(Method::OPTIONS, app.url(&format!("/public/v1/{SLUG}/app")))
        .header("origin", "https://shop.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-max-age"], "42");

    // The public API's rate limit per application: exactly the limit passes in a minute.
    set(&app, &owner, "public_api.rate_limit_per_minute", json!(5)).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = public(&app, Method::GET, "/app", &client, None).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().contains_key("retry-after"));
            let p: Value = res.json().await.unwrap();
            assert_eq!(p["code"], "rate_limited");
            statuses.push(429);
        } else {
            statuses.push(res.status().as_u16());
        }
    }
    // A minute boundary may fall inside the loop (a new minute grants anew): count per minute.
    let passed = statuses.iter().filter(|s| **s == 200).count();
    assert!((5..=8).contains(&passed) && statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
    if passed == 5 {
        assert_eq!(&statuses[5..], &[429, 429, 429]);
    }
    set(&app, &owner, "public_api.rate_limit_per_minute", json!(0)).await;
    assert_eq!(public(&app, Method::GET, "/app", &client, None).await.status(), StatusCode::OK);
}

async fn bad_values_and_writes_change_nothing(app: TestApp) {
    let (owner, _) = setup(&app).await;
    let before: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&owner)).await, StatusCode::OK).await;

    // Out of range, wrong type: 422 naming the pointer and the rule.
    let p = assert_problem(put_value(&app, &owner, "password.min_length", json!(3), None).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("value".to_owned(), "minimum".to_owned())]);
    let p = assert_problem(put_value(&app, &owner, "registration.open", json!("yes"), None).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("value".to_owned(), "type".to_owned())]);
    // Unknown key, missing value, unknown field, a 10 MB value.
    assert_problem(put_value(&app, &owner, "no.such.key", json!(1), None).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.request(Method::PUT, &entry_path("password.min_length"), Some(&owner), Some(json!({}))).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.request(Method::PUT, &entry_path("password.min_length"), Some(&owner), Some(json!({"value": 9, "extra": 1}))).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let huge = json!({"value": "x".repeat(10 * 1024 * 1024)});
    let res = app.request(Method::PUT, &entry_path("password.min_length"), Some(&owner), Some(huge)).await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

    // A dry run validates and answers the entry as it would be, saving nothing.
    let res = app
        .client
        .put(app.url(&format!("{}?dry_run=true", entry_path("password.min_length"))))
        .bearer_auth(&owner)
        .json(&json!({"value": 20}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(res, StatusCode::OK).await["value"], 20);
    let res = app
        .client
        .put(app.url(&format!("{}?dry_run=true", entry_path("password.min_length"))))
        .bearer_auth(&owner)
        .json(&json!({"value": 2}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // Roles: a viewer reads but can't write; a developer can't either (admin and up).
    let viewer = app.member_token(&owner, SLUG, "viewer@example.com", "viewer").await;
    assert_eq!(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&viewer)).await.status(), StatusCode::OK);
    assert_eq!(put_value(&app, &viewer, "password.min_length", json!(10), None).await.status(), StatusCode::FORBIDDEN);
    let dev = app.member_token(&owner, SLUG, "dev@example.com", "developer").await;
    assert_eq!(put_value(&app, &dev, "password.min_length", json!(10), None).await.status(), StatusCode::FORBIDDEN);
    // A stranger sees nothing.
    let stranger = app.signup("stranger@example.com").await.access;
    assert_eq!(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&stranger)).await.status(), StatusCode::NOT_FOUND);

    let after: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(before["items"], after["items"], "nothing changed");
    assert_eq!(after["revision"], 0);
    let history: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/config/history"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 0);

    // An import with one bad value among good ones applies nothing.
    let doc = json!({"format": "steward.configuration/v1", "values": {"password.min_length": 12, "lockout.threshold": 0}});
    let res = app.post(&format!("/api/v1/instances/{SLUG}/config/import"), Some(&owner), doc).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("entries.lockout.threshold.value".to_owned(), "minimum".to_owned())]);
    let entry: Value = json_of(app.get(&entry_path("password.min_length"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(entry["is_set"], false);
}

async fn history_restores_backups_and_imports(app: TestApp) {
    let (owner, _) = setup(&app).await;
    let base = format!("/api/v1/instances/{SLUG}/config");
    set(&app, &owner, "password.min_length", json!(10)).await; // r1
    set(&app, &owner, "password.min_length", json!(12)).await; // r2
    set(&app, &owner, "lockout.threshold", json!(5)).await; // r3

    let history: Value = json_of(app.get(&format!("{base}/history"), Some(&owner)).await, StatusCode::OK).await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["revision"], 3);
    assert_eq!(items[1]["key"], "password.min_length");
    assert_eq!(items[1]["before"]["value"], 10);
    assert_eq!(items[1]["after"]["value"], 12);
    assert_eq!(items[1]["actor"], "owner@example.com");
    let one: Value = json_of(app.get(&format!("{base}/history?key=lockout.threshold"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    let page: Value = json_of(app.get(&format!("{base}/history?limit=2"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let older: Value = json_of(app.get(&format!("{base}/history?limit=2&before={}", page["next_before"]), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(older["items"][0]["revision"], 1);

    // Restore one entry as it stood after r1.
    let res = app.post(&format!("{}/restore", entry_path("password.min_length")), Some(&owner), json!({"revision": 1})).await;
    assert_eq!(json_of(res, StatusCode::OK).await["revision"], 4);
    assert_eq!(json_of(app.get(&entry_path("password.min_length"), Some(&owner)).await, StatusCode::OK).await["value"], 10);

    // A named backup, then changes, then the backup restored.
    let backup = json_of(app.post(&format!("{base}/backups"), Some(&owner), json!({"name": "before spring"})).await, StatusCode::CREATED).await;
    assert_problem(app.post(&format!("{base}/backups"), Some(&owner), json!({"name": "before spring"})).await, StatusCode::CONFLICT, "name_taken").await;
    set(&app, &owner, "password.min_length", json!(30)).await;
    let reset = json_of(app.post(&format!("{base}/reset"), Some(&owner), json!({})).await, StatusCode::OK).await;
    assert_eq!(reset["changes"].as_array().unwrap().len(), 2);
    let res = app.post(&format!("{base}/backups/{}/restore", backup["id"].as_str().unwrap()), Some(&owner), json!({})).await;
    assert_eq!(json_of(res, StatusCode::OK).await["applied"], true);
    let cfg: Value = json_of(app.get(&base, Some(&owner)).await, StatusCode::OK).await;
    let value_of = |cfg: &Value, k: &str| cfg["items"].as_array().unwrap().iter().find(|e| e["key"] == k).unwrap()["value"].clone();
    assert_eq!(value_of(&cfg, "password.min_length"), 10);
    assert_eq!(value_of(&cfg, "lockout.threshold"), 5);

    // Restore everything as it stood after r2 (before the lockout change).
    let res = app.post(&format!("{base}/restore"), Some(&owner), json!({"revision": 2})).await;
    assert_eq!(json_of(res, StatusCode::OK).await["applied"], true);
    let cfg: Value = json_of(app.get(&base, Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(value_of(&cfg, "password.min_length"), 12);
    assert_eq!(value_of(&cfg, "lockout.threshold"), 10);
    assert_problem(app.post(&format!("{base}/restore"), Some(&owner), json!({"revision": 999})).await, StatusCode::NOT_FOUND, "not_found").await;

    // Export, and import into another instance: a dry run shows the diff, then all of it applies.
    let define =
        json!({"key": "pricing.tiers", "description": "Tiers", "schema": {"type": "array", "items": {"type": "string"}}, "default": ["free"], "public": true});
    assert_eq!(app.post(&format!("{base}/entries"), Some(&owner), define).await.status(), StatusCode::CREATED);
    set(&app, &owner, "pricing.tiers", json!(["free", "pro"])).await;
    let exported = json_of(app.get(&format!("{base}/export"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(exported["values"]["password.min_length"], 12);
    assert_eq!(exported["definitions"]["pricing.tiers"]["default"], json!(["free"]));
    app.create_instance(&owner, "other").await;
    let res = app.client.post(app.url("/api/v1/instances/other/config/import?dry_run=true")).bearer_auth(&owner).json(&exported).send().await.unwrap();
    let preview = json_of(res, StatusCode::OK).await;
    assert_eq!(preview["applied"], false);
    let changed: Vec<&str> = preview["changes"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(changed, vec!["password.min_length", "pricing.tiers"]);
    let other: Value = json_of(app.get("/api/v1/instances/other/config", Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(other["revision"], 0, "a dry run saves nothing");
    let res = app
        .client
        .post(app.url("/api/v1/instances/other/config/import"))
        .bearer_auth(&owner)
        .header("if-match", "\"r0\"")
        .json(&exported)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(res, StatusCode::OK).await["revision"], 1);
    let other: Value = json_of(app.get("/api/v1/instances/other/config", Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(value_of(&other, "pricing.tiers"), json!(["free", "pro"]));
    assert_eq!(value_of(&other, "password.min_length"), 12);
    // An unknown format, and a document for keys nobody defined, are refused.
    let res = app.post("/api/v1/instances/other/config/import", Some(&owner), json!({"format": "nope"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.post("/api/v1/instances/other/config/import", Some(&owner), json!({"format": "steward.configuration/v1", "values": {"ghost.key": 1}})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("entries.ghost.key.key".to_owned(), "unknown_key".to_owned())]);

    // Every change is in the audit log.
    let audit: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/audit-log?action=config.change"), Some(&owner)).await, StatusCode::OK).await;
    assert!(audit["items"].as_array().unwrap().len() >= 8, "{audit}");
}

async fn concurrent_writers_and_stale_writes(app: TestApp) {
    let (owner, _) = setup(&app).await;
    let app = Arc::new(app);
    let res = app.get(&entry_path("lockout.threshold"), Some(&owner)).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, "\"v0\"");
    // 20 writers based on the same read: exactly one wins, the others get 412.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (app, owner, etag) = (app.clone(), owner.clone(), etag.clone());
        tasks.push(tokio::spawn(async move { put_value(&app, &owner, "lockout.threshold", json!(20 + i), Some(&etag)).await.status() }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::PRECONDITION_FAILED => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    let res = put_value(&app, &owner, "lockout.threshold", json!(3), Some(&etag)).await;
    assert_problem(res, StatusCode::PRECONDITION_FAILED, "stale_version").await;
    assert_problem(put_value(&app, &owner, "lockout.threshold", json!(3), Some("\"garbage\"")).await, StatusCode::PRECONDITION_FAILED, "stale_version").await;
    // 20 writers without a precondition: all are applied, each its own revision, none lost.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (app, owner) = (app.clone(), owner.clone());
        tasks.push(tokio::spawn(async move { put_value(&app, &owner, "password.min_length", json!(8 + i), None).await.status() }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let cfg: Value = json_of(app.get(&format!("/api/v1/instances/{SLUG}/config"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(cfg["revision"], 21);
    let history: Value =
        json_of(app.get(&format!("/api/v1/instances/{SLUG}/config/history?key=password.min_length&limit=100"), Some(&owner)).await, StatusCode::OK).await;
    let revisions: Vec<i64> = history["items"].as_array().unwrap().iter().map(|v| v["revision"].as_i64().unwrap()).collect();
    assert_eq!(revisions.len(), 20);
    assert!(revisions.windows(2).all(|w| w[0] > w[1]), "one revision per change: {revisions:?}");
    // The whole configuration's ETag guards whole writes.
    let res =
        app.client.post(app.url(&format!("/api/v1/instances/{SLUG}/config/reset"))).bearer_auth(&owner).header("if-match", "\"r3\"").send().await.unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED, "stale_version").await;
    let res =
        app.client.post(app.url(&format!("/api/v1/instances/{SLUG}/config/reset"))).bearer_auth(&owner).header("if-match", "\"r21\"").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn custom_entries_and_the_public_api(app: TestApp) {
    let (owner, client) = setup(&app).await;
    let base = format!("/api/v1/instances/{SLUG}/config");
    let schema = json!({"type": "object", "properties": {"rate": {"type": "number", "maximum": 1}}, "required": ["rate"], "additionalProperties": false});
    let res = app
        .post(
            &format!("{base}/entries"),
            Some(&owner),
            json!({"key": "inflation.assumption", "description": "Yearly inflation", "schema": schema, "default": {"rate": 0.02}, "public": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers()["location"].to_str().unwrap().ends_with("/config/entries/inflation.assumption"));
    // The value must pass the entry's own schema: the pointer and the rule are named.
    let p =
        assert_problem(put_value(&app, &owner, "inflation.assumption", json!({"rate": 2}), None).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(field_errors(&p), vec![("value/rate".to_owned(), "maximum".to_owned())]);
    set(&app, &owner, "inflation.assumption", json!({"rate": 0.03})).await;
    // A schema that is not a JSON Schema, a default that breaks it, a reserved or taken key.
    let bad = |key: &str, schema: Value, default: Value| json!({"key": key, "description": "x", "schema": schema, "default": default});
    let p = assert_problem(
        app.post(&format!("{base}/entries"), Some(&owner), bad("a.b", json!({"type": "nonsense"}), json!(1))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(field_errors(&p).iter().all(|(f, c)| f.starts_with("schema") && c == "invalid_schema"), "{p}");
    let p = assert_problem(
        app.post(&format!("{base}/entries"), Some(&owner), bad("a.b", json!({"type": "string"}), json!(1))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("default".to_owned(), "type".to_owned())]);
    let p = assert_problem(
        app.post(&format!("{base}/entries"), Some(&owner), bad("password.custom", json!({}), json!(1))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("key".to_owned(), "reserved_key".to_owned())]);
    assert_problem(
        app.post(&format!("{base}/entries"), Some(&owner), bad("inflation.assumption", json!({}), json!(1))).await,
        StatusCode::CONFLICT,
        "key_taken",
    )
    .await;
    // A schema built to eat time or memory: refused (pattern too large) or bounded (linear regex).
    let p =
        app.post(&format!("{base}/entries"), Some(&owner), bad("evil.pattern", json!({"type": "string", "pattern": "(\\w{1000}){1000}"}), json!("x"))).await;
    let p = assert_problem(p, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(field_errors(&p).iter().all(|(f, c)| f.starts_with("schema") && c == "invalid_schema"), "{p}");
    let res = app.post(&format!("{base}/entries"), Some(&owner), bad("evil.backtrack", json!({"type": "string", "pattern": "^(a+)+$"}), json!("a"))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let started = Instant::now();
    let res = put_value(&app, &owner, "evil.backtrack", json!(format!("{}!", "a".repeat(60_000))), None).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(started.elapsed() < Duration::from_secs(10), "a catastrophic pattern is checked in linear time");
    // A redefinition that the current value breaks is refused.
    let res = app
        .request(
            Method::PUT,
            &format!("{}/definition", entry_path("inflation.assumption")),
            Some(&owner),
            Some(json!({"description": "Yearly inflation", "schema": {"type": "string"}, "default": "x"})),
        )
        .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("value".to_owned(), "type".to_owned())]);

    // Applications read the public entries, with an ETag.
    let res = public(&app, Method::GET, "/config", &client, None).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = json_of(res, StatusCode::OK).await;
    assert_eq!(body["values"], json!({"inflation.assumption": {"rate": 0.03}}), "only public entries");
    let res = app.client.get(app.url(&format!("/public/v1/{SLUG}/config"))).header("x-client-id", &client).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    // Without an application, nothing.
    assert_eq!(app.client.get(app.url(&format!("/public/v1/{SLUG}/config"))).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // Removed: gone from the public view; its history stays.
    assert_eq!(app.delete(&entry_path("inflation.assumption"), Some(&owner)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.delete(&entry_path("password.min_length"), Some(&owner)).await, StatusCode::CONFLICT, "builtin_entry").await;
    let body = json_of(public(&app, Method::GET, "/config", &client, None).await, StatusCode::OK).await;
    assert_eq!(body["values"], json!({}));
    let history: Value = json_of(app.get(&format!("{base}/history?key=inflation.assumption"), Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(history["items"][0]["action"], "undefine");
}

/// A change made through one process drives the other at once (its cache follows within a poll).
async fn a_change_reaches_every_process(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let db = Arc::new(db);
    let a = TestApp::start(db.clone(), |_| {}).await;
    let b = TestApp::start(db.clone(), |_| {}).await;
    let (owner, client) = setup(&a).await;
    let preflight = |app: &TestApp| {
        app.client
            .request(Method::OPTIONS, app.url(&format!("/public/v1/{SLUG}/app")))
            .header("origin", "https://shop.example.com")
            .header("access-control-request-method", "GET")
            .send()
    };
    // B has the instance cached with the default.
    assert_eq!(preflight(&b).await.unwrap().headers()["access-control-max-age"], "600");
    assert_eq!(public(&b, Method::GET, "/app", &client, None).await.status(), StatusCode::OK);
    set(&a, &owner, "cors.max_age_secs", json!(7)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if preflight(&b).await.unwrap().headers()["access-control-max-age"] == "7" {
            break;
        }
        assert!(Instant::now() < deadline, "process B never saw the change");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Registration reads the configuration from the database: closed at once everywhere.
    set(&a, &owner, "registration.open", json!(false)).await;
    assert_problem(register(&b, &client, "x@example.com", PASSWORD).await, StatusCode::FORBIDDEN, "registration_closed").await;
    // The limit of one call a minute holds across both processes.
    set(&a, &owner, "public_api.rate_limit_per_minute", json!(1)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while public(&b, Method::GET, "/app", &client, None).await.status() != StatusCode::TOO_MANY_REQUESTS {
        assert!(Instant::now() < deadline, "process B never applied the limit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut statuses = Vec::new();
    for app in [&a, &b, &a, &b] {
        statuses.push(public(app, Method::GET, "/app", &client, None).await.status().as_u16());
    }
    let passed = statuses.iter().filter(|s| **s == 200).count();
    assert!(passed <= 2, "at most one call a minute (two if a minute turned): {statuses:?}");
}

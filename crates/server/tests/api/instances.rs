use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem, field_errors};

db_tests!(
    create_list_read_update_delete,
    create_refuses_bad_input_and_taken_slugs,
    list_paginates_with_a_stable_cursor,
    non_members_get_404_on_every_instance_route,
);

async fn create_list_read_update_delete(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    let res = app.post("/api/v1/instances", Some(&s.access), json!({"slug": "production", "name": "Production", "time_zone": "Europe/Athens"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["location"], "/api/v1/instances/production");
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["role"], "owner");
    assert_eq!(created["time_zone"], "Europe/Athens");

    let list: Value = app.get("/api/v1/instances", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["slug"], "production");
    assert!(list["next_cursor"].is_null());

    let got: Value = app.get("/api/v1/instances/production", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(got["id"], created["id"]);

    let res = app.patch("/api/v1/instances/production", Some(&s.access), json!({"name": "Prod", "time_zone": "UTC"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!((updated["name"].as_str(), updated["time_zone"].as_str(), updated["slug"].as_str()), (Some("Prod"), Some("UTC"), Some("production")));
    // The slug is immutable.
    let res = app.patch("/api/v1/instances/production", Some(&s.access), json!({"slug": "other"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.patch("/api/v1/instances/production", Some(&s.access), json!({"time_zone": "Atlantis/Capital"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("time_zone".to_owned(), "invalid_time_zone".to_owned())]);
    let got: Value = app.get("/api/v1/instances/production", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(got["time_zone"], "UTC", "a refused change changes nothing");

    assert_eq!(app.delete("/api/v1/instances/production", Some(&s.access)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/api/v1/instances/production", Some(&s.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app.get("/api/v1/instances", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
    // The slug is free again.
    app.create_instance(&s.access, "production").await;
}

async fn create_refuses_bad_input_and_taken_slugs(app: TestApp) {
    let s = app.signup("o@example.com").await;
    let res = app.post("/api/v1/instances", Some(&s.access), json!({"slug": "Bad_Slug", "name": "", "time_zone": "Nowhere"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<String> = field_errors(&p).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["slug", "name", "time_zone"]);
    let res = app.post("/api/v1/instances", Some(&s.access), json!({"slug": "api", "name": "x", "time_zone": "UTC"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("slug".to_owned(), "reserved_slug".to_owned())]);
    let res = app.post("/api/v1/instances", Some(&s.access), json!({"slug": "ok-slug", "name": "x".repeat(101), "time_zone": "UTC"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.post("/api/v1/instances", Some(&s.access), json!({"slug": "ok-slug", "name": "x"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("time_zone".to_owned(), "required".to_owned())]);

    app.create_instance(&s.access, "sandbox").await;
    let other = app.signup("someone@example.com").await;
    let res = app.post("/api/v1/instances", Some(&other.access), json!({"slug": "sandbox", "name": "Mine", "time_zone": "UTC"})).await;
    let p = assert_problem(res, StatusCode::CONFLICT, "slug_taken").await;
    assert_eq!(field_errors(&p), vec![("slug".to_owned(), "slug_taken".to_owned())]);
    let list: Value = app.get("/api/v1/instances", Some(&other.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

async fn list_paginates_with_a_stable_cursor(app: TestApp) {
    let s = app.signup("pager@example.com").await;
    for slug in ["charlie", "alpha", "echo", "bravo", "delta"] {
        app.create_instance(&s.access, slug).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/instances?limit=2&cursor={c}"),
            None => "/api/v1/instances?limit=2".to_owned(),
        };
        let page: Value = app.get(&path, Some(&s.access)).await.json().await.unwrap();
        assert_eq!(page["total"], 5);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["slug"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, vec!["alpha", "bravo", "charlie", "delta", "echo"]);
    for bad in ["limit=0", "limit=101", "limit=abc", "cursor=%%%"] {
        let res = app.get(&format!("/api/v1/instances?{bad}"), Some(&s.access)).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
}

async fn non_members_get_404_on_every_instance_route(app: TestApp) {
    let a = app.signup("a@example.com").await;
    let b = app.signup("b@example.com").await;
    app.create_instance(&a.access, "alpha").await;
    app.create_instance(&b.access, "bravo").await;
    let a_id = app.account_id(&a.access).await;
    // `a` on b's instance, and on one that does not exist: indistinguishable 404s.
    for slug in ["bravo", "does-not-exist"] {
        let base = format!("/api/v1/instances/{slug}");
        let responses = vec![
            app.get(&base, Some(&a.access)).await,
            app.patch(&base, Some(&a.access), json!({"name": "hijack"})).await,
            app.delete(&base, Some(&a.access)).await,
            app.get(&format!("{base}/members"), Some(&a.access)).await,
            app.post(&format!("{base}/invitations"), Some(&a.access), json!({"email": "a@example.com", "role": "owner"})).await,
            app.patch(&format!("{base}/members/{a_id}"), Some(&a.access), json!({"role": "owner"})).await,
            app.delete(&format!("{base}/members/{a_id}"), Some(&a.access)).await,
        ];
        let mut bodies = Vec::new();
        for res in responses {
            bodies.push(assert_problem(res, StatusCode::NOT_FOUND, "not_found").await);
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    }
    let bravo: Value = app.get("/api/v1/instances/bravo", Some(&b.access)).await.json().await.unwrap();
    assert_eq!(bravo["name"], "Instance bravo", "nothing changed");
    let members: Value = app.get("/api/v1/instances/bravo/members", Some(&b.access)).await.json().await.unwrap();
    assert_eq!(members["total"], 1);
}

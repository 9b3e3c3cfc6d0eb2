//! What the console's Users page needs beyond one user at a time: bulk actions with a report per
//! user, sorting by name, exporting a selection, and (re)sending an invitation.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem, field_errors};

db_tests!(bulk_actions_report_each_user, users_sort_by_name_across_pages, a_selection_exports, an_invitation_is_sent_again);

async fn setup(app: &TestApp) -> String {
    let console = app.signup("owner@shop.example.com").await.access;
    app.create_instance(&console, "shop").await;
    console
}

async fn create(app: &TestApp, console: &str, email: &str, name: &str) -> String {
    let res = app.post("/api/v1/instances/shop/users", Some(console), json!({"email": email, "name": name, "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "create {email}");
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn bulk(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post("/api/v1/instances/shop/users/bulk", Some(token), body).await
}

async fn bulk_actions_report_each_user(app: TestApp) {
    let console = setup(&app).await;
    let a = create(&app, &console, "a@example.com", "A").await;
    let b = create(&app, &console, "b@example.com", "B").await;
    let c = create(&app, &console, "c@example.com", "C").await;
    // Another instance's user is not reachable from this one.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "other").await;
    let res = app.post("/api/v1/instances/other/users", Some(&other), json!({"email": "x@example.com", "password": PASSWORD})).await;
    let foreign = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    let res = bulk(&app, &console, json!({"action": "block", "ids": [a, b, c]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!((report["done"].as_u64(), report["skipped"].as_u64(), report["failed"].as_u64()), (Some(3), Some(0), Some(0)), "{report}");
    let blocked: Value = app.get("/api/v1/instances/shop/users?status=blocked", Some(&console)).await.json().await.unwrap();
    assert_eq!(blocked["total"], 3);
    let audit: Value = app.get("/api/v1/instances/shop/audit-log?action=user.block", Some(&console)).await.json().await.unwrap();
    assert_eq!(audit["total"], 3, "one audit entry per user");

    // Already blocked: skipped; another instance's user and an unknown id: failed, each said.
    let unknown = uuid::Uuid::now_v7().to_string();
    let res = bulk(&app, &console, json!({"action": "block", "ids": [a, foreign, unknown]})).await;
    let report: Value = res.json().await.unwrap();
    assert_eq!((report["done"].as_u64(), report["skipped"].as_u64(), report["failed"].as_u64()), (Some(0), Some(1), Some(2)), "{report}");
    assert_eq!(report["results"][0], json!({"id": a, "outcome": "skipped", "code": null, "message": null}));
    assert_eq!(report["results"][1]["outcome"], "failed");
    assert_eq!(report["results"][1]["code"], "not_found");
    let foreign_user: Value = app.get(&format!("/api/v1/instances/other/users/{foreign}"), Some(&other)).await.json().await.unwrap();
    assert_eq!(foreign_user["blocked"], false, "the other instance's user is untouched");

    let report: Value = bulk(&app, &console, json!({"action": "unblock", "ids": [a, b]})).await.json().await.unwrap();
    assert_eq!(report["done"], 2, "{report}");
    // Verification: a blocked user fails with the reason, a verified one is skipped.
    app.patch(&format!("/api/v1/instances/shop/users/{a}"), Some(&console), json!({"email_verified": true})).await;
    let report: Value = bulk(&app, &console, json!({"action": "send_verification", "ids": [a, b, c]})).await.json().await.unwrap();
    assert_eq!(report["results"][0]["outcome"], "skipped", "{report}");
    assert_eq!(report["results"][0]["code"], "already_verified");
    assert_eq!(report["results"][1]["outcome"], "done");
    assert_eq!(report["results"][2]["outcome"], "failed");
    assert_eq!(report["results"][2]["code"], "user_blocked");

    // Invitations: only users without a password get one; the others are skipped.
    let res = app.post("/api/v1/instances/shop/users", Some(&console), json!({"email": "nopass@example.com"})).await;
    let nopass = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let report: Value = bulk(&app, &console, json!({"action": "send_invitation", "ids": [nopass, a]})).await.json().await.unwrap();
    assert_eq!(report["results"][0]["outcome"], "done", "{report}");
    assert_eq!(report["results"][1]["outcome"], "skipped");
    assert_eq!(report["results"][1]["code"], "user_has_password");
    app.delete(&format!("/api/v1/instances/shop/users/{nopass}"), Some(&console)).await;

    let report: Value = bulk(&app, &console, json!({"action": "delete", "ids": [b, c]})).await.json().await.unwrap();
    assert_eq!(report["done"], 2, "{report}");
    let left: Value = app.get("/api/v1/instances/shop/users", Some(&console)).await.json().await.unwrap();
    assert_eq!(left["total"], 1);

    // Bad requests change nothing.
    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let p =
        assert_problem(bulk(&app, &console, json!({"action": "delete", "ids": too_many})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("ids".to_owned(), "out_of_range".to_owned())]);
    let p = assert_problem(bulk(&app, &console, json!({"action": "delete", "ids": []})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("ids".to_owned(), "out_of_range".to_owned())]);
    let p = assert_problem(bulk(&app, &console, json!({"action": "delete", "ids": [a, a]})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("ids".to_owned(), "duplicate".to_owned())]);
    let res = bulk(&app, &console, json!({"action": "explode", "ids": [a]})).await;
    assert!(res.status().is_client_error(), "an unknown action is refused");
    let res = bulk(&app, &console, json!({"action": "delete", "ids": [a], "all": true})).await;
    assert!(res.status().is_client_error(), "unknown fields are refused");
    let left: Value = app.get("/api/v1/instances/shop/users", Some(&console)).await.json().await.unwrap();
    assert_eq!(left["total"], 1, "nothing was deleted by a refused request");

    // A viewer may not.
    let viewer = app.member_token(&console, "shop", "viewer@example.com", "viewer").await;
    assert_problem(bulk(&app, &viewer, json!({"action": "delete", "ids": [a]})).await, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn users_sort_by_name_across_pages(app: TestApp) {
    let console = setup(&app).await;
    let names = ["Mia", "adam", "Zoe", "Bea", "Ola", "Ida", "Eve"];
    for (i, n) in names.iter().enumerate() {
        create(&app, &console, &format!("u{i}@example.com"), n).await;
    }
    for order in ["asc", "desc"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("/api/v1/instances/shop/users?sort=name&order={order}&limit=3");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={}", urlencode(c)));
            }
            let page: Value = app.get(&url, Some(&console)).await.json().await.unwrap();
            seen.extend(page["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), names.len(), "{order}: every user once: {seen:?}");
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), names.len());
        // SQLite compares names byte-wise, PostgreSQL by its collation: they agree on the order
        // of the capitalised names, which must follow across the page boundaries.
        let caps: Vec<&String> = seen.iter().filter(|n| n.chars().next().unwrap().is_uppercase()).collect();
        let mut caps_sorted = caps.clone();
        caps_sorted.sort();
        if order == "desc" {
            caps_sorted.reverse();
        }
        assert_eq!(caps, caps_sorted, "{order}: {seen:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_selection_exports(app: TestApp) {
    let console = setup(&app).await;
    let a = create(&app, &console, "a@example.com", "A").await;
    create(&app, &console, "b@example.com", "B").await;
    let c = create(&app, &console, "c@example.com", "C").await;
    let res = app.get(&format!("/api/v1/instances/shop/users/export?ids={a},{c}"), Some(&console)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and the two selected users: {csv}");
    assert!(csv.contains("a@example.com") && csv.contains("c@example.com") && !csv.contains("b@example.com"), "{csv}");
    let res = app.get(&format!("/api/v1/instances/shop/users?ids={a}"), Some(&console)).await;
    assert_eq!(res.json::<Value>().await.unwrap()["total"], 1, "the list takes a selection too");
    let res = app.get("/api/v1/instances/shop/users/export?ids=not-an-id", Some(&console)).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("ids".to_owned(), "invalid_id".to_owned())]);
    let many: Vec<String> = (0..201).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let res = app.get(&format!("/api/v1/instances/shop/users/export?ids={}", many.join(",")), Some(&console)).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("ids".to_owned(), "too_many".to_owned())]);
}

async fn an_invitation_is_sent_again(app: TestApp) {
    let console = setup(&app).await;
    let res = app.post("/api/v1/instances/shop/users", Some(&console), json!({"email": "new@example.com", "send_invitation": true})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let invited: Value = res.json().await.unwrap();
    assert_eq!(invited["has_password"], false);
    let id = invited["id"].as_str().unwrap();
    let res = app.post(&format!("/api/v1/instances/shop/users/{id}/send-invitation"), Some(&console), json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let outbox: Value = app.get("/api/v1/instances/shop/outbox?to=new@", Some(&console)).await.json().await.unwrap();
    assert_eq!(outbox["total"], 2, "{outbox}");
    assert!(outbox["items"].as_array().unwrap().iter().all(|e| e["kind"] == "invitation"), "{outbox}");

    let with_password = create(&app, &console, "set@example.com", "Set").await;
    let res = app.post(&format!("/api/v1/instances/shop/users/{with_password}/send-invitation"), Some(&console), json!({})).await;
    assert_problem(res, StatusCode::CONFLICT, "user_has_password").await;
    let res = app.post(&format!("/api/v1/instances/shop/users/{}/send-invitation", uuid::Uuid::now_v7()), Some(&console), json!({})).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

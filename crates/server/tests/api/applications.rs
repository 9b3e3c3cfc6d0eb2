//! Applications tab: create, list, read, update, delete, rotate secrets, quickstart.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem, field_errors};

db_tests!(frontend_and_backend_apps_lifecycle, bad_input_changes_nothing, secret_rotation_with_and_without_grace, quickstart_never_shows_the_secret);

async fn frontend_and_backend_apps_lifecycle(app: TestApp) {
    let s = app.signup("dev@example.com").await;
    app.create_instance(&s.access, "shop").await;

    let front = app
        .create_app(
            &s.access,
            "shop",
            json!({"kind": "frontend", "name": "Web shop", "description": "The storefront",
            "allowed_origins": ["https://Shop.Example.com/", "http://localhost:5173"], "redirect_uris": ["https://shop.example.com/callback"]}),
        )
        .await;
    assert_eq!(front["kind"], "frontend");
    assert!(front["client_id"].as_str().unwrap().starts_with("app_"));
    assert!(front["client_secret"].is_null());
    assert_eq!(front["allowed_origins"], json!(["https://shop.example.com", "http://localhost:5173"]));
    assert_eq!(front["enabled"], true);

    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Order service"})).await;
    let secret = back["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("stw_cs_") && secret.len() > 40);
    assert_eq!(back["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(back["secrets"][0]["hint"].as_str().unwrap(), &secret[secret.len() - 4..]);
    let back_id = back["id"].as_str().unwrap();

    // The secret is never shown again.
    let got = app.get(&format!("/api/v1/instances/shop/applications/{back_id}"), Some(&s.access)).await.text().await.unwrap();
    assert!(!got.contains(&secret) && !got.contains("client_secret"), "{got}");
    let list: Value = app.get("/api/v1/instances/shop/applications", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["name"], "Order service", "newest first");
    assert!(!list.to_string().contains(&secret));

    let res = app
        .patch(
            &format!("/api/v1/instances/shop/applications/{}", front["id"].as_str().unwrap()),
            Some(&s.access),
            json!({"name": "Storefront", "enabled": false, "allowed_origins": ["https://www.example.com"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!((updated["name"].as_str(), updated["enabled"].as_bool()), (Some("Storefront"), Some(false)));
    assert_eq!(updated["allowed_origins"], json!(["https://www.example.com"]));
    assert_eq!(updated["client_id"], front["client_id"], "the client id never changes");

    // Viewers read, but may not change.
    app.signup("viewer@example.com").await;
    app.add_member(&s.access, "shop", "viewer@example.com", "viewer").await;
    let v: Value = app.login("viewer@example.com", PASSWORD).await.json().await.unwrap();
    let v = v["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/instances/shop/applications", Some(v)).await.status(), StatusCode::OK);
    let res = app.post("/api/v1/instances/shop/applications", Some(v), json!({"kind": "frontend", "name": "x"})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(app.delete(&format!("/api/v1/instances/shop/applications/{back_id}"), Some(v)).await, StatusCode::FORBIDDEN, "forbidden").await;

    assert_eq!(app.delete(&format!("/api/v1/instances/shop/applications/{back_id}"), Some(&s.access)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&format!("/api/v1/instances/shop/applications/{back_id}"), Some(&s.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.client_token("shop", back["client_id"].as_str().unwrap(), &secret).await.status(), StatusCode::UNAUTHORIZED);

    // Another instance's application is invisible.
    let other = app.signup("other@example.com").await;
    app.create_instance(&other.access, "elsewhere").await;
    let front_id = front["id"].as_str().unwrap();
    assert_problem(app.get(&format!("/api/v1/instances/elsewhere/applications/{front_id}"), Some(&other.access)).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_problem(app.delete(&format!("/api/v1/instances/elsewhere/applications/{front_id}"), Some(&other.access)).await, StatusCode::NOT_FOUND, "not_found")
        .await;
}

async fn bad_input_changes_nothing(app: TestApp) {
    let s = app.signup("dev@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let cases = [
        (json!({"kind": "frontend", "name": "a", "allowed_origins": ["http://shop.example.com"]}), "allowed_origins[0]", "https_required"),
        (json!({"kind": "frontend", "name": "a", "allowed_origins": ["https://*.example.com"]}), "allowed_origins[0]", "wildcard_not_allowed"),
        (json!({"kind": "frontend", "name": "a", "allowed_origins": ["https://shop.example.com/path"]}), "allowed_origins[0]", "invalid_origin"),
        (
            json!({"kind": "frontend", "name": "a", "redirect_uris": ["https://ok.example.com/cb", "https://shop.example.com/cb#x"]}),
            "redirect_uris[1]",
            "fragment_not_allowed",
        ),
        (json!({"kind": "frontend", "name": "a", "redirect_uris": ["/callback"]}), "redirect_uris[0]", "invalid_url"),
        (json!({"kind": "frontend", "name": "a", "allowed_origins": vec!["https://a.example.com"; 21]}), "allowed_origins", "too_many"),
        (json!({"kind": "backend", "name": "a", "allowed_origins": ["https://shop.example.com"]}), "allowed_origins", "not_applicable"),
        (json!({"kind": "frontend", "name": ""}), "name", "required"),
        (json!({"kind": "frontend", "name": "x".repeat(101)}), "name", "too_long"),
        (json!({"kind": "frontend", "name": "a", "description": "d".repeat(1001)}), "description", "too_long"),
        (json!({"kind": "mobile", "name": "a"}), "kind", "invalid_value"),
        (json!({"kind": "frontend", "name": "a", "client_id": "app_mine"}), "client_id", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let res = app.post("/api/v1/instances/shop/applications", Some(&s.access), body.clone()).await;
        let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(field_errors(&p).contains(&(field.to_owned(), code.to_owned())), "{body}: {p}");
    }
    let huge = json!({"kind": "frontend", "name": "a", "description": "d".repeat(70_000)});
    assert_problem(app.post("/api/v1/instances/shop/applications", Some(&s.access), huge).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let list: Value = app.get("/api/v1/instances/shop/applications", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "nothing was created");

    app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Shop"})).await;
    let res = app.post("/api/v1/instances/shop/applications", Some(&s.access), json!({"kind": "backend", "name": "Shop"})).await;
    let p = assert_problem(res, StatusCode::CONFLICT, "name_taken").await;
    assert_eq!(field_errors(&p), vec![("name".to_owned(), "name_taken".to_owned())]);
}

async fn secret_rotation_with_and_without_grace(app: TestApp) {
    let s = app.signup("dev@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    let (id, client_id) = (back["id"].as_str().unwrap(), back["client_id"].as_str().unwrap());
    let first = back["client_secret"].as_str().unwrap().to_owned();
    let rotate_path = format!("/api/v1/instances/shop/applications/{id}/secret");
    let rotate = |body: Value| app.post(&rotate_path, Some(&s.access), body);

    // Without a grace period the old secret stops at once.
    let res = rotate(json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = res.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(app.client_token("shop", client_id, &first).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.client_token("shop", client_id, &second).await.status(), StatusCode::OK);

    // With one, both work until it ends.
    let res = rotate(json!({"grace_period_secs": 3600})).await;
    let rotated: Value = res.json().await.unwrap();
    let third = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(app.client_token("shop", client_id, &second).await.status(), StatusCode::OK);
    assert_eq!(app.client_token("shop", client_id, &third).await.status(), StatusCode::OK);
    let got: Value = app.get(&format!("/api/v1/instances/shop/applications/{id}"), Some(&s.access)).await.json().await.unwrap();
    let secrets = got["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 2);
    assert!(secrets[0]["expires_at"].is_null() && !secrets[1]["expires_at"].is_null());

    // Rotating again without grace ends the grace period of the older one too.
    let fourth = rotate(json!({"grace_period_secs": 0})).await.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap().to_owned();
    for old in [&second, &third] {
        assert_eq!(app.client_token("shop", client_id, old).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.client_token("shop", client_id, &fourth).await.status(), StatusCode::OK);

    let res = rotate(json!({"grace_period_secs": 604801})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let res = app.post(&format!("/api/v1/instances/shop/applications/{}/secret", front["id"].as_str().unwrap()), Some(&s.access), json!({})).await;
    assert_problem(res, StatusCode::CONFLICT, "not_applicable").await;
    assert_eq!(app.client_token("shop", client_id, &fourth).await.status(), StatusCode::OK, "refusals changed nothing");
}

async fn quickstart_never_shows_the_secret(app: TestApp) {
    let s = app.signup("dev@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    let secret = back["client_secret"].as_str().unwrap();
    let q: Value =
        app.get(&format!("/api/v1/instances/shop/applications/{}/quickstart", back["id"].as_str().unwrap()), Some(&s.access)).await.json().await.unwrap();
    let text = q.to_string();
    assert!(!text.contains(secret));
    assert!(q["env"].as_str().unwrap().contains(back["client_id"].as_str().unwrap()));
    assert_eq!(q["api_base_url"], app.url("/public/v1/shop"));
    assert!(q["curl"].as_str().unwrap().contains("/public/v1/shop/oauth/token"));
    assert!(q["javascript"].as_str().unwrap().contains("client_credentials"));
    assert_eq!(q["openapi_url"], app.url("/public/openapi.json"));
    assert_eq!(app.get(q["jwks_url"].as_str().unwrap().trim_start_matches(&app.address), None).await.status(), StatusCode::OK);
}

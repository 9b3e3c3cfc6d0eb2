//! Bad input of every kind answers a 4xx problem document and changes nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem};

db_tests!(malformed_requests_get_problem_documents, garbage_bodies_never_cause_a_server_error);

async fn malformed_requests_get_problem_documents(app: TestApp) {
    let url = app.url("/api/v1/auth/signup");
    let send = |body: &'static str, ct: &'static str| {
        let client = app.client.clone();
        let url = url.clone();
        async move { client.post(url).header("content-type", ct).body(body).send().await.unwrap() }
    };
    assert_problem(send("{\"email\":", "application/json").await, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem(send("", "application/json").await, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem(
        send("{\"email\": \"t@b.co\", \"password\": \"12345678\", \"name\": \"y\"} trailing", "application/json").await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    assert_problem(send("email=a@b.c", "application/x-www-form-urlencoded").await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let p = assert_problem(
        send("{\"email\": 5, \"password\": \"x\", \"name\": \"y\"}", "application/json").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "email");
    assert_eq!(p["errors"][0]["code"], "invalid_type");
    let p = assert_problem(
        send("{\"email\": \"a@b.co\", \"password\": \"12345678\", \"name\": \"y\", \"is_admin\": true}", "application/json").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!((p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()), (Some("is_admin"), Some("unknown_field")));
    let p = assert_problem(send("{\"email\": \"a@b.co\"}", "application/json").await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!((p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()), (Some("password"), Some("required")));

    let big = format!("{{\"email\": \"a@b.co\", \"password\": \"12345678\", \"name\": \"{}\"}}", "x".repeat(200_000));
    let res = app.client.post(&url).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

    // Nothing above created an account.
    assert_eq!(app.login("a@b.co", "12345678").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("t@b.co", "12345678").await.status(), StatusCode::UNAUTHORIZED);

    // Unknown API paths: 404 problems, never the console; a known path with another method: 405.
    assert_problem(app.get("/api/v1/nothing-here", None).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(app.get("/public/v1/x/y", None).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.client.put(app.url("/api/v1/auth/login")).send().await.unwrap();
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

/// Every documented operation with a body, fed garbage with a valid token: a 4xx, never a 5xx.
async fn garbage_bodies_never_cause_a_server_error(app: TestApp) {
    let s = app.signup("fuzz@example.com").await;
    app.create_instance(&s.access, "fuzz").await;
    let id = app.account_id(&s.access).await;
    let created: Value = app
        .post("/api/v1/instances/fuzz/applications", Some(&s.access), serde_json::json!({"kind": "backend", "name": "fuzz app"}))
        .await
        .json()
        .await
        .unwrap();
    let app_id = created["id"].as_str().unwrap().to_owned();
    let garbage = [
        "null",
        "[]",
        "\"string\"",
        "12",
        "{",
        "{\"name\": {\"nested\": [1,2,3]}}",
        "{\"email\": null, \"password\": null}",
        "{\"role\": 7}",
        "{\"slug\": \"\\u0000\\u0001\", \"name\": \"\\ud800\", \"time_zone\": \"../../etc/passwd\"}",
        "\u{feff}{}",
    ];
    let mut checked = 0;
    for (served, prefix) in [("/api/openapi.json", ""), ("/public/openapi.json", "/public/v1/{instance}")] {
        let doc: Value = app.get(served, None).await.json().await.unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let path = &format!("{prefix}{path}");
            for (method, op) in item.as_object().unwrap() {
                // The OAuth endpoints (token, revocation, introspection) answer RFC 6749 errors,
                // tested on their own.
                if op.get("requestBody").is_none() || path.contains("/oauth/") {
                    continue;
                }
                // Keep the session alive: never post to logout or password change with garbage that might be valid.
                let concrete = path.replace("{instance}", "fuzz").replace("{account_id}", &id).replace("{id}", &app_id);
                // `null` is "no body" where the body is optional (signing-key rotation).
                let optional = op["requestBody"]["required"] != true;
                for &body in garbage.iter().filter(|b| !(optional && **b == "null")) {
                    let res = app
                        .client
                        .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                        .bearer_auth(&s.access)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    assert!(status.is_client_error(), "{method} {path} with {body}: {status}");
                    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
                    assert!(ct.starts_with("application/problem+json"), "{method} {path}: {ct}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} requests checked");
    // The instance and the account are as they were.
    let inst: Value = app.get("/api/v1/instances/fuzz", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(inst["name"], "Instance fuzz");
}

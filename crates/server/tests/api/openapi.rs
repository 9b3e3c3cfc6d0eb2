//! The OpenAPI document: committed, in step with the code, and honest about security.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem};

use steward_http::openapi::{Which, document};

#[test]
fn committed_documents_match_the_code() {
    for (which, file) in [(Which::Console, "console.json"), (Which::Public, "public.json")] {
        let generated = steward_http::openapi::to_pretty_json(&document(which)).unwrap();
        let path = format!("{}/../../openapi/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            generated == committed,
            "openapi/{file} is out of date with the code: run `make openapi` and commit the result (and regenerate the console's types)"
        );
    }
}

/// The public document stands alone: its paths are relative to a server with an `{instance}`
/// variable, and it holds only what its operations use.
#[test]
fn the_public_document_is_self_describing() {
    let doc = document(Which::Public);
    assert_eq!(doc["servers"][0]["url"], "/public/v1/{instance}");
    assert!(doc["servers"][0]["variables"]["instance"]["default"].is_string());
    let text = doc.to_string();
    assert!(!text.contains("\"name\":\"instance\""), "no operation declares the instance as a parameter");
    let schemes: Vec<&String> = doc["components"]["securitySchemes"].as_object().unwrap().keys().collect();
    assert_eq!(schemes, ["app_bearer", "client_id", "end_user_bearer"]);
    assert_eq!(doc["paths"]["/me"]["get"]["security"], json!([{"end_user_bearer": []}]));
    assert!(doc["paths"]["/.well-known/jwks.json"]["get"]["responses"]["200"]["content"]["application/jwk-set+json"].is_object());
    let console = document(Which::Console);
    assert!(console["paths"].as_object().unwrap().keys().all(|p| !p.starts_with("/public/v1/{instance}")));
    assert_eq!(console["servers"][0]["url"], "/");
    for doc in [&doc, &console] {
        for (kind, entries) in doc["components"].as_object().unwrap() {
            if kind == "securitySchemes" {
                continue;
            }
            for name in entries.as_object().unwrap().keys() {
                assert!(text_of(doc).contains(&format!("\"#/components/{kind}/{name}\"")), "{kind}/{name} is used");
            }
        }
    }
}

fn text_of(doc: &Value) -> String {
    doc.to_string()
}

#[test]
fn every_operation_documents_its_errors_and_security() {
    for doc in [document(Which::Console), document(Which::Public)] {
        assert_eq!(doc["openapi"].as_str().unwrap().get(..3), Some("3.1"));
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let secured = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
                if path.starts_with("/api/v1/") {
                    let public = [
                        "/api/v1/auth/signup",
                        "/api/v1/auth/login",
                        "/api/v1/auth/login/two-factor",
                        "/api/v1/auth/refresh",
                        "/api/v1/auth/verify-email",
                        "/api/v1/auth/link-info",
                        "/api/v1/auth/forgot-password",
                        "/api/v1/auth/reset-password",
                        "/api/v1/invitations/lookup",
                        "/api/v1/oauth/token",
                        "/api/v1/oauth/revoke",
                    ]
                    .contains(&path.as_str());
                    assert_eq!(secured, !public, "{method} {path}: security");
                    if secured {
                        assert!(responses.contains_key("401"), "{method} {path}: documents 401");
                    }
                    if op.get("requestBody").is_some() {
                        assert!(responses.contains_key("422") || responses.contains_key("400"), "{method} {path}: documents bad input");
                    }
                }
                if op.get("requestBody").is_some() {
                    assert!(responses.contains_key("415"), "{method} {path}: documents 415");
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404"), "{method} {path}: documents 404");
                }
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or_else(|| panic!("{method} {path}: operationId"));
                // Readable as a method name in any generated client, and unique.
                assert!(
                    id.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{method} {path}: operationId {id:?} is not a snake_case method name"
                );
                assert!(ids.insert(id.to_owned()), "{method} {path}: operationId {id:?} is used twice");
            }
        }
    }
}

db_tests!(every_secured_route_answers_401_without_a_token, served_document_and_reference_page, undeclared_methods_answer_405);

/// A documented path with a method it does not declare answers 405 with `Allow`; an unknown path
/// 404 — problem documents both.
async fn undeclared_methods_answer_405(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    for (method, path, allow) in [
        ("TRACE", "/api/v1/instances", "GET, POST"),
        ("PUT", "/api/v1/instances/shop/users", "GET, POST"),
        ("DELETE", "/public/v1/shop/branding", "GET"),
        ("POST", "/healthz", "GET"),
        ("PATCH", "/api/v1/oauth/token", "POST"),
        // A literal segment where another template has a parameter: the literal path decides.
        ("DELETE", "/api/v1/me/sessions/revoke-others", "POST"),
        ("PATCH", "/api/v1/instances/shop/users/export", "GET"),
    ] {
        let res = app.client.request(method.parse().unwrap(), app.url(path)).bearer_auth(&s.access).send().await.unwrap();
        assert_eq!(res.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()), Some(allow.to_owned()), "{method} {path}");
        assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    }
    // HEAD is GET without the body, on every route that answers GET.
    let get = app.get("/api/v1/instances/shop", Some(&s.access)).await;
    let length = get.bytes().await.unwrap().len();
    let head = app.client.head(app.url("/api/v1/instances/shop")).bearer_auth(&s.access).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"].to_str().unwrap(), length.to_string());
    assert!(head.bytes().await.unwrap().is_empty());
    let head = app.client.head(app.url("/api/v1/instances/shop")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::UNAUTHORIZED, "and checks the caller as GET does");
    let res = app.client.request("TRACE".parse().unwrap(), app.url("/api/v1/nowhere")).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    // Nothing changed, and the declared methods still work.
    assert_eq!(app.get("/api/v1/instances/shop", Some(&s.access)).await.status(), StatusCode::OK);
}

/// Walks the document, so every new route is covered automatically.
async fn every_secured_route_answers_401_without_a_token(app: TestApp) {
    let s = app.signup("walker@example.com").await;
    app.create_instance(&s.access, "walk").await;
    let mut checked = 0;
    for (served, prefix) in [("/api/openapi.json", ""), ("/public/openapi.json", "/public/v1/{instance}")] {
        let doc: Value = app.get(served, None).await.json().await.unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let path = &format!("{prefix}{path}");
            for (method, op) in item.as_object().unwrap() {
                let secured = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
                if !secured {
                    continue;
                }
                // Every other path parameter is an id (a UUID) or a key: a fresh UUID fits both.
                let mut concrete = path.replace("{instance}", "walk");
                while let Some(start) = concrete.find('{') {
                    let end = concrete[start..].find('}').map_or(concrete.len(), |e| start + e + 1);
                    concrete.replace_range(start..end, &uuid::Uuid::now_v7().to_string());
                }
                let method: reqwest::Method = method.to_uppercase().parse().unwrap();
                for token in [None, Some("garbage"), Some("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")] {
                    let mut req = app.client.request(method.clone(), app.url(&concrete)).json(&json!({}));
                    if let Some(t) = token {
                        req = req.bearer_auth(t);
                    }
                    let res = req.send().await.unwrap();
                    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}");
                    if path.starts_with("/api/") {
                        assert_eq!(res.headers()["www-authenticate"], "Bearer");
                    }
                    assert_problem(res, StatusCode::UNAUTHORIZED, if token.is_some() { "invalid_token" } else { "unauthorized" }).await;
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 22, "only {checked} secured operations found");
    // And nothing changed.
    let inst: Value = app.get("/api/v1/instances/walk", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(inst["name"], "Instance walk");
}

async fn served_document_and_reference_page(app: TestApp) {
    for (path, which) in [("/api/openapi.json", Which::Console), ("/public/openapi.json", Which::Public)] {
        let served: Value = app.get(path, None).await.json().await.unwrap();
        assert_eq!(served, document(which), "{path}");
    }
    let res = app.get("/api/docs", None).await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    let res = app.get("/api/docs/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "reference page");
    // Its assets are embedded in the binary, not loaded from a CDN.
    assert!(!html.contains("cdn.") && !html.contains("unpkg"), "no CDN");
    let res = app.get("/api/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().len() > 100_000);
}

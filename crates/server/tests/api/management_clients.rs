//! Management clients: machines automating one instance's console API with scoped tokens —
//! and refused everywhere else (another instance, a scope they lack, routes for people only,
//! after deletion or expiry).

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem, field_errors};

db_tests!(
    a_management_client_automates_its_instance_within_its_scopes,
    people_manage_management_clients_and_secrets_rotate_with_grace,
    every_scope_in_the_document_is_enforced
);

/// Creates a management client on `slug` and answers (client_id, client_secret, id).
pub async fn create_client(app: &TestApp, token: &str, slug: &str, name: &str, scopes: &[&str]) -> (String, String, String) {
    let res = app.post(&format!("/api/v1/instances/{slug}/management-clients"), Some(token), json!({"name": name, "scopes": scopes})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "create management client");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let id = body["client"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/instances/{slug}/management-clients/{id}"));
    (body["client"]["client_id"].as_str().unwrap().to_owned(), body["client_secret"].as_str().unwrap().to_owned(), id)
}

async fn token_response(app: &TestApp, client_id: &str, secret: &str, scope: Option<&str>) -> reqwest::Response {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    app.client.post(app.url("/api/v1/oauth/token")).basic_auth(client_id, Some(secret)).form(&form).send().await.unwrap()
}

/// A management token for the client (all its scopes, or `scope`).
pub async fn management_token(app: &TestApp, client_id: &str, secret: &str, scope: Option<&str>) -> String {
    let res = token_response(app, client_id, secret, scope).await;
    assert_eq!(res.status(), StatusCode::OK, "management token");
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn a_management_client_automates_its_instance_within_its_scopes(app: TestApp) {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "acme").await;
    let stranger = app.signup("stranger@example.com").await.access;
    app.create_instance(&stranger, "other").await;

    let (client_id, secret, id) = create_client(&app, &owner, "acme", "Deployer", &["users:write", "users:read", "applications:write"]).await;
    assert!(client_id.starts_with("mgmt_") && secret.starts_with("stw_cs_"));

    // Client credentials, with HTTP Basic or with form fields.
    let res = token_response(&app, &client_id, &secret, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "applications:write users:read users:write");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(app.url("/api/v1/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", client_id.as_str()), ("client_secret", secret.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // What its scopes allow works, on its instance, and the audit log names the machine.
    let res = app.post("/api/v1/instances/acme/applications", Some(&token), json!({"kind": "backend", "name": "Billing"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.post("/api/v1/instances/acme/users", Some(&token), json!({"email": "ada@example.com", "name": "Ada"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let users: Value = app.get("/api/v1/instances/acme/users", Some(&token)).await.json().await.unwrap();
    assert_eq!(users["total"], 1);
    let log: Value = app.get("/api/v1/instances/acme/audit-log?action=application.create", Some(&owner)).await.json().await.unwrap();
    assert_eq!(log["items"][0]["actor"]["kind"], "management_client");
    assert_eq!(log["items"][0]["actor"]["label"], "Deployer");
    assert_eq!(log["items"][0]["actor"]["id"], id.as_str());

    // Beyond its scopes: 403 naming the missing scope, with the RFC 6750 challenge.
    let res = app.get("/api/v1/instances/acme/applications", Some(&token)).await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"insufficient_scope\"");
    let p = assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert!(p["detail"].as_str().unwrap().contains("applications:read"), "{p}");
    let res = app.patch("/api/v1/instances/acme", Some(&token), json!({"name": "Hijacked"})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;

    // Routes for people only, whatever the scopes.
    for (method, path) in [
        (Method::DELETE, "/api/v1/instances/acme"),
        (Method::GET, "/api/v1/instances/acme/management-clients"),
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/instances"),
        (Method::GET, "/api/v1/instances/acme/security-policy"),
    ] {
        let res = app.request(method.clone(), path, Some(&token), None).await;
        assert_problem(res, StatusCode::FORBIDDEN, "people_only").await;
    }

    // Another instance, existing or not: refused alike (nothing revealed).
    for path in ["/api/v1/instances/other/users", "/api/v1/instances/nowhere/users"] {
        let res = app.get(path, Some(&token)).await;
        assert_problem(res, StatusCode::FORBIDDEN, "wrong_instance").await;
    }

    // A token narrowed to some scopes has only those.
    let narrow = management_token(&app, &client_id, &secret, Some("users:read")).await;
    assert_eq!(app.get("/api/v1/instances/acme/users", Some(&narrow)).await.status(), StatusCode::OK);
    let res = app.post("/api/v1/instances/acme/users", Some(&narrow), json!({"email": "bob@example.com"})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;

    // Bad token requests in OAuth's own shape.
    for (scope, error) in [("settings:write", "invalid_scope"), ("users:admin", "invalid_scope")] {
        let res = token_response(&app, &client_id, &secret, Some(scope)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], error, "{scope}");
    }
    let res = token_response(&app, &client_id, "stw_cs_wrong", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    let res = app.client.post(app.url("/api/v1/oauth/token")).basic_auth(&client_id, Some(&secret)).form(&[("grant_type", "password")]).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    // An application's credentials are not a management client's.
    let app_body = app.create_app(&owner, "acme", json!({"kind": "backend", "name": "Shop"})).await;
    let res = token_response(&app, app_body["client_id"].as_str().unwrap(), app_body["client_secret"].as_str().unwrap(), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Nor is a management token a console session, or an application's token.
    let res = app.client.get(app.url("/public/v1/acme/app")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Narrowing the client's scopes applies to the tokens it already holds.
    let res = app.patch(&format!("/api/v1/instances/acme/management-clients/{id}"), Some(&owner), json!({"scopes": ["users:read"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post("/api/v1/instances/acme/users", Some(&token), json!({"email": "carol@example.com"})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert_eq!(app.get("/api/v1/instances/acme/users", Some(&token)).await.status(), StatusCode::OK);

    // Expired: no new token, and the current ones stop.
    app.state_db_execute(&format!("UPDATE management_clients SET expires_at = '2020-01-01T00:00:00+00:00' WHERE client_id = '{client_id}'")).await;
    let res = app.get("/api/v1/instances/acme/users", Some(&token)).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(token_response(&app, &client_id, &secret, None).await.status(), StatusCode::UNAUTHORIZED);
    let client: Value = app.get(&format!("/api/v1/instances/acme/management-clients/{id}"), Some(&owner)).await.json().await.unwrap();
    assert_eq!(client["expired"], true);
    app.state_db_execute(&format!("UPDATE management_clients SET expires_at = NULL WHERE client_id = '{client_id}'")).await;
    assert_eq!(app.get("/api/v1/instances/acme/users", Some(&token)).await.status(), StatusCode::OK);

    // Deleted: its tokens and secret stop at once.
    assert_eq!(app.delete(&format!("/api/v1/instances/acme/management-clients/{id}"), Some(&owner)).await.status(), StatusCode::NO_CONTENT);
    let res = app.get("/api/v1/instances/acme/users", Some(&token)).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(token_response(&app, &client_id, &secret, None).await.status(), StatusCode::UNAUTHORIZED);
}

async fn people_manage_management_clients_and_secrets_rotate_with_grace(app: TestApp) {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "acme").await;
    let admin = app.member_token(&owner, "acme", "admin@example.com", "admin").await;
    let dev = app.member_token(&owner, "acme", "dev@example.com", "developer").await;
    let base = "/api/v1/instances/acme/management-clients";

    // Admins and owners manage them; developers and viewers can't see them.
    let res = app.get(base, Some(&dev)).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.post(base, Some(&dev), json!({"name": "x", "scopes": ["users:read"]})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let (client_id, first, id) = create_client(&app, &admin, "acme", "Importer", &["users:write"]).await;
    let list: Value = app.get(base, Some(&owner)).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["scopes"], json!(["users:write"]));
    assert_eq!(list["items"][0]["secrets"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&first), "the secret is shown once");

    // Bad input: problem documents, nothing created.
    let res = app.post(base, Some(&admin), json!({"name": "", "scopes": []})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: BTreeSet<String> = field_errors(&p).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, BTreeSet::from(["name".to_owned(), "scopes".to_owned()]), "{p}");
    let res = app.post(base, Some(&admin), json!({"name": "x", "scopes": ["users:delete"]})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0], ("scopes[0]".to_owned(), "invalid_value".to_owned()), "{p}");
    let res = app.post(base, Some(&admin), json!({"name": "x", "scopes": ["users:read"], "expires_at": "2020-01-01T00:00:00Z"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0].0, "expires_at");
    let res = app.post(base, Some(&admin), json!({"name": "Importer", "scopes": ["users:read"]})).await;
    assert_problem(res, StatusCode::CONFLICT, "name_taken").await;
    let res = app.post(base, Some(&admin), json!({"name": "x", "scopes": ["users:read"], "role": "owner"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let list: Value = app.get(base, Some(&owner)).await.json().await.unwrap();
    assert_eq!(list["total"], 1);

    // An expiry can be set and removed.
    let res = app.patch(&format!("{base}/{id}"), Some(&admin), json!({"expires_at": "2999-01-01T00:00:00Z"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["expires_at"], "2999-01-01T00:00:00Z");
    let res = app.patch(&format!("{base}/{id}"), Some(&admin), json!({"expires_at": null, "description": "Nightly import"})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["expires_at"].clone(), body["description"].clone()), (Value::Null, json!("Nightly import")));

    // Rotation with a grace period: both secrets work until it ends; without one, the old stops.
    let res = app.post(&format!("{base}/{id}/secret"), Some(&admin), json!({"grace_period_secs": 3600})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = res.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(token_response(&app, &client_id, &first, None).await.status(), StatusCode::OK);
    assert_eq!(token_response(&app, &client_id, &second, None).await.status(), StatusCode::OK);
    let res = app.post(&format!("{base}/{id}/secret"), Some(&admin), json!({})).await;
    let third = res.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap().to_owned();
    for old in [&first, &second] {
        assert_eq!(token_response(&app, &client_id, old, None).await.status(), StatusCode::UNAUTHORIZED);
    }
    let token = management_token(&app, &client_id, &third, None).await;

    // A machine never manages management clients, not even its own.
    let res = app.post(&format!("{base}/{id}/secret"), Some(&token), json!({})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "people_only").await;
    let res = app.patch(&format!("{base}/{id}"), Some(&token), json!({"scopes": ["settings:write"]})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "people_only").await;

    // Another instance's client is not found through this one.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "elsewhere").await;
    let res = app.get(&format!("/api/v1/instances/elsewhere/management-clients/{id}"), Some(&other)).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;

    // The scope catalogue the console shows.
    let catalogue: Value = app.get("/api/v1/management-scopes", Some(&admin)).await.json().await.unwrap();
    assert_eq!(catalogue["items"].as_array().unwrap().len(), 14);
    assert!(catalogue["token_endpoint"].as_str().unwrap().ends_with("/api/v1/oauth/token"));
}

/// Fills a documented path with values its extractors accept.
fn concrete(path: &str, params: &[Value]) -> String {
    let mut out = path.replace("{instance}", "acme");
    for p in params {
        let name = p["name"].as_str().unwrap_or_default();
        let placeholder = format!("{{{name}}}");
        if !out.contains(&placeholder) {
            continue;
        }
        let value = match p["schema"]["enum"].as_array().and_then(|e| e.first()).and_then(Value::as_str) {
            Some(first) => first.to_owned(),
            None if p["schema"]["format"] == "uuid" => uuid::Uuid::nil().to_string(),
            None => "x".to_owned(),
        };
        out = out.replace(&placeholder, &value);
    }
    out
}

/// Walks the served document: every instance operation that declares a `management` scope
/// refuses a token with every other scope (403 naming it) and lets one with that scope through;
/// every other one refuses a token with every scope (`people_only`).
async fn every_scope_in_the_document_is_enforced(app: TestApp) {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "acme").await;
    let doc: Value = app.get("/api/openapi.json", None).await.json().await.unwrap();
    let all: Vec<String> =
        doc["components"]["securitySchemes"]["management"]["flows"]["clientCredentials"]["scopes"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(all.len(), 14);
    let mut tokens: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut token_for = async |scopes: Vec<String>| -> String {
        let key = scopes.join(" ");
        if let Some(t) = tokens.get(&key) {
            return t.clone();
        }
        let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let (cid, secret, _) = create_client(&app, &owner, "acme", &format!("walker {}", tokens.len()), &refs).await;
        let t = management_token(&app, &cid, &secret, None).await;
        tokens.insert(key, t.clone());
        t
    };
    let (mut scoped, mut people) = (0, 0);
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/instances/{instance}") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let url = concrete(path, &params);
            let method: Method = method.to_uppercase().parse().unwrap();
            let declared: Vec<String> = op["security"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r.get("management"))
                .flat_map(|s| s.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()))
                .collect();
            let call = |token: String| {
                let req = app.client.request(method.clone(), app.url(&url)).bearer_auth(token).json(&json!({}));
                async move { req.send().await.unwrap() }
            };
            match declared.as_slice() {
                [] => {
                    let res = call(token_for(all.clone()).await).await;
                    assert_problem(res, StatusCode::FORBIDDEN, "people_only").await;
                    people += 1;
                }
                [needed] => {
                    let others: Vec<String> = all.iter().filter(|s| *s != needed).cloned().collect();
                    let res = call(token_for(others).await).await;
                    let p = assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
                    assert!(p["detail"].as_str().unwrap().contains(needed.as_str()), "{method} {path}: {p}");
                    let res = call(token_for(vec![needed.clone()]).await).await;
                    assert!(
                        ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&res.status()),
                        "{method} {path} with {needed}: {} {}",
                        res.status(),
                        res.text().await.unwrap()
                    );
                    scoped += 1;
                }
                more => panic!("{method} {path}: one scope per operation, found {more:?}"),
            }
        }
    }
    assert!(scoped >= 45 && people >= 8, "walked {scoped} scoped and {people} people-only operations");
}

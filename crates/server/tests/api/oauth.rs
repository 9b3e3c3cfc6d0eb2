//! Standard OAuth endpoints of an instance: discovery (OpenID Connect and RFC 8414), token
//! revocation (RFC 7009) and introspection (RFC 7662); and revocation of management tokens.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem};

db_tests!(
    discovery_documents_describe_the_instance,
    revocation_stops_exactly_the_tokens_of_the_client,
    introspection_tells_resource_servers_what_is_live,
    a_management_client_revokes_its_own_token
);

struct Shop {
    console: String,
    client_id: String,
    secret: String,
}

async fn shop(app: &TestApp) -> Shop {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    Shop { console: s.access, client_id: back["client_id"].as_str().unwrap().into(), secret: back["client_secret"].as_str().unwrap().into() }
}

/// A form POST to `/public/v1/shop/oauth/{endpoint}` with HTTP Basic credentials.
async fn form(app: &TestApp, endpoint: &str, basic: Option<(&str, &str)>, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.post(app.url(&format!("/public/v1/shop/oauth/{endpoint}"))).form(fields);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    req.send().await.unwrap()
}

async fn json_of(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn client_token(app: &TestApp, s: &Shop) -> String {
    let body = json_of(form(app, "token", Some((&s.client_id, &s.secret)), &[("grant_type", "client_credentials")]).await).await;
    body["access_token"].as_str().unwrap().to_owned()
}

/// An end user signed in through the back-end app with the password grant: (access, refresh).
async fn user_tokens(app: &TestApp, s: &Shop, email: &str) -> (String, String) {
    let res = app.post("/api/v1/instances/shop/users", Some(&s.console), json!({"email": email, "password": PASSWORD, "email_verified": true})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body =
        json_of(form(app, "token", Some((&s.client_id, &s.secret)), &[("grant_type", "password"), ("username", email), ("password", PASSWORD)]).await).await;
    (body["access_token"].as_str().unwrap().into(), body["refresh_token"].as_str().unwrap().into())
}

async fn introspect(app: &TestApp, s: &Shop, token: &str) -> Value {
    json_of(form(app, "introspect", Some((&s.client_id, &s.secret)), &[("token", token)]).await).await
}

async fn whoami(app: &TestApp, token: &str) -> StatusCode {
    app.client.get(app.url("/public/v1/shop/app")).bearer_auth(token).send().await.unwrap().status()
}

async fn discovery_documents_describe_the_instance(app: TestApp) {
    let s = shop(&app).await;
    let oidc: Value = app.get("/public/v1/shop/.well-known/openid-configuration", None).await.json().await.unwrap();
    let rfc8414: Value = app.get("/public/v1/shop/.well-known/oauth-authorization-server", None).await.json().await.unwrap();
    let at_root: Value = app.get("/.well-known/oauth-authorization-server/public/v1/shop", None).await.json().await.unwrap();
    assert_eq!(oidc, rfc8414);
    assert_eq!(oidc, at_root);
    let issuer = oidc["issuer"].as_str().unwrap();
    assert!(issuer.ends_with("/public/v1/shop"), "{issuer}");
    // RFC 8414 §3.3: the issuer, turned into the well-known URL, gives back this document.
    let (origin, path) = issuer.split_at(issuer.find("/public/").unwrap());
    assert_eq!(format!("{origin}/.well-known/oauth-authorization-server{path}"), app.url("/.well-known/oauth-authorization-server/public/v1/shop"));

    // Every endpoint it names works, and tokens carry its issuer.
    let token_endpoint = oidc["token_endpoint"].as_str().unwrap();
    let res = app.client.post(token_endpoint).basic_auth(&s.client_id, Some(&s.secret)).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap()).unwrap();
    assert_eq!(claims["iss"], issuer);
    let jwks: Value = app.client.get(oidc["jwks_uri"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"][0]["alg"], oidc["id_token_signing_alg_values_supported"][0]);
    for endpoint in ["revocation_endpoint", "introspection_endpoint"] {
        let res = app.client.post(oidc[endpoint].as_str().unwrap()).basic_auth(&s.client_id, Some(&s.secret)).form(&[("token", &token)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{endpoint}");
    }
    assert_eq!(oidc["grant_types_supported"], json!(["authorization_code", "client_credentials", "password", "refresh_token"]));
    assert_eq!(oidc["authorization_endpoint"], format!("{issuer}/oauth/authorize"));
    assert_eq!(oidc["code_challenge_methods_supported"], json!(["S256"]));

    for path in ["/public/v1/nowhere/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/public/v1/nowhere"] {
        assert_problem(app.get(path, None).await, StatusCode::NOT_FOUND, "not_found").await;
    }
}

async fn revocation_stops_exactly_the_tokens_of_the_client(app: TestApp) {
    let s = shop(&app).await;
    let other = app.create_app(&s.console, "shop", json!({"kind": "backend", "name": "Other"})).await;
    let other =
        Shop { console: s.console.clone(), client_id: other["client_id"].as_str().unwrap().into(), secret: other["client_secret"].as_str().unwrap().into() };
    let me = Some((s.client_id.as_str(), s.secret.as_str()));

    // A client-credentials token stops at once; revoking it again, or garbage, is still 200.
    let token = client_token(&app, &s).await;
    let kept = client_token(&app, &s).await;
    assert_eq!(whoami(&app, &token).await, StatusCode::OK);
    for _ in 0..2 {
        let res = form(&app, "revoke", me, &[("token", &token), ("token_type_hint", "access_token")]).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(whoami(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(&app, &kept).await, StatusCode::OK, "only that token");
    assert_eq!(form(&app, "revoke", me, &[("token", "garbage")]).await.status(), StatusCode::OK);

    // Another client can't revoke this client's tokens (200, nothing done).
    let res = form(&app, "revoke", Some((&other.client_id, &other.secret)), &[("token", &kept)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(whoami(&app, &kept).await, StatusCode::OK);

    // Client authentication is required, and `token`.
    let res = form(&app, "revoke", None, &[("token", &kept)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    let res = form(&app, "revoke", Some((&s.client_id, "stw_cs_wrong")), &[("token", &kept)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = form(&app, "revoke", me, &[]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
    assert_eq!(whoami(&app, &kept).await, StatusCode::OK);

    // A refresh token ends the user's session: the refresh and the access token stop.
    let (access, refresh) = user_tokens(&app, &s, "ada@example.com").await;
    let me_status = |t: String| {
        let req = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(t);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(me_status(access.clone()).await, StatusCode::OK);
    // Not by another client.
    assert_eq!(form(&app, "revoke", Some((&other.client_id, &other.secret)), &[("token", &refresh)]).await.status(), StatusCode::OK);
    assert_eq!(me_status(access.clone()).await, StatusCode::OK);
    assert_eq!(form(&app, "revoke", me, &[("token", &refresh), ("token_type_hint", "refresh_token")]).await.status(), StatusCode::OK);
    assert_eq!(me_status(access.clone()).await, StatusCode::UNAUTHORIZED);
    let res = form(&app, "token", me, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // An end user's access token ends its session too.
    let (access, refresh) = {
        let body = json_of(form(&app, "token", me, &[("grant_type", "password"), ("username", "ada@example.com"), ("password", PASSWORD)]).await).await;
        (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
    };
    assert_eq!(form(&app, "revoke", me, &[("token", &access)]).await.status(), StatusCode::OK);
    assert_eq!(me_status(access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(form(&app, "token", me, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await.status(), StatusCode::BAD_REQUEST);

    // A front-end app (a public client) revokes with its client id alone.
    let front = app.create_app(&s.console, "shop", json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://shop.example.com"]})).await;
    let front_id = front["client_id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", front_id)
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let (access, refresh) = (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned());
    // Its client id can't pass for a back end's (no secret, no revocation of a back end's token).
    assert_eq!(form(&app, "revoke", None, &[("token", &kept), ("client_id", front_id)]).await.status(), StatusCode::OK);
    assert_eq!(whoami(&app, &kept).await, StatusCode::OK);
    assert_eq!(form(&app, "revoke", None, &[("token", &refresh), ("client_id", front_id)]).await.status(), StatusCode::OK);
    assert_eq!(me_status(access).await, StatusCode::UNAUTHORIZED);
    // A back end's client id without its secret is refused.
    assert_eq!(form(&app, "revoke", None, &[("token", &kept), ("client_id", &s.client_id)]).await.status(), StatusCode::UNAUTHORIZED);
}

async fn introspection_tells_resource_servers_what_is_live(app: TestApp) {
    let s = shop(&app).await;
    let me = Some((s.client_id.as_str(), s.secret.as_str()));
    let token = client_token(&app, &s).await;
    let body = json_of(form(&app, "introspect", me, &[("token", &token)]).await).await;
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["client_id"], s.client_id.as_str());
    assert_eq!(body["sub"], s.client_id.as_str());
    assert_eq!(body["scope"], "users:manage");
    assert_eq!(body["typ"], "client_credentials");
    assert!(body["exp"].as_i64().unwrap() > body["iat"].as_i64().unwrap());
    assert!(body["iss"].as_str().unwrap().ends_with("/public/v1/shop"));

    for garbage in ["garbage", "stw_rt_nothing", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."] {
        assert_eq!(introspect(&app, &s, garbage).await, json!({"active": false}), "{garbage}");
    }
    // Revoked → inactive.
    assert_eq!(form(&app, "revoke", me, &[("token", &token)]).await.status(), StatusCode::OK);
    assert_eq!(introspect(&app, &s, &token).await, json!({"active": false}));

    // An end user's access and refresh tokens, until the user is blocked.
    let (access, refresh) = user_tokens(&app, &s, "ada@example.com").await;
    let body = json_of(form(&app, "introspect", me, &[("token", &access)]).await).await;
    assert_eq!((body["active"].clone(), body["username"].clone(), body["typ"].clone()), (json!(true), json!("ada@example.com"), json!("user")));
    let body = json_of(form(&app, "introspect", me, &[("token", &refresh), ("token_type_hint", "refresh_token")]).await).await;
    assert_eq!((body["active"].clone(), body["token_type"].clone()), (json!(true), json!("refresh_token")), "{body}");
    assert_eq!(body["client_id"], s.client_id.as_str());
    let users: Value = app.get("/api/v1/instances/shop/users", Some(&s.console)).await.json().await.unwrap();
    let id = users["items"][0]["id"].as_str().unwrap();
    let res = app.post(&format!("/api/v1/instances/shop/users/{id}/block"), Some(&s.console), json!({})).await;
    assert!(res.status().is_success(), "block: {}", res.status());
    assert_eq!(introspect(&app, &s, &access).await, json!({"active": false}));
    assert_eq!(introspect(&app, &s, &refresh).await, json!({"active": false}));

    // Another instance's token is not this one's.
    let s2 = app.signup("owner2@example.com").await;
    app.create_instance(&s2.access, "mall").await;
    let back = app.create_app(&s2.access, "mall", json!({"kind": "backend", "name": "W"})).await;
    let foreign = app.client_token("mall", back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap()).await;
    let foreign = foreign.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(&app, &s, &foreign).await, json!({"active": false}));

    // Only back ends with their secret may introspect.
    let front = app.create_app(&s.console, "shop", json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://shop.example.com"]})).await;
    let token = client_token(&app, &s).await;
    let res = form(&app, "introspect", None, &[("token", &token), ("client_id", front["client_id"].as_str().unwrap())]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = form(&app, "introspect", Some((&s.client_id, "stw_cs_wrong")), &[("token", &token)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .post(app.url("/public/v1/shop/oauth/introspect"))
        .basic_auth(&s.client_id, Some(&s.secret))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "form bodies only");
}

async fn a_management_client_revokes_its_own_token(app: TestApp) {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "acme").await;
    let (id_a, secret_a, _) = crate::management_clients::create_client(&app, &owner, "acme", "A", &["users:read"]).await;
    let (id_b, secret_b, _) = crate::management_clients::create_client(&app, &owner, "acme", "B", &["users:read"]).await;
    let a = crate::management_clients::management_token(&app, &id_a, &secret_a, None).await;
    let b = crate::management_clients::management_token(&app, &id_b, &secret_b, None).await;
    let revoke =
        |id: &str, secret: &str, token: &str| app.client.post(app.url("/api/v1/oauth/revoke")).basic_auth(id, Some(secret)).form(&[("token", token)]).send();
    // B can't revoke A's token.
    assert_eq!(revoke(&id_b, &secret_b, &a).await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/instances/acme/users", Some(&a)).await.status(), StatusCode::OK);
    assert_eq!(revoke(&id_a, &secret_a, &a).await.unwrap().status(), StatusCode::OK);
    assert_problem(app.get("/api/v1/instances/acme/users", Some(&a)).await, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(app.get("/api/v1/instances/acme/users", Some(&b)).await.status(), StatusCode::OK);
    assert_eq!(revoke(&id_a, "stw_cs_wrong", &b).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

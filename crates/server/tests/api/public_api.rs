//! The instance public API: the client-credentials grant, the application gate, tokens verified
//! through the JWKS alone, attack tokens, key rotation, CORS.

use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_http::auth::instance_tokens::AppClaims;

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem};

db_tests!(
    client_credentials_grant_and_its_errors,
    tokens_verify_with_the_jwks_alone,
    attack_tokens_are_refused,
    key_rotation_keeps_old_tokens_valid,
    disabled_deleted_and_foreign_apps_are_refused,
    cors_preflight_and_origins,
    bearer_calls_from_the_browser_get_cors,
    branding_is_public,
);

struct Setup {
    client_id: String,
    secret: String,
    console: String,
}

async fn backend(app: &TestApp, slug: &str) -> Setup {
    let s = app.signup(&format!("owner@{slug}.example.com")).await;
    app.create_instance(&s.access, slug).await;
    let back = app.create_app(&s.access, slug, json!({"kind": "backend", "name": "Worker"})).await;
    Setup { client_id: back["client_id"].as_str().unwrap().into(), secret: back["client_secret"].as_str().unwrap().into(), console: s.access }
}

async fn token(app: &TestApp, slug: &str, setup: &Setup) -> String {
    let res = app.client_token(slug, &setup.client_id, &setup.secret).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

async fn oauth_error(res: reqwest::Response, status: StatusCode, error: &str) -> reqwest::header::HeaderMap {
    assert_eq!(res.status(), status);
    let headers = res.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(!body["error_description"].as_str().unwrap().is_empty());
    headers
}

async fn client_credentials_grant_and_its_errors(app: TestApp) {
    let setup = backend(&app, "shop").await;
    let url = app.url("/public/v1/shop/oauth/token");

    // HTTP Basic.
    let res = app.client_token("shop", &setup.client_id, &setup.secret).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64(), body["scope"].as_str()), (Some("Bearer"), Some(3600), Some("users:manage")));
    // Form fields, and a narrower scope.
    let res = app
        .client
        .post(&url)
        .form(&[("grant_type", "client_credentials"), ("client_id", &setup.client_id), ("client_secret", &setup.secret), ("scope", "users:manage")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let who: Value = app.client.get(app.url("/public/v1/shop/app")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
    assert_eq!((who["client_id"].as_str(), who["authenticated_by"].as_str()), (Some(setup.client_id.as_str()), Some("bearer_token")));
    assert_eq!(who["scopes"], json!(["users:manage"]));

    let h = oauth_error(app.client_token("shop", &setup.client_id, "stw_cs_wrong").await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    assert!(h["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    oauth_error(app.client_token("shop", "app_unknown", &setup.secret).await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    for header in ["Basic !!!not-base64", "Basic bm9jb2xvbg==", "Basic"] {
        let res = app.client.post(&url).header("authorization", header).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    let res = app
        .client
        .post(&url)
        .basic_auth(&setup.client_id, Some(&setup.secret))
        .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", "x")])
        .send()
        .await
        .unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let res = app.client.post(&url).basic_auth(&setup.client_id, Some(&setup.secret)).form(&[("scope", "users:manage")]).send().await.unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let res = app
        .client
        .post(&url)
        .basic_auth(&setup.client_id, Some(&setup.secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "admin:everything")])
        .send()
        .await
        .unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let res = app.client.post(&url).basic_auth(&setup.client_id, Some(&setup.secret)).json(&json!({"grant_type": "client_credentials"})).send().await.unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let res = app
        .client
        .post(&url)
        .basic_auth(&setup.client_id, Some(&setup.secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let res = app
        .client
        .post(&url)
        .basic_auth(&setup.client_id, Some(&setup.secret))
        .form(&[("grant_type", "client_credentials"), ("client_secret", &setup.secret)])
        .send()
        .await
        .unwrap();
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let res = app.client.post(&url).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // A front-end app has no secret and cannot use this grant.
    let front = app.create_app(&setup.console, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    oauth_error(app.client_token("shop", front["client_id"].as_str().unwrap(), "").await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // Unknown instance: the same answer as an unknown client.
    oauth_error(app.client_token("nowhere", &setup.client_id, &setup.secret).await, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

async fn tokens_verify_with_the_jwks_alone(app: TestApp) {
    let setup = backend(&app, "shop").await;
    let access = token(&app, "shop", &setup).await;
    let res = app.get("/public/v1/shop/.well-known/jwks.json", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let jwks: JwkSet = res.json().await.unwrap();
    let header = jsonwebtoken::decode_header(&access).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("the token's kid is published");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let issuer = app.url("/public/v1/shop");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[&issuer]);
    validation.set_issuer(&[&issuer]);
    let data = jsonwebtoken::decode::<Value>(&access, &key, &validation).expect("verifies with the JWKS alone");
    let c = data.claims;
    assert_eq!(c["client_id"], setup.client_id.as_str());
    assert_eq!(c["sub"], setup.client_id.as_str());
    assert_eq!(c["typ"], "client_credentials");
    assert!(c["exp"].as_i64().unwrap() > c["iat"].as_i64().unwrap());
    // The JWKS carries public material only.
    let text = app.get("/public/v1/shop/.well-known/jwks.json", None).await.text().await.unwrap();
    assert!(!text.contains("\"d\""), "{text}");
}

async fn attack_tokens_are_refused(app: TestApp) {
    let setup = backend(&app, "shop").await;
    let access = token(&app, "shop", &setup).await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let parts: Vec<&str> = access.split('.').collect();
    let claims: AppClaims = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let kid = jsonwebtoken::decode_header(&access).unwrap().kid.unwrap();
    let jwks: Value = app.get("/public/v1/shop/.well-known/jwks.json", None).await.json().await.unwrap();
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_owned();
    let instance = steward_persistence::instances::by_slug(&app.state.db, "shop").await.unwrap().unwrap();
    let sign_real = |c: AppClaims| {
        let state = app.state.clone();
        async move { state.instance_tokens.sign(&state.db, instance.id, &c).await.unwrap() }
    };
    // Sanity: the real key with the real claims passes, so each refusal below is about one change.
    let call = |t: String| app.client.get(app.url("/public/v1/shop/app")).bearer_auth(t).send();
    assert_eq!(call(sign_real(claims.clone()).await).await.unwrap().status(), StatusCode::OK);

    let alg_none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some(kid.clone());
    let hs256_with_public_key =
        jsonwebtoken::encode(&hs_header, &claims, &EncodingKey::from_secret(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&public_x).unwrap()))
            .unwrap();
    let hs256_with_x_text = jsonwebtoken::encode(&hs_header, &claims, &EncodingKey::from_secret(public_x.as_bytes())).unwrap();
    let other_key = {
        let seed = [77u8; 32];
        let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
        der.extend_from_slice(&seed);
        EncodingKey::from_ed_der(&der)
    };
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some("no-such-kid".into());
    let wrong_kid = jsonwebtoken::encode(&h, &claims, &other_key).unwrap();
    h.kid = Some(kid.clone());
    let forged_with_real_kid = jsonwebtoken::encode(&h, &claims, &other_key).unwrap();
    h.kid = None;
    let no_kid = jsonwebtoken::encode(&h, &claims, &other_key).unwrap();
    let tampered = {
        let mut c = claims.clone();
        c.client_id = "app_someone_else".into();
        format!("{}.{}.{}", parts[0], b64(serde_json::to_string(&c).unwrap().as_bytes()), parts[2])
    };
    let wrong_aud = sign_real(AppClaims { aud: "https://api.example.com".into(), ..claims.clone() }).await;
    let wrong_iss = sign_real(AppClaims { iss: app.url("/public/v1/other"), ..claims.clone() }).await;
    let now = chrono::Utc::now().timestamp();
    let expired = sign_real(AppClaims { iat: now - 7200, exp: now - 3600, ..claims.clone() }).await;
    let unknown_client = sign_real(AppClaims { client_id: "app_ghost".into(), sub: "app_ghost".into(), ..claims.clone() }).await;
    for (name, t) in [
        ("alg none", alg_none),
        ("HS256 with the public key", hs256_with_public_key),
        ("HS256 with the public key text", hs256_with_x_text),
        ("unknown kid", wrong_kid),
        ("other key, real kid", forged_with_real_kid),
        ("no kid", no_kid),
        ("tampered claims", tampered),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("expired", expired),
        ("client that does not exist", unknown_client),
        ("console token", app.signup("console@example.com").await.access),
    ] {
        let res = call(t).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

async fn key_rotation_keeps_old_tokens_valid(app: TestApp) {
    let setup = backend(&app, "shop").await;
    let t1 = token(&app, "shop", &setup).await;
    let keys: Value = app.get("/api/v1/instances/shop/signing-keys", Some(&setup.console)).await.json().await.unwrap();
    assert_eq!(keys["total"], 1);
    assert_eq!(keys["items"][0]["status"], "active");
    let res = app.post("/api/v1/instances/shop/signing-keys/rotate", Some(&setup.console), json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let new_kid = res.json::<Value>().await.unwrap()["kid"].as_str().unwrap().to_owned();
    let t2 = token(&app, "shop", &setup).await;
    assert_eq!(jsonwebtoken::decode_header(&t2).unwrap().kid.unwrap(), new_kid);
    assert_ne!(jsonwebtoken::decode_header(&t1).unwrap().kid, jsonwebtoken::decode_header(&t2).unwrap().kid);
    for t in [&t1, &t2] {
        assert_eq!(app.client.get(app.url("/public/v1/shop/app")).bearer_auth(t).send().await.unwrap().status(), StatusCode::OK);
    }
    let jwks: Value = app.get("/public/v1/shop/.well-known/jwks.json", None).await.json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "the old key stays published");
    let keys: Value = app.get("/api/v1/instances/shop/signing-keys", Some(&setup.console)).await.json().await.unwrap();
    let statuses: Vec<&str> = keys["items"].as_array().unwrap().iter().map(|k| k["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["active", "retired"]);
    // Only admins and owners rotate.
    app.signup("dev@example.com").await;
    app.add_member(&setup.console, "shop", "dev@example.com", "developer").await;
    let dev: Value = app.login("dev@example.com", crate::helpers::PASSWORD).await.json().await.unwrap();
    let res = app.post("/api/v1/instances/shop/signing-keys/rotate", dev["access_token"].as_str(), json!({})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn disabled_deleted_and_foreign_apps_are_refused(app: TestApp) {
    let a = backend(&app, "alpha").await;
    let b = backend(&app, "bravo").await;
    let ta = token(&app, "alpha", &a).await;
    let call = |slug: &str, t: &str| app.client.get(app.url(&format!("/public/v1/{slug}/app"))).bearer_auth(t.to_owned()).send();

    // Instance A's token and credentials mean nothing to instance B.
    assert_problem(call("bravo", &ta).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(app.client_token("bravo", &a.client_id, &a.secret).await.status(), StatusCode::UNAUTHORIZED);
    let front_a = app.create_app(&a.console, "alpha", json!({"kind": "frontend", "name": "Web"})).await;
    let res = app.client.get(app.url("/public/v1/bravo/app")).header("x-client-id", front_a["client_id"].as_str().unwrap()).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let _ = b;

    // Disabled: the token and the credentials stop working, until re-enabled.
    let list: Value = app.get("/api/v1/instances/alpha/applications", Some(&a.console)).await.json().await.unwrap();
    let back_id = list["items"].as_array().unwrap().iter().find(|x| x["kind"] == "backend").unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/instances/alpha/applications/{back_id}");
    app.patch(&path, Some(&a.console), json!({"enabled": false})).await;
    assert_problem(call("alpha", &ta).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(app.client_token("alpha", &a.client_id, &a.secret).await.status(), StatusCode::UNAUTHORIZED);
    app.patch(&path, Some(&a.console), json!({"enabled": true})).await;
    assert_eq!(call("alpha", &ta).await.unwrap().status(), StatusCode::OK);
    // Deleted: gone for good.
    app.delete(&path, Some(&a.console)).await;
    assert_problem(call("alpha", &ta).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;

    // A back-end app cannot identify by client id alone; nothing at all is refused too.
    let res = app.client.get(app.url("/public/v1/bravo/app")).header("x-client-id", &b.client_id).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    assert_problem(app.get("/public/v1/bravo/app", None).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(app.get("/public/v1/nowhere/app", None).await, StatusCode::NOT_FOUND, "not_found").await;
}

/// A front-end app calling with its end user's token (`/me`, sign-out) gets the CORS grant that
/// lets the browser read the answer; another origin is refused.
async fn bearer_calls_from_the_browser_get_cors(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://shop.example.com"]})).await;
    let client_id = front["client_id"].as_str().unwrap();
    let origin = "https://shop.example.com";
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", client_id)
        .header("origin", origin)
        .json(&json!({"email": "web@example.com", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", client_id)
        .header("origin", origin)
        .json(&json!({"email": "web@example.com", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let me = |o: &'static str| app.client.get(app.url("/public/v1/shop/me")).bearer_auth(&access).header("origin", o).send();
    let res = me(origin).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    let res = me("https://evil.example.com").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_problem(res, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let res = app.client.post(app.url("/public/v1/shop/auth/logout")).bearer_auth(&access).header("origin", origin).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
}

async fn cors_preflight_and_origins(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://shop.example.com"]})).await;
    let client_id = front["client_id"].as_str().unwrap();
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/public/v1/shop/app"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-client-id")
            .send()
    };
    let res = preflight("https://shop.example.com").await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example.com");
    assert!(res.headers()["access-control-allow-headers"].to_str().unwrap().contains("x-client-id"));
    let res = preflight("https://evil.example.com").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none(), "no CORS grant for an unknown origin");
    assert_problem(res, StatusCode::FORBIDDEN, "origin_not_allowed").await;

    let get = |origin: Option<&str>| {
        let mut r = app.client.get(app.url("/public/v1/shop/app")).header("x-client-id", client_id);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    let res = get(Some("https://shop.example.com")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example.com");
    assert_eq!(res.json::<Value>().await.unwrap()["authenticated_by"], "client_id");
    let res = get(Some("https://evil.example.com")).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_problem(res, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    // Without an Origin (not a browser) the client id alone identifies the app.
    let res = get(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // A disabled app grants nothing, preflight included.
    app.patch(&format!("/api/v1/instances/shop/applications/{}", front["id"].as_str().unwrap()), Some(&s.access), json!({"enabled": false})).await;
    assert_eq!(preflight("https://shop.example.com").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_problem(get(Some("https://shop.example.com")).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_client").await;
}

async fn branding_is_public(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let res = app.get("/public/v1/shop/branding", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let b: Value = res.json().await.unwrap();
    assert_eq!((b["instance"].as_str(), b["name"].as_str()), (Some("shop"), Some("Instance shop")));
    assert!(b["logo_url"].is_null());
    assert_problem(app.get("/public/v1/nowhere/branding", None).await, StatusCode::NOT_FOUND, "not_found").await;
}

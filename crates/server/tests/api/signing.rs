//! The instance's signing algorithm: EdDSA, ES256 or RS256, changed by a rotation that keeps
//! tokens already issued valid; tokens of each verified from the JWKS alone by an independent
//! library (PyJWT, in a Python process).

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem, field_errors};

db_tests!(each_algorithm_verifies_with_an_independent_library, algorithm_changes_refuse_bad_input_and_confusion);

/// Verifies `token` with PyJWT from the JWKS URL alone (issuer and audience pinned); answers the
/// claims, or panics with what PyJWT said.
fn verify_with_pyjwt(jwks_url: &str, issuer: &str, token: &str) -> Value {
    let script = r#"
import json, sys, jwt
jwks_url, issuer, token = sys.argv[1:4]
key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
alg = jwt.get_unverified_header(token)["alg"]
assert key.algorithm_name == alg, (key.algorithm_name, alg)
print(json.dumps(jwt.decode(token, key.key, algorithms=[alg], audience=issuer, issuer=issuer)))
"#;
    let out = std::process::Command::new("python3").args(["-c", script, jwks_url, issuer, token]).output().expect("python3 runs");
    assert!(out.status.success(), "PyJWT refused the token: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn rotate(app: &TestApp, console: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/v1/instances/shop/signing-keys/rotate")).bearer_auth(console);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn client_token(app: &TestApp, back: &Value) -> String {
    let res = app.client_token("shop", back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap()).await;
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

async fn whoami(app: &TestApp, token: &str) -> StatusCode {
    app.client.get(app.url("/public/v1/shop/app")).bearer_auth(token).send().await.unwrap().status()
}

async fn each_algorithm_verifies_with_an_independent_library(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    let issuer = app.url("/public/v1/shop");
    let jwks_url = app.url("/public/v1/shop/.well-known/jwks.json");

    let mut earlier: Vec<(String, String)> = Vec::new();
    // The default first, then each change of algorithm.
    for alg in ["EdDSA", "ES256", "RS256", "EdDSA"] {
        if !earlier.is_empty() {
            let res = rotate(&app, &s.access, Some(json!({"algorithm": alg}))).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            assert_eq!(res.json::<Value>().await.unwrap()["algorithm"], alg);
        }
        let token = client_token(&app, &back).await;
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().alg, alg.parse::<Algorithm>().unwrap());
        let claims = verify_with_pyjwt(&jwks_url, &issuer, &token);
        assert_eq!(claims["client_id"], back["client_id"]);
        let discovery: Value = app.get("/public/v1/shop/.well-known/openid-configuration", None).await.json().await.unwrap();
        assert_eq!(discovery["id_token_signing_alg_values_supported"], json!([alg]));
        earlier.push((alg.to_owned(), token));
        // Every token issued before, under any algorithm, still works and still verifies.
        for (was, t) in &earlier {
            assert_eq!(whoami(&app, t).await, StatusCode::OK, "a {was} token after switching to {alg}");
            verify_with_pyjwt(&jwks_url, &issuer, t);
        }
    }
    let keys: Value = app.get("/api/v1/instances/shop/signing-keys", Some(&s.access)).await.json().await.unwrap();
    let algs: Vec<&str> = keys["items"].as_array().unwrap().iter().map(|k| k["algorithm"].as_str().unwrap()).collect();
    assert_eq!(algs, ["EdDSA", "RS256", "ES256", "EdDSA"], "newest first, one active");
    let jwks: Value = app.get("/public/v1/shop/.well-known/jwks.json", None).await.json().await.unwrap();
    let ktys: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kty"].as_str().unwrap()).collect();
    assert_eq!(ktys, ["OKP", "RSA", "EC", "OKP"]);
    assert!(!jwks.to_string().contains("\"d\""), "public material only");

    // The quickstart's Python snippet verifies a token as it stands.
    let qs: Value =
        app.get(&format!("/api/v1/instances/shop/applications/{}/quickstart", back["id"].as_str().unwrap()), Some(&s.access)).await.json().await.unwrap();
    let token = client_token(&app, &back).await;
    let snippet = qs["verify_python"].as_str().unwrap().lines().filter(|l| !l.starts_with("# pip")).collect::<Vec<_>>().join("\n");
    let out = std::process::Command::new("python3").args(["-c", &format!("token = {token:?}\n{snippet}")]).output().unwrap();
    assert!(out.status.success(), "the quickstart's snippet failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(back["client_id"].as_str().unwrap()));
    assert!(qs["verify_node"].as_str().unwrap().contains("jwtVerify"));

    // A body-less rotation keeps the algorithm; the audit log records the change of algorithm.
    assert_eq!(rotate(&app, &s.access, None).await.json::<Value>().await.unwrap()["algorithm"], "EdDSA");
    let log: Value = app.get("/api/v1/instances/shop/audit-log?action=signing_key.rotate", Some(&s.access)).await.json().await.unwrap();
    let changes = &log["items"][1]["changes"]["algorithm"];
    assert_eq!((changes["before"].clone(), changes["after"].clone()), (json!("RS256"), json!("EdDSA")), "{log}");
}

async fn algorithm_changes_refuse_bad_input_and_confusion(app: TestApp) {
    let s = app.signup("owner@example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "Worker"})).await;
    let first = client_token(&app, &back).await;

    for bad in [json!({"algorithm": "HS256"}), json!({"algorithm": "none"}), json!({"algorithm": "RS256", "bits": 512})] {
        let p = assert_problem(rotate(&app, &s.access, Some(bad.clone())).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(!field_errors(&p).is_empty(), "{bad}: {p}");
    }
    let res = app
        .client
        .post(app.url("/api/v1/instances/shop/signing-keys/rotate"))
        .bearer_auth(&s.access)
        .header("content-type", "text/plain")
        .body("RS256")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let keys: Value = app.get("/api/v1/instances/shop/signing-keys", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(keys["total"], 1, "nothing rotated");
    // A developer can't change it.
    let dev = app.member_token(&s.access, "shop", "dev@example.com", "developer").await;
    assert_problem(rotate(&app, &dev, Some(json!({"algorithm": "RS256"}))).await, StatusCode::FORBIDDEN, "forbidden").await;

    // RS256 now: a token signed with HS256 using the published public key as the secret (the
    // classic confusion) is refused, as is one that names the RSA key but claims EdDSA.
    assert_eq!(rotate(&app, &s.access, Some(json!({"algorithm": "RS256"}))).await.status(), StatusCode::CREATED);
    let good = client_token(&app, &back).await;
    let kid = jsonwebtoken::decode_header(&good).unwrap().kid.unwrap();
    let jwks: Value = app.get("/public/v1/shop/.well-known/jwks.json", None).await.json().await.unwrap();
    let rsa = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid.as_str()).unwrap().clone();
    let payload = good.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for secret in [rsa["n"].as_str().unwrap().as_bytes().to_vec(), rsa.to_string().into_bytes()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret)).unwrap();
        assert_eq!(whoami(&app, &forged).await, StatusCode::UNAUTHORIZED);
    }
    let parts: Vec<&str> = good.split('.').collect();
    let eddsa_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "kid": kid, "typ": "at+jwt"}).to_string());
    assert_eq!(whoami(&app, &format!("{eddsa_header}.{}.{}", parts[1], parts[2])).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(&app, &good).await, StatusCode::OK);
    assert_eq!(whoami(&app, &first).await, StatusCode::OK, "the EdDSA token from before the change");
}

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{MASTER_KEY_B64, PASSWORD, TestApp, assert_problem, field_errors};

db_tests!(
    signup_signs_in_and_me_answers_without_password_data,
    signup_refuses_bad_and_duplicate_input,
    login_unknown_email_and_wrong_password_look_the_same,
    refresh_rotates_and_reuse_revokes_the_chain,
    two_refreshes_at_once_keep_the_session,
    the_console_session_lives_in_an_http_only_cookie,
    the_console_sends_a_content_security_policy,
    logout_revokes_the_session,
    password_change_revokes_other_sessions,
    lockout_after_ten_failures,
    forged_and_expired_tokens_are_refused,
    profile_edit_and_email_change_need_the_password,
);

async fn signup_signs_in_and_me_answers_without_password_data(app: TestApp) {
    let res = app.post("/api/v1/auth/signup", None, json!({"email": " Ada@Example.COM ", "password": PASSWORD, "name": "Ada Lovelace"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["location"], "/api/v1/me");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["account"]["email"], "ada@example.com");
    let access = body["access_token"].as_str().unwrap();

    let me: Value = app.get("/api/v1/me", Some(access)).await.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["name"], "Ada Lovelace");
    let text = me.to_string();
    assert!(!text.contains("argon2") && !text.contains("password"), "{text}");

    // The normalised email signs in, whatever its case.
    assert_eq!(app.login("ADA@example.com", PASSWORD).await.status(), StatusCode::OK);
}

async fn signup_refuses_bad_and_duplicate_input(app: TestApp) {
    let res = app.post("/api/v1/auth/signup", None, json!({"email": "not-an-email", "password": "short", "name": "  "})).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = field_errors(&problem);
    assert!(fields.contains(&("email".into(), "invalid_email".into())), "{fields:?}");
    assert!(fields.contains(&("password".into(), "password_too_short".into())), "{fields:?}");
    assert!(fields.contains(&("name".into(), "required".into())), "{fields:?}");

    let long = "x".repeat(257);
    let res = app.post("/api/v1/auth/signup", None, json!({"email": "a@example.com", "password": long, "name": "A"})).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("password".to_owned(), "password_too_long".to_owned())]);

    app.signup("grace@example.com").await;
    let res = app.post("/api/v1/auth/signup", None, json!({"email": "GRACE@example.com", "password": PASSWORD, "name": "Other"})).await;
    let problem = assert_problem(res, StatusCode::CONFLICT, "email_taken").await;
    assert_eq!(field_errors(&problem), vec![("email".to_owned(), "email_taken".to_owned())]);
    // Nothing changed: the first account still signs in, the second password does not.
    assert_eq!(app.login("grace@example.com", PASSWORD).await.status(), StatusCode::OK);
}

async fn login_unknown_email_and_wrong_password_look_the_same(app: TestApp) {
    app.signup("known@example.com").await;
    let wrong = app.login("known@example.com", "wrong password").await;
    let unknown = app.login("unknown@example.com", "wrong password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let a: Value = wrong.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a["code"], "invalid_credentials");
}

async fn refresh_rotates_and_reuse_revokes_the_chain(app: TestApp) {
    let s = app.signup("rot@example.com").await;
    let r1 = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": s.refresh})).await;
    assert_eq!(r1.status(), StatusCode::OK);
    let t1: Value = r1.json().await.unwrap();
    let refresh2 = t1["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, s.refresh);
    let access2 = t1["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/me", Some(&access2)).await.status(), StatusCode::OK);

    // The first token again, past the grace period: theft detected, the whole session ends.
    app.age_refresh_token_uses().await;
    let reused = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": s.refresh})).await;
    assert_problem(reused, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    let r2 = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh2})).await;
    assert_problem(r2, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_problem(app.get("/api/v1/me", Some(&access2)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    assert_problem(app.get("/api/v1/me", Some(&s.access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;

    // Garbage tokens.
    let res = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "stw_rt_nonsense"})).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let res = app.post("/api/v1/auth/refresh", None, json!({})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

/// A reload (or a second tab) refreshing while the first refresh is under way sends the same
/// token twice at once: both keep the session (the reuse grace), and each new token works.
async fn two_refreshes_at_once_keep_the_session(app: TestApp) {
    let s = app.signup("race@example.com").await;
    for _ in 0..3 {
        let send = || app.post("/api/v1/auth/refresh", None, json!({"refresh_token": s.refresh.clone()}));
        let (a, b) = tokio::join!(send(), send());
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        for t in [&a, &b] {
            assert_eq!(app.get("/api/v1/me", Some(t["access_token"].as_str().unwrap())).await.status(), StatusCode::OK);
        }
        // Both successors work (each once).
        for t in [&a, &b] {
            let next = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": t["refresh_token"]})).await;
            assert_eq!(next.status(), StatusCode::OK);
        }
    }
    // A replay after the grace period is theft: the session ends.
    app.age_refresh_token_uses().await;
    assert_problem(app.post("/api/v1/auth/refresh", None, json!({"refresh_token": s.refresh})).await, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    assert_problem(app.get("/api/v1/me", Some(&s.access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
}

/// The console keeps its refresh token out of JavaScript's reach: an HttpOnly, SameSite=Strict
/// cookie scoped to the refresh route, never in a body; the access token is in the body only.
async fn the_console_session_lives_in_an_http_only_cookie(app: TestApp) {
    app.signup("cookie@example.com").await;
    let cookie_of = |res: &reqwest::Response| -> Option<String> {
        res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("steward_refresh=")).map(str::to_owned)
    };
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-steward-session", "cookie")
        .json(&json!({"email": "cookie@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = cookie_of(&res).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth/refresh", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none() && body["access_token"].is_string(), "{body}");
    let token = cookie.trim_start_matches("steward_refresh=").split(';').next().unwrap().to_owned();

    // Refresh with the cookie alone: a new access token and a new cookie.
    let refresh = |t: &str| {
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .header("x-steward-session", "cookie")
            .header("cookie", format!("other=1; steward_refresh={t}"))
            .json(&json!({}))
            .send()
    };
    let res = refresh(&token).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let next = cookie_of(&res).expect("a rotated cookie");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(next, cookie);
    // No cookie: signed out, clearly.
    let res = app.client.post(app.url("/api/v1/auth/refresh")).header("x-steward-session", "cookie").json(&json!({})).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let res = app.client.post(app.url("/api/v1/auth/refresh")).header("x-steward-session", "sometimes").json(&json!({})).send().await.unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_header").await;
    // Sign-out clears the cookie.
    let res = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(cookie_of(&res).is_some_and(|c| c.contains("Max-Age=0")));
    // API clients still get the token in the body.
    let res = app.login("cookie@example.com", PASSWORD).await;
    assert!(cookie_of(&res).is_none());
    assert!(res.json::<Value>().await.unwrap()["refresh_token"].is_string());
}

/// The console's pages carry a Content-Security-Policy that forbids framing and foreign scripts.
async fn the_console_sends_a_content_security_policy(app: TestApp) {
    for path in ["/", "/i/shop/users", "/assets/app.js"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(res.headers().get("x-frame-options").unwrap(), "DENY");
        assert_eq!(res.headers().get("x-content-type-options").unwrap(), "nosniff");
    }
}

async fn logout_revokes_the_session(app: TestApp) {
    let s = app.signup("out@example.com").await;
    let other = app.login("out@example.com", PASSWORD).await.json::<Value>().await.unwrap();
    let res = app.post("/api/v1/auth/logout", Some(&s.access), json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/api/v1/me", Some(&s.access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let res = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": s.refresh})).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    // Another session of the same account is untouched.
    assert_eq!(app.get("/api/v1/me", Some(other["access_token"].as_str().unwrap())).await.status(), StatusCode::OK);
}

async fn password_change_revokes_other_sessions(app: TestApp) {
    let a = app.signup("pw@example.com").await;
    let b: Value = app.login("pw@example.com", PASSWORD).await.json().await.unwrap();
    let b_access = b["access_token"].as_str().unwrap();
    let b_refresh = b["refresh_token"].as_str().unwrap();

    let res = app.post("/api/v1/me/password", Some(&a.access), json!({"current_password": "wrong one", "new_password": "a new long password"})).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("current_password".to_owned(), "incorrect_password".to_owned())]);
    let res = app.post("/api/v1/me/password", Some(&a.access), json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // Nothing changed so far.
    assert_eq!(app.get("/api/v1/me", Some(b_access)).await.status(), StatusCode::OK);

    let res = app.post("/api/v1/me/password", Some(&a.access), json!({"current_password": PASSWORD, "new_password": "a new long password"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", Some(&a.access)).await.status(), StatusCode::OK, "this session stays");
    assert_problem(app.get("/api/v1/me", Some(b_access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let res = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": b_refresh})).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@example.com", "a new long password").await.status(), StatusCode::OK);
}

async fn lockout_after_ten_failures(app: TestApp) {
    app.signup("lock@example.com").await;
    for i in 0..10 {
        let res = app.login("lock@example.com", "not the password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app.login("lock@example.com", PASSWORD).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Unknown emails lock the same way, so the lock does not reveal which emails exist.
    for _ in 0..10 {
        app.login("ghost@example.com", "not the password").await;
    }
    assert_eq!(app.login("ghost@example.com", "x").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not affected.
    app.signup("free@example.com").await;
    assert_eq!(app.login("free@example.com", PASSWORD).await.status(), StatusCode::OK);
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    sid: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    typ: &'a str,
}

async fn forged_and_expired_tokens_are_refused(app: TestApp) {
    let s = app.signup("forge@example.com").await;
    let payload: Value = {
        let part = s.access.split('.').nth(1).unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let key = {
        let dir = tempfile::tempdir().unwrap();
        steward::keys::MasterKey::load_or_create(Some(&MASTER_KEY_B64), dir.path()).unwrap().derive("console-access-token/v1")
    };
    let now = chrono::Utc::now().timestamp();
    let (iss, sub, sid) = (payload["iss"].as_str().unwrap(), payload["sub"].as_str().unwrap(), payload["sid"].as_str().unwrap());
    let sign = |claims: &Claims, key: &[u8]| jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key)).unwrap();
    let jti = uuid::Uuid::now_v7().to_string();
    let good = Claims { iss, aud: "steward-console", sub, sid, iat: now, exp: now + 600, jti: &jti, typ: "console_access" };
    // Sanity: a token forged with the real key and right claims is accepted, so the refusals
    // below are about the one thing each changes.
    assert_eq!(app.get("/api/v1/me", Some(&sign(&good, &key))).await.status(), StatusCode::OK);

    let expired = sign(&Claims { iat: now - 1000, exp: now - 100, ..good }, &key);
    let wrong_typ = sign(&Claims { typ: "refresh", ..good }, &key);
    let wrong_aud = sign(&Claims { aud: "instance-api", ..good }, &key);
    let wrong_iss = sign(&Claims { iss: "http://evil.example", ..good }, &key);
    let wrong_key = sign(&good, &[1u8; 32]);
    let header_none = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = s.access.split('.').nth(1).unwrap();
    let alg_none = format!("{header_none}.{body}.");
    let tampered = {
        let mut parts: Vec<String> = s.access.split('.').map(str::to_owned).collect();
        let mut claims = payload.clone();
        claims["sub"] = json!(uuid::Uuid::now_v7().to_string());
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        parts.join(".")
    };
    for (name, token) in [
        ("expired", expired),
        ("wrong typ", wrong_typ),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("wrong key", wrong_key),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let res = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    let res = app.client.get(app.url("/api/v1/me")).header("authorization", format!("Basic {}", s.access)).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

async fn profile_edit_and_email_change_need_the_password(app: TestApp) {
    let s = app.signup("me@example.com").await;
    app.signup("taken@example.com").await;
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"name": "New Name"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "New Name");

    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "new@example.com"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("current_password".to_owned(), "required".to_owned())]);
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "new@example.com", "current_password": "nope nope"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("current_password".to_owned(), "incorrect_password".to_owned())]);
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "TAKEN@example.com", "current_password": PASSWORD})).await;
    assert_problem(res, StatusCode::CONFLICT, "email_taken").await;
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"name": "", "email": "bad"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p).len(), 2);
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"id": "01000000-0000-7000-8000-000000000000"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "New@Example.com", "current_password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["name"].as_str()), (Some("new@example.com"), Some("New Name")));
    assert_eq!(app.login("new@example.com", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login("me@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

//! The pages behind email links: which address and application a link is for, whether it still
//! works, and a new link in place of an expired one — for end users and for console accounts.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem};

db_tests!(an_end_users_link_says_what_it_is_and_renews, a_console_accounts_link_says_what_it_is);

fn token_in(message: &str) -> String {
    let at = message.find("token=").expect("a link with a token");
    message[at + 6..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// The texts of the mailbox's messages to `to`, newest first, once there are `n`.
async fn texts(app: &TestApp, console: &str, to: &str, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let m: Value = app.get(&format!("/api/v1/instances/shop/mailbox?to={to}"), Some(console)).await.json().await.unwrap();
        let items = m["items"].as_array().unwrap();
        if items.len() >= n {
            return items.iter().map(|i| i["text"].as_str().unwrap().to_owned()).collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} messages to {to}");
}

async fn an_end_users_link_says_what_it_is_and_renews(app: TestApp) {
    let console = app.signup("owner@shop.example.com").await.access;
    app.create_instance(&console, "shop").await;
    let web = app.create_app(&console, "shop", json!({"kind": "frontend", "name": "Shop web", "allowed_origins": ["https://shop.example.com"]})).await;
    let client_id = web["client_id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", client_id)
        .json(&json!({"email": "reader@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let first = token_in(&texts(&app, &console, "reader@example.com", 1).await[0]);

    let info = |t: &str| app.client.post(app.url("/public/v1/shop/auth/link-info")).json(&json!({"token": t})).send();
    let renew = |t: &str| app.client.post(app.url("/public/v1/shop/auth/link-renew")).json(&json!({"token": t})).send();
    let res = info(&first).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let i: Value = res.json().await.unwrap();
    assert_eq!(i["purpose"], "verify_email");
    assert_eq!(i["email"], "reader@example.com");
    assert_eq!(i["state"], "valid");
    assert_eq!(i["application"], json!({"name": "Shop web", "url": "https://shop.example.com"}), "back to the app it was asked from");
    assert_problem(info("made-up").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_token").await;
    assert_problem(
        app.client.post(app.url("/public/v1/nowhere/auth/link-info")).json(&json!({"token": first})).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = app.client.post(app.url("/public/v1/shop/auth/link-info")).json(&json!({"token": first, "app": "x"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");

    // Expired: it says so, and a new link goes to the same address (the old one dies).
    app.state_db_execute("UPDATE user_tokens SET expires_at = created_at").await;
    assert_eq!(info(&first).await.unwrap().json::<Value>().await.unwrap()["state"], "expired");
    let res = renew(&first).await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap()["email"], "reader@example.com");
    let second = token_in(&texts(&app, &console, "reader@example.com", 2).await[0]);
    assert_ne!(second, first);
    assert_eq!(info(&first).await.unwrap().json::<Value>().await.unwrap()["state"], "used", "the new link replaced it");
    let i: Value = info(&second).await.unwrap().json().await.unwrap();
    assert_eq!(i["state"], "valid");
    assert_eq!(i["application"]["name"], "Shop web", "the renewed link keeps its application");

    // Once verified, a renewal is refused with a clear answer, and the link reads as used.
    let res = app.client.post(app.url("/public/v1/shop/auth/verify-email")).json(&json!({"token": second})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(info(&second).await.unwrap().json::<Value>().await.unwrap()["state"], "used");
    assert_problem(renew(&second).await.unwrap(), StatusCode::CONFLICT, "already_verified").await;
    assert_problem(renew("made-up").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_token").await;

    // A link from another instance is unknown here.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "other").await;
    let res = app.client.post(app.url("/public/v1/other/auth/link-info")).json(&json!({"token": second})).send().await.unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_token").await;

    // Renewals count against the instance's email limits: a flood is refused, not sent.
    let before = texts(&app, &console, "reader@example.com", 2).await.len();
    let user = app.post("/api/v1/instances/shop/users", Some(&console), json!({"email": "invitee@example.com", "send_invitation": true})).await;
    assert_eq!(user.status(), StatusCode::CREATED);
    let invite = token_in(&texts(&app, &console, "invitee@example.com", 1).await[0]);
    let i: Value = info(&invite).await.unwrap().json().await.unwrap();
    assert_eq!(i["purpose"], "invitation");
    assert_eq!(i["application"]["url"], "https://shop.example.com", "a console-sent link goes back to the instance's front end");
    let mut limited = false;
    for _ in 0..30 {
        let res = renew(&invite).await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            assert!(res.headers().contains_key("retry-after"));
            break;
        }
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    assert!(limited, "renewals are limited per recipient");
    assert_eq!(texts(&app, &console, "reader@example.com", before).await.len(), before, "nothing else was sent to the reader");
}

async fn a_console_accounts_link_says_what_it_is(app: TestApp) {
    app.signup("dev@example.com").await;
    let link = app.platform_link("dev@example.com", "/verify-email").await;
    let info = |t: &str| app.post("/api/v1/auth/link-info", None, json!({"token": t}));
    let res = info(&link).await;
    assert_eq!(res.status(), StatusCode::OK);
    let i: Value = res.json().await.unwrap();
    assert_eq!(i["purpose"], "verify_email");
    assert_eq!(i["email"], "dev@example.com");
    assert_eq!(i["state"], "valid");
    app.verify_email("dev@example.com").await;
    assert_eq!(info(&link).await.json::<Value>().await.unwrap()["state"], "used");
    assert_problem(info("made-up").await, StatusCode::BAD_REQUEST, "invalid_token").await;
}

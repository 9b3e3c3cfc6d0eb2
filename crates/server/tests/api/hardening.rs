//! What a careless tenant or an attacker tries: concurrency against the lockout, email floods,
//! timing, viewers reading live links, links that outlive their address, half-applied changes,
//! garbage cursors. Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem, field_errors};

db_tests!(
    concurrent_wrong_passwords_check_at_most_the_threshold,
    current_password_checks_are_locked_out_too,
    email_sending_routes_are_limited,
    forgot_password_does_the_same_work_for_unknown_addresses,
    viewers_never_see_live_links,
    links_die_with_the_address_they_were_sent_to,
    own_email_change_is_confirmed_from_the_new_address,
    a_bad_field_changes_nothing,
    back_end_apps_can_invite,
    garbage_cursors_are_never_a_server_error,
    a_stored_template_that_breaks_falls_back_to_the_default,
    retention_deletes_only_what_is_old,
    the_longest_addresses_are_counted_too,
);

struct Ctx {
    console: String,
    client_id: String,
}

async fn setup(app: &TestApp) -> Ctx {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let front = app.create_app(&s.access, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    Ctx { console: s.access, client_id: front["client_id"].as_str().unwrap().to_owned() }
}

fn public(app: &TestApp, ctx: &Ctx, path: &str) -> reqwest::RequestBuilder {
    app.client.post(app.url(&format!("/public/v1/shop{path}"))).header("x-client-id", &ctx.client_id)
}

async fn register(app: &TestApp, ctx: &Ctx, email: &str) {
    let res = public(app, ctx, "/auth/register").json(&json!({"email": email, "password": PASSWORD, "name": "Reader"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED, "register {email}");
}

async fn user_login(app: &TestApp, ctx: &Ctx, email: &str, password: &str) -> reqwest::Response {
    public(app, ctx, "/auth/login").json(&json!({"email": email, "password": password})).send().await.unwrap()
}

/// The outbox rows, once none is queued or being sent.
async fn settled_outbox(app: &TestApp, console: &str) -> Vec<Value> {
    for _ in 0..400 {
        let o: Value = app.get("/api/v1/instances/shop/outbox?limit=100", Some(console)).await.json().await.unwrap();
        let items = o["items"].as_array().unwrap().clone();
        if items.iter().all(|e| e["status"] != "queued" && e["status"] != "sending") {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the outbox did not settle");
}

async fn mailbox(app: &TestApp, token: &str, to: &str) -> Vec<Value> {
    let m: Value = app.get(&format!("/api/v1/instances/shop/mailbox?to={to}"), Some(token)).await.json().await.unwrap();
    m["items"].as_array().unwrap().clone()
}

fn token_in(text: &str) -> String {
    let at = text.find("token=").expect("a link with a token");
    text[at + 6..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Password checks recorded for `email` (each is one hash): failed and succeeded attempts;
/// locked ones were refused without a hash.
async fn checks(app: &TestApp, email: &str) -> (usize, usize) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use steward_persistence::entities::login_attempts::{Column, Entity};
    let rows = Entity::find().filter(Column::Email.eq(email)).all(&app.state.db).await.unwrap();
    let checked = rows.iter().filter(|r| r.outcome != "locked").count();
    let locked = rows.iter().filter(|r| r.outcome == "locked").count();
    (checked, locked)
}

/// 200 concurrent wrong passwords for one account check at most the threshold (10) passwords;
/// the rest are refused with 429 without a hash — console and public sign-in alike.
async fn concurrent_wrong_passwords_check_at_most_the_threshold(app: TestApp) {
    let ctx = setup(&app).await;
    app.signup("victim@example.com").await;
    let attempts: Vec<_> = (0..200).map(|_| app.login("victim@example.com", "wrong password!")).collect();
    let statuses = futures_util::future::join_all(attempts).await.into_iter().map(|r| r.status()).collect::<Vec<_>>();
    let unauthorized = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let locked = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(unauthorized + locked, 200, "{statuses:?}");
    assert!(unauthorized <= 10, "{unauthorized} passwords were checked");
    let (checked, _) = checks(&app, "victim@example.com").await;
    assert!(checked <= 10, "{checked} hashes");
    // The right password is refused too while locked, with Retry-After.
    let res = app.login("victim@example.com", PASSWORD).await;
    assert!(res.headers().get("retry-after").is_some());
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    // Public sign-in, the same.
    register(&app, &ctx, "enduser@example.com").await;
    let attempts: Vec<_> = (0..100).map(|_| user_login(&app, &ctx, "enduser@example.com", "wrong password!")).collect();
    let statuses = futures_util::future::join_all(attempts).await.into_iter().map(|r| r.status()).collect::<Vec<_>>();
    assert!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count() <= 10, "{statuses:?}");
    assert_eq!(user_login(&app, &ctx, "enduser@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);

    // The OAuth password grant shares the same count.
    register(&app, &ctx, "grant@example.com").await;
    let back = app.create_app(&ctx.console, "shop", json!({"kind": "backend", "name": "Server"})).await;
    let (id, secret) = (back["client_id"].as_str().unwrap().to_owned(), back["client_secret"].as_str().unwrap().to_owned());
    let grants: Vec<_> = (0..60)
        .map(|_| {
            app.client
                .post(app.url("/public/v1/shop/oauth/token"))
                .basic_auth(&id, Some(&secret))
                .form(&[("grant_type", "password"), ("username", "grant@example.com"), ("password", "wrong password!")])
                .send()
        })
        .collect();
    let statuses = futures_util::future::join_all(grants).await.into_iter().map(|r| r.unwrap().status()).collect::<Vec<_>>();
    let checked = statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count();
    assert!(checked <= 10 && statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let (hashed, _) = checks(&app, "grant@example.com").await;
    assert!(hashed <= 10, "{hashed} hashes");
}

/// Guessing the current password with a stolen access token is locked out like sign-in
/// (console `/me/password`, `PATCH /me`; public `PATCH /me`).
async fn current_password_checks_are_locked_out_too(app: TestApp) {
    let ctx = setup(&app).await;
    let s = app.signup("me@example.com").await;
    let guesses: Vec<_> = (0..40)
        .map(|_| app.post("/api/v1/me/password", Some(&s.access), json!({"current_password": "guess guess", "new_password": "new password 1"})))
        .collect();
    let statuses = futures_util::future::join_all(guesses).await.into_iter().map(|r| r.status()).collect::<Vec<_>>();
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert!(checked <= 10 && statuses.iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "new@example.com", "current_password": PASSWORD})).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    register(&app, &ctx, "eu@example.com").await;
    let t: Value = user_login(&app, &ctx, "eu@example.com", PASSWORD).await.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let guesses: Vec<_> = (0..40)
        .map(|_| {
            app.client
                .patch(app.url("/public/v1/shop/me"))
                .bearer_auth(&access)
                .json(&json!({"new_password": "new password 1", "current_password": "guess guess"}))
                .send()
        })
        .collect();
    let statuses = futures_util::future::join_all(guesses).await.into_iter().map(|r| r.unwrap().status()).collect::<Vec<_>>();
    assert!(statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count() <= 10, "{statuses:?}");
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS));
}

/// Anyone with a public client id cannot make the platform send unlimited email: per recipient,
/// per client IP and per instance, in the database, 429 with Retry-After.
async fn email_sending_routes_are_limited(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "target@example.com").await;
    // Per recipient: 5 an hour (registration counted one).
    for _ in 0..4 {
        let res = public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "target@example.com"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    let res = public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "Target@Example.com"})).send().await.unwrap();
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_emails_to_recipient").await;
    let res = public(&app, &ctx, "/auth/resend-verification").json(&json!({"email": "target@example.com"})).send().await.unwrap();
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_emails_to_recipient").await;
    // An unknown address is limited the same way (a 429 tells nothing about accounts).
    for _ in 0..5 {
        public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "nobody@example.com"})).send().await.unwrap();
    }
    let res = public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "nobody@example.com"})).send().await.unwrap();
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_emails_to_recipient").await;
    // Per client IP: 30 an hour, whatever the addresses (this IP has made 13 so far).
    let mut refused = None;
    for i in 0..30 {
        let res = public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": format!("spray{i}@example.com")})).send().await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, res));
            break;
        }
    }
    let (i, res) = refused.expect("the IP limit");
    assert_eq!(i, 17, "30 requests an hour from one IP (13 made before)");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests_from_ip").await;
    // The limits are in the database: another process sees them.
    let other = TestApp::start(app.db(), |_| {}).await;
    let res = other
        .client
        .post(other.url("/public/v1/shop/auth/forgot-password"))
        .header("x-client-id", &ctx.client_id)
        .json(&json!({"email": "x@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Nothing past the limits was queued.
    let rows = settled_outbox(&app, &ctx.console).await;
    assert!(rows.len() <= 30, "{}", rows.len());
}

/// Forgot-password does the same work whether or not the address has an account: one row in the
/// outbox, resolved by the worker (sent, or skipped with the reason for the console).
async fn forgot_password_does_the_same_work_for_unknown_addresses(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "known@example.com").await;
    settled_outbox(&app, &ctx.console).await;
    for email in ["known@example.com", "unknown@example.com"] {
        let res = public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": email})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert!(res.bytes().await.unwrap().is_empty(), "the same empty answer");
    }
    let rows = settled_outbox(&app, &ctx.console).await;
    let known: Vec<_> = rows.iter().filter(|r| r["to"] == "known@example.com" && r["kind"] == "reset_password").collect();
    let unknown: Vec<_> = rows.iter().filter(|r| r["to"] == "unknown@example.com").collect();
    assert_eq!((known.len(), unknown.len()), (1, 1), "{rows:?}");
    assert_eq!(known[0]["status"], "sent");
    assert_eq!(unknown[0]["status"], "skipped");
    assert_eq!(unknown[0]["last_error"], "no account has this address");
    assert!(mailbox(&app, &ctx.console, "unknown@example.com").await.is_empty());
    // A blocked user gets no reset link either (skipped, same answer).
    let users: Value = app.get("/api/v1/instances/shop/users?q=known", Some(&ctx.console)).await.json().await.unwrap();
    let id = users["items"][0]["id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/instances/shop/users/{id}/block"), Some(&ctx.console), json!({})).await.status(), StatusCode::OK);
    assert_eq!(public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "known@example.com"})).send().await.unwrap().status(), StatusCode::ACCEPTED);
    let rows = settled_outbox(&app, &ctx.console).await;
    assert_eq!(rows[0]["status"], "skipped");
    assert_eq!(rows[0]["last_error"], "the user is blocked");
}

/// A viewer reads the mailbox with live links redacted; stored outbox bodies never hold one.
async fn viewers_never_see_live_links(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "reader@example.com").await;
    public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "reader@example.com"})).send().await.unwrap();
    settled_outbox(&app, &ctx.console).await;
    app.signup("viewer@shop.example.com").await;
    app.add_member(&ctx.console, "shop", "viewer@shop.example.com", "viewer").await;
    let viewer = app.login("viewer@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();

    let owner_view = mailbox(&app, &ctx.console, "reader@example.com").await;
    let viewer_view = mailbox(&app, &viewer, "reader@example.com").await;
    assert_eq!(owner_view.len(), 2);
    for (mine, theirs) in owner_view.iter().zip(&viewer_view) {
        let live = token_in(mine["text"].as_str().unwrap());
        assert!(live.len() >= 40, "the owner sees the link");
        for part in ["text", "html"] {
            let shown = theirs[part].as_str().unwrap();
            assert!(!shown.contains(&live), "a viewer sees a live link in {part}");
            assert!(shown.contains("token=[redacted]"), "{shown}");
        }
        let one: Value = app.get(&format!("/api/v1/instances/shop/mailbox/{}", theirs["id"].as_str().unwrap()), Some(&viewer)).await.json().await.unwrap();
        assert!(!one["html"].as_str().unwrap().contains(&live));
    }
    // The outbox keeps what was sent, never the live link (whoever reads it, and in the database).
    use sea_orm::EntityTrait;
    for row in steward_persistence::entities::outbox_emails::Entity::find().all(&app.state.db).await.unwrap() {
        for live in owner_view.iter().map(|m| token_in(m["text"].as_str().unwrap())) {
            assert!(!row.text_body.contains(&live) && !row.html_body.contains(&live) && !row.payload.clone().unwrap_or_default().contains(&live));
        }
    }
}

/// A reset or verification link works only while the user's email is the one it was sent to.
async fn links_die_with_the_address_they_were_sent_to(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "moving@example.com").await;
    public(&app, &ctx, "/auth/forgot-password").json(&json!({"email": "moving@example.com"})).send().await.unwrap();
    settled_outbox(&app, &ctx.console).await;
    let messages = mailbox(&app, &ctx.console, "moving@example.com").await;
    let reset = token_in(messages.iter().find(|m| m["subject"].as_str().unwrap().contains("Reset")).unwrap()["text"].as_str().unwrap());
    let verify = token_in(messages.iter().find(|m| m["subject"].as_str().unwrap().contains("Verify")).unwrap()["text"].as_str().unwrap());
    // The admin changes the user's email: both links die.
    let users: Value = app.get("/api/v1/instances/shop/users?q=moving", Some(&ctx.console)).await.json().await.unwrap();
    let id = users["items"][0]["id"].as_str().unwrap();
    let res = app.patch(&format!("/api/v1/instances/shop/users/{id}"), Some(&ctx.console), json!({"email": "moved@example.com"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reset_with =
        app.client.post(app.url("/public/v1/shop/auth/reset-password")).json(&json!({"token": reset, "password": "taken over!!"})).send().await.unwrap();
    assert_problem(reset_with, StatusCode::BAD_REQUEST, "invalid_token").await;
    let verify_with = app.client.post(app.url("/public/v1/shop/auth/verify-email")).json(&json!({"token": verify})).send().await.unwrap();
    assert_problem(verify_with, StatusCode::BAD_REQUEST, "invalid_token").await;
    assert_eq!(user_login(&app, &ctx, "moved@example.com", PASSWORD).await.status(), StatusCode::OK, "the password did not change");
    // A made-up token is refused before any hashing (and a valid-looking one too).
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/reset-password"))
        .json(&json!({"token": "x".repeat(43), "password": "whatever 123"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_token").await;
}

/// Changing one's own email: nothing changes until the new address confirms it; the answer is the
/// same when another account has the address (its owner is told instead).
async fn own_email_change_is_confirmed_from_the_new_address(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "ada@example.com").await;
    register(&app, &ctx, "taken@example.com").await;
    let t: Value = user_login(&app, &ctx, "ada@example.com", PASSWORD).await.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let patch = |body: Value| app.client.patch(app.url("/public/v1/shop/me")).bearer_auth(&access).json(&body).send();
    let free = patch(json!({"email": "ada.new@example.com", "current_password": PASSWORD})).await.unwrap();
    assert_eq!(free.status(), StatusCode::OK);
    let free: Value = free.json().await.unwrap();
    let taken = patch(json!({"email": "taken@example.com", "current_password": PASSWORD})).await.unwrap();
    assert_eq!(taken.status(), StatusCode::OK, "no hint that the address has an account");
    let taken: Value = taken.json().await.unwrap();
    assert_eq!(free, taken);
    assert_eq!(free["email"], "ada@example.com", "not changed yet");
    settled_outbox(&app, &ctx.console).await;
    let owner_notice = mailbox(&app, &ctx.console, "taken@example.com").await;
    assert!(owner_notice.iter().any(|m| m["text"].as_str().unwrap().contains("Someone asked to move another account")), "{owner_notice:?}");
    let old_notices = mailbox(&app, &ctx.console, "ada@example.com").await;
    assert!(old_notices.iter().any(|m| m["text"].as_str().unwrap().contains("ada.new@example.com")));
    let confirm = mailbox(&app, &ctx.console, "ada.new@example.com").await;
    assert_eq!(confirm.len(), 1);
    let token = token_in(confirm[0]["text"].as_str().unwrap());
    let res = app.client.post(app.url("/public/v1/shop/auth/verify-email")).json(&json!({"token": token})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let user: Value = res.json().await.unwrap();
    assert_eq!((user["email"].as_str(), user["email_verified"].as_bool()), (Some("ada.new@example.com"), Some(true)));
    assert_eq!(user_login(&app, &ctx, "ada.new@example.com", PASSWORD).await.status(), StatusCode::OK);
    // Asking again and again cannot mail-bomb the new address: the per-recipient limit holds.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(patch(json!({"email": "victim@example.com", "current_password": PASSWORD})).await.unwrap().status());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 5, "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

/// A request with one bad field changes nothing (no half-applied update).
async fn a_bad_field_changes_nothing(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "careful@example.com").await;
    let t: Value = user_login(&app, &ctx, "careful@example.com", PASSWORD).await.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let res = app
        .client
        .patch(app.url("/public/v1/shop/me"))
        .bearer_auth(&access)
        .json(&json!({"email": "elsewhere@example.com", "name": "New Name", "new_password": "short", "current_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("new_password".to_owned(), "password_too_short".to_owned())]);
    let me: Value = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["name"].as_str()), (Some("careful@example.com"), Some("Reader")));
    settled_outbox(&app, &ctx.console).await;
    assert!(mailbox(&app, &ctx.console, "elsewhere@example.com").await.is_empty());
}

/// `send_invitation` through the public API is honoured, as in the console.
async fn back_end_apps_can_invite(app: TestApp) {
    let ctx = setup(&app).await;
    let back = app.create_app(&ctx.console, "shop", json!({"kind": "backend", "name": "Server"})).await;
    let res = app.client_token("shop", back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap()).await;
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(app.url("/public/v1/shop/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "invitee@example.com", "send_invitation": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    settled_outbox(&app, &ctx.console).await;
    let invitation = mailbox(&app, &ctx.console, "invitee@example.com").await;
    assert_eq!(invitation.len(), 1);
    assert!(invitation[0]["text"].as_str().unwrap().contains("accept-invitation"));
    let res = app
        .client
        .post(app.url("/public/v1/shop/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "both@example.com", "send_invitation": true, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("send_invitation".to_owned(), "not_applicable".to_owned())]);
}

/// Every list answers a cursor it did not make with a problem document, never a 500.
async fn garbage_cursors_are_never_a_server_error(app: TestApp) {
    let ctx = setup(&app).await;
    register(&app, &ctx, "one@example.com").await;
    let lists = [
        "/api/v1/instances",
        "/api/v1/instances/shop/users",
        "/api/v1/instances/shop/users?sort=email",
        "/api/v1/instances/shop/users?sort=last_login_at",
        "/api/v1/instances/shop/outbox",
        "/api/v1/instances/shop/mailbox",
        "/api/v1/instances/shop/members",
        "/api/v1/instances/shop/applications",
    ];
    let garbage = ["x", "%00", "eyJ", "AAAA", "-1", "9999999999999999999999", "bnVsbA", "W10", "eyJhIjoxfQ", "%F0%9F%92%A9", &"A".repeat(5000)];
    for list in lists {
        for cursor in garbage {
            let sep = if list.contains('?') { '&' } else { '?' };
            let res = app.get(&format!("{list}{sep}cursor={cursor}"), Some(&ctx.console)).await;
            assert!(res.status().is_success() || res.status().is_client_error(), "{list} cursor={cursor}: {}", res.status());
            if !res.status().is_success() {
                assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
            }
        }
    }
    // A cursor of one sort used with another: refused, not a server error.
    register(&app, &ctx, "two@example.com").await;
    let page: Value = app.get("/api/v1/instances/shop/users?limit=1&sort=email", Some(&ctx.console)).await.json().await.unwrap();
    let c = page["next_cursor"].as_str().expect("a second page");
    let res = app.get(&format!("/api/v1/instances/shop/users?limit=1&sort=last_login_at&cursor={c}"), Some(&ctx.console)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // An empty cursor is no cursor.
    assert_eq!(app.get("/api/v1/instances?cursor=", Some(&ctx.console)).await.status(), StatusCode::OK);
}

/// A template stored before today's rules (a loop, saved straight into the database) never runs
/// in a request and never loses an email: the worker falls back to the built-in text.
async fn a_stored_template_that_breaks_falls_back_to_the_default(app: TestApp) {
    let ctx = setup(&app).await;
    let instance_id = steward_persistence::instances::by_slug(&app.state.db, "shop").await.unwrap().unwrap().id;
    use sea_orm::{ActiveModelTrait, Set};
    steward_persistence::entities::email_templates::ActiveModel {
        instance_id: Set(instance_id),
        kind: Set("verification".into()),
        subject: Set(Some("Hi {{ link * 99999999999 }}".into())),
        body: Set("{% for c in link %}{% for d in link %}{{ link }}{% endfor %}{% endfor %}".into()),
        updated_at: Set(steward_persistence::now()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let started = std::time::Instant::now();
    register(&app, &ctx, "safe@example.com").await;
    assert!(started.elapsed() < Duration::from_secs(5), "the request rendered nothing");
    settled_outbox(&app, &ctx.console).await;
    let m = mailbox(&app, &ctx.console, "safe@example.com").await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["subject"], "Verify your email for Instance shop");
    assert!(m[0]["text"].as_str().unwrap().contains("verify-email"));
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

/// The retention job deletes what is past its retention and keeps the rest; two processes may
/// run it at the same moment.
async fn retention_deletes_only_what_is_old(app: TestApp) {
    let ctx = setup(&app).await;
    for i in 0..3 {
        register(&app, &ctx, &format!("r{i}@example.com")).await;
    }
    let _ = user_login(&app, &ctx, "r0@example.com", "wrong password!").await;
    settled_outbox(&app, &ctx.console).await;
    let db = &app.state.db;
    // Age half of everything by 100 days.
    use sea_orm::ConnectionTrait as _;
    let old = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres { "now() - interval '100 days'" } else { "'2000-01-01 00:00:00+00:00'" };
    for sql in [
        format!("UPDATE outbox_emails SET created_at = {old} WHERE to_address IN ('r0@example.com', 'r1@example.com')"),
        format!("UPDATE mailbox_messages SET received_at = {old} WHERE to_address = 'r0@example.com'"),
        format!("UPDATE login_attempts SET created_at = {old}"),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    let r = steward::retention::Retention {
        days: 30,
        login_attempts_days: 90,
        mailbox_days: 7,
        audit_days: 365,
        usage_minute_days: 7,
        usage_hour_days: 400,
        interval: Duration::from_secs(3600),
    };
    let (a, b) = tokio::join!(steward::retention::run_once(db, &r), steward::retention::run_once(db, &r));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.emails + b.emails, 2, "{a:?} {b:?}");
    assert_eq!(a.mailbox + b.mailbox, 1);
    assert_eq!(a.login_attempts + b.login_attempts, 1);
    let left: Value = app.get("/api/v1/instances/shop/outbox", Some(&ctx.console)).await.json().await.unwrap();
    assert_eq!(left["total"], 1);
    assert_eq!(left["items"][0]["to"], "r2@example.com");
    assert_eq!(mailbox(&app, &ctx.console, "r1@example.com").await.len(), 1, "young mailbox messages stay");
}

/// The longest address an email may have (254 characters) is counted like any other: its
/// counter keys (lockout, email limits) fit, on both databases.
async fn the_longest_addresses_are_counted_too(app: TestApp) {
    let ctx = setup(&app).await;
    let longest = format!("{}@{}.{}.{}.com", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(57));
    assert_eq!(longest.len(), 254);
    for path in ["/auth/forgot-password", "/auth/resend-verification"] {
        let res = public(&app, &ctx, path).json(&json!({"email": longest})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{path}");
    }
    register(&app, &ctx, &longest).await;
    assert_eq!(user_login(&app, &ctx, &longest, "wrong password!").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(user_login(&app, &ctx, &longest, PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login(&longest, "wrong password!").await.status(), StatusCode::UNAUTHORIZED);
}

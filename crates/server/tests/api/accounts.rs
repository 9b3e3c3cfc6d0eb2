//! Console accounts you can trust: verified emails (the sign-up takeover), forgot/reset,
//! invitations end to end (read from a real SMTP server process), sessions, the security log,
//! TOTP two-factor with codes computed here from the secret, and an instance's 2FA requirement.

use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_domain::totp;

use crate::db_tests;
use crate::helpers::{Backend, PASSWORD, TestApp, assert_problem, field_errors, link_token};
use crate::smtp_sink::{SmtpSink, free_port};

db_tests!(
    the_signup_takeover_no_longer_works,
    forgot_and_reset_password,
    changing_email_reverifies_and_tells_the_old_address,
    invitation_bad_input_changes_nothing,
    sessions_are_listed_and_revoked,
    two_factor_end_to_end,
    instance_can_require_two_factor,
    one_code_and_one_invitation_win_once_under_concurrency,
    console_email_is_limited_even_at_once,
);

async fn access_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::OK, "sign-in");
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

/// The scenario, as written: a stranger signs up as bob@company.com before Bob does; the
/// owner then "adds" bob@company.com as admin. The stranger must not become admin.
async fn the_signup_takeover_no_longer_works(app: TestApp) {
    let owner = app.signup("owner@company.com").await;
    app.create_instance(&owner.access, "acme").await;
    let stranger = app.signup("bob@company.com").await;
    let me: Value = app.get("/api/v1/me", Some(&stranger.access)).await.json().await.unwrap();
    assert_eq!(me["email_verified"], false, "a new account is unverified");

    // Adding a member is an invitation now: nobody joins by being named.
    let res = app.invite(&owner.access, "acme", "bob@company.com", "admin").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_problem(app.get("/api/v1/instances/acme", Some(&stranger.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    let members: Value = app.get("/api/v1/instances/acme/members", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(members["total"], 1, "only the owner");

    // The stranger cannot read Bob's mailbox, so has no link; guessing one fails.
    let res = app.post("/api/v1/invitations/accept", Some(&stranger.access), json!({"token": "guessed-token-guessed-token-guessed"})).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_token").await;
    // Even holding the real link (say Bob forwarded it), an unverified account cannot accept it.
    let link = app.platform_link("bob@company.com", "/invitations/accept").await;
    let res = app.post("/api/v1/invitations/accept", Some(&stranger.access), json!({"token": link})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "email_not_verified").await;
    assert_problem(app.get("/api/v1/instances/acme", Some(&stranger.access)).await, StatusCode::NOT_FOUND, "not_found").await;

    // Bob, who owns the mailbox, claims the address with a reset link: his password, the
    // address verified, the stranger's sessions ended.
    let res = app.post("/api/v1/auth/forgot-password", None, json!({"email": "bob@company.com"})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let reset = app.platform_link("bob@company.com", "/reset-password").await;
    let res = app.post("/api/v1/auth/reset-password", None, json!({"token": reset, "password": "bobs own password"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/api/v1/me", Some(&stranger.access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    assert_problem(app.login("bob@company.com", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let bob = access_of(app.login("bob@company.com", "bobs own password").await).await;
    let me: Value = app.get("/api/v1/me", Some(&bob)).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true, "the reset link proved the address");
    let res = app.post("/api/v1/invitations/accept", Some(&bob), json!({"token": link})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "admin");
    // The link works once.
    assert_problem(app.post("/api/v1/invitations/accept", Some(&bob), json!({"token": link})).await, StatusCode::BAD_REQUEST, "invalid_token").await;
}

async fn forgot_and_reset_password(app: TestApp) {
    app.signup("ada@example.com").await;
    // The same answer whether or not an account has the address.
    for email in ["ada@example.com", "nobody@example.com"] {
        let res = app.post("/api/v1/auth/forgot-password", None, json!({"email": email})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{email}");
        assert_eq!(res.bytes().await.unwrap().len(), 0);
    }
    let res = app.post("/api/v1/auth/forgot-password", None, json!({"email": "not an email"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let token = app.platform_link("ada@example.com", "/reset-password").await;
    assert!(app.platform_emails("nobody@example.com").await.is_empty(), "nothing is sent to an unknown address");

    // A weak password is refused and the link still works after.
    let res = app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "short"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0].0, "password");
    let res = app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "a brand new password"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "another new password"})).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_token").await;
    let access = access_of(app.login("ada@example.com", "a brand new password").await).await;
    // The account's own security log has it, and the notice went to the address.
    let log: Value = app.get("/api/v1/me/security-events", Some(&access)).await.json().await.unwrap();
    let kinds: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"password_reset") && kinds.contains(&"signed_in"), "{kinds:?}");
    let res = app.get("/api/v1/me/security-events?kind=no_such_kind", Some(&access)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

async fn changing_email_reverifies_and_tells_the_old_address(app: TestApp) {
    let s = app.signup("old@example.com").await;
    app.verify_email("old@example.com").await;
    let res = app.patch("/api/v1/me", Some(&s.access), json!({"email": "new@example.com", "current_password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["email_verified"].as_bool()), (Some("new@example.com"), Some(false)));
    let token = app.platform_link("new@example.com", "/verify-email").await;
    // The old address is told.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let old = app.platform_emails("old@example.com").await;
        if old.iter().any(|(subject, text)| subject.contains("updated") && text.contains("changed to new@example.com")) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no notice to the old address: {old:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let res = app.post("/api/v1/auth/verify-email", None, json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["email_verified"], true);
    let res = app.post("/api/v1/me/verification-email", Some(&s.access), json!({})).await;
    assert_problem(res, StatusCode::CONFLICT, "email_already_verified").await;
}

async fn invitation_bad_input_changes_nothing(app: TestApp) {
    let owner = app.signup("owner@example.com").await;
    app.create_instance(&owner.access, "team").await;
    let other = app.signup("other@example.com").await;
    app.verify_email("other@example.com").await;
    app.signup("grace@example.com").await;
    app.verify_email("grace@example.com").await;
    let grace = access_of(app.login("grace@example.com", PASSWORD).await).await;

    let res = app.invite(&owner.access, "team", "grace@example.com", "developer").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let invitation: Value = res.json().await.unwrap();
    assert_eq!((invitation["role"].as_str(), invitation["expired"].as_bool()), (Some("developer"), Some(false)));
    let res = app.invite(&owner.access, "team", "grace@example.com", "viewer").await;
    assert_problem(res, StatusCode::CONFLICT, "invitation_pending").await;
    let first = app.platform_link("grace@example.com", "/invitations/accept").await;

    // The preview says what it is for.
    let preview: Value = app.post("/api/v1/invitations/lookup", None, json!({"token": first})).await.json().await.unwrap();
    assert_eq!((preview["instance_slug"].as_str(), preview["email"].as_str()), (Some("team"), Some("grace@example.com")));
    // Another address's account cannot use it.
    let res = app.post("/api/v1/invitations/accept", Some(&other.access), json!({"token": first})).await;
    assert_problem(res, StatusCode::FORBIDDEN, "invitation_for_another_address").await;

    // A resend ends the first link.
    let id = invitation["id"].as_str().unwrap();
    let res = app.post(&format!("/api/v1/instances/team/invitations/{id}/resend"), Some(&owner.access), json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = app.new_platform_link("grace@example.com", "/invitations/accept", 1).await;
    assert_ne!(first, second);
    assert_problem(app.post("/api/v1/invitations/accept", Some(&grace), json!({"token": first})).await, StatusCode::BAD_REQUEST, "invalid_token").await;

    // Revoked: the link is dead and the list is empty; nobody joined.
    let list: Value = app.get("/api/v1/instances/team/invitations", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(app.delete(&format!("/api/v1/instances/team/invitations/{id}"), Some(&owner.access)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.delete(&format!("/api/v1/instances/team/invitations/{id}"), Some(&owner.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(app.post("/api/v1/invitations/accept", Some(&grace), json!({"token": second})).await, StatusCode::BAD_REQUEST, "invalid_token").await;
    let list: Value = app.get("/api/v1/instances/team/invitations", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0);

    // Expired: refused.
    let res = app.invite(&owner.access, "team", "grace@example.com", "viewer").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let third = app.new_platform_link("grace@example.com", "/invitations/accept", 2).await;
    app.state_db_execute("UPDATE invitations SET expires_at = '2000-01-01 00:00:00+00:00' WHERE revoked_at IS NULL").await;
    assert_problem(app.post("/api/v1/invitations/accept", Some(&grace), json!({"token": third})).await, StatusCode::BAD_REQUEST, "invalid_token").await;
    let list: Value = app.get("/api/v1/instances/team/invitations", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(list["items"][0]["expired"], true);
    let members: Value = app.get("/api/v1/instances/team/members", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(members["total"], 1, "nobody became a member");

    // Only owners invite owners; viewers can't invite; strangers don't see the instance.
    assert_eq!(app.add_member(&owner.access, "team", "other@example.com", "admin").await.status(), StatusCode::OK);
    let admin = access_of(app.login("other@example.com", PASSWORD).await).await;
    assert_problem(app.invite(&admin, "team", "x@example.com", "owner").await, StatusCode::FORBIDDEN, "forbidden").await;
    let stranger = app.signup("stranger@example.com").await;
    assert_problem(app.invite(&stranger.access, "team", "x@example.com", "viewer").await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn sessions_are_listed_and_revoked(app: TestApp) {
    let first = app.signup("ada@example.com").await;
    let second = access_of(app.login("ada@example.com", PASSWORD).await).await;
    let third = access_of(app.login("ada@example.com", PASSWORD).await).await;
    let list: Value = app.get("/api/v1/me/sessions", Some(&first.access)).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(items.iter().all(|s| s["ip"] == "127.0.0.1"), "{items:?}");
    let second_id = app.get("/api/v1/me/sessions", Some(&second)).await.json::<Value>().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Another account cannot end it.
    let mallory = app.signup("mallory@example.com").await;
    assert_problem(app.delete(&format!("/api/v1/me/sessions/{second_id}"), Some(&mallory.access)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.status(), StatusCode::OK);

    assert_eq!(app.delete(&format!("/api/v1/me/sessions/{second_id}"), Some(&first.access)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/api/v1/me", Some(&second)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let res: Value = app.post("/api/v1/me/sessions/revoke-others", Some(&first.access), json!({})).await.json().await.unwrap();
    assert_eq!(res["revoked"], 1);
    assert_problem(app.get("/api/v1/me", Some(&third)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    assert_eq!(app.get("/api/v1/me", Some(&first.access)).await.status(), StatusCode::OK);

    let log: Value = app.get("/api/v1/me/security-events?kind=session_revoked", Some(&first.access)).await.json().await.unwrap();
    assert_eq!(log["total"], 1);
    // A failed attempt is in the log too.
    assert_eq!(app.login("ada@example.com", "wrong password").await.status(), StatusCode::UNAUTHORIZED);
    let log: Value = app.get("/api/v1/me/security-events?kind=sign_in_failed", Some(&first.access)).await.json().await.unwrap();
    assert_eq!(log["total"], 1);
}

/// Seconds into the current 30-second step.
fn into_step() -> i64 {
    chrono::Utc::now().timestamp().rem_euclid(totp::STEP_SECS)
}

/// Waits (on the clock, a bounded time) until at least `margin` seconds remain in the step, so
/// a code computed now is checked in the same step.
async fn away_from_step_edge(margin: i64) {
    while totp::STEP_SECS - into_step() < margin {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn code(secret: &[u8], offset: i64) -> String {
    totp::format_code(secret, totp::step_at(chrono::Utc::now().timestamp()) + offset)
}

pub async fn enrol(app: &TestApp, access: &str) -> (Vec<u8>, Vec<String>) {
    let res = app.post("/api/v1/me/two-factor/setup", Some(access), json!({"current_password": "wrong"})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0].1, "incorrect_password");
    let setup: Value = app.post("/api/v1/me/two-factor/setup", Some(access), json!({"current_password": PASSWORD})).await.json().await.unwrap();
    let secret = totp::base32_decode(setup["secret"].as_str().unwrap()).unwrap();
    assert!(setup["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Steward:"));
    away_from_step_edge(5).await;
    let res = app.post("/api/v1/me/two-factor/enable", Some(access), json!({"code": code(&secret, 2)})).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("code".to_owned(), "invalid_code".to_owned())], "two steps ahead is outside the window");
    let res = app.post("/api/v1/me/two-factor/enable", Some(access), json!({"code": code(&secret, -1)})).await;
    assert_eq!(res.status(), StatusCode::OK, "one step behind is within the window");
    let codes: Vec<String> = res.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn second_step(app: &TestApp, challenge: &str, body: Value) -> reqwest::Response {
    let mut body = body;
    body["challenge_token"] = json!(challenge);
    app.post("/api/v1/auth/login/two-factor", None, body).await
}

async fn challenge(app: &TestApp, email: &str) -> String {
    let res = app.login(email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "a second factor is asked for");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("access_token").is_none(), "no tokens before the second factor");
    body["challenge_token"].as_str().unwrap().to_owned()
}

async fn two_factor_end_to_end(app: TestApp) {
    let s = app.signup("ada@example.com").await;
    let (secret, recovery) = enrol(&app, &s.access).await;
    let me: Value = app.get("/api/v1/me", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(me["two_factor_enabled"], true);

    // The code used to enrol (one step behind) is spent; the current step works once.
    away_from_step_edge(5).await;
    let c = challenge(&app, "ada@example.com").await;
    assert_problem(second_step(&app, &c, json!({"code": code(&secret, -1)})).await, StatusCode::UNAUTHORIZED, "invalid_two_factor_code").await;
    assert_problem(second_step(&app, &c, json!({"code": "12345"})).await, StatusCode::UNAUTHORIZED, "invalid_two_factor_code").await;
    let now_code = code(&secret, 0);
    let res = second_step(&app, &c, json!({"code": now_code})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<Value>().await.unwrap()["access_token"].is_string());
    // The challenge is spent, and the code is too (replayed on a new challenge).
    assert_problem(second_step(&app, &c, json!({"code": now_code})).await, StatusCode::UNAUTHORIZED, "invalid_challenge").await;
    let c = challenge(&app, "ada@example.com").await;
    assert_problem(second_step(&app, &c, json!({"code": now_code})).await, StatusCode::UNAUTHORIZED, "invalid_two_factor_code").await;

    // A recovery code works once.
    let res = second_step(&app, &c, json!({"recovery_code": recovery[0].to_uppercase()})).await;
    assert_eq!(res.status(), StatusCode::OK, "recovery codes are case-insensitive");
    let c = challenge(&app, "ada@example.com").await;
    assert_problem(second_step(&app, &c, json!({"recovery_code": recovery[0]})).await, StatusCode::UNAUTHORIZED, "invalid_two_factor_code").await;
    let status: Value = app.get("/api/v1/me/two-factor", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(status["recovery_codes_left"], 9);

    // Wrong codes are locked out like passwords: after ten, even a right one waits.
    for _ in 0..9 {
        assert_eq!(second_step(&app, &c, json!({"code": "000000"})).await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = second_step(&app, &c, json!({"recovery_code": recovery[1]})).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let res = app.post("/api/v1/me/two-factor/disable", Some(&s.access), json!({"recovery_code": recovery[1]})).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    app.state_db_execute("DELETE FROM rate_counters").await;

    // Disabling needs a proof; a bad one changes nothing.
    let res = app.post("/api/v1/me/two-factor/disable", Some(&s.access), json!({})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.post("/api/v1/me/two-factor/disable", Some(&s.access), json!({"code": "000000"})).await;
    assert_eq!(field_errors(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await)[0].0, "code");
    let res = app.post("/api/v1/me/two-factor/disable", Some(&s.access), json!({"recovery_code": recovery[1]})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::OK, "back to one step");
    let log: Value = app.get("/api/v1/me/security-events", Some(&s.access)).await.json().await.unwrap();
    let kinds: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for k in ["two_factor_enabled", "two_factor_failed", "recovery_code_used", "sign_in_locked", "two_factor_disabled"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
}

async fn instance_can_require_two_factor(app: TestApp) {
    let owner = app.signup("owner@example.com").await;
    app.create_instance(&owner.access, "vault").await;
    app.signup("dev@example.com").await;
    assert_eq!(app.add_member(&owner.access, "vault", "dev@example.com", "developer").await.status(), StatusCode::OK);
    let dev = access_of(app.login("dev@example.com", PASSWORD).await).await;
    let put = |token: String, on: bool| {
        let app = &app;
        async move { app.request(reqwest::Method::PUT, "/api/v1/instances/vault/security-policy", Some(&token), Some(json!({"require_two_factor": on}))).await }
    };
    assert_problem(put(owner.access.clone(), true).await, StatusCode::CONFLICT, "two_factor_required_for_you").await;
    assert_problem(put(dev.clone(), true).await, StatusCode::FORBIDDEN, "forbidden").await;
    enrol(&app, &owner.access).await;
    assert_eq!(put(owner.access.clone(), true).await.status(), StatusCode::OK);
    assert_problem(app.get("/api/v1/instances/vault/applications", Some(&dev)).await, StatusCode::FORBIDDEN, "two_factor_required").await;
    assert_eq!(app.get("/api/v1/instances/vault/applications", Some(&owner.access)).await.status(), StatusCode::OK);
    let policy: Value = app.get("/api/v1/instances/vault/security-policy", Some(&dev)).await.json().await.unwrap();
    assert_eq!(policy["require_two_factor"], true);
    enrol(&app, &dev).await;
    assert_eq!(app.get("/api/v1/instances/vault/applications", Some(&dev)).await.status(), StatusCode::OK);
}

/// Platform emails (invitations, verification) go through the operator's SMTP server when one
/// is set: read here from a real SMTP server process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_end_to_end_through_real_smtp() {
    let sink = SmtpSink::start(free_port());
    let url = sink.url();
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, move |s| s.smtp_url = Some(url)).await else { return };
    let owner = app.signup("owner@example.com").await;
    app.create_instance(&owner.access, "team").await;
    assert_eq!(app.invite(&owner.access, "team", "grace@example.com", "admin").await.status(), StatusCode::CREATED);
    let messages = sink.wait_for_all(2).await;
    let invitation = messages.iter().find(|m| m.contains("To: grace@example.com")).expect("the invitation");
    assert!(invitation.contains("Subject: You are invited to Instance team on Steward"), "{invitation}");
    assert!(invitation.contains("owner@example.com") && invitation.contains("as an admin"), "{invitation}");
    let token = link_token(invitation, "/invitations/accept").expect("a link");
    // The invitee signs up from the link, verifies, accepts.
    let grace = app.signup("grace@example.com").await;
    let messages = sink.wait_for_all(3).await;
    let verify = messages.iter().find(|m| m.contains("To: grace@example.com") && m.contains("/verify-email?token=")).expect("verification");
    let verify = link_token(verify, "/verify-email").unwrap();
    assert_eq!(app.post("/api/v1/auth/verify-email", None, json!({"token": verify})).await.status(), StatusCode::OK);
    let res = app.post("/api/v1/invitations/accept", Some(&grace.access), json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let members: Value = app.get("/api/v1/instances/team/members", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(members["total"], 2);
}

/// Behind a trusted proxy the forwarded client address is recorded; from anyone else the header
/// is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_ip_behind_trusted_proxies() {
    for (trusted, expected) in [("127.0.0.1/32", "203.0.113.7"), ("", "127.0.0.1"), ("10.0.0.0/8", "127.0.0.1")] {
        let trusted = trusted.to_owned();
        let Some(app) = TestApp::spawn_with(Backend::Sqlite, move |s| s.trusted_proxies = trusted).await else { return };
        app.signup("ada@example.com").await;
        let res = app
            .client()
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", "6.6.6.6, 203.0.113.7")
            .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let access = access_of(res).await;
        let list: Value = app.get("/api/v1/me/sessions", Some(&access)).await.json().await.unwrap();
        let current = list["items"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap().clone();
        assert_eq!(current["ip"], expected);
    }
}

/// Twenty sign-ins present the same code at once, and two tabs accept one invitation at once:
/// exactly one of each succeeds.
async fn one_code_and_one_invitation_win_once_under_concurrency(app: TestApp) {
    let s = app.signup("ada@example.com").await;
    let (secret, _) = enrol(&app, &s.access).await;
    let mut challenges = Vec::new();
    for _ in 0..20 {
        challenges.push(challenge(&app, "ada@example.com").await);
    }
    away_from_step_edge(8).await;
    let c0 = code(&secret, 0);
    let attempts = challenges.iter().map(|c| second_step(&app, c, json!({"code": c0})));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    // The others: the code is spent (401), or the lockout counted them first (429).
    assert!(statuses.iter().all(|s| [StatusCode::OK, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)), "{statuses:?}");
    app.state_db_execute("DELETE FROM rate_counters").await;

    let owner = app.signup("owner@example.com").await;
    app.create_instance(&owner.access, "team").await;
    let grace = app.signup("grace@example.com").await;
    app.verify_email("grace@example.com").await;
    assert_eq!(app.invite(&owner.access, "team", "grace@example.com", "viewer").await.status(), StatusCode::CREATED);
    let link = app.platform_link("grace@example.com", "/invitations/accept").await;
    let accepts = (0..10).map(|_| app.post("/api/v1/invitations/accept", Some(&grace.access), json!({"token": link})));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(accepts).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    let members: Value = app.get("/api/v1/instances/team/members", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(members["total"], 2);
}

/// The console's email-sending routes are limited like the public API's: a stranger hammering
/// forgot-password for one address, or an admin resending one invitation 20 times at once, gets
/// 429 past five emails an hour to that address — counted before anything is queued.
async fn console_email_is_limited_even_at_once(app: TestApp) {
    for i in 0..5 {
        let res = app.post("/api/v1/auth/forgot-password", None, json!({"email": "nobody@example.com"})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "request {i}");
    }
    let res = app.post("/api/v1/auth/forgot-password", None, json!({"email": "nobody@example.com"})).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_emails_to_recipient").await;

    let owner = app.signup("owner@example.com").await;
    app.create_instance(&owner.access, "team").await;
    let res = app.invite(&owner.access, "team", "target@example.com", "viewer").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/instances/team/invitations/{id}/resend");
    let resends = (0..20).map(|_| app.post(&path, Some(&owner.access), json!({})));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(resends).await.iter().map(|r| r.status()).collect();
    let sent = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(sent, 4, "five emails to the address in all: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let queued: i64 = {
        use sea_orm::ConnectionTrait as _;
        let backend = app.state.db.get_database_backend();
        let row = app
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, "SELECT COUNT(*) AS n FROM outbox_emails WHERE to_address = 'target@example.com'"))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    };
    assert_eq!(queued, 5, "nothing past the limit was queued");
}

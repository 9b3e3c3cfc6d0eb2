//! The instance audit log: every change to an instance leaves exactly one entry, written in the
//! change's own transaction, with who, what, on what and the changed fields — never a secret.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, ConnectionTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, assert_problem, field_errors};

db_tests!(
    every_change_to_an_instance_is_audited_without_secrets,
    a_refused_change_writes_no_entry,
    the_entry_is_written_in_the_change_s_transaction,
    filters_paging_and_csv,
    only_admins_of_the_instance_read_the_log,
    applications_writing_through_the_public_api_are_audited,
    old_entries_are_deleted_by_retention,
);

const OWNER: &str = "owner@example.com";
const SMTP_PASSWORD: &str = "smtp-PLANTED-secret-0451";
const TEST_SMTP_PASSWORD: &str = "smtp-test-PLANTED-secret-7731";
const USER_PASSWORD: &str = "user-PLANTED-password-1";
const USER_PASSWORD_2: &str = "user-PLANTED-password-2";
const METADATA_TOKEN: &str = "metadata-PLANTED-token-99";

/// The mutating instance routes that are deliberately not audited here: a preview changes
/// nothing; adding a member is being replaced by invitations (audited by their own actions).
const NOT_AUDITED: [&str; 2] = ["preview_template", "add_member"];

/// Every audited operation, in the order the walk performs them (later ones use what earlier
/// ones created). A mutating route of `/api/v1/instances/{instance}/` missing here fails the test.
/// A provider's client secret the walk saves (never in the log).
const IDP_SECRET: &str = "idp-secret-4f9a0c";

const WALK: [&str; 61] = [
    "update_instance",
    "create_invitation",
    "resend_invitation",
    "revoke_invitation",
    "put_security_policy",
    "put_security_policy_off",
    "create_application",
    "update_application",
    "rotate_secret",
    "put_logo",
    "delete_logo",
    "put_style",
    "put_template",
    "reset_template",
    "update_member",
    "remove_member",
    "rotate_signing_key",
    "put_smtp",
    "test_smtp",
    "create_user",
    "update_user",
    "block_user",
    "unblock_user",
    "send_verification",
    "retry_email",
    "send_password_reset",
    "sign_out_user",
    "put_identity_provider",
    "reset_identity_provider",
    "unlink_identity",
    "change_plan",
    "set_config_value",
    "reset_config_entry",
    "restore_config_entry",
    "create_config_entry",
    "define_config_entry",
    "delete_config_entry",
    "import_config",
    "create_config_backup",
    "reset_config",
    "restore_config_backup",
    "restore_config",
    "delete_config_backup",
    "import_users",
    "send_invitation",
    "bulk_users",
    "cancel_email",
    "delete_user",
    "delete_application",
    "create_management_client",
    "update_management_client",
    "rotate_management_client_secret",
    "delete_management_client",
    "create_webhook",
    "update_webhook",
    "rotate_webhook_secret",
    "send_test_event",
    "resend_delivery",
    "delete_webhook",
    "remove_member_self",
    "delete_instance",
];

fn openapi_operations() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/console.json")).expect("console.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/instances/{instance}") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                let id = op["operationId"].as_str().unwrap().to_owned();
                if !NOT_AUDITED.contains(&id.as_str()) {
                    ops.insert(id);
                }
            }
        }
    }
    ops
}

/// What one operation must have recorded.
struct Expect {
    action: &'static str,
    target_kind: &'static str,
    target_id: Option<String>,
    /// A field of `changes` and its expected `before` and `after`.
    field: &'static str,
    before: Value,
    after: Value,
    /// The actor (defaults to the owner).
    actor_email: &'static str,
}

fn expect(action: &'static str, target_kind: &'static str, target_id: Option<String>, field: &'static str, before: Value, after: Value) -> Expect {
    Expect { action, target_kind, target_id, field, before, after, actor_email: OWNER }
}

struct Walk {
    owner: String,
    owner_id: String,
    dev: String,
    dev_id: String,
    app_id: String,
    user_id: String,
    client_id: String,
    webhook_id: String,
    delivery_id: String,
    backup_id: String,
    /// The invitation the walk made, and its expiry.
    invitation: (String, Value),
    /// Every secret the walk handed out or planted: none may reach the log.
    secrets: Vec<String>,
}

async fn log(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/instances/shop/audit-log{query}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK, "audit log{query}");
    res.json().await.unwrap()
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let res = app.request(method, &format!("/api/v1/instances/shop{path}"), Some(token), body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A port on which nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Performs operation `op` for real; what it must have recorded (`None`: nothing can be, the
/// instance and its log are gone).
async fn perform(app: &TestApp, w: &mut Walk, op: &str) -> Option<Expect> {
    let t = w.owner.clone();
    let t = t.as_str();
    let ok = |op: &str, status: StatusCode, body: &Value| assert!(status.is_success(), "{op}: {status} {body}");
    let e = match op {
        "update_instance" => {
            let (s, b) = send(app, Method::PATCH, "", t, Some(json!({"name": "Shop Renamed"}))).await;
            ok(op, s, &b);
            expect("instance.update", "instance", Some(b["id"].as_str().unwrap().to_owned()), "name", json!("Instance shop"), json!("Shop Renamed"))
        }
        "create_application" => {
            let (s, b) = send(app, Method::POST, "/applications", t, Some(json!({"kind": "backend", "name": "Billing"}))).await;
            ok(op, s, &b);
            w.app_id = b["id"].as_str().unwrap().to_owned();
            w.secrets.push(b["client_secret"].as_str().unwrap().to_owned());
            expect("application.create", "application", Some(w.app_id.clone()), "client_secret", Value::Null, json!("[redacted]"))
        }
        "update_application" => {
            let (s, b) = send(app, Method::PATCH, &format!("/applications/{}", w.app_id), t, Some(json!({"description": "Bills"}))).await;
            ok(op, s, &b);
            expect("application.update", "application", Some(w.app_id.clone()), "description", json!(""), json!("Bills"))
        }
        "rotate_secret" => {
            let (s, b) = send(app, Method::POST, &format!("/applications/{}/secret", w.app_id), t, Some(json!({"grace_period_secs": 60}))).await;
            ok(op, s, &b);
            w.secrets.push(b["client_secret"].as_str().unwrap().to_owned());
            expect("application.secret_rotate", "application", Some(w.app_id.clone()), "client_secret", json!("[redacted]"), json!("[redacted]"))
        }
        "put_logo" => {
            let res = app
                .client
                .put(app.url("/api/v1/instances/shop/branding/logo"))
                .bearer_auth(t)
                .header("content-type", "image/png")
                .body(crate::branding::png(200, 100, true))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{op}");
            expect("branding.logo_set", "branding", None, "width", Value::Null, json!(200))
        }
        "delete_logo" => {
            let (s, b) = send(app, Method::DELETE, "/branding/logo", t, None).await;
            ok(op, s, &b);
            expect("branding.logo_delete", "branding", None, "height", json!(100), Value::Null)
        }
        "put_style" => {
            let (s, b) = send(app, Method::PUT, "/email-style", t, Some(json!({"font_family": "Verdana", "font_size": 18}))).await;
            ok(op, s, &b);
            expect("email_style.update", "email_style", None, "font_size", Value::Null, json!(18))
        }
        "put_template" => {
            let body = json!({"subject": "Welcome aboard", "body": "<p>Hello {{ user_name }}</p>"});
            let (s, b) = send(app, Method::PUT, "/email-templates/verification", t, Some(body)).await;
            ok(op, s, &b);
            expect("email_template.update", "email_template", Some("verification".into()), "subject", Value::Null, json!("Welcome aboard"))
        }
        "reset_template" => {
            let (s, b) = send(app, Method::DELETE, "/email-templates/verification", t, None).await;
            ok(op, s, &b);
            expect("email_template.reset", "email_template", Some("verification".into()), "customized", json!(true), json!(false))
        }
        "update_member" => {
            let (s, b) = send(app, Method::PATCH, &format!("/members/{}", w.dev_id), t, Some(json!({"role": "admin"}))).await;
            ok(op, s, &b);
            expect("member.role_change", "member", Some(w.dev_id.clone()), "role", json!("developer"), json!("admin"))
        }
        "create_invitation" => {
            let (s, b) = send(app, Method::POST, "/invitations", t, Some(json!({"email": "new@example.com", "role": "viewer"}))).await;
            ok(op, s, &b);
            w.invitation = (b["id"].as_str().unwrap().to_owned(), b["expires_at"].clone());
            expect("invitation.create", "invitation", Some(w.invitation.0.clone()), "role", Value::Null, json!("viewer"))
        }
        "resend_invitation" => {
            let (id, before) = w.invitation.clone();
            let (s, b) = send(app, Method::POST, &format!("/invitations/{id}/resend"), t, None).await;
            ok(op, s, &b);
            expect("invitation.resend", "invitation", Some(id), "expires_at", before, b["expires_at"].clone())
        }
        "revoke_invitation" => {
            let (id, _) = w.invitation.clone();
            let (s, b) = send(app, Method::DELETE, &format!("/invitations/{id}"), t, None).await;
            ok(op, s, &b);
            expect("invitation.revoke", "invitation", Some(id), "role", json!("viewer"), Value::Null)
        }
        "put_security_policy" => {
            crate::accounts::enrol(app, t).await;
            let (s, b) = send(app, Method::PUT, "/security-policy", t, Some(json!({"require_two_factor": true}))).await;
            ok(op, s, &b);
            expect("instance.two_factor_require", "instance", None, "require_two_factor", json!(false), json!(true))
        }
        "put_security_policy_off" => {
            let (s, b) = send(app, Method::PUT, "/security-policy", t, Some(json!({"require_two_factor": false}))).await;
            ok(op, s, &b);
            expect("instance.two_factor_require", "instance", None, "require_two_factor", json!(true), json!(false))
        }
        "remove_member" => {
            // An owner removes a second member (added before the walk).
            let me: Value = app.get("/api/v1/instances/shop/members", Some(t)).await.json().await.unwrap();
            let gone = me["items"].as_array().unwrap().iter().find(|m| m["email"] == "gone@example.com").unwrap()["account_id"].as_str().unwrap().to_owned();
            let (s, b) = send(app, Method::DELETE, &format!("/members/{gone}"), t, None).await;
            ok(op, s, &b);
            expect("member.remove", "member", Some(gone), "role", json!("viewer"), Value::Null)
        }
        "remove_member_self" => {
            // A member leaves on their own: the same route, the actor is the one leaving.
            let dev = w.dev.clone();
            let (s, b) = send(app, Method::DELETE, &format!("/members/{}", w.dev_id), &dev, None).await;
            ok(op, s, &b);
            Expect { actor_email: "dev@example.com", ..expect("member.remove", "member", Some(w.dev_id.clone()), "role", json!("admin"), Value::Null) }
        }
        "rotate_signing_key" => {
            let (s, b) = send(app, Method::POST, "/signing-keys/rotate", t, None).await;
            ok(op, s, &b);
            let kid = b["kid"].as_str().unwrap().to_owned();
            expect("signing_key.rotate", "signing_key", Some(kid.clone()), "active_kid", Value::Null, json!(kid))
        }
        "put_smtp" => {
            let body = json!({
                "enabled": false, "host": "smtp.example.com", "port": 587, "security": "starttls",
                "username": "mailer", "password": SMTP_PASSWORD, "from_address": "no-reply@example.com"
            });
            let (s, b) = send(app, Method::PUT, "/smtp", t, Some(body)).await;
            ok(op, s, &b);
            w.secrets.push(SMTP_PASSWORD.into());
            expect("smtp.update", "smtp", None, "password", Value::Null, json!("[redacted]"))
        }
        "test_smtp" => {
            let port = closed_port();
            let body = json!({"to": "you@example.com", "settings": {
                "enabled": true, "host": "127.0.0.1", "port": port, "security": "none", "allow_insecure_auth": true,
                "username": "probe", "password": TEST_SMTP_PASSWORD, "from_address": "no-reply@example.com"
            }});
            let (s, b) = send(app, Method::POST, "/smtp/test", t, Some(body)).await;
            ok(op, s, &b);
            assert_eq!(b["ok"], false, "nothing listens on {port}");
            w.secrets.push(TEST_SMTP_PASSWORD.into());
            expect("smtp.test", "smtp", None, "ok", Value::Null, json!(false))
        }
        "create_user" => {
            let body = json!({"email": "ada@example.com", "password": USER_PASSWORD, "metadata": {"api_token": METADATA_TOKEN, "plan": "pro"}});
            let (s, b) = send(app, Method::POST, "/users", t, Some(body)).await;
            ok(op, s, &b);
            w.user_id = b["id"].as_str().unwrap().to_owned();
            w.secrets.extend([USER_PASSWORD.to_owned(), METADATA_TOKEN.to_owned()]);
            expect("user.create", "user", Some(w.user_id.clone()), "email", Value::Null, json!("ada@example.com"))
        }
        "update_user" => {
            let body = json!({"given_name": "Ada", "password": USER_PASSWORD_2});
            let (s, b) = send(app, Method::PATCH, &format!("/users/{}", w.user_id), t, Some(body)).await;
            ok(op, s, &b);
            w.secrets.push(USER_PASSWORD_2.into());
            expect("user.update", "user", Some(w.user_id.clone()), "given_name", json!(""), json!("Ada"))
        }
        "block_user" | "unblock_user" => {
            let (s, b) = send(app, Method::POST, &format!("/users/{}/{}", w.user_id, op.trim_end_matches("_user")), t, None).await;
            ok(op, s, &b);
            let blocking = op == "block_user";
            let action = if blocking { "user.block" } else { "user.unblock" };
            expect(action, "user", Some(w.user_id.clone()), "blocked", json!(!blocking), json!(blocking))
        }
        "send_verification" => {
            let (s, b) = send(app, Method::POST, &format!("/users/{}/send-verification", w.user_id), t, None).await;
            ok(op, s, &b);
            expect("user.verification_send", "user", Some(w.user_id.clone()), "email_sent_to", Value::Null, json!("ada@example.com"))
        }
        "retry_email" => {
            // The verification just queued, made to have failed.
            let outbox: Value = app.get("/api/v1/instances/shop/outbox", Some(t)).await.json().await.unwrap();
            let id = outbox["items"][0]["id"].as_str().unwrap().to_owned();
            use steward_persistence::entities::outbox_emails::{Column, Entity};
            Entity::update_many()
                .col_expr(Column::Status, Expr::value("failed"))
                .col_expr(Column::Attempts, Expr::value(8))
                .filter(Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
                .exec(&app.state.db)
                .await
                .unwrap();
            let (s, b) = send(app, Method::POST, &format!("/outbox/{id}/retry"), t, None).await;
            ok(op, s, &b);
            expect("email.retry", "email", Some(id), "status", json!("failed"), json!("queued"))
        }
        "send_password_reset" => {
            let (s, b) = send(app, Method::POST, &format!("/users/{}/send-password-reset", w.user_id), t, None).await;
            ok(op, s, &b);
            expect("user.password_reset_send", "user", Some(w.user_id.clone()), "email_sent_to", Value::Null, json!("ada@example.com"))
        }
        "sign_out_user" => {
            let (s, b) = send(app, Method::POST, &format!("/users/{}/sign-out", w.user_id), t, None).await;
            ok(op, s, &b);
            expect("user.sign_out", "user", Some(w.user_id.clone()), "sessions_ended", Value::Null, json!(0))
        }
        "put_identity_provider" => {
            let body = json!({"enabled": true, "client_id": "fb-app", "client_secret": IDP_SECRET, "display_name": "Facebook"});
            let (s, b) = send(app, Method::PUT, "/identity-providers/facebook", t, Some(body)).await;
            ok(op, s, &b);
            w.secrets.push(IDP_SECRET.into());
            expect("identity_provider.update", "identity_provider", Some("facebook".into()), "client_id", Value::Null, json!("fb-app"))
        }
        "reset_identity_provider" => {
            let (s, b) = send(app, Method::DELETE, "/identity-providers/facebook", t, None).await;
            ok(op, s, &b);
            expect("identity_provider.reset", "identity_provider", Some("facebook".into()), "enabled", json!(true), Value::Null)
        }
        "unlink_identity" => {
            let instance = steward_persistence::instances::by_slug(&app.state.db, "shop").await.unwrap().unwrap();
            let user_id: uuid::Uuid = w.user_id.parse().unwrap();
            let identity =
                steward_persistence::user_identities::link(&app.state.db, instance.id, user_id, "google", "google-sub-1", None).await.unwrap().unwrap();
            let (s, b) = send(app, Method::DELETE, &format!("/users/{}/identities/{}", w.user_id, identity.id), t, None).await;
            ok(op, s, &b);
            expect("user.identity_unlink", "user", Some(w.user_id.clone()), "identity", json!({"provider": "google", "subject": "google-sub-1"}), Value::Null)
        }
        "change_plan" => {
            let (s, b) = send(app, Method::PUT, "/billing/plan", t, Some(json!({"plan": "starter"}))).await;
            ok(op, s, &b);
            expect("plan.change", "plan", None, "plan", json!("free"), json!("starter"))
        }
        "set_config_value" => {
            let (s, b) = send(app, Method::PUT, "/config/entries/password.min_length", t, Some(json!({"value": 12}))).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "password.min_length", Value::Null, json!({"value": 12}))
        }
        "reset_config_entry" => {
            let (s, b) = send(app, Method::POST, "/config/entries/password.min_length/reset", t, None).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "password.min_length", json!({"value": 12}), Value::Null)
        }
        "restore_config_entry" => {
            let (s, b) = send(app, Method::POST, "/config/entries/password.min_length/restore", t, Some(json!({"revision": 1}))).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "password.min_length", Value::Null, json!({"value": 12}))
        }
        "create_config_entry" => {
            let body = json!({"key": "features.beta", "description": "Beta", "schema": {"type": "boolean"}, "default": false});
            let (s, b) = send(app, Method::POST, "/config/entries", t, Some(body)).await;
            ok(op, s, &b);
            let def = json!({"definition": {"description": "Beta", "schema": {"type": "boolean"}, "default": false, "public": false}});
            expect("config.change", "config", None, "features.beta", Value::Null, def)
        }
        "define_config_entry" => {
            let body = json!({"description": "Beta features", "schema": {"type": "boolean"}, "default": true, "public": true});
            let (s, b) = send(app, Method::PUT, "/config/entries/features.beta/definition", t, Some(body)).await;
            ok(op, s, &b);
            let before = json!({"definition": {"description": "Beta", "schema": {"type": "boolean"}, "default": false, "public": false}});
            let after = json!({"definition": {"description": "Beta features", "schema": {"type": "boolean"}, "default": true, "public": true}});
            expect("config.change", "config", None, "features.beta", before, after)
        }
        "delete_config_entry" => {
            let (s, b) = send(app, Method::DELETE, "/config/entries/features.beta", t, None).await;
            ok(op, s, &b);
            let before = json!({"definition": {"description": "Beta features", "schema": {"type": "boolean"}, "default": true, "public": true}});
            expect("config.change", "config", None, "features.beta", before, Value::Null)
        }
        "import_config" => {
            let doc = json!({"format": "steward.configuration/v1", "values": {"password.min_length": 12, "lockout.threshold": 7}});
            let (s, b) = send(app, Method::POST, "/config/import", t, Some(doc)).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "lockout.threshold", Value::Null, json!({"value": 7}))
        }
        "create_config_backup" => {
            let (s, b) = send(app, Method::POST, "/config/backups", t, Some(json!({"name": "before the walk"}))).await;
            ok(op, s, &b);
            w.backup_id = b["id"].as_str().unwrap().to_owned();
            expect("config.backup_create", "config", Some(w.backup_id.clone()), "name", Value::Null, json!("before the walk"))
        }
        "reset_config" => {
            let (s, b) = send(app, Method::POST, "/config/reset", t, None).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "lockout.threshold", json!({"value": 7}), Value::Null)
        }
        "restore_config_backup" => {
            let (s, b) = send(app, Method::POST, &format!("/config/backups/{}/restore", w.backup_id), t, None).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "lockout.threshold", Value::Null, json!({"value": 7}))
        }
        "restore_config" => {
            let (s, b) = send(app, Method::POST, "/config/restore", t, Some(json!({"revision": 0}))).await;
            ok(op, s, &b);
            expect("config.change", "config", None, "lockout.threshold", json!({"value": 7}), Value::Null)
        }
        "delete_config_backup" => {
            let (s, b) = send(app, Method::DELETE, &format!("/config/backups/{}", w.backup_id), t, None).await;
            ok(op, s, &b);
            expect("config.backup_delete", "config", Some(w.backup_id.clone()), "name", json!("before the walk"), Value::Null)
        }
        "import_users" => {
            let res = app
                .client
                .post(app.url("/api/v1/instances/shop/users/import"))
                .bearer_auth(t)
                .header("content-type", "text/csv")
                .body("email,given_name\nbob@example.com,Bob\ncy@example.com,Cy\n")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{op}");
            expect("user.import", "user", None, "accepted", Value::Null, json!(2))
        }
        "send_invitation" => {
            // Bob was imported without a password.
            let (_, list) = send(app, Method::GET, "/users?q=bob", t, None).await;
            let bob = list["items"][0]["id"].as_str().unwrap().to_owned();
            let (s, b) = send(app, Method::POST, &format!("/users/{bob}/send-invitation"), t, None).await;
            ok(op, s, &b);
            expect("user.invitation_send", "user", Some(bob), "email_sent_to", Value::Null, json!("bob@example.com"))
        }
        "bulk_users" => {
            let (_, list) = send(app, Method::GET, "/users?q=cy", t, None).await;
            let cy = list["items"][0]["id"].as_str().unwrap().to_owned();
            let (s, b) = send(app, Method::POST, "/users/bulk", t, Some(json!({"action": "block", "ids": [cy]}))).await;
            ok(op, s, &b);
            assert_eq!(b["done"], 1, "{b}");
            expect("user.block", "user", Some(cy), "blocked", json!(false), json!(true))
        }
        "cancel_email" => {
            // Bob's invitation, made to have failed.
            let outbox: Value = app.get("/api/v1/instances/shop/outbox?to=bob", Some(t)).await.json().await.unwrap();
            let id = outbox["items"][0]["id"].as_str().unwrap().to_owned();
            use steward_persistence::entities::outbox_emails::{Column, Entity};
            Entity::update_many()
                .col_expr(Column::Status, Expr::value("failed"))
                .filter(Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
                .exec(&app.state.db)
                .await
                .unwrap();
            let (s, b) = send(app, Method::POST, &format!("/outbox/{id}/cancel"), t, None).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{op}: {b}");
            expect("email.cancel", "email", Some(id), "status", json!("failed"), json!("cancelled"))
        }
        "delete_user" => {
            let (s, b) = send(app, Method::DELETE, &format!("/users/{}", w.user_id), t, None).await;
            ok(op, s, &b);
            expect("user.delete", "user", Some(w.user_id.clone()), "email", json!("ada@example.com"), Value::Null)
        }
        "delete_application" => {
            let (s, b) = send(app, Method::DELETE, &format!("/applications/{}", w.app_id), t, None).await;
            ok(op, s, &b);
            expect("application.delete", "application", Some(w.app_id.clone()), "name", json!("Billing"), Value::Null)
        }
        "create_management_client" => {
            let (s, b) = send(app, Method::POST, "/management-clients", t, Some(json!({"name": "Deployer", "scopes": ["users:read"]}))).await;
            ok(op, s, &b);
            w.client_id = b["client"]["id"].as_str().unwrap().to_owned();
            w.secrets.push(b["client_secret"].as_str().unwrap().to_owned());
            expect("management_client.create", "management_client", Some(w.client_id.clone()), "client_secret", Value::Null, json!("[redacted]"))
        }
        "update_management_client" => {
            let body = json!({"scopes": ["users:read", "users:write"]});
            let (s, b) = send(app, Method::PATCH, &format!("/management-clients/{}", w.client_id), t, Some(body)).await;
            ok(op, s, &b);
            expect("management_client.update", "management_client", Some(w.client_id.clone()), "scopes", json!("users:read"), json!("users:read users:write"))
        }
        "rotate_management_client_secret" => {
            let (s, b) = send(app, Method::POST, &format!("/management-clients/{}/secret", w.client_id), t, Some(json!({}))).await;
            ok(op, s, &b);
            w.secrets.push(b["client_secret"].as_str().unwrap().to_owned());
            expect("management_client.secret_rotate", "management_client", Some(w.client_id.clone()), "client_secret", json!("[redacted]"), json!("[redacted]"))
        }
        "delete_management_client" => {
            let (s, b) = send(app, Method::DELETE, &format!("/management-clients/{}", w.client_id), t, None).await;
            ok(op, s, &b);
            expect("management_client.delete", "management_client", Some(w.client_id.clone()), "name", json!("Deployer"), Value::Null)
        }
        "create_webhook" => {
            let (s, b) = send(app, Method::POST, "/webhooks", t, Some(json!({"url": "https://hooks.example.com/steward"}))).await;
            ok(op, s, &b);
            w.webhook_id = b["endpoint"]["id"].as_str().unwrap().to_owned();
            w.secrets.push(b["secret"].as_str().unwrap().to_owned());
            expect("webhook.create", "webhook", Some(w.webhook_id.clone()), "secret", Value::Null, json!("[redacted]"))
        }
        "update_webhook" => {
            let (s, b) = send(app, Method::PATCH, &format!("/webhooks/{}", w.webhook_id), t, Some(json!({"description": "Data sync"}))).await;
            ok(op, s, &b);
            expect("webhook.update", "webhook", Some(w.webhook_id.clone()), "description", json!(""), json!("Data sync"))
        }
        "rotate_webhook_secret" => {
            let (s, b) = send(app, Method::POST, &format!("/webhooks/{}/secret", w.webhook_id), t, Some(json!({"grace_period_secs": 60}))).await;
            ok(op, s, &b);
            w.secrets.push(b["secret"].as_str().unwrap().to_owned());
            expect("webhook.secret_rotate", "webhook", Some(w.webhook_id.clone()), "secret", json!("[redacted]"), json!("[redacted]"))
        }
        "send_test_event" => {
            let (s, b) = send(app, Method::POST, &format!("/webhooks/{}/test", w.webhook_id), t, None).await;
            ok(op, s, &b);
            w.delivery_id = b["id"].as_str().unwrap().to_owned();
            expect("webhook.test", "webhook", Some(w.webhook_id.clone()), "event_type", Value::Null, json!("webhook.test"))
        }
        "resend_delivery" => {
            let (s, b) = send(app, Method::POST, &format!("/webhooks/{}/deliveries/{}/resend", w.webhook_id, w.delivery_id), t, None).await;
            ok(op, s, &b);
            expect("webhook.resend", "webhook", Some(w.webhook_id.clone()), "delivery_id", Value::Null, b["id"].clone())
        }
        "delete_webhook" => {
            let (s, b) = send(app, Method::DELETE, &format!("/webhooks/{}", w.webhook_id), t, None).await;
            ok(op, s, &b);
            expect("webhook.delete", "webhook", Some(w.webhook_id.clone()), "description", json!("Data sync"), Value::Null)
        }
        "delete_instance" => {
            let (s, b) = send(app, Method::DELETE, "", t, None).await;
            ok(op, s, &b);
            return None;
        }
        other => panic!("no audit case for operation {other}: add it to WALK and to perform()"),
    };
    Some(e)
}

fn assert_no_secret(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "a secret ({s}) reached the audit log's {what}: {text}");
    }
}

async fn every_change_to_an_instance_is_audited_without_secrets(app: TestApp) {
    // Every mutating instance route of the committed document is walked (and nothing else).
    let documented = openapi_operations();
    let walked: BTreeSet<String> = WALK.iter().filter(|o| !["remove_member_self", "put_security_policy_off"].contains(*o)).map(|o| o.to_string()).collect();
    let missing: Vec<&String> = documented.difference(&walked).collect();
    let unknown: Vec<&String> = walked.difference(&documented).collect();
    assert!(missing.is_empty(), "mutating instance routes without an audit case: {missing:?}");
    assert!(unknown.is_empty(), "audit cases for routes that no longer exist: {unknown:?}");

    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    let dev = app.signup("dev@example.com").await.access;
    assert_eq!(app.add_member(&owner, "shop", "dev@example.com", "developer").await.status(), StatusCode::OK);
    app.signup("gone@example.com").await;
    assert_eq!(app.add_member(&owner, "shop", "gone@example.com", "viewer").await.status(), StatusCode::OK);
    let mut w = Walk {
        invitation: (String::new(), Value::Null),
        owner_id: app.account_id(&owner).await,
        dev_id: app.account_id(&dev).await,
        owner,
        dev,
        app_id: String::new(),
        user_id: String::new(),
        client_id: String::new(),
        webhook_id: String::new(),
        delivery_id: String::new(),
        backup_id: String::new(),
        secrets: Vec::new(),
    };
    let token = w.owner.clone();
    let mut entries = Vec::new();
    for op in WALK {
        let before = log(&app, &token, "?limit=1").await["total"].as_u64().unwrap();
        let Some(e) = perform(&app, &mut w, op).await else {
            // The instance is gone, and its log with it.
            assert_eq!(op, "delete_instance");
            let res = app.get("/api/v1/instances/shop/audit-log", Some(&token)).await;
            assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
            let left = steward_persistence::entities::audit_log::Entity::find().count(&app.state.db).await.unwrap();
            assert_eq!(left, 0, "the instance's log is deleted with it");
            continue;
        };
        let page = log(&app, &token, "?limit=1").await;
        assert_eq!(page["total"].as_u64().unwrap(), before + 1, "{op} writes exactly one entry");
        let entry = page["items"][0].clone();
        assert_eq!(entry["action"], e.action, "{op}: {entry}");
        assert_eq!(entry["target"]["kind"], e.target_kind, "{op}: {entry}");
        if let Some(id) = &e.target_id {
            assert_eq!(entry["target"]["id"], json!(id), "{op}: {entry}");
        }
        let (actor_id, actor_email) = if e.actor_email == OWNER { (&w.owner_id, OWNER) } else { (&w.dev_id, e.actor_email) };
        assert_eq!(entry["actor"], json!({"kind": "account", "id": actor_id, "label": actor_email, "ip": "127.0.0.1"}), "{op}");
        assert_eq!(entry["changes"][e.field], json!({"before": e.before, "after": e.after}), "{op}: {entry}");
        assert_no_secret(op, &entry.to_string(), &w.secrets);
        entries.push(entry);
    }
    // Secrets that changed say so, without their value.
    let of = |action: &str| entries.iter().find(|e| e["action"] == action).unwrap().clone();
    assert_eq!(of("user.create")["changes"]["password_hash"], json!({"before": null, "after": "[redacted]"}));
    assert_eq!(of("user.update")["changes"]["password_hash"], json!({"before": "[redacted]", "after": "[redacted]"}));
    assert_eq!(of("user.create")["changes"]["metadata"]["after"], json!({"api_token": "[redacted]", "plan": "pro"}));
    assert!(of("instance.update")["changes"].get("updated_at").is_none(), "no noise");
}

async fn csv_of(app: &TestApp, token: &str, query: &str) -> String {
    let res = app.get(&format!("/api/v1/instances/shop/audit-log.csv{query}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    res.text().await.unwrap()
}

async fn a_refused_change_writes_no_entry(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    app.create_app(&owner, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let total = log(&app, &owner, "").await["total"].as_u64().unwrap();
    assert_eq!(total, 1);

    // 422: invalid input.
    let (s, _) = send(&app, Method::PATCH, "", &owner, Some(json!({"time_zone": "Mars/Olympus"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = send(&app, Method::PUT, "/smtp", &owner, Some(json!({"enabled": true, "port": 587, "security": "tls", "password": SMTP_PASSWORD}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // 409: the name is taken (refused by the database inside the transaction).
    let (s, _) = send(&app, Method::POST, "/applications", &owner, Some(json!({"kind": "frontend", "name": "Web"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // 409: the last owner stays (refused inside the transaction, after the instance is locked).
    let owner_id = app.account_id(&owner).await;
    let (s, _) = send(&app, Method::PATCH, &format!("/members/{owner_id}"), &owner, Some(json!({"role": "viewer"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = send(&app, Method::DELETE, &format!("/members/{owner_id}"), &owner, None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // 409: a rule of the target (already verified... blocked).
    let (s, b) = send(&app, Method::POST, "/users", &owner, Some(json!({"email": "v@example.com", "email_verified": true}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = send(&app, Method::POST, &format!("/users/{}/send-verification", b["id"].as_str().unwrap()), &owner, None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // 404: nothing to change.
    let (s, _) = send(&app, Method::DELETE, "/branding/logo", &owner, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = send(&app, Method::DELETE, &format!("/users/{}", uuid::Uuid::now_v7()), &owner, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // 403: a role that may not.
    let viewer = app.signup("viewer@example.com").await.access;
    assert_eq!(app.add_member(&owner, "shop", "viewer@example.com", "viewer").await.status(), StatusCode::OK);
    let (s, _) = send(&app, Method::PATCH, "", &viewer, Some(json!({"name": "Mine"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let after = log(&app, &owner, "").await;
    // The user creation, and the viewer's invitation and acceptance: nothing of the refusals.
    assert_eq!(after["total"], 4, "only the user creation and the invitation were recorded: {after}");
    let actions: Vec<&str> = after["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["invitation.accept", "invitation.create", "user.create", "application.create"]);
    assert!(!after.to_string().contains(SMTP_PASSWORD));
}

/// The entry is written in the change's transaction: when the entry cannot be written, the change
/// is not made either (the log's table is taken away for a moment to make its insert fail).
async fn the_entry_is_written_in_the_change_s_transaction(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    let (s, user) = send(&app, Method::POST, "/users", &owner, Some(json!({"email": "u@example.com"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let user_id = user["id"].as_str().unwrap();
    let db = &app.state.db;
    db.execute_unprepared("ALTER TABLE audit_log RENAME TO audit_log_away").await.unwrap();
    let (s1, _) = send(&app, Method::PATCH, "", &owner, Some(json!({"name": "Never"}))).await;
    let (s2, _) = send(&app, Method::POST, &format!("/users/{user_id}/block"), &owner, None).await;
    let (s3, _) = send(&app, Method::POST, "/applications", &owner, Some(json!({"kind": "frontend", "name": "Ghost"}))).await;
    db.execute_unprepared("ALTER TABLE audit_log_away RENAME TO audit_log").await.unwrap();
    assert_eq!((s1, s2, s3), (StatusCode::INTERNAL_SERVER_ERROR, StatusCode::INTERNAL_SERVER_ERROR, StatusCode::INTERNAL_SERVER_ERROR));

    let instance: Value = app.get("/api/v1/instances/shop", Some(&owner)).await.json().await.unwrap();
    assert_eq!(instance["name"], "Instance shop", "no change without its entry");
    let user: Value = app.get(&format!("/api/v1/instances/shop/users/{user_id}"), Some(&owner)).await.json().await.unwrap();
    assert_eq!(user["blocked"], false);
    let apps: Value = app.get("/api/v1/instances/shop/applications", Some(&owner)).await.json().await.unwrap();
    assert_eq!(apps["total"], 0);
    let entries = log(&app, &owner, "").await;
    assert_eq!(entries["total"], 1, "only the user's creation: {entries}");

    // And with the table back, the same change is made and recorded.
    let (s, _) = send(&app, Method::PATCH, "", &owner, Some(json!({"name": "Now"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log(&app, &owner, "").await["total"], 2);
}

async fn filters_paging_and_csv(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    let admin = app.signup("admin@example.com").await.access;
    assert_eq!(app.add_member(&owner, "shop", "admin@example.com", "admin").await.status(), StatusCode::OK);
    let admin_id = app.account_id(&admin).await;
    let start = chrono::Utc::now() - chrono::Duration::seconds(1);
    for i in 0..5 {
        let (s, _) = send(&app, Method::PATCH, "", &owner, Some(json!({"name": format!("Shop {i}")}))).await;
        assert_eq!(s, StatusCode::OK);
    }
    let created = app.create_app(&admin, "shop", json!({"kind": "frontend", "name": "=HYPERLINK(\"http://evil\")"})).await;
    let app_id = created["id"].as_str().unwrap();

    // Paging: newest first, every entry once, past several pages.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = log(&app, &owner, &format!("?limit=2&cursor={cursor}")).await;
        assert_eq!(page["total"], 8, "five renames, an application, and the admin's invitation and acceptance");
        seen.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, no duplicates");
    let first = log(&app, &owner, "").await;
    assert_eq!(first["items"][0]["action"], "application.create");
    assert_eq!(first["items"][5]["changes"]["name"]["after"], "Shop 0");

    // Filters.
    assert_eq!(log(&app, &owner, "?action=instance.update").await["total"], 5);
    assert_eq!(log(&app, &owner, &format!("?actor={admin_id}")).await["total"], 2, "the admin's acceptance and application");
    assert_eq!(log(&app, &owner, "?target_kind=application").await["total"], 1);
    assert_eq!(log(&app, &owner, &format!("?target_kind=application&target_id={app_id}")).await["total"], 1);
    assert_eq!(log(&app, &owner, &format!("?target_id={}", uuid::Uuid::now_v7())).await["total"], 0);
    let from = first["items"][5]["created_at"].as_str().unwrap().to_owned();
    assert_eq!(log(&app, &owner, &format!("?from={from}")).await["total"], 6, "from the first rename on");
    let from = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(log(&app, &owner, &format!("?to={from}")).await["total"], 0);
    assert_eq!(log(&app, &owner, "?action=&target_kind=&actor=").await["total"], 8, "empty filters are no filters");

    // Bad filters: 422 beside the parameter.
    let res = app.get("/api/v1/instances/shop/audit-log?action=user.explode", Some(&owner)).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("action".to_owned(), "invalid_value".to_owned())]);
    for (query, field) in [("from=yesterday", "from"), ("target_kind=planet", "target_kind"), ("limit=0", "limit"), ("cursor=%21%21", "cursor")] {
        let res = app.get(&format!("/api/v1/instances/shop/audit-log?{query}"), Some(&owner)).await;
        let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p)[0].0, field, "{query}");
    }
    let res = app.get("/api/v1/instances/shop/audit-log.csv?action=nope", Some(&owner)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // CSV: a header row, the filtered entries, formulas neutralised.
    let csv = csv_of(&app, &owner, "").await;
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "id,created_at,actor_kind,actor_id,actor_label,ip,action,target_kind,target_id,target_label,changes");
    assert_eq!(csv.lines().count(), 9, "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][6], "application.create");
    assert_eq!(&rows[0][4], "admin@example.com");
    assert_eq!(&rows[0][9], "'=HYPERLINK(\"http://evil\")", "a formula is neutralised");
    assert!(rows.iter().all(|r| !r.iter().any(|c| c.starts_with(['=', '+', '-', '@']))));
    let only_admin = csv_of(&app, &owner, &format!("?actor={admin_id}")).await;
    assert_eq!(only_admin.lines().count(), 3, "a header, the acceptance and the application");
}

async fn only_admins_of_the_instance_read_the_log(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    send(&app, Method::PATCH, "", &owner, Some(json!({"name": "Shop"}))).await;
    for (email, role) in [("viewer@example.com", "viewer"), ("dev@example.com", "developer")] {
        let token = app.signup(email).await.access;
        assert_eq!(app.add_member(&owner, "shop", email, role).await.status(), StatusCode::OK);
        for path in ["/api/v1/instances/shop/audit-log", "/api/v1/instances/shop/audit-log.csv"] {
            assert_problem(app.get(path, Some(&token)).await, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
    let admin = app.signup("admin@example.com").await.access;
    assert_eq!(app.add_member(&owner, "shop", "admin@example.com", "admin").await.status(), StatusCode::OK);
    // The rename, and three invitations each with its acceptance.
    assert_eq!(log(&app, &admin, "?action=instance.update").await["total"], 1);
    assert_eq!(log(&app, &admin, "").await["total"], 7);

    // The owner of another instance learns nothing about this one, nor sees its entries in theirs.
    let other = app.signup("other@example.com").await.access;
    app.create_instance(&other, "other").await;
    for path in ["/api/v1/instances/shop/audit-log", "/api/v1/instances/shop/audit-log.csv"] {
        assert_problem(app.get(path, Some(&other)).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    let theirs: Value = app.get("/api/v1/instances/other/audit-log", Some(&other)).await.json().await.unwrap();
    assert_eq!(theirs["total"], 0);
    assert_problem(app.get("/api/v1/instances/shop/audit-log", None).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

async fn applications_writing_through_the_public_api_are_audited(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    let created = app.create_app(&owner, "shop", json!({"kind": "backend", "name": "Backoffice"})).await;
    let (client_id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
    let app_id = created["id"].as_str().unwrap();
    let token: Value = app.client_token("shop", client_id, secret).await.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    let public = |method: Method, path: &str| app.client.request(method, app.url(&format!("/public/v1/shop{path}"))).bearer_auth(token);

    let res = public(Method::POST, "/users").json(&json!({"email": "api@example.com", "password": USER_PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    let user_id = user["id"].as_str().unwrap();
    let res = public(Method::PATCH, &format!("/users/{user_id}")).json(&json!({"name": "Api User"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = public(Method::DELETE, &format!("/users/{user_id}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // A refused write leaves nothing.
    let res = public(Method::POST, "/users").json(&json!({"email": "not an email"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let entries = log(&app, &owner, &format!("?actor={app_id}")).await;
    assert_eq!(entries["total"], 3, "{entries}");
    let actions: Vec<&str> = entries["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.delete", "user.update", "user.create"]);
    for e in entries["items"].as_array().unwrap() {
        assert_eq!(e["actor"], json!({"kind": "application", "id": app_id, "label": "Backoffice", "ip": "127.0.0.1"}));
        assert_eq!(e["target"]["id"], user_id);
    }
    assert_eq!(entries["items"][1]["changes"]["name"], json!({"before": "", "after": "Api User"}));
    let text = entries.to_string() + &csv_of(&app, &owner, "").await;
    assert_no_secret("entries", &text, &[USER_PASSWORD.to_owned(), secret.to_owned(), token.to_owned()]);
}

async fn old_entries_are_deleted_by_retention(app: TestApp) {
    let owner = app.signup(OWNER).await.access;
    app.create_instance(&owner, "shop").await;
    for name in ["Old", "New"] {
        send(&app, Method::PATCH, "", &owner, Some(json!({"name": name}))).await;
    }
    let entries = log(&app, &owner, "").await;
    let old_id = entries["items"][1]["id"].as_str().unwrap();
    let db = &app.state.db;
    use steward_persistence::entities::audit_log::{Column, Entity};
    let old = steward_persistence::now() - chrono::Duration::days(400);
    Entity::update_many().col_expr(Column::CreatedAt, Expr::value(old)).filter(Column::Id.eq(old_id.parse::<uuid::Uuid>().unwrap())).exec(db).await.unwrap();
    let r = steward::retention::Retention {
        days: 30,
        login_attempts_days: 90,
        mailbox_days: 7,
        audit_days: 365,
        usage_minute_days: 7,
        usage_hour_days: 400,
        interval: std::time::Duration::from_secs(3600),
    };
    let deleted = steward::retention::run_once(db, &r).await.unwrap();
    assert_eq!(deleted.audit_entries, 1);
    let left = log(&app, &owner, "").await;
    assert_eq!(left["total"], 1);
    assert_eq!(left["items"][0]["changes"]["name"]["after"], "New");
}

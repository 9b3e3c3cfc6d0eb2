//! Email messages: validation of templates (line and reason), previews, the font, reset, and the
//! customised templates used by the emails actually sent.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::branding::wait_for_mail_html;
use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem, field_errors};

const T: &str = "/api/v1/instances/shop/email-templates";

async fn put(app: &TestApp, token: &str, kind: &str, body: Value) -> reqwest::Response {
    app.request(reqwest::Method::PUT, &format!("{T}/{kind}"), Some(token), Some(body)).await
}

async fn verification(app: &TestApp, token: &str) -> Value {
    app.get(&format!("{T}/verification"), Some(token)).await.json().await.unwrap()
}

async fn bad_templates_are_refused_with_line_and_reason(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let t = s.access.as_str();

    let list: Value = app.get(T, Some(t)).await.json().await.unwrap();
    let kinds: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["verification", "reset_password", "update_account", "invitation", "greeting", "footer"]);
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["customized"] == false));
    assert_eq!(list["style"], json!({"font_family": "Arial", "font_size": 15}));
    assert!(list["fonts"].as_array().unwrap().contains(&json!("Georgia")));
    let vars: Vec<&str> = list["items"][0]["variables"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert!(vars.contains(&"link") && vars.contains(&"user_name") && vars.contains(&"logo_url") && vars.contains(&"expires_in"));
    assert_eq!(list["items"][4]["subject"], Value::Null, "the greeting has no subject");

    let default = verification(&app, t).await;
    let cases = [
        (json!({"subject": "Hi", "body": "<p>Welcome</p>\n<p>{{ undefined_var }}</p>"}), "body", "template_unknown_variable", Some(2), "undefined_var"),
        (json!({"subject": "Hi", "body": "<p>a</p>\n{% include 'other.html' %}"}), "body", "template_forbidden", Some(2), "include"),
        (json!({"subject": "Hi", "body": "<p>a</p>\n<p>b</p>\n{% if user_name %}"}), "body", "template_syntax", Some(3), "syntax"),
        (json!({"subject": "Hi {{ nope }}", "body": "<p>a</p>"}), "subject", "template_unknown_variable", Some(1), "nope"),
        (json!({"subject": "Hi\r\nBcc: evil@example.com", "body": "<p>a</p>"}), "subject", "invalid_characters", None, "single line"),
        (json!({"subject": "", "body": "<p>a</p>"}), "subject", "required", None, "required"),
        (
            json!({"subject": "Hi", "body": "<p>a</p>\n{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"}),
            "body",
            "template_forbidden",
            Some(2),
            "loops",
        ),
    ];
    for (body, field, code, line, says) in cases {
        let res = put(&app, t, "verification", body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&p), vec![(field.to_owned(), code.to_owned())], "{body}");
        assert_eq!(p["errors"][0]["line"].as_u64(), line.map(|l| l as u64), "{p}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains(says), "{p}");
    }
    // A fragment has no subject; the greeting knows no link.
    let p = assert_problem(put(&app, t, "greeting", json!({"subject": "x", "body": "<p>Hi</p>"})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    assert_eq!(field_errors(&p), vec![("subject".to_owned(), "not_allowed".to_owned())]);
    let p = assert_problem(
        put(&app, t, "greeting", json!({"subject": null, "body": "<p>{{ link }}</p>"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("body".to_owned(), "template_unknown_variable".to_owned())]);
    // A 20 MB body never reaches the template engine.
    let huge = "x".repeat(20 * 1024 * 1024);
    assert_problem(put(&app, t, "verification", json!({"subject": "Hi", "body": huge})).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let p = assert_problem(
        put(&app, t, "verification", json!({"subject": "Hi", "body": "x".repeat(33 * 1024)})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("body".to_owned(), "too_long".to_owned())]);
    // Unknown message.
    assert_problem(put(&app, t, "welcome", json!({"subject": "Hi", "body": "b"})).await, StatusCode::NOT_FOUND, "unknown_email_template").await;

    assert_eq!(verification(&app, t).await, default, "refusals changed nothing");

    // A viewer may read and preview, not save.
    app.signup("viewer@shop.example.com").await;
    app.add_member(t, "shop", "viewer@shop.example.com", "viewer").await;
    let viewer = app.login("viewer@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.post(&format!("{T}/verification/preview"), Some(&viewer), json!({})).await.status(), StatusCode::OK);
    assert_problem(put(&app, &viewer, "verification", json!({"subject": "Hi", "body": "<p>x</p>"})).await, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn previews_font_and_delivery_use_the_custom_templates(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let t = s.access.as_str();

    // Preview a draft with sample data: autoescaped, both parts, the font.
    let res = app.post(&format!("{T}/verification/preview"), Some(t), json!({"subject": "Welcome to {{ instance_name }}", "body": "<p>Welcome aboard {{ first_name }} <b>{{ '<i>' }}</b></p>\n<p><a href=\"{{ link }}\">Verify</a></p>", "font_family": "Georgia", "font_size": 18})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["subject"], "Welcome to Instance shop");
    let html = p["html"].as_str().unwrap();
    assert!(html.contains("Welcome aboard Ada") && html.contains("&lt;i&gt;"), "{html}");
    assert!(html.contains("font-family:Georgia, &#39;Times New Roman&#39;, serif") || html.contains("font-family:Georgia"), "{html}");
    assert!(html.contains("font-size:18px"), "{html}");
    assert!(p["text"].as_str().unwrap().contains("Verify: https://"), "{}", p["text"]);
    let p = assert_problem(
        app.post(&format!("{T}/verification/preview"), Some(t), json!({"body": "{{ nope }}", "font_size": 99})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("font_size".to_owned(), "out_of_range".to_owned())]);
    // A fragment's preview refuses a subject, as saving does.
    let p = assert_problem(
        app.post(&format!("{T}/greeting/preview"), Some(t), json!({"subject": "x", "body": "<p>Hi</p>"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("subject".to_owned(), "not_allowed".to_owned())]);

    // Preview with a real end user.
    let front = app.create_app(t, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let client_id = front["client_id"].as_str().unwrap().to_owned();
    let user = app
        .post(
            "/api/v1/instances/shop/users",
            Some(t),
            json!({"email": "grace@example.com", "given_name": "Grace", "family_name": "Hopper", "name": "Grace Hopper", "password": PASSWORD}),
        )
        .await;
    assert_eq!(user.status(), StatusCode::CREATED);
    let user: Value = user.json().await.unwrap();
    let p: Value = app
        .post(&format!("{T}/verification/preview"), Some(t), json!({"body": "<p>Hi {{ first_name }} ({{ email }})</p>", "end_user_id": user["id"]}))
        .await
        .json()
        .await
        .unwrap();
    assert!(p["html"].as_str().unwrap().contains("Hi Grace (grace@example.com)"), "{p}");
    assert!(p["html"].as_str().unwrap().contains("Hello Grace Hopper,"), "the greeting wraps it");

    // Save a custom verification email, greeting and footer, and the font.
    let res = put(&app, t, "verification", json!({"subject": "Confirm {{ email }} for {{ instance_name }}", "body": "<p>Welcome aboard {{ first_name }}!</p>\n<p><a href=\"{{ link }}\">Confirm</a> within {{ expires_in }}.</p>"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["customized"], true);
    assert!(saved["updated_at"].is_string());
    assert_eq!(put(&app, t, "greeting", json!({"subject": null, "body": "<p>Dear {{ user_name }},</p>"})).await.status(), StatusCode::OK);
    assert_eq!(put(&app, t, "footer", json!({"body": "<p>Cheers, {{ instance_name }}</p>"})).await.status(), StatusCode::OK);
    let style =
        app.request(reqwest::Method::PUT, "/api/v1/instances/shop/email-style", Some(t), Some(json!({"font_family": "Verdana", "font_size": 16}))).await;
    assert_eq!(style.status(), StatusCode::OK);
    let p = assert_problem(
        app.request(reqwest::Method::PUT, "/api/v1/instances/shop/email-style", Some(t), Some(json!({"font_family": "Comic Sans MS", "font_size": 9}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p).len(), 2);
    assert_eq!(app.get("/api/v1/instances/shop/email-style", Some(t)).await.json::<Value>().await.unwrap(), json!({"font_family": "Verdana", "font_size": 16}));

    // The email a new user receives uses them.
    let register = |email: &'static str| {
        app.client
            .post(app.url("/public/v1/shop/auth/register"))
            .header("x-client-id", client_id.clone())
            .json(&json!({"email": email, "password": PASSWORD, "given_name": "Alan", "name": "Alan Turing"}))
            .send()
    };
    assert_eq!(register("alan@example.com").await.unwrap().status(), StatusCode::ACCEPTED);
    let html = wait_for_mail_html(&app, t).await;
    assert!(html.contains("Welcome aboard Alan!") && html.contains("Dear Alan Turing,") && html.contains("Cheers, Instance shop"), "{html}");
    assert!(html.contains("font-family:Verdana") && html.contains("font-size:16px"), "{html}");
    let mailbox: Value = app.get("/api/v1/instances/shop/mailbox", Some(t)).await.json().await.unwrap();
    assert_eq!(mailbox["items"][0]["subject"], "Confirm alan@example.com for Instance shop");
    assert!(mailbox["items"][0]["text"].as_str().unwrap().contains("Welcome aboard Alan!"));

    // Reset: the default is used again.
    assert_eq!(app.delete(&format!("{T}/verification"), Some(t)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(verification(&app, t).await["customized"], false);
    assert_eq!(register("ada@example.com").await.unwrap().status(), StatusCode::ACCEPTED);
    for _ in 0..100 {
        let mailbox: Value = app.get("/api/v1/instances/shop/mailbox", Some(t)).await.json().await.unwrap();
        if mailbox["items"].as_array().unwrap().len() == 2 {
            assert_eq!(mailbox["items"][0]["subject"], "Verify your email for Instance shop");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the second email did not arrive");
}

/// A tenant's template cannot take the process down: every construct that could allocate without
/// bound is refused by name (saved or only previewed — a viewer may preview), an allowed template
/// that renders too much stops while rendering with `template_too_expensive`, and the server keeps
/// answering every instance.
async fn templates_that_would_eat_memory_never_run(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let t = s.access.as_str();
    app.signup("viewer@shop.example.com").await;
    app.add_member(t, "shop", "viewer@shop.example.com", "viewer").await;
    let viewer = app.login("viewer@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();

    let attacks = [
        "{{ link|center(2147483647) }}",
        "{{ link|indent(999999999) }}",
        "{{ 'x' * 99999999999 }}",
        "{{ link * 99999999999 }}",
        "{% set s = link ~ link %}{% set s = s ~ s %}{% set s = s ~ s %}{% set s = s ~ s %}{{ s }}",
        "{% for i in range(99999) %}{{ link }}{% endfor %}",
        "{{ link|replace('', link)|replace('', link)|replace('', link) }}",
        "{{ (link ~ link)|list|join(link) }}",
        "{{ range(99999)|map('string')|join }}",
        "{{ namespace(a=link) }}",
        "{% with a = link ~ link %}{{ a }}{% endwith %}",
    ];
    for body in attacks {
        for token in [t, viewer.as_str()] {
            let preview = app.post(&format!("{T}/verification/preview"), Some(token), json!({"subject": "Hi", "body": body})).await;
            let p = assert_problem(preview, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(field_errors(&p), vec![("body".to_owned(), "template_forbidden".to_owned())], "{body}: {p}");
        }
        let p =
            assert_problem(put(&app, t, "verification", json!({"subject": "Hi", "body": body})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
                .await;
        assert_eq!(field_errors(&p), vec![("body".to_owned(), "template_forbidden".to_owned())], "{body}: {p}");
    }
    // Allowed constructs, but more output than an email may have: stopped while rendering.
    let huge = "{{ link ~ link ~ link ~ link ~ link ~ link ~ link ~ link }}".repeat(540);
    for token in [t, viewer.as_str()] {
        let p = assert_problem(
            app.post(&format!("{T}/verification/preview"), Some(token), json!({"subject": "Hi", "body": huge})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "template_too_expensive",
        )
        .await;
        assert_eq!(field_errors(&p), vec![("body".to_owned(), "template_too_expensive".to_owned())]);
    }
    assert_problem(put(&app, t, "verification", json!({"subject": "Hi", "body": huge})).await, StatusCode::UNPROCESSABLE_ENTITY, "template_too_expensive")
        .await;
    // The footer is in every email: the same bound holds for fragments.
    let huge_footer = "{{ email ~ email ~ email ~ email ~ email ~ email ~ email ~ email }}".repeat(480);
    assert_problem(put(&app, t, "footer", json!({"body": huge_footer})).await, StatusCode::UNPROCESSABLE_ENTITY, "template_too_expensive").await;

    assert_eq!(verification(&app, t).await["customized"], false, "nothing was saved");
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK, "the process is still up");
}

db_tests!(bad_templates_are_refused_with_line_and_reason, previews_font_and_delivery_use_the_custom_templates, templates_that_would_eat_memory_never_run);

db_tests!(messages_use_the_users_metadata_and_the_real_link_lifetimes);

/// `{{ metadata.plan }}` reads the end user's metadata (empty when they lack the field), in the
/// preview as a chosen user and in the email sent; the metadata itself is not text; a preview
/// says how long each link really works.
async fn messages_use_the_users_metadata_and_the_real_link_lifetimes(app: TestApp) {
    let t = &app.signup("owner@shop.example.com").await.access;
    app.create_instance(t, "shop").await;

    let vars: Value = app.get(&format!("{T}/verification"), Some(t)).await.json().await.unwrap();
    assert!(vars["variables"].as_array().unwrap().iter().any(|v| v["name"] == "metadata"), "documented: {vars}");

    let body = "<p>Plan: [{{ metadata.plan }}] Company: [{{ metadata[\"company\"] }}] Missing: [{{ metadata.nope }}]</p>";
    let sample: Value = app.post(&format!("{T}/verification/preview"), Some(t), json!({"body": body})).await.json().await.unwrap();
    assert!(sample["html"].as_str().unwrap().contains("Plan: [pro] Company: [Example Ltd] Missing: []"), "{sample}");

    let user: Value = app
        .post(
            "/api/v1/instances/shop/users",
            Some(t),
            json!({"email": "grace@example.com", "password": PASSWORD, "metadata": {"plan": "<b>gold</b>", "seats": 5}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let p: Value = app
        .post(
            &format!("{T}/verification/preview"),
            Some(t),
            json!({"body": "<p>{{ metadata.plan }} / {{ metadata.seats }} / [{{ metadata.company }}]</p>", "end_user_id": user["id"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let html = p["html"].as_str().unwrap();
    assert!(html.contains("&lt;b&gt;gold&lt;&#x2f;b&gt; / 5 / []") && !html.contains("<b>gold"), "escaped, numbers as written, missing empty: {p}");

    // The metadata is read one field at a time; other lookups stay refused.
    for (bad, code) in [("{{ metadata }}", "template_forbidden"), ("{{ email.x }}", "template_forbidden"), ("{{ metadata[email] }}", "template_forbidden")] {
        let res = put(&app, t, "verification", json!({"subject": "Hi", "body": bad})).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), vec![("body".to_owned(), code.to_owned())], "{bad}: {problem}");
    }

    // Each preview says the lifetime the real email says.
    for (kind, lifetime) in [("verification", "24 hours"), ("reset_password", "30 minutes"), ("invitation", "7 days")] {
        let p: Value = app.post(&format!("{T}/{kind}/preview"), Some(t), json!({})).await.json().await.unwrap();
        assert!(p["text"].as_str().unwrap().contains(lifetime), "{kind}: {p}");
    }

    // The email sent uses the user's metadata.
    let res = put(
        &app,
        t,
        "reset_password",
        json!({"subject": "Reset", "body": "<p>Your {{ metadata.plan }} plan</p><p><a href=\"{{ link }}\">Reset</a> within {{ expires_in }}</p>"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = user["id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/instances/shop/users/{id}/send-password-reset"), Some(t), json!({})).await.status(), StatusCode::ACCEPTED);
    let html = wait_for_mail_html(&app, t).await;
    assert!(html.contains("Your &lt;b&gt;gold&lt;&#x2f;b&gt; plan") && html.contains("30 minutes"), "{html}");
}

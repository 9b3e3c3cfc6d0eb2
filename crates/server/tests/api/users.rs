//! End users: the console's Users tab, the public API's sign-up and sign-in, and users managed
//! by back-end applications.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem, field_errors};

db_tests!(
    console_users_crud_and_bad_input,
    console_list_filters_sorts_and_pages,
    end_user_sign_up_sign_in_refresh_and_sign_out,
    blocked_users_lose_their_tokens_at_once,
    own_account_changes_need_the_password,
    backend_apps_manage_users_with_scope,
    password_and_refresh_token_grants,
    csv_export_and_import,
    users_are_isolated_between_instances,
);

struct Ctx {
    console: String,
    front_client_id: String,
    back_token: String,
}

async fn setup(app: &TestApp, slug: &str) -> Ctx {
    let s = app.signup(&format!("owner@{slug}.example.com")).await;
    app.create_instance(&s.access, slug).await;
    let front = app.create_app(&s.access, slug, json!({"kind": "frontend", "name": "Web"})).await;
    let back = app.create_app(&s.access, slug, json!({"kind": "backend", "name": "Server"})).await;
    let res = app.client_token(slug, back["client_id"].as_str().unwrap(), back["client_secret"].as_str().unwrap()).await;
    let back_token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    Ctx { console: s.access, front_client_id: front["client_id"].as_str().unwrap().to_owned(), back_token }
}

fn public(app: &TestApp, ctx: &Ctx, method: reqwest::Method, slug: &str, path: &str) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(&format!("/public/v1/{slug}{path}"))).header("x-client-id", &ctx.front_client_id)
}

async fn console_users_crud_and_bad_input(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let base = "/api/v1/instances/shop/users";
    let res = app
        .post(base, Some(&ctx.console), json!({"email": "Grace@Example.com", "given_name": "Grace", "family_name": "Hopper", "password": PASSWORD, "email_verified": true, "metadata": {"plan": "pro", "seats": 3}}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    assert_eq!((user["email"].as_str(), user["name"].as_str(), user["status"].as_str()), (Some("grace@example.com"), Some("Grace Hopper"), Some("active")));
    assert_eq!(user["metadata"]["seats"], 3);
    assert_eq!(user["has_password"], true);
    assert!(!user.to_string().contains("argon2"));
    let id = user["id"].as_str().unwrap();

    for (body, field, code) in [
        (json!({"email": "nope"}), "email", "invalid_email"),
        (json!({"email": "a@example.com", "password": "short"}), "password", "password_too_short"),
        (json!({"email": "a@example.com", "metadata": [1, 2]}), "metadata", "not_an_object"),
        (json!({"email": "a@example.com", "metadata": {"x": "y".repeat(17_000)}}), "metadata", "too_large"),
        (json!({"email": "a@example.com", "given_name": "g".repeat(101)}), "given_name", "too_long"),
        (json!({"email": "a@example.com", "role": "admin"}), "role", "unknown_field"),
    ] {
        let p = assert_problem(app.post(base, Some(&ctx.console), body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(field_errors(&p).contains(&(field.to_owned(), code.to_owned())), "{body}: {p}");
    }
    assert_problem(app.post(base, Some(&ctx.console), json!({"email": "GRACE@example.com"})).await, StatusCode::CONFLICT, "email_taken").await;
    let list: Value = app.get(base, Some(&ctx.console)).await.json().await.unwrap();
    assert_eq!(list["total"], 1, "refused input created nothing");

    let res = app.patch(&format!("{base}/{id}"), Some(&ctx.console), json!({"name": "Admiral Hopper", "metadata": {"plan": "team"}})).await;
    let u: Value = res.json().await.unwrap();
    assert_eq!((u["name"].as_str(), u["metadata"]["plan"].as_str()), (Some("Admiral Hopper"), Some("team")));
    let res = app.patch(&format!("{base}/{id}"), Some(&ctx.console), json!({"email": "grace.hopper@example.com"})).await;
    let u: Value = res.json().await.unwrap();
    assert_eq!((u["email"].as_str(), u["email_verified"].as_bool()), (Some("grace.hopper@example.com"), Some(false)), "a new email is unverified");

    let res = app.post(&format!("{base}/{id}/block"), Some(&ctx.console), json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "blocked");
    let res = app.post(&format!("{base}/{id}/unblock"), Some(&ctx.console), json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "unverified");

    assert_eq!(app.delete(&format!("{base}/{id}"), Some(&ctx.console)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&format!("{base}/{id}"), Some(&ctx.console)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(app.delete(&format!("{base}/{id}"), Some(&ctx.console)).await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn console_list_filters_sorts_and_pages(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let base = "/api/v1/instances/shop/users";
    let people = [
        ("ada@example.com", "Ada Lovelace", true, false),
        ("alan@math.org", "Alan Turing", true, true),
        ("grace@navy.mil", "Grace Hopper", false, false),
        ("linus@example.com", "Linus", true, false),
        ("barbara@example.com", "Barbara Liskov", false, false),
    ];
    for (email, name, verified, blocked) in people {
        let res = app.post(base, Some(&ctx.console), json!({"email": email, "name": name, "email_verified": verified, "blocked": blocked})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let emails = |v: &Value| v["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let get = |q: &str| {
        let url = app.url(&format!("{base}?{q}"));
        app.client.get(url).bearer_auth(&ctx.console).send()
    };

    let all: Value = get("").await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 5);
    assert_eq!(emails(&all)[0], "barbara@example.com", "newest first by default");
    let v: Value = get("q=EXAMPLE.com&sort=email&order=asc").await.unwrap().json().await.unwrap();
    assert_eq!(emails(&v), vec!["ada@example.com", "barbara@example.com", "linus@example.com"]);
    let v: Value = get("q=hopper").await.unwrap().json().await.unwrap();
    assert_eq!(emails(&v), vec!["grace@navy.mil"], "matches the name, case-insensitively");
    let v: Value = get("q=100%25").await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 0, "LIKE wildcards are literal");
    let v: Value = get("status=blocked").await.unwrap().json().await.unwrap();
    assert_eq!(emails(&v), vec!["alan@math.org"]);
    let v: Value = get("status=unverified&sort=email&order=asc").await.unwrap().json().await.unwrap();
    assert_eq!(emails(&v), vec!["barbara@example.com", "grace@navy.mil"]);
    let v: Value = get("status=active&provider=password").await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 2);
    let v: Value = get("created_from=2000-01-01T00:00:00Z&created_to=2001-01-01T00:00:00Z").await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 0);

    // Pages with a stable order, for every sort.
    for sort in ["created_at", "email", "last_login_at"] {
        for order in ["asc", "desc"] {
            let mut seen = Vec::new();
            let mut cursor = String::new();
            loop {
                let page: Value = get(&format!("sort={sort}&order={order}&limit=2&cursor={cursor}")).await.unwrap().json().await.unwrap();
                assert_eq!(page["total"], 5);
                seen.extend(emails(&page));
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_owned(),
                    None => break,
                }
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 5, "{sort} {order}: {seen:?}");
            if sort == "email" {
                let mut sorted = seen.clone();
                sorted.sort();
                if order == "desc" {
                    sorted.reverse();
                }
                assert_eq!(seen, sorted);
            }
        }
    }
    for bad in ["status=deleted", "sort=password", "order=up", "limit=0", "limit=x", "created_from=yesterday", "cursor=%%"] {
        assert_problem(get(bad).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
}

async fn end_user_sign_up_sign_in_refresh_and_sign_out(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/register")
        .json(&json!({"email": "Eve@Example.com", "password": PASSWORD, "given_name": "Eve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["email"], "eve@example.com");
    // Registering a taken email answers exactly the same: nothing reveals that it exists.
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/register")
        .json(&json!({"email": "eve@example.com", "password": "another password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap(), first);
    let listed: Value = app.get("/api/v1/instances/shop/users?q=eve", Some(&ctx.console)).await.json().await.unwrap();
    assert_eq!(listed["total"], 1, "no second account");
    let user = listed["items"][0].clone();
    assert_eq!(user["status"], "unverified");
    let res =
        public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/register").json(&json!({"email": "x@example.com", "password": "short"})).send().await.unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let login = |email: &str, password: &str| {
        public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login").json(&json!({"email": email, "password": password})).send()
    };
    let wrong: Value = login("eve@example.com", "wrong password").await.unwrap().json().await.unwrap();
    let unknown: Value = login("nobody@example.com", "wrong password").await.unwrap().json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["code"], "invalid_credentials");

    let res = login("EVE@example.com", PASSWORD).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    assert_eq!(t["user"]["email"], "eve@example.com");
    // The access token is an instance token: it verifies with the JWKS like an app's.
    let header = jsonwebtoken::decode_header(&access).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    let me = |t: &str| app.client.get(app.url("/public/v1/shop/me")).bearer_auth(t.to_owned()).send();
    let got: Value = me(&access).await.unwrap().json().await.unwrap();
    assert_eq!(got["id"], user["id"]);
    let listed: Value = app.get("/api/v1/instances/shop/users", Some(&ctx.console)).await.json().await.unwrap();
    assert!(!listed["items"][0]["last_login_at"].is_null(), "the console sees the sign-in");

    // Refresh rotates; reuse ends the session.
    let refresh = |r: &str| public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/refresh").json(&json!({"refresh_token": r})).send();
    let first = t["refresh_token"].as_str().unwrap().to_owned();
    let r1: Value = refresh(&first).await.unwrap().json().await.unwrap();
    let access2 = r1["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&access2).await.unwrap().status(), StatusCode::OK);
    app.age_refresh_token_uses().await;
    assert_problem(refresh(&first).await.unwrap(), StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    assert_problem(me(&access2).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;
    // A console refresh token means nothing here, and an end user's means nothing to the console.
    let console_session = app.login("owner@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap();
    assert_problem(refresh(console_session["refresh_token"].as_str().unwrap()).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let t2: Value = login("eve@example.com", PASSWORD).await.unwrap().json().await.unwrap();
    let res = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": t2["refresh_token"]})).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_eq!(app.get("/api/v1/me", t2["access_token"].as_str()).await.status(), StatusCode::UNAUTHORIZED, "a user token is not a console token");

    // The console sees the user's sessions and sign-ins, and can end them all.
    let activity: Value =
        app.get(&format!("/api/v1/instances/shop/users/{}/activity", user["id"].as_str().unwrap()), Some(&ctx.console)).await.json().await.unwrap();
    assert!(!activity["sessions"].as_array().unwrap().is_empty(), "{activity}");
    let outcomes: Vec<&str> = activity["sign_ins"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.contains(&"succeeded") && outcomes.contains(&"failed"), "{outcomes:?}");

    // Sign out.
    let access3 = t2["access_token"].as_str().unwrap();
    let res = app.client.post(app.url("/public/v1/shop/auth/logout")).bearer_auth(access3).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(me(access3).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;
    // Routes for a signed-in user refuse an app's own token.
    assert_problem(me(&ctx.back_token).await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Lockout per user and instance.
    for _ in 0..10 {
        login("eve@example.com", "wrong password").await.unwrap();
    }
    let res = login("eve@example.com", PASSWORD).await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

async fn blocked_users_lose_their_tokens_at_once(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let res = app.post("/api/v1/instances/shop/users", Some(&ctx.console), json!({"email": "mallory@example.com", "password": PASSWORD})).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let t: Value = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
        .json(&json!({"email": "mallory@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let me = || app.client.get(app.url("/public/v1/shop/me")).bearer_auth(access.clone()).send();
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);

    app.post(&format!("/api/v1/instances/shop/users/{id}/block"), Some(&ctx.console), json!({})).await;
    assert_problem(me().await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/refresh").json(&json!({"refresh_token": t["refresh_token"]})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
        .json(&json!({"email": "mallory@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "user_blocked").await;

    app.post(&format!("/api/v1/instances/shop/users/{id}/unblock"), Some(&ctx.console), json!({})).await;
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED, "unblocking does not revive old tokens");
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
        .json(&json!({"email": "mallory@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // "Sign out everywhere" from the console.
    let fresh: Value = res.json().await.unwrap();
    let res = app.post(&format!("/api/v1/instances/shop/users/{id}/sign-out"), Some(&ctx.console), json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let r = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(fresh["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(r, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
        .json(&json!({"email": "mallory@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();

    // Deleting a user ends everything too.
    let t: Value = res.json().await.unwrap();
    app.delete(&format!("/api/v1/instances/shop/users/{id}"), Some(&ctx.console)).await;
    let res = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(t["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

async fn own_account_changes_need_the_password(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/register")
        .json(&json!({"email": "own@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let sign_in = || async {
        let t: Value = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
            .json(&json!({"email": "own@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        t["access_token"].as_str().unwrap().to_owned()
    };
    let a = sign_in().await;
    let b = sign_in().await;
    let patch = |t: &str, body: Value| app.client.patch(app.url("/public/v1/shop/me")).bearer_auth(t.to_owned()).json(&body).send();
    let u: Value = patch(&a, json!({"given_name": "Own", "family_name": "Er"})).await.unwrap().json().await.unwrap();
    assert_eq!(u["given_name"], "Own");
    let p = assert_problem(patch(&a, json!({"new_password": "another long one"})).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p), vec![("current_password".to_owned(), "required".to_owned())]);
    let p = assert_problem(
        patch(&a, json!({"email": "new@example.com", "current_password": "wrong"})).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("current_password".to_owned(), "incorrect_password".to_owned())]);
    let res = patch(&a, json!({"new_password": "another long one", "current_password": PASSWORD})).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let me = |t: &str| app.client.get(app.url("/public/v1/shop/me")).bearer_auth(t.to_owned()).send();
    assert_eq!(me(&a).await.unwrap().status(), StatusCode::OK, "this session stays");
    assert_eq!(me(&b).await.unwrap().status(), StatusCode::UNAUTHORIZED, "other sessions end");
    let res = public(&app, &ctx, reqwest::Method::POST, "shop", "/auth/login")
        .json(&json!({"email": "own@example.com", "password": "another long one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn backend_apps_manage_users_with_scope(app: TestApp) {
    let ctx = setup(&app, "shop").await;
    let call = |m: reqwest::Method, path: &str, token: &str| app.client.request(m, app.url(&format!("/public/v1/shop{path}"))).bearer_auth(token.to_owned());
    let res = call(reqwest::Method::POST, "/users", &ctx.back_token)
        .json(&json!({"email": "api@example.com", "password": PASSWORD, "email_verified": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    let id = user["id"].as_str().unwrap();
    let list: Value = call(reqwest::Method::GET, "/users?q=api", &ctx.back_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 1);
    let res = call(reqwest::Method::PATCH, &format!("/users/{id}"), &ctx.back_token).json(&json!({"name": "API user"})).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "API user");
    let got: Value = app.get(&format!("/api/v1/instances/shop/users/{id}"), Some(&ctx.console)).await.json().await.unwrap();
    assert_eq!(got["name"], "API user", "the console sees users created through the API");

    // A token without the scope, and a front-end app, may not.
    let back = app.create_app(&ctx.console, "shop", json!({"kind": "backend", "name": "Narrow"})).await;
    let narrow: Value = app
        .client
        .post(app.url("/public/v1/shop/oauth/token"))
        .basic_auth(back["client_id"].as_str().unwrap(), back["client_secret"].as_str())
        .form(&[("grant_type", "client_credentials"), ("scope", "")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = call(reqwest::Method::GET, "/users", narrow["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
    let res = public(&app, &ctx, reqwest::Method::GET, "shop", "/users").send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert_eq!(call(reqwest::Method::DELETE, &format!("/users/{id}"), &ctx.back_token).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_problem(call(reqwest::Method::GET, &format!("/users/{id}"), &ctx.back_token).send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
}

async fn users_are_isolated_between_instances(app: TestApp) {
    let a = setup(&app, "alpha").await;
    let b = setup(&app, "bravo").await;
    let res = app.post("/api/v1/instances/alpha/users", Some(&a.console), json!({"email": "same@example.com", "password": PASSWORD})).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // The same email may exist in another instance.
    assert_eq!(app.post("/api/v1/instances/bravo/users", Some(&b.console), json!({"email": "same@example.com"})).await.status(), StatusCode::CREATED);
    // B's console and B's back end cannot reach A's user.
    assert_problem(app.get(&format!("/api/v1/instances/bravo/users/{id}"), Some(&b.console)).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(app.patch(&format!("/api/v1/instances/bravo/users/{id}"), Some(&b.console), json!({"name": "x"})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_problem(app.delete(&format!("/api/v1/instances/bravo/users/{id}"), Some(&b.console)).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.client.get(app.url(&format!("/public/v1/bravo/users/{id}"))).bearer_auth(&b.back_token).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app.client.get(app.url("/public/v1/bravo/users")).bearer_auth(&b.back_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 1);
    // A's user cannot sign in at B with A's password, and A's user token means nothing at B.
    let res =
        public(&app, &b, reqwest::Method::POST, "bravo", "/auth/login").json(&json!({"email": "same@example.com", "password": PASSWORD})).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let t: Value = public(&app, &a, reqwest::Method::POST, "alpha", "/auth/login")
        .json(&json!({"email": "same@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app.client.get(app.url("/public/v1/bravo/me")).bearer_auth(t["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let got: Value = app.get(&format!("/api/v1/instances/alpha/users/{id}"), Some(&a.console)).await.json().await.unwrap();
    assert_eq!(got["email"], "same@example.com", "nothing changed");
}

async fn password_and_refresh_token_grants(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let back = app.create_app(&s.access, "shop", json!({"kind": "backend", "name": "BFF"})).await;
    let (id, secret) = (back["client_id"].as_str().unwrap().to_owned(), back["client_secret"].as_str().unwrap().to_owned());
    app.post("/api/v1/instances/shop/users", Some(&s.access), json!({"email": "pat@example.com", "password": PASSWORD})).await;
    let grant = |form: Vec<(&'static str, String)>| app.client.post(app.url("/public/v1/shop/oauth/token")).basic_auth(&id, Some(&secret)).form(&form).send();

    let res = grant(vec![("grant_type", "password".into()), ("username", "PAT@example.com".into()), ("password", PASSWORD.into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let me: Value = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], "pat@example.com");

    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    let res = grant(vec![("grant_type", "refresh_token".into()), ("refresh_token", refresh.clone())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<Value>().await.unwrap()["refresh_token"].as_str().is_some());
    app.age_refresh_token_uses().await;
    let res = grant(vec![("grant_type", "refresh_token".into()), ("refresh_token", refresh)]).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant", "reuse is refused and ends the session");

    let res = grant(vec![("grant_type", "password".into()), ("username", "pat@example.com".into()), ("password", "wrong password".into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let res = grant(vec![("grant_type", "password".into()), ("username", "pat@example.com".into())]).await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
    for _ in 0..10 {
        grant(vec![("grant_type", "password".into()), ("username", "pat@example.com".into()), ("password", "wrong password".into())]).await.unwrap();
    }
    let res = grant(vec![("grant_type", "password".into()), ("username", "pat@example.com".into()), ("password", PASSWORD.into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

async fn csv_export_and_import(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let import = |body: &'static str, q: &str| {
        app.client.post(app.url(&format!("/api/v1/instances/shop/users/import{q}"))).bearer_auth(&s.access).header("content-type", "text/csv").body(body).send()
    };
    // The file as a whole is refused: nothing changes.
    assert_problem(import("mail,name\na@example.com,A\n", "").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_problem(import("email,role\na@example.com,admin\n", "").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_problem(import("email,name\n\"a@example.com,A\n", "").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_csv").await;
    let res = app
        .client
        .post(app.url("/api/v1/instances/shop/users/import"))
        .bearer_auth(&s.access)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let big = format!("email\n{}", "x@example.com\n".repeat(900_000));
    let res = app
        .client
        .post(app.url("/api/v1/instances/shop/users/import"))
        .bearer_auth(&s.access)
        .header("content-type", "text/csv")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let list: Value = app.get("/api/v1/instances/shop/users", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0);

    let file = "email,given_name,family_name,email_verified,blocked,metadata\n\
        ada@example.com,Ada,Lovelace,true,false,\"{\"\"plan\"\": \"\"pro\"\"}\"\n\
        not-an-email,X,Y,false,false,\n\
        grace@example.com,Grace,Hopper,maybe,false,\n\
        ADA@example.com,Dup,Licate,false,false,\n\
        =cmd@example.com,Eve,Formula,false,false,[1]\n\
        linus@example.com,=HYPERLINK(\"\"x\"\"),Torvalds,false,false,\n";
    let dry: Value = import(file, "?dry_run=true").await.unwrap().json().await.unwrap();
    assert_eq!((dry["accepted"].as_u64(), dry["dry_run"].as_bool()), (Some(2), Some(true)));
    let lines: Vec<u64> = dry["rejected"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{dry}");
    assert_eq!(dry["rejected"][2]["errors"][0]["code"], "duplicate_in_file");
    let list: Value = app.get("/api/v1/instances/shop/users", Some(&s.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "a dry run creates nothing");

    let report: Value = import(file, "").await.unwrap().json().await.unwrap();
    assert_eq!(report["accepted"], 2);
    let again: Value = import("email\nada@example.com\nnew@example.com\n", "").await.unwrap().json().await.unwrap();
    assert_eq!(again["accepted"], 1);
    assert_eq!(again["rejected"][0]["errors"][0]["code"], "email_taken");

    let res = app.get("/api/v1/instances/shop/users/export?sort=email", Some(&s.access)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "id,email,email_verified,given_name,family_name,name,blocked,provider,metadata,created_at,last_login_at");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3);
    assert!(csv.contains("ada@example.com") && csv.contains("\"{\"\"plan\"\":\"\"pro\"\"}\""), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "formulas are neutralised: {csv}");
    let filtered = app.get("/api/v1/instances/shop/users/export?q=linus", Some(&s.access)).await.text().await.unwrap();
    assert_eq!(filtered.lines().count(), 2, "the export takes the list's filters");
    assert_problem(app.get("/api/v1/instances/shop/users/export?status=x", Some(&s.access)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

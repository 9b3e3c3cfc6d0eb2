use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Session, TestApp, assert_problem, field_errors};

db_tests!(add_change_and_remove_members, last_owner_is_kept, roles_matrix);

async fn add_change_and_remove_members(app: TestApp) {
    let owner = app.signup("owner@example.com").await;
    app.signup("dev@example.com").await;
    app.create_instance(&owner.access, "team").await;

    let res = app.invite(&owner.access, "team", "not-an-email", "viewer").await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0].0, "email");
    let res = app.add_member(&owner.access, "team", "dev@example.com", "superuser").await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&p)[0].0, "role");

    let res = app.add_member(&owner.access, "team", "DEV@example.com", "developer").await;
    assert_eq!(res.status(), StatusCode::OK);
    let joined: Value = res.json().await.unwrap();
    assert_eq!(joined["role"], "developer");
    assert_eq!(joined["slug"], "team");
    let dev_login = app.login("dev@example.com", crate::helpers::PASSWORD).await.json::<Value>().await.unwrap();
    let dev_id = app.account_id(dev_login["access_token"].as_str().unwrap()).await;
    let res = app.add_member(&owner.access, "team", "dev@example.com", "viewer").await;
    assert_problem(res, StatusCode::CONFLICT, "already_member").await;

    let list: Value = app.get("/api/v1/instances/team/members", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    let emails: Vec<&str> = list["items"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["dev@example.com", "owner@example.com"]);

    let res = app.patch(&format!("/api/v1/instances/team/members/{dev_id}"), Some(&owner.access), json!({"role": "admin"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "admin");
    // The developer sees the instance in their list with their role.
    let dev = app.login("dev@example.com", crate::helpers::PASSWORD).await.json::<Value>().await.unwrap();
    let dev_access = dev["access_token"].as_str().unwrap();
    let list: Value = app.get("/api/v1/instances", Some(dev_access)).await.json().await.unwrap();
    assert_eq!(list["items"][0]["role"], "admin");

    let unknown = uuid::Uuid::now_v7();
    let res = app.patch(&format!("/api/v1/instances/team/members/{unknown}"), Some(&owner.access), json!({"role": "viewer"})).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.delete(&format!("/api/v1/instances/team/members/{dev_id}"), Some(&owner.access)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/api/v1/instances/team", Some(dev_access)).await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn last_owner_is_kept(app: TestApp) {
    let owner = app.signup("solo@example.com").await;
    let second = app.signup("second@example.com").await;
    app.create_instance(&owner.access, "solo").await;
    let owner_id = app.account_id(&owner.access).await;
    let path = format!("/api/v1/instances/solo/members/{owner_id}");
    assert_problem(app.patch(&path, Some(&owner.access), json!({"role": "admin"})).await, StatusCode::CONFLICT, "last_owner").await;
    assert_problem(app.delete(&path, Some(&owner.access)).await, StatusCode::CONFLICT, "last_owner").await;
    let inst: Value = app.get("/api/v1/instances/solo", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(inst["role"], "owner");

    // With a second owner, the first may step down or leave.
    assert_eq!(app.add_member(&owner.access, "solo", "second@example.com", "owner").await.status(), StatusCode::OK);
    assert_eq!(app.patch(&path, Some(&owner.access), json!({"role": "viewer"})).await.status(), StatusCode::OK);
    assert_eq!(app.delete(&path, Some(&owner.access)).await.status(), StatusCode::NO_CONTENT);
    let second_id = app.account_id(&second.access).await;
    let res = app.delete(&format!("/api/v1/instances/solo/members/{second_id}"), Some(&second.access)).await;
    assert_problem(res, StatusCode::CONFLICT, "last_owner").await;
}

/// Each role × each instance route.
async fn roles_matrix(app: TestApp) {
    let owner = app.signup("owner@example.com").await;
    let mut sessions: Vec<(&str, Session)> = Vec::new();
    for role in ["admin", "developer", "viewer"] {
        let email = format!("{role}@example.com");
        sessions.push((role, app.signup(&email).await));
    }
    app.signup("target@example.com").await;
    app.create_instance(&owner.access, "matrix").await;
    for (role, _) in &sessions {
        assert_eq!(app.add_member(&owner.access, "matrix", &format!("{role}@example.com"), role).await.status(), StatusCode::OK);
    }
    let owner_id = app.account_id(&owner.access).await;
    sessions.insert(0, ("owner", owner));

    for (role, s) in &sessions {
        let t = Some(s.access.as_str());
        let expect = |allowed: bool, ok: StatusCode| if allowed { ok } else { StatusCode::FORBIDDEN };
        let is = |roles: &[&str]| roles.contains(role);

        assert_eq!(app.get("/api/v1/instances/matrix", t).await.status(), StatusCode::OK, "{role} GET instance");
        assert_eq!(app.get("/api/v1/instances/matrix/members", t).await.status(), StatusCode::OK, "{role} GET members");
        let res = app.patch("/api/v1/instances/matrix", t, json!({"name": format!("by {role}")})).await;
        assert_eq!(res.status(), expect(is(&["owner", "admin"]), StatusCode::OK), "{role} PATCH instance");

        // Add the target as a viewer, then change its role, then remove it.
        let res = app.add_member(&s.access, "matrix", "target@example.com", "viewer").await;
        let added = res.status() == StatusCode::OK;
        assert_eq!(res.status(), expect(is(&["owner", "admin"]), StatusCode::OK), "{role} invite and accept");
        if added {
            let target: Value = app.get("/api/v1/instances/matrix/members?limit=100", t).await.json().await.unwrap();
            let target_id =
                target["items"].as_array().unwrap().iter().find(|m| m["email"] == "target@example.com").unwrap()["account_id"].as_str().unwrap().to_owned();
            let path = format!("/api/v1/instances/matrix/members/{target_id}");
            assert_eq!(app.patch(&path, t, json!({"role": "developer"})).await.status(), StatusCode::OK, "{role} PATCH member");
            // Only an owner grants the owner role.
            let res = app.patch(&path, t, json!({"role": "owner"})).await;
            assert_eq!(res.status(), expect(is(&["owner"]), StatusCode::OK), "{role} grant owner");
            // The target is an owner now (owner) or still a developer (admin): both may remove it.
            assert_eq!(app.delete(&path, t).await.status(), StatusCode::NO_CONTENT, "{role} DELETE member");
        } else {
            let path = format!("/api/v1/instances/matrix/members/{owner_id}");
            assert_eq!(app.patch(&path, t, json!({"role": "viewer"})).await.status(), StatusCode::FORBIDDEN, "{role} PATCH member");
            assert_eq!(app.delete(&path, t).await.status(), StatusCode::FORBIDDEN, "{role} DELETE member");
        }
        // Nobody but the owner may touch the owner.
        if *role != "owner" {
            let path = format!("/api/v1/instances/matrix/members/{owner_id}");
            assert_eq!(app.patch(&path, t, json!({"role": "viewer"})).await.status(), StatusCode::FORBIDDEN, "{role} demote owner");
            assert_eq!(app.delete(&path, t).await.status(), StatusCode::FORBIDDEN, "{role} remove owner");
        }
    }
    for (role, s) in sessions.iter().rev() {
        let res = app.delete("/api/v1/instances/matrix", Some(&s.access)).await;
        if *role == "owner" {
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
        } else {
            assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
}

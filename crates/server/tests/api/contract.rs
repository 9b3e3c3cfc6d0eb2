//! The contract: Schemathesis (PyPI) against the real server, for both OpenAPI documents, with
//! every default check in every phase (stateful included). Zero failures, or the test fails with
//! Schemathesis's report. Configuration and hooks: `tests/contract/`.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, TestApp};

/// Runs `st run` for one document and fails with its report unless it found nothing.
async fn schemathesis(app: &TestApp, doc: &str, url: &str, env: &[(&str, String)]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/contract");
    let location = match doc {
        "console" => app.url("/api/openapi.json"),
        _ => app.url("/public/openapi.json"),
    };
    let mut cmd = std::process::Command::new("st");
    cmd.arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .args([
            "run",
            &location,
            "--url",
            url,
            "--max-examples",
            "12",
            "--seed",
            "20261201",
            "--no-color",
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--output-truncate",
            "false",
        ])
        .current_dir(std::env::temp_dir())
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPATH", &dir)
        .env("STEWARD_CONTRACT_BASE", &app.address)
        .env("STEWARD_CONTRACT_DOC", doc)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // The server runs on this test's runtime: wait for Schemathesis off it.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("schemathesis (`st`, pip install schemathesis) is needed for the contract test");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Schemathesis found failures in the {doc} document:\n{report}");
    println!("{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_documents_hold_under_schemathesis() {
    // The run signs in with wrong passwords on purpose; the hook's own sign-in must never be locked out.
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.signin_max_failures = 1_000_000).await.expect("sqlite app");
    let owner = app.signup("contract@example.com").await;
    app.create_instance(&owner.access, "contract").await;
    app.create_instance(&owner.access, "doomed").await;
    // The public document's run uses an instance of its own: the console's run rotates, disables
    // and deletes applications of the instance it addresses.
    app.create_instance(&owner.access, "storefront").await;
    let backend = app.create_app(&owner.access, "storefront", json!({"name": "Storefront back end", "kind": "backend"})).await;
    let env = [
        ("STEWARD_CONTRACT_INSTANCE", "contract".to_owned()),
        ("STEWARD_CONTRACT_DOOMED", "doomed".to_owned()),
        ("STEWARD_CONTRACT_EMAIL", "contract@example.com".to_owned()),
        ("STEWARD_CONTRACT_PASSWORD", PASSWORD.to_owned()),
        ("STEWARD_CONTRACT_REFRESH_TOKEN", owner.refresh.clone()),
        ("STEWARD_CONTRACT_CLIENT_ID", backend["client_id"].as_str().unwrap().to_owned()),
        ("STEWARD_CONTRACT_CLIENT_SECRET", backend["client_secret"].as_str().unwrap().to_owned()),
    ];
    schemathesis(&app, "console", &app.address, &env).await;
    let public = [&env[..], &[("STEWARD_CONTRACT_INSTANCE", "storefront".to_owned())]].concat();
    schemathesis(&app, "public", &app.url("/public/v1/storefront"), &public).await;
}

//! Clients generated from the committed documents, as integrators generate them, drive a whole
//! flow against the real server: openapi-python-client (PyPI) from both documents, and
//! openapi-typescript types (strict, `skipLibCheck: false`) from both documents with openapi-fetch.
//! Neither generator may warn about the documents. The flows: `tests/contract/*_flow.*`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{Backend, TestApp};
use crate::management_clients::create_client;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Runs `cmd` off the server's runtime; fails with its output unless it succeeds. Returns the output.
async fn run(what: &str, mut cmd: Command) -> String {
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// An instance with a management client allowed to do the flow; its credentials.
async fn setup(app: &TestApp) -> (String, String) {
    let owner = app.signup("integrator@example.com").await;
    app.create_instance(&owner.access, "flow").await;
    let scopes = ["applications:read", "applications:write", "users:read", "users:write", "settings:read", "settings:write"];
    let (client_id, secret, _) = create_client(app, &owner.access, "flow", "Generated client", &scopes).await;
    (client_id, secret)
}

fn flow_env(cmd: &mut Command, app: &TestApp, client: &(String, String)) {
    cmd.env("STEWARD_FLOW_BASE", &app.address)
        .env("STEWARD_FLOW_INSTANCE", "flow")
        .env("STEWARD_FLOW_CLIENT_ID", &client.0)
        .env("STEWARD_FLOW_CLIENT_SECRET", &client.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_python_clients_drive_a_management_flow() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let client = setup(&app).await;
    let dir = tempfile::tempdir().unwrap();
    // openapi-python-client sends bodies of other media types (the CSV, the PNG; answers them as the PDF) as files when told
    // to; the documented media type stays the request's Content-Type.
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "content_type_overrides:\n  text/csv: application/octet-stream\n  image/png: application/octet-stream\n  application/pdf: application/octet-stream\n",
    )
    .unwrap();
    for (doc, package) in [("console.json", "steward_console"), ("public.json", "steward_public")] {
        let mut generate = Command::new("openapi-python-client");
        generate
            .args(["generate", "--meta", "none", "--overwrite", "--path"])
            .arg(repo().join("openapi").join(doc))
            .arg("--output-path")
            .arg(dir.path().join(package))
            .arg("--config")
            .arg(&config);
        let output = run("openapi-python-client (pip install openapi-python-client)", generate).await;
        assert!(!output.contains("WARNING") && !output.contains("Unsupported"), "the generator warned about openapi/{doc}:\n{output}");
    }
    let mut flow = Command::new("python3");
    flow.arg(repo().join("crates/server/tests/contract/python_flow.py")).env("PYTHONPATH", dir.path());
    flow_env(&mut flow, &app, &client);
    run("the Python flow", flow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_typescript_types_compile_strictly_and_drive_a_flow() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let client = setup(&app).await;
    let frontend = repo().join("frontend");
    let bin = |name: &str| frontend.join("node_modules/.bin").join(name);
    assert!(bin("openapi-typescript").exists(), "frontend/node_modules is missing: run `npm ci` in frontend/");
    // Inside frontend/ so that `openapi-fetch` resolves from its node_modules.
    let dir = tempfile::Builder::new().prefix(".generated-client-").tempdir_in(&frontend).unwrap();
    for (doc, out) in [("console.json", "console.d.ts"), ("public.json", "public.d.ts")] {
        let mut generate = Command::new(bin("openapi-typescript"));
        generate.arg(repo().join("openapi").join(doc)).arg("-o").arg(dir.path().join(out));
        let output = run("openapi-typescript", generate).await;
        assert!(!output.to_lowercase().contains("warn"), "openapi-typescript warned about {doc}:\n{output}");
    }
    std::fs::copy(repo().join("crates/server/tests/contract/typescript_flow.ts"), dir.path().join("flow.ts")).unwrap();
    write_tsconfig(dir.path());
    let mut tsc = Command::new(bin("tsc"));
    tsc.arg("-p").arg(dir.path());
    run("tsc (strict, skipLibCheck off)", tsc).await;
    let mut flow = Command::new("node");
    flow.arg(dir.path().join("flow.js"));
    flow_env(&mut flow, &app, &client);
    run("the TypeScript flow", flow).await;
}

fn write_tsconfig(dir: &Path) {
    let config = serde_json::json!({
        "compilerOptions": {
            "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
            "skipLibCheck": false, "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true,
            "noEmitOnError": true, "types": ["node"], "outDir": "."
        },
        "files": ["flow.ts", "console.d.ts", "public.d.ts"]
    });
    std::fs::write(dir.join("tsconfig.json"), config.to_string()).unwrap();
    // Plain Node runs the compiled flow as a CommonJS script.
    std::fs::write(dir.join("package.json"), r#"{"type": "commonjs"}"#).unwrap();
}

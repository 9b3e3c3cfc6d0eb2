//! Health, readiness, metrics, and the console's static files.

use reqwest::StatusCode;
use serde_json::Value;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(health_readiness_and_metrics, console_is_served_with_deep_link_fallback);

async fn health_readiness_and_metrics(app: TestApp) {
    let h: Value = app.get("/healthz", None).await.json().await.unwrap();
    assert_eq!(h["status"], "ok");
    let r: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(r["database"], "ok");
    app.get("/api/v1/me", None).await;
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains(r#"steward_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#), "{metrics}");
    assert!(metrics.contains("steward_http_request_duration_seconds_bucket"));
}

async fn console_is_served_with_deep_link_fallback(app: TestApp) {
    for path in ["/", "/i/production/settings", "/profile"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache");
        assert!(res.text().await.unwrap().contains("Steward console"), "{path}");
    }
    let res = app.get("/assets/app.js", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    // No escaping the console directory.
    for path in ["/../Cargo.toml", "/assets/..%2f..%2fetc/passwd", "/.env"] {
        let res = app.get(path, None).await;
        let body = res.text().await.unwrap();
        assert!(body.contains("Steward console") || body.is_empty(), "{path}: {body}");
    }
}

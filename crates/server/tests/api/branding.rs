//! Corporate identity: the logo's rules (checked on content, every edge), storage, serving and
//! its use in branding and emails. PNG fixtures are generated here.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, assert_problem};

/// A PNG of `w`×`h` pixels (RGBA when `alpha`, else RGB).
pub fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(if alpha { png::ColorType::Rgba } else { png::ColorType::Rgb });
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let channels = if alpha { 4 } else { 3 };
        let data: Vec<u8> = (0..(w * h * channels)).map(|i| (i % 251) as u8).collect();
        writer.write_image_data(&data).unwrap();
    }
    out
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

/// A valid PNG of exactly `size` bytes: a 100×100 image padded with a private ancillary chunk.
fn png_of_size(size: usize) -> Vec<u8> {
    let base = png(100, 100, true);
    let iend = base.len() - 12;
    let pad = size - base.len() - 12;
    let mut out = base[..iend].to_vec();
    out.extend(chunk(b"stEw", &vec![7u8; pad]));
    out.extend_from_slice(&base[iend..]);
    assert_eq!(out.len(), size);
    out
}

/// A PNG whose header declares `w`×`h` (correct CRC) over a tiny real image.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut p = png(100, 100, true);
    p[16..20].copy_from_slice(&w.to_be_bytes());
    p[20..24].copy_from_slice(&h.to_be_bytes());
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&p[12..29]);
    p[29..33].copy_from_slice(&hasher.finalize().to_be_bytes());
    p
}

async fn put_logo(app: &TestApp, token: &str, slug: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/instances/{slug}/branding/logo")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn multipart(boundary: &str, field: &str, data: &[u8]) -> Vec<u8> {
    let mut b =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

async fn every_rule_on_content(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let t = s.access.as_str();

    // No logo yet.
    assert_problem(app.get("/api/v1/instances/shop/branding/logo", Some(t)).await, StatusCode::NOT_FOUND, "logo_not_set").await;

    // The smallest accepted: 100×100, with alpha: no warning.
    let first = png(100, 100, true);
    let res = put_logo(&app, t, "shop", "image/png", first.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let logo: Value = res.json().await.unwrap();
    assert_eq!((logo["width"].as_u64(), logo["height"].as_u64(), logo["has_alpha"].as_bool()), (Some(100), Some(100), Some(true)));
    assert_eq!(logo["warnings"], json!([]));
    assert_eq!(logo["size_bytes"].as_u64(), Some(first.len() as u64));

    // Each refusal has its code, says the rule, and changes nothing.
    let jpeg = [vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0], vec![0u8; 2000]].concat();
    let gif = [b"GIF89a".to_vec(), vec![0u8; 2000]].concat();
    let good = png(300, 200, true);
    let truncated = good[..good.len() / 2].to_vec();
    let mut bad_crc = good.clone();
    let mid = bad_crc.len() / 2;
    bad_crc[mid] ^= 0x55;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str, &str)> = vec![
        ("a JPEG named .png", jpeg, StatusCode::UNPROCESSABLE_ENTITY, "logo_not_png", "JPEG"),
        ("a GIF named .png", gif, StatusCode::UNPROCESSABLE_ENTITY, "logo_not_png", "GIF"),
        ("99×500", png(99, 500, true), StatusCode::UNPROCESSABLE_ENTITY, "logo_too_small_dimensions", "at least 100"),
        ("500×99", png(500, 99, true), StatusCode::UNPROCESSABLE_ENTITY, "logo_too_small_dimensions", "at least 100"),
        ("1201×400", png(1201, 400, true), StatusCode::UNPROCESSABLE_ENTITY, "logo_too_large_dimensions", "at most 1200"),
        ("400×1201", png(400, 1201, true), StatusCode::UNPROCESSABLE_ENTITY, "logo_too_large_dimensions", "at most 1200"),
        ("1,048,577 bytes", png_of_size(1_048_577), StatusCode::PAYLOAD_TOO_LARGE, "logo_too_large", "1 MB"),
        ("truncated", truncated, StatusCode::UNPROCESSABLE_ENTITY, "logo_corrupt", "damaged"),
        ("a broken CRC", bad_crc, StatusCode::UNPROCESSABLE_ENTITY, "logo_corrupt", "CRC"),
        ("declares 100000×100000", png_declaring(100_000, 100_000), StatusCode::UNPROCESSABLE_ENTITY, "logo_too_large_dimensions", "100000×100000"),
        ("declares 100×300 over 100×100 data", png_declaring(100, 300), StatusCode::UNPROCESSABLE_ENTITY, "logo_corrupt", "image data"),
        ("an empty body", vec![], StatusCode::UNPROCESSABLE_ENTITY, "logo_missing", "No file"),
    ];
    for (what, body, status, code, says) in cases {
        let problem = assert_problem(put_logo(&app, t, "shop", "image/png", body).await, status, code).await;
        assert!(problem["detail"].as_str().unwrap().contains(says), "{what}: {problem}");
    }
    // Another declared type, a multipart form without the file, a multipart form without a boundary.
    assert_problem(put_logo(&app, t, "shop", "image/jpeg", png(200, 200, true)).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "logo_not_png").await;
    let p = assert_problem(
        put_logo(&app, t, "shop", "multipart/form-data; boundary=XyZ", multipart("XyZ", "other", &png(200, 200, true))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "logo_missing",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "file");
    assert_problem(
        put_logo(&app, t, "shop", "multipart/form-data", multipart("XyZ", "file", &png(200, 200, true))).await,
        StatusCode::BAD_REQUEST,
        "malformed_multipart",
    )
    .await;

    let still: Value = app.get("/api/v1/instances/shop/branding/logo", Some(t)).await.json().await.unwrap();
    assert_eq!(still["sha256"], logo["sha256"], "refusals changed nothing");

    // The largest accepted: 1200×1200 without alpha (a warning), and exactly 1,048,576 bytes.
    let res = put_logo(&app, t, "shop", "image/png", png(1200, 1200, false)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let logo: Value = res.json().await.unwrap();
    assert_eq!(logo["has_alpha"], false);
    assert_eq!(logo["warnings"][0]["code"], "logo_no_transparency");
    let res = put_logo(&app, t, "shop", "image/png", png_of_size(1_048_576)).await;
    assert_eq!(res.status(), StatusCode::OK);

    // A multipart upload (what a browser form sends).
    let res = put_logo(&app, t, "shop", "multipart/form-data; boundary=----steward", multipart("----steward", "file", &png(640, 480, true))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let logo: Value = res.json().await.unwrap();
    assert_eq!((logo["width"].as_u64(), logo["height"].as_u64()), (Some(640), Some(480)));
}

async fn served_publicly_and_used_in_branding_and_emails(app: TestApp) {
    let s = app.signup("owner@shop.example.com").await;
    app.create_instance(&s.access, "shop").await;
    let t = s.access.as_str();
    let branding: Value = app.get("/public/v1/shop/branding", None).await.json().await.unwrap();
    assert_eq!(branding["logo_url"], Value::Null);
    assert_problem(app.get("/public/v1/shop/branding/logo", None).await, StatusCode::NOT_FOUND, "logo_not_set").await;

    let file = png(256, 128, true);
    let logo: Value = put_logo(&app, t, "shop", "image/png", file.clone()).await.json().await.unwrap();
    let url = logo["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&app.url("/public/v1/shop/branding/logo?v=")), "{url}");

    // Public, cacheable, typed, not sniffable.
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["cache-control"].to_str().unwrap().contains("immutable"), "a versioned URL is immutable");
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", logo["sha256"].as_str().unwrap()));
    assert_eq!(res.bytes().await.unwrap().to_vec(), file);
    let res = app.client.get(app.url("/public/v1/shop/branding/logo")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = app.client.get(app.url("/public/v1/shop/branding/logo")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    // HEAD, as caches and link checkers ask: the same headers, no body.
    let res = app.client.head(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!((res.headers()["content-type"].to_str().unwrap(), res.headers()["etag"].to_str().unwrap()), ("image/png", etag.as_str()));
    assert_eq!(res.headers()["content-length"].to_str().unwrap(), file.len().to_string());
    assert!(res.bytes().await.unwrap().is_empty());
    assert_eq!(app.client.head(app.url("/public/v1/shop/branding")).send().await.unwrap().status(), StatusCode::OK);

    let branding: Value = app.get("/public/v1/shop/branding", None).await.json().await.unwrap();
    assert_eq!(branding["logo_url"].as_str(), Some(url.as_str()));

    // The logo is in the emails' HTML.
    let front = app.create_app(t, "shop", json!({"kind": "frontend", "name": "Web"})).await;
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", front["client_id"].as_str().unwrap())
        .json(&json!({"email": "reader@example.com", "password": PASSWORD, "name": "Reader"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let html = wait_for_mail_html(&app, t).await;
    assert!(html.contains(&format!("<img src=\"{}\"", url.replace('&', "&amp;"))), "{html}");

    // Roles and tenancy: a viewer cannot upload; a stranger does not see the instance.
    app.signup("viewer@shop.example.com").await;
    assert_eq!(app.add_member(t, "shop", "viewer@shop.example.com", "viewer").await.status(), StatusCode::OK);
    let viewer = app.login("viewer@shop.example.com", PASSWORD).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/instances/shop/branding/logo", Some(&viewer)).await.status(), StatusCode::OK);
    assert_problem(put_logo(&app, &viewer, "shop", "image/png", png(200, 200, true)).await, StatusCode::FORBIDDEN, "forbidden").await;
    let stranger = app.signup("stranger@other.example.com").await;
    assert_eq!(put_logo(&app, &stranger.access, "shop", "image/png", png(200, 200, true)).await.status(), StatusCode::NOT_FOUND);

    // Removal.
    assert_eq!(app.delete("/api/v1/instances/shop/branding/logo", Some(t)).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.delete("/api/v1/instances/shop/branding/logo", Some(t)).await, StatusCode::NOT_FOUND, "logo_not_set").await;
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let branding: Value = app.get("/public/v1/shop/branding", None).await.json().await.unwrap();
    assert_eq!(branding["logo_url"], Value::Null);
}

/// The HTML of the newest message in the instance's local mailbox, once delivered.
pub async fn wait_for_mail_html(app: &TestApp, token: &str) -> String {
    for _ in 0..100 {
        let m: Value = app.get("/api/v1/instances/shop/mailbox", Some(token)).await.json().await.unwrap();
        if let Some(id) = m["items"][0]["id"].as_str() {
            let full: Value = app.get(&format!("/api/v1/instances/shop/mailbox/{id}"), Some(token)).await.json().await.unwrap();
            return full["html"].as_str().or(full["html_body"].as_str()).unwrap_or_default().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no email in the mailbox");
}

db_tests!(every_rule_on_content, served_publicly_and_used_in_branding_and_emails);

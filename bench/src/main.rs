//! Steward's load generator. `bench/run` starts a release server and calls this.
//!
//! Scenarios (each prints one JSON line):
//! - `hash`: the time of one argon2id hash with the given parameters, and `cores / hash_time`;
//! - `login URL SECS CONCURRENCY`: sign-ins per second against a real server;
//! - `me URL SECS CONCURRENCY [--with-login-flood N]`: `GET /api/v1/me` per second and its
//!   latency percentiles, optionally while N clients flood the sign-in route;
//! - `webhooks URL SECS CONCURRENCY cost|live`: a mutating route (`POST …/users`) per second
//!   without and with three webhook endpoints — `cost` against a server that only records
//!   events, `live` while it delivers them too — then (`live`) 10,000 events (a CSV import)
//!   fanned out to the three endpoints of a local receiver: how long until all 30,000 arrived.
//! - `signin URL DATABASE_URL SECS CONCURRENCY N`: the hosted sign-in page under load (time to
//!   first byte), then N authorization codes minted straight into the server's database (as
//!   `seed-users` does: signing in N times would measure argon2) redeemed over HTTP with their
//!   PKCE verifiers, and client-credentials grants in the same run for comparison.
//! - `public-setup URL`, `seed-rollups DATABASE_URL SLUG CALLS`, `dashboard URL SLUG RUNS LABEL`:
//!   the public API near the machine's limit (`bench/public-api` drives `wrk` with them) and the
//!   Dashboard's queries over rollups equivalent to millions of calls.

mod usage;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::PasswordHasher as _;
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::json;

const PASSWORD: &str = "benchmark password 1";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn hash_bench() {
    let params = Params::new(19 * 1024, 2, 1, None).expect("params");
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let _ = argon2.hash_password(PASSWORD.as_bytes());
    let n = 20;
    let started = Instant::now();
    for _ in 0..n {
        let _ = argon2.hash_password(PASSWORD.as_bytes());
    }
    let per_hash = started.elapsed().as_secs_f64() / n as f64;
    println!(
        "{}",
        json!({"scenario": "hash", "params": "argon2id m=19456 t=2 p=1", "hash_ms": per_hash * 1000.0, "cores": cores(), "limit_per_sec": cores() as f64 / per_hash})
    );
}

async fn ensure_account(client: &reqwest::Client, base: &str, email: &str) -> String {
    let _ = client.post(format!("{base}/api/v1/auth/signup")).json(&json!({"email": email, "password": PASSWORD, "name": "Bench"})).send().await;
    let res = client.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": email, "password": PASSWORD})).send().await.expect("login");
    let body: serde_json::Value = res.json().await.expect("login body");
    body["access_token"].as_str().expect("access token").to_owned()
}

/// Runs `concurrency` loops of `op` for `secs`; returns (count, errors, sorted latencies in ms).
async fn drive<F, Fut>(secs: u64, concurrency: usize, stop: Arc<AtomicBool>, op: F) -> (u64, u64, Vec<f64>)
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let op = op.clone();
        let errors = errors.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0u64;
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if !op(worker, i).await {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                i += 1;
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (all.len() as u64, errors.load(Ordering::Relaxed), all)
}

async fn login_flood(base: String, secs: u64, concurrency: usize, stop: Arc<AtomicBool>) -> serde_json::Value {
    let client = reqwest::Client::new();
    // A pool of accounts, so the per-account brute-force lock never trips.
    let mut emails = Vec::new();
    for i in 0..concurrency {
        let email = format!("flood{i}@bench.example");
        ensure_account(&client, &base, &email).await;
        emails.push(email);
    }
    let emails = Arc::new(emails);
    let started = Instant::now();
    let (n, errors, lat) = drive(secs, concurrency, stop, move |w, _| {
        let client = client.clone();
        let base = base.clone();
        let email = emails[w].clone();
        async move {
            match client.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": email, "password": PASSWORD})).send().await {
                Ok(r) => r.status().is_success(),
                Err(_) => false,
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    json!({"scenario": "login", "concurrency": concurrency, "seconds": elapsed, "logins": n, "errors": errors,
           "per_sec": n as f64 / elapsed, "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99)})
}

async fn me_load(base: String, secs: u64, concurrency: usize) -> serde_json::Value {
    let client = reqwest::Client::new();
    let token = ensure_account(&client, &base, "reader@bench.example").await;
    let started = Instant::now();
    let (n, errors, lat) = drive(secs, concurrency, Arc::new(AtomicBool::new(false)), move |_, _| {
        let client = client.clone();
        let url = format!("{base}/api/v1/me");
        let token = token.clone();
        async move {
            match client.get(url).bearer_auth(token).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    json!({"scenario": "me", "concurrency": concurrency, "seconds": elapsed, "requests": n, "errors": errors,
           "per_sec": n as f64 / elapsed, "p50_ms": percentile(&lat, 0.5), "p95_ms": percentile(&lat, 0.95), "p99_ms": percentile(&lat, 0.99), "max_ms": lat.last().copied().unwrap_or(f64::NAN)})
}

/// Sets up an instance with a back-end app; returns (slug, client_id, secret).
async fn setup_app(client: &reqwest::Client, base: &str) -> (String, String, String) {
    let console = ensure_account(client, base, "apps@bench.example").await;
    let slug = format!("bench-{}", std::process::id());
    let _ =
        client.post(format!("{base}/api/v1/instances")).bearer_auth(&console).json(&json!({"slug": slug, "name": "Bench", "time_zone": "UTC"})).send().await;
    let app: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/applications"))
        .bearer_auth(&console)
        .json(&json!({"kind": "backend", "name": format!("bench {}", std::process::id())}))
        .send()
        .await
        .expect("create app")
        .json()
        .await
        .expect("app body");
    (slug, app["client_id"].as_str().expect("client_id").to_owned(), app["client_secret"].as_str().expect("secret").to_owned())
}

async fn get_load(url: String, token: Option<String>, secs: u64, concurrency: usize, name: &str) -> serde_json::Value {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let (n, errors, lat) = drive(secs, concurrency, Arc::new(AtomicBool::new(false)), move |_, _| {
        let mut req = client.get(url.clone());
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        async move {
            match req.send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    json!({"scenario": name, "concurrency": concurrency, "requests": n, "errors": errors, "per_sec": n as f64 / elapsed,
           "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99)})
}

/// Client-credentials grants per second for `secs` (printed); answers the instance and its
/// back-end app's credentials.
async fn apps_grants(client: &reqwest::Client, base: &str, secs: u64, concurrency: usize) -> (String, String, String) {
    let (slug, client_id, secret) = setup_app(client, base).await;
    let token_url = format!("{base}/public/v1/{slug}/oauth/token");
    let started = Instant::now();
    let (n, errors, lat) = {
        let client = client.clone();
        let (client_id, secret) = (client_id.clone(), secret.clone());
        drive(secs, concurrency, Arc::new(AtomicBool::new(false)), move |_, _| {
            let req = client.post(token_url.clone()).basic_auth(&client_id, Some(&secret)).form(&[("grant_type", "client_credentials")]);
            async move {
                match req.send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        })
        .await
    };
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"scenario": "client_credentials", "concurrency": concurrency, "grants": n, "errors": errors, "per_sec": n as f64 / elapsed,
               "per_sec_per_core": n as f64 / elapsed / cores() as f64, "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99)})
    );
    (slug, client_id, secret)
}

/// Client-credentials grants per second, then bearer-checked vs unauthenticated public calls.
async fn apps(base: String, secs: u64, concurrency: usize) {
    let client = reqwest::Client::new();
    let (slug, client_id, secret) = apps_grants(&client, &base, secs, concurrency).await;
    let token: serde_json::Value = client
        .post(format!("{base}/public/v1/{slug}/oauth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token body");
    let token = token["access_token"].as_str().expect("access_token").to_owned();
    let open = get_load(format!("{base}/public/v1/{slug}/branding"), None, secs, concurrency, "public_unauthenticated").await;
    let bearer = get_load(format!("{base}/public/v1/{slug}/app"), Some(token), secs, concurrency, "public_bearer").await;
    println!("{open}");
    println!("{bearer}");
    let ratio = bearer["per_sec"].as_f64().unwrap_or(0.0) / open["per_sec"].as_f64().unwrap_or(1.0);
    println!("{}", json!({"scenario": "bearer_vs_unauthenticated", "ratio": ratio}));
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Latencies of `concurrency` loops of GET `url` for `secs`: (requests, errors, sorted time to
/// first byte, sorted total time), in ms.
async fn ttfb_load(url: String, secs: u64, concurrency: usize) -> (u64, u64, Vec<f64>, Vec<f64>) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut first, mut total, mut errors) = (Vec::new(), Vec::new(), 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(res) => {
                        first.push(t.elapsed().as_secs_f64() * 1000.0);
                        let ok = res.status().is_success() && res.bytes().await.is_ok_and(|b| b.len() > 1000);
                        total.push(t.elapsed().as_secs_f64() * 1000.0);
                        errors += u64::from(!ok);
                    }
                    Err(_) => errors += 1,
                }
            }
            (first, total, errors)
        }));
    }
    let (mut first, mut total, mut errors) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (f, a, e) = t.await.unwrap_or_default();
        first.extend(f);
        total.extend(a);
        errors += e;
    }
    first.sort_by(|a, b| a.partial_cmp(b).unwrap());
    total.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (total.len() as u64, errors, first, total)
}

/// The hosted sign-in page under load, authorization-code exchanges, and client-credentials
/// grants in the same run.
async fn signin(base: String, db_url: String, secs: u64, concurrency: usize, n: usize) {
    let client = reqwest::Client::new();
    let console = ensure_account(&client, &base, "signin@bench.example").await;
    let slug = format!("signin-{}", std::process::id());
    let _ = client
        .post(format!("{base}/api/v1/instances"))
        .bearer_auth(&console)
        .json(&json!({"slug": slug, "name": "Sign-in bench", "time_zone": "UTC"}))
        .send()
        .await;
    let redirect = "https://app.bench/callback";
    let front: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/applications"))
        .bearer_auth(&console)
        .json(&json!({"kind": "frontend", "name": "Web", "allowed_origins": ["https://app.bench"], "redirect_uris": [redirect]}))
        .send()
        .await
        .expect("create app")
        .json()
        .await
        .expect("app body");
    let client_id = front["client_id"].as_str().expect("client_id").to_owned();
    let user: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/users"))
        .bearer_auth(&console)
        .json(&json!({"email": "reader@bench.example", "password": PASSWORD, "email_verified": true, "name": "Bench Reader"}))
        .send()
        .await
        .expect("create user")
        .json()
        .await
        .expect("user body");
    let verifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ";
    let challenge = steward_domain::identity_provider::challenge_of(verifier);

    // 1. The hosted page (each view opens an authorization request: a write).
    let page = format!(
        "{base}/public/v1/{slug}/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.bench%2Fcallback&code_challenge={challenge}&code_challenge_method=S256&state=s&nonce=n&scope=openid%20email%20profile"
    );
    let started = Instant::now();
    let (count, errors, first, total) = ttfb_load(page, secs, concurrency).await;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"scenario": "hosted_sign_in_page", "concurrency": concurrency, "requests": count, "errors": errors, "per_sec": count as f64 / elapsed,
               "first_byte_p50_ms": percentile(&first, 0.5), "first_byte_p95_ms": percentile(&first, 0.95), "first_byte_p99_ms": percentile(&first, 0.99),
               "complete_p99_ms": percentile(&total, 0.99)})
    );

    // 2. Codes for the user, minted in the database, then redeemed over HTTP.
    let db = steward_persistence::connect(&db_url).await.expect("connect");
    let instance = steward_persistence::instances::by_slug(&db, &slug).await.expect("instance").expect("the instance exists");
    let app = steward_persistence::applications::by_client_id(&db, instance.id, &client_id).await.expect("app").expect("the app exists");
    let user_id: uuid::Uuid = user["id"].as_str().expect("user id").parse().expect("uuid");
    let minted = Instant::now();
    let mut codes = Vec::with_capacity(n);
    for i in 0..n {
        use steward_persistence::authorization_requests::{self, NewRequest};
        let expires_at = steward_persistence::now() + chrono::Duration::hours(1);
        let r = authorization_requests::create(
            &db,
            instance.id,
            NewRequest {
                application_id: app.id,
                redirect_uri: redirect,
                state: Some("s"),
                nonce: Some("n"),
                code_challenge: &challenge,
                scope: "openid email profile",
                browser_hash: "bench",
                upgrade_user_id: None,
                expires_at,
            },
        )
        .await
        .expect("request");
        let code = format!("stw_ac_bench_{}_{i}", std::process::id());
        assert!(authorization_requests::issue_code(&db, r.id, user_id, &sha256_hex(&code), expires_at).await.expect("code"));
        codes.push(code);
    }
    let mint_secs = minted.elapsed().as_secs_f64();
    let codes = Arc::new(codes);
    let next = Arc::new(AtomicU64::new(0));
    let token_url = format!("{base}/public/v1/{slug}/oauth/token");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, codes, next, token_url, client_id) = (client.clone(), codes.clone(), next.clone(), token_url.clone(), client_id.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(code) = codes.get(i) else { break };
                let t = Instant::now();
                let form = [
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                    ("client_id", &client_id),
                ];
                let ok = match client.post(&token_url).form(&form).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                errors += u64::from(!ok);
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (lat, errors)
        }));
    }
    let (mut lat, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap_or_default();
        lat.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{}",
        json!({"scenario": "authorization_code_exchange", "concurrency": concurrency, "codes": n, "errors": errors, "per_sec": n as f64 / elapsed,
               "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99), "minting_secs": mint_secs, "with_id_token": true})
    );

    // 3. Client-credentials grants, same server, same run.
    apps_grants(&client, &base, secs, concurrency).await;
}

/// Inserts `n` end users into instance `slug` straight into the database (the API would take
/// hours for a million), in batches, with emails `user{i}@{domain}` and increasing creation times.
async fn seed_users(db_url: String, slug: String, n: u64) {
    use sea_orm::{ActiveValue::Set, EntityTrait as _};
    use steward_persistence::entities::end_users;
    let db = steward_persistence::connect(&db_url).await.expect("connect");
    let instance = steward_persistence::instances::by_slug(&db, &slug).await.expect("instance").expect("the instance exists");
    let start = chrono::Utc::now() - chrono::Duration::days(365);
    let started = Instant::now();
    let batch = 500u64;
    let mut i = 0u64;
    while i < n {
        let models: Vec<end_users::ActiveModel> = (i..(i + batch).min(n))
            .map(|k| {
                let at = (start + chrono::Duration::seconds((k * 30) as i64)).fixed_offset();
                let domain = ["example.com", "mail.test", "corp.example"][(k % 3) as usize];
                end_users::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    instance_id: Set(instance.id),
                    email: Set(format!("user{k:07}@{domain}")),
                    email_verified: Set(k % 5 != 0),
                    given_name: Set(format!("Given{k}")),
                    family_name: Set(format!("Family{}", k % 1000)),
                    name: Set(format!("Given{k} Family{}", k % 1000)),
                    password_hash: Set(None),
                    blocked: Set(k % 97 == 0),
                    provider: Set("password".into()),
                    metadata: Set(json!({"seed": k})),
                    created_at: Set(at),
                    updated_at: Set(at),
                    last_login_at: Set(None),
                    tokens_valid_after: Set(None),
                }
            })
            .collect();
        end_users::Entity::insert_many(models).exec(&db).await.expect("insert batch");
        i += batch;
    }
    println!("{}", json!({"scenario": "seed_users", "users": n, "seconds": started.elapsed().as_secs_f64()}));
}

/// Latency of the console's first page of users for several filters.
async fn users_query(base: String, slug: String, token: String, requests: usize) {
    let client = reqwest::Client::new();
    for (name, query) in [
        ("first_page_no_filter", "sort=created_at&order=desc&limit=50".to_owned()),
        ("q_email_broad", "q=example.com&sort=created_at&order=desc&limit=50".to_owned()),
        ("q_email_selective", "q=user0500000&sort=created_at&order=desc&limit=50".to_owned()),
        ("status_blocked", "status=blocked&sort=created_at&order=desc&limit=50".to_owned()),
        ("sort_email", "sort=email&order=asc&limit=50".to_owned()),
    ] {
        let url = format!("{base}/api/v1/instances/{slug}/users?{query}");
        let mut lat = Vec::with_capacity(requests);
        let mut total = serde_json::Value::Null;
        for _ in 0..requests {
            let t = Instant::now();
            let res = client.get(&url).bearer_auth(&token).send().await.expect("request");
            let body: serde_json::Value = res.json().await.expect("body");
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            total = body["total"].clone();
        }
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{}",
            json!({"scenario": "users_query", "query": name, "requests": requests, "total": total,
            "p50_ms": percentile(&lat, 0.5), "p95_ms": percentile(&lat, 0.95), "p99_ms": percentile(&lat, 0.99)})
        );
    }
}

/// End-user sign-ins per second through the public API (production argon2 parameters).
async fn user_logins(base: String, slug: String, console: String, secs: u64, concurrency: usize) {
    let client = reqwest::Client::new();
    let app: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/applications"))
        .bearer_auth(&console)
        .json(&json!({"kind": "frontend", "name": format!("login bench {}", std::process::id())}))
        .send()
        .await
        .expect("create app")
        .json()
        .await
        .expect("app");
    let client_id = app["client_id"].as_str().expect("client id").to_owned();
    let mut emails = Vec::new();
    for i in 0..concurrency {
        let email = format!("login{i}-{}@bench.example", std::process::id());
        let _ = client
            .post(format!("{base}/public/v1/{slug}/auth/register"))
            .header("x-client-id", &client_id)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await;
        emails.push(email);
    }
    let emails = Arc::new(emails);
    let started = Instant::now();
    let url = format!("{base}/public/v1/{slug}/auth/login");
    let (n, errors, lat) = drive(secs, concurrency, Arc::new(AtomicBool::new(false)), move |w, _| {
        let req = client.post(url.clone()).header("x-client-id", client_id.clone()).json(&json!({"email": emails[w], "password": PASSWORD}));
        async move {
            match req.send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"scenario": "end_user_logins", "concurrency": concurrency, "logins": n, "errors": errors, "per_sec": n as f64 / elapsed, "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99)})
    );
}

/// Forgot-password for addresses that have an account and addresses that do not, interleaved,
/// one at a time: the two latency distributions should be the same (the request only queues).
async fn forgot_timing(base: String, n: usize) -> serde_json::Value {
    let client = reqwest::Client::new();
    let console = ensure_account(&client, &base, "timing@bench.example").await;
    let slug = format!("timing-{}", std::process::id());
    let _ =
        client.post(format!("{base}/api/v1/instances")).bearer_auth(&console).json(&json!({"slug": slug, "name": "Timing", "time_zone": "UTC"})).send().await;
    let app: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/applications"))
        .bearer_auth(&console)
        .json(&json!({"kind": "frontend", "name": "Web"}))
        .send()
        .await
        .expect("create app")
        .json()
        .await
        .expect("app body");
    let client_id = app["client_id"].as_str().expect("client_id").to_owned();
    for i in 0..n {
        let _ = client
            .post(format!("{base}/public/v1/{slug}/auth/register"))
            .header("x-client-id", &client_id)
            .json(&json!({"email": format!("known{i}@bench.example"), "password": PASSWORD}))
            .send()
            .await;
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..n {
        for (email, into) in [(format!("known{i}@bench.example"), &mut known), (format!("unknown{i}@bench.example"), &mut unknown)] {
            let t = Instant::now();
            let res = client
                .post(format!("{base}/public/v1/{slug}/auth/forgot-password"))
                .header("x-client-id", &client_id)
                .json(&json!({"email": email}))
                .send()
                .await;
            if res.is_ok_and(|r| r.status() == reqwest::StatusCode::ACCEPTED) {
                into.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    known.sort_by(|a, b| a.partial_cmp(b).unwrap());
    unknown.sort_by(|a, b| a.partial_cmp(b).unwrap());
    json!({"scenario": "forgot_password_timing", "requests_each": n,
           "known_p50_ms": percentile(&known, 0.5), "known_p95_ms": percentile(&known, 0.95),
           "unknown_p50_ms": percentile(&unknown, 0.5), "unknown_p95_ms": percentile(&unknown, 0.95)})
}

/// The resident memory of process `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A sign-in flood of `concurrency` clients for `secs`, then the server's memory every five
/// seconds for a minute: does it give back what argon2's 19 MiB blocks took?
async fn memory_after_flood(base: String, pid: u32, secs: u64, concurrency: usize) -> serde_json::Value {
    let idle = rss_mib(pid);
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(std::sync::Mutex::new(idle));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let now = rss_mib(pid);
                if let Ok(mut p) = peak.lock() {
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let flood = login_flood(base, secs, concurrency, Arc::new(AtomicBool::new(false))).await;
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let after_flood = rss_mib(pid);
    let mut samples = Vec::new();
    let mut below_80_after = None;
    for i in 0..=12 {
        let now = rss_mib(pid);
        samples.push((i * 5, now));
        if below_80_after.is_none() && now < 80.0 {
            below_80_after = Some(i * 5);
        }
        if i < 12 {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }
    let peak = *peak.lock().unwrap();
    json!({"scenario": "memory", "idle_mib": idle, "peak_mib": peak, "right_after_mib": after_flood, "after_60s_mib": samples.last().map(|s| s.1),
           "seconds_to_below_80_mib": below_80_after, "samples": samples, "flood": flood})
}

/// A minimal HTTP/1.1 receiver (keep-alive) on 127.0.0.1 that counts POSTs and answers 200.
async fn start_receiver() -> (u16, Arc<AtomicU64>) {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the receiver");
    let port = listener.local_addr().expect("receiver address").port();
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut stream = tokio::io::BufReader::new(stream);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    let mut first = true;
                    loop {
                        line.clear();
                        match stream.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if first {
                            first = false;
                            continue;
                        }
                        if let Some((k, v)) = line.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    counter.fetch_add(1, Ordering::Relaxed);
                    if stream.get_mut().write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

/// `POST /users` per second for `secs` with `concurrency` clients.
async fn create_users(base: &str, slug: &str, token: &str, tag: &str, secs: u64, concurrency: usize) -> serde_json::Value {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/instances/{slug}/users");
    let (token, tag) = (token.to_owned(), tag.to_owned());
    let started = Instant::now();
    let (n, errors, lat) = drive(secs, concurrency, Arc::new(AtomicBool::new(false)), move |worker, i| {
        let req = client.post(url.clone()).bearer_auth(&token).json(&json!({"email": format!("{tag}-{worker}-{i}@bench.example")}));
        async move {
            match req.send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    json!({"requests": n, "errors": errors, "seconds": elapsed, "per_sec": n as f64 / elapsed, "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99)})
}

/// Three endpoints on instance `slug`, delivering to the receiver on `port`.
async fn add_endpoints(client: &reqwest::Client, base: &str, token: &str, slug: &str, port: u16) {
    for i in 1..=3 {
        let res = client
            .post(format!("{base}/api/v1/instances/{slug}/webhooks"))
            .bearer_auth(token)
            .json(&json!({"url": format!("http://127.0.0.1:{port}/hook/{i}")}))
            .send()
            .await
            .expect("endpoint");
        assert!(res.status().is_success(), "create endpoint: {}", res.status());
    }
}

async fn wait_until(count: &AtomicU64, n: u64, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while count.load(Ordering::Relaxed) < n {
        if started.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Some(started.elapsed())
}

/// `mode`: `cost` (the route with and without endpoints; run against a server that records but
/// does not deliver, STEWARD_WEBHOOK_DELIVERY=false, so only the recording is measured) or
/// `live` (the same while the server also delivers), then the 10,000-event fan-out (`live`).
async fn webhooks(base: String, secs: u64, concurrency: usize, mode: &str) {
    let client = reqwest::Client::new();
    let token = ensure_account(&client, &base, "hooks@bench.example").await;
    let slug = format!("hooks-{mode}-{}", std::process::id());
    client
        .post(format!("{base}/api/v1/instances"))
        .bearer_auth(&token)
        .json(&json!({"slug": slug, "name": "Hooks", "time_zone": "UTC"}))
        .send()
        .await
        .expect("instance");
    let (port, received) = start_receiver().await;
    if mode == "cost" {
        // A/B on one server: an instance without endpoints and one with three, measured in
        // alternating rounds so both see the same tables (users, audit log, the WAL) grow.
        let with = format!("{slug}-with");
        client
            .post(format!("{base}/api/v1/instances"))
            .bearer_auth(&token)
            .json(&json!({"slug": with, "name": "Hooks (3 endpoints)", "time_zone": "UTC"}))
            .send()
            .await
            .expect("instance");
        add_endpoints(&client, &base, &token, &with, port).await;
        let rounds = 6u64;
        let round_secs = (secs / rounds).max(1);
        let (mut off, mut on) = (Vec::new(), Vec::new());
        for r in 0..rounds {
            off.push(create_users(&base, &slug, &token, &format!("off{r}"), round_secs, concurrency).await);
            on.push(create_users(&base, &with, &token, &format!("on{r}"), round_secs, concurrency).await);
        }
        let rate = |runs: &[serde_json::Value]| {
            let n: f64 = runs.iter().map(|r| r["requests"].as_f64().unwrap_or(0.0)).sum();
            let t: f64 = runs.iter().map(|r| r["seconds"].as_f64().unwrap_or(0.0)).sum();
            let errors: u64 = runs.iter().map(|r| r["errors"].as_u64().unwrap_or(0)).sum();
            json!({"requests": n, "per_sec": n / t, "errors": errors, "rounds": runs.len()})
        };
        let (off, on) = (rate(&off), rate(&on));
        let ratio = on["per_sec"].as_f64().unwrap_or(0.0) / off["per_sec"].as_f64().unwrap_or(1.0);
        println!(
            "{}",
            json!({"scenario": "webhook_recording_cost", "route": "POST /api/v1/instances/{instance}/users", "concurrency": concurrency,
                   "method": "alternating rounds, same server", "without_endpoints": off, "with_3_endpoints_recording_only": on,
                   "ratio": ratio, "cost": 1.0 - ratio, "events_recorded": on["requests"]})
        );
        return;
    }
    let off = create_users(&base, &slug, &token, "off", secs, concurrency).await;
    add_endpoints(&client, &base, &token, &slug, port).await;
    let on = create_users(&base, &slug, &token, "on", secs, concurrency).await;
    let expected = on["requests"].as_u64().unwrap_or(0) * 3;
    let ratio = on["per_sec"].as_f64().unwrap_or(0.0) / off["per_sec"].as_f64().unwrap_or(1.0);
    let drained = wait_until(&received, expected, Duration::from_secs(300)).await;
    println!(
        "{}",
        json!({"scenario": "webhook_route_while_delivering", "route": "POST /api/v1/instances/{instance}/users", "concurrency": concurrency,
               "without_endpoints": off, "with_3_endpoints_delivering": on, "ratio": ratio,
               "deliveries": expected, "drained_ms_after_load": drained.map(|d| d.as_millis() as u64)})
    );

    // 10,000 events at once: a CSV import records one user.created per row in one transaction.
    let before = received.load(Ordering::Relaxed);
    let mut csv = String::from("email\n");
    for i in 0..10_000 {
        csv.push_str(&format!("fanout-{i}@bench.example\n"));
    }
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/v1/instances/{slug}/users/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    assert!(res.status().is_success(), "import: {}", res.status());
    let imported = started.elapsed();
    let delivered = wait_until(&received, before + 30_000, Duration::from_secs(600)).await;
    let total = started.elapsed();
    println!(
        "{}",
        json!({"scenario": "webhook_fanout", "events": 10_000, "endpoints": 3, "deliveries": 30_000,
               "import_ms": imported.as_millis() as u64,
               "all_delivered_ms_after_import": delivered.map(|_| (total - imported).as_millis() as u64),
               "deliveries_per_sec": delivered.map(|_| 30_000.0 / (total - imported).as_secs_f64())})
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    match args.first().map(String::as_str) {
        Some("hash") => hash_bench(),
        Some("public-setup") => rt.block_on(usage::public_setup(args[1].clone())),
        Some("seed-rollups") => rt.block_on(usage::seed_rollups(args[1].clone(), args[2].clone(), args[3].parse().unwrap())),
        Some("dashboard") => rt.block_on(usage::dashboard(args[1].clone(), args[2].clone(), args[3].parse().unwrap(), args[4].clone())),
        Some("seed-users") => {
            let (url, slug, n) = (args[1].clone(), args[2].clone(), args[3].parse().unwrap());
            rt.block_on(seed_users(url, slug, n));
        }
        Some("user-logins") => {
            let (base, slug, token, secs, c) = (args[1].clone(), args[2].clone(), args[3].clone(), args[4].parse().unwrap(), args[5].parse().unwrap());
            rt.block_on(user_logins(base, slug, token, secs, c));
        }
        Some("users-query") => {
            let (base, slug, token, n) = (args[1].clone(), args[2].clone(), args[3].clone(), args[4].parse().unwrap());
            rt.block_on(users_query(base, slug, token, n));
        }
        Some("console-token") => {
            // Signs up (or in) the bench account, creates the instance, prints a console token.
            let (base, slug) = (args[1].clone(), args[2].clone());
            rt.block_on(async move {
                let client = reqwest::Client::new();
                let token = ensure_account(&client, &base, "users@bench.example").await;
                let _ = client
                    .post(format!("{base}/api/v1/instances"))
                    .bearer_auth(&token)
                    .json(&json!({"slug": slug, "name": "Users bench", "time_zone": "UTC"}))
                    .send()
                    .await;
                println!("{token}");
            });
        }
        Some("signin") => {
            let (base, db, secs, c, n) = (args[1].clone(), args[2].clone(), args[3].parse().unwrap(), args[4].parse().unwrap(), args[5].parse().unwrap());
            rt.block_on(signin(base, db, secs, c, n));
        }
        Some("apps") => {
            let (base, secs, c) = (args[1].clone(), args[2].parse().unwrap(), args[3].parse().unwrap());
            rt.block_on(apps(base, secs, c));
        }
        Some("forgot") => {
            let (base, n) = (args[1].clone(), args[2].parse().unwrap());
            println!("{}", rt.block_on(forgot_timing(base, n)));
        }
        Some("memory") => {
            let (base, pid, secs, c) = (args[1].clone(), args[2].parse().unwrap(), args[3].parse().unwrap(), args[4].parse().unwrap());
            println!("{}", rt.block_on(memory_after_flood(base, pid, secs, c)));
        }
        Some("webhooks") => {
            let (base, secs, c, mode) = (args[1].clone(), args[2].parse().unwrap(), args[3].parse().unwrap(), args[4].clone());
            rt.block_on(webhooks(base, secs, c, &mode));
        }
        Some("login") => {
            let (base, secs, c) = (args[1].clone(), args[2].parse().unwrap(), args[3].parse().unwrap());
            let r = rt.block_on(login_flood(base, secs, c, Arc::new(AtomicBool::new(false))));
            println!("{r}");
        }
        Some("me") => {
            let (base, secs, c): (String, u64, usize) = (args[1].clone(), args[2].parse().unwrap(), args[3].parse().unwrap());
            let flood: Option<usize> = args.iter().position(|a| a == "--with-login-flood").map(|i| args[i + 1].parse().unwrap());
            let r = rt.block_on(async move {
                let stop = Arc::new(AtomicBool::new(false));
                let flood_task = flood.map(|n| tokio::spawn(login_flood(base.clone(), secs + 4, n, stop.clone())));
                if flood_task.is_some() {
                    // Let the flood set up its accounts and reach full speed first.
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                let mut me = me_load(base, secs, c).await;
                stop.store(true, Ordering::Relaxed);
                if let Some(t) = flood_task {
                    me["login_flood"] = t.await.unwrap_or_default();
                }
                me
            });
            println!("{r}");
        }
        _ => {
            eprintln!(
                "usage: steward-bench hash | public-setup URL | seed-rollups DATABASE_URL SLUG CALLS | dashboard URL SLUG RUNS LABEL | signin URL DATABASE_URL SECS CONCURRENCY N | forgot URL N | webhooks URL SECS CONCURRENCY cost|live | memory URL PID SECS CONCURRENCY | apps URL SECS CONCURRENCY | login URL SECS CONCURRENCY | me URL SECS CONCURRENCY [--with-login-flood N]"
            );
            std::process::exit(2);
        }
    }
}

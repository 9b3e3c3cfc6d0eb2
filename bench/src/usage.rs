//! Benchmarks of issue 14: the public API's setup for `wrk` (bench/public-api), rollups
//! equivalent to millions of calls, and the Dashboard's queries over them.

use std::time::Instant;

use serde_json::json;
use steward_domain::usage::{Resolution, latency_bucket};
use steward_persistence::usage::{Counts, RollupKey};

use crate::{ensure_account, percentile};

/// An instance on a plan without a hard limit, a back-end app and its token: prints
/// `slug client_id access_token`.
pub async fn public_setup(base: String) {
    let client = reqwest::Client::new();
    let console = ensure_account(&client, &base, "public@bench.example").await;
    let slug = format!("api-{}", std::process::id());
    let _ = client
        .post(format!("{base}/api/v1/instances"))
        .bearer_auth(&console)
        .json(&json!({"slug": slug, "name": "API bench", "time_zone": "UTC"}))
        .send()
        .await;
    let res =
        client.put(format!("{base}/api/v1/instances/{slug}/billing/plan")).bearer_auth(&console).json(&json!({"plan": "scale"})).send().await.expect("plan");
    assert!(res.status().is_success(), "plan change: {}", res.status());
    let app: serde_json::Value = client
        .post(format!("{base}/api/v1/instances/{slug}/applications"))
        .bearer_auth(&console)
        .json(&json!({"kind": "backend", "name": "wrk"}))
        .send()
        .await
        .expect("create app")
        .json()
        .await
        .expect("app body");
    let (id, secret) = (app["client_id"].as_str().expect("client_id"), app["client_secret"].as_str().expect("secret"));
    let token: serde_json::Value = client
        .post(format!("{base}/public/v1/{slug}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token body");
    println!("{slug} {id} {}", token["access_token"].as_str().expect("access_token"));
}

/// Rollups of one instance equivalent to `calls` calls over the past year, spread over 40
/// application × route × status combinations: daily rows for the year, hourly rows for the year
/// (within the hourly retention) and per-minute rows for the last 7 days, as the retention keeps
/// them. Prints what was written.
pub async fn seed_rollups(database_url: String, slug: String, calls: i64) {
    let db = steward_persistence::connect(&database_url).await.expect("connect");
    let instance = steward_persistence::instances::by_slug(&db, &slug).await.expect("instance").expect("no such instance");
    let tz: chrono_tz::Tz = instance.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let now = chrono::Utc::now().timestamp() / 60 * 60;
    let year = 365 * 86_400;
    let apps: Vec<uuid::Uuid> = (0..4).map(|_| uuid::Uuid::now_v7()).collect();
    let routes = [
        "/public/v1/{instance}/app",
        "/public/v1/{instance}/branding",
        "/public/v1/{instance}/me",
        "/public/v1/{instance}/oauth/token",
        "/public/v1/{instance}/users",
    ];
    let combos: Vec<(uuid::Uuid, &str, i16)> = apps.iter().flat_map(|a| routes.iter().flat_map(move |r| [(*a, *r, 200i16), (*a, *r, 404)])).collect();
    let started = Instant::now();
    let mut written = 0usize;
    // Hours of the year carry the calls; each hour adds to its hour, day and (last week) minute rows.
    let hours = year / 3600;
    let per_hour = calls / hours;
    let mut batch: Vec<(RollupKey, Counts)> = Vec::new();
    for h in 0..hours {
        let at = now - year + h * 3600;
        for (i, (app, route, status)) in combos.iter().enumerate() {
            let n = per_hour / combos.len() as i64 + i64::from(i == 0) * (per_hour % combos.len() as i64);
            if n == 0 {
                continue;
            }
            let mut c = Counts { calls: n, latency_us: n * 900, ..Counts::default() };
            c.hist[latency_bucket(900)] = n;
            let mut resolutions = vec![Resolution::Hour, Resolution::Day];
            if now - at < 7 * 86_400 {
                resolutions.push(Resolution::Minute);
            }
            for resolution in resolutions {
                let key = RollupKey {
                    instance_id: instance.id,
                    resolution,
                    bucket_start: resolution.bucket_of(at, tz),
                    application_id: *app,
                    route: (*route).to_owned(),
                    method: "GET".into(),
                    status: *status,
                    billable: true,
                };
                batch.push((key, c));
            }
        }
        if batch.len() >= 20_000 {
            written += batch.len();
            steward_persistence::usage::add_rollups(&db, uuid::Uuid::now_v7(), &batch).await.expect("add rollups");
            batch.clear();
        }
    }
    written += batch.len();
    steward_persistence::usage::add_rollups(&db, uuid::Uuid::now_v7(), &batch).await.expect("add rollups");
    println!(
        "{}",
        json!({"scenario": "seed_rollups", "calls": per_hour * hours, "rows_added": written, "seconds": started.elapsed().as_secs_f64(),
               "database": steward_persistence::db::backend_name(&db)})
    );
}

/// The Dashboard's queries over the seeded rollups, each `runs` times through the API.
pub async fn dashboard(base: String, slug: String, runs: usize, label: String) {
    let client = reqwest::Client::new();
    let console = ensure_account(&client, &base, "public@bench.example").await;
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Days::new(364);
    let week_ago = today - chrono::Days::new(6);
    let api = format!("{base}/api/v1/instances/{slug}");
    let queries = [
        ("year_by_day_series", format!("{api}/analytics/timeseries?frame=custom&from={year_ago}&to={today}&granularity=day")),
        ("year_summary", format!("{api}/analytics/summary?frame=custom&from={year_ago}&to={today}")),
        ("year_top_routes", format!("{api}/analytics/breakdown?frame=custom&from={year_ago}&to={today}&group_by=route")),
        ("week_by_hour_series", format!("{api}/analytics/timeseries?frame=custom&from={week_ago}&to={today}&granularity=hour")),
        ("week_by_hour_by_application", format!("{api}/analytics/timeseries?frame=custom&from={week_ago}&to={today}&granularity=hour&group_by=application")),
        ("this_year_usage_by_month", format!("{api}/usage?frame=this_year")),
    ];
    for (name, url) in queries {
        let mut lat = Vec::new();
        let mut calls = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let res = client.get(&url).bearer_auth(&console).send().await.expect("query");
            assert!(res.status().is_success(), "{name}: {}", res.status());
            let body: serde_json::Value = res.json().await.expect("body");
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            calls = body["calls"]
                .as_i64()
                .or(body["total_calls"].as_i64())
                .unwrap_or_else(|| body["points"].as_array().map_or(0, |p| p.iter().map(|p| p["calls"].as_i64().unwrap_or(0)).sum()));
        }
        lat.sort_by(f64::total_cmp);
        println!(
            "{}",
            json!({"scenario": "dashboard", "database": label, "query": name, "runs": runs, "calls_in_window": calls,
                   "p50_ms": percentile(&lat, 0.5), "p95_ms": percentile(&lat, 0.95), "max_ms": lat.last().copied()})
        );
    }
}

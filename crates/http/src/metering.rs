//! Metering of the public API: every call (`/public/v1/{instance}/...`, preflights aside) is
//! counted by instance, application, route template, method, status and latency.
//!
//! A call costs an uncontended lock on its thread's shard of an in-memory map keyed by the UTC minute;
//! [`Meter::flush`] (every few seconds, and at shutdown) takes the map and adds it to the
//! database's rollups (minute, local hour, local day) in one transaction, under a flush id the
//! database records with it: a flush that fails is retried under the same id, so nothing is lost
//! while the process lives and nothing is added twice (a commit that went unanswered but took
//! effect is recognised). Several processes add up.
//!
//! The middleware also admits the call against the instance's hard quota (see [`crate::quota`])
//! and hands the instance it looked up to the handlers (a request extension).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, ResponseError as _, web};
use chrono_tz::Tz;
use steward_domain::usage::{Resolution, latency_bucket};
use steward_persistence::usage::{Counts, RollupKey};
use steward_persistence::{Database, StoreResult, usage};
use uuid::Uuid;

use crate::AppState;
use crate::cache::CachedInstance;
use crate::routes::public::cors::{self, slug_of};

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    instance_id: Uuid,
    application_id: Uuid,
    route: Arc<str>,
    method: Method,
    status: u16,
    billable: bool,
    minute: i64,
}

struct Cell {
    tz: Tz,
    counts: Counts,
}

const SHARDS: usize = 16;

static NEXT_SHARD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

thread_local! {
    /// Each thread counts into a shard of its own: the HTTP workers never wait on each other
    /// (a contended lock on a busy 2-core machine parks a thread), only briefly on a flush.
    static SHARD: usize = NEXT_SHARD.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARDS;
}

/// The route template a request matched, computed once (metering and the Prometheus metrics
/// both need it; finding it walks the router).
#[derive(Clone)]
pub struct MatchedRoute(pub Arc<str>);

/// The route template of `req`, from its extensions when known.
pub fn matched_route(req: &actix_web::HttpRequest) -> Arc<str> {
    if let Some(r) = req.extensions().get::<MatchedRoute>() {
        return r.0.clone();
    }
    let route: Arc<str> = req.match_pattern().map_or_else(|| Arc::from("unmatched"), Arc::from);
    req.extensions_mut().insert(MatchedRoute(route.clone()));
    route
}

/// The application a metered call was made by (set by the public API's gate).
#[derive(Clone, Copy)]
pub struct MeteredApp(pub Uuid);

/// Counts of calls not yet flushed.
pub struct Meter {
    enabled: bool,
    shards: Vec<Mutex<HashMap<Key, Cell>>>,
    /// A flush whose outcome is unknown (its commit failed or went unanswered): retried under
    /// the same id before anything else, and skipped by the database if it did commit.
    pending: tokio::sync::Mutex<Option<Batch>>,
}

/// A flush: its id and the rows it adds.
type Batch = (Uuid, Vec<(RollupKey, Counts)>);

impl Meter {
    /// A meter; `enabled: false` counts nothing (a benchmark's comparison).
    pub fn new(enabled: bool) -> Self {
        Self { enabled, shards: (0..SHARDS).map(|_| Mutex::default()).collect(), pending: Default::default() }
    }

    /// Counts one call.
    #[allow(clippy::too_many_arguments)]
    pub fn record(&self, instance: &CachedInstance, application_id: Option<Uuid>, route: Arc<str>, method: Method, status: u16, billable: bool, micros: u64) {
        if !self.enabled {
            return;
        }
        let key = Key {
            instance_id: instance.instance.id,
            application_id: application_id.unwrap_or_else(Uuid::nil),
            route,
            method,
            status,
            billable,
            minute: chrono::Utc::now().timestamp().div_euclid(60) * 60,
        };
        let shard = &self.shards[SHARD.with(|s| *s)];
        let Ok(mut map) = shard.lock() else { return };
        let cell = map.entry(key).or_insert_with(|| Cell { tz: instance.tz, counts: Counts::default() });
        cell.counts.calls += 1;
        cell.counts.latency_us += micros as i64;
        cell.counts.hist[latency_bucket(micros)] += 1;
    }

    fn take(&self) -> Vec<(Key, Cell)> {
        let mut out = Vec::new();
        for shard in &self.shards {
            if let Ok(mut map) = shard.lock() {
                out.extend(std::mem::take(&mut *map));
            }
        }
        out
    }

    /// Adds what was counted to the database's rollups. A flush that fails is kept and retried
    /// first next time, under its id (so it is added once even if it did commit). Returns the
    /// calls flushed now.
    pub async fn flush(&self, db: &Database) -> StoreResult<i64> {
        // One flush at a time per process: a retried batch is never racing its own first try.
        let mut pending = self.pending.lock().await;
        if let Some((id, rows)) = pending.take()
            && let Err(e) = usage::add_rollups(db, id, &rows).await
        {
            *pending = Some((id, rows));
            return Err(e);
        }
        let cells = self.take();
        if cells.is_empty() {
            return Ok(0);
        }
        let mut rows: Vec<(RollupKey, Counts)> = Vec::with_capacity(cells.len() * 3);
        let mut calls = 0;
        for (k, c) in &cells {
            calls += c.counts.calls;
            for resolution in Resolution::ALL {
                let key = RollupKey {
                    instance_id: k.instance_id,
                    resolution,
                    bucket_start: resolution.bucket_of(k.minute, c.tz),
                    application_id: k.application_id,
                    route: k.route.to_string(),
                    method: k.method.as_str().to_owned(),
                    status: k.status as i16,
                    billable: k.billable,
                };
                rows.push((key, c.counts));
            }
        }
        let id = Uuid::now_v7();
        match usage::add_rollups(db, id, &rows).await {
            Ok(_) => Ok(calls),
            Err(e) => {
                *pending = Some((id, rows));
                Err(e)
            }
        }
    }
}

/// The public API's edge, one middleware for every `/public/v1` call (one pass is measurably
/// cheaper than a chain): answers CORS preflights, finds the instance (cached), admits the call
/// against its quota, counts it, and adds the CORS headers the gate granted.
pub async fn meter(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return pass(req, next).await };
    if req.method() == Method::OPTIONS {
        if let Some(res) = cors::answer_preflight(&req, &state).await {
            return Ok(req.into_response(res).map_into_right_body());
        }
        return pass(req, next).await;
    }
    let Some(slug) = slug_of(req.path()) else { return pass(req, next).await };
    // A database failure here is the handler's to report (it looks the instance up again).
    let found = state.cache.instance(&state.db, slug).await;
    let instance = match found {
        Ok(Some(i)) => i,
        Ok(None) => return pass(req, next).await,
        Err(e) => {
            tracing::warn!(error = %e, "the metering middleware could not look an instance up");
            return pass(req, next).await;
        }
    };
    let started = Instant::now();
    let method = req.method().clone();
    match state.quota.admit(&state.db, &instance).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            let route = matched_route(req.request());
            let res = refusal.error_response();
            state.meter.record(&instance, None, route, method, res.status().as_u16(), false, started.elapsed().as_micros() as u64);
            return Ok(req.into_response(res).map_into_right_body());
        }
        Err(e) => {
            let res = crate::problem::ApiError::from(e).error_response();
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    req.extensions_mut().insert(instance.clone());
    let mut res = next.call(req).await?;
    let route = matched_route(res.request());
    let app = res.request().extensions().get::<MeteredApp>().map(|a| a.0);
    state.meter.record(&instance, app, route, method, res.status().as_u16(), true, started.elapsed().as_micros() as u64);
    cors::apply_grant(&mut res);
    Ok(res.map_into_left_body())
}

/// A call the edge does not meter (no instance by that name, an `OPTIONS` that is no preflight).
async fn pass<B: MessageBody>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let mut res = next.call(req).await?;
    cors::apply_grant(&mut res);
    Ok(res.map_into_left_body())
}

/// The instance the metering middleware found for this request, or a fresh lookup.
pub async fn instance_of(state: &AppState, req: &actix_web::HttpRequest, slug: &str) -> StoreResult<Option<Arc<CachedInstance>>> {
    if let Some(i) = req.extensions().get::<Arc<CachedInstance>>().filter(|i| i.instance.slug == slug) {
        return Ok(Some(i.clone()));
    }
    state.cache.instance(&state.db, slug).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_the_path() {
        assert_eq!(slug_of("/public/v1/shop/app"), Some("shop"));
        assert_eq!(slug_of("/public/v1/shop"), Some("shop"));
        assert_eq!(slug_of("/public/v1/"), None);
        assert_eq!(slug_of("/api/v1/instances/shop"), None);
    }
}

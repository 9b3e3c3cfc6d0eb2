//! Reading the rollups for the dashboard and the usage report: a window in the instance's time
//! zone, summed from the rollups whose buckets fit it (minute, local hour, local day), with
//! registrations and active users from the users' tables.

use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use steward_domain::usage::{Bound, Granularity, Resolution, Window, WindowError, bucket_index, quantile_ms};
use steward_persistence::instances::Instance;
use steward_persistence::usage::{self, Aggregate, AggregateQuery, Counts, Dimension};
use steward_persistence::{Database, applications};
use uuid::Uuid;

use super::dto::{
    AnalyticsSeries, AnalyticsSummary, Breakdown, BreakdownItem, FrameDto, GranularityDto, GroupBy, GroupPoint, Latency, SeriesGroup, SeriesPoint, WindowDto,
};
use crate::problem::{ApiError, FieldError};

/// The sessions read at most to count active users in a window.
const MAX_SESSIONS: u64 = 200_000;
/// The groups a grouped series has at most.
const MAX_GROUPS: usize = 8;

fn window_error(e: WindowError) -> ApiError {
    let err = ApiError::validation(vec![FieldError::new(e.field, e.code, e.message)]);
    if e.code == "too_many_points" { err.with_code("too_many_points") } else { err }
}

/// The window asked for, in the instance's time zone.
pub fn window(instance: &Instance, frame: Option<FrameDto>, from: Option<&str>, to: Option<&str>) -> Result<Window, ApiError> {
    let tz = instance.time_zone.parse::<Tz>().unwrap_or(Tz::UTC);
    let mut errors = Vec::new();
    let mut bound = |field: &str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match Bound::parse(raw) {
            Ok(b) => Some(b),
            Err(e) => {
                errors.push(FieldError::from_value(field, e));
                None
            }
        },
    };
    let (from, to) = (bound("from", from), bound("to", to));
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let frame = frame.unwrap_or_default().frame();
    Window::resolve(frame, from, to, Utc::now(), tz).map_err(window_error)
}

pub fn window_dto(w: &Window) -> WindowDto {
    WindowDto { frame: FrameDto::of(w.frame), from: w.from, to: w.to, time_zone: w.tz.name().to_owned() }
}

/// The finest rollups whose buckets fit `[from, to)` exactly.
fn resolution_for(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Resolution {
    let fits = |r: Resolution| {
        let (f, t) = (from.timestamp(), to.timestamp());
        r.bucket_of(f, tz) == f && r.bucket_of(t, tz) == t
    };
    if fits(Resolution::Day) {
        Resolution::Day
    } else if fits(Resolution::Hour) {
        Resolution::Hour
    } else {
        Resolution::Minute
    }
}

fn rate(errors: i64, calls: i64) -> f64 {
    if calls == 0 { 0.0 } else { ((errors as f64 / calls as f64) * 10_000.0).round() / 10_000.0 }
}

fn latency(c: &Counts) -> Latency {
    Latency { p50_ms: quantile_ms(&c.hist, 0.5), p95_ms: quantile_ms(&c.hist, 0.95), p99_ms: quantile_ms(&c.hist, 0.99) }
}

/// Distinct end users active in each bucket (a sign-in or a session renewal in it), and overall.
async fn active_users(db: &Database, instance_id: Uuid, edges: &[DateTime<Utc>]) -> Result<(Vec<i64>, i64), ApiError> {
    let (Some(from), Some(to)) = (edges.first(), edges.last()) else { return Ok((Vec::new(), 0)) };
    let sessions = usage::session_activity(db, instance_id, *from, *to, MAX_SESSIONS).await?;
    let mut per: Vec<HashSet<Uuid>> = vec![HashSet::new(); edges.len().saturating_sub(1)];
    let mut all = HashSet::new();
    for (user, created, used) in sessions {
        for at in [created, used] {
            if let Some(i) = bucket_index(edges, at) {
                per[i].insert(user);
                all.insert(user);
            }
        }
    }
    Ok((per.iter().map(|s| s.len() as i64).collect(), all.len() as i64))
}

/// Registrations in each bucket, and overall.
async fn registrations(db: &Database, instance_id: Uuid, edges: &[DateTime<Utc>], step: i64) -> Result<(Vec<i64>, i64), ApiError> {
    let (Some(from), Some(to)) = (edges.first(), edges.last()) else { return Ok((Vec::new(), 0)) };
    let rows = usage::registrations(db, instance_id, *from, *to, step).await?;
    let mut per = vec![0i64; edges.len().saturating_sub(1)];
    let mut total = 0;
    for (at, n) in rows {
        if let Some(i) = bucket_index(edges, at) {
            per[i] += n;
        }
        total += n;
    }
    Ok((per, total))
}

/// The activity of the window as a whole.
pub async fn summary(db: &Database, instance: &Instance, w: &Window) -> Result<AnalyticsSummary, ApiError> {
    let resolution = resolution_for(w.from, w.to, w.tz);
    let rows = usage::aggregate(
        db,
        AggregateQuery {
            instance_id: instance.id,
            resolution,
            from: w.from.timestamp(),
            to: w.to.timestamp(),
            by_bucket: false,
            dimension: None,
            billable_only: false,
        },
    )
    .await?;
    let total = rows.into_iter().next().unwrap_or_default();
    let edges = [w.from, w.to];
    let (_, registrations) = registrations(db, instance.id, &edges, 900).await?;
    let (_, active) = active_users(db, instance.id, &edges).await?;
    Ok(AnalyticsSummary {
        window: window_dto(w),
        calls: total.calls,
        errors: total.errors,
        server_errors: total.server_errors,
        error_rate: rate(total.errors, total.calls),
        latency: latency(&total.counts),
        registrations,
        active_users: active,
    })
}

/// The granularity asked for, or the frame's.
pub fn granularity(w: &Window, asked: Option<GranularityDto>) -> Granularity {
    asked.map_or_else(|| w.default_granularity(), GranularityDto::granularity)
}

/// A series of the window at `g`: every point with calls, errors, latency, registrations and
/// active users; with `group`, the 8 busiest groups' own series. `billable_only` counts only
/// the calls a bill counts (the usage report).
pub async fn series(db: &Database, instance: &Instance, w: &Window, g: Granularity, group: Option<GroupBy>) -> Result<AnalyticsSeries, ApiError> {
    let edges = w.buckets(g).map_err(window_error)?;
    let points = edges.len() - 1;
    let resolution = Resolution::for_granularity(g);
    let (from, to) = (edges[0].timestamp(), w.to.timestamp());
    let query = AggregateQuery { instance_id: instance.id, resolution, from, to, by_bucket: true, dimension: None, billable_only: false };
    let rows = usage::aggregate(db, query).await?;
    let mut sums: Vec<Aggregate> = (0..points).map(|_| Aggregate::default()).collect();
    for r in rows {
        if let Some(i) = r.bucket_start.and_then(|b| bucket_index(&edges, b)) {
            let s = &mut sums[i];
            s.calls += r.calls;
            s.errors += r.errors;
            s.server_errors += r.server_errors;
            s.counts.add(&r.counts);
        }
    }
    let step = if g == Granularity::Minute { 60 } else { 900 };
    let (regs, _) = registrations(db, instance.id, &edges, step).await?;
    let (active, _) = active_users(db, instance.id, &edges).await?;
    let points = sums
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let l = latency(&s.counts);
            SeriesPoint {
                start: edges[i],
                label: w.label(edges[i], g),
                calls: s.calls,
                errors: s.errors,
                server_errors: s.server_errors,
                p50_ms: l.p50_ms,
                p95_ms: l.p95_ms,
                p99_ms: l.p99_ms,
                registrations: regs[i],
                active_users: active[i],
            }
        })
        .collect();
    let groups = match group {
        None => Vec::new(),
        Some(by) => {
            let rows = usage::aggregate(db, AggregateQuery { dimension: Some(dimension(by)), ..query }).await?;
            let labels = Labels::load(db, instance.id, by).await?;
            let mut by_key: HashMap<String, (i64, Vec<GroupPoint>)> = HashMap::new();
            for r in &rows {
                let Some(i) = r.bucket_start.and_then(|b| bucket_index(&edges, b)) else { continue };
                let key = labels.key(r);
                let entry =
                    by_key.entry(key).or_insert_with(|| (0, edges[..edges.len() - 1].iter().map(|e| GroupPoint { start: *e, calls: 0, errors: 0 }).collect()));
                entry.0 += r.calls;
                entry.1[i].calls += r.calls;
                entry.1[i].errors += r.errors;
            }
            let mut groups: Vec<SeriesGroup> =
                by_key.into_iter().map(|(key, (calls, points))| SeriesGroup { label: labels.label(&key), key, calls, points }).collect();
            groups.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.key.cmp(&b.key)));
            groups.truncate(MAX_GROUPS);
            groups
        }
    };
    Ok(AnalyticsSeries { window: window_dto(w), granularity: GranularityDto::of(g), points, groups })
}

fn dimension(g: GroupBy) -> Dimension {
    match g {
        GroupBy::Application => Dimension::Application,
        GroupBy::Route => Dimension::Route,
        GroupBy::Status => Dimension::Status,
    }
}

/// Keys and labels of groups.
struct Labels {
    by: GroupBy,
    apps: HashMap<Uuid, String>,
}

impl Labels {
    async fn load(db: &Database, instance_id: Uuid, by: GroupBy) -> Result<Self, ApiError> {
        let apps = if by == GroupBy::Application {
            applications::list(db, instance_id, 1000, None).await?.items.into_iter().map(|a| (a.id, a.name)).collect()
        } else {
            HashMap::new()
        };
        Ok(Self { by, apps })
    }

    fn key(&self, r: &Aggregate) -> String {
        match self.by {
            GroupBy::Application => match r.application_id {
                Some(id) if !id.is_nil() => id.to_string(),
                _ => "none".to_owned(),
            },
            GroupBy::Route => format!("{} {}", r.method.as_deref().unwrap_or(""), r.route.as_deref().unwrap_or("")),
            GroupBy::Status => r.status.unwrap_or(0).to_string(),
        }
    }

    fn label(&self, key: &str) -> String {
        match self.by {
            GroupBy::Application => match key.parse::<Uuid>() {
                Ok(id) => self.apps.get(&id).cloned().unwrap_or_else(|| "Deleted application".to_owned()),
                Err(_) => "No application".to_owned(),
            },
            // The public API's prefix is the same on every route.
            GroupBy::Route => key.replacen("/public/v1/{instance}", "", 1),
            GroupBy::Status => {
                let reason = key.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok()).and_then(|s| s.canonical_reason());
                match reason {
                    Some(r) => format!("{key} {r}"),
                    None => key.to_owned(),
                }
            }
        }
    }
}

/// Calls of the window by application, route or status, most first.
pub async fn breakdown(db: &Database, instance: &Instance, w: &Window, by: GroupBy, limit: usize) -> Result<Breakdown, ApiError> {
    let resolution = resolution_for(w.from, w.to, w.tz);
    let query = AggregateQuery {
        instance_id: instance.id,
        resolution,
        from: w.from.timestamp(),
        to: w.to.timestamp(),
        by_bucket: false,
        dimension: Some(dimension(by)),
        billable_only: false,
    };
    let rows = usage::aggregate(db, query).await?;
    let labels = Labels::load(db, instance.id, by).await?;
    let mut merged: HashMap<String, Aggregate> = HashMap::new();
    for r in rows {
        let m = merged.entry(labels.key(&r)).or_default();
        m.calls += r.calls;
        m.errors += r.errors;
        m.counts.add(&r.counts);
    }
    let total_calls = merged.values().map(|m| m.calls).sum();
    let mut items: Vec<BreakdownItem> = merged
        .into_iter()
        .map(|(key, m)| {
            let l = latency(&m.counts);
            BreakdownItem {
                label: labels.label(&key),
                key,
                calls: m.calls,
                errors: m.errors,
                error_rate: rate(m.errors, m.calls),
                p50_ms: l.p50_ms,
                p95_ms: l.p95_ms,
                p99_ms: l.p99_ms,
            }
        })
        .collect();
    items.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.key.cmp(&b.key)));
    items.truncate(limit);
    Ok(Breakdown { window: window_dto(w), group_by: by, total_calls, items })
}

/// Billable calls and registrations of the window at `g` (the usage report).
pub async fn usage_points(db: &Database, instance: &Instance, w: &Window, g: Granularity) -> Result<(Vec<DateTime<Utc>>, Vec<i64>, Vec<i64>), ApiError> {
    let edges = w.buckets(g).map_err(window_error)?;
    let query = AggregateQuery {
        instance_id: instance.id,
        resolution: Resolution::for_granularity(g),
        from: edges[0].timestamp(),
        to: w.to.timestamp(),
        by_bucket: true,
        dimension: None,
        billable_only: true,
    };
    let mut calls = vec![0i64; edges.len() - 1];
    for r in usage::aggregate(db, query).await? {
        if let Some(i) = r.bucket_start.and_then(|b| bucket_index(&edges, b)) {
            calls[i] += r.calls;
        }
    }
    let (regs, _) = registrations(db, instance.id, &edges, if g == Granularity::Minute { 60 } else { 900 }).await?;
    Ok((edges, calls, regs))
}

//! API usage: the time windows the dashboard and the bill are read over (in the instance's time
//! zone), the buckets rollups are kept in, latency histograms, billing plans and the bill.
//!
//! Everything here is pure arithmetic on instants and integers: money is integer minor units
//! with a currency, never a float.

use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike, Utc};
use chrono_tz::Tz;

use crate::ValueError;

/// The most points one series may have (a 25-hour DST day by minute fits).
pub const MAX_POINTS: i64 = 1500;

/// A named time frame, read in the instance's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    Today,
    ThisWeek,
    ThisMonth,
    ThisYear,
    Custom,
}

/// The width of one point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Granularity {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

/// How rollups are kept: by UTC minute, by local hour, by local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resolution {
    Minute = 1,
    Hour = 2,
    Day = 3,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [Resolution::Minute, Resolution::Hour, Resolution::Day];

    /// The rollups a series of `granularity` is summed from.
    pub fn for_granularity(g: Granularity) -> Self {
        match g {
            Granularity::Minute => Resolution::Minute,
            Granularity::Hour => Resolution::Hour,
            Granularity::Day | Granularity::Week | Granularity::Month => Resolution::Day,
        }
    }

    /// The start (unix seconds) of the bucket of this resolution holding `at`, in `tz`: a UTC
    /// minute, the instant the local hour began, the instant the local day began.
    pub fn bucket_of(self, at: i64, tz: Tz) -> i64 {
        match self {
            Resolution::Minute => at.div_euclid(60) * 60,
            Resolution::Hour => local_hour_start(at, tz),
            Resolution::Day => {
                let date = instant(at).with_timezone(&tz).date_naive();
                start_of_day(date, tz).timestamp()
            }
        }
    }
}

fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// The instant the local hour holding `at` began (an hour is 3600 s from there, also across a
/// DST change of a whole hour).
fn local_hour_start(at: i64, tz: Tz) -> i64 {
    let local = instant(at).with_timezone(&tz);
    at - i64::from(local.minute()) * 60 - i64::from(local.second())
}

/// The first instant of local day `date` in `tz` (midnight, or the first existing time after a
/// gap at midnight).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = NaiveDateTime::new(date, NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&t).earliest() {
            return at.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&NaiveDateTime::new(date, NaiveTime::MIN))
}

/// A half-open window `[from, to)` of instants and the zone it is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub frame: Frame,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub tz: Tz,
}

/// A bound of a custom frame as given: an instant, or a local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    At(DateTime<Utc>),
    Date(NaiveDate),
}

impl Bound {
    /// An RFC 3339 date-time or a `YYYY-MM-DD` date.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let raw = raw.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            return Ok(Bound::At(at.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Bound::Date)
            .map_err(|_| ValueError::new("invalid_date", "Give an RFC 3339 date-time (2026-12-01T09:00:00Z) or a date (2026-12-01)."))
    }
}

/// Why a window can't be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl WindowError {
    fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { field, code, message: message.into() }
    }
}

/// The earliest and latest instants a window may touch (rollups keep nothing outside).
const EARLIEST_YEAR: i32 = 2000;
const LATEST_YEAR: i32 = 2200;

impl Window {
    /// The window of `frame` around `now`, in `tz`; a custom frame takes `from` and `to` (a date
    /// `to` includes that whole local day).
    pub fn resolve(frame: Frame, from: Option<Bound>, to: Option<Bound>, now: DateTime<Utc>, tz: Tz) -> Result<Self, WindowError> {
        let today = now.with_timezone(&tz).date_naive();
        let (from, to) = match frame {
            Frame::Today => (start_of_day(today, tz), start_of_day(today + Days::new(1), tz)),
            Frame::ThisWeek => {
                let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
                (start_of_day(monday, tz), start_of_day(monday + Days::new(7), tz))
            }
            Frame::ThisMonth => {
                let first = today.with_day(1).unwrap_or(today);
                (start_of_day(first, tz), start_of_day(first + Months::new(1), tz))
            }
            Frame::ThisYear => {
                let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
                (start_of_day(first, tz), start_of_day(first + Months::new(12), tz))
            }
            Frame::Custom => {
                let from = from.ok_or_else(|| WindowError::new("from", "required", "A custom frame needs `from`."))?;
                let to = to.ok_or_else(|| WindowError::new("to", "required", "A custom frame needs `to`."))?;
                let in_range = |b: Bound, field| {
                    let year = match b {
                        Bound::At(at) => at.year(),
                        Bound::Date(d) => d.year(),
                    };
                    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
                        Ok(())
                    } else {
                        Err(WindowError::new(field, "invalid_date", format!("Dates must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")))
                    }
                };
                in_range(from, "from")?;
                in_range(to, "to")?;
                let from = match from {
                    Bound::At(at) => at,
                    Bound::Date(d) => start_of_day(d, tz),
                };
                let to = match to {
                    Bound::At(at) => at,
                    Bound::Date(d) => start_of_day(d + Days::new(1), tz),
                };
                if from >= to {
                    return Err(WindowError::new("from", "from_after_to", "`from` must be before `to`."));
                }
                (from, to)
            }
        };
        Ok(Window { frame, from, to, tz })
    }

    /// The granularity a frame is shown at unless another is asked.
    pub fn default_granularity(&self) -> Granularity {
        match self.frame {
            Frame::Today => Granularity::Hour,
            Frame::ThisWeek | Frame::ThisMonth => Granularity::Day,
            Frame::ThisYear => Granularity::Month,
            Frame::Custom => {
                let span = self.to - self.from;
                if span <= Duration::days(2) {
                    Granularity::Hour
                } else if span <= Duration::days(92) {
                    Granularity::Day
                } else {
                    Granularity::Month
                }
            }
        }
    }

    /// The local boundaries of the window's points at `g`: the start of every bucket, then the
    /// window's end. The first bucket starts where `g` aligns at or before `from`. Refused when
    /// there would be more than [`MAX_POINTS`].
    pub fn buckets(&self, g: Granularity) -> Result<Vec<DateTime<Utc>>, WindowError> {
        let rough = (self.to - self.from).num_seconds()
            / match g {
                Granularity::Minute => 60,
                Granularity::Hour => 3600,
                Granularity::Day => 86_400,
                Granularity::Week => 7 * 86_400,
                Granularity::Month => 28 * 86_400,
            };
        if rough > MAX_POINTS + 2 {
            return Err(too_many(g));
        }
        let tz = self.tz;
        let mut edges = Vec::new();
        let mut at = self.align(g);
        while at < self.to {
            edges.push(at);
            if edges.len() as i64 > MAX_POINTS {
                return Err(too_many(g));
            }
            at = next(at, g, tz);
        }
        edges.push(self.to);
        Ok(edges)
    }

    /// The start of the bucket of `g` holding `from`.
    fn align(&self, g: Granularity) -> DateTime<Utc> {
        let tz = self.tz;
        let secs = self.from.timestamp();
        let local = self.from.with_timezone(&tz).date_naive();
        match g {
            Granularity::Minute => instant(Resolution::Minute.bucket_of(secs, tz)),
            Granularity::Hour => instant(Resolution::Hour.bucket_of(secs, tz)),
            Granularity::Day => start_of_day(local, tz),
            Granularity::Week => start_of_day(local - Days::new(u64::from(local.weekday().num_days_from_monday())), tz),
            Granularity::Month => start_of_day(local.with_day(1).unwrap_or(local), tz),
        }
    }

    /// How `start` (a bucket's first instant) is shown at `g`, in the window's zone.
    pub fn label(&self, start: DateTime<Utc>, g: Granularity) -> String {
        let local = start.with_timezone(&self.tz);
        match g {
            Granularity::Minute => local.format("%Y-%m-%d %H:%M").to_string(),
            Granularity::Hour => local.format("%Y-%m-%d %H:%M %Z").to_string(),
            Granularity::Day => local.format("%Y-%m-%d").to_string(),
            Granularity::Week => format!("Week of {}", local.format("%Y-%m-%d")),
            Granularity::Month => local.format("%Y-%m").to_string(),
        }
    }
}

fn too_many(g: Granularity) -> WindowError {
    let name = match g {
        Granularity::Minute => "minute",
        Granularity::Hour => "hour",
        Granularity::Day => "day",
        Granularity::Week => "week",
        Granularity::Month => "month",
    };
    WindowError::new(
        "granularity",
        "too_many_points",
        format!("This window by {name} has more than {MAX_POINTS} points: choose a coarser granularity or a shorter window."),
    )
}

/// The start of the bucket after the one starting at `at`.
fn next(at: DateTime<Utc>, g: Granularity, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).date_naive();
    match g {
        Granularity::Minute => at + Duration::minutes(1),
        Granularity::Hour => at + Duration::hours(1),
        Granularity::Day => start_of_day(local + Days::new(1), tz),
        Granularity::Week => start_of_day(local + Days::new(7), tz),
        Granularity::Month => start_of_day(local.with_day(1).unwrap_or(local) + Months::new(1), tz),
    }
}

/// The index of the bucket holding `at` among `edges` (from [`Window::buckets`]), if any.
pub fn bucket_index(edges: &[DateTime<Utc>], at: i64) -> Option<usize> {
    let at = instant(at);
    if edges.len() < 2 || at < edges[0] || at >= edges[edges.len() - 1] {
        return None;
    }
    Some(edges.partition_point(|e| *e <= at) - 1)
}

/// The billing period (a calendar month in `tz`) holding `at`: `[start, end)`.
pub fn period_of(at: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = at.with_timezone(&tz).date_naive();
    let first = local.with_day(1).unwrap_or(local);
    (start_of_day(first, tz), start_of_day(first + Months::new(1), tz))
}

/// Latency histogram buckets: upper bounds in microseconds (the last is open).
pub const LATENCY_BOUNDS_US: [u64; 16] =
    [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000, 2_048_000, 4_096_000, u64::MAX];

/// The histogram bucket a latency falls in.
pub fn latency_bucket(micros: u64) -> usize {
    LATENCY_BOUNDS_US.iter().position(|b| micros <= *b).unwrap_or(LATENCY_BOUNDS_US.len() - 1)
}

/// The `q` quantile (0–1) of a histogram, in milliseconds, interpolated within its bucket;
/// `None` without observations. The open last bucket reports its lower bound.
pub fn quantile_ms(hist: &[i64; 16], q: f64) -> Option<f64> {
    let total: i64 = hist.iter().sum();
    if total <= 0 {
        return None;
    }
    let rank = (q * total as f64).ceil().max(1.0);
    let mut seen = 0i64;
    for (i, n) in hist.iter().enumerate() {
        if *n <= 0 {
            continue;
        }
        if (seen + n) as f64 >= rank {
            let lower = if i == 0 { 0.0 } else { LATENCY_BOUNDS_US[i - 1] as f64 };
            if i == hist.len() - 1 {
                return Some(round2(lower / 1000.0));
            }
            let upper = LATENCY_BOUNDS_US[i] as f64;
            let within = (rank - seen as f64) / *n as f64;
            return Some(round2((lower + (upper - lower) * within) / 1000.0));
        }
        seen += n;
    }
    None
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// What happens when a plan's included calls are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanLimit {
    /// The public API answers 429 until the period ends or the plan changes.
    Hard,
    /// Calls go on and are billed as overage.
    Soft,
}

/// A billing plan of the operator's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub key: String,
    pub name: String,
    /// ISO 4217 code; one currency for the whole catalogue.
    pub currency: String,
    pub monthly_price_minor: i64,
    pub included_calls: i64,
    pub included_users: i64,
    pub overage_per_1000_calls_minor: i64,
    pub limit: PlanLimit,
}

/// The operator's plans; the first is where new instances start unless another is named.
#[derive(Debug, Clone)]
pub struct Catalogue {
    plans: Vec<Plan>,
    default_key: String,
}

impl Catalogue {
    /// The built-in catalogue.
    pub fn builtin() -> Self {
        let plan = |key: &str, name: &str, price, calls, users, overage, limit| Plan {
            key: key.into(),
            name: name.into(),
            currency: "EUR".into(),
            monthly_price_minor: price,
            included_calls: calls,
            included_users: users,
            overage_per_1000_calls_minor: overage,
            limit,
        };
        Self {
            plans: vec![
                plan("free", "Free", 0, 100_000, 1_000, 0, PlanLimit::Hard),
                plan("starter", "Starter", 2_900, 1_000_000, 10_000, 50, PlanLimit::Soft),
                plan("growth", "Growth", 24_900, 10_000_000, 100_000, 30, PlanLimit::Soft),
                plan("scale", "Scale", 99_900, 50_000_000, 1_000_000, 20, PlanLimit::Soft),
            ],
            default_key: "free".into(),
        }
    }

    /// A catalogue from the operator's configuration: unique keys, one currency, no negative
    /// amounts, and a default that exists.
    pub fn new(plans: Vec<Plan>, default_key: Option<&str>) -> Result<Self, String> {
        let first = plans.first().ok_or("The plan catalogue is empty.")?;
        let currency = first.currency.clone();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("Plan {:?}: the currency must be an ISO 4217 code such as EUR.", first.key));
        }
        for (i, p) in plans.iter().enumerate() {
            if p.key.is_empty() || p.key.len() > 40 || !p.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
                return Err(format!("Plan key {:?} must be 1-40 lowercase letters, digits, - or _.", p.key));
            }
            if plans[..i].iter().any(|q| q.key == p.key) {
                return Err(format!("Plan key {:?} appears twice.", p.key));
            }
            if p.currency != currency {
                return Err(format!("Plan {:?} is in {}, the catalogue in {currency}: use one currency.", p.key, p.currency));
            }
            if p.monthly_price_minor < 0 || p.included_calls < 0 || p.included_users < 0 || p.overage_per_1000_calls_minor < 0 {
                return Err(format!("Plan {:?} has a negative amount.", p.key));
            }
        }
        let default_key = default_key.unwrap_or(&first.key).to_owned();
        if !plans.iter().any(|p| p.key == default_key) {
            return Err(format!("The default plan {default_key:?} is not in the catalogue."));
        }
        Ok(Self { plans, default_key })
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    pub fn get(&self, key: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.key == key)
    }

    /// The plan of instances that never chose one.
    pub fn default_plan(&self) -> &Plan {
        self.get(&self.default_key).unwrap_or(&self.plans[0])
    }

    /// The plan `key` names, or the default (a key the operator has since removed).
    pub fn resolve(&self, key: Option<&str>) -> &Plan {
        key.and_then(|k| self.get(k)).unwrap_or_else(|| self.default_plan())
    }
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BillLine {
    pub description: String,
    pub quantity: i64,
    pub unit: String,
    pub amount_minor: i64,
}

/// A bill: lines and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub currency: String,
    pub lines: Vec<BillLine>,
    pub total_minor: i64,
}

/// A plan in force from `from` (its change's instant).
#[derive(Debug, Clone)]
pub struct PlanSpan<'a> {
    pub plan: &'a Plan,
    pub from: DateTime<Utc>,
}

/// `a * b / c` rounded half up, in integers (amounts are small enough for i128).
pub fn mul_div_round(a: i64, b: i64, c: i64) -> i64 {
    if c == 0 {
        return 0;
    }
    let (a, b, c) = (i128::from(a), i128::from(b), i128::from(c));
    ((a * b * 2 + c) / (c * 2)) as i64
}

/// The bill of the period `[start, end)` in `tz`: each plan's monthly price prorated by local
/// day (a day belongs to the plan in force at its end, so a change bills its whole day at the
/// new plan), the included calls prorated the same way, and calls beyond them at the overage
/// price of the plan in force at the end of the period. `spans` are the plan changes in time
/// order; the first in force at `start` (its `from` may be earlier).
pub fn bill(spans: &[PlanSpan<'_>], start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, calls: i64) -> Bill {
    let first_day = start.with_timezone(&tz).date_naive();
    let last_day = (end - Duration::seconds(1)).with_timezone(&tz).date_naive();
    let days_in_period = (last_day - first_day).num_days() + 1;
    // The plan of each local day: the last change that took effect before the day ended.
    let mut runs: Vec<(&Plan, NaiveDate, i64)> = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        let day_end = start_of_day(day + Days::new(1), tz);
        let plan = spans.iter().rev().find(|s| s.from < day_end).or(spans.first()).map(|s| s.plan);
        if let Some(plan) = plan {
            match runs.last_mut() {
                Some((p, _, n)) if p.key == plan.key => *n += 1,
                _ => runs.push((plan, day, 1)),
            }
        }
        day = day + Days::new(1);
    }
    let Some(last) = runs.last().map(|r| r.0) else {
        return Bill { currency: String::new(), lines: Vec::new(), total_minor: 0 };
    };
    let mut lines = Vec::new();
    let mut included = 0i64;
    for (plan, from, days) in &runs {
        let to = *from + Days::new((*days - 1) as u64);
        lines.push(BillLine {
            description: format!("{} plan, {} – {} ({days} of {days_in_period} days)", plan.name, from.format("%Y-%m-%d"), to.format("%Y-%m-%d")),
            quantity: *days,
            unit: "days".into(),
            amount_minor: mul_div_round(plan.monthly_price_minor, *days, days_in_period),
        });
        included += mul_div_round(plan.included_calls, *days, days_in_period);
    }
    let overage = (calls - included).max(0);
    if overage > 0 && last.limit == PlanLimit::Soft {
        lines.push(BillLine {
            description: format!("API calls beyond the {included} included ({calls} made)"),
            quantity: overage,
            unit: "calls".into(),
            amount_minor: mul_div_round(overage, last.overage_per_1000_calls_minor, 1000),
        });
    }
    let total_minor = lines.iter().map(|l| l.amount_minor).sum();
    Bill { currency: last.currency.clone(), lines, total_minor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dst_days_have_23_and_25_hours() {
        let tz: Tz = "Europe/Athens".parse().unwrap();
        let spring = Window::resolve(
            Frame::Custom,
            Some(Bound::Date(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap())),
            Some(Bound::Date(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap())),
            utc("2026-12-01T00:00:00Z"),
            tz,
        )
        .unwrap();
        assert_eq!(spring.buckets(Granularity::Hour).unwrap().len() - 1, 23);
        let autumn = Window::resolve(
            Frame::Custom,
            Some(Bound::Date(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap())),
            Some(Bound::Date(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap())),
            utc("2026-12-01T00:00:00Z"),
            tz,
        )
        .unwrap();
        assert_eq!(autumn.buckets(Granularity::Hour).unwrap().len() - 1, 25);
        assert_eq!(autumn.buckets(Granularity::Minute).unwrap().len() - 1, 1500);
        // Local midnight in Athens in winter is 22:00 UTC the day before.
        assert_eq!(autumn.buckets(Granularity::Day).unwrap(), vec![utc("2026-10-24T21:00:00Z"), utc("2026-10-25T22:00:00Z")]);
    }

    #[test]
    fn weeks_start_on_monday_and_months_in_the_zone() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // Tuesday 1 December 2026, 03:00 UTC is still Monday 30 November in New York.
        let w = Window::resolve(Frame::ThisWeek, None, None, utc("2026-12-01T03:00:00Z"), tz).unwrap();
        assert_eq!(w.from, utc("2026-11-30T05:00:00Z"));
        assert_eq!(w.to, utc("2026-12-07T05:00:00Z"));
        let m = Window::resolve(Frame::ThisMonth, None, None, utc("2026-12-01T03:00:00Z"), tz).unwrap();
        assert_eq!(m.from, utc("2026-11-01T04:00:00Z"));
        assert_eq!(m.to, utc("2026-12-01T05:00:00Z"));
        assert_eq!(m.buckets(Granularity::Day).unwrap().len() - 1, 30);
        let y = Window::resolve(Frame::ThisYear, None, None, utc("2026-12-01T03:00:00Z"), tz).unwrap();
        assert_eq!(y.buckets(Granularity::Month).unwrap().len() - 1, 12);
        assert_eq!(y.buckets(Granularity::Week).unwrap().len() - 1, 53);
    }

    #[test]
    fn half_hour_zones_bucket_hours_on_their_own_clock() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let at = utc("2026-12-01T10:40:00Z").timestamp(); // 16:10 local
        assert_eq!(Resolution::Hour.bucket_of(at, tz), utc("2026-12-01T10:30:00Z").timestamp());
        assert_eq!(Resolution::Day.bucket_of(at, tz), utc("2026-11-30T18:30:00Z").timestamp());
        assert_eq!(Resolution::Minute.bucket_of(at + 59, tz), at);
    }

    #[test]
    fn bad_windows_are_refused_with_their_field() {
        let tz = Tz::UTC;
        let now = utc("2026-12-01T00:00:00Z");
        let d = |s| Some(Bound::parse(s).unwrap());
        assert_eq!(Window::resolve(Frame::Custom, None, d("2026-01-01"), now, tz).unwrap_err().field, "from");
        assert_eq!(Window::resolve(Frame::Custom, d("2026-02-01"), d("2026-01-01"), now, tz).unwrap_err().code, "from_after_to");
        assert_eq!(Window::resolve(Frame::Custom, d("1066-01-01"), d("2026-01-01"), now, tz).unwrap_err().code, "invalid_date");
        let decade = Window::resolve(Frame::Custom, d("2016-01-01"), d("2025-12-31"), now, tz).unwrap();
        assert_eq!(decade.buckets(Granularity::Minute).unwrap_err().code, "too_many_points");
        assert!(decade.buckets(Granularity::Month).is_ok());
        assert!(Bound::parse("yesterday").is_err());
    }

    #[test]
    fn bucket_index_finds_the_point() {
        let w = Window::resolve(Frame::Today, None, None, utc("2026-12-01T12:00:00Z"), Tz::UTC).unwrap();
        let edges = w.buckets(Granularity::Hour).unwrap();
        assert_eq!(bucket_index(&edges, utc("2026-12-01T00:00:00Z").timestamp()), Some(0));
        assert_eq!(bucket_index(&edges, utc("2026-12-01T13:59:59Z").timestamp()), Some(13));
        assert_eq!(bucket_index(&edges, utc("2026-12-02T00:00:00Z").timestamp()), None);
    }

    #[test]
    fn quantiles_interpolate_within_a_bucket() {
        let mut h = [0i64; 16];
        assert_eq!(quantile_ms(&h, 0.5), None);
        h[latency_bucket(700)] = 100; // (500, 1000] µs
        assert_eq!(quantile_ms(&h, 0.5), Some(0.75));
        assert_eq!(quantile_ms(&h, 1.0), Some(1.0));
        h[15] = 1;
        assert_eq!(quantile_ms(&h, 1.0), Some(4096.0));
    }

    #[test]
    fn a_plan_change_is_prorated_by_day() {
        let cat = Catalogue::builtin();
        let (free, starter) = (cat.get("free").unwrap(), cat.get("starter").unwrap());
        let tz = Tz::UTC;
        let (start, end) = period_of(utc("2026-11-15T00:00:00Z"), tz);
        // Free until the 11th, Starter from the 11th (30-day month: 10 days + 20 days).
        let spans = [PlanSpan { plan: free, from: utc("2026-01-01T00:00:00Z") }, PlanSpan { plan: starter, from: utc("2026-11-11T09:30:00Z") }];
        let b = bill(&spans, start, end, tz, 0);
        assert_eq!(b.lines.len(), 2);
        assert_eq!((b.lines[0].quantity, b.lines[0].amount_minor), (10, 0));
        assert_eq!((b.lines[1].quantity, b.lines[1].amount_minor), (20, 1933)); // 2900 × 20/30 = 1933.33
        assert_eq!(b.total_minor, 1933);
        // Included calls prorated too: 100 000 × 10/30 + 1 000 000 × 20/30 = 33 333 + 666 667.
        assert_eq!(bill(&spans, start, end, tz, 700_000).lines.len(), 2);
        let b = bill(&spans, start, end, tz, 700_010);
        assert_eq!((b.lines[2].quantity, b.lines[2].amount_minor), (10, 1)); // 0.5 rounds half up
    }

    #[test]
    fn overage_is_billed_on_soft_plans_only() {
        let cat = Catalogue::builtin();
        let tz = Tz::UTC;
        let (start, end) = period_of(utc("2026-11-15T00:00:00Z"), tz);
        let starter = [PlanSpan { plan: cat.get("starter").unwrap(), from: start }];
        let b = bill(&starter, start, end, tz, 1_002_501);
        assert_eq!(b.lines[1].quantity, 2_501);
        assert_eq!(b.lines[1].amount_minor, 125); // 2 501 × 50 / 1000 = 125.05
        assert_eq!(b.total_minor, 2_900 + 125);
        let free = [PlanSpan { plan: cat.get("free").unwrap(), from: start }];
        assert_eq!(bill(&free, start, end, tz, 5_000_000).lines.len(), 1);
    }

    #[test]
    fn catalogues_are_checked() {
        let mut p = Catalogue::builtin().plans().to_vec();
        assert!(Catalogue::new(p.clone(), Some("nope")).is_err());
        p[1].currency = "USD".into();
        assert!(Catalogue::new(p.clone(), None).is_err());
        p[1].currency = "EUR".into();
        p[1].key = "free".into();
        assert!(Catalogue::new(p, None).is_err());
        assert!(Catalogue::new(Vec::new(), None).is_err());
    }
}

//! Shapes of the analytics routes, and the time window every usage route reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::usage::{Frame, Granularity};
use utoipa::{IntoParams, ToSchema};

/// A named time frame, read in the instance's time zone (weeks start on Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrameDto {
    #[default]
    Today,
    ThisWeek,
    ThisMonth,
    ThisYear,
    Custom,
}

impl FrameDto {
    pub fn frame(self) -> Frame {
        match self {
            FrameDto::Today => Frame::Today,
            FrameDto::ThisWeek => Frame::ThisWeek,
            FrameDto::ThisMonth => Frame::ThisMonth,
            FrameDto::ThisYear => Frame::ThisYear,
            FrameDto::Custom => Frame::Custom,
        }
    }

    pub fn of(f: Frame) -> Self {
        match f {
            Frame::Today => FrameDto::Today,
            Frame::ThisWeek => FrameDto::ThisWeek,
            Frame::ThisMonth => FrameDto::ThisMonth,
            Frame::ThisYear => FrameDto::ThisYear,
            Frame::Custom => FrameDto::Custom,
        }
    }
}

/// The width of one point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GranularityDto {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl GranularityDto {
    pub fn granularity(self) -> Granularity {
        match self {
            GranularityDto::Minute => Granularity::Minute,
            GranularityDto::Hour => Granularity::Hour,
            GranularityDto::Day => Granularity::Day,
            GranularityDto::Week => Granularity::Week,
            GranularityDto::Month => Granularity::Month,
        }
    }

    pub fn of(g: Granularity) -> Self {
        match g {
            Granularity::Minute => GranularityDto::Minute,
            Granularity::Hour => GranularityDto::Hour,
            Granularity::Day => GranularityDto::Day,
            Granularity::Week => GranularityDto::Week,
            Granularity::Month => GranularityDto::Month,
        }
    }
}

/// What calls are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Application,
    Route,
    Status,
}

/// The time window of a usage route.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// The frame (default `today`).
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub frame: Option<FrameDto>,
    /// Custom frames: the start, an RFC 3339 date-time or a date (`2026-12-01`, the local day's start).
    pub from: Option<String>,
    /// Custom frames: the end (exclusive), an RFC 3339 date-time or a date (that whole local day included).
    pub to: Option<String>,
    /// The width of a point (default: by frame). More than 1500 points are refused.
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub granularity: Option<GranularityDto>,
}

/// A time window with a grouping.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub frame: Option<FrameDto>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub granularity: Option<GranularityDto>,
    /// Also a series per application, route or status (the 8 with most calls).
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub group_by: Option<GroupBy>,
}

/// A time window and a breakdown.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BreakdownQuery {
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub frame: Option<FrameDto>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// What to break calls down by.
    pub group_by: GroupBy,
    /// How many groups: 1 to 100 (default 10).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The window a report covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    pub frame: FrameDto,
    /// The first instant (UTC).
    pub from: DateTime<Utc>,
    /// The end (exclusive, UTC).
    pub to: DateTime<Utc>,
    /// The instance's time zone the window and its points are read in.
    pub time_zone: String,
}

/// Latency quantiles in milliseconds (`null` without calls).
#[derive(Debug, Serialize, ToSchema)]
pub struct Latency {
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// The activity of an instance in a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSummary {
    pub window: WindowDto,
    /// Public API calls.
    pub calls: i64,
    /// Calls answered with a status of 400 or more.
    pub errors: i64,
    /// Calls answered with a status of 500 or more.
    pub server_errors: i64,
    /// `errors / calls` (0 without calls).
    pub error_rate: f64,
    pub latency: Latency,
    /// End users created.
    pub registrations: i64,
    /// End users who signed in or renewed a session.
    pub active_users: i64,
}

/// One point of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPoint {
    /// The instant the point starts (UTC).
    pub start: DateTime<Utc>,
    /// The start as the instance's time zone shows it.
    pub label: String,
    pub calls: i64,
    pub errors: i64,
    pub server_errors: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub registrations: i64,
    pub active_users: i64,
}

/// One point of a group's series.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupPoint {
    pub start: DateTime<Utc>,
    pub calls: i64,
    pub errors: i64,
}

/// The series of one application, route or status.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesGroup {
    pub key: String,
    pub label: String,
    /// Calls in the whole window.
    pub calls: i64,
    pub points: Vec<GroupPoint>,
}

/// The activity of an instance through a window, point by point.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSeries {
    pub window: WindowDto,
    pub granularity: GranularityDto,
    pub points: Vec<SeriesPoint>,
    /// With `group_by`: the 8 groups with most calls; empty otherwise.
    pub groups: Vec<SeriesGroup>,
}

/// One group of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownItem {
    /// The application's id (`none`: calls without one), `METHOD /route`, or the status code.
    pub key: String,
    pub label: String,
    pub calls: i64,
    pub errors: i64,
    pub error_rate: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Calls of a window by application, route or status, most calls first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Breakdown {
    pub window: WindowDto,
    pub group_by: GroupBy,
    pub total_calls: i64,
    pub items: Vec<BreakdownItem>,
}

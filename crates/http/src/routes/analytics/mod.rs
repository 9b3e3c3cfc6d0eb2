//! The Dashboard's API analytics: an instance's public API calls, errors, latency,
//! registrations and active users over a window in its time zone, as totals, series and
//! breakdowns — read from the rollups the metering writes (`crate::metering`).

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::analytics_summary).service(handlers::analytics_timeseries).service(handlers::analytics_breakdown);
}

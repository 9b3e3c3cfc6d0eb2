//! Usage & billing: API calls and registrations through time, the operator's plan catalogue,
//! the instance's plan (changed by an owner, prorated by day), usage against the quota with
//! alerts, the projected bill, and closed periods' invoices as JSON, PDF and CSV.

pub mod dto;
mod handlers;
pub mod service;

pub use handlers::money;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_usage)
        .service(handlers::list_plans)
        .service(handlers::get_billing)
        .service(handlers::change_plan)
        .service(handlers::list_invoices)
        .service(handlers::get_invoice)
        .service(handlers::get_invoice_pdf)
        .service(handlers::get_invoice_csv);
}

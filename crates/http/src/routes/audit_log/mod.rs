//! The instance audit log (admin and up): who changed what, when, from where — as a filtered,
//! paged list and as a CSV export.

mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::export_audit_log).service(handlers::list_audit_log);
}

//! `/healthz`, `/readyz`, `/metrics`.

mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::healthz).service(handlers::readyz).service(handlers::metrics);
}

//! Email SMTP configuration: an instance's own SMTP server (the password encrypted at rest and
//! never returned) and a test that really connects and reports each step.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_smtp).service(handlers::put_smtp).service(handlers::test_smtp);
}

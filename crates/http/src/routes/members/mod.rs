//! Members of an instance: add an existing account by email, change roles, remove.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_members).service(handlers::add_member).service(handlers::update_member).service(handlers::remove_member);
}

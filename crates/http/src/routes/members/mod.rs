//! Members of an instance: list, change roles, remove. People join by accepting an invitation
//! (`routes::invitations`).

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_members).service(handlers::update_member).service(handlers::remove_member);
}

//! Client instances: create, list, read, rename, change time zone, delete.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{InstanceDto, RoleDto};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_instance)
        .service(handlers::list_instances)
        .service(handlers::get_instance)
        .service(handlers::update_instance)
        .service(handlers::delete_instance);
}

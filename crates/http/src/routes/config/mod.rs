//! Configuration: the instance's documented entries that drive its behaviour (password policy,
//! token lifetimes, lockout, registration, guests, the public API's rate limit and CORS), the
//! entries its developers define with their own JSON Schema, every change versioned (history,
//! diffs, restore of one entry or of everything), named backups, export and import, and
//! optimistic concurrency (`ETag` / `If-Match`).

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_config)
        .service(handlers::get_config_history)
        .service(handlers::export_config)
        .service(handlers::import_config)
        .service(handlers::restore_config)
        .service(handlers::reset_config)
        .service(handlers::list_config_backups)
        .service(handlers::create_config_backup)
        .service(handlers::get_config_backup)
        .service(handlers::restore_config_backup)
        .service(handlers::delete_config_backup)
        .service(handlers::create_config_entry)
        .service(handlers::get_config_entry)
        .service(handlers::set_config_value)
        .service(handlers::delete_config_entry)
        .service(handlers::reset_config_entry)
        .service(handlers::define_config_entry)
        .service(handlers::restore_config_entry);
}

//! End users of an instance (console side): list with filters, create, read, edit, delete,
//! block and unblock. `service` holds the parsing shared with the public API's user routes.

pub(crate) mod csv;
pub mod dto;
mod handlers;
pub mod service;

/// A CSV cell safe to open in a spreadsheet (shared with other exports).
pub(crate) use csv::{cell as csv_cell, csv_bytes};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    // The export route comes before `users/{id}`, so `export` is not taken for an id.
    cfg.service(csv::export_users)
        .service(csv::import_users)
        .service(handlers::bulk_users)
        .service(handlers::list_users)
        .service(handlers::create_user)
        .service(handlers::get_user)
        .service(handlers::update_user)
        .service(handlers::delete_user)
        .service(handlers::block_user)
        .service(handlers::unblock_user)
        .service(handlers::send_verification)
        .service(handlers::send_password_reset)
        .service(handlers::send_invitation)
        .service(handlers::user_activity)
        .service(handlers::sign_out_user)
        .service(handlers::list_identities)
        .service(handlers::unlink_identity);
}

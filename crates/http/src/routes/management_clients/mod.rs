//! Management clients: machines that automate the console API of one instance with scoped
//! client-credentials tokens (`POST /api/v1/oauth/token`). Only people (admins and owners)
//! manage them; a machine can't create, widen or rotate a management client.

mod dto;
mod handlers;
mod service;
mod token;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_management_scopes)
        .service(handlers::list_management_clients)
        .service(handlers::create_management_client)
        .service(handlers::get_management_client)
        .service(handlers::update_management_client)
        .service(handlers::delete_management_client)
        .service(handlers::rotate_management_client_secret)
        .service(token::issue_management_token)
        .service(token::revoke_management_token);
}

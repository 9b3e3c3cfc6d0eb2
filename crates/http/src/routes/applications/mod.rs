//! Applications connected to the instance's public API (console side): front-end apps (public
//! clients) and back-end apps (confidential clients with a rotatable secret).

pub(crate) mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_applications)
        .service(handlers::create_application)
        .service(handlers::get_application)
        .service(handlers::update_application)
        .service(handlers::delete_application)
        .service(handlers::rotate_secret)
        .service(handlers::quickstart);
}

//! The signed-in console account: profile and password.

mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::AccountDto;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_me).service(handlers::update_me).service(handlers::change_password);
}

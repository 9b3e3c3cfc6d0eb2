//! Corporate identity: the instance's logo (upload, facts, removal). The image itself is served
//! publicly by the public API (`/public/v1/{instance}/branding/logo`) for the console, emails and
//! login screens.

mod dto;
mod handlers;
mod service;

pub use dto::LogoDto;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::put_logo).service(handlers::get_logo).service(handlers::delete_logo);
}

//! Email messages: the instance's customisable templates (verification, reset password, update
//! account, invitation; the greeting and footer fragments), their font, and previews.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_templates)
        .service(handlers::get_style)
        .service(handlers::put_style)
        .service(handlers::get_template)
        .service(handlers::put_template)
        .service(handlers::reset_template)
        .service(handlers::preview_template);
}

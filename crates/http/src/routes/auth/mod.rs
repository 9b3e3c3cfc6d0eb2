//! Console sign-up, sign-in (with a second factor when on), email verification, forgot/reset
//! password, token refresh and sign-out.

pub(crate) mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::TokenResponse;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::signup)
        .service(handlers::login)
        .service(handlers::login_two_factor)
        .service(handlers::verify_email)
        .service(handlers::link_info)
        .service(handlers::forgot_password)
        .service(handlers::reset_password)
        .service(handlers::refresh)
        .service(handlers::logout);
}

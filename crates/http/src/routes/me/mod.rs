//! The signed-in console account: profile, password, email verification, sessions, the
//! security log and two-factor sign-in.

mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::AccountDto;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_me)
        .service(handlers::update_me)
        .service(handlers::change_password)
        .service(handlers::resend_verification)
        .service(handlers::list_sessions)
        .service(handlers::revoke_other_sessions)
        .service(handlers::revoke_session)
        .service(handlers::list_security_events)
        .service(handlers::get_two_factor)
        .service(handlers::setup_two_factor)
        .service(handlers::enable_two_factor)
        .service(handlers::disable_two_factor)
        .service(handlers::regenerate_recovery_codes);
}

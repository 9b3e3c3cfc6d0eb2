//! The instance's email delivery (console side): the outbox with each email's status, retrying
//! failed ones, and the local capture mailbox (where emails go when no SMTP server is set).

mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_outbox)
        .service(handlers::get_outbox_email)
        .service(handlers::retry_email)
        .service(handlers::cancel_email)
        .service(handlers::get_email_transport)
        .service(handlers::list_mailbox)
        .service(handlers::get_mailbox_message);
}

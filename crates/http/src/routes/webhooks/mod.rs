//! Webhook endpoints of an instance (console side): where its events are delivered, with what
//! secret, and the log of each delivery (status, latency, response excerpt, attempts), with
//! resend and test events. Delivery itself is the server's webhook worker.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_webhook_event_types)
        .service(handlers::list_webhooks)
        .service(handlers::create_webhook)
        .service(handlers::get_webhook)
        .service(handlers::update_webhook)
        .service(handlers::delete_webhook)
        .service(handlers::rotate_webhook_secret)
        .service(handlers::send_test_event)
        .service(handlers::list_deliveries)
        .service(handlers::get_delivery)
        .service(handlers::resend_delivery);
}

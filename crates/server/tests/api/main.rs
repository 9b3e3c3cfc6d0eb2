//! Black-box tests of the console API: the real application on port 0, on SQLite and on
//! PostgreSQL. One test binary keeps link time down.

mod hardening;
mod helpers;
mod smtp_sink;

mod accounts;
mod applications;
mod audit;
mod auth;
mod branding;
mod config;
mod contract;
mod email_templates;
mod errors;
mod generated_clients;
mod identity;
mod instances;
mod limits;
mod links;
mod mail;
mod management_clients;
mod members;
mod migrations;
mod oauth;
mod openapi;
mod operations;
mod outbox;
mod public_api;
mod signing;
mod smtp;
mod usage;
mod users;
mod users_bulk;
mod webhook_receiver;
mod webhooks;

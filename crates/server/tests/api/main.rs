//! Black-box tests of the console API: the real application on port 0, on SQLite and on
//! PostgreSQL. One test binary keeps link time down.

mod helpers;

mod applications;
mod auth;
mod errors;
mod instances;
mod mail;
mod members;
mod migrations;
mod openapi;
mod operations;
mod public_api;
mod users;

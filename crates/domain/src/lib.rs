//! Steward's domain: values that are valid by construction, and the rules that govern them.
//!
//! Nothing here performs I/O. Every value is parsed once, at the edge, through its `parse`
//! constructor; a value of one of these types is therefore always valid.

pub mod account;
pub mod application;
pub mod audit;
pub mod config;
pub mod email;
pub mod end_user;
pub mod identity_provider;
pub mod instance;
pub mod logo;
pub mod net;
pub mod role;
pub mod scope;
pub mod signing;
pub mod totp;
pub mod usage;
pub mod webhook;

pub use account::{DisplayName, Email, Password};
pub use instance::{InstanceName, InstanceSlug, TimeZone};
pub use role::Role;

/// Why a value was refused. `code` is stable and machine-readable; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub code: &'static str,
    pub message: String,
}

impl ValueError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// True when `s` contains a control character (newlines, tabs, NUL...).
pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

//! Console authentication: password hashing, access and refresh tokens, the bearer extractor.

pub mod client_secrets;
pub mod instance_tokens;
pub mod passwords;
pub mod signin;
pub mod tokens;
pub mod two_factor;

mod extractor;

pub use extractor::Authenticated;
pub use passwords::{HashParams, PasswordHasher};
pub use tokens::{AccessClaims, TokenService};

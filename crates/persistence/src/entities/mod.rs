pub mod prelude;

pub mod accounts;
pub mod instance_members;
pub mod instances;
pub mod login_attempts;
pub mod refresh_tokens;
pub mod sessions;

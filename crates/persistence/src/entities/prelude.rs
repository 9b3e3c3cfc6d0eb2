pub use super::accounts::Entity as Accounts;
pub use super::instance_members::Entity as InstanceMembers;
pub use super::instances::Entity as Instances;
pub use super::login_attempts::Entity as LoginAttempts;
pub use super::refresh_tokens::Entity as RefreshTokens;
pub use super::sessions::Entity as Sessions;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use steward_persistence::accounts::Account;
use utoipa::ToSchema;
use uuid::Uuid;

/// A console account. Never carries password data.
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: Uuid,
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self { id: a.id, email: a.email, name: a.name, created_at: a.created_at.to_utc(), updated_at: a.updated_at.to_utc() }
    }
}

/// Fields to change; omitted fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Required when changing the email.
    #[schema(value_type = Option<String>, format = Password)]
    pub current_password: Option<SecretString>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub new_password: SecretString,
}

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::me::AccountDto;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    #[schema(example = "ada@example.com", max_length = 254, format = Email)]
    pub email: String,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub password: SecretString,
    #[schema(example = "Ada Lovelace", max_length = 100, min_length = 1, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com", format = Email, max_length = 254)]
    pub email: String,
    #[schema(value_type = String, format = Password, min_length = 1)]
    pub password: SecretString,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh. Each can be used once. Omit it when
    /// the session is kept in the `steward_refresh` cookie (`X-Steward-Session: cookie`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub refresh_token: Option<SecretString>,
}

/// How a console session's refresh token is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionDelivery {
    /// In the response body (`refresh_token`), for API clients that store it themselves.
    Body,
    /// In an HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth/refresh`, out of
    /// JavaScript's reach; the body has no `refresh_token`. What the console uses.
    Cookie,
}

/// A fresh pair of tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; exchange it at `POST /api/v1/auth/refresh` for a new pair. Single use. Absent
    /// when the session is kept in a cookie (`X-Steward-Session: cookie`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The new account, signed in.
#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub account: AccountDto,
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_in: i64,
    /// Absent when the session is kept in a cookie (`X-Steward-Session: cookie`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The second step of a sign-in is needed.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorChallenge {
    /// Send it back with the code to `POST /api/v1/auth/login/two-factor`. Single use.
    pub challenge_token: String,
    /// Seconds the challenge stays valid.
    #[schema(example = 300)]
    pub expires_in: i64,
    /// What the second step accepts.
    pub methods: Vec<TwoFactorMethod>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactorMethod {
    /// A six-digit code from an authenticator app.
    Totp,
    /// One of the account's single-use recovery codes.
    RecoveryCode,
}

/// The challenge and exactly one of `code` or `recovery_code`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorLoginRequest {
    pub challenge_token: String,
    #[schema(example = "123456")]
    pub code: Option<String>,
    #[schema(example = "abcde-fghij")]
    pub recovery_code: Option<String>,
}

/// A one-time link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The `token` parameter of the link.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    #[schema(example = "ada@example.com", max_length = 254, format = Email)]
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The `token` parameter of the reset link.
    pub token: String,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub password: SecretString,
}

/// What a console account's link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountLinkPurpose {
    VerifyEmail,
    ResetPassword,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountLinkInfo {
    pub purpose: AccountLinkPurpose,
    /// The address the link was sent to.
    pub email: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub state: crate::emails::LinkState,
}

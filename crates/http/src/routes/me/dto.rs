use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use steward_persistence::account_events::{AccountEvent, EventKind};
use steward_persistence::accounts::Account;
use steward_persistence::sessions::Session;
use utoipa::ToSchema;
use uuid::Uuid;

/// A console account. Never carries password or two-factor secrets.
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: Uuid,
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    /// Whether the address was proved by following the link sent to it. Until it is, the account
    /// cannot accept invitations to instances.
    pub email_verified: bool,
    /// Whether sign-in asks for a second factor (TOTP).
    pub two_factor_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            email: a.email,
            name: a.name,
            email_verified: a.email_verified_at.is_some(),
            two_factor_enabled: a.totp_enabled_at.is_some(),
            created_at: a.created_at.to_utc(),
            updated_at: a.updated_at.to_utc(),
        }
    }
}

/// Fields to change; omitted fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*\S[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: Option<String>,
    /// A new address starts unverified: a link is sent to it, and the old address is told.
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// Required when changing the email.
    #[schema(value_type = Option<String>, format = Password)]
    pub current_password: Option<SecretString>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(value_type = String, format = Password, min_length = 1)]
    pub current_password: SecretString,
    /// 8 to 256 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 256)]
    pub new_password: SecretString,
}

/// A signed-in device of the account.
#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub id: Uuid,
    /// This is the session making the request.
    pub current: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The client's address when it signed in (behind trusted proxies, the forwarded one).
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SessionDto {
    pub fn new(s: Session, current: Uuid) -> Self {
        Self {
            id: s.id,
            current: s.id == current,
            created_at: s.created_at.to_utc(),
            last_used_at: s.last_used_at.to_utc(),
            expires_at: s.expires_at.to_utc(),
            ip: s.ip,
            user_agent: s.user_agent,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct RevokedSessions {
    /// How many sessions were ended.
    pub revoked: u64,
}

/// What happened to the account.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    SignedIn,
    SignInFailed,
    SignInLocked,
    TwoFactorFailed,
    PasswordChanged,
    PasswordReset,
    EmailChanged,
    EmailVerified,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    SessionRevoked,
    OtherSessionsRevoked,
    InvitationAccepted,
}

impl From<SecurityEventKind> for EventKind {
    fn from(k: SecurityEventKind) -> Self {
        match k {
            SecurityEventKind::SignedIn => EventKind::SignedIn,
            SecurityEventKind::SignInFailed => EventKind::SignInFailed,
            SecurityEventKind::SignInLocked => EventKind::SignInLocked,
            SecurityEventKind::TwoFactorFailed => EventKind::TwoFactorFailed,
            SecurityEventKind::PasswordChanged => EventKind::PasswordChanged,
            SecurityEventKind::PasswordReset => EventKind::PasswordReset,
            SecurityEventKind::EmailChanged => EventKind::EmailChanged,
            SecurityEventKind::EmailVerified => EventKind::EmailVerified,
            SecurityEventKind::TwoFactorEnabled => EventKind::TwoFactorEnabled,
            SecurityEventKind::TwoFactorDisabled => EventKind::TwoFactorDisabled,
            SecurityEventKind::RecoveryCodeUsed => EventKind::RecoveryCodeUsed,
            SecurityEventKind::RecoveryCodesRegenerated => EventKind::RecoveryCodesRegenerated,
            SecurityEventKind::SessionRevoked => EventKind::SessionRevoked,
            SecurityEventKind::OtherSessionsRevoked => EventKind::OtherSessionsRevoked,
            SecurityEventKind::InvitationAccepted => EventKind::InvitationAccepted,
        }
    }
}

impl SecurityEventKind {
    const ALL: [SecurityEventKind; 15] = [
        SecurityEventKind::SignedIn,
        SecurityEventKind::SignInFailed,
        SecurityEventKind::SignInLocked,
        SecurityEventKind::TwoFactorFailed,
        SecurityEventKind::PasswordChanged,
        SecurityEventKind::PasswordReset,
        SecurityEventKind::EmailChanged,
        SecurityEventKind::EmailVerified,
        SecurityEventKind::TwoFactorEnabled,
        SecurityEventKind::TwoFactorDisabled,
        SecurityEventKind::RecoveryCodeUsed,
        SecurityEventKind::RecoveryCodesRegenerated,
        SecurityEventKind::SessionRevoked,
        SecurityEventKind::OtherSessionsRevoked,
        SecurityEventKind::InvitationAccepted,
    ];

    fn of(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| EventKind::from(*k).as_str() == kind)
    }
}

/// An entry of the account's security log.
#[derive(Serialize, ToSchema)]
pub struct SecurityEventDto {
    pub id: Uuid,
    pub kind: SecurityEventKind,
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// More about it, e.g. the old and new address of an email change.
    pub detail: Option<String>,
}

impl SecurityEventDto {
    pub fn from_stored(e: AccountEvent) -> Option<Self> {
        Some(Self { id: e.id, kind: SecurityEventKind::of(&e.kind)?, at: e.created_at.to_utc(), ip: e.ip, user_agent: e.user_agent, detail: e.detail })
    }
}

#[derive(Serialize, ToSchema)]
pub struct SecurityEventList {
    pub items: Vec<SecurityEventDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// Filters of the security log.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SecurityEventQuery {
    /// Only events of this kind.
    #[param(inline)]
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    pub kind: Option<SecurityEventKind>,
    /// 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Two-factor status.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub enabled_at: Option<DateTime<Utc>>,
    /// Unused recovery codes left (0 when two-factor is off).
    pub recovery_codes_left: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSetupRequest {
    /// Enrolment needs the password: a stolen access token must not be able to lock the owner out.
    #[schema(value_type = String, format = Password, min_length = 1)]
    pub current_password: SecretString,
}

/// A new TOTP secret, shown once: scan the URI as a QR code or type the secret into an
/// authenticator app, then confirm with a code.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorSetup {
    /// Base32, as authenticator apps take it.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    #[schema(example = "otpauth://totp/Steward:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Steward&algorithm=SHA1&digits=6&period=30")]
    pub otpauth_uri: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorEnableRequest {
    /// The six-digit code the app shows now.
    #[schema(example = "123456")]
    pub code: String,
}

/// A code from the authenticator app, or a recovery code (exactly one).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorProofRequest {
    #[schema(example = "123456")]
    pub code: Option<String>,
    #[schema(example = "abcde-fghij")]
    pub recovery_code: Option<String>,
}

/// Ten single-use recovery codes, shown once: each signs in once when the authenticator is lost.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

//! The instance audit log's vocabulary: who acted ([`ActorKind`]), what they did
//! ([`AuditAction`], `area.verb`), on what ([`TargetKind`]), and which field names hold secrets
//! whose values are never stored ([`is_sensitive_field`]).

use serde::{Deserialize, Serialize};

/// Declares a closed set of values with its stored name, `as_str`, `parse` and `ALL`.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored (and API) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set! {
    /// Who made a change.
    ActorKind {
        /// A person: a console account.
        Account = "account",
        /// A machine with a management token.
        ManagementClient = "management_client",
        /// A back-end application writing through the public API.
        Application = "application",
    }
}

closed_set! {
    /// What was done, as `area.verb`.
    AuditAction {
        InstanceUpdate = "instance.update",
        InstanceTwoFactorRequire = "instance.two_factor_require",
        ApplicationCreate = "application.create",
        ApplicationUpdate = "application.update",
        ApplicationDelete = "application.delete",
        ApplicationSecretRotate = "application.secret_rotate",
        BrandingLogoSet = "branding.logo_set",
        BrandingLogoDelete = "branding.logo_delete",
        EmailStyleUpdate = "email_style.update",
        EmailTemplateUpdate = "email_template.update",
        EmailTemplateReset = "email_template.reset",
        MemberRoleChange = "member.role_change",
        MemberRemove = "member.remove",
        InvitationCreate = "invitation.create",
        InvitationResend = "invitation.resend",
        InvitationRevoke = "invitation.revoke",
        InvitationAccept = "invitation.accept",
        EmailRetry = "email.retry",
        EmailCancel = "email.cancel",
        SigningKeyRotate = "signing_key.rotate",
        SmtpUpdate = "smtp.update",
        SmtpTest = "smtp.test",
        UserCreate = "user.create",
        UserImport = "user.import",
        UserUpdate = "user.update",
        UserDelete = "user.delete",
        UserBlock = "user.block",
        UserUnblock = "user.unblock",
        UserPasswordResetSend = "user.password_reset_send",
        UserVerificationSend = "user.verification_send",
        UserInvitationSend = "user.invitation_send",
        UserSignOut = "user.sign_out",
        UserIdentityUnlink = "user.identity_unlink",
        ManagementClientCreate = "management_client.create",
        ManagementClientUpdate = "management_client.update",
        ManagementClientDelete = "management_client.delete",
        ManagementClientSecretRotate = "management_client.secret_rotate",
        WebhookCreate = "webhook.create",
        WebhookUpdate = "webhook.update",
        WebhookDelete = "webhook.delete",
        WebhookSecretRotate = "webhook.secret_rotate",
        WebhookTest = "webhook.test",
        WebhookResend = "webhook.resend",
        IdentityProviderUpdate = "identity_provider.update",
        IdentityProviderReset = "identity_provider.reset",
        PlanChange = "plan.change",
        ConfigChange = "config.change",
        ConfigBackupCreate = "config.backup_create",
        ConfigBackupDelete = "config.backup_delete",
    }
}

closed_set! {
    /// The kind of thing an action was done to.
    TargetKind {
        Instance = "instance",
        Application = "application",
        Branding = "branding",
        EmailStyle = "email_style",
        EmailTemplate = "email_template",
        Member = "member",
        Invitation = "invitation",
        Email = "email",
        SigningKey = "signing_key",
        Smtp = "smtp",
        User = "user",
        ManagementClient = "management_client",
        Webhook = "webhook",
        IdentityProvider = "identity_provider",
        Plan = "plan",
        Config = "config",
    }
}

impl AuditAction {
    /// The kind of target this action is done to.
    pub fn target_kind(self) -> TargetKind {
        use AuditAction::*;
        match self {
            InstanceUpdate | InstanceTwoFactorRequire => TargetKind::Instance,
            ApplicationCreate | ApplicationUpdate | ApplicationDelete | ApplicationSecretRotate => TargetKind::Application,
            BrandingLogoSet | BrandingLogoDelete => TargetKind::Branding,
            EmailStyleUpdate => TargetKind::EmailStyle,
            EmailTemplateUpdate | EmailTemplateReset => TargetKind::EmailTemplate,
            MemberRoleChange | MemberRemove => TargetKind::Member,
            InvitationCreate | InvitationResend | InvitationRevoke | InvitationAccept => TargetKind::Invitation,
            EmailRetry | EmailCancel => TargetKind::Email,
            SigningKeyRotate => TargetKind::SigningKey,
            SmtpUpdate | SmtpTest => TargetKind::Smtp,
            UserCreate
            | UserImport
            | UserUpdate
            | UserDelete
            | UserBlock
            | UserUnblock
            | UserPasswordResetSend
            | UserVerificationSend
            | UserInvitationSend
            | UserSignOut
            | UserIdentityUnlink => TargetKind::User,
            ManagementClientCreate | ManagementClientUpdate | ManagementClientDelete | ManagementClientSecretRotate => TargetKind::ManagementClient,
            WebhookCreate | WebhookUpdate | WebhookDelete | WebhookSecretRotate | WebhookTest | WebhookResend => TargetKind::Webhook,
            IdentityProviderUpdate | IdentityProviderReset => TargetKind::IdentityProvider,
            PlanChange => TargetKind::Plan,
            ConfigChange | ConfigBackupCreate | ConfigBackupDelete => TargetKind::Config,
        }
    }
}

/// What the log shows instead of a secret's value.
pub const REDACTED: &str = "[redacted]";

/// Words that mark a field as holding a secret, wherever they appear in its name.
const SENSITIVE_WORDS: [&str; 9] = ["password", "passwd", "secret", "token", "private", "credential", "ciphertext", "hash", "seed"];

/// Whether a field's value must never be stored in the audit log: its name mentions a password,
/// secret, token, private or key material, a credential, a hash or a ciphertext (any case,
/// `snake_case`, `camelCase` or `kebab-case`). The log still shows that such a field changed.
pub fn is_sensitive_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if SENSITIVE_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // "key" as a word of the name: `key`, `api_key`, `apiKey`, `signing-key`, `keys` (not `keyboard`, `monkey_id`).
    let words = split_words(name);
    words.iter().any(|w| w == "key" || w == "keys" || w == "apikey")
}

fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_and_is_area_dot_verb() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            let (area, verb) = a.as_str().split_once('.').expect("area.verb");
            assert!(!area.is_empty() && !verb.is_empty() && !verb.contains('.'), "{a}");
        }
        assert_eq!(AuditAction::parse("user.explode"), None);
        assert_eq!(AuditAction::parse(""), None);
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }

    #[test]
    fn serde_uses_the_stored_names() {
        assert_eq!(serde_json_like(AuditAction::SmtpUpdate), "smtp.update");
        assert_eq!(ActorKind::parse("management_client"), Some(ActorKind::ManagementClient));
        assert_eq!(TargetKind::parse("email_template"), Some(TargetKind::EmailTemplate));
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(*k));
        }
    }

    fn serde_json_like(a: AuditAction) -> String {
        a.to_string()
    }

    #[test]
    fn actions_name_their_target_area() {
        for a in AuditAction::ALL {
            let area = a.as_str().split('.').next().unwrap_or_default();
            let target = a.target_kind().as_str();
            assert!(target == area || (area == "branding" && target == "branding"), "{a} → {target}");
        }
    }

    #[test]
    fn secrets_are_recognised_by_name() {
        for name in [
            "password",
            "password_hash",
            "new_password",
            "client_secret",
            "secrets",
            "refresh_token",
            "private_key_encrypted",
            "password_ciphertext",
            "api_key",
            "apiKey",
            "signing-key",
            "key",
            "TotpSecret",
            "credentials",
        ] {
            assert!(is_sensitive_field(name), "{name}");
        }
        for name in ["name", "email", "host", "port", "username", "keyboard_layout", "monkey_id", "kid", "role", "enabled", "allowed_origins"] {
            assert!(!is_sensitive_field(name), "{name}");
        }
    }
}

//! Webhooks' vocabulary: the events an instance reports ([`EventType`]), where it reports them
//! ([`WebhookUrl`]) and how a delivery stands ([`DeliveryStatus`]).

use crate::ValueError;

macro_rules! event_types {
    ($($variant:ident = $text:literal: $doc:literal,)+) => {
        /// Something that happened in an instance, as a webhook reports it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventType {
            $(#[doc = $doc] $variant,)+
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $text,)+
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(EventType::$variant => $doc,)+
                }
            }
        }
    };
}

event_types! {
    UserCreated = "user.created": "An end user was created: registered, added by an admin or an application, or imported.",
    UserUpdated = "user.updated": "An end user's profile, email, password or metadata changed.",
    UserDeleted = "user.deleted": "An end user was deleted.",
    UserBlocked = "user.blocked": "An end user was blocked (their sessions end).",
    UserUnblocked = "user.unblocked": "An end user was unblocked.",
    UserSignedIn = "user.signed_in": "An end user signed in through an application.",
    UserEmailVerified = "user.email_verified": "An end user verified their email address.",
    ApplicationCreated = "application.created": "An application was connected.",
    ApplicationUpdated = "application.updated": "An application's settings changed.",
    ApplicationDeleted = "application.deleted": "An application was deleted.",
    ApplicationSecretRotated = "application.secret_rotated": "A back-end application's secret was rotated.",
    WebhookTest = "webhook.test": "A test event, sent on request to one endpoint.",
}

impl EventType {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.as_str() == s)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its turn or its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DeliveryStatus::Pending, DeliveryStatus::Succeeded, DeliveryStatus::Failed].into_iter().find(|d| d.as_str() == s)
    }
}

const MAX_URL_LEN: usize = 2048;

/// An endpoint's URL: absolute http(s), with a host, no credentials, no fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let raw = raw.trim();
        if raw.len() > MAX_URL_LEN {
            return Err(ValueError::new("too_long", format!("The URL must be at most {MAX_URL_LEN} characters.")));
        }
        let url = url::Url::parse(raw).map_err(|_| ValueError::new("invalid_url", "Enter an absolute URL such as https://api.example.com/webhooks."))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ValueError::new("invalid_scheme", "The URL must use http or https."));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ValueError::new("invalid_url", "The URL must have a host."));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ValueError::new("credentials_not_allowed", "The URL must not contain a user name or password."));
        }
        if url.fragment().is_some() {
            return Err(ValueError::new("fragment_not_allowed", "The URL must not contain a fragment (#...)."));
        }
        Ok(Self(url))
    }

    /// The host, without IPv6 brackets.
    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned()
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn into_inner(self) -> String {
        self.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(WebhookUrl::parse("https://api.example.com/hooks?x=1").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook").is_ok());
        for (bad, code) in [
            ("ftp://example.com/x", "invalid_scheme"),
            ("javascript:alert(1)", "invalid_scheme"),
            ("/relative", "invalid_url"),
            ("https://user:pw@example.com/", "credentials_not_allowed"),
            ("https://example.com/#frag", "fragment_not_allowed"),
            ("file:///etc/passwd", "invalid_scheme"),
        ] {
            assert_eq!(WebhookUrl::parse(bad).unwrap_err().code, code, "{bad}");
        }
        assert_eq!(WebhookUrl::parse("http://[::1]:8080/").unwrap().host(), "::1");
    }

    #[test]
    fn event_types_round_trip() {
        for e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(*e));
        }
    }
}

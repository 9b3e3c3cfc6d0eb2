//! Email values: the customisable messages, their style, and an instance's own SMTP server.

use crate::{ValueError, has_control};

/// The customisable messages. Whole emails have a subject and a body; the greeting and the footer
/// are fragments included in every email (body only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    Verification,
    ResetPassword,
    UpdateAccount,
    Invitation,
    Greeting,
    Footer,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 6] = [
        TemplateKind::Verification,
        TemplateKind::ResetPassword,
        TemplateKind::UpdateAccount,
        TemplateKind::Invitation,
        TemplateKind::Greeting,
        TemplateKind::Footer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Verification => "verification",
            TemplateKind::ResetPassword => "reset_password",
            TemplateKind::UpdateAccount => "update_account",
            TemplateKind::Invitation => "invitation",
            TemplateKind::Greeting => "greeting",
            TemplateKind::Footer => "footer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Fragments (greeting, footer) have no subject of their own.
    pub fn is_fragment(self) -> bool {
        matches!(self, TemplateKind::Greeting | TemplateKind::Footer)
    }

    /// A name for people.
    pub fn title(self) -> &'static str {
        match self {
            TemplateKind::Verification => "Email verification",
            TemplateKind::ResetPassword => "Reset password",
            TemplateKind::UpdateAccount => "Update account",
            TemplateKind::Invitation => "Invitation",
            TemplateKind::Greeting => "Greeting",
            TemplateKind::Footer => "Footer message",
        }
    }
}

/// The web-safe font families an email may use, each with its CSS fallback stack.
pub const FONT_FAMILIES: [(&str, &str); 9] = [
    ("Arial", "Arial, Helvetica, sans-serif"),
    ("Helvetica", "Helvetica, Arial, sans-serif"),
    ("Verdana", "Verdana, Geneva, sans-serif"),
    ("Tahoma", "Tahoma, Verdana, sans-serif"),
    ("Trebuchet MS", "'Trebuchet MS', Helvetica, sans-serif"),
    ("Georgia", "Georgia, 'Times New Roman', serif"),
    ("Times New Roman", "'Times New Roman', Times, serif"),
    ("Garamond", "Garamond, Georgia, serif"),
    ("Courier New", "'Courier New', Courier, monospace"),
];

pub const FONT_SIZE_MIN: u8 = 10;
pub const FONT_SIZE_MAX: u8 = 24;

/// The rendered emails' font.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailStyle {
    family: &'static str,
    size: u8,
}

impl Default for EmailStyle {
    fn default() -> Self {
        Self { family: FONT_FAMILIES[0].0, size: 15 }
    }
}

impl EmailStyle {
    pub fn parse_family(raw: &str) -> Result<&'static str, ValueError> {
        FONT_FAMILIES.iter().find(|(name, _)| *name == raw).map(|(name, _)| *name).ok_or_else(|| {
            let names: Vec<&str> = FONT_FAMILIES.iter().map(|(n, _)| *n).collect();
            ValueError::new("unknown_font_family", format!("Font family must be one of: {}.", names.join(", ")))
        })
    }

    pub fn parse_size(raw: i64) -> Result<u8, ValueError> {
        if (FONT_SIZE_MIN as i64..=FONT_SIZE_MAX as i64).contains(&raw) {
            Ok(raw as u8)
        } else {
            Err(ValueError::new("out_of_range", format!("Font size must be between {FONT_SIZE_MIN} and {FONT_SIZE_MAX} pixels.")))
        }
    }

    pub fn new(family: &'static str, size: u8) -> Self {
        Self { family, size }
    }

    /// A stored style; unknown values (from an older version) fall back to the defaults.
    pub fn from_stored(family: &str, size: i32) -> Self {
        let d = Self::default();
        Self { family: Self::parse_family(family).unwrap_or(d.family), size: Self::parse_size(size as i64).unwrap_or(d.size) }
    }

    pub fn family(&self) -> &'static str {
        self.family
    }

    pub fn size(&self) -> u8 {
        self.size
    }

    /// The CSS `font-family` value.
    pub fn css_stack(&self) -> &'static str {
        FONT_FAMILIES.iter().find(|(n, _)| *n == self.family).map(|(_, s)| *s).unwrap_or(FONT_FAMILIES[0].1)
    }
}

/// How the connection to an SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text (only for relays on a trusted network).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused when not offered.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::None => "none",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "none" => Ok(SmtpSecurity::None),
            "starttls" => Ok(SmtpSecurity::Starttls),
            "tls" => Ok(SmtpSecurity::Tls),
            _ => Err(ValueError::new("invalid_choice", "Security must be one of: none, starttls, tls.")),
        }
    }
}

/// An SMTP server's host name or IP address (no scheme, no port, no spaces).
pub fn parse_smtp_host(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::new("required", "Host is required."));
    }
    if s.len() > 253 {
        return Err(ValueError::new("too_long", "Host must be at most 253 characters."));
    }
    if s.contains("://") {
        return Err(ValueError::new("invalid_host", "Host is a name or an address only, without a scheme (e.g. smtp.example.com)."));
    }
    let ip = s.trim_start_matches('[').trim_end_matches(']');
    if ip.parse::<std::net::IpAddr>().is_ok() {
        return Ok(ip.to_owned());
    }
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !s.split('.').all(label_ok) {
        return Err(ValueError::new("invalid_host", "Host must be a host name (letters, digits, dots and hyphens) or an IP address, without a port."));
    }
    Ok(s.to_ascii_lowercase())
}

/// A TCP port, 1 to 65535.
pub fn parse_port(raw: i64) -> Result<u16, ValueError> {
    u16::try_from(raw).ok().filter(|p| *p != 0).ok_or_else(|| ValueError::new("out_of_range", "Port must be between 1 and 65535."))
}

/// A sender name shown beside the From address: at most 128 characters, no control characters.
pub fn parse_from_name(raw: &str) -> Result<Option<String>, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 128 {
        return Err(ValueError::new("too_long", "Sender name must be at most 128 characters."));
    }
    if has_control(s) {
        return Err(ValueError::new("invalid_characters", "Sender name must not contain line breaks or control characters."));
    }
    Ok(Some(s.to_owned()))
}

/// An SMTP user name: at most 256 characters, no control characters.
pub fn parse_smtp_username(raw: &str) -> Result<Option<String>, ValueError> {
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 256 {
        return Err(ValueError::new("too_long", "Username must be at most 256 characters."));
    }
    if has_control(raw) {
        return Err(ValueError::new("invalid_characters", "Username must not contain control characters."));
    }
    Ok(Some(raw.to_owned()))
}

/// An SMTP password: at most 1024 characters, no line breaks (they would end the AUTH command).
pub fn parse_smtp_password(raw: &str) -> Result<String, ValueError> {
    if raw.len() > 1024 {
        return Err(ValueError::new("too_long", "Password must be at most 1024 characters."));
    }
    if raw.contains(['\r', '\n', '\0']) {
        return Err(ValueError::new("invalid_characters", "Password must not contain line breaks."));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in TemplateKind::ALL {
            assert_eq!(TemplateKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(TemplateKind::parse("Verification"), None);
    }

    #[test]
    fn hosts_and_ports() {
        assert_eq!(parse_smtp_host(" SMTP.Example.com ").unwrap(), "smtp.example.com");
        assert_eq!(parse_smtp_host("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(parse_smtp_host("[::1]").unwrap(), "::1");
        for bad in ["", "smtp://x", "a b", "host:25", "-x.com", "x..com"] {
            assert!(parse_smtp_host(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_port(587).unwrap(), 587);
        assert!(parse_port(0).is_err() && parse_port(65536).is_err() && parse_port(-1).is_err());
    }

    #[test]
    fn style_bounds() {
        assert!(EmailStyle::parse_family("Georgia").is_ok());
        assert!(EmailStyle::parse_family("Comic Sans MS").is_err());
        assert!(EmailStyle::parse_size(9).is_err() && EmailStyle::parse_size(25).is_err());
        assert_eq!(EmailStyle::from_stored("nope", 99), EmailStyle::default());
    }

    #[test]
    fn header_safe_values() {
        assert!(parse_from_name("Shop\r\nBcc: x@y").is_err());
        assert!(parse_smtp_password("a\r\nb").is_err());
        assert_eq!(parse_from_name("  ").unwrap(), None);
    }
}

//! Scopes of management clients: what a machine may do on the console API of its instance.
//!
//! A scope is an area of the instance and a verb, written `area:verb` (`users:read`,
//! `applications:write`). Every instance route declares the scope it needs beside the role a
//! person needs (see `steward_http::access`); routes that only people may use (deleting the
//! instance, managing owners, managing management clients themselves) have none.

use serde::{Deserialize, Serialize};

/// An area of an instance, as scopes name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// The instance's details, branding, email style and templates, SMTP and signing keys.
    Settings,
    Applications,
    Users,
    /// The outbox and the capture mailbox.
    Emails,
    /// Members and invitations.
    Members,
    AuditLog,
    /// Webhook endpoints and their deliveries.
    Webhooks,
    /// API analytics, usage, the plan, bills and invoices (read-only: a plan is changed by an owner).
    Usage,
}

impl Area {
    pub const ALL: [Area; 8] = [Area::Settings, Area::Applications, Area::Users, Area::Emails, Area::Members, Area::AuditLog, Area::Webhooks, Area::Usage];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Settings => "settings",
            Area::Applications => "applications",
            Area::Users => "users",
            Area::Emails => "emails",
            Area::Members => "members",
            Area::AuditLog => "audit_log",
            Area::Webhooks => "webhooks",
            Area::Usage => "usage",
        }
    }

    /// Whether the area has anything to write (the audit log is read-only).
    pub const fn writable(self) -> bool {
        !matches!(self, Area::AuditLog | Area::Usage)
    }
}

/// Read, or change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Read,
    Write,
}

/// `area:verb`. A `write` scope does not include `read`: a client asks for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope {
    pub area: Area,
    pub verb: Verb,
}

impl Scope {
    pub const fn new(area: Area, verb: Verb) -> Self {
        Self { area, verb }
    }

    /// Every scope there is, in a stable order (area, then read before write).
    pub fn all() -> Vec<Scope> {
        Area::ALL
            .iter()
            .flat_map(|&area| {
                let mut v = vec![Scope::new(area, Verb::Read)];
                if area.writable() {
                    v.push(Scope::new(area, Verb::Write));
                }
                v
            })
            .collect()
    }

    pub fn as_string(self) -> String {
        format!("{}:{}", self.area.as_str(), if self.verb == Verb::Read { "read" } else { "write" })
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::all().into_iter().find(|scope| scope.as_string() == s)
    }

    /// What people read beside the scope in the console and the OpenAPI document.
    pub fn description(self) -> &'static str {
        use Area::*;
        use Verb::*;
        match (self.area, self.verb) {
            (Settings, Read) => "Read the instance's details, branding, email style and templates, SMTP settings and signing keys",
            (Settings, Write) => "Change the instance's details, branding, email style and templates, SMTP settings; rotate signing keys",
            (Applications, Read) => "Read applications",
            (Applications, Write) => "Create, change and delete applications; rotate their secrets",
            (Users, Read) => "Read, search and export end users",
            (Users, Write) => "Create, import, change, block and delete end users; send them emails",
            (Emails, Read) => "Read the outbox, each email's attempts and the capture mailbox",
            (Emails, Write) => "Retry and cancel emails",
            (Members, Read) => "Read members and invitations",
            (Members, Write) => "Invite members, change their roles and remove them (never an owner)",
            (AuditLog, Read) | (AuditLog, Write) => "Read and export the audit log",
            (Webhooks, Read) => "Read webhook endpoints and their deliveries",
            (Usage, Read) | (Usage, Write) => "Read API analytics, usage, the plan, bills and invoices",
            (Webhooks, Write) => "Create, change and delete webhook endpoints; rotate their secrets; send test events; resend deliveries",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl TryFrom<String> for Scope {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Scope::parse(&s).ok_or_else(|| format!("unknown scope {s:?}"))
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.as_string()
    }
}

/// A set of scopes as OAuth writes it: space-separated, each once, in [`Scope::all`] order.
pub fn join(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.iter().map(|s| s.as_string()).collect::<Vec<_>>().join(" ")
}

/// Parses a space-separated scope list; `Err` names the first unknown scope.
pub fn parse_list(s: &str) -> Result<Vec<Scope>, String> {
    let mut out = Vec::new();
    for part in s.split_whitespace() {
        let scope = Scope::parse(part).ok_or_else(|| part.to_owned())?;
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips() {
        let all = Scope::all();
        assert_eq!(all.len(), 14);
        for s in &all {
            assert_eq!(Scope::parse(&s.as_string()), Some(*s));
        }
        assert_eq!(Scope::parse("audit_log:write"), None);
        assert_eq!(Scope::parse("users"), None);
        assert_eq!(Scope::parse("USERS:READ"), None);
    }

    #[test]
    fn lists_are_normalised() {
        let list = parse_list("users:write  users:read users:write").unwrap();
        assert_eq!(join(&list), "users:read users:write");
        assert_eq!(parse_list("users:read admin").unwrap_err(), "admin");
    }
}

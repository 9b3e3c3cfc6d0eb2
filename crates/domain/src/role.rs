//! Roles of developer-account members on an instance, and what each may do.

use serde::{Deserialize, Serialize};

/// A member's role on one instance, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Developer,
    Admin,
    Owner,
}

/// Something a member may try to do on an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read anything of the instance (every role).
    Read,
    /// Change the instance's resources: applications, users, configuration... (developer and up).
    Write,
    /// Change the instance's settings and manage non-owner members (admin and up).
    Administer,
    /// Delete the instance, grant or take away the owner role (owner only).
    Own,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Developer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn may(self, action: Action) -> bool {
        let needed = match action {
            Action::Read => Role::Viewer,
            Action::Write => Role::Developer,
            Action::Administer => Role::Admin,
            Action::Own => Role::Owner,
        };
        self >= needed
    }

    /// Whether a member with this role may give `target` the role `new_role`, or remove a member
    /// holding `target` (pass `new_role: None`). Owners may do anything; admins may manage
    /// admins, developers and viewers but never touch the owner role.
    pub fn may_manage_member(self, target: Role, new_role: Option<Role>) -> bool {
        if self == Role::Owner {
            return true;
        }
        self.may(Action::Administer) && target != Role::Owner && new_role != Some(Role::Owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix() {
        use Action::*;
        assert!(Role::Viewer.may(Read) && !Role::Viewer.may(Write));
        assert!(Role::Developer.may(Write) && !Role::Developer.may(Administer));
        assert!(Role::Admin.may(Administer) && !Role::Admin.may(Own));
        assert!(Role::Owner.may(Own));
    }

    #[test]
    fn admins_never_touch_owners() {
        assert!(!Role::Admin.may_manage_member(Role::Owner, None));
        assert!(!Role::Admin.may_manage_member(Role::Viewer, Some(Role::Owner)));
        assert!(Role::Admin.may_manage_member(Role::Viewer, Some(Role::Admin)));
        assert!(!Role::Developer.may_manage_member(Role::Viewer, None));
        assert!(Role::Owner.may_manage_member(Role::Owner, Some(Role::Viewer)));
    }

    #[test]
    fn parse_roundtrip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

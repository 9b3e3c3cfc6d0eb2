//! Authorization on instance routes: the caller must be a member with a role that allows the
//! action. A non-member gets 404, exactly as for an instance that does not exist.

use steward_domain::role::Action;
use steward_persistence::instances::{self, Membership};

use crate::AppState;
use crate::auth::Authenticated;
use crate::problem::ApiError;

pub fn instance_not_found() -> ApiError {
    ApiError::not_found("No instance with this slug exists, or you are not a member of it.")
}

/// The caller's membership of instance `slug`, if their role allows `action`.
pub async fn authorize(state: &AppState, auth: &Authenticated, slug: &str, action: Action) -> Result<Membership, ApiError> {
    let membership = instances::membership(&state.db, slug, auth.account_id).await?.ok_or_else(instance_not_found)?;
    if !membership.role.may(action) {
        let needed = match action {
            Action::Read => "viewer",
            Action::Write => "developer",
            Action::Administer => "admin",
            Action::Own => "owner",
        };
        return Err(ApiError::forbidden(format!("Your role on this instance is {}; this needs the {needed} role or higher.", membership.role.as_str())));
    }
    Ok(membership)
}

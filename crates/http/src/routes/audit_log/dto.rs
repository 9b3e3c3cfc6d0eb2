use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::audit::{ActorKind, AuditAction, TargetKind};
use steward_persistence::audit::Entry;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::extract::empty_as_none;

/// A domain enum in the API: (de)serialized by its stored name, a string enum in the OpenAPI
/// document whose values are the domain's `ALL` (one list, so the document cannot drift).
macro_rules! api_enum {
    ($(#[$meta:meta])* $dto:ident($domain:ty), $name:literal, $description:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $dto(pub $domain);

        impl utoipa::PartialSchema for $dto {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .enum_values(Some(<$domain>::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl ToSchema for $dto {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

api_enum!(AuditActionDto(AuditAction), "AuditAction", "What was done, as `area.verb`.");
api_enum!(
    ActorKindDto(ActorKind),
    "AuditActorKind",
    "Who acted: `account` (a person in the console), `management_client` (a machine), `application` (a back-end application through the public API)."
);
api_enum!(TargetKindDto(TargetKind), "AuditTargetKind", "The kind of thing an action was done to.");

/// Filters of the audit log (list and CSV export).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogQuery {
    /// Only entries by this actor (an account's, management client's or application's id; empty: anyone).
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>, pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub actor: Option<Uuid>,
    /// Only entries of this action.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(inline)]
    pub action: Option<AuditActionDto>,
    /// Only entries on this kind of target.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(inline)]
    pub target_kind: Option<TargetKindDto>,
    /// Only entries on this target (its id).
    #[serde(default)]
    pub target_id: Option<String>,
    /// Entries at or after this time (RFC 3339).
    #[serde(default)]
    #[param(example = "2026-11-01T00:00:00Z")]
    pub from: Option<String>,
    /// Entries before this time (RFC 3339).
    #[serde(default)]
    #[param(example = "2026-12-01T00:00:00Z")]
    pub to: Option<String>,
}

/// Who made a change.
#[derive(Serialize, ToSchema)]
pub struct AuditActorDto {
    pub kind: ActorKindDto,
    /// The account's or application's id.
    pub id: Option<Uuid>,
    /// The account's email (or the application's name) when the change was made.
    #[schema(example = "grace@example.com")]
    pub label: String,
    /// The address the change came from.
    pub ip: Option<String>,
}

/// What a change was made to.
#[derive(Serialize, ToSchema)]
pub struct AuditTargetDto {
    pub kind: TargetKindDto,
    pub id: Option<String>,
    /// A name for people (an email, an application's name...), as it was then.
    pub label: Option<String>,
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub actor: AuditActorDto,
    pub action: AuditActionDto,
    pub target: AuditTargetDto,
    /// The changed fields: `{ "field": { "before": …, "after": … } }` (`before` is null for a
    /// creation, `after` for a deletion). A secret's value is never kept: it shows
    /// `"[redacted]"`.
    #[schema(value_type = std::collections::HashMap<String, AuditChange>)]
    pub changes: serde_json::Value,
}

/// One changed field.
#[derive(Serialize, ToSchema)]
pub struct AuditChange {
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl From<Entry> for AuditEntryDto {
    fn from(e: Entry) -> Self {
        Self {
            id: e.id,
            created_at: e.created_at.to_utc(),
            actor: AuditActorDto { kind: ActorKindDto(e.actor_kind), id: e.actor_id, label: e.actor_label, ip: e.ip },
            action: AuditActionDto(e.action),
            target: AuditTargetDto { kind: TargetKindDto(e.target_kind), id: e.target_id, label: e.target_label },
            changes: e.changes,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditLogList {
    pub items: Vec<AuditEntryDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

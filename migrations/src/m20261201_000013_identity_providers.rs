//! Identity providers and the hosted sign-in: each instance's providers (built-in kinds and any
//! number of OpenID Connect issuers, the client secret encrypted at rest), the identities that
//! link an end user to a provider's subject, and the authorization requests of the hosted
//! sign-in page (PKCE, the app's state and nonce, the upstream provider's state, nonce and PKCE
//! verifier, the browser binding, and the one-time code handed back to the app).
//!
//! End users without an email address (guests, X accounts) store an empty email: the unique
//! index on (instance, email) becomes partial so that any number of them can exist.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IdentityProviders {
    Table,
    Id,
    InstanceId,
    Key,
    Kind,
    Enabled,
    DisplayName,
    ButtonLabel,
    Position,
    ClientId,
    ClientSecretEncrypted,
    Scopes,
    DiscoveryUrl,
    Issuer,
    AuthorizationEndpoint,
    TokenEndpoint,
    UserinfoEndpoint,
    JwksUri,
    TokenAuthBasic,
    ApplicationIds,
    AllowRegistration,
    GuestLifetimeSecs,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserIdentities {
    Table,
    Id,
    InstanceId,
    EndUserId,
    ProviderKey,
    Subject,
    Email,
    LinkedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuthorizationRequests {
    Table,
    Id,
    InstanceId,
    ApplicationId,
    RedirectUri,
    State,
    Nonce,
    CodeChallenge,
    Scope,
    BrowserHash,
    ProviderKey,
    UpstreamStateHash,
    UpstreamNonce,
    UpstreamVerifier,
    UpgradeUserId,
    EndUserId,
    CodeHash,
    CodeUsedAt,
    SessionId,
    AuthTime,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdentityProviders::Table)
                    .col(pk_uuid(IdentityProviders::Id))
                    .col(uuid(IdentityProviders::InstanceId))
                    .col(string_len(IdentityProviders::Key, 64))
                    .col(string_len(IdentityProviders::Kind, 16))
                    .col(boolean(IdentityProviders::Enabled))
                    .col(text(IdentityProviders::DisplayName))
                    .col(text(IdentityProviders::ButtonLabel))
                    .col(integer(IdentityProviders::Position))
                    .col(text(IdentityProviders::ClientId))
                    .col(text_null(IdentityProviders::ClientSecretEncrypted))
                    .col(text(IdentityProviders::Scopes))
                    .col(text_null(IdentityProviders::DiscoveryUrl))
                    .col(text_null(IdentityProviders::Issuer))
                    .col(text_null(IdentityProviders::AuthorizationEndpoint))
                    .col(text_null(IdentityProviders::TokenEndpoint))
                    .col(text_null(IdentityProviders::UserinfoEndpoint))
                    .col(text_null(IdentityProviders::JwksUri))
                    .col(boolean(IdentityProviders::TokenAuthBasic))
                    .col(json(IdentityProviders::ApplicationIds))
                    .col(boolean(IdentityProviders::AllowRegistration))
                    .col(big_integer_null(IdentityProviders::GuestLifetimeSecs))
                    .col(timestamp_with_time_zone(IdentityProviders::CreatedAt))
                    .col(timestamp_with_time_zone(IdentityProviders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdentityProviders::Table, IdentityProviders::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_identity_providers_instance_key")
                    .table(IdentityProviders::Table)
                    .col(IdentityProviders::InstanceId)
                    .col(IdentityProviders::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserIdentities::Table)
                    .col(pk_uuid(UserIdentities::Id))
                    .col(uuid(UserIdentities::InstanceId))
                    .col(uuid(UserIdentities::EndUserId))
                    .col(string_len(UserIdentities::ProviderKey, 64))
                    .col(text(UserIdentities::Subject))
                    .col(text_null(UserIdentities::Email))
                    .col(timestamp_with_time_zone(UserIdentities::LinkedAt))
                    .col(timestamp_with_time_zone_null(UserIdentities::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserIdentities::Table, UserIdentities::EndUserId)
                            .to(EndUsers::Table, EndUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserIdentities::Table, UserIdentities::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_user_identities_subject")
                    .table(UserIdentities::Table)
                    .col(UserIdentities::InstanceId)
                    .col(UserIdentities::ProviderKey)
                    .col(UserIdentities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("idx_user_identities_user").table(UserIdentities::Table).col(UserIdentities::EndUserId).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthorizationRequests::Table)
                    .col(pk_uuid(AuthorizationRequests::Id))
                    .col(uuid(AuthorizationRequests::InstanceId))
                    .col(uuid(AuthorizationRequests::ApplicationId))
                    .col(text(AuthorizationRequests::RedirectUri))
                    .col(text_null(AuthorizationRequests::State))
                    .col(text_null(AuthorizationRequests::Nonce))
                    .col(string_len(AuthorizationRequests::CodeChallenge, 128))
                    .col(text(AuthorizationRequests::Scope))
                    .col(string_len(AuthorizationRequests::BrowserHash, 64))
                    .col(string_len_null(AuthorizationRequests::ProviderKey, 64))
                    .col(string_len_null(AuthorizationRequests::UpstreamStateHash, 64))
                    .col(text_null(AuthorizationRequests::UpstreamNonce))
                    .col(text_null(AuthorizationRequests::UpstreamVerifier))
                    .col(uuid_null(AuthorizationRequests::UpgradeUserId))
                    .col(uuid_null(AuthorizationRequests::EndUserId))
                    .col(string_len_null(AuthorizationRequests::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(AuthorizationRequests::CodeUsedAt))
                    .col(uuid_null(AuthorizationRequests::SessionId))
                    .col(timestamp_with_time_zone_null(AuthorizationRequests::AuthTime))
                    .col(timestamp_with_time_zone(AuthorizationRequests::CreatedAt))
                    .col(timestamp_with_time_zone(AuthorizationRequests::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthorizationRequests::Table, AuthorizationRequests::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthorizationRequests::Table, AuthorizationRequests::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_authorization_requests_upstream_state")
                    .table(AuthorizationRequests::Table)
                    .col(AuthorizationRequests::UpstreamStateHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_authorization_requests_code")
                    .table(AuthorizationRequests::Table)
                    .col(AuthorizationRequests::CodeHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_authorization_requests_expiry").table(AuthorizationRequests::Table).col(AuthorizationRequests::ExpiresAt).to_owned(),
            )
            .await?;

        // Users without an email address store '' and do not collide with each other.
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX uq_end_users_instance_email").await?;
        db.execute_unprepared("CREATE UNIQUE INDEX uq_end_users_instance_email ON end_users (instance_id, email) WHERE email <> ''").await?;
        Ok(())
    }
}

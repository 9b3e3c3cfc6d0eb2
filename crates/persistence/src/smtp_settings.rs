//! An instance's own SMTP server. The password is stored encrypted with the master key
//! ([`crate::crypto::SecretCipher`], bound to the instance) and never leaves the server.

use anyhow::Context;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::crypto::SecretCipher;
pub use crate::entities::smtp_settings::Model as SmtpSettings;
use crate::entities::smtp_settings::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

/// What binds a stored SMTP password to its instance.
pub fn password_aad(instance_id: Uuid) -> String {
    format!("smtp-password/{instance_id}")
}

impl SmtpSettings {
    /// The stored password, decrypted.
    pub fn password(&self, cipher: &SecretCipher) -> anyhow::Result<Option<String>> {
        self.password_ciphertext
            .as_deref()
            .map(|c| cipher.decrypt(c, &password_aad(self.instance_id)).and_then(|p| String::from_utf8(p).context("A stored SMTP password is not UTF-8")))
            .transpose()
    }
}

/// The instance's SMTP settings, when it saved some.
pub async fn get(db: &impl ConnectionTrait, instance_id: Uuid) -> StoreResult<Option<SmtpSettings>> {
    Ok(Entity::find_by_id(instance_id).one(db).await.context("Failed to read SMTP settings")?)
}

/// Saves the instance's SMTP settings (`password_ciphertext` already encrypted).
#[tracing::instrument(skip_all, fields(instance_id = %settings.instance_id))]
pub async fn put(db: &impl ConnectionTrait, mut settings: SmtpSettings) -> StoreResult<SmtpSettings> {
    settings.updated_at = now();
    let s = settings.clone();
    Entity::insert(ActiveModel {
        instance_id: Set(s.instance_id),
        enabled: Set(s.enabled),
        host: Set(s.host),
        port: Set(s.port),
        security: Set(s.security),
        username: Set(s.username),
        password_ciphertext: Set(s.password_ciphertext),
        from_address: Set(s.from_address),
        from_name: Set(s.from_name),
        reply_to: Set(s.reply_to),
        updated_at: Set(s.updated_at),
        allow_insecure_auth: Set(s.allow_insecure_auth),
    })
    .on_conflict(
        OnConflict::column(Column::InstanceId)
            .update_columns([
                Column::Enabled,
                Column::Host,
                Column::Port,
                Column::Security,
                Column::Username,
                Column::PasswordCiphertext,
                Column::FromAddress,
                Column::FromName,
                Column::ReplyTo,
                Column::UpdatedAt,
                Column::AllowInsecureAuth,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .context("Failed to save SMTP settings")?;
    Ok(settings)
}

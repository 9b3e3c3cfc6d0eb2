//! The master key: given in `STEWARD_MASTER_KEY`, or generated once into `<data_dir>/master.key`
//! with 0600 permissions. Purpose-specific keys are derived from it with HKDF-SHA256, so one
//! secret to back up protects everything.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine as _;
use hkdf::Hkdf;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

pub struct MasterKey(SecretBox<[u8; 32]>);

impl MasterKey {
    fn from_base64(text: &str, origin: &str) -> anyhow::Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).with_context(|| format!("{origin} is not valid base64"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("{origin} must decode to exactly 32 bytes"))?;
        Ok(Self(SecretBox::new(Box::new(key))))
    }

    /// The configured key, or the one stored in `data_dir` (generated on first start).
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(text) = configured {
            if text.trim().is_empty() {
                bail!("STEWARD_MASTER_KEY is set but empty; generate one with `openssl rand -base64 32`, or unset it to use <data_dir>/master.key");
            }
            return Self::from_base64(text, "STEWARD_MASTER_KEY");
        }
        let path = data_dir.join("master.key");
        if path.exists() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("Failed to read {}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    bail!("{} is readable by other users (mode {mode:o}); run chmod 600 on it", path.display());
                }
            }
            return Self::from_base64(&text, &path.display().to_string());
        }
        std::fs::create_dir_all(data_dir).with_context(|| format!("Failed to create {}", data_dir.display()))?;
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let encoded = base64::engine::general_purpose::STANDARD.encode(key);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&path).with_context(|| format!("Failed to create {}", path.display()))?;
        file.write_all(encoded.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        tracing::info!(path = %path.display(), "generated a new master key; back it up with the database");
        Ok(Self(SecretBox::new(Box::new(key))))
    }

    /// A 32-byte key for one purpose, e.g. `"console-access-token/v1"`.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(b"steward"), self.0.expose_secret());
        let mut out = [0u8; 32];
        // 32 bytes is always a valid HKDF-SHA256 output length.
        let _ = hk.expand(purpose.as_bytes(), &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_with_0600_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let a = MasterKey::load_or_create(None, dir.path()).unwrap();
        let b = MasterKey::load_or_create(None, dir.path()).unwrap();
        assert_eq!(a.derive("x"), b.derive("x"));
        assert_ne!(a.derive("x"), a.derive("y"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("master.key")).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn configured_key_must_be_32_bytes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(MasterKey::load_or_create(Some("c2hvcnQ="), dir.path()).is_err());
        let ok = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(MasterKey::load_or_create(Some(&ok), dir.path()).is_ok());
        assert!(!dir.path().join("master.key").exists());
    }
}

//! Owns [`Secret`]: a credential value (SK, token, password, security token) that never prints.
//!
//! `Debug`, `Display` and `Serialize` all render `***`; the value is reachable only through
//! [`Secret::expose`], so a secret can only leak where the code says `expose()` on purpose.
//! Secrets come from environment variables or files, never from the command line.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::AuthError;

/// What every secret renders as.
pub const REDACTED: &str = "***";

/// A credential value that renders as `***` everywhere.
///
/// ```
/// use hwconform::auth::Secret;
/// let sk = Secret::new("my-secret-key");
/// assert_eq!(format!("{sk} {sk:?}"), "*** ***");
/// assert_eq!(sk.expose(), "my-secret-key");
/// ```
#[derive(Clone, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself. Call it only where the value must go on the wire or into a MAC.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a required environment variable; unset or empty is an error naming the variable.
    pub fn from_env(var: &str) -> Result<Self, AuthError> {
        Self::from_env_opt(var)?.ok_or_else(|| AuthError::EnvMissing { var: var.to_owned() })
    }

    /// Reads an optional environment variable; unset or empty is `None`, as the official SDKs treat it.
    pub fn from_env_opt(var: &str) -> Result<Option<Self>, AuthError> {
        match std::env::var(var) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(Self(value))),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(AuthError::EnvNotUnicode { var: var.to_owned() }),
        }
    }

    /// Reads a secret file; one trailing line break is dropped, an empty file is an error.
    pub fn from_file(path: &Path) -> Result<Self, AuthError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AuthError::SecretFile { path: path.display().to_string(), message: e.kind().to_string() })?;
        let value = text.strip_suffix('\n').map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
        if value.is_empty() {
            return Err(AuthError::SecretFile { path: path.display().to_string(), message: "file is empty".into() });
        }
        Ok(Self(value.to_owned()))
    }
}

impl PartialEq for Secret {
    /// Constant-time in the length of the longer value, so comparing tokens does not leak a prefix by timing.
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

/// Compares byte strings without an early exit on the first difference.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..len {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// Config and seed files may carry secrets (e.g. the reference server's AK/SK pairs); reading is allowed,
    /// writing back never reveals them.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rendering_hides_the_value() {
        let s = Secret::new("hunter2-value");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"***\"");
        assert_eq!(s.expose(), "hunter2-value");
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new("abc"), Secret::new("abc"));
        assert_ne!(Secret::new("abc"), Secret::new("abd"));
        assert_ne!(Secret::new("abc"), Secret::new("abcd"));
        assert_ne!(Secret::new(""), Secret::new("\0"));
    }

    #[test]
    fn deserialises_the_value() {
        let s: Secret = serde_json::from_str("\"v\"").unwrap();
        assert_eq!(s.expose(), "v");
    }

    #[test]
    fn file_drops_one_trailing_newline_and_rejects_empty() {
        let dir = std::env::temp_dir().join(format!("hwconform-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sk");
        std::fs::write(&file, "value \r\n").unwrap();
        assert_eq!(Secret::from_file(&file).unwrap().expose(), "value ");
        std::fs::write(&file, "\n").unwrap();
        let err = Secret::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("file is empty"), "{err}");
        let missing = Secret::from_file(&dir.join("absent")).unwrap_err().to_string();
        assert!(missing.contains("absent") && !missing.contains('\n'), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_env_names_the_variable() {
        let err = Secret::from_env("HWCONFORM_TEST_SURELY_UNSET_VARIABLE").unwrap_err().to_string();
        assert!(err.contains("HWCONFORM_TEST_SURELY_UNSET_VARIABLE"), "{err}");
    }
}

//! Owns [`AuthSpec`]: how a target profile names its authentication (an `[auth]` table), and building the
//! [`Auth`] strategy from it. Specs name where secrets are (environment variables, files), never the secrets.
//!
//! ```toml
//! [auth]
//! scheme = "aksk"            # HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN / _PROJECT_ID unless renamed
//!
//! # or: scheme = "token", env = "HWCONFORM_TOKEN"            (or file = "/run/secrets/token")
//! # or: scheme = "iam", endpoint = "https://iam.cn-north-4.myhuaweicloud.com", domain = "acct",
//! #     user = "me", password_env = "HWCONFORM_IAM_PASSWORD", project_name = "cn-north-4"
//! # or: scheme = "none"
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::AuthError;
use super::iam::{DEFAULT_RENEW_BEFORE, IamConfig, IamPasswordAuth, IamScope};
use super::secret::Secret;
use super::strategy::{AkSkAuth, AkSkEnvNames, Auth, NoAuth, TokenAuth};

/// The password variable an IAM spec reads when it names none.
pub const DEFAULT_IAM_PASSWORD_ENV: &str = "HWCONFORM_IAM_PASSWORD";

/// A profile's choice of authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthSpec {
    /// No credentials.
    None,
    /// A given IAM token, from an environment variable or a file.
    Token {
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        env: Option<String>,
        /// A file holding the token (one trailing line break dropped); preferred over `env` when both are named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<PathBuf>,
    },
    /// AK/SK signing; each variable name defaults to the official SDKs' `HUAWEICLOUD_SDK_*`.
    Aksk {
        /// Variable holding the access key; default `HUAWEICLOUD_SDK_AK`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ak_env: Option<String>,
        /// Variable holding the secret key; default `HUAWEICLOUD_SDK_SK`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sk_env: Option<String>,
        /// Variable holding the temporary credentials' security token; default `HUAWEICLOUD_SDK_SECURITY_TOKEN`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        security_token_env: Option<String>,
        /// Variable holding the project id; default `HUAWEICLOUD_SDK_PROJECT_ID`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_id_env: Option<String>,
    },
    /// An IAM token obtained with a password, scoped to a project (by name or id) or to the account.
    Iam {
        /// Base URL of IAM (`https://iam.cn-north-4.myhuaweicloud.com`).
        endpoint: String,
        /// The account (domain) name the user belongs to.
        domain: String,
        /// The IAM user name.
        user: String,
        /// Variable holding the password; default `HWCONFORM_IAM_PASSWORD`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password_env: Option<String>,
        /// A file holding the password; preferred over the variable when both are named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password_file: Option<PathBuf>,
        /// Scope the token to the project of this name (`cn-north-4`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_name: Option<String>,
        /// Scope the token to the project of this id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_id: Option<String>,
        /// Renew the token this many seconds before it expires; `None`: the built-in margin.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        renew_before_secs: Option<u64>,
    },
}

impl AuthSpec {
    /// Reads the secrets the spec points at and builds the strategy.
    pub fn build(&self) -> Result<Arc<dyn Auth>, AuthError> {
        Ok(match self {
            Self::None => Arc::new(NoAuth),
            Self::Token { env, file } => Arc::new(TokenAuth::new(read_secret(env.as_deref(), file.as_ref(), None)?)),
            Self::Aksk { ak_env, sk_env, security_token_env, project_id_env } => {
                let d = AkSkEnvNames::default();
                let names = AkSkEnvNames {
                    ak: ak_env.clone().unwrap_or(d.ak),
                    sk: sk_env.clone().unwrap_or(d.sk),
                    security_token: security_token_env.clone().unwrap_or(d.security_token),
                    project_id: project_id_env.clone().unwrap_or(d.project_id),
                };
                Arc::new(AkSkAuth::from_env_names(&names)?)
            }
            Self::Iam {
                endpoint,
                domain,
                user,
                password_env,
                password_file,
                project_name,
                project_id,
                renew_before_secs,
            } => {
                let password =
                    read_secret(password_env.as_deref(), password_file.as_ref(), Some(DEFAULT_IAM_PASSWORD_ENV))?;
                let scope = match (project_id, project_name) {
                    (Some(_), Some(_)) => {
                        return Err(AuthError::Config("iam auth takes project_id or project_name, not both".into()));
                    }
                    (Some(id), None) => IamScope::ProjectId(id.clone()),
                    (None, Some(name)) => IamScope::ProjectName(name.clone()),
                    (None, None) => IamScope::Domain,
                };
                let mut config = IamConfig::new(endpoint, domain, user, password, scope);
                config.renew_before = renew_before_secs.map_or(DEFAULT_RENEW_BEFORE, Duration::from_secs);
                Arc::new(IamPasswordAuth::new(config)?)
            }
        })
    }
}

/// A secret from a file (preferred when both are named) or an environment variable.
fn read_secret(env: Option<&str>, file: Option<&PathBuf>, default_env: Option<&str>) -> Result<Secret, AuthError> {
    match (file, env.or(default_env)) {
        (Some(path), _) => Secret::from_file(path),
        (None, Some(var)) => Secret::from_env(var),
        (None, None) => Err(AuthError::Config("token auth needs `env` or `file`".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AuthSpec, String> {
        #[derive(Deserialize)]
        struct Profile {
            auth: AuthSpec,
        }
        toml::from_str::<Profile>(text).map(|p| p.auth).map_err(|e| e.to_string())
    }

    #[test]
    fn parses_each_scheme() {
        assert_eq!(parse("[auth]\nscheme = \"none\"").unwrap(), AuthSpec::None);
        assert_eq!(
            parse("[auth]\nscheme = \"token\"\nenv = \"T\"").unwrap(),
            AuthSpec::Token { env: Some("T".into()), file: None }
        );
        assert!(matches!(parse("[auth]\nscheme = \"aksk\"").unwrap(), AuthSpec::Aksk { ak_env: None, .. }));
        let iam = parse(
            "[auth]\nscheme = \"iam\"\nendpoint = \"https://iam.x\"\ndomain = \"d\"\nuser = \"u\"\nproject_name = \"cn-north-4\"",
        )
        .unwrap();
        assert!(matches!(iam, AuthSpec::Iam { ref project_name, .. } if project_name.as_deref() == Some("cn-north-4")));
    }

    #[test]
    fn rejects_unknown_schemes_and_fields() {
        assert!(parse("[auth]\nscheme = \"basic\"").is_err());
        let e = parse("[auth]\nscheme = \"token\"\npassword = \"inline\"").unwrap_err();
        assert!(e.contains("password"), "{e}");
    }

    #[test]
    fn build_reads_files_and_names_missing_variables() {
        let dir = std::env::temp_dir().join(format!("hwconform-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "tok\n").unwrap();
        let auth = AuthSpec::Token { env: None, file: Some(file) }.build().unwrap();
        assert_eq!(auth.secrets().first().map(Secret::expose), Some("tok"));
        std::fs::remove_dir_all(&dir).unwrap();

        let e = AuthSpec::Token { env: None, file: None }.build().unwrap_err().to_string();
        assert!(e.contains("`env` or `file`"), "{e}");
        let aksk = AuthSpec::Aksk {
            ak_env: Some("HWCONFORM_TEST_UNSET_SPEC_AK".into()),
            sk_env: None,
            security_token_env: None,
            project_id_env: None,
        };
        let e = aksk.build().unwrap_err().to_string();
        assert!(e.contains("HWCONFORM_TEST_UNSET_SPEC_AK"), "{e}");
        let iam = AuthSpec::Iam {
            endpoint: "https://iam.x".into(),
            domain: "d".into(),
            user: "u".into(),
            password_env: Some("HWCONFORM_TEST_UNSET_SPEC_PW".into()),
            password_file: None,
            project_name: None,
            project_id: None,
            renew_before_secs: None,
        };
        let e = iam.build().unwrap_err().to_string();
        assert!(e.contains("HWCONFORM_TEST_UNSET_SPEC_PW"), "{e}");
    }
}

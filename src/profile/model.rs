//! A target profile (`fixtures/targets/*.toml`): where the target is, which of its resources the
//! cases use, how to authenticate, and what it supports. Loading resolves the token; nothing
//! here prints it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::ProfileError;
use crate::auth::{AkSkAuth, AkSkCredentials, AkSkEnvNames, Auth, AuthSpec, Redactor, Secret, TokenAuth};
use crate::catalogue::{FileSet, ParamRole};

/// The profile file's shape.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the profile file's independent yes/no settings, as users write them"
)]
pub struct ProfileFile {
    /// The profile's name, shown in reports (`reference` for the built-in one).
    pub name: String,
    /// Start the built-in reference server in-process (endpoints are filled in at run time).
    #[serde(default)]
    pub reference_server: bool,
    /// Base URL per service (`GES`, `GeminiDB`), as the operations' `service` names them.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    /// The project id every request is sent under (`{project_id}` in the paths).
    pub project_id: String,
    /// The target's graph; without it the cases that name one are skipped with the reason.
    #[serde(default)]
    pub graph_id: Option<String>,
    /// The target's GeminiDB instance; without it the cases that name one are skipped.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// An existing, finished backup of `graph_id` (used by operations that take one). Optional: without
    /// it the run finds one on the target (or creates one, where the run may create).
    #[serde(default)]
    pub backup_id: Option<String>,
    /// Where exports go (the export request's `export_path`, an OBS path of the target's account). The
    /// page's example shows only a placeholder (`{obs_path}`), which is never sent.
    #[serde(default)]
    pub export_path: Option<String>,
    /// Values for other request members a page's example leaves as placeholders, by member name.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Where this target's snapshots live (`cargo test --test conformance`; `run --snapshots` wins).
    #[serde(default)]
    pub snapshots: Option<String>,
    /// The token itself (discouraged outside the reference server's public local token).
    #[serde(default)]
    pub token: Option<String>,
    /// Environment variable holding the token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// File holding the token.
    #[serde(default)]
    pub token_file: Option<String>,
    /// How to authenticate (token, AK/SK signing, IAM password); wins over the `token*` keys.
    #[serde(default)]
    pub auth: Option<AuthSpec>,
    /// Run only the cases that change nothing on the target (also `hwconform run --read-only`).
    #[serde(default)]
    pub read_only: bool,
    /// The target honours the fault-injection header, so `fault` cases run (otherwise skipped).
    #[serde(default)]
    pub fault_injection: bool,
    /// Every valid project gets a fresh state on the target, so cases may send project ids of their own.
    #[serde(default)]
    pub isolate_projects: bool,
    /// The run may send requests that create or change things (default `true`); `false` skips those cases.
    #[serde(default = "yes")]
    pub allow_mutating: bool,
    /// Per-request timeout in seconds; `None`: 30 s (`run --timeout` wins).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

fn yes() -> bool {
    true
}

/// A loaded profile with its authentication resolved.
#[derive(Debug, Clone)]
pub struct TargetProfile {
    /// The profile as read from its file.
    pub file: ProfileFile,
    /// Applied to every request the cases send.
    pub auth: Arc<dyn Auth>,
    /// Knows the secrets `auth` may put on the wire; every recorded request and report passes through it.
    pub redactor: Redactor,
}

const REFERENCE: &str = "fixtures/targets/reference.toml";

impl ProfileFile {
    /// Parses profile text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ProfileError> {
        toml::from_str(text)
            .map_err(|e| ProfileError::Parse { path: origin.to_owned(), message: e.message().replace('\n', " ") })
    }

    /// Reads a profile file.
    pub fn read(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ProfileError::Read { path: path.display().to_string(), message: e.to_string() })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The reference server's profile, embedded at build time.
    pub fn reference() -> Result<Self, ProfileError> {
        let files = FileSet::embedded();
        let text =
            files.get(REFERENCE).map_err(|e| ProfileError::Read { path: REFERENCE.into(), message: e.to_string() })?;
        Self::parse(text, REFERENCE)
    }

    /// Resolves the authentication: the `[auth]` table; else `token`, then `token_file`, then `token_env`;
    /// else the reference server's public token when the profile starts it; else AK/SK signing when
    /// `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` are set (as the official SDKs read them).
    pub fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Result<TargetProfile, ProfileError> {
        for endpoint in self.endpoints.values() {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(ProfileError::BadEndpoint { profile: self.name.clone(), endpoint: endpoint.clone() });
            }
        }
        let auth = self.auth_strategy(env)?;
        let redactor = Redactor::with_secrets(&auth.secrets());
        Ok(TargetProfile { file: self, auth, redactor })
    }

    fn auth_strategy(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Arc<dyn Auth>, ProfileError> {
        if let Some(spec) = &self.auth {
            return spec.build().map_err(|e| ProfileError::Auth { profile: self.name.clone(), message: e.to_string() });
        }
        let token = if let Some(t) = &self.token {
            Some(t.clone())
        } else if let Some(path) = &self.token_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ProfileError::Read { path: path.clone(), message: e.to_string() })?;
            Some(text.trim().to_owned())
        } else if let Some(var) = &self.token_env {
            env(var).filter(|v| !v.is_empty())
        } else {
            None
        };
        if let Some(t) = token {
            return Ok(Arc::new(TokenAuth::new(Secret::new(t))));
        }
        if self.reference_server {
            return Ok(Arc::new(TokenAuth::new(Secret::new(crate::control::DEFAULT_TOKEN))));
        }
        let names = AkSkEnvNames::default();
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if self.token_env.is_none()
            && let (Some(ak), Some(sk)) = (var(&names.ak), var(&names.sk))
        {
            let mut creds = AkSkCredentials::new(ak, Secret::new(sk));
            creds.security_token = var(&names.security_token).map(Secret::new);
            creds.project_id = var(&names.project_id);
            return Ok(Arc::new(AkSkAuth::new(creds)));
        }
        let hint = self.token_env.as_ref().map_or_else(
            || {
                "token_env, token_file or [auth] in the profile, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"
                    .to_owned()
            },
            |v| format!("the environment variable {v}"),
        );
        Err(ProfileError::NoToken { profile: self.name.clone(), hint })
    }
}

impl TargetProfile {
    /// The profile's name (`reference` for the built-in one).
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// The base URL of a service, without a trailing slash.
    pub fn endpoint(&self, service: &str) -> Result<&str, ProfileError> {
        self.file
            .endpoints
            .get(service)
            .map(|e| e.trim_end_matches('/'))
            .ok_or_else(|| ProfileError::NoEndpoint { profile: self.file.name.clone(), service: service.to_owned() })
    }

    /// The target's resource of a role.
    pub fn resource(&self, role: ParamRole) -> Option<&str> {
        match role {
            ParamRole::Project => Some(self.file.project_id.as_str()),
            ParamRole::Graph => self.file.graph_id.as_deref(),
            ParamRole::Instance => self.file.instance_id.as_deref(),
            ParamRole::Backup => self.file.backup_id.as_deref(),
            ParamRole::AuthToken | ParamRole::PageLimit | ParamRole::PageOffset => None,
        }
        .filter(|v| !v.is_empty())
    }

    /// Uses `id` as the target's resource of `role` (one the run found on the target).
    pub fn set_resource(&mut self, role: ParamRole, id: String) {
        match role {
            ParamRole::Graph => self.file.graph_id = Some(id),
            ParamRole::Instance => self.file.instance_id = Some(id),
            ParamRole::Backup => self.file.backup_id = Some(id),
            ParamRole::Project => self.file.project_id = id,
            ParamRole::AuthToken | ParamRole::PageLimit | ParamRole::PageOffset => {}
        }
    }

    /// The value the target supplies for a request member a page's example leaves as a placeholder:
    /// `[values]` by member name, or one of the profile's own keys of that name (`export_path`).
    pub fn supplied(&self, member: &str) -> Option<&str> {
        self.file
            .values
            .get(member)
            .map(String::as_str)
            .or_else(|| SUPPLIED_KEYS.iter().find(|(key, _)| *key == member).and_then(|(_, get)| get(&self.file)))
            .filter(|v| !v.is_empty())
    }

    /// How a user supplies a member's value, for a skip reason.
    pub fn how_to_supply(member: &str) -> String {
        match SUPPLIED_KEYS.iter().find(|(key, _)| *key == member) {
            Some((key, _)) => format!("{key} in the profile or --{}", key.replace('_', "-")),
            None => format!("{member} under [values] in the profile or --value {member}=VALUE"),
        }
    }

    /// How a user names the target's resource of a role, for a skip reason.
    pub fn how_to_name(role: ParamRole) -> String {
        let key = format!("{}_id", role.name());
        format!("{key} in the profile or --{}", key.replace('_', "-"))
    }
}

/// Profile keys that supply a request member by the same name.
type SuppliedKey = (&'static str, fn(&ProfileFile) -> Option<&str>);
const SUPPLIED_KEYS: &[SuppliedKey] = &[("export_path", |f| f.export_path.as_deref())];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_profile_loads_and_names_seeded_resources() {
        let p = ProfileFile::reference().unwrap().resolve(&|_| None).unwrap();
        assert!(p.file.reference_server && p.file.fault_injection && p.file.isolate_projects);
        let seed = FileSet::embedded().json("fixtures/seed.json").unwrap().to_string();
        for id in [&p.file.graph_id, &p.file.instance_id, &p.file.backup_id] {
            let id = id.as_deref().unwrap_or_default();
            assert!(!id.is_empty() && seed.contains(id), "{id} is not in fixtures/seed.json");
        }
    }

    #[test]
    fn live_example_signs_with_the_sdk_variables_and_is_read_only() {
        let text = FileSet::embedded().get("fixtures/targets/example-live.toml").unwrap().to_owned();
        let file = ProfileFile::parse(&text, "example-live.toml").unwrap();
        assert!(matches!(
            file.auth,
            Some(AuthSpec::Aksk { ak_env: None, sk_env: None, security_token_env: None, project_id_env: None })
        ));
        assert!(file.read_only && !file.allow_mutating && !file.reference_server);
        assert_eq!(file.endpoints["GES"], "https://ges.ap-southeast-1.myhuaweicloud.com");
        assert_eq!(file.endpoints["GeminiDB"], "https://gaussdb-nosql.ap-southeast-1.myhuaweicloud.com");
    }

    #[test]
    fn sdk_variables_sign_when_no_token_is_named() {
        let mut file = ProfileFile::reference().unwrap();
        file.reference_server = false;
        let env = |v: &str| match v {
            "HUAWEICLOUD_SDK_AK" => Some("AKENV".to_owned()),
            "HUAWEICLOUD_SDK_SK" => Some("SKENV".to_owned()),
            _ => None,
        };
        let p = file.clone().resolve(&env).unwrap();
        assert_eq!(p.auth.scheme(), "aksk");
        assert_eq!(p.redactor.redact("AKENV SKENV"), "*** ***");
        assert!(!format!("{p:?}").contains("SKENV"));
        let err = file.clone().resolve(&|_| None).unwrap_err().to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_AK") && !err.contains('\n'), "{err}");
        file.token_env = Some("HWCONFORM_TOKEN".into());
        let p = file.resolve(&|v| (v == "HWCONFORM_TOKEN").then(|| "t0k".to_owned())).unwrap();
        assert_eq!(p.auth.token().map(Secret::expose), Some("t0k"));
    }

    #[test]
    fn bad_profiles_give_one_line_errors() {
        let err = ProfileFile::parse("name = 3", "x.toml").unwrap_err().to_string();
        assert!(err.starts_with("x.toml: invalid profile:") && !err.contains('\n'), "{err}");
        let err = ProfileFile::read(Path::new("/nonexistent/p.toml")).unwrap_err().to_string();
        assert!(err.starts_with("/nonexistent/p.toml:"), "{err}");
    }
}

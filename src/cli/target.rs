//! The flags that name a target and its credentials, shared by every verb that talks to one (`run`,
//! `cleanup`): one definition, one meaning, the same help text.

use std::path::PathBuf;

use clap::Args;

use crate::auth::Secret;
use crate::catalogue::Catalogue;
use crate::profile::ProfileFile;
use crate::runner::RunError;

/// Which target, and how to authenticate to it (flags win over the profile).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Target profile (TOML, see fixtures/targets/). Without it and without --target, `run` starts
    /// the reference server in-process.
    #[arg(long, env = "HWCONFORM_TARGET")]
    pub profile: Option<PathBuf>,
    /// Base URL of every service of the target (overrides the profile's endpoints).
    #[arg(long)]
    pub target: Option<String>,
    /// Environment variable holding the token (never the token itself on the command line).
    #[arg(long)]
    pub token_env: Option<String>,
    /// File holding the token.
    #[arg(long)]
    pub token_file: Option<String>,
    /// The token itself. Anyone on this machine can read it in the process list (ps): prefer
    /// --token-env or --token-file. Never printed or written to a report.
    #[arg(long, value_name = "T", value_parser = secret_arg, conflicts_with_all = ["token_env", "token_file"])]
    pub token: Option<Secret>,
    /// PEM file of certificate authorities to trust besides the system's.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

/// `--token`'s value goes straight into a [`Secret`], so even the arguments' `Debug` hides it.
fn secret_arg(value: &str) -> Result<Secret, String> {
    if value.is_empty() { Err("the token is empty".into()) } else { Ok(Secret::new(value)) }
}

impl TargetArgs {
    /// Whether the flags name a target at all (a profile or a URL).
    pub(super) fn names_a_target(&self) -> bool {
        self.profile.is_some() || self.target.is_some()
    }

    /// The profile the flags describe: the named file; else, for a bare `--target`, the reference
    /// profile stripped of everything that only means something on the reference server (its ids,
    /// values, fault injection: cases needing them are skipped, naming the flag to set); else the
    /// reference profile. `--target` then points every service of the catalogue at that URL, and
    /// the token flags replace the profile's credentials.
    pub(super) fn profile_file(&self, catalogue: &Catalogue) -> Result<ProfileFile, RunError> {
        let mut file = match (&self.profile, &self.target) {
            (Some(path), _) => ProfileFile::read(path)?,
            (None, Some(_)) => {
                let mut f = ProfileFile::reference()?;
                "cli".clone_into(&mut f.name);
                f.fault_injection = false;
                f.isolate_projects = false;
                f.project_id = String::new();
                f.graph_id = None;
                f.instance_id = None;
                f.backup_id = None;
                f.export_path = None;
                f.values.clear();
                f
            }
            (None, None) => ProfileFile::reference()?,
        };
        if let Some(target) = &self.target {
            file.reference_server = false;
            file.endpoints.clear();
            for op in catalogue.operations() {
                file.endpoints.insert(op.meta.service.clone(), target.clone());
            }
        }
        if self.token_env.is_some() || self.token_file.is_some() {
            file.token = None;
            file.token_env.clone_from(&self.token_env);
            file.token_file.clone_from(&self.token_file);
        }
        if let Some(token) = &self.token {
            file.token = Some(token.expose().to_owned());
            file.token_env = None;
            file.token_file = None;
        }
        Ok(file)
    }
}

//! Starts the built-in reference server in-process for a profile that asks for it, and points the
//! profile's endpoints at it.

use std::sync::Arc;

use crate::auth::KeyStore;
use crate::catalogue::Catalogue;
use crate::profile::TargetProfile;
use crate::server::{Authenticator, RunningServer, ServerConfig, SignatureAuthenticator, spawn};

use super::RunError;

/// Starts the server (127.0.0.1, port 0) accepting the profile's credentials (its token, or its AK/SK
/// pair's signatures) with its fault injection, and fills every service's endpoint with its address.
/// The caller stops it (`shutdown`, or drop).
/// `adjust` sets what else the server plays (rule breaks, legitimate variants).
pub(super) async fn start_reference_with(
    profile: &mut TargetProfile,
    catalogue: &Catalogue,
    adjust: impl FnOnce(&mut ServerConfig),
) -> Result<RunningServer, RunError> {
    let authenticator = profile.auth.signing_key().map(|creds| {
        let mut keys = KeyStore::new();
        match &creds.security_token {
            Some(token) => keys.insert_temporary(creds.ak.expose(), creds.sk.clone(), token.clone()),
            None => keys.insert(creds.ak.expose(), creds.sk.clone()),
        }
        Arc::new(SignatureAuthenticator::new(keys)) as Arc<dyn Authenticator>
    });
    let mut config = ServerConfig {
        tokens: profile.auth.token().map(|t| t.expose().to_owned()).into_iter().collect(),
        fault_injection: profile.file.fault_injection,
        authenticator,
        // The caller compiled the catalogue already; the server would compile it again otherwise.
        catalogue: Some(Arc::new(catalogue.clone())),
        ..ServerConfig::default()
    };
    adjust(&mut config);
    let server = spawn(config).await?;
    for op in catalogue.operations() {
        profile.file.endpoints.insert(op.meta.service.clone(), server.base_url());
    }
    Ok(server)
}

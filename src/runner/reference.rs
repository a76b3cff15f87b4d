//! Starts the built-in reference server in-process for a profile that asks for it, and points the
//! profile's endpoints at it.

use crate::catalogue::Catalogue;
use crate::profile::TargetProfile;
use crate::server::{RunningServer, ServerConfig, spawn};

use super::RunError;

/// Starts the server (127.0.0.1, port 0) with the profile's token and fault injection, and fills
/// every service's endpoint with its address. The caller stops it (`shutdown`, or drop).
pub async fn start_reference(profile: &mut TargetProfile, catalogue: &Catalogue) -> Result<RunningServer, RunError> {
    let config = ServerConfig {
        tokens: vec![profile.token.expose().to_owned()],
        fault_injection: profile.file.fault_injection,
        ..ServerConfig::default()
    };
    let server = spawn(config).await?;
    for op in catalogue.operations() {
        profile.file.endpoints.insert(op.meta.service.clone(), server.base_url());
    }
    Ok(server)
}

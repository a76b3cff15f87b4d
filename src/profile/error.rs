//! Errors of loading a target profile. Messages read after "failed to load the target profile: ".

/// Why a profile could not be loaded or completed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: invalid profile: {message}")]
    Parse { path: String, message: String },
    #[error("profile {profile}: no token: set {hint}")]
    NoToken { profile: String, hint: String },
    #[error("profile {profile}: auth: {message}")]
    Auth { profile: String, message: String },
    #[error("profile {profile}: no endpoint for service {service} (give one under [endpoints])")]
    NoEndpoint { profile: String, service: String },
    #[error("profile {profile}: endpoint {endpoint:?} is not an http(s) URL")]
    BadEndpoint { profile: String, endpoint: String },
}

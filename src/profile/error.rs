//! Errors of loading a target profile. Messages read after "failed to load the target profile: ".

/// Why a profile could not be loaded or completed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A profile file (or a token file it names) could not be read.
    #[error("{path}: {message}")]
    Read {
        /// Path of the file, or the built-in reference profile's name.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// A profile file is not valid TOML or does not fit the profile format.
    #[error("{path}: invalid profile: {message}")]
    Parse {
        /// Path of the profile file.
        path: String,
        /// The TOML error, on one line.
        message: String,
    },
    /// The profile found no credentials: no token and no access key pair.
    #[error("profile {profile}: no token: set {hint}")]
    NoToken {
        /// Name of the profile.
        profile: String,
        /// What to set to give it one (an environment variable, or the profile's options).
        hint: String,
    },
    /// The profile's `[auth]` section could not be turned into credentials.
    #[error("profile {profile}: auth: {message}")]
    Auth {
        /// Name of the profile.
        profile: String,
        /// The auth layer's error, on one line.
        message: String,
    },
    /// The profile has no endpoint for a service a case needs.
    #[error("profile {profile}: no endpoint for service {service} (give one under [endpoints])")]
    NoEndpoint {
        /// Name of the profile.
        profile: String,
        /// The service without an endpoint (e.g. `ges`).
        service: String,
    },
    /// An endpoint of the profile is not an `http://` or `https://` URL.
    #[error("profile {profile}: endpoint {endpoint:?} is not an http(s) URL")]
    BadEndpoint {
        /// Name of the profile.
        profile: String,
        /// The endpoint as written in the profile.
        endpoint: String,
    },
}

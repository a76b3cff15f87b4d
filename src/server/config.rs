//! What a reference server is started with: address, tokens, fault injection, delays, limits, seed.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::catalogue::{Catalogue, RuleId};

use super::auth::Authenticator;
use super::seed::Seed;
use super::variant::Variant;

// The names a client and the server share live in `crate::control` (the client reads them too).
pub use crate::control::{DEFAULT_TOKEN, FAULT_HEADER, FAULT_INTERNAL, LATENCY_HEADER, MAX_INJECTED_LATENCY};

/// How long a new backup stays `backing_up` before it reads as `success`, by default.
pub const DEFAULT_BACKUP_DELAY: Duration = Duration::from_secs(2);

/// The largest request body accepted by default (a larger one is a 413).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Everything a reference server is started with.
#[derive(Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Accepted `X-Auth-Token` values (secrets: never logged, `Debug` prints only how many).
    pub tokens: Vec<String>,
    /// Whether [`FAULT_HEADER`] and [`LATENCY_HEADER`] take effect.
    pub fault_injection: bool,
    /// How long a new backup reads as in progress.
    pub backup_delay: Duration,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Graphs, instances and backups every project starts with.
    pub seed: Seed,
    /// The contract to serve; `None` serves the catalogue built into the binary.
    pub catalogue: Option<Arc<Catalogue>>,
    /// Extra credentials check consulted when the token check fails (the seam for AK/SK signing).
    pub authenticator: Option<Arc<dyn Authenticator>>,
    /// Legitimate variants in force (`variant.rs`); empty for the plain reference server.
    pub variants: Vec<Variant>,
    /// Whether each project id gets its own copy of the seed, or all share one state.
    pub projects: Projects,
    /// Documented rules to break on purpose (`--break`, `hwconform rules` lists the ids): a server
    /// the suite must fail. Empty for a correct server.
    pub breaks: Vec<RuleId>,
}

/// How project ids map to state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Projects {
    /// Every project id gets its own copy of the seed on first use (parallel clients isolate
    /// themselves with unique project ids).
    #[default]
    Isolated,
    /// One state whatever the project id: a foreign target's single project, which the caller
    /// shares with everything else that runs against it.
    Shared,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tokens: vec![DEFAULT_TOKEN.to_owned()],
            fault_injection: false,
            backup_delay: DEFAULT_BACKUP_DELAY,
            body_limit: DEFAULT_BODY_LIMIT,
            seed: Seed::builtin(),
            catalogue: None,
            authenticator: None,
            variants: Vec::new(),
            projects: Projects::Isolated,
            breaks: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// A server that looks like a target the project has never seen: one shared project, seed ids
    /// drawn afresh (none of the reference profile's), and no fault-injection header.
    pub fn foreign() -> Self {
        Self {
            seed: Seed::builtin().with_fresh_ids(),
            fault_injection: false,
            projects: Projects::Shared,
            ..Self::default()
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("addr", &self.addr)
            .field("tokens", &format_args!("<{} redacted>", self.tokens.len()))
            .field("fault_injection", &self.fault_injection)
            .field("backup_delay", &self.backup_delay)
            .field("body_limit", &self.body_limit)
            .field("seed", &self.seed)
            .field("catalogue", &self.catalogue.as_ref().map(|c| c.operations().len()))
            .field("authenticator", &self.authenticator.is_some())
            .field("variants", &self.variants)
            .field("projects", &self.projects)
            .field("breaks", &self.breaks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_token() {
        let config = ServerConfig { tokens: vec!["s3cret-token".into()], ..ServerConfig::default() };
        let text = format!("{config:?}");
        assert!(!text.contains("s3cret-token"), "{text}");
        assert!(text.contains("<1 redacted>"), "{text}");
    }
}

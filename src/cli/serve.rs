//! `hwconform serve`: runs the reference server until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::CliError;
use super::output::finish;
use crate::auth::KeyStore;
use crate::catalogue::RuleId;
use crate::server::{
    self, Authenticator, DEFAULT_BODY_LIMIT, DEFAULT_TOKEN, Projects, Seed, ServerConfig, ServerError,
    SignatureAuthenticator, Variant,
};

/// `hwconform serve` arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed file (graphs, instances, backups every project starts with); default: the built-in one.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Accepted X-Auth-Token value (repeatable; default: hwconform-local-token).
    #[arg(long = "token", value_name = "T", env = "HWCONFORM_TOKENS", value_delimiter = ',', hide_env_values = true)]
    pub tokens: Vec<String>,
    /// Honour the x-hwconform-fault and x-hwconform-latency-ms request headers.
    #[arg(long)]
    pub fault_injection: bool,
    /// How long a new backup stays `backing_up` before it reads as success.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub backup_delay_ms: u64,
    /// JSON list of AK/SK pairs (`[{"ak": "…", "sk": "…"}]`): requests without X-Auth-Token are then
    /// accepted when their SDK-HMAC-SHA256 signature verifies. Without it, the official SDKs'
    /// variables `HUAWEICLOUD_SDK_AK` / `HUAWEICLOUD_SDK_SK` (/ `HUAWEICLOUD_SDK_SECURITY_TOKEN`) are used when set.
    #[arg(long, value_name = "FILE")]
    pub aksk_keys: Option<PathBuf>,
    /// Largest request body accepted, in bytes (larger → 413).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// A legitimate behaviour of the real cloud (repeatable): gateway-auth, slow-backups[=MS],
    /// throttle[=FRACTION[@SEED]], newest-first, oldest-first, one-backup-per-graph, extra-members,
    /// gzip, connection-close, chunked, latency[=MS], real-cloud (a preset of five).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<Variant>,
    /// Look like a target never seen: one project shared by every project id, seed ids drawn afresh
    /// (printed at start), no fault injection.
    #[arg(long, conflicts_with = "fault_injection")]
    pub foreign: bool,
    /// Break this documented rule on purpose (repeatable; `hwconform rules` lists the ids): a server
    /// the suite must fail.
    #[arg(long = "break", value_name = "RULE_ID")]
    pub breaks: Vec<RuleId>,
}

impl ServeArgs {
    /// The server configuration these arguments describe.
    pub fn config(&self) -> Result<ServerConfig, ServerError> {
        let mut seed = match &self.seed {
            Some(path) => Seed::from_file(path)?,
            None => Seed::builtin(),
        };
        if self.foreign {
            seed = seed.with_fresh_ids();
        }
        let tokens = if self.tokens.is_empty() { vec![DEFAULT_TOKEN.to_owned()] } else { self.tokens.clone() };
        let authenticator = self
            .aksk_store(KeyStore::from_env)?
            .map(|keys| Arc::new(SignatureAuthenticator::new(keys)) as Arc<dyn Authenticator>);
        Ok(ServerConfig {
            addr: self.addr,
            tokens,
            fault_injection: self.fault_injection,
            backup_delay: Duration::from_millis(self.backup_delay_ms),
            body_limit: self.body_limit,
            seed,
            authenticator,
            variants: self.variants.clone(),
            breaks: self.breaks.clone(),
            projects: if self.foreign { Projects::Shared } else { Projects::Isolated },
            ..ServerConfig::default()
        })
    }
}

impl ServeArgs {
    /// The AK/SK pairs to verify signatures with: the `--aksk-keys` file, else the official SDKs'
    /// variables (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`), as
    /// `from_env` reads them; `None` when neither is given (token auth only).
    fn aksk_store(
        &self,
        from_env: impl FnOnce() -> Result<Option<KeyStore>, crate::auth::AuthError>,
    ) -> Result<Option<KeyStore>, ServerError> {
        match &self.aksk_keys {
            Some(path) => read_keys(path).map(Some),
            None => from_env().map_err(|e| ServerError::Config(format!("aksk keys from the environment: {e}"))),
        }
    }
}

/// Reads an AK/SK key file. Parse errors give only the position: the file holds secrets.
fn read_keys(path: &std::path::Path) -> Result<KeyStore, ServerError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServerError::Config(format!("aksk keys {file}: {}", crate::report::io_message(&e))))?;
    serde_json::from_str(&text).map_err(|e| {
        ServerError::Config(format!(
            "aksk keys {file}: not a JSON list of {{\"ak\", \"sk\"}} objects (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// Serves until Ctrl-C, then shuts down gracefully; errors print one line and exit 2.
pub fn run(args: &ServeArgs) -> ExitCode {
    finish(run_inner(args))
}

fn run_inner(args: &ServeArgs) -> Result<ExitCode, CliError> {
    // Request logs go to stderr (RUST_LOG, default info); an already installed subscriber wins.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    if tokio::runtime::Handle::try_current().is_ok() {
        // Starting a runtime inside a runtime panics; async callers use `serve` instead.
        return Err(CliError::Runtime("already inside an async runtime: call cli::serve::serve".into()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

/// The verb for callers already inside a Tokio runtime: serves until Ctrl-C.
pub async fn serve(args: &ServeArgs) -> Result<(), ServerError> {
    let using_default = args.tokens.is_empty();
    let running = server::spawn(args.config()?).await?;
    eprintln!("hwconform reference server listening on {}", running.base_url());
    if using_default {
        eprintln!("accepting the local default token: X-Auth-Token: {DEFAULT_TOKEN}");
    }
    if args.fault_injection {
        eprintln!("fault injection on: headers {} and {}", server::FAULT_HEADER, server::LATENCY_HEADER);
    }
    if !args.variants.is_empty() {
        let names: Vec<String> = args.variants.iter().map(ToString::to_string).collect();
        eprintln!("variants: {}", names.join(", "));
    }
    if !args.breaks.is_empty() {
        let ids: Vec<&str> = args.breaks.iter().map(RuleId::as_str).collect();
        eprintln!("BROKEN on purpose: {}", ids.join(", "));
    }
    if args.foreign {
        let seed = running.seed();
        let graphs: Vec<&str> = seed.graphs.iter().map(|g| g.id.as_str()).collect();
        let instances: Vec<&str> = seed.instances.iter().map(|i| i.id.as_str()).collect();
        eprintln!("foreign target: any project id; graphs {}; instances {}", graphs.join(", "), instances.join(", "));
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %e, "cannot listen for Ctrl-C; stopping");
    }
    eprintln!("shutting down");
    running.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> ServeArgs {
        match Cli::try_parse_from(args).unwrap().command {
            Command::Serve(a) => a,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn flags_become_a_config() {
        let args = parse(&[
            "hwconform",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--token",
            "a",
            "--token",
            "b",
            "--fault-injection",
            "--backup-delay-ms",
            "5",
        ]);
        let config = args.config().unwrap();
        assert_eq!(config.tokens, ["a", "b"]);
        assert!(config.fault_injection);
        assert_eq!(config.backup_delay, Duration::from_millis(5));
        assert_eq!(config.addr.port(), 0);
    }

    #[test]
    fn variants_and_foreign_become_a_config() {
        let args = parse(&["hwconform", "serve", "--variant", "gzip", "--variant", "slow-backups=10", "--foreign"]);
        let config = args.config().unwrap();
        assert_eq!(config.variants, [Variant::Gzip, Variant::SlowBackups(Duration::from_millis(10))]);
        assert_eq!(config.projects, Projects::Shared);
        assert_ne!(config.seed.graphs[0].id, Seed::builtin().graphs[0].id, "a foreign seed has fresh ids");
        let err = Cli::try_parse_from(["hwconform", "serve", "--variant", "nope"]).unwrap_err().to_string();
        assert!(err.contains("unknown variant"), "{err}");
        assert!(Cli::try_parse_from(["hwconform", "serve", "--foreign", "--fault-injection"]).is_err());
    }

    #[test]
    fn defaults_accept_the_local_token() {
        let config = parse(&["hwconform", "serve"]).config().unwrap();
        if std::env::var_os("HWCONFORM_TOKENS").is_none() {
            assert_eq!(config.tokens, [DEFAULT_TOKEN]);
        }
        assert!(!config.fault_injection);
        assert_eq!(config.addr.port(), 8080);
    }

    #[test]
    fn aksk_keys_fall_back_to_the_sdk_environment_variables() {
        let args = parse(&["hwconform", "serve"]);
        let mut env_keys = crate::auth::KeyStore::default();
        env_keys.insert("ENVAK", crate::auth::Secret::new("ENVSK"));
        let store = args.aksk_store(|| Ok(Some(env_keys))).unwrap().expect("keys from the environment");
        assert_eq!(store.len(), 1);
        assert!(args.aksk_store(|| Ok(None)).unwrap().is_none(), "no file and no variables: token auth only");
        let err = args
            .aksk_store(|| Err(crate::auth::AuthError::Config("HUAWEICLOUD_SDK_SK is not set".into())))
            .unwrap_err()
            .to_string();
        assert!(err.contains("environment"), "{err}");
    }

    #[test]
    fn aksk_key_files_are_read_without_echoing_secrets() {
        let dir = std::env::temp_dir().join(format!("hwconform-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("keys.json");
        std::fs::write(&good, r#"[{"ak": "AK1", "sk": "sk-secret-1"}]"#).unwrap();
        let config = parse(&["hwconform", "serve", "--aksk-keys", good.to_str().unwrap()]).config().unwrap();
        assert!(config.authenticator.is_some());
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"[{"ak": "AK1", "sk": "sk-secret-2", "oops": 1}]"#).unwrap();
        let err =
            parse(&["hwconform", "serve", "--aksk-keys", bad.to_str().unwrap()]).config().unwrap_err().to_string();
        assert!(err.contains("bad.json") && !err.contains("sk-secret-2"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn run_inside_a_runtime_is_an_error_not_a_panic() {
        let args = parse(&["hwconform", "serve", "--addr", "127.0.0.1:0"]);
        let err = run_inner(&args).unwrap_err().to_string();
        assert!(err.contains("inside an async runtime"), "{err}");
    }

    #[test]
    fn a_missing_seed_file_is_a_clear_error() {
        let args = parse(&["hwconform", "serve", "--seed", "/no/such/seed.json"]);
        let err = args.config().unwrap_err().to_string();
        assert!(err.contains("/no/such/seed.json"), "{err}");
    }
}

//! Owns [`Session`]: one run against one target, from opening (profile resolved, reference server
//! started if the profile asks for it, client built, limits set) through running cases (with an event
//! callback) to closing (cleanup of what the run created, server shutdown, the report). Every entry
//! point — `hwconform run`, the `cargo test` harness, the benchmarks, the integration tests — goes
//! through it, so a run is set up one way.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::catalogue::Catalogue;
use crate::execute::{ClientOptions, Progress, RateLimiter, RunLimits, Target, client};
use crate::generate::Case;
use crate::profile::{ProfileFile, TargetProfile};
use crate::report::{CaseResult, CleanupState, Provenance, Report, ResourceRecord};
use crate::server::RunningServer;

use super::case::{CaseRun, run_case};
use super::event::{OnEvent, RunEvent};
use super::reference::start_reference_with;
use super::report::build_report;
use super::suite::{Shared, run_all, shares_state};
use super::{RunError, UsageError};

/// How a session runs its cases. The default: 8 cases at once, no rate limit, no retries, no deadline,
/// the profile's request timeout.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Cases run at once (each case's steps stay in order).
    pub concurrency: usize,
    /// At most this many requests a second across the run.
    pub rps: Option<f64>,
    /// Times a throttled request is sent again.
    pub retries: u32,
    /// The run's deadline, counted from opening.
    pub run_timeout: Option<Duration>,
    /// Bound of each wait for the target's asynchronous work (`--settle-timeout`; `None`: 15 min).
    pub settle_timeout: Option<Duration>,
    /// Per-request timeout; `None`: the profile's `timeout_secs` (default 30 s).
    pub request_timeout: Option<Duration>,
    /// Extra certificate authorities to trust (PEM).
    pub ca_file: Option<PathBuf>,
    /// Ignore the environment's proxy settings (always so for the in-process reference server).
    pub no_proxy: bool,
    /// Rules the in-process reference server breaks (`hwconform selftest`; empty: none).
    pub breaks: Vec<crate::catalogue::RuleId>,
    /// Legitimate variants the in-process reference server plays (empty: none).
    pub variants: Vec<crate::server::Variant>,
    /// How long the in-process reference server's backups stay being made (`None`: its default;
    /// zero: done at once, so a benchmark measures the suite and not the waits).
    pub backup_delay: Option<Duration>,
    /// What the run does about what it creates: journal, cap, cleanup at close.
    pub cleanup: crate::cleanup::CleanupOptions,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            rps: None,
            retries: 0,
            run_timeout: None,
            settle_timeout: None,
            request_timeout: None,
            ca_file: None,
            no_proxy: false,
            breaks: Vec::new(),
            variants: Vec::new(),
            backup_delay: None,
            cleanup: crate::cleanup::CleanupOptions::default(),
        }
    }
}

/// One run against one target. Open it, run cases (as many batches as needed), close it.
pub struct Session {
    catalogue: Arc<Catalogue>,
    shared: Shared,
    concurrency: usize,
    server: Option<RunningServer>,
    started_at: String,
    /// Cases run one by one ([`Session::run_case`]) that share the target's state take turns.
    turn: tokio::sync::Mutex<()>,
    /// Resources of the target the run used, as they are recorded.
    resources: Mutex<Vec<ResourceRecord>>,
    /// Where what the run creates is recorded as it is created (cleaned up at close).
    journal: Option<Arc<crate::cleanup::Journal>>,
    cleanup: crate::cleanup::CleanupOptions,
    rps: Option<f64>,
}

/// The profile named by a path, or the built-in reference profile; secrets come from the environment.
pub fn load_profile(path: Option<&Path>) -> Result<TargetProfile, RunError> {
    let file = match path {
        Some(path) => ProfileFile::read(path)?,
        None => ProfileFile::reference()?,
    };
    Ok(file.resolve(&|v| std::env::var(v).ok())?)
}

impl Session {
    /// Opens a run: checks the options, starts the reference server when the profile asks for it (its
    /// endpoints then point at it), and builds the client. Nothing is sent yet.
    pub async fn open(
        catalogue: Arc<Catalogue>,
        mut profile: TargetProfile,
        options: SessionOptions,
    ) -> Result<Self, RunError> {
        if let Some(rps) = options.rps
            && !(rps.is_finite() && rps >= RateLimiter::MIN_RPS)
        {
            return Err(UsageError::Rps(rps).into());
        }
        let started_at = chrono::Utc::now().to_rfc3339();
        let server = if profile.file.reference_server {
            let (breaks, variants, delay) = (options.breaks, options.variants, options.backup_delay);
            let adjust = |c: &mut crate::server::ServerConfig| {
                c.breaks = breaks;
                c.variants = variants;
                if let Some(delay) = delay {
                    c.backup_delay = delay;
                }
            };
            Some(start_reference_with(&mut profile, &catalogue, adjust).await?)
        } else {
            None
        };
        let timeout =
            options.request_timeout.unwrap_or_else(|| Duration::from_secs(profile.file.timeout_secs.unwrap_or(30)));
        let http = client(&ClientOptions {
            timeout,
            no_proxy: options.no_proxy || profile.file.reference_server,
            ca_file: options.ca_file,
            ..ClientOptions::default()
        });
        let http = match http {
            Ok(h) => h,
            Err(e) => {
                if let Some(server) = server {
                    server.shutdown().await;
                }
                return Err(e.into());
            }
        };
        let mut limits = RunLimits::new(options.rps, options.retries, options.run_timeout);
        limits.settle = options.settle_timeout;
        let journal = match &options.cleanup.journal {
            Some(path) => {
                let plan = Arc::new(crate::cleanup::Lifecycle::of(&catalogue));
                let journal = crate::cleanup::Journal::create(path, plan, profile.name(), options.cleanup.max_created);
                match journal {
                    Ok(j) => Some(Arc::new(j)),
                    Err(e) => {
                        if let Some(server) = server {
                            server.shutdown().await;
                        }
                        return Err(UsageError::from(e).into());
                    }
                }
            }
            None => None,
        };
        if let Some(j) = &journal {
            limits = limits.with_journal(Arc::clone(j));
        }
        Ok(Self {
            catalogue,
            shared: Shared { profile: Arc::new(profile), client: http, limits: Arc::new(limits) },
            concurrency: options.concurrency.max(1),
            server,
            started_at,
            turn: tokio::sync::Mutex::new(()),
            resources: Mutex::new(Vec::new()),
            journal,
            cleanup: options.cleanup,
            rps: options.rps,
        })
    }

    /// A session on the in-process reference server with the built-in catalogue and the reference
    /// profile (no secret from the environment): the tests' and benchmarks' usual target.
    pub async fn reference(options: SessionOptions) -> Result<Self, RunError> {
        let profile = ProfileFile::reference()?.resolve(&|_| None)?;
        Self::open(Arc::new(Catalogue::builtin()?), profile, options).await
    }

    /// The target, with its endpoints (pointing at the reference server if one was started).
    pub fn profile(&self) -> &TargetProfile {
        &self.shared.profile
    }

    /// The compiled catalogue the run checks against.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The reference server's base URL, if this session started one.
    pub fn server_url(&self) -> Option<String> {
        self.server.as_ref().map(RunningServer::base_url)
    }

    /// What the in-process reference server counted so far, if this session started one.
    pub fn server_stats(&self) -> Option<crate::server::ServerStats> {
        self.server.as_ref().map(RunningServer::stats)
    }

    /// The target as the execution layer sees it (profile, client, limits), for callers that send
    /// without judging (the benchmark's execution-only figure).
    pub fn target(&self) -> Target<'_> {
        self.shared.target(None)
    }

    /// Runs `cases` at the session's concurrency; results come back in the cases' order. On a target
    /// with one fixed project, the cases that share its state run one at a time, after the others.
    pub async fn run(&self, cases: &[Arc<Case>], on_event: OnEvent<'_>) -> Vec<CaseRun> {
        run_all(cases, &self.shared, self.concurrency, on_event).await
    }

    /// Runs one case (callers that schedule cases themselves, like the `cargo test` harness); cases
    /// that share the target's state take turns.
    pub async fn run_case(&self, case: &Case, on_event: OnEvent<'_>) -> CaseRun {
        let _turn = if !self.shared.profile.file.isolate_projects && shares_state(case) {
            Some(self.turn.lock().await)
        } else {
            None
        };
        on_event(&RunEvent::CaseStarted { case });
        let progress = |p: &Progress| on_event(&RunEvent::of_progress(case, p));
        let run = run_case(case, &self.shared.target(Some(&progress))).await;
        on_event(&RunEvent::CaseFinished { case, run: &run });
        run
    }

    /// Gets the target's own resources the `cases` need before they run: from the profile, else
    /// discovered on the target (`super::acquire`); records where each came from.
    pub async fn acquire(&mut self, cases: &[Arc<Case>]) {
        let mut profile = (*self.shared.profile).clone();
        let found = super::acquire::acquire_resources(
            &self.catalogue,
            cases,
            &mut profile,
            &self.shared.client,
            &self.shared.limits,
        )
        .await;
        self.shared.profile = Arc::new(profile);
        self.resources.lock().unwrap_or_else(PoisonError::into_inner).extend(found);
    }

    /// The resources recorded so far.
    pub fn resources(&self) -> Vec<ResourceRecord> {
        self.resources.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Closes the run: settles what became of every resource it created, stops the reference server,
    /// and builds the report (redacted) from `results` (the case results the caller kept, drift
    /// included).
    pub async fn close(self, results: Vec<CaseResult>) -> Report {
        self.close_with(results, &super::event::ignore).await
    }

    /// [`Self::close`], telling `on_event` of every resource the cleanup deleted as it is settled.
    pub async fn close_with(self, results: Vec<CaseResult>, on_event: OnEvent<'_>) -> Report {
        let mut resources = self.resources.into_inner().unwrap_or_else(PoisonError::into_inner);
        // Delete what the run created (waiting for backups still being made) and verify it is gone,
        // before the reference server (if any) stops; bounded by --cleanup-timeout, not --run-timeout.
        if let Some(journal) = &self.journal {
            let sweep = crate::cleanup::SweepOptions {
                keep: self.cleanup.keep,
                timeout: self.cleanup.timeout,
                ..crate::cleanup::SweepOptions::default()
            };
            let (profile, client) = (&self.shared.profile, &self.shared.client);
            let settled = crate::cleanup::finish(&journal.created(), journal, profile, client, self.rps, &sweep).await;
            for record in settled.iter().map(crate::cleanup::Settled::record) {
                if matches!(record.cleanup, Some(CleanupState::Deleted { .. } | CleanupState::Accepted { .. })) {
                    on_event(&RunEvent::ResourceDeleted { resource: &record });
                }
                resources.push(record);
            }
            // Every creating request was answered without creating anything: nothing to keep.
            journal.discard_if_empty();
        }
        let in_process = self.server.is_some();
        for r in &mut resources {
            if matches!(r.provenance, Provenance::Created { .. }) && r.cleanup.is_none() {
                r.cleanup = Some(if in_process {
                    // The reference server's state lives in this process and ends with it.
                    CleanupState::Deleted { how: "the in-process reference server was stopped".into() }
                } else {
                    CleanupState::Left { reason: "the run deletes nothing it created yet".into() }
                });
            }
        }
        if let Some(server) = self.server {
            server.shutdown().await;
        }
        build_report(&self.catalogue, &self.shared.profile, results, resources, self.started_at)
    }
}

//! The suite's proof of its own bite (issue 15): for every rule the catalogue lists
//! ([`crate::catalogue::rule_list`]), the reference server starts in-process with exactly that rule
//! broken (`ServerConfig::breaks`, the server's one break mechanism), the suite runs against it, and
//! the rule is *caught* when at least one case fails. The legitimate variants of the server
//! (`ServerConfig::variants`) are the other half: against each, no case may fail.
//!
//! Cost (the whole proof runs inside `cargo test` on 2 cores): a break changes only the route of
//! the broken rule's operation, so against a broken server only the cases with a step on that
//! operation run — no other case sends a request the break could change, so the proof loses
//! nothing. Broken servers run a few at a time in one process, each on its own port.
//!
//! The figure (caught / rules, per operation, the first failing case of each rule) is committed as
//! `fixtures/bite.json`; a test keeps it current, and the reports of a normal run show it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::catalogue::{Catalogue, ListedRule, RuleTarget, SchemaLocation, rule_list};
use crate::generate::{Case, Expectation, generate};
use crate::profile::ProfileFile;
use crate::runner::{Outcome, RunError, Session, SessionOptions, ignore};
use crate::server::Variant;

/// Where the committed bite figure lives, relative to the project root.
pub const BITE_FILE: &str = "fixtures/bite.json";

/// What went wrong before any verdict: the reference server or the client could not start.
#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    /// A run against the reference server could not start or finish.
    #[error("selftest: {0}")]
    Run(#[from] RunError),
    /// The reference profile or a broken server's task failed before any verdict.
    #[error("selftest: {0}")]
    Setup(String),
}

/// How much to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Break rules at all (`false`: only the variants).
    pub rules: bool,
    /// Only rules whose id contains this text.
    pub only: Option<String>,
    /// Also run the suite against every legitimate variant.
    pub variants: bool,
    /// Broken servers at once.
    pub servers: usize,
    /// Cases at once against each server.
    pub concurrency: usize,
    /// The variants to run (default: every single variant, `Variant::all`).
    pub variant_list: Option<Vec<Variant>>,
}

impl Default for Options {
    fn default() -> Self {
        Self { rules: true, only: None, variants: true, servers: 4, concurrency: 8, variant_list: None }
    }
}

/// One rule's proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBite {
    /// The rule's id (`hwconform rules` lists them).
    pub rule: String,
    /// Id of the operation the rule belongs to.
    pub operation: String,
    /// Cases that probe the rule (see [`probes_for`]).
    pub probes: usize,
    /// The first case (by id) that failed against the server breaking the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caught_by: Option<String>,
}

/// One legitimate variant's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantRun {
    /// The variant as given (`NAME[=VALUE]`).
    pub variant: String,
    /// How many cases ran against the server in this variant.
    pub cases: usize,
    /// Cases that failed (a correct server fails none).
    pub failed: Vec<String>,
    /// Cases that could not be tested (still throttled after the retries …), with the reason: never a
    /// failure of the server, listed apart.
    #[serde(default)]
    pub untested: Vec<String>,
}

/// Caught / total for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Rules of the operation that some case catches.
    pub caught: usize,
    /// Rules of the operation the selftest broke.
    pub rules: usize,
}

/// The committed figure: `fixtures/bite.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bite {
    /// Rules some case catches when the reference server breaks them alone.
    pub caught: usize,
    /// Every rule the selftest broke, one at a time.
    pub rules: usize,
    /// Caught and total rules per operation id.
    pub operations: BTreeMap<String, Tally>,
    /// Rules no case catches (the selftest fails while this is not empty).
    pub uncaught: Vec<String>,
    /// Rules no case probes.
    pub unprobed: Vec<String>,
    /// Each rule's proof, in rule order.
    pub by_rule: Vec<RuleBite>,
}

impl Bite {
    /// Folds the per-rule proofs into the totals, per-operation tallies and the uncaught/unprobed lists.
    pub fn of(rules: &[RuleBite]) -> Self {
        let mut operations: BTreeMap<String, Tally> = BTreeMap::new();
        for r in rules {
            let t = operations.entry(r.operation.clone()).or_default();
            t.rules += 1;
            t.caught += usize::from(r.caught_by.is_some());
        }
        Self {
            caught: rules.iter().filter(|r| r.caught_by.is_some()).count(),
            rules: rules.len(),
            operations,
            uncaught: rules.iter().filter(|r| r.caught_by.is_none()).map(|r| r.rule.clone()).collect(),
            unprobed: rules.iter().filter(|r| r.probes == 0).map(|r| r.rule.clone()).collect(),
            by_rule: rules.to_vec(),
        }
    }

    /// The committed figure, as built into this binary.
    pub fn committed() -> Option<Self> {
        serde_json::from_str(include_str!("../fixtures/bite.json")).ok()
    }

    /// The figure as pretty JSON, the way it is committed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).map(|s| s + "\n").unwrap_or_default()
    }

    /// The human summary: the total, per operation, then each rule with its first failing case.
    pub fn render(&self) -> String {
        let mut out = format!("bite: {} of {} documented rules caught\n", self.caught, self.rules);
        for (op, t) in &self.operations {
            let _ = writeln!(out, "  {op}: {}/{}", t.caught, t.rules);
        }
        for r in &self.by_rule {
            let by = r.caught_by.as_deref().unwrap_or("NOT CAUGHT");
            let _ = writeln!(out, "{}\t{} probes\t{by}", r.rule, r.probes);
        }
        if !self.unprobed.is_empty() {
            let _ = writeln!(out, "rules no case probes: {}", self.unprobed.join(", "));
        }
        out
    }
}

/// The whole selftest's outcome.
#[derive(Debug, Clone)]
pub struct Selftest {
    /// How many rules the suite catches, rule by rule.
    pub bite: Bite,
    /// One run per legitimate server variant, each of which a correct suite must pass.
    pub variants: Vec<VariantRun>,
}

impl Selftest {
    /// Every rule caught and every variant passed.
    pub fn proven(&self) -> bool {
        self.bite.uncaught.is_empty() && self.variants.iter().all(|v| v.failed.is_empty())
    }
}

/// Whether `case` probes `rule`: by the case's own rule, or — for what every answer of a kind is
/// checked against (the success status, media type and members; documented error codes,
/// statuses and envelopes; counts after creates) — by what its steps expect.
pub fn probes_for(rule: &ListedRule, case: &Case) -> bool {
    if case.rule.as_deref() == Some(rule.id.as_str()) {
        return true;
    }
    let on_op = |s: &&crate::generate::Step| s.operation.meta.id == rule.operation;
    let mut steps = case.steps.iter().filter(on_op);
    match &rule.target {
        RuleTarget::Schema { location: SchemaLocation::Response(_), .. }
        | RuleTarget::SuccessStatus(_)
        | RuleTarget::MediaType(_) => steps.any(|s| s.expect == Expectation::Success),
        RuleTarget::ErrorCode { code, .. } | RuleTarget::ErrorStatus { code, .. } => {
            steps.any(|s| matches!(&s.expect, Expectation::Error { documented: Some(d), .. } if &d.code == code))
        }
        RuleTarget::Envelope { .. } => steps.any(|s| matches!(s.expect, Expectation::Error { .. })),
        RuleTarget::Count { .. } => case.steps.iter().any(|s| s.adds),
        _ => false,
    }
}

/// The cases a server breaking `rule` can tell apart: those with a step on its operation, the
/// rule's own probes first (the rest run only where the probes miss).
fn relevant(rule: &ListedRule, cases: &[Arc<Case>]) -> (Vec<Arc<Case>>, Vec<Arc<Case>>) {
    cases
        .iter()
        .filter(|c| c.steps.iter().any(|s| s.operation.meta.id == rule.operation))
        .map(Arc::clone)
        .partition(|c| probes_for(rule, c))
}

/// Opens a session on a fresh in-process reference server that breaks `breaks` and plays
/// `variants`; the server stops when the session is dropped.
async fn server(
    catalogue: &Arc<Catalogue>,
    concurrency: usize,
    breaks: Vec<crate::catalogue::RuleId>,
    variants: Vec<Variant>,
) -> Result<Session, SelftestError> {
    let profile =
        ProfileFile::reference().and_then(|f| f.resolve(&|_| None)).map_err(|e| SelftestError::Setup(e.to_string()))?;
    // A legitimate variant may throttle: what it refused before processing is sent again, as a run
    // against a live target does (`--retries`).
    let retries = if variants.is_empty() { 0 } else { VARIANT_RETRIES };
    let options =
        SessionOptions { concurrency, no_proxy: true, breaks, variants, retries, ..SessionOptions::default() };
    Ok(Session::open(Arc::clone(catalogue), profile, options).await?)
}

/// Times a throttled request is sent again in the variant runs.
const VARIANT_RETRIES: u32 = 4;

/// The first case, in order, that fails against a server breaking `rule`: cases run a batch at a
/// time, and the run stops at the first batch with a failure (a later batch cannot hold an earlier
/// case).
async fn first_failure(
    catalogue: &Arc<Catalogue>,
    cases: &[Arc<Case>],
    concurrency: usize,
    rule: &ListedRule,
) -> Result<Option<String>, SelftestError> {
    if cases.is_empty() {
        return Ok(None);
    }
    let session = server(catalogue, concurrency, vec![rule.id.clone()], Vec::new()).await?;
    for batch in cases.chunks(concurrency.max(1) * 2) {
        let runs = session.run(batch, &ignore).await;
        if let Some((case, _)) = batch.iter().zip(&runs).find(|(_, r)| matches!(r.outcome, Outcome::Failed)) {
            return Ok(Some(case.id.to_string()));
        }
    }
    Ok(None)
}

/// Runs the selftest: every listed rule (or those `options.only` names) against a server breaking
/// it, then, if asked, the full suite against every legitimate variant.
pub async fn run(catalogue: &Catalogue, options: &Options) -> Result<Selftest, SelftestError> {
    let cases: Vec<Arc<Case>> = generate(catalogue).into_iter().map(Arc::new).collect();
    let rules: Vec<ListedRule> = rule_list(catalogue)
        .into_iter()
        .filter(|r| options.rules && options.only.as_deref().is_none_or(|o| r.id.as_str().contains(o)))
        .collect();
    let catalogue = Arc::new(catalogue.clone());
    let permits = Arc::new(Semaphore::new(options.servers.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let (rule, catalogue, permits) = (rule.clone(), Arc::clone(&catalogue), Arc::clone(&permits));
        let (probes, rest) = relevant(&rule, &cases);
        let concurrency = options.concurrency;
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let ordered: Vec<Arc<Case>> = probes.iter().chain(&rest).cloned().collect();
            let caught_by = first_failure(&catalogue, &ordered, concurrency, &rule).await?;
            let bite = RuleBite {
                rule: rule.id.to_string(),
                operation: rule.operation.to_string(),
                probes: probes.len(),
                caught_by,
            };
            Ok::<_, SelftestError>((i, bite))
        });
    }
    let mut bites: Vec<Option<RuleBite>> = vec![None; rules.len()];
    while let Some(joined) = set.join_next().await {
        let (i, bite) = joined.map_err(|e| SelftestError::Setup(format!("a broken server's task failed: {e}")))??;
        bites[i] = Some(bite);
    }
    let bite = Bite::of(&bites.into_iter().flatten().collect::<Vec<_>>());
    let mut variants = Vec::new();
    if options.variants {
        for variant in options.variant_list.clone().unwrap_or_else(Variant::all) {
            let session = server(&catalogue, options.concurrency, Vec::new(), vec![variant]).await?;
            let runs = session.run(&cases, &ignore).await;
            // A correct server fails no case (skips are the profile's, not its); what could not be
            // tested is listed apart with its reason.
            let (mut failed, mut untested) = (Vec::new(), Vec::new());
            for (case, run) in cases.iter().zip(&runs) {
                match &run.outcome {
                    Outcome::Failed => failed.push(case.id.to_string()),
                    Outcome::Error(e) => untested.push(format!("{}: {e}", case.id)),
                    Outcome::Passed | Outcome::Skipped(_) => {}
                }
            }
            variants.push(VariantRun { variant: variant.to_string(), cases: cases.len(), failed, untested });
        }
    }
    Ok(Selftest { bite, variants })
}

/// The bite a report shows: the committed figure where it is this catalogue's (same rules), and
/// the rules no generated case probes, computed from the catalogue at hand.
pub fn bite_record(catalogue: &Catalogue) -> Option<crate::report::BiteRecord> {
    let rules = rule_list(catalogue);
    let cases = generate(catalogue);
    let unprobed: Vec<String> =
        rules.iter().filter(|r| !cases.iter().any(|c| probes_for(r, c))).map(|r| r.id.to_string()).collect();
    let committed = Bite::committed()
        .filter(|b| b.rules == rules.len() && b.by_rule.iter().zip(&rules).all(|(a, r)| a.rule == r.id.as_str()))?;
    Some(crate::report::BiteRecord {
        caught: committed.caught,
        rules: committed.rules,
        operations: committed.operations.iter().map(|(op, t)| (op.clone(), (t.caught, t.rules))).collect(),
        uncaught: committed.uncaught,
        unprobed,
    })
}

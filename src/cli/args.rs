//! The command-line surface (clap derive). Other subcommands (`run`, `serve`, `derive` …) add
//! their variants to [`Command`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Conformance test harness for Huawei Cloud backup APIs, driven by their documentation.
#[derive(Debug, Parser)]
#[command(name = "hwconform", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-render a saved report.json (JSON, JUnit, Markdown, HTML), optionally gating it on a baseline.
    Report(ReportArgs),
    /// Write a baseline of known deviations (every failing case with its reason) from a report.json to stdout.
    Baseline(BaselineArgs),
    /// Compare two report.json files: regressions, fixes, new/removed cases, drift. Exit 1 on regressions.
    Diff(DiffArgs),
    /// Print the catalogue as an OpenAPI 3.1 document (JSON).
    Openapi(OpenapiArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report.json to render.
    pub report: PathBuf,
    /// Comma-separated formats: json, junit, markdown, html.
    #[arg(long, default_value = "junit,markdown,html")]
    pub format: String,
    /// Output folder (created if missing).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Gate the report on this baseline: exit 1 on a new failure or a stale entry.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The report.json whose failing cases become the baseline.
    pub report: PathBuf,
    /// An existing baseline whose reasons are kept for cases that still fail.
    #[arg(long)]
    pub keep_reasons: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report.json.
    pub old: PathBuf,
    /// The later report.json.
    pub new: PathBuf,
    /// Print the differences as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

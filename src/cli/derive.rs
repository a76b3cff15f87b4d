//! `hwconform derive PAGE… [--out DIR]` and `hwconform derive --check PAGE… [--schemas DIR]`:
//! exit 0 when derived (or no drift), 1 on drift, 2 on input that cannot be read.
//!
//! Keep-going: a page that cannot be derived (unreadable, no request line, an operation id
//! another page also yields) is reported on one `error:` line and the other pages are still
//! derived and written (or checked); the exit status is then 2.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::derive::{Overlay, check, derive_files};

/// `hwconform derive` arguments.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// Documentation pages (text or Markdown files).
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// Write the derived `schemas/` and `fixtures/` below this folder.
    #[arg(long, conflicts_with = "check")]
    pub out: Option<PathBuf>,
    /// Compare with the committed catalogue instead of writing; exit 1 on drift.
    #[arg(long)]
    pub check: bool,
    /// The committed schemas folder (for --check).
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
    /// The committed fixtures folder [default: `fixtures` next to the schemas folder].
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// The overlay file [default: `derive-overlay.json` in the fixtures folder, if present].
    #[arg(long, conflicts_with = "no_overlay")]
    pub overlay: Option<PathBuf>,
    /// Derive what the pages literally say, without the overlay.
    #[arg(long)]
    pub no_overlay: bool,
}

const EXIT_DRIFT: u8 = 1;
const EXIT_INPUT: u8 = 2;

/// Runs the subcommand; messages go to stderr, the drift report to stdout.
pub fn run(args: &DeriveArgs) -> ExitCode {
    let fixtures = args
        .fixtures
        .clone()
        .unwrap_or_else(|| args.schemas.parent().map_or_else(|| PathBuf::from("fixtures"), |p| p.join("fixtures")));
    let overlay = if args.no_overlay {
        Ok(Overlay::default())
    } else if let Some(path) = &args.overlay {
        Overlay::from_file(path)
    } else {
        let default = fixtures.join("derive-overlay.json");
        if default.is_file() { Overlay::from_file(&default) } else { Ok(Overlay::default()) }
    };
    let result = overlay.and_then(|o| derive_files(&args.pages, &o));
    let derived = match result {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: failed to derive: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    for w in &derived.warnings {
        eprintln!("{w}");
    }
    for p in &derived.pages {
        eprintln!("derived {} → {} in {:.1} ms", p.page, p.operation, p.elapsed.as_secs_f64() * 1000.0);
    }
    for f in &derived.failures {
        eprintln!("error: failed to derive: {f}");
    }
    // Every page that could be derived is written or checked; failed pages still fail the run.
    let done = if derived.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INPUT) };
    if args.check {
        return match check(&derived, &args.schemas, &fixtures) {
            Ok(drift) if drift.is_empty() => {
                eprintln!("no drift: the committed catalogue is what the pages say (plus the overlay)");
                done
            }
            Ok(drift) => {
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = write!(out, "doc drift: the pages and the committed catalogue differ\n{drift}");
                ExitCode::from(EXIT_DRIFT)
            }
            Err(e) => {
                eprintln!("error: failed to check: {e}");
                ExitCode::from(EXIT_INPUT)
            }
        };
    }
    if let Some(out) = &args.out {
        if let Err(e) = derived.write(out) {
            eprintln!("error: failed to derive: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
        eprintln!("wrote {} files below {}", derived.json.len() + derived.text.len(), out.display());
        if !derived.failures.is_empty() {
            eprintln!("error: {} of the pages could not be derived (above)", derived.failures.len());
        }
    } else {
        let mut out = std::io::stdout().lock();
        for path in derived.json.keys().chain(derived.text.keys()) {
            if writeln!(out, "{path}").is_err() {
                break;
            }
        }
    }
    done
}

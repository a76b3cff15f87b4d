//! Owns [`Exit`]: the one table of `hwconform run`'s exit codes, decided from the report (and the
//! baseline gate), never from a message. `--help` and the README print [`Exit::TABLE`].

use std::process::ExitCode;

use crate::report::{CaseOutcome, ErrorKind, GateResult, Report, RunEnding};

/// How a run ended, for CI. The first that applies wins, in the order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    /// 0: every case passed or was skipped (or the baseline gate passed), nothing left behind.
    Clean = 0,
    /// 1: a case failed or could not be tested, drift under `--fail-on-drift`, or the gate failed.
    Failed = 1,
    /// 2: the suite could not run — unusable flags, profile or input file, or no case got an answer
    /// from the target.
    Unusable = 2,
    /// 3: the verdict is clean but resources the run created were left on the target.
    Leftovers = 3,
    /// 4: no case failed, but the run was cut short (`--run-timeout`, Ctrl-C/SIGTERM): the verdict is
    /// incomplete.
    CutShort = 4,
}

impl Exit {
    /// The table, as `--help` and the README show it.
    pub const TABLE: &'static str = "Exit codes: 0 every case passed or was skipped; \
        1 a case failed or could not be tested (or drift with --fail-on-drift, or the baseline gate failed); \
        2 the suite could not run (bad flags, profile or input, or no case got an answer from the target); \
        3 clean verdict but resources the run created were left on the target; \
        4 no failure but the run was cut short (--run-timeout, Ctrl-C).";

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit of a finished run: its report, the baseline gate if one was given, and whether drift counts.
    pub fn of_run(report: &Report, gate: Option<&GateResult>, fail_on_drift: bool) -> Self {
        if report.ending == RunEnding::Unreachable {
            return Self::Unusable;
        }
        let cut_short = |kind: Option<ErrorKind>| matches!(kind, Some(ErrorKind::RunTimeout | ErrorKind::Interrupted));
        let failed = match gate {
            Some(g) => !g.passed,
            None => report.cases.iter().any(|c| match c.outcome {
                CaseOutcome::Failed => true,
                CaseOutcome::Error => !cut_short(c.error_kind),
                CaseOutcome::Passed | CaseOutcome::Skipped => false,
            }),
        };
        let drifted = fail_on_drift && report.summary.drift > 0;
        if failed || drifted {
            Self::Failed
        } else if matches!(report.ending, RunEnding::RunTimeout | RunEnding::Interrupted)
            || report.cases.iter().any(|c| cut_short(c.error_kind))
        {
            Self::CutShort
        } else if report.summary.leftovers > 0 {
            Self::Leftovers
        } else {
            Self::Clean
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

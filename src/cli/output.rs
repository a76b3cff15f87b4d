//! What the report verbs share: writing to stdout without panicking when the reader goes away
//! (`hwconform … | head`), and turning an error into its one-line message and exit code 2.

use std::io::Write as _;
use std::process::ExitCode;

use super::CliError;

/// Prints `text` to stdout; a closed pipe is not an error.
pub(super) fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output { path: "stdout".into(), message: crate::report::io_message(&e) }),
    }
}

/// The exit code of a verb: its own on success; on error, the message on one stderr line and 2
/// (bad input: an unreadable report or baseline, an unknown format).
pub(super) fn finish(result: Result<ExitCode, CliError>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("hwconform: failed to {}", crate::execute::chain(&e));
        crate::runner::Exit::Unusable.into()
    })
}

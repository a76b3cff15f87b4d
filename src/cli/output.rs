//! Writing to stdout without panicking when the reader goes away (`hwconform … | head`).

use std::io::Write as _;

use super::CliError;

/// Prints `text` to stdout; a closed pipe is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output { path: "stdout".into(), message: e.to_string() }),
    }
}

//! The `hwconform` command line: arguments, one module per subcommand, and the dispatcher that
//! turns results and errors into exit codes.

mod args;
pub mod baseline;
pub mod diff;
mod dispatch;
mod error;
pub mod openapi;
mod output;
pub mod report;

pub use args::{BaselineArgs, Cli, Command, DiffArgs, OpenapiArgs, ReportArgs};
pub use dispatch::run;
pub use error::CliError;

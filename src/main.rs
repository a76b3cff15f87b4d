//! The `hwconform` command line: parses arguments and hands each verb to `hwconform::cli`.

use std::process::ExitCode;

use clap::Parser;
use hwconform::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        Command::Serve(args) => hwconform::cli::serve::run(args).await.map_err(anyhow::Error::from),
        Command::Run(args) => return hwconform::cli::run::run(args).await,
        Command::Cases(args) => hwconform::cli::cases::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

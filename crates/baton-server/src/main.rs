//! `baton`: the service binary. Reads the command line and configuration, sets up logging
//! and runs the subcommand; every failure ends with one line on stderr and exit code 1.

use baton_server::cli::{Cli, Command};
use baton_server::{commands, config, telemetry};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = cli.source();
    let config = match config::load(&source) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("baton: configuration error: {}", one_line(&e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log);
    let result = match cli.subcommand() {
        Command::Serve => commands::serve(config, &source),
        Command::Migrate => commands::migrate(&config),
        Command::Purge => commands::purge(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baton: {}", one_line(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// Error texts from libraries (libpq above all) span lines; stderr gets exactly one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

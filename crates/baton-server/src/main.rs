//! `baton`: the service binary. Reads the command line and configuration, sets up logging
//! and runs the subcommand; every failure ends with one line on stderr and exit code 1.

use baton_server::cli::{Cli, Command};
use baton_server::config::LogConfig;
use baton_server::{commands, config, telemetry};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = cli.source();
    let command = cli.subcommand();
    if command == Command::Config {
        // `baton config` must work on a broken configuration: it reports what it can, then
        // every problem. It logs nothing unless RUST_LOG asks, like the other one-shot commands.
        telemetry::init(&quiet_log(LogConfig::default()));
        return commands::show_config(&source);
    }
    if let Command::Keys(keys) = &command {
        // Making a key needs no configuration (there may be none yet) and no database.
        return match commands::keys(keys) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("baton: {}", one_line(&e.to_string()));
                ExitCode::FAILURE
            }
        };
    }
    let config = match config::load(&source) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("baton: configuration error: {}", one_line(&e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let log =
        if command == Command::Serve { config.log.clone() } else { quiet_log(config.log.clone()) };
    telemetry::init(&log);
    let result: Result<(), commands::CommandError> = match &command {
        Command::Serve => commands::serve(config, &source).map_err(Into::into),
        Command::Migrate => commands::migrate(&config).map_err(Into::into),
        Command::Purge => commands::purge(&config).map_err(Into::into),
        Command::User(user) => commands::user(&config, user),
        Command::Config | Command::Keys(_) => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baton: {}", one_line(&baton_server::error::chain(&e)));
            ExitCode::FAILURE
        }
    }
}

/// One-shot commands keep stderr for their one error line; `RUST_LOG` still overrides.
fn quiet_log(mut log: LogConfig) -> LogConfig {
    log.level = "off".into();
    log
}

/// Error texts from libraries (libpq above all) span lines; stderr gets exactly one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

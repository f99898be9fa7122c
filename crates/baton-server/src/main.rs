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
        return exit_code(config::print_report(&source));
    }
    let result: Result<(), String> = match &command {
        // Making a key needs no configuration (there may be none yet) and no database.
        Command::Keys(keys) => commands::keys(keys).map_err(|e| e.to_string()),
        _ => match config::load(&source) {
            Err(e) => Err(format!("configuration error: {e}")),
            Ok(config) => {
                let log = match command {
                    Command::Serve => config.log.clone(),
                    _ => quiet_log(config.log.clone()),
                };
                telemetry::init(&log);
                let result = match &command {
                    Command::Serve => commands::serve(config, &source).map_err(Into::into),
                    Command::Migrate => commands::migrate(&config).map_err(Into::into),
                    Command::Purge => commands::purge(&config).map_err(Into::into),
                    Command::User(user) => commands::user(&config, user),
                    Command::Mfa(mfa) => commands::mfa(&config, mfa),
                    Command::Config | Command::Keys(_) => unreachable!("handled above"),
                };
                result.map_err(|e: commands::CommandError| baton_http::error::chain(&e))
            }
        },
    };
    if let Err(message) = &result {
        eprintln!("baton: {}", one_line(message));
    }
    exit_code(result.is_ok())
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

fn exit_code(ok: bool) -> ExitCode {
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

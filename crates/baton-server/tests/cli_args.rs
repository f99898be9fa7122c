//! The command line's shape: defaults, required arguments, no password argument.

use baton_server::cli::{Cli, Command, KeysCommand, UserCommand};
use baton_server::config::Source;
use clap::{CommandFactory, Parser};
use std::path::PathBuf;

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn serve_is_the_default() {
    let cli = Cli::try_parse_from(["baton"]).unwrap();
    assert_eq!(cli.subcommand(), Command::Serve);
    let cli = Cli::try_parse_from(["baton", "purge", "--profile", "dev"]).unwrap();
    assert_eq!(cli.subcommand(), Command::Purge);
    assert_eq!(cli.profile, "dev");
}

#[test]
fn only_a_given_config_dir_is_explicit() {
    // (Not parsed without the flag: figment::Jail tests may set BATON_CONFIG_DIR meanwhile.)
    let implicit = Source::new(None, "prod");
    assert!(!implicit.explicit_dir);
    assert_eq!(implicit.dir, PathBuf::from("config"));
    let cli = Cli::try_parse_from(["baton", "--config-dir", "/etc/baton", "config"]).unwrap();
    assert!(cli.source().explicit_dir);
    assert_eq!(cli.source().dir, PathBuf::from("/etc/baton"));
}

#[test]
fn user_commands_parse_and_take_no_password_argument() {
    let cli = Cli::try_parse_from(["baton", "user", "create", "--email", "a@b.co"]).unwrap();
    let expected = UserCommand::Create { email: "a@b.co".into(), name: None };
    assert_eq!(cli.subcommand(), Command::User(expected));
    let cli = Cli::try_parse_from(["baton", "user", "disable", "a@b.co"]).unwrap();
    assert_eq!(cli.subcommand(), Command::User(UserCommand::Disable { email: "a@b.co".into() }));
    let with_password = ["baton", "user", "create", "--email", "a@b.co", "--password", "hunter22"];
    assert!(Cli::try_parse_from(with_password).is_err());
    assert!(Cli::try_parse_from(["baton", "user", "create"]).is_err(), "email required");
    let cli = Cli::try_parse_from(["baton", "config"]).unwrap();
    assert_eq!(cli.subcommand(), Command::Config);
}

#[test]
fn keys_generate_needs_a_kid_and_defaults_to_this_directory() {
    let cli = Cli::try_parse_from(["baton", "keys", "generate", "--kid", "k1"]).unwrap();
    let expected = KeysCommand::Generate { kid: "k1".into(), dir: PathBuf::from(".") };
    assert_eq!(cli.subcommand(), Command::Keys(expected));
    assert!(Cli::try_parse_from(["baton", "keys", "generate"]).is_err(), "kid required");
}

# Baton's everyday commands. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# Run the server on the embedded default: SQLite at data/baton.db, dev profile, 127.0.0.1:8080.
run *ARGS:
    BATON_PROFILE="${BATON_PROFILE:-dev}" cargo run --bin baton -- {{ARGS}}

# Run every test: starts a throwaway PostgreSQL (unless TEST_DATABASE_URL is set) and stops it after.
test *ARGS:
    scripts/with-postgres.sh cargo test --workspace --all-features {{ARGS}}

# Formatting check and clippy with warnings as errors.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --all-features -- -D warnings

# Format the code.
fmt:
    cargo fmt --all

# Build the release binary (target/release/baton).
build:
    cargo build --release --bin baton

# Fuzz every target for SECONDS each (seeds in fuzz/seeds, working corpus in fuzz/corpus).
fuzz SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cd fuzz && for t in $(cargo fuzz list); do \
        mkdir -p "corpus/$t" && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true; \
        RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" -- -max_total_time={{SECONDS}} || exit 1; \
    done

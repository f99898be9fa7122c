# Baton's everyday commands. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# Run the server on the embedded default: SQLite at data/baton.db, dev profile, 127.0.0.1:8080.
run *ARGS:
    BATON_PROFILE="${BATON_PROFILE:-dev}" cargo run --bin baton -- {{ARGS}}

# Run every test, the headless-Chromium one included: starts a throwaway PostgreSQL (unless TEST_DATABASE_URL is set) and stops it after.
test *ARGS:
    scripts/with-postgres.sh cargo test --workspace --all-features {{ARGS}}

# The real-browser test of cookie transport alone (headless Chromium; needs `apt-get install chromium` and `npm ci --prefix tests/browser`).
browser:
    scripts/with-postgres.sh cargo test -p baton-server --test browser

# Formatting check, then clippy and rustdoc (broken or private doc links) with warnings as errors.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --all-features -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

# Format the code.
fmt:
    cargo fmt --all

# Check deploy/baton.service with systemd-analyze (also done by the test tests/api/deploy.rs).
deploy-check:
    cargo test -p baton-server --test api deploy::

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

# Benchmark against limits measured in the same run, one table (docs/BENCHMARKS.md); BENCH_SECONDS, BENCH_RUNS tune it.
bench:
    bench/run.sh

# Fault and cluster tests (kill -9, database stopped, pool exhausted, three servers); also part of `just test`.
faults *ARGS:
    scripts/with-postgres.sh cargo test -p baton-server --test faults {{ARGS}}

# Login timing: unknown email vs wrong password at bcrypt cost 10, release build; fails if the medians differ by >10%.
timing SAMPLES="300":
    scripts/hardening/login-timing.sh {{SAMPLES}}

# Load: 1,000 keep-alive connections of mixed traffic for 60 s (wrk) on PostgreSQL; fails on any 5xx or timeout.
load:
    scripts/hardening/load.sh

# API fuzzing: schemathesis (PyPI, venv in $ST_VENV or /tmp/st-venv) against `baton serve` on a throwaway SQLite, 127.0.0.1 only (docs/API_TESTING.md).
schemathesis PORT="18080":
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${ST_VENV:-/tmp/st-venv}"
    [[ -x "$venv/bin/schemathesis" ]] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis; }
    cargo build --bin baton
    dir=$(mktemp -d) base="http://127.0.0.1:{{PORT}}"
    BATON_PROFILE=dev BATON_CONFIG_DIR="$PWD/config" BATON_DATABASE__URL="sqlite://$dir/baton.db" BATON_SERVER__PORT={{PORT}} \
        BATON_LOGIN__MAX_FAILED_LOGINS=0 BATON_LOGIN__MAX_FAILURES_PER_ADDRESS=0 BATON_RATE_LIMIT__BURST=0 "${CARGO_TARGET_DIR:-target}/debug/baton" serve 2>"$dir/baton.log" &
    pid=$!
    trap 'kill $pid; wait $pid || true; rm -rf "$dir"' EXIT
    for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "$base/api/v1/auth/register" -H 'content-type: application/json' \
        -d '{"email":"st@example.com","password":"schemathesis-password"}' >/dev/null
    printf '%s\n' '[auth.dynamic.openapi.bearer]' 'path = "/api/v1/auth/login"' \
        'payload = { email = "st@example.com", password = "schemathesis-password" }' \
        'extract_selector = "/access_token"' >"$dir/schemathesis.toml"
    st() { "$venv/bin/schemathesis" --config-file "$dir/schemathesis.toml" run "$base/api-docs/openapi.json" --url "$base" --checks all --max-examples 300 "$@"; }
    st --generation-codec ascii
    st --exclude-checks positive_data_acceptance,negative_data_rejection

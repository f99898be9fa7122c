#!/usr/bin/env bash
# Login timing: does the answer time reveal whether an email has an account? (SPEC §5)
#
#   scripts/hardening/login-timing.sh [SAMPLES]        (just timing)
#
# Builds the release binary, starts it on a fresh PostgreSQL database (scripts/with-postgres.sh)
# at bcrypt cost 10, registers one account, then times SAMPLES (default 300) logins of each
# kind, interleaved in random order on one keep-alive connection: an unknown email, and the
# known email with a wrong password. Prints both medians and their ratio; exits 1 when they
# differ by more than 10%. The lockout threshold and the per-address ceiling are raised (not
# turned off) so both paths stay the ordinary ones (a lock would answer 429 without hashing)
# while keeping their database writes: the account+address reservation and the address count.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

if [[ -z "${HARDENING_INNER:-}" ]]; then
    source "$HERE/common.sh"
    build_release
    export HARDENING_BATON_BIN HARDENING_INNER=1
    exec "$ROOT/scripts/with-postgres.sh" "$0" "$@"
fi

source "$HERE/common.sh"
SAMPLES=${1:-300}
TMP=$(mktemp -d)
trap 'stop_baton; rm -rf "$TMP"' EXIT
DB=$(fresh_database)
start_baton "$DB" "$TMP/baton.log" BATON_PASSWORDS__BCRYPT_COST=10 BATON_RATE_LIMIT__BURST=0 BATON_SERVER__WORKERS=1 \
    BATON_LOGIN__MAX_FAILED_LOGINS=4000000000 BATON_LOGIN__MAX_FAILURES_PER_ADDRESS=4000000000 \
    BATON_LOG__LEVEL=warn
echo "login timing: $("$HARDENING_BATON_BIN" --version 2>/dev/null || echo baton), bcrypt cost 10, $SAMPLES samples each, $(nproc) cores"
python3 "$HERE/login_timing.py" "$BATON_URL" "$SAMPLES" "$BATON_PASSWORD"

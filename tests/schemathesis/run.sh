#!/usr/bin/env bash
# The schemathesis run of `just schemathesis`, against the server of scripts/api/with-baton.sh
# (API_BASE_URL and the rest come from it). $1: the venv that has schemathesis.
set -euo pipefail
venv=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
curl -fsS "$API_BASE_URL/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"st@example.com","password":"schemathesis-password"}' >/dev/null
SCHEMATHESIS_HOOKS="$here/baton_hooks.py" "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" \
    run "$API_BASE_URL/api-docs/openapi.json" --url "$API_BASE_URL" --checks all "$@"

#!/usr/bin/env bash
# The Python client check of `just python-client`, against the server of
# scripts/api/with-baton.sh (API_BASE_URL and the rest come from it). $1: the venv that has
# openapi-python-client. The client is generated into a temporary directory, never into the
# repository, and deleted afterwards.
set -euo pipefail
venv=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/baton-python-client.XXXXXX")
trap 'rm -rf "$out"' EXIT
curl -fsS "$API_BASE_URL/api-docs/openapi.json" -o "$out/openapi.json"
# The venv's bin on PATH: the generator formats its output with the ruff it installed.
PATH="$venv/bin:$PATH" openapi-python-client generate --path "$out/openapi.json" --meta none \
    --output-path "$out/baton_client" --fail-on-warning
PYTHONPATH="$out" "$venv/bin/python" "$here/check_client.py"

#!/usr/bin/env bash
# Schema-driven fuzzing: schemathesis generates requests from /api/schema/, valid
# and invalid, for every operation, and checks every answer against the schema:
# no 5xx, no undocumented status code, no body, header or content type the schema
# does not describe. The server is gunicorn on a fresh SQLite database with the
# demo data, its throttles raised so the run reaches the views.
#
#   scripts/fuzz.sh                  # 10 examples an operation and phase
#   FUZZ_EXAMPLES=50 scripts/fuzz.sh
#   FUZZ_SEED=123 scripts/fuzz.sh    # replay a run (its seed is printed)
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
export DJANGO_SETTINGS_MODULE=billing_site.settings.local
export DATABASE_URL="sqlite:///$work/fuzz.sqlite3"
export SECRET_KEY="fuzz-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
export DEBUG=0 LOG_LEVEL=WARNING SANDBOX_PAYMENTS=1
for scope in GATEWAY DEFAULT REPORTS LOGIN LOGIN_USERNAME; do
  export "THROTTLE_$scope=1000000/min"
done

.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python scripts/fuzz_config.py >"$work/schemathesis.toml"

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
.venv/bin/gunicorn billing_site.wsgi --workers 2 --bind "127.0.0.1:$port" \
  --log-level warning >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT

login() {
  .venv/bin/python - "$base/login" <<'PY'
import json, sys, urllib.request
body = json.dumps({"username": "admin", "password": "password"}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request, timeout=5))["access_token"])
PY
}
for _ in $(seq 60); do token=$(login 2>/dev/null) && break; sleep 0.5; done
[ -n "${token:-}" ] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

# Every check but the two that judge whether a request should have been refused:
# those cannot see rules that depend on stored state (a number already taken, an
# invoice already paid, a balance) or that tie fields together (a currency's
# decimal places, a date range's order), which the schema cannot state.
# The phases that send every operation valid and invalid data; the stateful phase
# (FUZZ_PHASES=...,stateful) chains operations along links it guesses, and has
# judged a list's answer by the schema of one of its items.
# One worker: with two threads, Python 3.11's ast.parse (which hypothesis calls to
# describe its filters) can fail with "AST constructor recursion depth mismatch".
status=0
.venv/bin/schemathesis --config-file "$work/schemathesis.toml" run "$base/api/schema/" \
  --header "Authorization: Bearer $token" \
  --phases "${FUZZ_PHASES:-examples,coverage,fuzzing}" \
  --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
  --max-examples "${FUZZ_EXAMPLES:-10}" --workers 1 \
  ${FUZZ_SEED:+--seed "$FUZZ_SEED"} || status=$?
if [ "$status" != 0 ]; then
  echo "== the server's errors"
  grep -E -A30 "ERROR|Traceback" "$work/server.log" | head -200 || true
fi
exit "$status"

#!/usr/bin/env bash
# The API clients, generated from a running server's schema and checked:
#
#   scripts/clients.sh [BASE_URL]          (default http://127.0.0.1:8000)
#
# 1. .venv-clients from requirements-clients.txt (made again when that changes);
# 2. the schema of BASE_URL/api/schema/ as JSON, in var/clients/schema.json;
# 3. the Python client (openapi-python-client, settings in clients/) in
#    var/clients/python, installed into .venv-clients as billing_api_client;
# 4. the TypeScript types (openapi-typescript) in var/clients/typescript/schema.d.ts,
#    and clients/typescript/flow.ts type-checked against them (tsc --strict).
#
# Any generator warning fails the run: a warning means an endpoint or an answer
# left out of a client. The npm tools come from `npm ci`. Then run the flow:
#   .venv-clients/bin/python clients/python_flow.py BASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_URL="${1:-http://127.0.0.1:8000}"
BASE_URL="${BASE_URL%/}"
VENV=.venv-clients
OUT=var/clients
PYTHON="${PYTHON:-python3}"

fail() {
    echo "clients.sh: $*" >&2
    exit 1
}

# Two runs at once would rebuild the same virtualenv and files: one waits.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

for tool in openapi-typescript tsc; do
    [ -x "node_modules/.bin/$tool" ] || fail "node_modules/.bin/$tool is missing: run npm ci"
done

if ! cmp -s requirements-clients.txt "$VENV/requirements-clients.txt"; then
    echo "== $VENV from requirements-clients.txt"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || fail "cannot create $VENV with $PYTHON -m venv"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-clients.txt
    cp requirements-clients.txt "$VENV/requirements-clients.txt"
fi

echo "== schema of $BASE_URL"
# The schema view picks YAML or JSON by the Accept header (?format= is not read).
curl --fail --silent --show-error --max-time 60 \
    --header "Accept: application/vnd.oai.openapi+json" \
    --output "$OUT/schema.json" "$BASE_URL/api/schema/" ||
    fail "cannot download $BASE_URL/api/schema/"
"$VENV/bin/python" -m json.tool "$OUT/schema.json" >/dev/null ||
    fail "$BASE_URL/api/schema/ did not answer JSON"

# Prints a generator's output; fails if it says anything is left out.
no_warnings() {
    local name="$1" log="$2"
    cat "$log"
    if grep -qiE "warn|will not be generated|skipp|omitted|⚠" "$log"; then
        fail "$name warned (above): fix the schema rather than lose an endpoint"
    fi
}

echo "== Python client in $OUT/python"
rm -rf "$OUT/python"
# The generator formats its code with the ruff of the virtualenv.
PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate \
    --path "$OUT/schema.json" \
    --config clients/openapi-python-client.yaml \
    --meta setup \
    --output-path "$OUT/python" \
    --fail-on-warning >"$OUT/python.log" 2>&1 ||
    {
        cat "$OUT/python.log"
        fail "openapi-python-client failed"
    }
no_warnings openapi-python-client "$OUT/python.log"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation --force-reinstall "./$OUT/python"
"$VENV/bin/python" -c "import billing_api_client" || fail "billing_api_client does not import"

echo "== TypeScript types in $OUT/typescript/schema.d.ts"
mkdir -p "$OUT/typescript"
# A request field with a default (an invoice's currency) is one a client may
# leave out: not required in the types. Its checks of the schema: clients/typescript/redocly.yaml.
node_modules/.bin/openapi-typescript "$OUT/schema.json" --default-non-nullable false \
    --redocly clients/typescript/redocly.yaml \
    --output "$OUT/typescript/schema.d.ts" >"$OUT/typescript.log" 2>&1 ||
    {
        cat "$OUT/typescript.log"
        fail "openapi-typescript failed"
    }
no_warnings openapi-typescript "$OUT/typescript.log"
node_modules/.bin/tsc --noEmit --strict --target es2022 --lib es2022,dom \
    --module esnext --moduleResolution bundler clients/typescript/flow.ts ||
    fail "clients/typescript/flow.ts does not type-check against the schema"

echo "The clients are generated and type-check."

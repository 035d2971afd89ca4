#!/usr/bin/env bash
# The one test command (make test calls it; so does .ci/run).
#
# It installs what the tests need on a fresh Debian 12 machine — Chromium for
# the Playground browser tests, the LangChain.js RemoteRunnable client, and a
# real PostgreSQL 17 + pgvector — then runs go vet and the whole test suite
# with the race detector. Give DATABASE_URL-style PGVECTOR_URL* variables to
# use databases of your own instead of the provisioned one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n== %s\n' "$*"; }

step "Chromium (Playground browser tests)"
bash scripts/install-chromium.sh

step "LangChain.js RemoteRunnable client (@langchain/core 0.3.80)"
bash scripts/install-jsclient.sh
export LANGSERVE_JSCLIENT_DIR="$root/.cache/jsclient"

started_pg=0
if [ -z "${PGVECTOR_URL:-}" ]; then
	step "PostgreSQL 17 + pgvector (Debian trixie root, cached)"
	eval "$(bash scripts/pgvector.sh start)"
	started_pg=1
fi
cleanup() {
	if [ "$started_pg" = 1 ]; then bash scripts/pgvector.sh stop || true; fi
}
trap cleanup EXIT

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "go test -race"
go test -race -count=1 -timeout 30m ./...

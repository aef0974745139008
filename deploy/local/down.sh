#!/usr/bin/env bash
# Stops everything local:up started: the services first (they drain consumers and the outbox
# relay), then Kafka, and Postgres/Redis only if local:up had to start them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ -f dist/tools/local/down.js ]; then
  node dist/tools/local/down.js
else
  for pidfile in .cache/local/pids/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
fi
bash deploy/local/infra.sh down

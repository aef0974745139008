#!/usr/bin/env bash
# Local mode (no Docker): Postgres, Redis and a Kafka broker from Maven Central jars, then every
# service as its own process with the same environment compose uses. Stop with local:down.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
started=$(date +%s.%N)
bash deploy/local/infra.sh up
npm run --silent build
node dist/tools/local/up.js
awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "[local] system up in %.1fs\n", e - s }'

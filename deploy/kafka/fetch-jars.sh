#!/usr/bin/env bash
# Collect the Apache Kafka broker jars (plus the reload4j logging backend) from Maven Central
# into <repo>/.cache/kafka/libs. Idempotent: does nothing when the jars for the version pinned in
# deploy/kafka/pom.xml are already there.
#
# Usage: bash deploy/kafka/fetch-jars.sh
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
LIBS_DIR="$REPO_ROOT/.cache/kafka/libs"

log() { echo "[kafka:jars] $*"; }
die() { echo "[kafka:jars] ERROR: $*" >&2; exit 1; }

[[ -f "$POM" ]] || die "missing $POM"

KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$POM" | head -n 1)"
[[ -n "$KAFKA_VERSION" ]] || die "could not read <kafka.version> from $POM"

command -v java >/dev/null 2>&1 \
  || die "'java' not found on PATH; install openjdk-17-jdk-headless and maven (apt-get install -y openjdk-17-jdk-headless maven)"

KAFKA_JAR="$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar"
if [[ -f "$KAFKA_JAR" ]]; then
  log "Kafka $KAFKA_VERSION jars already present in $LIBS_DIR (skipping download)"
  exit 0
fi

command -v mvn >/dev/null 2>&1 \
  || die "'mvn' not found on PATH; install openjdk-17-jdk-headless and maven (apt-get install -y openjdk-17-jdk-headless maven)"

# Jars of another Kafka version would end up on the same classpath: start from an empty directory.
if compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
  log "removing jars of a different Kafka version from $LIBS_DIR"
  rm -rf "$LIBS_DIR"
fi
mkdir -p "$LIBS_DIR"

log "downloading Kafka $KAFKA_VERSION runtime jars into $LIBS_DIR (mvn dependency:copy-dependencies) ..."
mvn -B -q -f "$POM" dependency:copy-dependencies \
  -DincludeScope=runtime \
  -DoutputDirectory="$LIBS_DIR" \
  || die "mvn dependency:copy-dependencies failed (is Maven Central reachable?)"

[[ -f "$KAFKA_JAR" ]] || die "mvn finished but $KAFKA_JAR is missing"
log "done: $(find "$LIBS_DIR" -maxdepth 1 -name '*.jar' | wc -l) jars in $LIBS_DIR"

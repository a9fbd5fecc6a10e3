#!/usr/bin/env bash
# Runs a benchmark: ./bench/run.sh embedding [options]   (./bench/run.sh --help lists them)
# Builds what it needs first. Benchmarks are not part of the test suite.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bin/find-jdk.sh"

(cd "$here" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xms1g -Xmx4g} -jar "$here/bench/target/datastorage-bench.jar" "$@"

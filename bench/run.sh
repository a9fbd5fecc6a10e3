#!/usr/bin/env bash
# Runs a benchmark. Builds what it needs first; benchmarks are not part of the test suite.
#   ./bench/run.sh [--quick]          the service under load next to raw baselines (bench/results/)
#   ./bench/run.sh embedding|search|reconcile [options]   one part on its own
#   ./bench/run.sh write-order [options]   the dual-write orders against a small pool, simulated index delay
#   ./bench/run.sh fence [options]   record-store writes with and without the migration fence, raw inserts
#   ./bench/run.sh integrity [options]   record-store writes with and without the hash-chain sealer running, the
#                                            sealer's throughput (SHA-256 and HMAC)
#   ./bench/run.sh migration [--records N]   backfill through the service and sync validation of generated legacy
#                                            records, raw copy/read and model baselines
#   ./bench/run.sh cluster [--records N] [--recall-records M]   the cluster shape side by side with one machine:
#                                            Lucene ×1, Solr ×1, Solr ×2 replicas, raw Solr upserts and kNN,
#                                            recall@10 of the Solr search (about 30 minutes on 2 cores)
#   ./bench/run.sh cluster-up [--for 60s]   try the cluster shape: PostgreSQL, Redis, a 2-node SolrCloud and
#                                            two replicas on ports 8081/8082 (metrics 9091/9092) until Ctrl-C
#   ./bench/run.sh --help             every benchmark and its options
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bin/find-jdk.sh"

case "${1:-}" in
  service|embedding|search|reconcile|write-order|fence|integrity|migration|cluster|cluster-up|help|-h|--help|-V|--version) ;;
  *) set -- service "$@" ;;
esac

(cd "$here" && ./mvnw -q -B -DskipTests -pl server,bench -am package) >&2
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xms1g -Xmx4g} --add-modules=jdk.incubator.vector -Djava.awt.headless=true -Ddatastorage.home="$here" \
  -jar "$here/bench/target/datastorage-bench.jar" "$@"

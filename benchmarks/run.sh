#!/usr/bin/env bash
# Runs every StateGuard benchmark and writes docs/PERFORMANCE.md:
#   1. JMH micro-benchmarks: the per-command routing decision (1-1,000 patterns, hit/miss, 16/200-byte keys),
#      json:/version extraction (200 B and 64 KiB), high-water-mark updates (1 and 8 threads);
#   2. end-to-end: forked Lettuce clients (pipelined async GET/SET) against a local primary + replica, with no
#      agent, StateGuard (3 configurations), ReadFrom.UPSTREAM, the OpenTelemetry Java agent, and both agents;
#   2b. redisson: the same workload with forked Redisson 4.0 clients (master/slave, ReadMode.SLAVE, async GET/SET in
#      batches), no agent against StateGuard matching no key, routing every state key to the master, replica-checked
#      (ratios of pairs, as end-to-end; no target);
#   3. memory: bytes per tracked key at 10k/100k/1M keys;
#   4. start-up: added time to the first command and added heap of -javaagent;
#   5. replication awareness: a status-polling workload against a replica 60 ms behind and caught up, under
#      routing=primary, causal and replica-checked (share of reads on the replica, stale reads, CPU per read).
# About 13-16 minutes on 2 cores (build included), plus an estimated 5-8 minutes for the Redisson phase. Measurements share the CPU with whatever else runs: run it on a quiet machine
# (the report records the load it saw).
#
# Environment: SKIP_BUILD=1 reuses the previous build; PHASES=jmh,e2e,redisson,replication,memory,startup (default all; a subset
# writes benchmarks/target/results/PERFORMANCE-partial.md instead of docs/PERFORMANCE.md); ROUNDS (5), OPS
# (90000), WARMUP (30000), BATCH (100) (end-to-end and redisson), JMH_WARMUP (2), JMH_ITERATIONS (4), JMH_MS (400), JMH_INCLUDE (regex),
# STARTUP_PAIRS (5), REPL_ROUNDS (3), REPL_KEYS (300), REPL_POLLERS (2), REPL_BATCH (50), REPL_WARMUP_MS (2000),
# REPL_MEASURE_MS (4000), OUT (docs/PERFORMANCE.md).
# The replication phase alone, for development: PHASES=replication benchmarks/run.sh (about 4-5 minutes); with the
# decision's cost: PHASES=jmh,replication JMH_INCLUDE='.*ReplicaDecisionBenchmark.*' benchmarks/run.sh.
# The Redisson comparison alone: PHASES=redisson SKIP_BUILD=1 benchmarks/run.sh; a smoke run of it (under a minute,
# figures meaningless): PHASES=redisson SKIP_BUILD=1 ROUNDS=2 OPS=5000 WARMUP=2000 benchmarks/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

results=benchmarks/target/results
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f benchmarks/target/classpath.txt ]]; then
  echo "Building the agent, the harness and the benchmarks (mvn package, tests skipped)..."
  mvn -B -q -pl benchmarks -am package -Dmaven.test.skip=true
fi
mkdir -p "$results"
command -v redis-server >/dev/null 2>&1 && redis-server --version

# What else is running, for the report.
{ uptime; top -bn1 -w 120 2>/dev/null | head -n 15 || true; } > "$results/load-before.txt"
cat "$results/load-before.txt"

exec java -Xms512m -Xmx1g \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  io.stateguard.benchmarks.Bench \
  --agent agent/target/stateguard-agent.jar \
  --otel benchmarks/target/otel/opentelemetry-javaagent.jar \
  --results "$results" \
  --out "${OUT:-docs/PERFORMANCE.md}" \
  --load-file "$results/load-before.txt" \
  --phases "${PHASES:-all}" \
  --rounds "${ROUNDS:-5}" --ops "${OPS:-90000}" --warmup "${WARMUP:-30000}" --batch "${BATCH:-100}" \
  --jmh-warmup "${JMH_WARMUP:-2}" --jmh-iterations "${JMH_ITERATIONS:-4}" --jmh-ms "${JMH_MS:-400}" \
  --jmh-include "${JMH_INCLUDE:-io\.stateguard\.benchmarks\.micro\..*}" \
  --startup-pairs "${STARTUP_PAIRS:-5}" \
  --replication-rounds "${REPL_ROUNDS:-3}" --replication-keys "${REPL_KEYS:-300}" \
  --replication-pollers "${REPL_POLLERS:-2}" --replication-batch "${REPL_BATCH:-50}" --replication-warmup-ms "${REPL_WARMUP_MS:-2000}" \
  --replication-measure-ms "${REPL_MEASURE_MS:-4000}"

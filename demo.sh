#!/usr/bin/env bash
# StateGuard demo: the reference gateway against a lagging Redis replica, without and with the agent.
#
#   ./demo.sh [--polls N] [--instances N] [--lag-ms N] [--threads N] [--rate N]
#
# Builds the agent jar and the demo classes (only the two modules the demo needs, tests not even compiled, nothing
# taken from or put into ~/.m2 of StateGuard's own), then runs io.stateguard.demo.Demo, which starts
# redis-server processes on free 127.0.0.1 ports (redis-server from STATEGUARD_REDIS_SERVER or PATH, else the
# binary bundled in the embedded-redis jar) and stops everything it started before it exits.
# SKIP_BUILD=1 reuses the previous build.
set -euo pipefail
cd "$(dirname "$0")"

classpath_file=integration-tests/target/demo-classpath.txt
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$classpath_file" ]]; then
  echo "Building the agent and the demo (mvn package, tests not compiled)..."
  # -pl/-am: the agent, the harness and the demo, nothing else (the Spring modules need the integration tests'
  # test-jar, which a build without tests does not make). The class path is written in the same reactor, so
  # the harness comes from this build, never from ~/.m2.
  mvn -B -q -pl agent,integration-tests -am -Dmaven.test.skip=true package dependency:build-classpath \
      -Dmdep.outputFile=target/demo-classpath.txt -DincludeScope=runtime
fi

exec java -XX:TieredStopAtLevel=1 \
  -Dstateguard.agent.jar=agent/target/stateguard-agent.jar \
  -cp "integration-tests/target/classes:$(cat "$classpath_file")" \
  io.stateguard.demo.Demo "$@"

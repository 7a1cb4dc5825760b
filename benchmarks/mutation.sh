#!/usr/bin/env bash
# Mutation testing (PIT) of the agent's client-neutral packages, and the report docs/TESTING.md.
#
# Mutates io.stateguard.agent.keys, .versions, .config, .guard and .routing (not the Lettuce, instrumentation,
# bootstrap and telemetry code, which is tested against real Lettuce and real JVMs) and runs those packages' unit
# tests against each mutant: not the *EndToEndTest tests (they fork JVMs) and not the tests tagged "slow" (random-case and
# thread-racing tests of over a second each; mvn verify runs them). The plugin and its settings are in
# agent/pom.xml; it is bound to no lifecycle phase, so mvn verify never runs it. Uses 2 threads.
#
# The report lists the score of each package and every mutant that survived, with the reason it is equivalent
# from benchmarks/mutation-equivalent.tsv (class, method, line, mutator, reason; tab-separated), and the
# hand-written notes of benchmarks/mutation-notes.md (survivors of earlier runs and the tests that now kill them).
#
# Environment: SKIP_PIT=1 rewrites the report from the last run's agent/target/pit-reports/mutations.xml;
# OUT (docs/TESTING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

command=(mvn -B -pl agent test-compile org.pitest:pitest-maven:mutationCoverage)
xml=${PIT_XML:-agent/target/pit-reports/mutations.xml}
if [[ "${SKIP_PIT:-0}" != 1 ]]; then
  echo "Running: ${command[*]}"
  start=$(date +%s)
  commit_before=$(git rev-parse --short HEAD)$( [[ -z "$(git status --porcelain -- agent)" ]] || echo " (with uncommitted changes)")
  "${command[@]}"
  echo "PIT took $(( $(date +%s) - start )) s"
  # What was measured, for a report rewritten later with SKIP_PIT=1.
  printf '%s\n%s\n' "$commit_before" "$(date -u -d @"$start" '+%Y-%m-%d %H:%M UTC')" > "$(dirname "$xml")/run.txt"
fi
[[ -f "$xml" ]] || { echo "no $xml: run without SKIP_PIT=1" >&2; exit 1; }

python3 - "$xml" "${OUT:-docs/TESTING.md}" "${command[*]}" <<'PY'
import collections, datetime, os, subprocess, sys, xml.etree.ElementTree as ET

xml_path, out_path, command = sys.argv[1:4]
PACKAGES = ["io.stateguard.agent.keys", "io.stateguard.agent.versions", "io.stateguard.agent.config",
            "io.stateguard.agent.guard", "io.stateguard.agent.routing", "io.stateguard.agent.replication"]
TARGET = 85.0
DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}

def text(node, tag):
    child = node.find(tag)
    return "" if child is None or child.text is None else child.text

mutants = []
for m in ET.parse(xml_path).getroot().iter("mutation"):
    cls = text(m, "mutatedClass")
    mutants.append({
        "status": m.get("status"), "class": cls, "package": cls.rsplit(".", 1)[0],
        "method": text(m, "mutatedMethod"), "line": text(m, "lineNumber"),
        "mutator": text(m, "mutator").rsplit(".", 1)[-1], "description": text(m, "description"),
        "killing": text(m, "killingTest"),
    })

equivalent = {}
notes_path = "benchmarks/mutation-equivalent.tsv"
if os.path.exists(notes_path):
    for line in open(notes_path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            cls, method, lineno, mutator, reason = line.rstrip("\n").split("\t", 4)
            equivalent[(cls, method, lineno, mutator)] = reason

import re
source_cache = {}

def source_line(cls, line):
    path = "agent/src/main/java/" + cls.split("$")[0].replace(".", "/") + ".java"
    if path not in source_cache:
        source_cache[path] = open(path, encoding="utf-8").read().split("\n") if os.path.exists(path) else []
    lines = source_cache[path]
    n = int(line or 0)
    return lines[n - 1].strip() if 0 < n <= len(lines) else ""

def automatic_reason(m):
    """Equivalent mutants recognised from the source line itself."""
    text = source_line(m["class"], m["line"])
    if m["mutator"].startswith("BooleanFalseReturn") and re.match(r"return \w+\.fail\(", text):
        return "equivalent: the line returns `VersionReading.fail(...)`, which returns false already"
    if m["mutator"].startswith("BooleanTrueReturn") and re.match(r"return \w+\.succeed\(", text):
        return "equivalent: the line returns `VersionReading.succeed(...)`, which returns true already"
    return None

def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()

run_file = os.path.join(os.path.dirname(xml_path), "run.txt")
if os.path.exists(run_file):
    commit, now = open(run_file, encoding="utf-8").read().splitlines()[:2]
    dirty = ""
else:
    commit = git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "agent") else ""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") + " (report time)"

rows, survivors = [], []
equivalent_count = {}
by_package = collections.defaultdict(list)
for m in mutants:
    by_package[m["package"]].append(m)
for package in PACKAGES:
    ms = by_package.get(package, [])
    total = len(ms)
    counts = collections.Counter(m["status"] for m in ms)
    detected = sum(counts[s] for s in DETECTED)
    score = 100.0 * detected / total if total else 0.0
    equivalents = sum(1 for m in ms if m["status"] not in DETECTED and (
        equivalent.get((m["class"].rsplit(".", 1)[-1], m["method"], m["line"], m["mutator"])) or automatic_reason(m)
        or "").startswith("equivalent"))
    equivalent_count[package] = equivalents
    rows.append((package, total, counts["KILLED"], counts["TIMED_OUT"] + counts["MEMORY_ERROR"] + counts["RUN_ERROR"],
                 counts["SURVIVED"], counts["NO_COVERAGE"], score))
    survivors += [m for m in ms if m["status"] not in DETECTED]

all_total = sum(r[1] for r in rows)
all_detected = sum(r[2] + r[3] for r in rows)
lines = []
w = lines.append
w("# Testing: mutation scores of the agent's client-neutral packages")
w("")
w("Written by `benchmarks/mutation.sh`; do not edit by hand (notes: `benchmarks/mutation-notes.md`, equivalent")
w("mutants: `benchmarks/mutation-equivalent.tsv`).")
w("")
w(f"- Date of the run: {now}")
w(f"- Commit measured: `{commit}`{dirty}")
w(f"- Command: `{command}` (PIT 1.30.2, JUnit 5 plugin 1.2.3, default mutators, 2 threads; settings in `agent/pom.xml`)")
w("- Tests: the unit tests of these packages, without `*EndToEndTest` (forked JVMs) and without the tests tagged `slow`")
w("  (random-case and thread-racing tests over a second each, which `mvn verify` still runs)")
w(f"- Target: at least {TARGET:.0f}% of the mutants detected in each package")
w("")
w("| package | mutants | killed | timed out | survived | no coverage | score | equivalent | score without them | target met |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for package, total, killed, timed, survived, uncovered, score in rows:
    eq = equivalent_count[package]
    adjusted = 100.0 * (killed + timed) / (total - eq) if total - eq else 0.0
    w(f"| `{package}` | {total} | {killed} | {timed} | {survived} | {uncovered} | {score:.1f}% | {eq} | {adjusted:.1f}% | "
      f"{'yes' if score >= TARGET else '**no**'} |")
w(f"| all | {all_total} | | | | | {100.0 * all_detected / max(all_total, 1):.1f}% | {sum(equivalent_count.values())} | | |")
w("")
w("A mutant counts as detected when a test failed (killed) or ran into PIT's time limit (timed out: the mutant")
w("made a loop endless, which a user would notice as a hang). The target is judged on PIT's own score; the")
w("equivalent column counts survivors shown below to behave exactly like the original code.")
w("")
w("## Surviving mutants")
w("")
if not survivors:
    w("None.")
else:
    w("| class | method | line | mutator | change | status | why it survives |")
    w("|---|---|---:|---|---|---|---|")
    for m in sorted(survivors, key=lambda m: (m["class"], int(m["line"] or 0))):
        reason = equivalent.get((m["class"].rsplit(".", 1)[-1], m["method"], m["line"], m["mutator"]))
        reason = reason or automatic_reason(m) or "not analysed yet"
        w(f"| `{m['class'].rsplit('.', 1)[-1]}` | `{m['method']}` | {m['line']} | {m['mutator']} | "
          f"{m['description']} | {m['status'].lower()} | {reason} |")
w("")
if os.path.exists("benchmarks/mutation-notes.md"):
    w(open("benchmarks/mutation-notes.md", encoding="utf-8").read().rstrip())
    w("")
open(out_path, "w", encoding="utf-8").write("\n".join(lines))
print(f"wrote {out_path}")
for package, total, killed, timed, survived, uncovered, score in rows:
    print(f"{package:32s} {score:5.1f}% of {total} ({survived} survived, {uncovered} not covered)")
PY

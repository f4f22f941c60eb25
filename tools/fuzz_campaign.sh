#!/bin/bash
# Coverage-guided fuzzing of every parser (tests/fuzz/, docs/reliability.md): builds the libFuzzer
# targets with clang (-DLIFCHIP_FUZZ=ON, in build-fuzz/), runs each from its committed seeds and
# prints a table of executions, exec/s, coverage and findings per target.
#
#   tools/fuzz_campaign.sh [--runs N] [--seconds S] [--jobs J] [--resume] [--record] [--write-docs] [--report] [TARGET...]
#
# --runs N      executions per target (default 1000000 when --seconds is not given);
# --seconds S   at most S seconds per target (with --runs: whichever comes first).
# --jobs J      targets run at once (default 1).
# --write-docs  puts the table (and this command) into docs/reliability.md between its markers.
# --resume      continues each target's campaign instead of starting it again: runs only the
#               executions its logs still lack (N minus those done, counted up to the last progress
#               line of a run that was stopped), from the corpus its earlier runs grew, into a new
#               log part (BUILD/fuzz-TARGET.partK.log, seed + K). For a campaign longer than the
#               machine stays up; the table sums the parts. A target with a finding is not resumed.
# --record      keeps a short copy of each run's log (final figures, last progress line, the report
#               of an input it saved)
#               in tests/fuzz/campaign/, to be committed: a new checkout's BUILD has no logs, so the
#               script copies the recorded ones there first, and --resume and --report go on from
#               them. A run without --resume (a new campaign) drops the target's recorded logs.
# --report      runs nothing: the table of the last run's logs (BUILD/fuzz-TARGET[.partK].log).
# TARGET...     a subset (names as in tests/fuzz/CMakeLists.txt: image_binary, nir, host_if, ...).
# Environment: LIFCHIP_FUZZ_BUILD_DIR (default build-fuzz), LIFCHIP_JOBS (build jobs, default 2).
# Each target stops at its first finding; the input is kept in BUILD/fuzz-artifacts/TARGET/ and the
# script exits 1. Run it on an otherwise idle machine: libFuzzer's -timeout (30 s) is wall time, so a
# fuzzer starved by other work (or niced beside it) reports timeouts on inputs that take a second. New inputs found go to BUILD/fuzz-work/TARGET/, never into the committed seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="" seconds="" jobs=1 resume=0 record=0 write_docs=0 report=0 targets=()
cmdline="tools/fuzz_campaign.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --resume) resume=1; shift ;;
    --record) record=1; shift ;;
    --write-docs) write_docs=1; shift ;;
    --report) report=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "fuzz_campaign.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(image_binary image_text flat_stream stimuli probes run_result network_proto nir npy csv energy_model
     bindings suite golden host_if)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

build=${LIFCHIP_FUZZ_BUILD_DIR:-build-fuzz}
recorded=tests/fuzz/campaign

# A target's logs: the first run's, then its resumed parts in order.
logs_of() {
  local t=$1 k=1
  [ -f "$build/fuzz-$t.log" ] && echo "$build/fuzz-$t.log"
  while [ -f "$build/fuzz-$t.part$k.log" ]; do echo "$build/fuzz-$t.part$k.log"; k=$((k + 1)); done
  return 0
}
# Executions of one log: libFuzzer's final count, or (a run stopped from outside) its last progress line's.
execs_of() {
  local n
  n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$1" 2>/dev/null | awk '{print $2}' | tail -1 || true)
  [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$1" 2>/dev/null | tr -d '#' | tail -1 || true)
  echo "${n:-0}"
}
# Its average exec/s: the final figure, or the last progress line's.
rate_of() {
  local r
  r=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$1" 2>/dev/null | awk '{print $2}' | tail -1 || true)
  [ -n "$r" ] || r=$(grep -o 'exec/s: [0-9]*' "$1" 2>/dev/null | awk '{print $2}' | tail -1 || true)
  echo "${r:-0}"
}
findings_of() {
  (find "$build/fuzz-artifacts/$1" -type f ! -name 'slow-unit-*' 2>/dev/null || true) | wc -l
}
# Where a run's log says it ran: the commit checked out and the day.
stamp() { echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(date -u +%F)"; }
# The short copy of a log that --record keeps: where and on what it ran, libFuzzer's last progress
# line and final figures, and the report of a saved input (a finding's or a slow unit's; its last 8
# of its lines). Reports without a saved input are left out: `nir`'s reader processes, where libhdf5
# runs, print one for every corrupt file that ends them (docs/reliability.md).
record_log() {
  local log=$1 out
  out="$recorded/$(basename "$log")"
  mkdir -p "$recorded"
  {
    grep -m1 -E '^lifchip-campaign:' "$log" ||
      echo "lifchip-campaign: recorded at $(stamp)"
    grep -E '^INFO: Seed:' "$log" | head -1 || true
    grep -E '^#[0-9]+' "$log" | tail -1 || true
    if grep -q 'Test unit written to' "$log"; then
      grep -E '^==[0-9]+== ?ERROR|^SUMMARY:|^artifact_prefix|^Test unit written' "$log" | tail -8 || true
    fi
    grep -E '^Done [0-9]+ runs|^stat::' "$log" || true
  } >"$out"
}
# A checkout's first run (no logs in BUILD) starts from the recorded ones; --report --record
# records the logs BUILD has (a campaign run without --record, or stopped from outside).
mkdir -p "$build"
for t in "${targets[@]}"; do
  if [ -z "$(logs_of "$t")" ] && [ -f "$recorded/fuzz-$t.log" ]; then
    cp "$recorded/fuzz-$t.log" "$recorded/fuzz-$t".part*.log "$build/" 2>/dev/null || true
  elif [ "$report" = 1 ] && [ "$record" = 1 ]; then
    for log in $(logs_of "$t"); do record_log "$log"; done
  fi
done
if [ "$report" = 0 ]; then
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DLIFCHIP_FUZZ=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j "${LIFCHIP_JOBS:-2}" --target lifchip_fuzz_all >/dev/null

# Leaks are not findings: protobuf's, HDF5's and SystemC's process-wide caches live until exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
[ -n "$runs" ] || [ -n "$seconds" ] || runs=1000000
limit=()
[ -z "$runs" ] || limit+=(-runs="$runs")
[ -z "$seconds" ] || limit+=(-max_total_time="$seconds")
# A fixed seed: with --runs, a campaign on the same commit and compiler is the same campaign.
limit+=(-seed="${LIFCHIP_FUZZ_SEED:-1}")

run_one() {
  local t=$1 work="$build/fuzz-work/$1" art="$build/fuzz-artifacts/$1" malloc_mb=1024 log="$build/fuzz-$1.log"
  if [ "$resume" = 1 ] && [ -n "$(logs_of "$t")" ]; then
    [ "$(findings_of "$t")" -eq 0 ] || { echo "fuzz: $t: not resumed, it has a finding in $art" >&2; return 0; }
    local done=0 k=0 f
    for f in $(logs_of "$t"); do done=$((done + $(execs_of "$f"))) k=$((k + 1)); done
    if [ -n "$runs" ]; then
      [ "$done" -lt "$runs" ] || { echo "fuzz: $t: $done executions done, nothing to resume" >&2; return 0; }
      limit=("${limit[@]/#-runs=*/-runs=$((runs - done))}")
    fi
    limit=("${limit[@]/#-seed=*/-seed=$((${LIFCHIP_FUZZ_SEED:-1} + k))}")
    log="$build/fuzz-$t.part$k.log"
  else
    rm -rf "$art" "$build/fuzz-$t".part*.log
    [ "$record" = 0 ] || rm -f "$recorded/fuzz-$t.log" "$recorded/fuzz-$t".part*.log
  fi
  mkdir -p "$work" "$art"
  # libhdf5 reads a NIR file in a child process (mapper/src/nir_isolated.cpp) whose corrupt-size
  # requests end that child, not this one; libFuzzer's malloc hook would still see them in the child
  # and save a finding, so nir's per-allocation limit is ASan's own (1 TiB); -rss_limit_mb still
  # watches this process.
  [ "$t" != nir ] || malloc_mb=1048576
  # -rss_limit_mb: a parser that allocates from a declared size shows here as an OOM finding;
  # -timeout: a loop that a corrupt file makes endless shows as a timeout finding.
  {
    echo "lifchip-campaign: $(stamp), $(nproc) CPUs"
    "$build/tests/fuzz/fuzz_$t" "${limit[@]}" -rss_limit_mb=2048 -malloc_limit_mb=$malloc_mb -timeout=30 \
      -print_final_stats=1 -artifact_prefix="$art/" "$work" "tests/fuzz/corpus/$t" || true
  } >"$log" 2>&1
  [ "$record" = 0 ] || record_log "$log"
}
export -f run_one logs_of execs_of findings_of record_log stamp
export build resume runs record recorded
export limit_s="${limit[*]}"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'limit=($limit_s); run_one {}'
fi

table="| target | executions | exec/s | coverage (edges) | features | slow units | findings |
|---|---:|---:|---:|---:|---:|---:|"
failed=0
for t in "${targets[@]}"; do
  # The parts of a resumed campaign: executions summed, exec/s over their summed time, coverage
  # from the last part (each part starts from the corpus the earlier ones grew).
  # (A part too short for libFuzzer to state its exec/s makes the sum's exec/s unknown.)
  execs="" rate="" cov="" ft="" parts=0 secs=0 timed=1 log=""
  for log in $(logs_of "$t"); do
    n=$(execs_of "$log") r=$(rate_of "$log")
    execs=$((${execs:-0} + n)) parts=$((parts + 1))
    if [ "$r" -gt 0 ]; then secs=$(awk -v s="$secs" -v n="$n" -v r="$r" 'BEGIN{print s + n / r}'); else timed=0; fi
    c=$(grep -o 'cov: [0-9]*' "$log" 2>/dev/null | awk '{print $2}' | tail -1 || true)
    f=$(grep -o 'ft: [0-9]*' "$log" 2>/dev/null | awk '{print $2}' | tail -1 || true)
    cov=${c:-$cov} ft=${f:-$ft}
  done
  [ -n "$log" ] || log="$build/fuzz-$t.log"
  if [ "$parts" -eq 1 ]; then rate=$r; elif [ "$parts" -gt 1 ] && [ "$timed" = 1 ]; then
    rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN{printf "%d", n / s}')
  fi
  [ "$parts" -le 1 ] || execs="$execs ($parts runs)"
  # libFuzzer also saves inputs slower than 10 s (slow-unit-*): kept for a look, not findings. A
  # starved fuzzer (other work on the machine) makes them, and timeouts too: -timeout is wall time.
  slow=$( (find "$build/fuzz-artifacts/$t" -type f -name 'slow-unit-*' 2>/dev/null || true) | wc -l)
  found=$(findings_of "$t")
  if [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz: $t: finding(s) in $build/fuzz-artifacts/$t (log: $log); its report:" >&2
    # The report, without libFuzzer's progress lines, so that a CI log shows what was found.
    grep -v -E '^#[0-9]+|^INFO:|^\s+NEW_FUNC' "$log" 2>/dev/null | tail -40 >&2 || true
  fi
  table+="
| $t | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $slow | $found |"
done
echo "$table"

if [ "$write_docs" = 1 ]; then
  /usr/bin/python3 - "$cmdline" "$table" <<'PY'
import re, sys, datetime
cmd, table = sys.argv[1], sys.argv[2]
p = "docs/reliability.md"
s = open(p).read()
body = f"<!-- fuzz-campaign:begin -->\n`{cmd}` (clang 14, libFuzzer + ASan + UBSan, {datetime.date.today()}):\n\n{table}\n<!-- fuzz-campaign:end -->"
s = re.sub(r"<!-- fuzz-campaign:begin -->.*?<!-- fuzz-campaign:end -->", lambda m: body, s, flags=re.S)
open(p, "w").write(s)
PY
fi
exit $failed

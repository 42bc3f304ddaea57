#!/usr/bin/env bash
# Runs the whole test suite: scripts/test.sh [extra dotnet test args, e.g. --filter ...]
#
# PostgreSQL-backed tests use the connection string in ConnectionStrings__Licensing.
# When it is not set, a throwaway PostgreSQL 15 cluster is started for the run
# (see scripts/postgres.sh) and removed again on exit, failure or interrupt.
# TRX result files go to ./TestResults (cleared at the start of each run).
# Prints "Tests: N passed, N failed, N skipped" at the end and exits with
# dotnet test's exit code.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

results_dir=$root/TestResults

solution=OrleansLicensing.sln

pg_dir=
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if [ -n "$pg_dir" ]; then
        scripts/postgres.sh stop "$pg_dir" || echo "test.sh: warning: could not stop PostgreSQL in $pg_dir" >&2
        pg_dir=
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${ConnectionStrings__Licensing:-}" ]; then
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/orleans-licensing-test-pg.XXXXXX")
    ConnectionStrings__Licensing=$(scripts/postgres.sh start "$pg_dir")
    export ConnectionStrings__Licensing
    echo "test.sh: using throwaway PostgreSQL: $ConnectionStrings__Licensing" >&2
else
    echo "test.sh: using PostgreSQL from ConnectionStrings__Licensing" >&2
fi

rm -rf "$results_dir"
mkdir -p "$results_dir"

# global.json selects Microsoft.Testing.Platform for dotnet test (xunit.v3). One test assembly at a
# time: xunit names its trx files by timestamp, and parallel assemblies could overwrite each other's.
# --output Normal prints failures (with their messages) and skips, not every passing test; the totals
# below are counted from the TRX files, whatever the console shows.
test_args=(--solution "$solution" -c Release
    --output Normal
    --results-directory "$results_dir" --report-xunit-trx
    --max-parallel-test-modules "${TEST_MAX_PARALLEL_MODULES:-1}")

rc=0
dotnet test "${test_args[@]}" "$@" </dev/null || rc=$?

# Races that optimized code hides (a field read twice; tests of trait Category=Race, e.g.
# CommitWindowTests) run once more with the JIT's minimal optimization, where they show reliably.
# Only on a whole run: extra arguments (a --filter) select tests themselves.
if [ $# -eq 0 ]; then
    DOTNET_JITMinOpts=1 dotnet test --project tests/OrleansLicensing.Grains.Tests -c Release --no-build \
        --output Normal --results-directory "$results_dir" --report-xunit-trx \
        --filter-trait "Category=Race" </dev/null || rc=$?
fi

# Totals over every TRX file (one per test assembly). Failed includes errors,
# timeouts and aborts; skipped is whatever was neither passed nor failed.
summary=$(find "$results_dir" -name '*.trx' -type f -exec grep -ho '<Counters [^>]*>' {} + 2>/dev/null | awk '
    function attr(line, name,    s) {
        if (match(line, " " name "=\"[0-9]+\"")) {
            s = substr(line, RSTART, RLENGTH)
            gsub(/[^0-9]/, "", s)
            return s + 0
        }
        return 0
    }
    {
        t = attr($0, "total"); p = attr($0, "passed")
        f = attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted")
        passed += p; failed += f
        s = t - p - f; if (s > 0) skipped += s
    }
    END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
')
# The failed tests again, last, with the first lines of their messages: a long run's console output
# is often seen only by its tail, and a failure's own report can be far above it.
find "$results_dir" -name '*.trx' -type f -exec cat {} + 2>/dev/null | awk '
    BEGIN { RS = "<UnitTestResult " }
    # The outcome of the record'"'"'s own tag only: the last record also holds <ResultSummary outcome=...>.
    NR > 1 && match($0, /^[^>]*outcome="(Failed|Error|Timeout|Aborted)"/) {
        name = ""
        if (match($0, /testName="[^"]*"/)) name = substr($0, RSTART + 10, RLENGTH - 11)
        message = ""
        if (match($0, /<Message>[^<]*<\/Message>/)) message = substr($0, RSTART + 9, RLENGTH - 19)
        gsub(/&lt;/, "<", message); gsub(/&gt;/, ">", message); gsub(/&quot;/, "\"", message)
        gsub(/&apos;/, "\047", message); gsub(/&#xD;/, "", message); gsub(/&#xA;/, "\n", message); gsub(/&amp;/, "\\&", message)
        gsub(/&quot;/, "\"", name); gsub(/&amp;/, "\\&", name)
        printf "FAILED %s\n", name
        n = split(message, lines, "\n")
        for (i = 1; i <= n && i <= 12; i++) printf "    %s\n", lines[i]
        if (n > 12) printf "    ... (%d more lines in the TRX file)\n", n - 12
    }
'
echo "$summary"
exit "$rc"

#!/usr/bin/env bash
# Hot-path benchmark (docs/benchmarks.md): builds Release, starts the server on the embedded default
# (SQLite) and then on PostgreSQL, seeds accounts, apps and licenses through the API, drives load
# with wrk (a separate process, Lua script scripts/bench/load.lua) and prints one table per engine:
# scenario, requests/s, ratio to GET /health/live measured in the same run, p50/p99/p99.9, errors,
# p99 at 70 % of the peak rate, server CPU per request and the exact credit check. The rows "floor: …"
# run the product's validate code without grains and storage, then with one and two no-op grain calls
# (tests/OrleansLicensing.Benchmarks.Floor), as ratios to the product's /health/live of the same run.
#
#   scripts/bench.sh                       # both engines (installs wrk and PostgreSQL if missing)
#   scripts/bench.sh --sqlite              # embedded default only
#   scripts/bench.sh --postgres            # PostgreSQL only: ConnectionStrings__Licensing, or a throwaway server
#   scripts/bench.sh --quick               # smaller run to try it out (5 s runs, 10,000 activations)
#   scripts/bench.sh -- --duration 20      # anything after -- goes to the load driver
#                                          # (--connections, --duration, --bound, --once, --collection-age, --only 'a|b')
#                                          # (--warm-up S: unmeasured seconds before each row, default 3; the warm-up
#                                          #  then goes on in 1 s runs, up to 30 s, until the server's JIT is quiet)
#   BENCH_KEEP=1 scripts/bench.sh          # keep the work directory (server logs, data) for a look afterwards
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

engines=(sqlite postgres)
driver_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sqlite) engines=(sqlite); shift ;;
        --postgres) engines=(postgres); shift ;;
        --quick) driver_args+=(--duration 5 --bound 400 --once 10000); shift ;;
        --) shift; driver_args+=("$@"); break ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
    echo "bench.sh: installing wrk (Debian package)" >&2
    as_root apt-get install -y wrk >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/orleans-licensing-bench.XXXXXX")
chmod 755 "$work" # the throwaway PostgreSQL cluster lives below it and runs as user postgres
pg_dir=
cleanup() {
    if [ -n "$pg_dir" ]; then scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "bench.sh: building Release" >&2
dotnet build src/OrleansLicensing.Server -c Release -v quiet -nologo >/dev/null
dotnet build tests/OrleansLicensing.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build tests/OrleansLicensing.Benchmarks.Floor -c Release -v quiet -nologo >/dev/null

server_dll=$root/src/OrleansLicensing.Server/bin/Release/net10.0/OrleansLicensing.Server.dll
driver=$root/tests/OrleansLicensing.Benchmarks/bin/Release/net10.0/OrleansLicensing.Benchmarks.dll
floor_dll=$root/tests/OrleansLicensing.Benchmarks.Floor/bin/Release/net10.0/OrleansLicensing.Benchmarks.Floor.dll
echo "bench.sh: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

rc=0
for engine in "${engines[@]}"; do
    engine_args=()
    if [ "$engine" = postgres ]; then
        if [ -z "${ConnectionStrings__Licensing:-}" ]; then
            pg_dir=$work/pg
            ConnectionStrings__Licensing=$(scripts/postgres.sh start "$pg_dir")
        fi
        engine_args=(--postgres "$ConnectionStrings__Licensing")
    fi
    dotnet "$driver" auth --server-dll "$server_dll" --work "$work/$engine" --script "$root/scripts/bench/load.lua" --floor-dll "$floor_dll" \
        "${engine_args[@]}" "${driver_args[@]}" || rc=$?
done
exit $rc

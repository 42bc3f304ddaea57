#!/usr/bin/env bash
# A silo dying under load (docs/benchmarks.md, "Failover"): builds Release, starts a throwaway
# PostgreSQL (or uses ConnectionStrings__Licensing) and three silos of the server on it, seeds bound
# licenses through the API, drives validates at all three silos with wrk, kills one silo with
# SIGKILL at 10 s and restarts it at 25 s, then prints what the surviving silos answered, how long
# the restarted silo took to be ready, the credit check and the replay check.
#
#   scripts/bench-failover.sh                          # defaults: 900 licenses, 42 connections, 40 s
#   scripts/bench-failover.sh -- --kill-at 15 --restart-at 30 --duration 50 --connections 60
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
driver_args=()
if [ "${1:-}" = "--" ]; then shift; driver_args=("$@"); fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
    as_root apt-get install -y wrk >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/orleans-licensing-failover.XXXXXX")
chmod 755 "$work"
pg_dir=
cleanup() {
    if [ -n "$pg_dir" ]; then scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench-failover.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "bench-failover.sh: building Release" >&2
dotnet build src/OrleansLicensing.Server -c Release -v quiet -nologo >/dev/null
dotnet build tests/OrleansLicensing.Benchmarks -c Release -v quiet -nologo >/dev/null
if [ -z "${ConnectionStrings__Licensing:-}" ]; then
    pg_dir=$work/pg
    ConnectionStrings__Licensing=$(scripts/postgres.sh start "$pg_dir")
fi
dotnet tests/OrleansLicensing.Benchmarks/bin/Release/net10.0/OrleansLicensing.Benchmarks.dll failover \
    --server-dll "$root/src/OrleansLicensing.Server/bin/Release/net10.0/OrleansLicensing.Server.dll" \
    --work "$work" --script "$root/scripts/bench/load.lua" --postgres "$ConnectionStrings__Licensing" "${driver_args[@]}"

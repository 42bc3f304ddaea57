#!/usr/bin/env bash
# License listing at scale: starts a Release server on a throwaway data directory, creates licenses
# through the API (throughput), seeds the app's listing index to --licenses rows (default 1,000,000),
# and prints GET /v1/licenses page latencies (p50/p99).
#
#   scripts/bench-listing.sh                      # embedded default (SQLite)
#   scripts/bench-listing.sh --postgres           # PostgreSQL: ConnectionStrings__Licensing, or a throwaway server
#   scripts/bench-listing.sh --licenses 200000 --api-creates 5000
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

engine=sqlite
bench_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) engine=postgres; shift ;;
        *) bench_args+=("$1"); shift ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/orleans-licensing-bench.XXXXXX")
chmod 755 "$work" # the throwaway PostgreSQL cluster lives below it and runs as user postgres
server_pid=
pg_dir=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$pg_dir" ]; then scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

dotnet build src/OrleansLicensing.Server -c Release -v quiet -nologo >/dev/null
dotnet build tests/OrleansLicensing.Benchmarks -c Release -v quiet -nologo >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
token="bench-operator-token-$(date +%s%N)"
export Licensing__DataDirectory=$work/data Licensing__OperatorToken=$token
export Licensing__Api__RateLimits__Burst=0 Licensing__Api__RateLimits__PerSecond=0
export Orleans__SiloPort=$((port + 1)) Orleans__GatewayPort=$((port + 2))
export Logging__LogLevel__Default=Warning
db_args=(--sqlite "$work/data/licensing.db")
if [ "$engine" = postgres ]; then
    if [ -z "${ConnectionStrings__Licensing:-}" ]; then
        pg_dir=$work/pg
        ConnectionStrings__Licensing=$(scripts/postgres.sh start "$pg_dir")
        export ConnectionStrings__Licensing
    fi
    export Licensing__Storage__Provider=PostgreSql
    export Licensing__MasterKey=$(head -c 32 /dev/urandom | base64)
    export Licensing__Auth__SessionTokenSecrets__0=$(head -c 48 /dev/urandom | base64)
    export Orleans__ClusterId=bench-$RANDOM
    db_args=(--postgres "$ConnectionStrings__Licensing")
fi

dotnet src/OrleansLicensing.Server/bin/Release/net10.0/OrleansLicensing.Server.dll --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

echo "bench-listing: $engine, server on 127.0.0.1:$port, $(nproc) cores"
dotnet tests/OrleansLicensing.Benchmarks/bin/Release/net10.0/OrleansLicensing.Benchmarks.dll listing \
    --url "http://127.0.0.1:$port" --operator-token "$token" "${db_args[@]}" "${bench_args[@]}"

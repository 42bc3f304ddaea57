#!/usr/bin/env bash
# A throwaway cluster on one machine: PostgreSQL (scripts/postgres.sh) plus N silos of the Release
# server, each a background process with its own ports, all in one Orleans cluster.
#
#   scripts/cluster.sh start [N]   build, start PostgreSQL and N silos (default 3), wait until every
#                                  silo's /health/ready answers 200
#   scripts/cluster.sh status      each silo's pid, address and readiness (exit 1 if one is not ready)
#   scripts/cluster.sh stop        stop exactly the silos it started (by PID), then PostgreSQL
#
# Silo i (1..N) serves HTTP on 127.0.0.1:$((8080+i)), silo port 11111+i, gateway 30000+i.
# State lives in $CLUSTER_DIR (default <repo>/.cluster): secrets.env (operator token, master key,
# session-token secret; generated on the first start, shared by every silo), silo-i.pid,
# silo-i.log (each silo's log), silo-i/ (data directory) and pg/ (the PostgreSQL cluster).
# CLUSTER_NO_BUILD=1 skips the build.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${CLUSTER_DIR:-$root/.cluster}
bin_dir=$root/src/OrleansLicensing.Server/bin/Release/net10.0
dll=$bin_dir/OrleansLicensing.Server.dll
cluster_id=orleans-licensing-local
ready_timeout=${CLUSTER_READY_TIMEOUT:-180}

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { echo "usage: $0 {start [N]|status|stop}" >&2; exit 2; }

http_port() { echo $((8080 + $1)); }
silo_port() { echo $((11111 + $1)); }
gateway_port() { echo $((30000 + $1)); }

# The PID of silo i if that process is still our server (a recycled PID is not ours to signal).
silo_pid() {
    local file=$state/silo-$1.pid pid
    [ -f "$file" ] || return 1
    pid=$(cat "$file")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "OrleansLicensing.Server.dll" || return 1
    echo "$pid"
}

started_silos() {
    local file
    for file in "$state"/silo-*.pid; do
        [ -e "$file" ] || continue
        file=${file##*/silo-}
        echo "${file%.pid}"
    done | sort -n
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

ready_status() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$(http_port "$1")/health/ready" 2>/dev/null || true
}

ensure_secrets() {
    if [ ! -f "$state/secrets.env" ]; then
        umask 077
        {
            echo "Licensing__OperatorToken=op_$(openssl rand -hex 24)"
            echo "Licensing__MasterKey=$(openssl rand -base64 32)"
            echo "Licensing__Auth__SessionTokenSecrets__0=$(openssl rand -base64 32)"
        } >"$state/secrets.env"
        log "generated the cluster's operator token, master key and session-token secret into $state/secrets.env"
    fi
}

start_silo() {
    local i=$1 connection=$2
    mkdir -p "$state/silo-$i"
    (
        set -a
        # shellcheck disable=SC1091
        . "$state/secrets.env"
        set +a
        export Licensing__Storage__Provider=PostgreSql
        export ConnectionStrings__Licensing=$connection
        export Licensing__DataDirectory=$state/silo-$i
        export Orleans__ClusterId=$cluster_id Orleans__AdvertisedIPAddress=127.0.0.1
        export Orleans__SiloPort=$(silo_port "$i") Orleans__GatewayPort=$(gateway_port "$i")
        # --contentRoot: appsettings.json (quiet log levels) sits beside the dll, not in the caller's directory.
        nohup dotnet "$dll" --contentRoot "$bin_dir" --urls "http://127.0.0.1:$(http_port "$i")" \
            >"$state/silo-$i.log" 2>&1 </dev/null &
        echo $! >"$state/silo-$i.pid"
    )
}

do_start() {
    local n=${1:-3}
    [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "N must be a number from 1 to 99 (got '$n')"
    command -v curl >/dev/null || die "curl is required"
    command -v openssl >/dev/null || die "openssl is required"
    mkdir -p "$state"
    state=$(cd "$state" && pwd)

    if [ "${CLUSTER_NO_BUILD:-}" != 1 ]; then
        log "building the Release server ..."
        dotnet build "$root/src/OrleansLicensing.Server" -c Release -v quiet -nologo >"$state/build.log" 2>&1 \
            || { tail -n 30 "$state/build.log" >&2; die "build failed (see $state/build.log)"; }
    fi
    [ -f "$dll" ] || die "$dll is missing"

    local connection
    connection=$("$root/scripts/postgres.sh" start "$state/pg")
    ensure_secrets

    local began i pending=()
    began=$(date +%s.%N)
    for i in $(seq 1 "$n"); do
        if pid=$(silo_pid "$i"); then
            log "silo $i already running (pid $pid)"
        else
            start_silo "$i" "$connection"
            log "silo $i started (pid $(cat "$state/silo-$i.pid")), http://127.0.0.1:$(http_port "$i"), log $state/silo-$i.log"
        fi
        pending+=("$i")
    done

    local deadline=$(( $(date +%s) + ready_timeout )) remaining
    while [ ${#pending[@]} -gt 0 ]; do
        remaining=()
        for i in "${pending[@]}"; do
            if ! silo_pid "$i" >/dev/null; then
                tail -n 5 "$state/silo-$i.log" >&2 || true
                die "silo $i exited during start-up (log: $state/silo-$i.log)"
            fi
            if [ "$(ready_status "$i")" = 200 ]; then
                printf 'silo %s ready after %.1f s: http://127.0.0.1:%s\n' "$i" "$(elapsed "$began")" "$(http_port "$i")"
            else
                remaining+=("$i")
            fi
        done
        pending=("${remaining[@]+"${remaining[@]}"}")
        [ ${#pending[@]} -eq 0 ] && break
        [ "$(date +%s)" -lt "$deadline" ] || die "silos ${pending[*]} not ready after ${ready_timeout} s (logs in $state)"
        sleep 0.5
    done
    printf 'cluster of %s silos ready in %.1f s; operator token: %s\n' "$n" "$(elapsed "$began")" \
        "$(sed -n 's/^Licensing__OperatorToken=//p' "$state/secrets.env")"
}

do_status() {
    [ -d "$state" ] || { echo "no cluster ($state does not exist)"; return 1; }
    local all_ready=0 i pid code
    if [ -d "$state/pg" ] && "$root/scripts/postgres.sh" status "$state/pg" 2>/dev/null; then
        echo "postgresql: running ($("$root/scripts/postgres.sh" url "$state/pg"))"
    else
        echo "postgresql: not running"
        all_ready=1
    fi
    for i in $(started_silos); do
        if pid=$(silo_pid "$i"); then
            code=$(ready_status "$i")
            if [ "$code" = 200 ]; then
                echo "silo $i: pid $pid, http://127.0.0.1:$(http_port "$i"), ready"
            else
                echo "silo $i: pid $pid, http://127.0.0.1:$(http_port "$i"), not ready (/health/ready: ${code:-no answer})"
                all_ready=1
            fi
        else
            echo "silo $i: not running (log: $state/silo-$i.log)"
            all_ready=1
        fi
    done
    return $all_ready
}

do_stop() {
    [ -d "$state" ] || { log "nothing to stop: $state does not exist"; return 0; }
    local i pid pids=()
    for i in $(started_silos); do
        if pid=$(silo_pid "$i"); then
            kill -TERM "$pid"
            pids+=("$i:$pid")
        fi
    done
    # A graceful stop hands grains over and leaves the membership table; allow it 40 s.
    local deadline=$(( $(date +%s) + 40 )) entry
    for entry in "${pids[@]+"${pids[@]}"}"; do
        i=${entry%%:*}; pid=${entry#*:}
        while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "silo $i (pid $pid) did not stop in time; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "silo $i stopped (pid $pid)"
    done
    rm -f "$state"/silo-*.pid
    if [ -d "$state/pg" ]; then
        "$root/scripts/postgres.sh" stop "$state/pg"
    fi
}

[ $# -ge 1 ] || usage
case "$1" in
    start) [ $# -le 2 ] || usage; do_start "${2:-3}" ;;
    status) do_status ;;
    stop) do_stop ;;
    *) usage ;;
esac

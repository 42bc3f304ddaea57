#!/usr/bin/env bash
# Throwaway local PostgreSQL 15 cluster for tests and development.
#
#   scripts/postgres.sh start  [DIR]   create (if needed) and start a cluster under DIR;
#                                      prints an Npgsql connection string on stdout
#   scripts/postgres.sh stop   [DIR]   stop the cluster and remove DIR
#   scripts/postgres.sh url    [DIR]   print the connection string of the cluster under DIR
#   scripts/postgres.sh status [DIR]   exit 0 if the cluster under DIR is running
#
# DIR defaults to ${TMPDIR:-/tmp}/orleans-licensing-pg. Log messages go to stderr.
# The server listens on 127.0.0.1 only, on a free port, with trust authentication
# for the "postgres" superuser; the Unix socket lives in DIR.
# If the PostgreSQL 15 server binaries are missing they are installed with apt-get
# (Debian package "postgresql"), which requires root.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARKER=.orleans-licensing-pg

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 {start|stop|url|status} [DIR]" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
cmd=$1
dir=${2:-${TMPDIR:-/tmp}/orleans-licensing-pg}
[ -n "$dir" ] || die "empty directory argument"
case "$dir" in
    *"'"* | *'"'*) die "directory path must not contain quotes: $dir" ;;
esac

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as the cluster owner: the postgres user when we are root.
as_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

abs_dir() { (cd "$dir" && pwd -P); }

conn_string() { printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=postgres\n' "$1"; }

is_running() {
    [ -f "$dir/data/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] \
        && as_owner "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

ensure_installed() {
    [ -x "$PG_BIN/initdb" ] && return 0
    is_root || die "PostgreSQL 15 server binaries not found in $PG_BIN and not running as root; install them with: sudo apt-get install postgresql"
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL 15 server binaries not found in $PG_BIN and apt-get is unavailable"
    log "installing PostgreSQL 15 (apt-get install postgresql) ..."
    apt-get -qq update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends postgresql </dev/null >&2 \
        || die "apt-get install postgresql failed"
    [ -x "$PG_BIN/initdb" ] || die "postgresql was installed but $PG_BIN/initdb is still missing (not PostgreSQL 15?)"
}

port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]
    else
        # Something accepting connections on the port means it is taken.
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

pick_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        port_in_use "$port" || { echo "$port"; return 0; }
    done
    die "could not find a free TCP port"
}

do_start() {
    if is_running && [ -f "$dir/port" ]; then
        conn_string "$(cat "$dir/port")"
        return 0
    fi

    ensure_installed

    mkdir -p "$dir"
    dir=$(abs_dir)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        if [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/$MARKER" ]; then
            die "$dir is not empty and is not a cluster created by this script"
        fi
    fi
    touch "$dir/$MARKER"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (is the postgresql package installed?)"
        chown -R postgres: "$dir"
        chmod 700 "$dir"
        runuser -u postgres -- test -w "$dir" \
            || die "user 'postgres' cannot access $dir (a parent directory is not traversable?); choose another DIR or TMPDIR"
    fi

    if [ ! -f "$dir/data/PG_VERSION" ]; then
        log "initializing cluster in $dir/data"
        as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi

    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        log "starting PostgreSQL on 127.0.0.1:$port"
        if as_owner "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=400" >/dev/null 2>&1; then
            break
        fi
        if is_running; then
            break
        fi
        log "start on port $port failed (attempt $attempt)"
        port=
    done
    [ -n "$port" ] || { tail -n 20 "$dir/server.log" >&2 2>/dev/null || true; die "could not start PostgreSQL (see $dir/server.log)"; }

    for _ in $(seq 1 60); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
            echo "$port" >"$dir/port"
            is_root && chown postgres: "$dir/port"
            conn_string "$port"
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    die "PostgreSQL did not become ready on port $port"
}

do_stop() {
    if [ ! -d "$dir" ]; then
        log "nothing to stop: $dir does not exist"
        return 0
    fi
    dir=$(abs_dir)
    if is_running; then
        log "stopping PostgreSQL in $dir"
        as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null 2>&1 \
            || as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null 2>&1 \
            || die "could not stop PostgreSQL in $dir"
    fi
    # Only ever delete a directory this script set up (or an empty one).
    if [ -f "$dir/$MARKER" ] || [ -z "$(ls -A "$dir")" ]; then
        rm -rf "$dir"
        log "removed $dir"
    else
        die "refusing to remove $dir: not created by this script"
    fi
}

do_url() {
    [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
    conn_string "$(cat "$dir/port")"
}

do_status() {
    if is_running && [ -f "$dir/port" ]; then
        log "running on 127.0.0.1:$(cat "$dir/port") (data: $dir/data)"
        return 0
    fi
    log "not running ($dir)"
    return 1
}

case "$cmd" in
    start) do_start ;;
    stop) do_stop ;;
    url) do_url ;;
    status) do_status ;;
    *) usage ;;
esac

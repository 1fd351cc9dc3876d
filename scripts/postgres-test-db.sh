#!/usr/bin/env bash
# A private, throw-away PostgreSQL for tests, independent of any system cluster (no pg_createcluster, no service).
#
#   scripts/postgres-test-db.sh start    initdb into a new temp dir, start on 127.0.0.1 on a free port, create the
#                                        ferry_test role and database; prints two lines: the state directory and
#                                        jdbc:postgresql://127.0.0.1:<port>/ferry_test?user=ferry_test&password=...
#   scripts/postgres-test-db.sh stop DIR stop that cluster and remove DIR
#
# Needs the PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin, Debian package postgresql). As root the
# server runs as the `postgres` OS user (PostgreSQL refuses to run as root); otherwise as the calling user.
# Data durability is switched off (fsync, synchronous_commit): this cluster lives for one test run.
set -euo pipefail

err() { printf 'postgres-test-db.sh: %s\n' "$*" >&2; }

pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]] && { echo "$d"; return 0; }
    done
    return 1
}

# Runs a PostgreSQL program as the cluster's owner, from a directory that owner can read.
as_owner() {
    local dir=$1
    shift
    if [[ $EUID -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    local bin dir port pw attempt started=""
    bin=$(pg_bin_dir) || { err "no PostgreSQL server binaries under /usr/lib/postgresql (install package postgresql)"; return 1; }
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        err "running as root but there is no 'postgres' OS user to run the server as"
        return 1
    fi
    # short path (the Unix socket lives in here, socket paths are limited to ~100 bytes) that the server's user can
    # reach: else /tmp
    dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX")
    if [[ ${#dir} -gt 60 ]] || { [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$(dirname "$dir")"; }; then
        rmdir "$dir"
        dir=$(mktemp -d /tmp/ferry-pg.XXXXXX)
    fi
    # from here on, any failure removes what was made
    trap 'stop "$dir" >/dev/null 2>&1 || true' ERR
    set -o errtrace
    mkdir "$dir/sock"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            err "the postgres user cannot write $dir (a parent directory is not searchable?); set TMPDIR=/tmp"
            false
        fi
    fi
    chmod 700 "$dir" "$dir/sock"

    if ! as_owner "$dir" "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --no-sync \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        err "initdb failed"
        false
    fi

    # a free port: probe, then let the server's bind decide (another process may take the port in between)
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((15000 + RANDOM % 17000))
        port_in_use "$port" && continue
        if as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-k $dir/sock -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
                start >"$dir/pg_ctl.log" 2>&1; then
            started=1
            break
        fi
        if ! grep -q 'could not bind\|could not create any TCP/IP sockets\|Address already in use' "$dir/server.log" 2>/dev/null; then
            break
        fi
    done
    if [[ -z "$started" ]]; then
        cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null || true
        err "PostgreSQL did not start"
        false
    fi

    pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
    if ! as_owner "$dir" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" -U postgres -d postgres \
            -c "CREATE ROLE ferry_test LOGIN PASSWORD '$pw'" \
            -c "CREATE DATABASE ferry_test OWNER ferry_test" >"$dir/psql.log" 2>&1; then
        cat "$dir/psql.log" >&2
        err "could not create the ferry_test role and database"
        false
    fi
    echo "$port" >"$dir/port"
    trap - ERR
    echo "$dir"
    echo "jdbc:postgresql://127.0.0.1:$port/ferry_test?user=ferry_test&password=$pw"
}

stop() {
    local dir=$1 bin
    [[ -n "$dir" && -d "$dir" && "$(basename "$dir")" == ferry-pg.* ]] || { err "not a test cluster directory: $dir"; return 1; }
    if [[ -f "$dir/data/postmaster.pid" ]] && bin=$(pg_bin_dir); then
        as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || { kill -9 "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null || true; }
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) [[ $# -eq 2 ]] || { err "usage: $0 stop DIR"; exit 2; }; stop "$2" ;;
    *) err "usage: $0 start | stop DIR"; exit 2 ;;
esac

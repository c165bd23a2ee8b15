#!/usr/bin/env bash
# Real services for tests and CI on a fresh Debian machine: a throwaway PostgreSQL server.
#
#   scripts/services.sh start        install PostgreSQL if missing, start a server (or find the running
#                                    one), create the test database, print `export ONRECORD_TEST_POSTGRES=...`
#   scripts/services.sh stop         stop the server and delete its folder
#   scripts/services.sh url          print the connection URL of the running server
#   scripts/services.sh run CMD...   start, run CMD with ONRECORD_TEST_POSTGRES set, stop (trap), exit as CMD
#
# The server runs as a non-root user (the `postgres` system user when started as root), from a
# temporary folder ($ONRECORD_SERVICES_DIR, default /tmp/onrecord-services; `run` without it set
# uses a fresh folder of its own), listening on 127.0.0.1
# on a free port only, with a password (scram-sha-256) for TCP and the Unix socket in the private
# folder. Durability is off (fsync, full-page writes): it holds test data only. Starting twice finds
# the running server; the URL is also written to $ONRECORD_SERVICES_DIR/postgres.url.
set -euo pipefail

use_state_dir() {
    STATE_DIR="$1"
    PG_DIR="$STATE_DIR/postgres"
    DATA_DIR="$PG_DIR/data"
    SOCKET_DIR="$PG_DIR/socket"
    URL_FILE="$STATE_DIR/postgres.url"
}
use_state_dir "${ONRECORD_SERVICES_DIR:-/tmp/onrecord-services}"
DB_USER="onrecord"
DB_NAME="onrecord_test"

log() { echo "services: $*" >&2; }

pg_bindir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$found" ] && command -v pg_config >/dev/null 2>&1; then
        found="$(pg_config --bindir)"
    fi
    echo "$found"
}

install_postgres() {
    if [ -n "$(pg_bindir)" ] && [ -x "$(pg_bindir)/initdb" ]; then
        return
    fi
    log "installing PostgreSQL (Debian package)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    # Debian's package creates and starts a cluster of its own; this script never uses it.
}

# Run a command as the server's user: `postgres` when we are root (initdb refuses root), else ourselves.
as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() {
    [ -f "$URL_FILE" ] && [ -f "$DATA_DIR/postmaster.pid" ] \
        && as_server_user "$(pg_bindir)/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

start() {
    install_postgres
    if running; then
        log "PostgreSQL already running ($DATA_DIR)"
        print_url
        return
    fi
    local bin port password
    bin="$(pg_bindir)"
    rm -rf "$PG_DIR"
    mkdir -p "$STATE_DIR" "$SOCKET_DIR"
    chmod 700 "$PG_DIR" "$SOCKET_DIR"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$PG_DIR"
    password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    as_server_user bash -c "umask 077; printf '%s\n' '$password' > '$PG_DIR/pwfile'"
    as_server_user "$bin/initdb" -D "$DATA_DIR" -U "$DB_USER" --pwfile="$PG_DIR/pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    rm -f "$PG_DIR/pwfile"
    port="$(free_port)"
    as_server_user "$bin/pg_ctl" -D "$DATA_DIR" -l "$PG_DIR/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$SOCKET_DIR \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null \
        || { cat "$PG_DIR/server.log" >&2; exit 1; }
    as_server_user "$bin/createdb" -h "$SOCKET_DIR" -p "$port" -U "$DB_USER" "$DB_NAME"
    (umask 077; echo "postgresql://$DB_USER:$password@127.0.0.1:$port/$DB_NAME" >"$URL_FILE")  # holds the password
    log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, database $DB_NAME"
    print_url
}

print_url() {
    echo "export ONRECORD_TEST_POSTGRES=$(cat "$URL_FILE")"
}

stop() {
    local bin
    bin="$(pg_bindir)"
    if [ -n "$bin" ] && [ -f "$DATA_DIR/postmaster.pid" ]; then
        as_server_user "$bin/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
        log "PostgreSQL stopped"
    fi
    rm -rf "$PG_DIR" "$URL_FILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) running && print_url || { log "no server running (scripts/services.sh start)"; exit 1; } ;;
    run)
        shift
        [ "$#" -gt 0 ] || { echo "usage: $0 run COMMAND [ARGS...]" >&2; exit 2; }
        # A run owns its server: unless told where, it starts one in a folder of its own, so two runs
        # at once (CI beside a local run) never share, and never stop, each other's server.
        if [ -z "${ONRECORD_SERVICES_DIR:-}" ]; then
            use_state_dir "$(mktemp -d /tmp/onrecord-services.XXXXXX)"
            chmod 755 "$STATE_DIR"  # the server's user must reach its data folder inside
            trap 'stop; rm -rf "$STATE_DIR"' EXIT
        else
            trap stop EXIT
        fi
        start >/dev/null
        ONRECORD_TEST_POSTGRES="$(cat "$URL_FILE")"
        export ONRECORD_TEST_POSTGRES
        "$@"
        ;;
    *)
        echo "usage: $0 start|stop|url|run COMMAND..." >&2
        exit 2
        ;;
esac

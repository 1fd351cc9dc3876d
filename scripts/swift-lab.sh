#!/usr/bin/env bash
# A real OpenStack Swift (2.30.1, Debian bookworm packages) all-in-one on loopback for Ferry's swift store: proxy,
# account, container and object servers (one replica on a plain directory), memcached, tempauth and s3api; with
# --keystone also keystoneauth against the Keystone of scripts/openstack-lab.sh. Configuration, rings, data, pid
# files and logs live in one directory.
#
#   scripts/swift-lab.sh up [--dir DIR] [--keystone LAB_DIR|URL]
#                                            install the packages if missing, wipe DIR, start the lab, self-check
#   scripts/swift-lab.sh env [--dir DIR]     export lines: eval "$(scripts/swift-lab.sh env)"
#   scripts/swift-lab.sh status [--dir DIR]  which daemons run, proxy health (exit 0: all of them, 3: not all)
#   scripts/swift-lab.sh down [--dir DIR]    stop the daemons `up` started and delete DIR (idempotent)
#
# DIR defaults to ${FERRY_SWIFT_DIR:-/tmp/ferry-swift}. The lab:
#   proxy      http://127.0.0.1:PORT (FERRY_SWIFT_PORT, default 8080, or a free port when 8080 is taken), pipeline
#              catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl formpost s3api
#              [authtoken keystoneauth] tempauth copy container-quotas account-quotas slo dlo versioned_writes
#              symlink proxy-logging proxy-server; account_autocreate; /healthcheck, /info
#   servers    object 127.0.0.1:BASE, container BASE+1, account BASE+2 (FERRY_SWIFT_BACKEND_PORT, default 6200);
#              workers = 0 (one process each), device d1 = the directory DIR/srv/d1 (mount_check off; needs user
#              xattrs: ext4 is fine, tmpfs only on kernel 6.6+); rings in DIR/etc, part power 8, one replica
#   memcached  127.0.0.1:FERRY_SWIFT_MEMCACHED_PORT (default 11311, or a free port when taken), tempauth's tokens
#   tempauth   auth URL http://127.0.0.1:PORT/auth/v1.0 (v1: X-Auth-User/X-Auth-Key), accounts AUTH_<name>
#              (TEMP_<name> with --keystone):
#                test:tester   key testing   .admin of AUTH_test           (S3: access key test:tester, secret testing)
#                test2:tester2 key testing2  .admin of AUTH_test2          (a second tenant)
#                test:tester3  key testing3  no role (needs ACLs in AUTH_test)
#                admin:admin   key admin     .admin .reseller_admin (every account)
#   s3api      http://127.0.0.1:PORT, path-style, SigV2 and SigV4, region us-east-1, tempauth's users as above
#   --keystone LAB_DIR   an OpenStack lab (scripts/openstack-lab.sh up --dir LAB_DIR) running: its Keystone, admin
#              and password are used. --keystone URL: a Keystone at URL (http://127.0.0.1:5000) with the admin in
#              project admin given by FERRY_SWIFT_KEYSTONE_ADMIN_USER (admin) and
#              FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD (default ${FERRY_LAB_PASSWORD:-ferry-lab-secret}).
#              `up` creates (or updates) user swift in project service with role admin (password
#              FERRY_SWIFT_SERVICE_PASSWORD, default the lab password) and service object-store with
#              public/internal/admin endpoints http://127.0.0.1:PORT/v1/AUTH_%(project_id)s in RegionOne (an
#              endpoint with another URL is replaced; `down` leaves them registered). keystoneauth: operator_roles
#              admin, member; reseller_admin_role ResellerAdmin. The lab's users demo (project demo) and alt_demo
#              (project alt_demo) then own AUTH_<project id>; `env` names them (FERRY_SWIFT_KEYSTONE_USER, _USER2;
#              with --keystone URL only the swift user, in project service, which is all `up` knows). tempauth stays in the pipeline, after keystoneauth,
#              with the reseller prefix TEMP: its accounts are then TEMP_test and TEMP_test2 (`env` prints the
#              storage URLs of both modes), its tokens TEMP_tk… (authtoken asks Keystone about them first and lets
#              them pass as unknown). S3 with Keystone EC2 credentials (s3token) is not set up: s3api takes
#              tempauth's keys in both modes.
#   use        eval "$(scripts/swift-lab.sh env)"; swift -A "$FERRY_SWIFT_AUTH_URL" -U "$FERRY_SWIFT_USER" \
#                -K "$FERRY_SWIFT_KEY" stat     (Debian's /usr/bin/swift, python3-swiftclient)
#   logs       DIR/log/<server>.log, e.g. proxy-server.log with the access log (the servers log only to syslog:
#              `up` runs a small reader, scripts/lab/swift_lab.py syslog, on a UDP port of 127.0.0.1 that the
#              servers' log_udp_host/port name), DIR/log/<daemon>.out (stdout and stderr until the servers redirect
#              them into their log), DIR/log/setup.log, DIR/log/selfcheck.log (times of the self-check)
#
# `up` ends with a self-check (PUT/GET of a small object and of a static large object of 2 segments, as
# test:tester, as test2:tester2, through S3, and with --keystone as demo through Keystone) and prints the times.
# Measured on a 2-vCPU machine shared with other work, packages installed: up 10 s (load average about 3) to
# 19-25 s (load average 10: four Python servers importing Swift at once are CPU-bound); with --keystone 50-80 s at
# load 7-10, where this Keystone took 1-3 s per token validation; down 0.6-2.2 s. Installing the packages the
# first time took 18 s more.
#
# Gotchas this script handles: servers log only to syslog, and proxy-logging's access log ignores log_address (it
# would go to /dev/log or UDP port 514), hence the UDP reader; the daemons are reparented to PID 1, which here
# reaps zombies only every 2 s or so, so "stopped" means gone or a zombie (with kill -0 alone `down` took 6-9 s);
# keystoneauth authorizes every request, also those without a Keystone identity (as anonymous), so tempauth must
# follow it and own another reseller prefix; keystonemiddleware 10.1 does not cache invalid tokens, so with
# --keystone every tempauth request also costs a Keystone validation (a 404).
#
# Environment read by `up` (recorded in DIR/lab.env; the other subcommands read it from there):
#   FERRY_SWIFT_DIR, FERRY_SWIFT_PORT, FERRY_SWIFT_BACKEND_PORT, FERRY_SWIFT_MEMCACHED_PORT,
#   FERRY_SWIFT_KEYSTONE (as --keystone), FERRY_SWIFT_KEYSTONE_ADMIN_USER, FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD,
#   FERRY_SWIFT_SERVICE_PASSWORD, FERRY_LAB_PASSWORD,
#   FERRY_SWIFT_KEEP_ON_FAILURE (1: leave the daemons of a failed `up` running, for debugging).
# Outside DIR: Swift always reads /etc/swift/swift.conf (hash prefix and suffix, storage policies; there is no
# setting for another path in the servers); Debian's file (hash "changeme", policy 0) is used as it is and this
# script never writes it. Installing the packages needs root (apt-get); the servers run as the calling user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3   # Swift is Debian's; the first python3 on PATH may be another interpreter
HELPER="$ROOT/scripts/lab/swift_lab.py"
HOST=127.0.0.1
# shellcheck disable=SC2034  # used by install_packages (lab/common.sh)
PACKAGES=(swift swift-proxy swift-account swift-container swift-object python3-swiftclient python3-keystonemiddleware
          python3-boto3 memcached curl)
COMPONENTS=(syslog memcached object container account proxy)   # start order; stopped in reverse
MARKER=.ferry-swift-lab                                         # marks a directory this script may wipe

log() { printf 'swift-lab: %s\n' "$*" >&2; }
die() { printf 'swift-lab: ERROR: %s\n' "$*" >&2; exit 1; }
# shared with the other lab scripts: shq, pid files, port_in_use, install_packages
# shellcheck source=lab/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab/common.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# --- arguments ---------------------------------------------------------------------------------------------------
CMD=${1:-}
[[ -n "$CMD" ]] || { usage >&2; exit 2; }
shift
DIR=${FERRY_SWIFT_DIR:-/tmp/ferry-swift}
KEYSTONE_ARG=${FERRY_SWIFT_KEYSTONE:-}
while (($#)); do
    case $1 in
        --dir) (($# >= 2)) || die "--dir needs a directory"; DIR=$2; shift 2 ;;
        --dir=*) DIR=${1#--dir=}; shift ;;
        --keystone) (($# >= 2)) || die "--keystone needs an OpenStack lab directory or a URL"; KEYSTONE_ARG=$2; shift 2 ;;
        --keystone=*) KEYSTONE_ARG=${1#--keystone=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see $0 help)" ;;
    esac
done
[[ -n "$DIR" ]] || die "empty lab directory"
[[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
DIR=${DIR%/}
[[ -n "$DIR" && "$DIR" != "/" ]] || die "refusing to use / as the lab directory"
[[ "$DIR" != *[[:space:]%]* ]] || die "the lab directory must not contain white space or % (Swift's ini files): $DIR"
ETC="$DIR/etc"
LOG_PORT_FILE="$DIR/run/syslog.port"

load_settings() {
    local from_file=${1:-1}
    PORT=${FERRY_SWIFT_PORT:-}
    BACKEND_PORT=${FERRY_SWIFT_BACKEND_PORT:-6200}
    MEMCACHED_PORT=${FERRY_SWIFT_MEMCACHED_PORT:-}
    LOG_PORT=""
    MODE=tempauth
    KEYSTONE_URL="" KEYSTONE_LAB_DIR="" KEYSTONE_PASSWORD="" SERVICE_PASSWORD=""
    KEYSTONE_USER="" KEYSTONE_PROJECT="" KEYSTONE_USER2="" KEYSTONE_PROJECT2=""
    if [[ "$from_file" == 1 && -f "$DIR/lab.env" ]]; then
        # shellcheck disable=SC1091
        source "$DIR/lab.env"
    fi
}

# tempauth's accounts are AUTH_<name>; with --keystone, Keystone's projects own AUTH_<project id> and tempauth's
# accounts are TEMP_<name>
tempauth_prefix() { if [[ "$MODE" == keystone ]]; then echo TEMP; else echo AUTH; fi; }

component_port() {
    case $1 in
        object) echo "$BACKEND_PORT" ;;
        container) echo "$((BACKEND_PORT + 1))" ;;
        account) echo "$((BACKEND_PORT + 2))" ;;
        proxy) echo "$PORT" ;;
        memcached) echo "$MEMCACHED_PORT" ;;
    esac
}

# daemons of this lab whose pid file is lost: their command line names a file in DIR
# (read with bash's mapfile: one `tr` per process takes seconds on a machine with a few hundred processes)
orphan_pids() {
    local f p cmd args
    for f in /proc/[0-9]*/cmdline; do
        p=${f#/proc/}; p=${p%/cmdline}
        mapfile -d '' args <"$f" 2>/dev/null || continue
        ((${#args[@]})) || continue
        cmd="${args[*]} "
        case $cmd in
            memcached\ *|/usr/bin/memcached\ *|*/swift-*-server\ *|"$PY $HELPER syslog "*)
                [[ "$cmd" == *" $DIR/"* ]] && echo "$p" ;;
        esac
    done
}

# running PID: exists and is no zombie. The daemons are reparented to PID 1 when `up` ends, and PID 1 on these
# machines (process_api) reaps its adopted children only every 2 s or so: kill -0 alone waited that long.
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ "${stat:0:1}" != [ZX] ]]
}

# the pid of NAME's daemon when it runs
live_pid() {
    local p
    p=$(recorded_pid "$1") && running "$p" && echo "$p"
}

# stop PID...: SIGTERM, then SIGKILL after 10 s
stop_pids() {
    local p i alive
    kill -TERM "$@" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        alive=()
        for p in "$@"; do running "$p" && alive+=("$p"); done
        ((${#alive[@]})) || return 0
        sleep 0.05
    done
    log "not stopped within 10 s, killing: ${alive[*]}"
    kill -KILL "${alive[@]}" 2>/dev/null || true
    sleep 0.2
}

# the Swift servers together (none depends on another while stopping), then memcached, then the log reader last
stop_daemons() {
    local name p group=() names=()
    for name in proxy account container object; do
        if p=$(live_pid "$name"); then group+=("$p"); names+=("$name:$p"); fi
    done
    if ((${#group[@]})); then
        local t=$SECONDS
        stop_pids "${group[@]}"
        log "stopped ${names[*]} ($((SECONDS - t)) s)"
    fi
    for name in memcached syslog; do
        if p=$(live_pid "$name"); then
            stop_pids "$p"
            log "stopped $name (pid $p)"
        fi
    done
    for name in "${COMPONENTS[@]}"; do rm -f "$DIR/run/$name.pid"; done
    local orphans
    mapfile -t orphans < <(orphan_pids)
    if ((${#orphans[@]})); then
        log "stopping daemons of this lab without pid file: ${orphans[*]}"
        stop_pids "${orphans[@]}"
    fi
}

do_down() {
    stop_daemons
    if [[ -e "$DIR" ]]; then
        if [[ -f "$DIR/$MARKER" ]]; then
            rm -rf -- "$DIR"
            log "removed $DIR"
        else
            log "WARNING: $DIR is not a Swift lab directory (no $MARKER): not removing it"
        fi
    fi
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME CMD...: runs CMD (a daemon in the foreground) as its own session, output into DIR/log/NAME.out
start_component() {
    local name=$1 pid start
    shift
    setsid "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 &
    pid=$!
    start=$(proc_starttime "$pid") || fail "$name exited at once" "$DIR/log/$name.out"
    echo "$pid $start" >"$DIR/run/$name.pid"
    log "started $name (pid $pid)"
}

# fail MESSAGE LOGFILE...: the tails of the logs, then the message
fail() {
    local msg=$1 f
    shift
    for f in "$@"; do
        [[ -s "$f" ]] || continue
        printf -- '--- last lines of %s\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
    die "$msg"
}

component_logs() {
    case $1 in
        syslog) echo "$DIR/log/syslog.out" ;;
        memcached) echo "$DIR/log/memcached.out" ;;
        *) echo "$DIR/log/$1.out $DIR/log/$1-server.log" ;;
    esac
}

# wait_until NAME SECONDS CMD...: until CMD succeeds while NAME's daemon lives
wait_until() {
    local name=$1 secs=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    while ((SECONDS < deadline)); do
        "$@" >/dev/null 2>&1 && return 0
        # shellcheck disable=SC2046
        live_pid "$name" >/dev/null || fail "$name died" $(component_logs "$name")
        sleep 0.1
    done
    # shellcheck disable=SC2046
    fail "$name: not ready after $secs s ($*)" $(component_logs "$name")
}

# run_logged CMD...: the command and its output go to DIR/log/setup.log; on failure show its tail and stop
run_logged() {
    printf '\n$ %s\n' "$*" >>"$DIR/log/setup.log"
    "$@" >>"$DIR/log/setup.log" 2>&1 || fail "failed: $*" "$DIR/log/setup.log"
}

http_code() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
}
proxy_healthy() { [[ "$(http_code "http://$HOST:$PORT/healthcheck")" == 200 ]]; }

# --- up ----------------------------------------------------------------------------------------------------------
UP_STARTED=""
UP_DONE=""
KS_PID=""   # the Keystone registration running in the background


on_exit() {
    local rc=$?
    trap - EXIT
    if [[ -n "$CREATED_POLICY_RC" ]]; then
        rm -f /usr/sbin/policy-rc.d || true
    fi
    if [[ -n "$KS_PID" ]]; then
        kill -TERM "$KS_PID" 2>/dev/null || true
    fi
    if [[ -n "$UP_STARTED" && -z "$UP_DONE" ]]; then
        if [[ "${FERRY_SWIFT_KEEP_ON_FAILURE:-0}" == 1 ]]; then
            log "up failed; FERRY_SWIFT_KEEP_ON_FAILURE=1: leaving the daemons running (stop: $0 down --dir $DIR)"
        else
            log "up failed: stopping what it started (logs stay in $DIR/log; FERRY_SWIFT_KEEP_ON_FAILURE=1 keeps the daemons)"
            stop_daemons >/dev/null 2>&1 || true
        fi
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Keystone settings of `up --keystone`: an OpenStack lab directory (its env) or a URL
resolve_keystone() {
    local arg=$1
    if [[ "$arg" == http://* || "$arg" == https://* ]]; then
        KEYSTONE_URL=${arg%/}
        KEYSTONE_URL=${KEYSTONE_URL%/v3}
        KEYSTONE_ADMIN_PASSWORD=${FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD:-${FERRY_LAB_PASSWORD:-ferry-lab-secret}}
        SERVICE_PASSWORD=${FERRY_SWIFT_SERVICE_PASSWORD:-$KEYSTONE_ADMIN_PASSWORD}
        # any Keystone: only the user created here is known to exist
        KEYSTONE_USER=swift KEYSTONE_PROJECT=service KEYSTONE_PASSWORD=$SERVICE_PASSWORD
    else
        [[ "$arg" == /* ]] || arg="$PWD/$arg"
        KEYSTONE_LAB_DIR=${arg%/}
        local lab_env FERRY_LAB_KEYSTONE_URL="" FERRY_LAB_PASSWORD=""
        lab_env=$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "$KEYSTONE_LAB_DIR" 2>&1) \
            || die "no OpenStack lab in $KEYSTONE_LAB_DIR ($lab_env)"
        [[ -f "$KEYSTONE_LAB_DIR/lab.env" ]] \
            || die "no OpenStack lab in $KEYSTONE_LAB_DIR (start it: bash scripts/openstack-lab.sh up --dir $KEYSTONE_LAB_DIR)"
        eval "$(grep -E '^export FERRY_LAB_(KEYSTONE_URL|PASSWORD)=' <<<"$lab_env" | sed 's/^export //')"
        KEYSTONE_URL=$FERRY_LAB_KEYSTONE_URL
        KEYSTONE_ADMIN_PASSWORD=$FERRY_LAB_PASSWORD
        SERVICE_PASSWORD=${FERRY_SWIFT_SERVICE_PASSWORD:-$FERRY_LAB_PASSWORD}
        # the OpenStack lab's users with role member, each in its own project
        KEYSTONE_USER=demo KEYSTONE_PROJECT=demo KEYSTONE_USER2=alt_demo KEYSTONE_PROJECT2=alt_demo
        KEYSTONE_PASSWORD=$FERRY_LAB_PASSWORD
    fi
    [[ -n "$KEYSTONE_URL" && -n "$KEYSTONE_ADMIN_PASSWORD" && -n "$SERVICE_PASSWORD" ]] || die "incomplete Keystone settings"
    [[ "$SERVICE_PASSWORD" != *$'\n'* ]] || die "the swift service password must be one line"
    [[ "$(http_code "$KEYSTONE_URL/v3")" == 200 ]] || die "Keystone does not answer at $KEYSTONE_URL/v3"
    MODE=keystone
}

# the [DEFAULT] section every server shares
server_defaults() {
    local name=$1 port=$2
    cat <<EOF
# written by scripts/swift-lab.sh up (the lab directory is wiped on up)
[DEFAULT]
bind_ip = $HOST
bind_port = $port
workers = 0
user = $(id -un)
swift_dir = $ETC
devices = $DIR/srv
mount_check = false
log_name = $name
# the lab's syslog reader (proxy-logging's access log has no log_address setting, only these)
log_udp_host = $HOST
log_udp_port = $LOG_PORT
log_level = INFO
EOF
}

write_confs() {
    server_defaults object-server "$(component_port object)" >"$ETC/object-server.conf"
    cat >>"$ETC/object-server.conf" <<EOF

[pipeline:main]
pipeline = healthcheck recon object-server

[app:object-server]
use = egg:swift#object

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:recon]
use = egg:swift#recon
recon_cache_path = $DIR/run
EOF
    local kind
    for kind in container account; do
        server_defaults "$kind-server" "$(component_port "$kind")" >"$ETC/$kind-server.conf"
        cat >>"$ETC/$kind-server.conf" <<EOF

[pipeline:main]
pipeline = healthcheck recon $kind-server

[app:$kind-server]
use = egg:swift#$kind

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:recon]
use = egg:swift#recon
recon_cache_path = $DIR/run
EOF
    done

    local auth="tempauth" TEMPAUTH_PREFIX
    TEMPAUTH_PREFIX=$(tempauth_prefix)
    if [[ "$MODE" == keystone ]]; then
        # keystoneauth sets an authorization for every request (anonymous without a Keystone identity), so
        # tempauth comes after it and owns other accounts (TEMP_...): it replaces the authorization for its own
        # tokens and S3 keys only, and leaves Keystone's AUTH_<project id> accounts to keystoneauth
        auth="authtoken keystoneauth tempauth"
    fi
    server_defaults proxy-server "$PORT" >"$ETC/proxy-server.conf"
    cat >>"$ETC/proxy-server.conf" <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl formpost s3api $auth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
# tests delete and recreate things quickly; one replica, no replicators
recheck_account_existence = 5
recheck_container_existence = 5

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$MEMCACHED_PORT

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:formpost]
use = egg:swift#formpost

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
# SigV4 requests are valid for 5 minutes either way (the default); path-style and virtual-host-style addressing
dns_compliant_bucket_names = true

[filter:tempauth]
use = egg:swift#tempauth
reseller_prefix = $TEMPAUTH_PREFIX
token_life = 86400
user_test_tester = testing .admin
user_test2_tester2 = testing2 .admin
user_test_tester3 = testing3
user_admin_admin = admin .admin .reseller_admin

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true

[filter:symlink]
use = egg:swift#symlink
EOF
    if [[ "$MODE" == keystone ]]; then
        # paste's ini parser interpolates %(name)s: a % in the password is doubled
        cat >>"$ETC/proxy-server.conf" <<EOF

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
user_domain_id = default
project_domain_id = default
project_name = service
username = swift
password = ${SERVICE_PASSWORD//%/%%}
# tempauth's and tempurl's requests pass on to the next auth middleware
delay_auth_decision = true
memcached_servers = $HOST:$MEMCACHED_PORT
service_token_roles_required = true
include_service_catalog = false

[filter:keystoneauth]
use = egg:swift#keystoneauth
reseller_prefix = AUTH_
operator_roles = admin, member
reseller_admin_role = ResellerAdmin
EOF
    fi
    chmod 600 "$ETC"/*.conf
}

write_lab_env() {
    {
        echo "# written by scripts/swift-lab.sh up; read by its other subcommands"
        echo "PORT=$PORT"
        echo "BACKEND_PORT=$BACKEND_PORT"
        echo "MEMCACHED_PORT=$MEMCACHED_PORT"
        echo "LOG_PORT=$LOG_PORT"
        echo "MODE=$MODE"
        echo "KEYSTONE_URL=$(shq "$KEYSTONE_URL")"
        echo "KEYSTONE_LAB_DIR=$(shq "$KEYSTONE_LAB_DIR")"
        echo "KEYSTONE_PASSWORD=$(shq "$KEYSTONE_PASSWORD")"
        echo "SERVICE_PASSWORD=$(shq "$SERVICE_PASSWORD")"
        echo "KEYSTONE_USER=$KEYSTONE_USER KEYSTONE_PROJECT=$KEYSTONE_PROJECT"
        echo "KEYSTONE_USER2=$KEYSTONE_USER2 KEYSTONE_PROJECT2=$KEYSTONE_PROJECT2"
    } >"$DIR/lab.env"
    chmod 600 "$DIR/lab.env"
}

check_port() {   # check_port VALUE WHAT
    if ! [[ "$1" =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then die "$2 must be a TCP port, not '$1'"; fi
}

do_up() {
    local t0=$SECONDS name p
    load_settings 0
    [[ -x /usr/bin/python3 ]] || die "no /usr/bin/python3"

    # a previous lab in DIR: stop it, then wipe DIR (only if it is a lab directory, or empty)
    if [[ -e "$DIR" ]]; then
        if [[ -f "$DIR/$MARKER" ]]; then
            (load_settings 1; stop_daemons) || true
        elif [[ -n "$(ls -A "$DIR" 2>/dev/null)" ]]; then
            die "$DIR exists, is not empty and is not a Swift lab directory (no $MARKER): not wiping it"
        fi
    fi
    check_port "$BACKEND_PORT" FERRY_SWIFT_BACKEND_PORT
    ((BACKEND_PORT <= 65533)) || die "FERRY_SWIFT_BACKEND_PORT must leave room for 3 ports"
    for name in object container account; do
        p=$(component_port "$name")
        port_in_use "$p" && die "port $p ($name server) is in use by another process (FERRY_SWIFT_BACKEND_PORT picks others)"
    done
    if [[ -z "$PORT" ]]; then
        PORT=8080
        if port_in_use "$PORT"; then PORT=$(free_port); log "port 8080 is in use: the proxy takes $PORT"; fi
    fi
    check_port "$PORT" FERRY_SWIFT_PORT
    port_in_use "$PORT" && die "port $PORT (proxy) is in use by another process"
    if [[ -z "$MEMCACHED_PORT" ]]; then
        MEMCACHED_PORT=11311
        port_in_use "$MEMCACHED_PORT" && MEMCACHED_PORT=$(free_port)
    fi
    check_port "$MEMCACHED_PORT" FERRY_SWIFT_MEMCACHED_PORT
    port_in_use "$MEMCACHED_PORT" && die "port $MEMCACHED_PORT (memcached) is in use by another process"
    [[ "$(printf '%s\n' "$PORT" "$MEMCACHED_PORT" "$BACKEND_PORT" "$((BACKEND_PORT + 1))" "$((BACKEND_PORT + 2))" \
        | sort -u | wc -l)" == 5 ]] || die "the proxy, memcached and server ports overlap"
    rm -rf -- "$DIR"
    mkdir -p "$DIR/run" "$DIR/log" "$ETC" "$DIR/srv/d1"
    touch "$DIR/$MARKER"
    install_packages
    grep -qE '^[[:space:]]*swift_hash_path_(suffix|prefix)[[:space:]]*=' /etc/swift/swift.conf 2>/dev/null \
        || die "/etc/swift/swift.conf (package swift) is missing or has no swift_hash_path_suffix/prefix; Swift reads no other"
    if [[ -n "$KEYSTONE_ARG" ]]; then resolve_keystone "$KEYSTONE_ARG"; fi
    UP_STARTED=1
    write_lab_env   # again below with the log reader's port; `down` needs the ports from the start

    if [[ "$MODE" == keystone ]]; then   # registered while the rings are built and the servers start
        printf '\n$ %s keystone %s RegionOne ...\n' "$HELPER" "$KEYSTONE_URL" >>"$DIR/log/keystone-setup.log"
        FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD=$KEYSTONE_ADMIN_PASSWORD FERRY_SWIFT_SERVICE_PASSWORD=$SERVICE_PASSWORD \
            "$PY" "$HELPER" keystone "$KEYSTONE_URL" RegionOne "http://$HOST:$PORT/v1/AUTH_%(project_id)s" \
            >>"$DIR/log/keystone-setup.log" 2>&1 &
        KS_PID=$!
    fi
    start_component syslog "$PY" "$HELPER" syslog "$LOG_PORT_FILE" "$DIR/log"
    start_component memcached memcached -l "$HOST" -p "$MEMCACHED_PORT" -U 0 -m 64 -c 1024 -u "$(id -un)" \
        -P "$DIR/run/memcached.own.pid"
    run_logged "$PY" "$HELPER" rings "$ETC" "$BACKEND_PORT"
    log "rings built ($((SECONDS - t0)) s)"
    wait_until syslog 10 test -s "$LOG_PORT_FILE"
    read -r LOG_PORT <"$LOG_PORT_FILE"
    write_lab_env
    write_confs

    # all four at once: the proxy needs no other server to start, and each spends seconds importing Swift
    for name in object container account proxy; do
        start_component "$name" "swift-$name-server" "$ETC/$name-server.conf"
    done
    wait_until memcached 10 port_in_use "$MEMCACHED_PORT"
    for name in object container account; do
        wait_until "$name" 60 curl -sf -m 2 -o /dev/null "http://$HOST:$(component_port "$name")/healthcheck"
    done
    wait_until proxy 60 proxy_healthy
    log "all servers answer ($((SECONDS - t0)) s)"
    if [[ -n "$KS_PID" ]]; then
        local ks_rc=0
        wait "$KS_PID" || ks_rc=$?
        KS_PID=""
        ((ks_rc == 0)) || fail "registering swift in Keystone failed" "$DIR/log/keystone-setup.log"
        log "swift user and object-store endpoints registered in Keystone ($((SECONDS - t0)) s)"
    fi

    # self-check
    local check="$DIR/log/selfcheck.log" ks_check=()
    if [[ "$MODE" == keystone ]]; then ks_check=("$KEYSTONE_URL/v3" "$KEYSTONE_USER" "$KEYSTONE_PROJECT"); fi
    if ! FERRY_SWIFT_KEY=testing FERRY_SWIFT_KEY2=testing2 FERRY_SWIFT_S3_SECRET_KEY=testing \
        FERRY_SWIFT_KEYSTONE_PASSWORD=$KEYSTONE_PASSWORD \
        timeout 120 "$PY" "$HELPER" selfcheck "http://$HOST:$PORT" "${ks_check[@]}" >"$check" 2>&1; then
        fail "self-check failed (log: $check)" "$check" "$DIR/log/proxy-server.log" "$DIR/log/object-server.log"
    fi
    for name in "${COMPONENTS[@]}"; do
        live_pid "$name" >/dev/null || fail "$name died" "$DIR/log/$name.out"
    done
    UP_DONE=1

    sed 's/^swift_lab: /  /' "$check" >&2
    cat <<EOF

Ferry Swift lab is up in $DIR ($((SECONDS - t0)) s), auth: $MODE
  proxy       http://$HOST:$PORT  pid $(live_pid proxy)  (auth http://$HOST:$PORT/auth/v1.0, S3 http://$HOST:$PORT)
  object      $HOST:$(component_port object)  pid $(live_pid object)
  container   $HOST:$(component_port container)  pid $(live_pid container)
  account     $HOST:$(component_port account)  pid $(live_pid account)
  memcached   $HOST:$MEMCACHED_PORT  pid $(live_pid memcached)
  users       test:tester/testing, test2:tester2/testing2, test:tester3/testing3, admin:admin/admin (reseller)
EOF
    if [[ "$MODE" == keystone ]]; then
        cat <<EOF
  keystone    $KEYSTONE_URL/v3: user swift (service, admin); object-store http://$HOST:$PORT/v1/AUTH_%(project_id)s
EOF
    fi
    cat <<EOF
  logs        $DIR/log/
Next:
  eval "\$($0 env --dir $DIR)"
  swift -A \$FERRY_SWIFT_AUTH_URL -U \$FERRY_SWIFT_USER -K \$FERRY_SWIFT_KEY stat
  $0 down --dir $DIR
EOF
}

# --- env, status -------------------------------------------------------------------------------------------------
do_env() {
    load_settings 1
    [[ -f "$DIR/lab.env" && -n "$PORT" ]] || die "no Swift lab in $DIR (run: $0 up --dir $DIR)"
    local k v kv base="http://$HOST:$PORT" prefix
    prefix=$(tempauth_prefix)
    local -a vars=("FERRY_SWIFT_DIR=$DIR" "FERRY_SWIFT_MODE=$MODE" "FERRY_SWIFT_AUTH_URL=$base/auth/v1.0"
        FERRY_SWIFT_USER=test:tester FERRY_SWIFT_KEY=testing FERRY_SWIFT_USER2=test2:tester2 FERRY_SWIFT_KEY2=testing2
        FERRY_SWIFT_USER3=test:tester3 FERRY_SWIFT_KEY3=testing3
        FERRY_SWIFT_RESELLER_USER=admin:admin FERRY_SWIFT_RESELLER_KEY=admin
        "FERRY_SWIFT_URL=$base/v1" "FERRY_SWIFT_STORAGE_URL=$base/v1/${prefix}_test"
        "FERRY_SWIFT_STORAGE_URL2=$base/v1/${prefix}_test2"
        "FERRY_SWIFT_S3_ENDPOINT=$base" FERRY_SWIFT_S3_ACCESS_KEY=test:tester FERRY_SWIFT_S3_SECRET_KEY=testing
        FERRY_SWIFT_S3_ACCESS_KEY2=test2:tester2 FERRY_SWIFT_S3_SECRET_KEY2=testing2 FERRY_SWIFT_S3_REGION=us-east-1
        "FERRY_SWIFT_MEMCACHED=$HOST:$MEMCACHED_PORT")
    if [[ "$MODE" == keystone ]]; then
        vars+=("FERRY_SWIFT_KEYSTONE_URL=$KEYSTONE_URL/v3" FERRY_SWIFT_KEYSTONE_REGION=RegionOne
            "FERRY_SWIFT_KEYSTONE_USER=$KEYSTONE_USER" "FERRY_SWIFT_KEYSTONE_PROJECT=$KEYSTONE_PROJECT"
            FERRY_SWIFT_KEYSTONE_DOMAIN=Default "FERRY_SWIFT_KEYSTONE_PASSWORD=$KEYSTONE_PASSWORD"
            FERRY_SWIFT_KEYSTONE_SERVICE_USER=swift FERRY_SWIFT_KEYSTONE_SERVICE_PROJECT=service
            "FERRY_SWIFT_KEYSTONE_SERVICE_PASSWORD=$SERVICE_PASSWORD"
            "FERRY_SWIFT_KEYSTONE_ENDPOINT=$base/v1/AUTH_%(project_id)s")
        if [[ -n "$KEYSTONE_USER2" ]]; then
            vars+=("FERRY_SWIFT_KEYSTONE_USER2=$KEYSTONE_USER2" "FERRY_SWIFT_KEYSTONE_PROJECT2=$KEYSTONE_PROJECT2")
        fi
        if [[ -n "$KEYSTONE_LAB_DIR" ]]; then vars+=("FERRY_SWIFT_KEYSTONE_LAB_DIR=$KEYSTONE_LAB_DIR"); fi
    fi
    for kv in "${vars[@]}"; do
        k=${kv%%=*}
        v=${kv#*=}
        printf 'export %s=%s\n' "$k" "$(shq "$v")"
    done
}

do_status() {
    load_settings 1
    local name pid all=0 what port
    printf '%-10s %-8s %-8s %s\n' DAEMON STATE PID WHAT
    for name in "${COMPONENTS[@]}"; do
        port=$(component_port "$name")
        case $name in
            syslog) what="syslog reader udp $HOST:${LOG_PORT:-?} -> $DIR/log/*-server.log" ;;
            memcached) what="memcached $HOST:${port:-?}" ;;
            proxy) what="swift-proxy-server http://$HOST:${port:-?} ($MODE)" ;;
            *) what="swift-$name-server $HOST:${port:-?}" ;;
        esac
        if pid=$(live_pid "$name"); then
            printf '%-10s %-8s %-8s %s\n' "$name" running "$pid" "$what"
        else
            printf '%-10s %-8s %-8s %s\n' "$name" stopped - "$what"
            all=3
        fi
    done
    local orphans
    mapfile -t orphans < <(orphan_pids)
    for pid in "${orphans[@]}"; do
        grep -qx "$pid" < <(for name in "${COMPONENTS[@]}"; do live_pid "$name" || true; done) && continue
        printf '%-10s %-8s %-8s %s\n' '?' orphan "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    done
    if [[ -n "$PORT" ]] && live_pid proxy >/dev/null; then
        local code
        code=$(http_code "http://$HOST:$PORT/healthcheck")
        printf 'proxy /healthcheck: HTTP %s\n' "${code:-none}"
        [[ "$code" == 200 ]] || all=3
    else
        printf 'proxy /healthcheck: - (no proxy)\n'
    fi
    return "$all"
}

case $CMD in
    up) do_up ;;
    down) load_settings 1; do_down ;;
    env) do_env ;;
    status) do_status ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac

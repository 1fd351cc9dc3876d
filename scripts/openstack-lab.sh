#!/usr/bin/env bash
# A real OpenStack on loopback for Ferry's interop tests and benchmarks: Keystone and two Glances from Debian
# bookworm (OpenStack Zed), all state in one directory.
#
#   scripts/openstack-lab.sh up [--dir DIR] [--ceph-dir CDIR] [--swift-dir SDIR]
#                                                    install the packages if missing, wipe DIR, start the lab; with
#                                                    a Ceph lab (scripts/ceph-lab.sh) in CDIR, Glance RegionOne gets
#                                                    an rbd store "ceph" on its pool images, as client.glance,
#                                                    an s3 store "objects" on its radosgw (the lab's S3 user, a
#                                                    bucket of its own created on the first upload, images of
#                                                    16 MiB and more written as multipart uploads of 10 MiB parts;
#                                                    python3-boto3 installed if missing) and
#                                                    show_multiple_locations = True; with a Swift lab
#                                                    (scripts/swift-lab.sh, tempauth) in SDIR, a swift store
#                                                    "swift": container glance-regionone (made on the first put) of
#                                                    the lab's account test, reference ref1 of DIR/glance1/
#                                                    glance-swift.conf (auth v1), segments of 4 MiB from 16 MiB on
#   scripts/openstack-lab.sh env [--dir DIR]         export lines: eval "$(scripts/openstack-lab.sh env)"
#   scripts/openstack-lab.sh ferry-conf [--dir DIR] [FILE]
#                                                    write a Ferry config for RegionThree (default DIR/ferry/ferry.conf)
#   scripts/openstack-lab.sh status [--dir DIR]      which lab processes run (exit 0: all of them, 3: not all)
#   scripts/openstack-lab.sh down [--dir DIR]        stop the processes `up` started and remove Glance RegionOne's
#                                                    s3 bucket (idempotent)
#
# DIR defaults to ${FERRY_LAB_DIR:-/tmp/ferry-lab}. The lab:
#   Keystone  http://127.0.0.1:5000 (uwsgi, fernet, sqlite WAL), identity endpoints in RegionOne
#   image endpoints (public, internal, admin):
#     RegionOne   -> Glance  http://127.0.0.1:9292   (started here)
#     RegionTwo   -> Glance  http://127.0.0.1:9293   (started here)
#     RegionThree -> Ferry   http://127.0.0.1:9494   (only registered: start it yourself, see ferry-conf)
#   users (domain Default), password ${FERRY_LAB_PASSWORD:-ferry-lab-secret} for all:
#     admin (project admin, role admin), glance (project service, roles admin and service),
#     demo (project demo) and alt_demo (project alt_demo) with roles member and reader
#   DIR/clouds.yaml has the clouds ferry-lab-admin, ferry-lab-demo, ferry-lab-alt-demo and ferry-lab-glance
#   (OS_CLIENT_CONFIG_FILE=DIR/clouds.yaml openstack --os-cloud ferry-lab-demo …; not together with the exports of
#   `env`: an exported OS_USERNAME overrides the cloud's user). With the exports, act as demo with
#   OS_USERNAME=demo OS_PROJECT_NAME=demo. `env` also sets OS_REGION_NAME=RegionOne: give --os-region-name for others.
#
# Environment read by `up` (recorded in DIR/lab.env; env, ferry-conf, status and down read them from there):
#   FERRY_LAB_DIR, FERRY_LAB_PASSWORD, FERRY_LAB_TOKEN_EXPIRATION (seconds, default 3600),
#   FERRY_LAB_KEYSTONE_PORT (5000), FERRY_LAB_GLANCE1_PORT (9292), FERRY_LAB_GLANCE2_PORT (9293),
#   FERRY_LAB_FERRY_PORT (9494), FERRY_LAB_METADEFS (1: load /etc/glance/metadefs into both Glances; 0: skip),
#   FERRY_LAB_KEEP_ON_FAILURE (1: leave the processes of a failed `up` running, for debugging),
#   FERRY_LAB_CEPH_DIR (as --ceph-dir), FERRY_LAB_SWIFT_DIR (as --swift-dir).
# Installing the packages needs root (apt-get); everything else runs as any user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_SRC="$ROOT/scripts/lab"
PY=/usr/bin/python3   # the OpenStack libraries are Debian's; the first python3 on PATH may be another interpreter
HOST=127.0.0.1
PACKAGES=(keystone glance-api python3-glanceclient python3-openstackclient python3-tempest uwsgi-core
          uwsgi-plugin-python3 qemu-utils curl sqlite3)
COMPONENTS=(keystone glance1 glance2)   # start order; stopped in reverse
MARKER=.ferry-openstack-lab              # marks a directory this script may wipe

log() { printf 'openstack-lab: %s\n' "$*" >&2; }
die() { printf 'openstack-lab: ERROR: %s\n' "$*" >&2; exit 1; }
# shared with the other lab script: shq, pid files, port_in_use, install_packages
source "$(dirname "${BASH_SOURCE[0]}")/lab/common.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# --- arguments ---------------------------------------------------------------------------------------------------
CMD=${1:-}
CEPH_DIR_ARG=""
SWIFT_DIR_ARG=""
[[ -n "$CMD" ]] || { usage >&2; exit 2; }
shift
DIR=${FERRY_LAB_DIR:-/tmp/ferry-lab}
POSITIONAL=()
while (($#)); do
    case $1 in
        --dir) (($# >= 2)) || die "--dir needs a directory"; DIR=$2; shift 2 ;;
        --dir=*) DIR=${1#--dir=}; shift ;;
        --ceph-dir) (($# >= 2)) || die "--ceph-dir needs a directory"; CEPH_DIR_ARG=$2; shift 2 ;;
        --ceph-dir=*) CEPH_DIR_ARG=${1#--ceph-dir=}; shift ;;
        --swift-dir) (($# >= 2)) || die "--swift-dir needs a directory"; SWIFT_DIR_ARG=$2; shift 2 ;;
        --swift-dir=*) SWIFT_DIR_ARG=${1#--swift-dir=}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see $0 help)" ;;
        *) POSITIONAL+=("$1"); shift ;;
    esac
done
[[ -n "$DIR" ]] || die "empty lab directory"
[[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
DIR=${DIR%/}
[[ -n "$DIR" && "$DIR" != "/" ]] || die "refusing to use / as the lab directory"

# Settings: from DIR/lab.env when `up` wrote one (so every subcommand agrees with the running lab), else from the
# environment. `up` always takes them from the environment.
load_settings() {
    local from_file=${1:-1}
    PASSWORD=${FERRY_LAB_PASSWORD:-ferry-lab-secret}
    TOKEN_EXPIRATION=${FERRY_LAB_TOKEN_EXPIRATION:-3600}
    KEYSTONE_PORT=${FERRY_LAB_KEYSTONE_PORT:-5000}
    GLANCE1_PORT=${FERRY_LAB_GLANCE1_PORT:-9292}
    GLANCE2_PORT=${FERRY_LAB_GLANCE2_PORT:-9293}
    FERRY_PORT=${FERRY_LAB_FERRY_PORT:-9494}
    CEPH_DIR=${CEPH_DIR_ARG:-${FERRY_LAB_CEPH_DIR:-}}
    [[ -z "$CEPH_DIR" || "$CEPH_DIR" == /* ]] || CEPH_DIR="$PWD/$CEPH_DIR"
    SWIFT_DIR=${SWIFT_DIR_ARG:-${FERRY_LAB_SWIFT_DIR:-}}
    [[ -z "$SWIFT_DIR" || "$SWIFT_DIR" == /* ]] || SWIFT_DIR="$PWD/$SWIFT_DIR"
    GLANCE1_S3_BUCKET=""
    if [[ "$from_file" == 1 && -f "$DIR/lab.env" ]]; then
        # shellcheck disable=SC1091
        source "$DIR/lab.env"
    fi
    KEYSTONE_URL="http://$HOST:$KEYSTONE_PORT"
    GLANCE1_URL="http://$HOST:$GLANCE1_PORT"
    GLANCE2_URL="http://$HOST:$GLANCE2_PORT"
    FERRY_URL="http://$HOST:$FERRY_PORT"
}

# single-quoted for sh and bash
component_port() {
    case $1 in keystone) echo "$KEYSTONE_PORT" ;; glance1) echo "$GLANCE1_PORT" ;; glance2) echo "$GLANCE2_PORT" ;; esac
}
component_region() {
    case $1 in glance1) echo RegionOne ;; glance2) echo RegionTwo ;; esac
}
# the URL that answers when the component is up (Glance's healthcheck sits before authtoken in its pipeline)
component_probe() {
    case $1 in
        keystone) echo "$KEYSTONE_URL/v3" ;;
        glance1) echo "$GLANCE1_URL/healthcheck" ;;
        glance2) echo "$GLANCE2_URL/healthcheck" ;;
    esac
}

descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

# kill_trees NAME:PID...: SIGTERM to each process, its process group (every process is started as a session leader)
# and its descendants, all at once; SIGKILL whatever is left after a grace period of 10 s.
kill_trees() {
    local entry pid pids=() groups=() p i
    for entry in "$@"; do
        pid=${entry##*:}
        groups+=("$pid")
        pids+=("$pid" $(descendants "$pid"))
    done
    for pid in "${groups[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        local alive=()
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
        ((${#alive[@]})) || return 0
        sleep 0.1
    done
    log "not stopped within 10 s, killing: $*"
    for pid in "${groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.2
}

# PIDs listening on a TCP port (empty when ss is missing)
port_listeners() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
}

do_down() {
    local i name port p cmdline targets=()
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
        name=${COMPONENTS[i]}
        if p=$(recorded_pid "$name"); then
            log "stopping $name (pid $p)"
            targets+=("$name:$p")
        fi
    done
    ((${#targets[@]} == 0)) || kill_trees "${targets[@]}"
    for name in "${COMPONENTS[@]}"; do rm -f "$DIR/run/$name.pid"; done
    # Lost pid files (e.g. a killed `up`): a listener on a lab port whose command line names this lab directory
    # was started by this script too.
    targets=()
    for name in "${COMPONENTS[@]}"; do
        port=$(component_port "$name")
        for p in $(port_listeners "$port"); do
            cmdline=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
            if [[ "$cmdline" == *"$DIR/"* ]]; then
                log "stopping a $name of this lab without pid file (pid $p)"
                targets+=("$name:$p")
            fi
        done
    done
    ((${#targets[@]} == 0)) || kill_trees "${targets[@]}"
    remove_glance_bucket
    # someone else's listener is left alone (and does not make `down` fail: it stays idempotent)
    for name in "${COMPONENTS[@]}"; do
        port=$(component_port "$name")
        if port_in_use "$port"; then
            log "WARNING: port $port is still in use by something this script did not start: pid $(port_listeners "$port" | tr '\n' ' ')"
        fi
    done
}

# remove_glance_bucket: the bucket of Glance RegionOne's s3 store, with what is left in it, once Glance is stopped
# (it lives on in the Ceph lab, which other labs share, after this lab's directory is gone). Never fails `down`.
remove_glance_bucket() {
    [[ -n "${GLANCE1_S3_BUCKET:-}" && -n "${CEPH_DIR:-}" ]] || return 0
    local ceph_env
    if ! ceph_env=$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "$CEPH_DIR" 2>/dev/null); then
        log "no Ceph lab in $CEPH_DIR any more: bucket $GLANCE1_S3_BUCKET left alone"
        return 0
    fi
    if (eval "$ceph_env"; timeout 120 "$PY" "$LAB_SRC/remove_bucket.py" "$GLANCE1_S3_BUCKET") >/dev/null 2>&1; then
        log "removed bucket $GLANCE1_S3_BUCKET of Glance RegionOne's s3 store"
    else
        log "WARNING: could not remove bucket $GLANCE1_S3_BUCKET (is radosgw at the Ceph lab in $CEPH_DIR up?)"
    fi
}

# start NAME LOGFILE CMD...: runs CMD as its own session (so its process group can be stopped as a whole)
start_component() {
    local name=$1 logfile=$2 pid start
    shift 2
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
    pid=$!
    start=$(proc_starttime "$pid") || die "$name exited at once; see $logfile"
    echo "$pid $start" >"$DIR/run/$name.pid"
    log "started $name (pid $pid, log $logfile)"
}

http_code() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
}

# wait_http NAME URL SECONDS: until URL answers 200 while the component's process lives
wait_http() {
    local name=$1 url=$2 secs=$3 deadline code
    deadline=$((SECONDS + secs))
    while ((SECONDS < deadline)); do
        code=$(http_code "$url")
        [[ "$code" == 200 ]] && return 0
        recorded_pid "$name" >/dev/null || { log "$name died"; return 1; }
        sleep 0.2
    done
    log "$name does not answer at $url after $secs s (last HTTP code: ${code:-none})"
    return 1
}

# --- up ----------------------------------------------------------------------------------------------------------
UP_STARTED=""
UP_DONE=""
PREP_PIDS=()

on_exit() {
    local rc=$?
    trap - EXIT
    if [[ -n "$CREATED_POLICY_RC" ]]; then
        rm -f /usr/sbin/policy-rc.d || true
    fi
    local p
    for p in "${PREP_PIDS[@]}"; do   # Glance database preparation still running in the background
        kill -TERM $(descendants "$p") "$p" 2>/dev/null || true
    done
    if [[ -n "$UP_STARTED" && -z "$UP_DONE" ]]; then
        if [[ "${FERRY_LAB_KEEP_ON_FAILURE:-0}" == 1 ]]; then
            log "up failed; FERRY_LAB_KEEP_ON_FAILURE=1: leaving the started processes running (stop: $0 down --dir $DIR)"
        else
            log "up failed: stopping what it started (FERRY_LAB_KEEP_ON_FAILURE=1 keeps it)"
            do_down >/dev/null 2>&1 || true
        fi
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# render TEMPLATE OUT KEY=VALUE...: replaces @KEY@ in TEMPLATE; every placeholder must get a value
render() {
    local template=$1 out=$2 content kv key
    shift 2
    content=$(<"$template")
    local -A given=()
    for kv in "$@"; do
        key=${kv%%=*}
        given[$key]=1
        content=${content//"@$key@"/"${kv#*=}"}
    done
    for key in $(grep -o '@[A-Z0-9_]*@' "$template" | tr -d @ | sort -u); do
        [[ -n "${given[$key]:-}" ]] || die "no value for @$key@ in $template"
    done
    printf '%s\n' "$content" >"$out"
}

# run_logged LOGFILE CMD...: appends the command and its output to LOGFILE; shows the tail on failure
run_logged() {
    local logfile=$1
    shift
    printf '\n$ %s\n' "$*" >>"$logfile"
    if ! "$@" >>"$logfile" 2>&1; then
        tail -n 25 "$logfile" >&2
        log "failed: $* (log: $logfile)"
        return 1
    fi
}

wal() {
    [[ "$(sqlite3 "$1" 'PRAGMA journal_mode=WAL;')" == wal ]] || { log "could not put $1 in WAL mode"; return 1; }
}

uwsgi_binary() {
    local b
    for b in uwsgi uwsgi-core; do
        command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return 0; }
    done
    return 1
}

write_lab_env() {
    {
        echo "# written by scripts/openstack-lab.sh up; read by its other subcommands"
        echo "PASSWORD=$(shq "$PASSWORD")"
        echo "TOKEN_EXPIRATION=$TOKEN_EXPIRATION"
        echo "KEYSTONE_PORT=$KEYSTONE_PORT"
        echo "GLANCE1_PORT=$GLANCE1_PORT"
        echo "GLANCE2_PORT=$GLANCE2_PORT"
        echo "FERRY_PORT=$FERRY_PORT"
        echo "CEPH_DIR=$(shq "$CEPH_DIR")"
        echo "SWIFT_DIR=$(shq "$SWIFT_DIR")"
        echo "GLANCE1_S3_BUCKET=$(shq "$GLANCE1_S3_BUCKET")"
    } >"$DIR/lab.env"
    chmod 600 "$DIR/lab.env"
}

write_clouds_yaml() {
    local ypw="'${PASSWORD//\'/\'\'}'" cloud user project
    {
        echo "# written by scripts/openstack-lab.sh up: openstack --os-cloud ferry-lab-demo …"
        echo "# (OS_CLIENT_CONFIG_FILE=$DIR/clouds.yaml; with OS_USERNAME etc. set, those override the cloud's values)"
        echo "clouds:"
        for cloud in admin:admin:admin demo:demo:demo alt-demo:alt_demo:alt_demo glance:glance:service; do
            IFS=: read -r cloud user project <<<"$cloud"
            cat <<EOF
  ferry-lab-$cloud:
    auth:
      auth_url: $KEYSTONE_URL/v3
      username: $user
      password: $ypw
      project_name: $project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
EOF
        done
    } >"$DIR/clouds.yaml"
    chmod 600 "$DIR/clouds.yaml"
}

# add_rbd_store CONF: glance_store's rbd driver as store "ceph" (first in enabled_backends, which stays
# alphabetical for tempest) on the Ceph lab in CEPH_DIR: its pool images, as client.glance (keyring found through
# the lab's ceph.conf). Glance's rbd driver imports Debian's python3-rbd, which the Ceph lab installs.
add_rbd_store() {
    local conf=$1 ceph_env
    ceph_env=$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "$CEPH_DIR") \
        || { echo "no Ceph lab in $CEPH_DIR (scripts/ceph-lab.sh up --dir $CEPH_DIR)" >&2; return 1; }
    local FERRY_CEPH_CONF FERRY_CEPH_USER FERRY_CEPH_POOL
    eval "$(grep -E '^export FERRY_CEPH_(CONF|USER|POOL)=' <<<"$ceph_env" | sed 's/^export //')"
    sed -i 's/^enabled_backends = cheap:file, fast:file, web:http$/enabled_backends = ceph:rbd, cheap:file, fast:file, web:http/' "$conf"
    grep -q '^enabled_backends = ceph:rbd' "$conf" || { echo "cannot add the rbd store to $conf" >&2; return 1; }
    # locations visible and settable (legacy PATCH, Zed has no other way): the interop test registers the rbd
    # location of an image Ferry wrote, which this Glance then serves
    sed -i 's/^\[DEFAULT\]$/[DEFAULT]\nshow_multiple_locations = True/' "$conf"
    grep -q '^show_multiple_locations = True' "$conf" || { echo "cannot show locations in $conf" >&2; return 1; }
    cat >>"$conf" <<RBD

[ceph]
rbd_store_pool = $FERRY_CEPH_POOL
rbd_store_user = $FERRY_CEPH_USER
rbd_store_ceph_conf = $FERRY_CEPH_CONF
rbd_store_chunk_size = 8
store_description = Ceph RBD store of RegionOne
RBD
}

# show_locations CONF: show_multiple_locations = True (once), so that locations are visible and settable (legacy
# PATCH, Zed has no other way): the interop tests register locations of images Ferry wrote, which Glance then serves
show_locations() {
    local conf=$1
    grep -q '^show_multiple_locations = True' "$conf" && return 0
    sed -i 's/^\[DEFAULT\]$/[DEFAULT]\nshow_multiple_locations = True/' "$conf"
    grep -q '^show_multiple_locations = True' "$conf" || { echo "cannot show locations in $conf" >&2; return 1; }
}

# add_swift_store CONF: glance_store's swift driver as store "swift" on the Swift lab in SWIFT_DIR (tempauth, auth
# v1, which Zed still has), its account test through reference ref1 of a swift_store_config_file next to CONF, so
# Glance's locations are swift+config://ref1/glance-regionone/<id> as Ferry writes them. 16 MiB and more (or an
# unknown size) goes in 4 MiB segments with a DLO manifest.
add_swift_store() {
    local conf=$1 swift_env
    swift_env=$(bash "$ROOT/scripts/swift-lab.sh" env --dir "$SWIFT_DIR") \
        || { echo "no Swift lab in $SWIFT_DIR (scripts/swift-lab.sh up --dir $SWIFT_DIR)" >&2; return 1; }
    local FERRY_SWIFT_AUTH_URL FERRY_SWIFT_USER FERRY_SWIFT_KEY
    eval "$(grep -E '^export FERRY_SWIFT_(AUTH_URL|USER|KEY)=' <<<"$swift_env" | sed 's/^export //')"
    sed -i 's/^\(enabled_backends = .*\), web:http$/\1, swift:swift, web:http/' "$conf"
    grep -q '^enabled_backends = .*swift:swift' "$conf" || { echo "cannot add the swift store to $conf" >&2; return 1; }
    show_locations "$conf" || return 1
    local refs
    refs="$(dirname "$conf")/glance-swift.conf"
    cat >"$refs" <<REFS
[ref1]
auth_address = $FERRY_SWIFT_AUTH_URL
user = $FERRY_SWIFT_USER
key = $FERRY_SWIFT_KEY
auth_version = 1
REFS
    chmod 600 "$refs"
    cat >>"$conf" <<SWIFT

[swift]
swift_store_config_file = $refs
default_swift_reference = ref1
swift_store_auth_version = 1
swift_store_container = glance-regionone
swift_store_create_container_on_put = True
swift_store_large_object_size = 16
swift_store_large_object_chunk_size = 4
store_description = Swift store of RegionOne
SWIFT
}

# add_s3_store CONF: glance_store's s3 driver as store "objects" on the Ceph lab's radosgw in CEPH_DIR, with the
# lab's S3 user and the bucket GLANCE1_S3_BUCKET (unique per `up`: labs in other directories may share the radosgw),
# which Glance creates on its first upload. Images of 16 MiB and more go up as multipart uploads, so that an interop
# test of some tens of MiB exercises Glance's multipart path. Path-style addressing: radosgw on 127.0.0.1 has no
# bucket host names. Zed writes the keys into every location (s3://<access>:<secret>@<host>/<bucket>/<id>).
add_s3_store() {
    local conf=$1 ceph_env
    ceph_env=$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "$CEPH_DIR") \
        || { echo "no Ceph lab in $CEPH_DIR (scripts/ceph-lab.sh up --dir $CEPH_DIR)" >&2; return 1; }
    local FERRY_S3_ENDPOINT FERRY_S3_ACCESS_KEY FERRY_S3_SECRET_KEY
    eval "$(grep -E '^export FERRY_S3_(ENDPOINT|ACCESS_KEY|SECRET_KEY)=' <<<"$ceph_env" | sed 's/^export //')"
    [[ -n "${FERRY_S3_ENDPOINT:-}" ]] || { echo "the Ceph lab in $CEPH_DIR has no radosgw" >&2; return 1; }
    sed -i 's/^\(enabled_backends = .*fast:file\), web:http$/\1, objects:s3, web:http/' "$conf"
    grep -q '^enabled_backends = .*objects:s3' "$conf" || { echo "cannot add the s3 store to $conf" >&2; return 1; }
    cat >>"$conf" <<S3

[objects]
s3_store_host = $FERRY_S3_ENDPOINT
s3_store_access_key = $FERRY_S3_ACCESS_KEY
s3_store_secret_key = $FERRY_S3_SECRET_KEY
s3_store_bucket = $GLANCE1_S3_BUCKET
s3_store_create_bucket_on_put = True
s3_store_bucket_url_format = path
s3_store_large_object_size = 16
s3_store_large_object_chunk_size = 10
store_description = radosgw S3 store of RegionOne
S3
    chmod 600 "$conf"
}

# prepare_glance NAME: config, paste ini, database (WAL), metadefs. Output into DIR/log/NAME-setup.log.
prepare_glance() {
    local name=$1 g="$DIR/$1" setup="$DIR/log/$1-setup.log"
    local region port
    region=$(component_region "$name")
    port=$(component_port "$name")
    mkdir -p "$g/images/fast" "$g/images/cheap" "$g/staging" "$g/tasks" "$g/locks"
    render "$LAB_SRC/glance-api.conf.in" "$g/glance-api.conf" HOST="$HOST" PORT="$port" NAME="$name" \
        REGION="$region" G_DIR="$g" LOG_DIR="$DIR/log" KEYSTONE_URL="$KEYSTONE_URL" \
        PASSWORD_OSLO="${PASSWORD//\$/\$\$}"
    if [[ "$name" == glance1 && -n "$CEPH_DIR" ]]; then
        add_rbd_store "$g/glance-api.conf" || return 1
        add_s3_store "$g/glance-api.conf" || return 1
    fi
    if [[ "$name" == glance1 && -n "$SWIFT_DIR" ]]; then
        add_swift_store "$g/glance-api.conf" || return 1
    fi
    cp /etc/glance/glance-api-paste.ini "$g/glance-api-paste.ini"
    run_logged "$setup" glance-manage --config-file "$g/glance-api.conf" db_sync || return 1
    wal "$g/glance.db" || return 1
    if [[ "${FERRY_LAB_METADEFS:-1}" == 1 ]]; then
        run_logged "$setup" glance-manage --config-file "$g/glance-api.conf" db_load_metadefs /etc/glance/metadefs \
            || return 1
    fi
}

do_up() {
    local t0=$SECONDS name port uwsgi ks="$DIR/keystone"
    load_settings 0
    [[ "$PASSWORD" != *$'\n'* && -n "$PASSWORD" ]] || die "FERRY_LAB_PASSWORD must be one non-empty line"
    [[ "$TOKEN_EXPIRATION" =~ ^[0-9]+$ ]] || die "FERRY_LAB_TOKEN_EXPIRATION must be seconds"
    local v
    for v in KEYSTONE_PORT GLANCE1_PORT GLANCE2_PORT FERRY_PORT; do
        [[ "${!v}" =~ ^[0-9]+$ ]] && ((${!v} >= 1 && ${!v} <= 65535)) || die "FERRY_LAB_$v must be a TCP port, not '${!v}'"
    done
    [[ "$(printf '%s\n' "$KEYSTONE_PORT" "$GLANCE1_PORT" "$GLANCE2_PORT" "$FERRY_PORT" | sort -u | wc -l)" == 4 ]] \
        || die "the four lab ports must differ"

    # a previous lab in DIR: stop it, then wipe DIR (only if it is a lab directory, or empty)
    if [[ -e "$DIR" ]]; then
        if [[ -f "$DIR/$MARKER" ]]; then
            (load_settings 1; do_down) || true
        elif [[ -n "$(ls -A "$DIR" 2>/dev/null)" ]]; then
            die "$DIR exists, is not empty and is not a lab directory (no $MARKER): not wiping it"
        fi
    fi
    for name in "${COMPONENTS[@]}"; do
        port=$(component_port "$name")
        port_in_use "$port" && die "port $port (for $name) is in use by another process: $(port_listeners "$port" | tr '\n' ' ')"
    done
    rm -rf -- "$DIR"
    mkdir -p "$DIR/run" "$DIR/log"
    if [[ -n "$CEPH_DIR" ]]; then
        PACKAGES+=(python3-boto3)   # glance_store's s3 driver imports boto3
        GLANCE1_S3_BUCKET="glance-regionone-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
    fi
    mkdir -p -m 700 "$ks" "$ks/fernet-keys" "$ks/credential-keys"
    touch "$DIR/$MARKER"
    install_packages
    uwsgi=$(uwsgi_binary) || die "no uwsgi binary (package uwsgi-core)"
    [[ -x /usr/bin/keystone-wsgi-public ]] || die "/usr/bin/keystone-wsgi-public missing (package keystone)"
    [[ -f /etc/glance/glance-api-paste.ini ]] || die "/etc/glance/glance-api-paste.ini missing (package glance-api)"
    UP_STARTED=1
    write_lab_env
    write_clouds_yaml

    # the Glance databases are prepared while Keystone is set up
    for name in glance1 glance2; do
        prepare_glance "$name" &
        PREP_PIDS+=($!)
    done

    # Keystone
    local setup="$DIR/log/keystone-setup.log" kconf="$ks/keystone.conf"
    render "$LAB_SRC/keystone.conf.in" "$kconf" KS_DIR="$ks" LOG_DIR="$DIR/log" TOKEN_EXPIRATION="$TOKEN_EXPIRATION"
    local km=(keystone-manage --config-file "$kconf")
    run_logged "$setup" "${km[@]}" db_sync
    wal "$ks/keystone.db"
    run_logged "$setup" "${km[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    run_logged "$setup" "${km[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    run_logged "$setup" "${km[@]}" bootstrap --bootstrap-password "$PASSWORD" \
        --bootstrap-admin-url "$KEYSTONE_URL/v3/" --bootstrap-internal-url "$KEYSTONE_URL/v3/" \
        --bootstrap-public-url "$KEYSTONE_URL/v3/" --bootstrap-region-id RegionOne
    start_component keystone "$DIR/log/keystone-uwsgi.log" "$uwsgi" --plugins python3 --master --die-on-term \
        --http-socket "$HOST:$KEYSTONE_PORT" --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 8 \
        --enable-threads --lazy-apps --buffer-size 65535 --add-header 'Connection: close' \
        --env "OS_KEYSTONE_CONFIG_FILES=$kconf"
    wait_http keystone "$(component_probe keystone)" 60 || { tail -n 30 "$DIR/log/keystone-uwsgi.log" >&2; exit 1; }
    log "Keystone answers at $KEYSTONE_URL ($((SECONDS - t0)) s)"
    FERRY_LAB_PASSWORD=$PASSWORD run_logged "$setup" "$PY" "$LAB_SRC/keystone_setup.py" "$KEYSTONE_URL" \
        "RegionOne=$GLANCE1_URL" "RegionTwo=$GLANCE2_URL" "RegionThree=$FERRY_URL"
    log "Keystone regions, image endpoints and users created ($((SECONDS - t0)) s)"

    # Glances
    local p
    for p in "${PREP_PIDS[@]}"; do
        wait "$p" || die "preparing a Glance failed (logs: $DIR/log/glance*-setup.log)"
    done
    PREP_PIDS=()
    for name in glance1 glance2; do
        start_component "$name" "$DIR/log/$name.out" glance-api --config-file "$DIR/$name/glance-api.conf"
    done
    for name in glance1 glance2; do
        wait_http "$name" "$(component_probe "$name")" 90 || {
            tail -n 30 "$DIR/log/$name.out" "$DIR/log/$name.log" >&2 2>/dev/null; exit 1; }
    done
    UP_DONE=1

    cat <<EOF

Ferry OpenStack lab is up in $DIR ($((SECONDS - t0)) s)
  Keystone     $KEYSTONE_URL/v3    pid $(recorded_pid keystone)
  RegionOne    Glance $GLANCE1_URL   pid $(recorded_pid glance1)
  RegionTwo    Glance $GLANCE2_URL   pid $(recorded_pid glance2)
  RegionThree  Ferry  $FERRY_URL   (registered only; not started)
  users        admin/admin, glance/service (admin, service), demo/demo and alt_demo/alt_demo (member, reader)
  password     $PASSWORD
  logs         $DIR/log/
Next:
  eval "\$($0 env --dir $DIR)"
  openstack --os-username demo --os-project-name demo token issue
  $0 ferry-conf --dir $DIR && java -jar target/ferry.jar --config-file $DIR/ferry/ferry.conf
  $0 down --dir $DIR
EOF
}

# --- env, ferry-conf, status -------------------------------------------------------------------------------------
do_env() {
    load_settings 1
    local k v kv
    for kv in "OS_AUTH_URL=$KEYSTONE_URL/v3" OS_USERNAME=admin "OS_PASSWORD=$PASSWORD" OS_PROJECT_NAME=admin \
        OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3 \
        OS_REGION_NAME=RegionOne OS_INTERFACE=public \
        "FERRY_LAB_DIR=$DIR" "FERRY_LAB_PASSWORD=$PASSWORD" "FERRY_LAB_KEYSTONE_URL=$KEYSTONE_URL" \
        "FERRY_LAB_GLANCE1_URL=$GLANCE1_URL" "FERRY_LAB_GLANCE2_URL=$GLANCE2_URL" "FERRY_LAB_FERRY_URL=$FERRY_URL"; do
        k=${kv%%=*}
        v=${kv#*=}
        printf 'export %s=%s\n' "$k" "$(shq "$v")"
    done
    if [[ -n "${CEPH_DIR:-}" ]]; then
        printf 'export FERRY_LAB_CEPH_DIR=%s\nexport FERRY_LAB_GLANCE1_RBD_STORE=ceph\n' "$(shq "$CEPH_DIR")"
        printf 'export FERRY_LAB_GLANCE1_S3_STORE=objects\nexport FERRY_LAB_GLANCE1_S3_BUCKET=%s\n' \
            "$(shq "$GLANCE1_S3_BUCKET")"
    fi
    if [[ -n "${SWIFT_DIR:-}" ]]; then
        printf 'export FERRY_LAB_SWIFT_DIR=%s\nexport FERRY_LAB_GLANCE1_SWIFT_STORE=swift\n' "$(shq "$SWIFT_DIR")"
    fi
}

do_ferry_conf() {
    load_settings 1
    local file=${POSITIONAL[0]:-$DIR/ferry/ferry.conf} f_dir="$DIR/ferry"
    [[ "$file" == /* ]] || file="$PWD/$file"
    if [[ ! -e "$DIR" ]]; then   # before any `up`: mark the directory so that `up` may wipe it
        mkdir -p "$DIR"
        touch "$DIR/$MARKER"
    fi
    mkdir -p "$(dirname "$file")" "$f_dir/images/fast" "$f_dir/images/cheap" "$f_dir/staging" "$f_dir/tasks"
    render "$LAB_SRC/ferry.conf.in" "$file" HOST="$HOST" PORT="$FERRY_PORT" REGION=RegionThree F_DIR="$f_dir" \
        KEYSTONE_URL="$KEYSTONE_URL" PASSWORD="$PASSWORD" CONF_FILE="$file"
    chmod 600 "$file"
    echo "$file"
}

do_status() {
    load_settings 1
    local name pid code all=0
    printf '%-9s %-8s %-8s %s\n' COMPONENT STATE PID URL
    for name in "${COMPONENTS[@]}"; do
        if pid=$(recorded_pid "$name"); then
            code=$(http_code "$(component_probe "$name")")
            printf '%-9s %-8s %-8s %s (HTTP %s)\n' "$name" running "$pid" "$(component_probe "$name")" "$code"
            [[ "$code" == 200 ]] || all=3
        elif port_in_use "$(component_port "$name")"; then
            printf '%-9s %-8s %-8s %s (port in use, no live pid file: pids %s)\n' "$name" unknown - \
                "$(component_probe "$name")" "$(port_listeners "$(component_port "$name")" | tr '\n' ' ')"
            all=3
        else
            printf '%-9s %-8s %-8s %s\n' "$name" stopped - "$(component_probe "$name")"
            all=3
        fi
    done
    code=$(http_code "$FERRY_URL/versions")
    printf '%-9s %-8s %-8s %s (not managed here; HTTP %s)\n' ferry - - "$FERRY_URL" "${code:-000}"
    return "$all"
}

case $CMD in
    up) do_up ;;
    down) load_settings 1; do_down ;;
    env) do_env ;;
    ferry-conf) do_ferry_conf ;;
    status) do_status ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A real Ceph (16.2 Pacific, Debian bookworm packages) on loopback for Ferry's rbd and S3 stores: one mon, one mgr,
# one bluestore OSD on a sparse file, pool `images`, user client.glance, and radosgw with an S3 user. All state,
# configuration, keyrings and logs live in one directory; the system /etc/ceph and /var/lib/ceph are not used.
#
#   scripts/ceph-lab.sh up [--dir DIR]       install the packages if missing, wipe DIR, start the cluster
#   scripts/ceph-lab.sh env [--dir DIR]      export lines: eval "$(scripts/ceph-lab.sh env)"
#   scripts/ceph-lab.sh status [--dir DIR]   which daemons run, and `ceph health` (exit 0: all of them, 3: not all)
#   scripts/ceph-lab.sh down [--dir DIR]     stop the daemons `up` started and delete DIR (idempotent)
#
# DIR defaults to ${FERRY_CEPH_DIR:-/tmp/ferry-ceph}. The lab:
#   mon a      v2:127.0.0.1:3300, v1:127.0.0.1:6789;  mgr x and osd.0 on 127.0.0.1 (ports 6800-7300)
#   osd.0      bluestore on the sparse file DIR/osd/block.img (FERRY_CEPH_OSD_SIZE bytes, default 24 GiB)
#   pools      images, images2 and volumes (size 1, 8 PGs each, application rbd); user client.glance (rbd profile
#              on images and images2), keyring DIR/ceph.client.glance.keyring; user client.cinder (rbd on volumes,
#              read-only on the image pools), DIR/ceph.client.cinder.keyring; client.admin: DIR/ceph.client.admin.keyring
#   radosgw    http://127.0.0.1:PORT (FERRY_CEPH_RGW_PORT, default 7480, or a free port when 7480 is taken),
#              S3 user `ferry` whose keys `env` prints (path-style addressing)
#   use        ceph -c DIR/ceph.conf -s;  rbd -c DIR/ceph.conf --id glance -p images ls
#
# Environment read by `up` (recorded in DIR/lab.env; the other subcommands read it from there):
#   FERRY_CEPH_DIR, FERRY_CEPH_RGW_PORT, FERRY_CEPH_OSD_SIZE (bytes),
#   FERRY_CEPH_KEEP_ON_FAILURE (1: leave the daemons of a failed `up` running, for debugging).
# Installing the packages needs root (apt-get); the mon ports 3300 and 6789 must be free.
set -euo pipefail

HOST=127.0.0.1
MON_V2_PORT=3300
MON_V1_PORT=6789
PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-common radosgw librbd1 librados2 python3-rbd python3-rados curl)
COMPONENTS=(mon mgr osd rgw)   # start order; stopped in reverse
MARKER=.ferry-ceph-lab         # marks a directory this script may wipe

log() { printf 'ceph-lab: %s\n' "$*" >&2; }
die() { printf 'ceph-lab: ERROR: %s\n' "$*" >&2; exit 1; }
# shared with the other lab script: shq, pid files, port_in_use, install_packages
source "$(dirname "${BASH_SOURCE[0]}")/lab/common.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# --- arguments ---------------------------------------------------------------------------------------------------
CMD=${1:-}
[[ -n "$CMD" ]] || { usage >&2; exit 2; }
shift
DIR=${FERRY_CEPH_DIR:-/tmp/ferry-ceph}
while (($#)); do
    case $1 in
        --dir) (($# >= 2)) || die "--dir needs a directory"; DIR=$2; shift 2 ;;
        --dir=*) DIR=${1#--dir=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see $0 help)" ;;
    esac
done
[[ -n "$DIR" ]] || die "empty lab directory"
[[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
DIR=${DIR%/}
[[ -n "$DIR" && "$DIR" != "/" ]] || die "refusing to use / as the lab directory"
[[ "$DIR" != *[[:space:]]* ]] || die "the lab directory must not contain white space (ceph.conf): $DIR"
CONF="$DIR/ceph.conf"

load_settings() {
    local from_file=${1:-1}
    RGW_PORT=${FERRY_CEPH_RGW_PORT:-}
    OSD_SIZE=${FERRY_CEPH_OSD_SIZE:-25769803776}   # 24 GiB, sparse: scripts/bench/rbd.sh 4G copies 4 GiB twice
    FSID="" S3_ACCESS_KEY="" S3_SECRET_KEY=""
    if [[ "$from_file" == 1 && -f "$DIR/lab.env" ]]; then
        # shellcheck disable=SC1091
        source "$DIR/lab.env"
    fi
}

# daemons of this lab whose pid file is lost: ceph-mon, ceph-mgr, ceph-osd or radosgw run with -c DIR/ceph.conf
orphan_pids() {
    local f p cmd
    for f in /proc/[0-9]*/cmdline; do
        p=${f#/proc/}; p=${p%/cmdline}
        cmd=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
        case $cmd in
            ceph-mon\ *|ceph-mgr\ *|ceph-osd\ *|radosgw\ *|/usr/bin/ceph-mon\ *|/usr/bin/ceph-mgr\ *|/usr/bin/ceph-osd\ *|/usr/bin/radosgw\ *)
                [[ " $cmd " == *" -c $CONF "* ]] && echo "$p" ;;
        esac
    done
}

# stop PID...: SIGTERM, then SIGKILL after 10 s
stop_pids() {
    local p i alive
    kill -TERM "$@" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        alive=()
        for p in "$@"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
        ((${#alive[@]})) || return 0
        sleep 0.1
    done
    log "not stopped within 10 s, killing: ${alive[*]}"
    kill -KILL "${alive[@]}" 2>/dev/null || true
    sleep 0.2
}

stop_daemons() {
    local i name p
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do   # reverse order: rgw, osd, mgr, mon
        name=${COMPONENTS[i]}
        if p=$(recorded_pid "$name"); then
            local t=$SECONDS
            stop_pids "$p"
            log "stopped $name (pid $p, $((SECONDS - t)) s)"
        fi
        rm -f "$DIR/run/$name.pid"
    done
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
            log "WARNING: $DIR is not a Ceph lab directory (no $MARKER): not removing it"
        fi
    fi
}

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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

# every cluster command has a time limit
cephc() { timeout 60 ceph -c "$CONF" --connect-timeout 20 "$@"; }

# run_logged CMD...: the command and its output go to DIR/log/setup.log; on failure show its tail and stop
run_logged() {
    printf '\n$ %s\n' "$*" >>"$DIR/log/setup.log"
    "$@" >>"$DIR/log/setup.log" 2>&1 || fail "failed: $*" "$DIR/log/setup.log"
}

# wait_until NAME SECONDS CMD...: until CMD succeeds while NAME's daemon lives
wait_until() {
    local name=$1 secs=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    while ((SECONDS < deadline)); do
        "$@" >/dev/null 2>&1 && return 0
        recorded_pid "$name" >/dev/null || fail "$name died" "$DIR/log/$name.out" "$DIR/log/$name.log"
        sleep 0.5
    done
    fail "$name: not ready after $secs s ($*)" "$DIR/log/$name.out" "$DIR/log/$name.log"
}

# --- up ----------------------------------------------------------------------------------------------------------
UP_STARTED=""
UP_DONE=""

on_exit() {
    local rc=$?
    trap - EXIT
    if [[ -n "$CREATED_POLICY_RC" ]]; then
        rm -f /usr/sbin/policy-rc.d || true
    fi
    if [[ -n "$UP_STARTED" && -z "$UP_DONE" ]]; then
        if [[ "${FERRY_CEPH_KEEP_ON_FAILURE:-0}" == 1 ]]; then
            log "up failed; FERRY_CEPH_KEEP_ON_FAILURE=1: leaving the daemons running (stop: $0 down --dir $DIR)"
        else
            log "up failed: stopping what it started (logs stay in $DIR/log; FERRY_CEPH_KEEP_ON_FAILURE=1 keeps the daemons)"
            stop_daemons >/dev/null 2>&1 || true
        fi
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

write_conf() {
    cat >"$CONF" <<EOF
# written by scripts/ceph-lab.sh up: a one-OSD cluster on loopback
[global]
fsid = $FSID
mon host = [v2:$HOST:$MON_V2_PORT,v1:$HOST:$MON_V1_PORT]
mon initial members = a
public addr = $HOST
cluster addr = $HOST
ms bind ipv4 = true
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $DIR/sock
crash dir = $DIR/crash
mon cluster log file = $DIR/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1

[mon]
mon data = $DIR/mon/ceph-\$id
keyring = $DIR/mon/ceph-\$id/keyring
log file = $DIR/log/\$name.log

[mgr]
mgr data = $DIR/mgr/ceph-\$id
keyring = $DIR/mgr/ceph-\$id/keyring
log file = $DIR/log/\$name.log

[osd]
osd data = $DIR/osd/ceph-\$id
keyring = $DIR/osd/ceph-\$id/keyring
log file = $DIR/log/\$name.log
osd objectstore = bluestore
# not \$osd_data/block: bluestore puts a symlink there
bluestore block path = $DIR/osd/block.img
bluestore block create = true
bluestore block size = $OSD_SIZE
osd memory target = 1073741824
# a crashed client's watch on an RBD image ends after this many seconds (default 30): until then the image
# cannot be removed, and the tests that crash a writer wait for it
osd client watch timeout = 5

[client]
keyring = $DIR/ceph.\$name.keyring

[client.rgw.lab]
rgw data = $DIR/rgw
log file = $DIR/log/\$name.log
rgw frontends = beast endpoint=$HOST:$RGW_PORT
rgw gc obj min wait = 60
rgw gc processor period = 60
EOF
}

write_lab_env() {
    {
        echo "# written by scripts/ceph-lab.sh up; read by its other subcommands"
        echo "FSID=$FSID"
        echo "RGW_PORT=$RGW_PORT"
        echo "OSD_SIZE=$OSD_SIZE"
        echo "S3_ACCESS_KEY=$S3_ACCESS_KEY"
        echo "S3_SECRET_KEY=$S3_SECRET_KEY"
    } >"$DIR/lab.env"
    chmod 600 "$DIR/lab.env"
}

osd_up() { [[ "$(cephc osd stat -f json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["num_up_osds"])')" == 1 ]]; }
rgw_answers() {
    local code
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$HOST:$RGW_PORT/" 2>/dev/null) || true
    [[ "$code" == 200 || "$code" == 403 ]]
}
pgs_active() {
    cephc pg stat -f json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("pg_summary", d)
total = d.get("num_pgs", 0)
active = sum(s["num"] for s in d.get("num_pg_by_state", []) if "active" in s["name"].split("+"))
sys.exit(0 if total > 0 and active == total else 1)'
}

do_up() {
    local t0=$SECONDS p
    load_settings 0
    [[ "$OSD_SIZE" =~ ^[0-9]+$ ]] && ((OSD_SIZE >= 2147483648)) || die "FERRY_CEPH_OSD_SIZE must be bytes, at least 2 GiB"

    # a previous lab in DIR: stop it, then wipe DIR (only if it is a lab directory, or empty)
    if [[ -e "$DIR" ]]; then
        if [[ -f "$DIR/$MARKER" ]]; then
            (load_settings 1; stop_daemons) || true
        elif [[ -n "$(ls -A "$DIR" 2>/dev/null)" ]]; then
            die "$DIR exists, is not empty and is not a Ceph lab directory (no $MARKER): not wiping it"
        fi
    fi
    for p in $MON_V2_PORT $MON_V1_PORT; do
        port_in_use "$p" && die "port $p (Ceph monitor) is in use by another process"
    done
    if [[ -z "$RGW_PORT" ]]; then
        RGW_PORT=7480
        port_in_use "$RGW_PORT" && RGW_PORT=$(free_port)
    fi
    [[ "$RGW_PORT" =~ ^[0-9]+$ ]] && ((RGW_PORT >= 1 && RGW_PORT <= 65535)) || die "FERRY_CEPH_RGW_PORT must be a TCP port"
    port_in_use "$RGW_PORT" && die "port $RGW_PORT (radosgw) is in use by another process"
    rm -rf -- "$DIR"
    mkdir -p "$DIR/run" "$DIR/log" "$DIR/sock" "$DIR/crash" "$DIR/mon" "$DIR/mgr/ceph-x" "$DIR/osd" "$DIR/rgw"
    touch "$DIR/$MARKER"
    install_packages
    UP_STARTED=1

    FSID=$(cat /proc/sys/kernel/random/uuid)
    S3_ACCESS_KEY=$(head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    S3_SECRET_KEY=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
    write_conf
    write_lab_env

    # mon
    local monkey="$DIR/mon.keyring" admin="$DIR/ceph.client.admin.keyring"
    run_logged ceph-authtool --create-keyring "$monkey" --gen-key -n mon. --cap mon 'allow *'
    run_logged ceph-authtool --create-keyring "$admin" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *'
    run_logged ceph-authtool "$monkey" --import-keyring "$admin"
    run_logged monmaptool --create --addv a "[v2:$HOST:$MON_V2_PORT,v1:$HOST:$MON_V1_PORT]" --fsid "$FSID" "$DIR/monmap"
    run_logged ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$monkey"
    rm -f "$monkey" "$DIR/monmap"
    start_component mon ceph-mon -f -c "$CONF" -i a
    wait_until mon 60 cephc mon stat
    log "mon answers ($((SECONDS - t0)) s)"

    # mgr
    run_logged cephc auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
        -o "$DIR/mgr/ceph-x/keyring"
    start_component mgr ceph-mgr -f -c "$CONF" -i x

    # osd.0
    local osd_uuid secret id
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    secret=$(ceph-authtool --gen-print-key)
    id=$(printf '{"cephx_secret": "%s"}' "$secret" | cephc osd new "$osd_uuid" -i - 2>>"$DIR/log/setup.log") \
        || fail "ceph osd new failed" "$DIR/log/setup.log" "$DIR/log/mon.a.log"
    [[ "$id" == 0 ]] || die "ceph osd new gave id '$id', expected 0"
    mkdir -p "$DIR/osd/ceph-0"
    run_logged ceph-authtool --create-keyring "$DIR/osd/ceph-0/keyring" --name osd.0 --add-key "$secret"
    run_logged timeout 120 ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid"
    start_component osd ceph-osd -f -c "$CONF" -i 0
    wait_until osd 90 osd_up
    log "osd.0 is up ($((SECONDS - t0)) s)"
    run_logged cephc osd set-require-min-compat-client mimic --yes-i-really-mean-it

    # pools: images (the rbd store), images2 (a second rbd store on the same cluster: copies inside Ceph) and
    # volumes (where Cinder clones images); client.glance for the image pools, client.cinder as Cinder's
    local pool
    for pool in images images2 volumes; do
        run_logged cephc osd pool create "$pool" 8 8 replicated
        run_logged cephc osd pool set "$pool" size 1 --yes-i-really-mean-it
        run_logged timeout 60 rbd -c "$CONF" pool init "$pool"
    done
    run_logged cephc auth get-or-create client.glance mon 'profile rbd' \
        osd 'profile rbd pool=images, profile rbd pool=images2' \
        mgr 'profile rbd pool=images, profile rbd pool=images2' -o "$DIR/ceph.client.glance.keyring"
    run_logged cephc auth get-or-create client.cinder mon 'profile rbd' \
        osd 'profile rbd pool=volumes, profile rbd-read-only pool=images, profile rbd-read-only pool=images2' \
        mgr 'profile rbd pool=volumes' -o "$DIR/ceph.client.cinder.keyring"

    # radosgw and its S3 user
    run_logged cephc auth get-or-create client.rgw.lab mon 'allow rw' osd 'allow rwx' mgr 'allow rw' \
        -o "$DIR/ceph.client.rgw.lab.keyring"
    start_component rgw radosgw -f -c "$CONF" -n client.rgw.lab
    wait_until rgw 120 rgw_answers
    log "radosgw answers at http://$HOST:$RGW_PORT ($((SECONDS - t0)) s)"
    run_logged timeout 60 radosgw-admin -c "$CONF" user create --uid ferry --display-name "Ferry tests" \
        --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY"

    recorded_pid mgr >/dev/null || fail "mgr died" "$DIR/log/mgr.out" "$DIR/log/mgr.x.log"
    wait_until osd 60 pgs_active
    # HEALTH_OK follows within seconds on a healthy lab; a warning is reported, not fatal
    local health="" deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        health=$(cephc health 2>/dev/null) || true
        [[ "$health" == HEALTH_OK* ]] && break
        sleep 1
    done
    [[ "$health" == HEALTH_OK* ]] || log "WARNING: cluster health: $(cephc health detail 2>&1 | head -n 10)"
    UP_DONE=1

    cat <<EOF

Ferry Ceph lab is up in $DIR ($((SECONDS - t0)) s), $health
  fsid      $FSID
  mon a     v2:$HOST:$MON_V2_PORT v1:$HOST:$MON_V1_PORT  pid $(recorded_pid mon)
  mgr x     pid $(recorded_pid mgr)
  osd.0     bluestore on $DIR/osd/block.img  pid $(recorded_pid osd)
  radosgw   http://$HOST:$RGW_PORT  pid $(recorded_pid rgw)  (S3 user ferry)
  pools     images, images2, volumes (rbd); users client.glance, client.cinder (keyrings in $DIR)
  logs      $DIR/log/
Next:
  eval "\$($0 env --dir $DIR)"
  rbd -c \$FERRY_CEPH_CONF --id \$FERRY_CEPH_USER -p \$FERRY_CEPH_POOL ls
  $0 down --dir $DIR
EOF
}

# --- env, status -------------------------------------------------------------------------------------------------
do_env() {
    load_settings 1
    [[ -f "$DIR/lab.env" && -n "$FSID" ]] || die "no Ceph lab in $DIR (run: $0 up --dir $DIR)"
    local k v kv
    for kv in "FERRY_CEPH_DIR=$DIR" "FERRY_CEPH_CONF=$CONF" "FERRY_CEPH_KEYRING=$DIR/ceph.client.glance.keyring" \
        FERRY_CEPH_USER=glance FERRY_CEPH_POOL=images FERRY_CEPH_POOL2=images2 "FERRY_CEPH_FSID=$FSID" \
        "FERRY_CEPH_CINDER_KEYRING=$DIR/ceph.client.cinder.keyring" FERRY_CEPH_CINDER_POOL=volumes \
        "FERRY_CEPH_ADMIN_KEYRING=$DIR/ceph.client.admin.keyring" \
        "FERRY_S3_ENDPOINT=http://$HOST:$RGW_PORT" "FERRY_S3_ACCESS_KEY=$S3_ACCESS_KEY" \
        "FERRY_S3_SECRET_KEY=$S3_SECRET_KEY"; do
        k=${kv%%=*}
        v=${kv#*=}
        printf 'export %s=%s\n' "$k" "$(shq "$v")"
    done
}

do_status() {
    load_settings 1
    local name pid all=0 what
    printf '%-6s %-8s %-8s %s\n' DAEMON STATE PID WHAT
    for name in "${COMPONENTS[@]}"; do
        case $name in
            mon) what="mon.a v2:$HOST:$MON_V2_PORT v1:$HOST:$MON_V1_PORT" ;;
            mgr) what="mgr.x" ;;
            osd) what="osd.0 (bluestore, $DIR/osd/block.img)" ;;
            rgw) what="radosgw http://$HOST:${RGW_PORT:-?}" ;;
        esac
        if pid=$(recorded_pid "$name"); then
            printf '%-6s %-8s %-8s %s\n' "$name" running "$pid" "$what"
        else
            printf '%-6s %-8s %-8s %s\n' "$name" stopped - "$what"
            all=3
        fi
    done
    local orphans
    mapfile -t orphans < <(orphan_pids)
    for pid in "${orphans[@]}"; do
        grep -qx "$pid" < <(for name in "${COMPONENTS[@]}"; do recorded_pid "$name" || true; done) && continue
        printf '%-6s %-8s %-8s %s\n' '?' orphan "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    done
    if recorded_pid mon >/dev/null; then
        printf 'health: %s\n' "$(timeout 15 ceph -c "$CONF" --connect-timeout 10 health 2>&1 | head -n 3)"
    else
        printf 'health: - (no mon)\n'
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

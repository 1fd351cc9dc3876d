#!/usr/bin/env bash
# Ferry's rbd store against the limit of this machine and against real Glance, on the Ceph lab (scripts/ceph-lab.sh).
#
#   scripts/bench/rbd.sh [SIZE ...]        sizes in bytes or with a binary suffix (default: 1G 4G)
#
# Needs a running Ceph lab: FERRY_CEPH_* in the environment, or a lab in ${FERRY_CEPH_DIR:-/tmp/ferry-ceph}. Real
# Glance is measured when the OpenStack lab (scripts/openstack-lab.sh, directory ${FERRY_LAB_DIR:-/tmp/ferry-lab})
# runs with --ceph-dir: its Glance RegionOne then has an rbd store "ceph" on the same pool, and Ferry runs in keystone
# mode against the lab's Keystone (admin token) so that it can glance-download from RegionTwo.
# Ferry is a private copy of target/ferry.jar (built if missing) started as an operator starts it, by
# scripts/run-ferry.sh (conf/jvm.options, started and stopped once first so the class-data archive exists), with two
# rbd stores (pools images and images2).
# For each size, ROUNDS (default 3) rounds, the order of the measurements rotated from round to round:
#   ferry-put   create an image and PUT the file to /v2/images/{id}/file (rbd store): network in, md5+sha512, RBD out
#   glance-put  the same against real Glance with X-Image-Meta-Store: ceph
#   limit-put   the same work without a service: curl from a local HTTP server | tee >(md5sum) >(sha512sum) |
#               rbd import -
#   ferry-gd    glance-download of a source image in Glance RegionTwo into Ferry's store ceph: import call -> active
#   glance-gd   the same into real Glance RegionOne's store ceph
#   limit-gd    curl RegionTwo's /file | tee >(md5sum) >(sha512sum) | rbd import -
# then copy-image of a Ferry image of that size from pool images to images2 (inside Ceph: a clone, flattened in the
# background; the time until the copy is active, and the time until its flatten ended).
# Prints medians in MB/s, the ratios, and each service's peak RSS over the measurements of that size (VmHWM, reset
# through /proc/PID/clear_refs before each measurement), and a CPU table: how busy the machine was during each
# measurement and the CPU seconds of the service and of the OSD (what saturates when a target is missed). Every
# imported image's checksum must be the source's.
# Every image is removed afterwards. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(1G 4G)

die() {
    printf 'rbd.sh: %s\n' "$*" >&2
    [[ -z "${WORK:-}" || ! -s "$WORK/ferry.log" ]] || { echo "rbd.sh: Ferry's log ends with:" >&2; tail -n 20 "$WORK/ferry.log" >&2; }
    exit 1
}
for c in curl java rbd python3 numfmt; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
if [[ -z "${FERRY_CEPH_CONF:-}" ]]; then
    eval "$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "${FERRY_CEPH_DIR:-/tmp/ferry-ceph}")" \
        || die "no Ceph lab: start one with scripts/ceph-lab.sh up"
fi
RBD=(rbd -c "$FERRY_CEPH_CONF" --id admin --keyring "$FERRY_CEPH_ADMIN_KEYRING")
# room in the cluster: the copy-image of the largest size holds it twice, and an OSD that fills up aborts (ENOSPC)
LARGEST=0
for s in "${SIZES[@]}"; do
    b=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    (( b > LARGEST )) && LARGEST=$b
done
AVAIL=$(ceph -c "$FERRY_CEPH_CONF" --id admin --keyring "$FERRY_CEPH_ADMIN_KEYRING" df --format json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["stats"]["total_avail_bytes"])') \
    || die "cannot read the cluster's free space (is the Ceph lab up?)"
(( AVAIL > 3 * LARGEST )) || die "the Ceph lab has $((AVAIL >> 20)) MiB free; the largest size needs $((3 * LARGEST >> 20)) MiB:" \
    "start it with a larger FERRY_CEPH_OSD_SIZE"

# the real Glance of the OpenStack lab, when it has an rbd store
GLANCE=""
LAB_DIR=${FERRY_LAB_DIR:-/tmp/ferry-lab}
if lab_env=$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "$LAB_DIR" 2>/dev/null) \
        && grep -q FERRY_LAB_GLANCE1_RBD_STORE <<<"$lab_env" \
        && bash "$ROOT/scripts/openstack-lab.sh" status --dir "$LAB_DIR" >/dev/null 2>&1; then
    eval "$lab_env"
    GLANCE=$FERRY_LAB_GLANCE1_URL
    GLANCE2=$FERRY_LAB_GLANCE2_URL
    TOKEN=$(curl -sS -i -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],
        \"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"},\"password\":\"$FERRY_LAB_PASSWORD\"}}},
        \"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}" \
        "$FERRY_LAB_KEYSTONE_URL/v3/auth/tokens" | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}' | tr -d '\r')
    [[ -n "$TOKEN" ]] || die "no Keystone token from the lab"
    GLANCE_PID=$(pgrep -f "glance-api --config-file $LAB_DIR/glance1/glance-api.conf" | head -n 1)
    [[ -n "$GLANCE_PID" ]] || die "cannot find the process of Glance RegionOne"
else
    echo "rbd.sh: no OpenStack lab with --ceph-dir in $LAB_DIR: real Glance and glance-download are not measured" >&2
fi
AUTH=()
[[ -z "$GLANCE" ]] || AUTH=(-H "X-Auth-Token: $TOKEN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-rbd.XXXXXX")
FERRY_PID=""
WEB_PID=""
stop_ferry() {
    if [[ -n "$FERRY_PID" ]] && kill -0 "$FERRY_PID" 2>/dev/null; then
        kill -TERM "$FERRY_PID" 2>/dev/null
        for _ in $(seq 1 300); do kill -0 "$FERRY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$FERRY_PID" 2>/dev/null || true
    fi
    FERRY_PID=""
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$WEB_PID" ]] && kill "$WEB_PID" 2>/dev/null
    stop_ferry
    if [[ -n "$GLANCE" && -s "$WORK/glance-created" ]]; then
        while read -r url id; do
            curl -sS -o /dev/null -X DELETE -H "X-Auth-Token: $TOKEN" "$url/v2/images/$id" || true
        done <"$WORK/glance-created"
    fi
    for p in "$FERRY_CEPH_POOL" "$FERRY_CEPH_POOL2"; do
        for img in $("${RBD[@]}" ls "$p" 2>/dev/null | grep -E '^(bench-|[0-9a-f-]{36}$)' || true); do
            if grep -qx "$img" "$WORK/created" 2>/dev/null; then
                "${RBD[@]}" snap unprotect "$p/$img@snap" >/dev/null 2>&1 || true
                "${RBD[@]}" snap purge "$p/$img" >/dev/null 2>&1 || true
                "${RBD[@]}" rm "$p/$img" >/dev/null 2>&1 || true
            fi
        done
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$WORK/created"
: >"$WORK/glance-created"

[[ -f "$ROOT/target/ferry.jar" ]] || (cd "$ROOT" && mvn -q -B -ntp package -DskipTests) || die "build failed"
cp "$ROOT/target/ferry.jar" "$WORK/ferry.jar"

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((15000 + RANDOM % 17000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    die "no free port"
}
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
mkdir -p "$WORK/conf" "$WORK/www"
cp -r "$ROOT/conf/." "$WORK/conf/"
IMPORT_METHODS="glance-direct, web-download, copy-image"
[[ -z "$GLANCE" ]] || IMPORT_METHODS="$IMPORT_METHODS, glance-download"
cat >"$WORK/conf/ferry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $PORT
enabled_backends = ceph:rbd, ceph2:rbd
enabled_import_methods = [$IMPORT_METHODS]
[glance_store]
default_backend = ceph
[ceph]
rbd_store_pool = $FERRY_CEPH_POOL
rbd_store_user = $FERRY_CEPH_USER
rbd_store_ceph_conf = $FERRY_CEPH_CONF
[ceph2]
rbd_store_pool = $FERRY_CEPH_POOL2
rbd_store_user = $FERRY_CEPH_USER
rbd_store_ceph_conf = $FERRY_CEPH_CONF
[os_glance_staging_store]
filesystem_store_datadir = $WORK/data/staging
[os_glance_tasks_store]
filesystem_store_datadir = $WORK/data/tasks
[database]
connection = jdbc:h2:file:$WORK/data/ferry
CONF
if [[ -n "$GLANCE" ]]; then
    cat >>"$WORK/conf/ferry.conf" <<CONF
[paste_deploy]
flavor = keystone
[keystone_authtoken]
www_authenticate_uri = $FERRY_LAB_KEYSTONE_URL
auth_url = $FERRY_LAB_KEYSTONE_URL
auth_type = password
project_name = service
project_domain_name = Default
username = glance
user_domain_name = Default
password = $FERRY_LAB_PASSWORD
[import_filtering_opts]
allowed_schemes = [http, https]
allowed_hosts = [127.0.0.1, localhost]
allowed_ports = []
CONF
fi

start_ferry() {
    (cd "$WORK" && FERRY_JAR="$WORK/ferry.jar" exec bash "$ROOT/scripts/run-ferry.sh" \
        --config-file "$WORK/conf/ferry.conf" >>"$WORK/ferry.log" 2>&1) &
    FERRY_PID=$!
    for i in $(seq 1 300); do
        kill -0 "$FERRY_PID" 2>/dev/null || { cat "$WORK/ferry.log" >&2; die "Ferry exited during start-up"; }
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/versions" || true)" == 200 ]] && break
        (( i < 300 )) || die "Ferry did not answer on $URL"
        sleep 0.2
    done
    # with its class-data archive, run-ferry.sh execs the JVM; without, the JVM is its child
    JVM_PID=$(pgrep -P "$FERRY_PID" java || echo "$FERRY_PID")
}
start_ferry   # this first run writes the class-data archive when it stops
stop_ferry
[[ -s "$WORK/ferry.jsa" ]] || echo "rbd.sh: no class-data archive was written; Ferry runs without one" >&2
start_ferry
WEB_PORT=$(free_port)
(cd "$WORK/www" && exec python3 -m http.server "$WEB_PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
WEB_PID=$!
sleep 1

# peak resident set of a process over one measurement
hwm_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || die "cannot reset the peak RSS of pid $1 (run as root)"; }
hwm_kib() { awk '$1 == "VmHWM:" {print $2}' "/proc/$1/status"; }

json_field() { # field -> value of the first "field": "value" on stdin
    sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

create_image() { # base-url -> id (records it for the clean-up)
    local created id
    created=$(curl -sS -f -X POST "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d '{"name":"bench-rbd","disk_format":"raw","container_format":"bare"}' "$1/v2/images") \
        || die "create at $1 failed"
    id=$(json_field id <<<"$created")
    [[ -n "$id" ]] || die "no image id from $1: $created"
    echo "$id" >>"$WORK/created"
    [[ "$1" == "$URL" ]] || echo "$1 $id" >>"$WORK/glance-created"
    echo "$id"
}

put_file() { # base-url id file [headers...] -> seconds
    local base=$1 id=$2 file=$3 out
    shift 3
    out=$(curl -sS -T "$file" -X PUT "${AUTH[@]}" -H 'Content-Type: application/octet-stream' -H 'Expect:' "$@" \
        -o "$WORK/put.out" -w '%{http_code} %{time_total}' "$base/v2/images/$id/file") || die "upload to $base failed"
    [[ ${out% *} == 204 ]] || die "upload to $base answered ${out% *}: $(cat "$WORK/put.out")"
    echo "${out#* }"
}

check_active() { # base-url id: the image is active with the source's checksum
    local img
    img=$(curl -sS "${AUTH[@]}" "$1/v2/images/$2")
    [[ "$(json_field status <<<"$img")" == active ]] || die "image $2 at $1 is not active: $img"
    [[ "$(json_field checksum <<<"$img")" == "$SRC_MD5" ]] || die "image $2 at $1 has another checksum: $img"
}

delete_image() { curl -sS -o /dev/null -X DELETE "${AUTH[@]}" "$1/v2/images/$2" || true; }

glance_download() { # base-url -> seconds from the import call to active
    local base=$1 id t0 img status
    id=$(create_image "$base")
    t0=$(date +%s.%N)
    curl -sS -f -o /dev/null -X POST "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d "{\"method\":{\"name\":\"glance-download\",\"glance_image_id\":\"$SRC_ID\",\"glance_region\":\"RegionTwo\",
            \"glance_service_interface\":\"public\"},\"stores\":[\"ceph\"]}" "$base/v2/images/$id/import" \
        || die "glance-download refused by $base"
    while true; do
        img=$(curl -sS "${AUTH[@]}" "$base/v2/images/$id")
        status=$(json_field status <<<"$img")
        [[ "$status" == active ]] && break
        [[ "$(json_field os_glance_failed_import <<<"$img")" == "" ]] \
            || die "glance-download into $base failed: $(curl -sS "${AUTH[@]}" "$base/v2/images/$id/tasks")"
        (( $(echo "$(date +%s.%N) - $t0 > 1200" | bc) )) && die "glance-download into $base did not finish: $img"
        sleep 0.1
    done
    echo "$(date +%s.%N) - $t0" | bc -l
    check_active "$base" "$id"
    delete_image "$base" "$id"
}

limit_pipeline() { # name url [curl args...] -> seconds: the bytes hashed twice into rbd import
    local name=$1 src=$2 t0 t1
    shift 2
    echo "$name" >>"$WORK/created"
    rm -f "$WORK/md5" "$WORK/sha"
    t0=$(date +%s.%N)
    curl -sS "$@" "$src" | tee >(md5sum >"$WORK/md5") >(sha512sum >"$WORK/sha") \
        | "${RBD[@]}" import --no-progress - "$FERRY_CEPH_POOL/$name" >/dev/null
    t1=$(date +%s.%N)
    "${RBD[@]}" rm --no-progress "$FERRY_CEPH_POOL/$name" >/dev/null 2>&1
    for _ in $(seq 1 100); do [[ -s "$WORK/md5" && -s "$WORK/sha" ]] && break; sleep 0.1; done
    [[ "$(cut -d' ' -f1 "$WORK/md5")" == "$SRC_MD5" ]] || die "the pipeline read other bytes from $src"
    echo "$t1 - $t0" | bc -l
}

measure() { # what -> appends "seconds" to WORK/what.t and the service's peak RSS (KiB) to WORK/what.rss
    local what=$1 pid="" t id before
    case $what in ferry-*) pid=$JVM_PID ;; glance-*) pid=$GLANCE_PID ;; esac
    [[ -z "$pid" ]] || hwm_reset "$pid"
    before=$(cpu_snapshot "$pid")
    case $what in
        ferry-put) id=$(create_image "$URL"); t=$(put_file "$URL" "$id" "$WORK/www/image.bin")
                   check_active "$URL" "$id"; delete_image "$URL" "$id" ;;
        glance-put) id=$(create_image "$GLANCE"); t=$(put_file "$GLANCE" "$id" "$WORK/www/image.bin" \
                        -H 'X-Image-Meta-Store: ceph'); check_active "$GLANCE" "$id"; delete_image "$GLANCE" "$id" ;;
        limit-put) t=$(limit_pipeline "bench-limit" "http://127.0.0.1:$WEB_PORT/image.bin") ;;
        ferry-gd) t=$(glance_download "$URL") ;;
        glance-gd) t=$(glance_download "$GLANCE") ;;
        limit-gd) t=$(limit_pipeline "bench-limit" "$GLANCE2/v2/images/$SRC_ID/file" -H "X-Auth-Token: $TOKEN") ;;
    esac
    cpu_delta "$before" "$(cpu_snapshot "$pid")" >>"$WORK/$what.cpu"
    echo "$t" >>"$WORK/$what.t"
    [[ -z "$pid" ]] || hwm_kib "$pid" >>"$WORK/$what.rss"
}

# CPU over one measurement: the machine's busy and steal shares, and the CPU seconds of the service measured and of
# the OSD (the Ceph lab's only one: every write lands there)
CLK=$(getconf CLK_TCK)
OSD_PID=$(pgrep -x ceph-osd | head -n 1 || true)
# the disk under the Ceph lab (the OSD's block file): its busy time and the bytes written to it
DISK=$(basename "$(df --output=source "${FERRY_CEPH_DIR:-$(dirname "$FERRY_CEPH_CONF")}" | tail -n 1)")
disk_stats() { awk -v d="$DISK" '$3 == d {print $13, $10; f = 1} END {if (!f) print 0, 0}' /proc/diskstats; }
proc_jiffies() { if [[ -n "$1" && -r "/proc/$1/stat" ]]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
cpu_snapshot() { # pid-of-service -> "total idle steal service osd" in jiffies, "ms io_ms sectors" of the disk
    local _c u n s i w q sq st
    read -r _c u n s i w q sq st _ </proc/stat
    echo "$((u + n + s + i + w + q + sq + st)) $((i + w)) $st $(proc_jiffies "$1") $(proc_jiffies "$OSD_PID")" \
        "$(($(date +%s%N) / 1000000)) $(disk_stats)"
}
cpu_delta() { # before after -> "busy% steal% service_s osd_s disk_util% disk_MB/s"
    awk -v clk="$CLK" -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]
        ms = y[6] - x[6]
        printf "%.0f %.1f %.1f %.1f %.0f %.0f\n", 100 * (t - (y[2] - x[2]) - (y[3] - x[3])) / t, 100 * (y[3] - x[3]) / t,
            (y[4] - x[4]) / clk, (y[5] - x[5]) / clk, 100 * (y[7] - x[7]) / ms, (y[8] - x[8]) * 512 / 1e3 / ms }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
maximum() { sort -g | tail -n 1; }
rate() { # bytes seconds-file -> MB/s of the median, or n/a
    [[ -s "$2" ]] || { echo n/a; return; }
    awk -v b="$1" -v t="$(median <"$2")" 'BEGIN {printf "%.1f", b / 1e6 / t}'
}
ratio() { [[ "$1" == n/a || "$2" == n/a ]] && echo n/a || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mib() { [[ -s "$1" ]] && awk -v k="$(maximum <"$1")" 'BEGIN {printf "%.1f", k / 1024}' || echo n/a; }

OPS=(ferry-put limit-put)
[[ -z "$GLANCE" ]] || OPS=(ferry-put glance-put limit-put ferry-gd glance-gd limit-gd)
ROWS=()
CPU_ROWS=()
for s in "${SIZES[@]}"; do
    BYTES=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    head -c "$BYTES" /dev/urandom >"$WORK/www/image.bin"
    SRC_MD5=$(md5sum "$WORK/www/image.bin" | cut -d' ' -f1)
    rm -f "$WORK"/*.t "$WORK"/*.rss "$WORK"/*.cpu
    if [[ -n "$GLANCE" ]]; then # the glance-download source, in RegionTwo's default store
        SRC_ID=$(create_image "$GLANCE2")
        put_file "$GLANCE2" "$SRC_ID" "$WORK/www/image.bin" >/dev/null
        check_active "$GLANCE2" "$SRC_ID"
    fi
    for r in $(seq 1 "$ROUNDS"); do
        for i in "${!OPS[@]}"; do
            measure "${OPS[$(( (i + r - 1) % ${#OPS[@]} ))]}"
        done
    done
    # copy-image inside Ceph: until the copy is active in ceph2, then until its background flatten ended
    id=$(create_image "$URL")
    put_file "$URL" "$id" "$WORK/www/image.bin" >/dev/null
    t0=$(date +%s.%N)
    curl -sS -f -o /dev/null -X POST "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d '{"method":{"name":"copy-image"},"stores":["ceph2"]}' "$URL/v2/images/$id/import" || die "copy-image refused"
    until curl -sS "${AUTH[@]}" "$URL/v2/images/$id" | grep -q '"stores": *"ceph,ceph2"\|"stores": *"ceph2,ceph"'; do
        sleep 0.05
        (( $(echo "$(date +%s.%N) - $t0 > 600" | bc) )) && die "copy-image did not finish"
    done
    COPY_S=$(echo "$(date +%s.%N) - $t0" | bc -l)
    while "${RBD[@]}" info "$FERRY_CEPH_POOL2/$id" | grep -q 'parent:'; do
        sleep 0.2
        (( $(echo "$(date +%s.%N) - $t0 > 900" | bc) )) && die "the copy was not flattened"
    done
    FLAT_S=$(echo "$(date +%s.%N) - $t0" | bc -l)
    delete_image "$URL" "$id"
    if [[ -n "$GLANCE" ]]; then
        delete_image "$GLANCE2" "$SRC_ID"
    fi
    FP=$(rate "$BYTES" "$WORK/ferry-put.t"); LP=$(rate "$BYTES" "$WORK/limit-put.t"); GP=$(rate "$BYTES" "$WORK/glance-put.t")
    FG=$(rate "$BYTES" "$WORK/ferry-gd.t"); LG=$(rate "$BYTES" "$WORK/limit-gd.t"); GG=$(rate "$BYTES" "$WORK/glance-gd.t")
    ROWS+=("$(printf '%-6s %-7s %10s %10s %10s %12s %13s %10s %11s' "$s" upload "$FP" "$LP" "$GP" "$(ratio "$FP" "$LP")" \
        "$(ratio "$FP" "$GP")" "$(mib "$WORK/ferry-put.rss")" "$(mib "$WORK/glance-put.rss")")")
    [[ -z "$GLANCE" ]] || ROWS+=("$(printf '%-6s %-7s %10s %10s %10s %12s %13s %10s %11s' "$s" gd "$FG" "$LG" "$GG" \
        "$(ratio "$FG" "$LG")" "$(ratio "$FG" "$GG")" "$(mib "$WORK/ferry-gd.rss")" "$(mib "$WORK/glance-gd.rss")")")
    for what in "${OPS[@]}"; do
        CPU_ROWS+=("$(printf '%-6s %-11s' "$s" "$what") $(for col in 1 2 3 4 5 6; do
            cut -d' ' -f"$col" "$WORK/$what.cpu" | median; done | awk '{printf " %9s", $1}')")
    done
    ROWS+=("$(printf '%-6s %-7s copy-image ceph -> ceph2: active after %.2f s, flattened in the background after %.1f s' \
        "$s" copy "$COPY_S" "$FLAT_S")")
    rm -f "$WORK/www/image.bin"
done
printf '%-6s %-7s %10s %10s %10s %12s %13s %10s %11s\n' size path ferry_MB/s limit_MB/s glance_MB/s ferry/limit \
    ferry/glance ferry_MiB glance_MiB
printf '%s\n' "${ROWS[@]}"
echo "(medians of $ROUNDS rounds; MiB: each service's peak RSS over that size's measurements; gd: glance-download" \
    "from Glance RegionTwo)"
echo
printf '%-6s %-11s %9s %9s %9s %9s %9s %9s\n' size measurement busy_% steal_% service_s osd_s disk_% disk_MB/s
printf '%s\n' "${CPU_ROWS[@]}"
echo "(medians; busy_%: share of all $(nproc) CPUs busy, steal excluded; service_s: CPU seconds of Ferry or" \
    "Glance (none for the limit); osd_s: of the OSD; disk_%: time the OSD's disk ($DISK) was busy; disk_MB/s: written" \
    "to it, all medians over the measurement)"

#!/usr/bin/env bash
# Ferry's swift store against the limit of this machine, against python-swiftclient's CLI and against real Glance's
# swift store, all on the Swift lab (scripts/swift-lab.sh, tempauth).
#
#   scripts/bench/swift.sh [SIZE ...]     sizes in bytes or with a binary suffix (default: 1G)
#   DOWNLOADS=0 scripts/bench/swift.sh …   uploads and glance-downloads only (a 4 GiB download through a manifest of
#                                         4 MiB segments takes 17 minutes at Swift's DLO rate limit, see below)
#
# Needs a running Swift lab in tempauth mode: FERRY_SWIFT_* in the environment, or a lab in
# ${FERRY_SWIFT_DIR:-/tmp/ferry-swift}. Real Glance is measured when the OpenStack lab (scripts/openstack-lab.sh,
# directory ${FERRY_LAB_DIR:-/tmp/ferry-lab}) runs with --swift-dir: its Glance RegionOne then has a swift store
# "swift" on the same Swift account (container glance-regionone, segments of 4 MiB from 16 MiB on), and Ferry runs in
# keystone mode against the lab's Keystone (admin token).
# Ferry is a private copy of target/ferry.jar (built if missing) started as an operator starts it, by
# scripts/run-ferry.sh (conf/jvm.options, started and stopped once first so the class-data archive exists), with two
# swift stores on one container of its own (bench-swift-*), Glance's defaults except swift_store_large_object_size =
# 16 (MiB), so that the sizes measured are segmented as in Glance's lab store:
#   swift     swift_store_large_object_chunk_size = 4: the segments of Glance's lab store and of the tool reference
#   swift200  the chunk size left at Glance's default, 200 MiB
# For each size, ROUNDS (default 3) rounds, the order of the measurements rotated from round to round:
#   ferry-put     create an image and PUT the file to /v2/images/{id}/file (store swift): network in, md5+sha512,
#                 segments of 4 MiB and a DLO manifest
#   ferry200-put  the same into store swift200 (X-Image-Meta-Store), segments of 200 MiB
#   glance-put    the same against real Glance with X-Image-Meta-Store: swift
#   tool-put      the tool reference: /usr/bin/swift upload --use-slo --segment-size 4194304 (the CLI's own main,
#                 its defaults otherwise: 10 segment threads, md5 of every segment checked against its ETag) into
#                 the bench container (segments in bench-swift-*_segments)
#   limit-put     the limit: one plain PUT of the file with curl and the token, no hashing (Swift's ETag is checked)
#   ferry-get     GET /v2/images/{id}/file of an image of that size in store swift, to /dev/null
#   ferry200-get  the same from store swift200
#   glance-get    the same from Glance's swift store
#   tool-get      /usr/bin/swift download --ignore-mtime -o /dev/null of a static large object the tool uploaded
#                 (4 MiB segments; one GET of the manifest, the CLI checks the segments' md5)
#   limit-get     one plain GET of a plain object (limit-put's) with curl, to /dev/null
#   dlo-get       one plain GET with curl of Ferry's own manifest (the ferry-get image, 4 MiB segments): what Swift
#                 gives for that layout, Ferry's own limit on download
#   dlo200-get    the same for the ferry200-get image (200 MiB segments)
# and, with the OpenStack lab, glance-download of a source image of that size in Glance RegionTwo (its file store):
#   ferry-gd      Ferry's glance-download into store swift (4 MiB segments): import call -> active (polled every
#                 0.1 s), the image then active with the source's checksum
#   glance-gd     the same into real Glance RegionOne's swift store (4 MiB segments)
#   limit-gd      the limit: curl RegionTwo's /file | tee >(md5sum) >(sha512sum) | curl PUT of one plain object
#                 (chunked), timed until Swift answered; the digests must be the source's
# Swift's dlo middleware serves a dynamic large object (Glance's layout, and Ferry's) at most
# rate_limit_segments_per_sec segments a second after the first rate_limit_after_segment (defaults 1 and 10, which
# the Swift lab keeps): with 4 MiB segments every GET through a manifest runs at about 4 MiB/s, and each of ferry-get,
# glance-get and dlo-get of 1G takes about 250 s. A run at 1G takes about 15 minutes a round.
# Every uploaded image must be active with the file's checksum, every other upload must have the file's size (and
# once per path, outside the timing, the file's md5), every download must have the file's size (and once per
# service, outside the timing, its md5).
# Prints medians in MB/s (10^6 bytes), the ratios, each service's peak RSS over the measurements of that size (VmHWM,
# reset through /proc/PID/clear_refs before each measurement; the tool: the Python process's own peak), and a CPU
# table: how busy the machine was during each measurement and the CPU seconds of the client measured (Ferry, Glance
# or the CLI; curl not counted) and of Swift's proxy and object servers (every byte passes through both).
# Every image, object and the bench containers are removed afterwards. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
DOWNLOADS=${DOWNLOADS:-1}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(1G)
PY=/usr/bin/python3   # Debian's, which has python3-swiftclient
SEGMENT=$((4 << 20))  # the tool's segments: those of store swift and of Glance's lab store

die() {
    printf 'swift.sh: %s\n' "$*" >&2
    [[ -z "${WORK:-}" || ! -s "$WORK/ferry.log" ]] || { echo "swift.sh: Ferry's log ends with:" >&2; tail -n 20 "$WORK/ferry.log" >&2; }
    exit 1
}
for c in curl java numfmt bc md5sum; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
"$PY" -c 'import swiftclient.shell' 2>/dev/null || die "python3-swiftclient is needed (apt-get install python3-swiftclient)"
if [[ -z "${FERRY_SWIFT_AUTH_URL:-}" ]]; then
    eval "$(bash "$ROOT/scripts/swift-lab.sh" env --dir "${FERRY_SWIFT_DIR:-/tmp/ferry-swift}")" \
        || die "no Swift lab: start one with scripts/swift-lab.sh up"
fi
[[ "${FERRY_SWIFT_MODE:-tempauth}" == tempauth ]] || die "the Swift lab must run with tempauth (auth v1)"
SWIFT_DIR=${FERRY_SWIFT_DIR:-/tmp/ferry-swift}
# a tempauth token and the storage URL, as the limit and the tool use them
HDRS=$(curl -sS -f -D - -o /dev/null -H "X-Auth-User: $FERRY_SWIFT_USER" -H "X-Auth-Key: $FERRY_SWIFT_KEY" \
    "$FERRY_SWIFT_AUTH_URL") || die "Swift does not answer at $FERRY_SWIFT_AUTH_URL"
STOKEN=$(awk -F': ' 'tolower($1) == "x-auth-token" {print $2}' <<<"$HDRS" | tr -d '\r')
SURL=$(awk -F': ' 'tolower($1) == "x-storage-url" {print $2}' <<<"$HDRS" | tr -d '\r')
[[ -n "$STOKEN" && -n "$SURL" ]] || die "no token or storage URL from $FERRY_SWIFT_AUTH_URL"
[[ "$SURL" == http://127.0.0.1:* ]] || die "the storage URL $SURL is not on 127.0.0.1"
# room on the Swift lab's disk: the largest size is held by the sources of every path plus one upload at once
LARGEST=0
for s in "${SIZES[@]}"; do
    b=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    (( b > LARGEST )) && LARGEST=$b
done
AVAIL=$(( $(df -P -k "$SWIFT_DIR" | awk 'NR == 2 {print $4}') << 10 ))
(( AVAIL > 9 * LARGEST )) || die "the Swift lab's disk has $((AVAIL >> 20)) MiB free; the largest size needs" \
    "$((9 * LARGEST >> 20)) MiB (and the file itself lives in ${TMPDIR:-/tmp})"

# the real Glance of the OpenStack lab, when it has a swift store
GLANCE=""
LAB_DIR=${FERRY_LAB_DIR:-/tmp/ferry-lab}
if lab_env=$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "$LAB_DIR" 2>/dev/null) \
        && grep -q FERRY_LAB_GLANCE1_SWIFT_STORE <<<"$lab_env" \
        && bash "$ROOT/scripts/openstack-lab.sh" status --dir "$LAB_DIR" >/dev/null 2>&1; then
    eval "$lab_env"
    GLANCE=$FERRY_LAB_GLANCE1_URL
    GLANCE2=$FERRY_LAB_GLANCE2_URL
    GLANCE_STORE=$FERRY_LAB_GLANCE1_SWIFT_STORE
    TOKEN=$(curl -sS -i -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],
        \"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"},\"password\":\"$FERRY_LAB_PASSWORD\"}}},
        \"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}" \
        "$FERRY_LAB_KEYSTONE_URL/v3/auth/tokens" | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}' | tr -d '\r')
    [[ -n "$TOKEN" ]] || die "no Keystone token from the lab"
    GLANCE_PID=$(pgrep -f "glance-api --config-file $LAB_DIR/glance1/glance-api.conf" | head -n 1)
    [[ -n "$GLANCE_PID" ]] || die "cannot find the process of Glance RegionOne"
else
    echo "swift.sh: no OpenStack lab with --swift-dir in $LAB_DIR: real Glance is not measured" >&2
fi
AUTH=()
[[ -z "$GLANCE" ]] || AUTH=(-H "X-Auth-Token: $TOKEN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-swift.XXXXXX")
CONTAINER="bench-swift-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
FERRY_PID=""
cat >"$WORK/tool.py" <<'PY'
"""The bench's swift CLI: runs python-swiftclient's own main (what /usr/bin/swift runs) with the arguments given and
writes the seconds it took, the process's peak RSS in KiB and its CPU seconds to the file named by BENCH_RESULT."""
import os
import resource
import sys
import time

from swiftclient.shell import main

t0 = time.monotonic()
try:
    rc = main(["swift"] + sys.argv[1:]) or 0
except SystemExit as e:
    rc = e.code or 0
t = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
with open(os.environ["BENCH_RESULT"], "w") as f:
    f.write("%.3f %d %.2f\n" % (t, ru.ru_maxrss, ru.ru_utime + ru.ru_stime))
sys.exit(rc)
PY
tool() { # swift-args... -> "seconds rss_kib cpu_s"
    BENCH_RESULT="$WORK/tool.out" "$PY" "$WORK/tool.py" -q --os-auth-token "$STOKEN" --os-storage-url "$SURL" "$@" \
        >>"$WORK/tool.log" 2>&1 || { tail -n 5 "$WORK/tool.log" >&2; return 1; }
    cat "$WORK/tool.out"
}
STH=(-H "X-Auth-Token: $STOKEN")
swift_delete() { # container [object] (the CLI also removes a static large object's segments)
    "$PY" "$WORK/tool.py" -q --os-auth-token "$STOKEN" --os-storage-url "$SURL" delete "$@" >>"$WORK/tool.log" 2>&1 \
        || true
}

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
    if [[ -s "$WORK/created" ]]; then
        while read -r url id; do
            curl -sS -o /dev/null -X DELETE "${AUTH[@]}" "$url/v2/images/$id" || true
        done <"$WORK/created"
    fi
    stop_ferry
    swift_delete "$CONTAINER"
    swift_delete "${CONTAINER}_segments"
    for c in "$CONTAINER" "${CONTAINER}_segments"; do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' -I "${STH[@]}" "$SURL/$c")" == 404 ]] \
            || echo "swift.sh: could not remove container $c" >&2
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$WORK/created"
curl -sS -f -o /dev/null -X PUT "${STH[@]}" "$SURL/$CONTAINER" || die "cannot create container $CONTAINER"

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
mkdir -p "$WORK/conf" "$WORK/files"
cp -r "$ROOT/conf/." "$WORK/conf/"
cat >"$WORK/conf/ferry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $PORT
enabled_backends = swift:swift, swift200:swift
[glance_store]
default_backend = swift
[swift]
swift_store_auth_version = 1
swift_store_auth_address = $FERRY_SWIFT_AUTH_URL
swift_store_user = $FERRY_SWIFT_USER
swift_store_key = $FERRY_SWIFT_KEY
swift_store_container = $CONTAINER
swift_store_large_object_size = 16
swift_store_large_object_chunk_size = 4
[swift200]
swift_store_auth_version = 1
swift_store_auth_address = $FERRY_SWIFT_AUTH_URL
swift_store_user = $FERRY_SWIFT_USER
swift_store_key = $FERRY_SWIFT_KEY
swift_store_container = $CONTAINER
swift_store_large_object_size = 16
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
    sed -i 's/^bind_port = .*/&\nenabled_import_methods = [glance-direct, web-download, copy-image, glance-download]/' \
        "$WORK/conf/ferry.conf"
fi
chmod 600 "$WORK/conf/ferry.conf"

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
[[ -s "$WORK/ferry.jsa" ]] || echo "swift.sh: no class-data archive was written; Ferry runs without one" >&2
start_ferry

# peak resident set of a process over one measurement
hwm_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || die "cannot reset the peak RSS of pid $1 (run as root)"; }
hwm_kib() { awk '$1 == "VmHWM:" {print $2}' "/proc/$1/status"; }

json_field() { # field -> value of the first "field": "value" on stdin
    sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

create_image() { # base-url -> id (records it for the clean-up)
    local created id
    created=$(curl -sS -f -X POST "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d '{"name":"bench-swift","disk_format":"raw","container_format":"bare"}' "$1/v2/images") \
        || die "create at $1 failed"
    id=$(json_field id <<<"$created")
    [[ -n "$id" ]] || die "no image id from $1: $created"
    echo "$1 $id" >>"$WORK/created"
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

get_null() { # url [curl args...] -> seconds; the body must have BYTES bytes
    local url=$1 out
    shift
    out=$(curl -sS -f "$@" -o /dev/null -w '%{size_download} %{time_total}' "$url") || die "GET $url failed"
    [[ ${out% *} == "$BYTES" ]] || die "GET $url gave ${out% *} bytes, not $BYTES"
    echo "${out#* }"
}

get_md5() { curl -sS -f "$@" | md5sum | cut -d' ' -f1; }

object_size() { # object -> its Content-Length in the bench container
    curl -sS -f -I "${STH[@]}" "$SURL/$CONTAINER/$1" | awk -F': ' 'tolower($1) == "content-length" {print $2}' \
        | tr -d '\r'
}

limit_put() { # object -> seconds; Swift's ETag (its md5 of what it stored) must be the file's
    local out etag
    out=$(curl -sS -f "${STH[@]}" -H 'Expect:' -D "$WORK/limit.h" -o /dev/null -w '%{time_total}' \
        -T "$WORK/files/image.bin" "$SURL/$CONTAINER/$1") || die "curl PUT failed"
    etag=$(awk -F': ' 'tolower($1) == "etag" {print $2}' "$WORK/limit.h" | tr -d '\r"')
    [[ "$etag" == "$SRC_MD5" ]] || die "Swift stored other bytes for $1 (ETag $etag)"
    echo "$out"
}

tool_put() { # object -> "seconds rss_kib cpu_s"; the object must have the file's size
    local out
    out=$(tool upload --use-slo --segment-size "$SEGMENT" --object-name "$1" "$CONTAINER" "$WORK/files/image.bin") \
        || die "swift upload failed"
    [[ "$(object_size "$1")" == "$BYTES" ]] || die "swift upload stored another size for $1"
    echo "$out"
}

glance_download() { # base-url store -> seconds from the import call to active
    local base=$1 store=$2 id t0 img
    id=$(create_image "$base")
    t0=$(date +%s.%N)
    curl -sS -f -o /dev/null -X POST "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d "{\"method\":{\"name\":\"glance-download\",\"glance_image_id\":\"$SRC_ID\",\"glance_region\":\"RegionTwo\",
            \"glance_service_interface\":\"public\"},\"stores\":[\"$store\"]}" "$base/v2/images/$id/import" \
        || die "glance-download refused by $base"
    while true; do
        img=$(curl -sS "${AUTH[@]}" "$base/v2/images/$id")
        [[ "$(json_field status <<<"$img")" == active ]] && break
        [[ "$(json_field os_glance_failed_import <<<"$img")" == "" ]] \
            || die "glance-download into $base failed: $(curl -sS "${AUTH[@]}" "$base/v2/images/$id/tasks")"
        (( $(echo "$(date +%s.%N) - $t0 > 3600" | bc) )) && die "glance-download into $base did not finish: $img"
        sleep 0.1
    done
    echo "$(date +%s.%N) - $t0" | bc -l
    check_active "$base" "$id"
    delete_image "$base" "$id"
}

limit_gd() { # -> seconds: RegionTwo's bytes hashed twice on their way into one plain Swift object
    local t0 t1 code
    rm -f "$WORK/md5" "$WORK/sha"
    t0=$(date +%s.%N)
    code=$(curl -sS -f "${AUTH[@]}" "$GLANCE2/v2/images/$SRC_ID/file" \
        | tee >(md5sum >"$WORK/md5") >(sha512sum >"$WORK/sha") \
        | curl -sS "${STH[@]}" -H 'Expect:' -H 'Transfer-Encoding: chunked' -T - -o /dev/null -w '%{http_code}' \
            "$SURL/$CONTAINER/bench-limit-gd") || die "the glance-download pipeline failed"
    t1=$(date +%s.%N)
    [[ "$code" == 201 ]] || die "Swift answered $code to the pipeline's PUT"
    for _ in $(seq 1 100); do [[ -s "$WORK/md5" && -s "$WORK/sha" ]] && break; sleep 0.1; done
    [[ "$(cut -d' ' -f1 "$WORK/md5")" == "$SRC_MD5" ]] || die "the pipeline read other bytes from RegionTwo"
    [[ "$(object_size bench-limit-gd)" == "$BYTES" ]] || die "the pipeline stored another size"
    echo "$t1 - $t0" | bc -l
}

measure() { # what -> appends "seconds" to WORK/what.t and the peak RSS (KiB) to WORK/what.rss
    local what=$1 pid="" t id before out tool_cpu=""
    case $what in ferry*) pid=$JVM_PID ;; glance-*) pid=$GLANCE_PID ;; esac
    [[ -z "$pid" ]] || hwm_reset "$pid"
    before=$(cpu_snapshot "$pid")
    case $what in
        ferry-put) id=$(create_image "$URL"); t=$(put_file "$URL" "$id" "$WORK/files/image.bin")
                   check_active "$URL" "$id"; delete_image "$URL" "$id" ;;
        ferry200-put) id=$(create_image "$URL"); t=$(put_file "$URL" "$id" "$WORK/files/image.bin" \
                          -H "X-Image-Meta-Store: swift200"); check_active "$URL" "$id"; delete_image "$URL" "$id" ;;
        glance-put) id=$(create_image "$GLANCE"); t=$(put_file "$GLANCE" "$id" "$WORK/files/image.bin" \
                        -H "X-Image-Meta-Store: $GLANCE_STORE"); check_active "$GLANCE" "$id"; delete_image "$GLANCE" "$id" ;;
        tool-put) out=$(tool_put bench-tool-put); t=${out%% *}; tool_cpu=${out##* }
                  out=${out#* }; echo "${out% *}" >>"$WORK/$what.rss"; swift_delete "$CONTAINER" bench-tool-put ;;
        limit-put) t=$(limit_put bench-limit-put) ;;
        ferry-get) t=$(get_null "$URL/v2/images/$FERRY_SRC/file" "${AUTH[@]}") ;;
        ferry200-get) t=$(get_null "$URL/v2/images/$FERRY200_SRC/file" "${AUTH[@]}") ;;
        glance-get) t=$(get_null "$GLANCE/v2/images/$GLANCE_SRC/file" "${AUTH[@]}") ;;
        tool-get) out=$(tool download --ignore-mtime -o /dev/null "$CONTAINER" bench-tool-source) || die "swift download failed"
                  t=${out%% *}; tool_cpu=${out##* }; out=${out#* }; echo "${out% *}" >>"$WORK/$what.rss" ;;
        limit-get) t=$(get_null "$SURL/$CONTAINER/bench-source" "${STH[@]}") ;;
        dlo-get) t=$(get_null "$SURL/$CONTAINER/$FERRY_SRC" "${STH[@]}") ;;
        dlo200-get) t=$(get_null "$SURL/$CONTAINER/$FERRY200_SRC" "${STH[@]}") ;;
        ferry-gd) t=$(glance_download "$URL" swift) ;;
        glance-gd) t=$(glance_download "$GLANCE" "$GLANCE_STORE") ;;
        limit-gd) t=$(limit_gd) ;;
    esac
    cpu_delta "$before" "$(cpu_snapshot "$pid")" "$tool_cpu" >>"$WORK/$what.cpu"
    echo "$t" >>"$WORK/$what.t"
    [[ -z "$pid" ]] || hwm_kib "$pid" >>"$WORK/$what.rss"
}

# CPU over one measurement: the machine's busy and steal shares, and the CPU seconds of the client measured and of
# Swift's proxy and object servers (one process each in the lab: workers = 0)
CLK=$(getconf CLK_TCK)
# the lab's pid files hold "pid start-time"
PROXY_PID=$(awk '{print $1; exit}' "$SWIFT_DIR/run/proxy.pid" 2>/dev/null || true)
OBJECT_PID=$(awk '{print $1; exit}' "$SWIFT_DIR/run/object.pid" 2>/dev/null || true)
[[ -n "$PROXY_PID" && -r "/proc/$PROXY_PID/stat" ]] || { echo "swift.sh: no proxy pid: its CPU is not measured" >&2; PROXY_PID=""; }
[[ -n "$OBJECT_PID" && -r "/proc/$OBJECT_PID/stat" ]] || { echo "swift.sh: no object server pid" >&2; OBJECT_PID=""; }
proc_jiffies() { if [[ -n "$1" && -r "/proc/$1/stat" ]]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
cpu_snapshot() { # pid-of-service -> "total idle steal service proxy object" in jiffies
    local _c u n s i w q sq st
    read -r _c u n s i w q sq st _ </proc/stat
    echo "$((u + n + s + i + w + q + sq + st)) $((i + w)) $st $(proc_jiffies "$1") $(proc_jiffies "$PROXY_PID")" \
        "$(proc_jiffies "$OBJECT_PID")"
}
cpu_delta() { # before after [client-cpu-s] -> "busy% steal% client_s proxy_s object_s"
    awk -v clk="$CLK" -v a="$1" -v b="$2" -v c="$3" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]
        printf "%.0f %.1f %.1f %.1f %.1f\n", 100 * (t - (y[2] - x[2]) - (y[3] - x[3])) / t, 100 * (y[3] - x[3]) / t,
            c != "" ? c : (y[4] - x[4]) / clk, (y[5] - x[5]) / clk, (y[6] - x[6]) / clk }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
maximum() { sort -g | tail -n 1; }
rate() { # bytes seconds-file -> MB/s of the median, or n/a
    [[ -s "$2" ]] || { echo n/a; return; }
    awk -v b="$1" -v t="$(median <"$2")" 'BEGIN {printf "%.1f", b / 1e6 / t}'
}
ratio() { [[ "$1" == n/a || "$2" == n/a ]] && echo n/a || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mib() { [[ -s "$1" ]] && awk -v k="$(maximum <"$1")" 'BEGIN {printf "%.1f", k / 1024}' || echo n/a; }

PUTS=(ferry-put ferry200-put tool-put limit-put)
GETS=(ferry-get ferry200-get tool-get limit-get dlo-get dlo200-get)
GDS=()
[[ -z "$GLANCE" ]] || { PUTS=(ferry-put ferry200-put glance-put tool-put limit-put)
                        GETS=(ferry-get ferry200-get glance-get tool-get limit-get dlo-get dlo200-get)
                        GDS=(ferry-gd glance-gd limit-gd); }
((DOWNLOADS)) || GETS=()
ROWS=()
CPU_ROWS=()
FMT='%-6s %-9s %10s %10s %11s %9s %10s %10s %10s %11s %12s %10s %10s %9s %10s %9s'
for s in "${SIZES[@]}"; do
    BYTES=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    head -c "$BYTES" /dev/urandom >"$WORK/files/image.bin"
    SRC_MD5=$(md5sum "$WORK/files/image.bin" | cut -d' ' -f1)
    rm -f "$WORK"/*.t "$WORK"/*.rss "$WORK"/*.cpu
    # the download sources, and one check of their bytes outside the timing
    if ((DOWNLOADS)); then
        FERRY_SRC=$(create_image "$URL")
        put_file "$URL" "$FERRY_SRC" "$WORK/files/image.bin" >/dev/null
        check_active "$URL" "$FERRY_SRC"
        [[ $(get_md5 "${AUTH[@]}" "$URL/v2/images/$FERRY_SRC/file") == "$SRC_MD5" ]] || die "Ferry served other bytes"
        # Ferry's layout in Swift: a manifest named by the image id over segments <id>-00001… of 4 MiB (its bytes are
        # those Ferry served; the size is checked here: reading it again takes 250 s a GiB, see above)
        [[ "$(object_size "$FERRY_SRC")" == "$BYTES" ]] || die "Swift's manifest $FERRY_SRC has another size"
        seg=$(curl -sS -f -I "${STH[@]}" "$SURL/$CONTAINER/$FERRY_SRC-00001" \
            | awk -F': ' 'tolower($1) == "content-length" {print $2}' | tr -d '\r')
        (( BYTES < 16 << 20 )) || [[ "$seg" == "$SEGMENT" ]] || die "Ferry's first segment has $seg bytes, not $SEGMENT"
        FERRY200_SRC=$(create_image "$URL")
        put_file "$URL" "$FERRY200_SRC" "$WORK/files/image.bin" -H "X-Image-Meta-Store: swift200" >/dev/null
        check_active "$URL" "$FERRY200_SRC"
        [[ $(get_md5 "${AUTH[@]}" "$URL/v2/images/$FERRY200_SRC/file") == "$SRC_MD5" ]] || die "Ferry served other bytes"
        limit_put bench-source >/dev/null
        [[ $(get_md5 "${STH[@]}" "$SURL/$CONTAINER/bench-source") == "$SRC_MD5" ]] || die "Swift served other bytes"
        tool_put bench-tool-source >/dev/null
        [[ $(get_md5 "${STH[@]}" "$SURL/$CONTAINER/bench-tool-source") == "$SRC_MD5" ]] \
            || die "Swift served other bytes for the tool's upload"
        if [[ -n "$GLANCE" ]]; then
            GLANCE_SRC=$(create_image "$GLANCE")
            put_file "$GLANCE" "$GLANCE_SRC" "$WORK/files/image.bin" -H "X-Image-Meta-Store: $GLANCE_STORE" >/dev/null
            check_active "$GLANCE" "$GLANCE_SRC"
            [[ $(get_md5 "${AUTH[@]}" "$GLANCE/v2/images/$GLANCE_SRC/file") == "$SRC_MD5" ]] || die "Glance served other bytes"
        fi
    fi
    if [[ -n "$GLANCE" ]]; then
        SRC_ID=$(create_image "$GLANCE2") # the glance-download source, in RegionTwo's default (file) store
        put_file "$GLANCE2" "$SRC_ID" "$WORK/files/image.bin" >/dev/null
        check_active "$GLANCE2" "$SRC_ID"
    fi
    for r in $(seq 1 "$ROUNDS"); do
        for ops in PUTS GETS GDS; do
            declare -n list=$ops
            for i in "${!list[@]}"; do
                measure "${list[$(( (i + r - 1) % ${#list[@]} ))]}"
            done
            unset -n list
        done
    done
    if ((DOWNLOADS)); then
        delete_image "$URL" "$FERRY_SRC"
        delete_image "$URL" "$FERRY200_SRC"
        [[ -z "$GLANCE" ]] || delete_image "$GLANCE" "$GLANCE_SRC"
        swift_delete "$CONTAINER" bench-tool-source
        swift_delete "$CONTAINER" bench-source
    fi
    [[ -z "$GLANCE" ]] || delete_image "$GLANCE2" "$SRC_ID"
    swift_delete "$CONTAINER" bench-limit-gd
    swift_delete "$CONTAINER" bench-limit-put
    dirs=(put); ((DOWNLOADS)) && dirs+=(get)
    for dir in "${dirs[@]}"; do
        F=$(rate "$BYTES" "$WORK/ferry-$dir.t"); F2=$(rate "$BYTES" "$WORK/ferry200-$dir.t")
        G=$(rate "$BYTES" "$WORK/glance-$dir.t"); T=$(rate "$BYTES" "$WORK/tool-$dir.t")
        L=$(rate "$BYTES" "$WORK/limit-$dir.t"); D=$(rate "$BYTES" "$WORK/dlo-$dir.t")
        D2=$(rate "$BYTES" "$WORK/dlo200-$dir.t")
        ROWS+=("$(printf "$FMT" "$s" "$([[ $dir == put ]] && echo upload || echo download)" "$F" "$F2" "$G" "$T" \
            "$L" "$D" "$D2" "$(ratio "$F" "$L")" "$(ratio "$F" "$G")" "$(ratio "$F" "$T")" "$(ratio "$F2" "$D2")" \
            "$(mib "$WORK/ferry-$dir.rss")" \
            "$(mib "$WORK/glance-$dir.rss")" "$(mib "$WORK/tool-$dir.rss")")")
    done
    if [[ -n "$GLANCE" ]]; then
        F=$(rate "$BYTES" "$WORK/ferry-gd.t"); G=$(rate "$BYTES" "$WORK/glance-gd.t"); L=$(rate "$BYTES" "$WORK/limit-gd.t")
        ROWS+=("$(printf "$FMT" "$s" glance-dl "$F" n/a "$G" n/a "$L" n/a n/a "$(ratio "$F" "$L")" "$(ratio "$F" "$G")" \
            n/a n/a "$(mib "$WORK/ferry-gd.rss")" "$(mib "$WORK/glance-gd.rss")" n/a)")
    fi
    for what in "${PUTS[@]}" "${GETS[@]}" "${GDS[@]}"; do
        CPU_ROWS+=("$(printf '%-6s %-12s' "$s" "$what") $(for col in 1 2 3 4 5; do
            cut -d' ' -f"$col" "$WORK/$what.cpu" | median; done | awk '{printf " %9s", $1}')")
    done
    rm -f "$WORK/files/image.bin"
done
printf "$FMT\n" size path ferry_MB/s f200_MB/s glance_MB/s tool_MB/s limit_MB/s dlo_MB/s d200_MB/s ferry/limit \
    ferry/glance ferry/tool f200/d200 ferry_MiB glance_MiB tool_MiB
printf '%s\n' "${ROWS[@]}"
echo "(medians of $ROUNDS rounds; ferry: store swift, 4 MiB segments; f200: store swift200, 200 MiB segments;" \
    "limit: one curl PUT/GET of a plain object; dlo, d200: one curl GET of Ferry's 4 MiB- and 200 MiB-segment manifest;" \
    "MiB: peak RSS over that size's measurements; tool: the CLI process; glance-dl: glance-download from Glance" \
    "RegionTwo into store swift (Ferry) and into Glance RegionOne's swift store, limit: curl | tee md5 sha512 | curl PUT)"
echo
printf '%-6s %-12s %9s %9s %9s %9s %9s\n' size measurement busy_% steal_% client_s proxy_s object_s
printf '%s\n' "${CPU_ROWS[@]}"
echo "(medians; busy_%: share of all $(nproc) CPUs busy, steal excluded; client_s: CPU seconds of Ferry, Glance or" \
    "the swift CLI (none for curl); proxy_s, object_s: of Swift's proxy and object server)"
dlo_conf() { # setting default -> the value in the Swift lab's [filter:dlo], or the default
    local v
    v=$(sed -n '/^\[filter:dlo\]/,/^\[/ s/^'"$1"' *= *//p' "$SWIFT_DIR/etc/proxy-server.conf" 2>/dev/null | head -n 1)
    echo "${v:-$2}"
}
echo "Swift's dlo middleware: rate_limit_after_segment = $(dlo_conf rate_limit_after_segment 10)," \
    "rate_limit_segments_per_sec = $(dlo_conf rate_limit_segments_per_sec 1)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

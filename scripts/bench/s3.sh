#!/usr/bin/env bash
# Ferry's s3 store against the limit of this machine, against boto3's transfer manager and against real Glance's s3
# store, all on the Ceph lab's radosgw (scripts/ceph-lab.sh).
#
#   scripts/bench/s3.sh [SIZE ...]        sizes in bytes or with a binary suffix (default: 1G)
#
# Needs a running Ceph lab with radosgw: FERRY_S3_* and FERRY_CEPH_CONF in the environment, or a lab in
# ${FERRY_CEPH_DIR:-/tmp/ferry-ceph}. Real Glance is measured when the OpenStack lab (scripts/openstack-lab.sh,
# directory ${FERRY_LAB_DIR:-/tmp/ferry-lab}) runs with --ceph-dir: its Glance RegionOne then has an s3 store
# "objects" on the same radosgw (multipart from 16 MiB, 10 MiB parts), and Ferry runs in keystone mode against the
# lab's Keystone (admin token).
# Ferry is a private copy of target/ferry.jar (built if missing) started as an operator starts it, by
# scripts/run-ferry.sh (conf/jvm.options, started and stopped once first so the class-data archive exists), with one
# s3 store "objects" on a bucket of its own (bench-s3-*, Glance's defaults otherwise: multipart from 100 MiB, 10 MiB
# parts, 10 parts at once).
# For each size, ROUNDS (default 3) rounds, the order of the measurements rotated from round to round:
#   ferry-put   create an image and PUT the file to /v2/images/{id}/file: network in, md5+sha512, multipart to S3
#   glance-put  the same against real Glance with X-Image-Meta-Store: objects
#   boto3-put   the tool reference: python3-boto3's transfer manager, upload_file with its defaults (8 MiB parts,
#               10 threads), into the bench bucket
#   limit-put   the limit: one plain PUT of the file with curl (--aws-sigv4, UNSIGNED-PAYLOAD), no hashing
#   ferry-get   GET /v2/images/{id}/file of an image of that size in Ferry's s3 store, to /dev/null
#   glance-get  the same from Glance's s3 store
#   boto3-get   download_file with its defaults (ranged GETs by 10 threads into a file in the work directory)
#   limit-get   one plain GET of the object with curl, to /dev/null
# and, with the OpenStack lab, glance-download of a source image of that size in Glance RegionTwo (its file store):
#   ferry-gd    Ferry's glance-download into store objects: import call -> active (polled every 0.1 s), the image
#               then active with the source's checksum
#   glance-gd   the same into real Glance RegionOne's s3 store
#   limit-gd    the limit: curl RegionTwo's /file | tee >(md5sum) >(sha512sum) | boto3's transfer manager
#               (upload_fileobj from the pipe: multipart, its defaults); the digests must be the source's
#   DOWNLOADS=0 scripts/bench/s3.sh …   uploads and glance-downloads only
# Every uploaded image must be active with the file's checksum, every download must have the file's size (and once per
# service, outside the timing, its md5).
# Prints medians in MB/s (10^6 bytes), the ratios, each service's peak RSS over the measurements of that size (VmHWM,
# reset through /proc/PID/clear_refs before each measurement; boto3: the Python process's own peak), and a CPU table:
# how busy the machine was during each measurement and the CPU seconds of the service and of radosgw.
# Every image, object and the bench bucket are removed afterwards. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
DOWNLOADS=${DOWNLOADS:-1}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(1G)
PY=/usr/bin/python3   # Debian's, which has python3-boto3

die() {
    printf 's3.sh: %s\n' "$*" >&2
    [[ -z "${WORK:-}" || ! -s "$WORK/ferry.log" ]] || { echo "s3.sh: Ferry's log ends with:" >&2; tail -n 20 "$WORK/ferry.log" >&2; }
    exit 1
}
for c in curl java python3 numfmt bc; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
"$PY" -c 'import boto3' 2>/dev/null || die "python3-boto3 is needed (apt-get install python3-boto3)"
if [[ -z "${FERRY_S3_ENDPOINT:-}" ]]; then
    eval "$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "${FERRY_CEPH_DIR:-/tmp/ferry-ceph}")" \
        || die "no Ceph lab: start one with scripts/ceph-lab.sh up"
fi
[[ -n "${FERRY_S3_ENDPOINT:-}" ]] || die "the Ceph lab has no radosgw (no FERRY_S3_ENDPOINT)"
curl -s -o /dev/null "$FERRY_S3_ENDPOINT/" || die "radosgw does not answer at $FERRY_S3_ENDPOINT"
# room in the cluster: the largest size is held by Ferry's, Glance's, boto3's and the limit's objects at once
LARGEST=0
for s in "${SIZES[@]}"; do
    b=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    (( b > LARGEST )) && LARGEST=$b
done
AVAIL=$(ceph -c "$FERRY_CEPH_CONF" --id admin --keyring "$FERRY_CEPH_ADMIN_KEYRING" df --format json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["stats"]["total_avail_bytes"])') \
    || die "cannot read the cluster's free space (is the Ceph lab up?)"
(( AVAIL > 6 * LARGEST )) || die "the Ceph lab has $((AVAIL >> 20)) MiB free; the largest size needs $((6 * LARGEST >> 20)) MiB:" \
    "start it with a larger FERRY_CEPH_OSD_SIZE"

# the real Glance of the OpenStack lab, when it has an s3 store
GLANCE=""
LAB_DIR=${FERRY_LAB_DIR:-/tmp/ferry-lab}
if lab_env=$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "$LAB_DIR" 2>/dev/null) \
        && grep -q FERRY_LAB_GLANCE1_S3_STORE <<<"$lab_env" \
        && bash "$ROOT/scripts/openstack-lab.sh" status --dir "$LAB_DIR" >/dev/null 2>&1; then
    eval "$lab_env"
    GLANCE=$FERRY_LAB_GLANCE1_URL
    GLANCE2=$FERRY_LAB_GLANCE2_URL
    GLANCE_STORE=$FERRY_LAB_GLANCE1_S3_STORE
    TOKEN=$(curl -sS -i -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],
        \"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"},\"password\":\"$FERRY_LAB_PASSWORD\"}}},
        \"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}" \
        "$FERRY_LAB_KEYSTONE_URL/v3/auth/tokens" | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}' | tr -d '\r')
    [[ -n "$TOKEN" ]] || die "no Keystone token from the lab"
    GLANCE_PID=$(pgrep -f "glance-api --config-file $LAB_DIR/glance1/glance-api.conf" | head -n 1)
    [[ -n "$GLANCE_PID" ]] || die "cannot find the process of Glance RegionOne"
else
    echo "s3.sh: no OpenStack lab with --ceph-dir in $LAB_DIR: real Glance is not measured" >&2
fi
AUTH=()
[[ -z "$GLANCE" ]] || AUTH=(-H "X-Auth-Token: $TOKEN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-s3.XXXXXX")
BUCKET="bench-s3-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
FERRY_PID=""
cat >"$WORK/boto.py" <<'PY'
"""The bench's boto3 side: put/get with the transfer manager's defaults (seconds and the process's peak RSS in KiB
on stdout), and rmbucket (the bench bucket with everything in it)."""
import os
import resource
import sys
import time

import boto3
from botocore.config import Config

op, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=os.environ["FERRY_S3_ENDPOINT"], region_name="us-east-1",
                  aws_access_key_id=os.environ["FERRY_S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["FERRY_S3_SECRET_KEY"],
                  config=Config(s3={"addressing_style": "path"}))
if op == "rmbucket":
    try:
        for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
        s3.delete_bucket(Bucket=bucket)
    except s3.exceptions.NoSuchBucket:
        pass
    sys.exit(0)
key, path = sys.argv[3], sys.argv[4]
if op == "mkbucket":
    s3.create_bucket(Bucket=bucket)
    sys.exit(0)
t0 = time.monotonic()
if op == "put":
    s3.upload_file(path, bucket, key)
elif op == "putstdin":
    s3.upload_fileobj(sys.stdin.buffer, bucket, key)
elif op == "get":
    s3.download_file(bucket, key, path)
else:
    sys.exit("unknown op " + op)
print("%.3f %d" % (time.monotonic() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
PY
boto() { FERRY_S3_ENDPOINT=$FERRY_S3_ENDPOINT "$PY" "$WORK/boto.py" "$@"; }
SIG=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$FERRY_S3_ACCESS_KEY:$FERRY_S3_SECRET_KEY"
     -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -fsS)

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
    boto rmbucket "$BUCKET" || echo "s3.sh: could not remove bucket $BUCKET" >&2
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$WORK/created"
export FERRY_S3_ACCESS_KEY FERRY_S3_SECRET_KEY
boto mkbucket "$BUCKET" - - || die "cannot create bucket $BUCKET"

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
enabled_backends = objects:s3
[glance_store]
default_backend = objects
[objects]
s3_store_host = $FERRY_S3_ENDPOINT
s3_store_access_key = $FERRY_S3_ACCESS_KEY
s3_store_secret_key = $FERRY_S3_SECRET_KEY
s3_store_bucket = $BUCKET
s3_store_create_bucket_on_put = True
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
[[ -s "$WORK/ferry.jsa" ]] || echo "s3.sh: no class-data archive was written; Ferry runs without one" >&2
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
        -d '{"name":"bench-s3","disk_format":"raw","container_format":"bare"}' "$1/v2/images") \
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

limit_gd() { # -> "seconds rss_kib": RegionTwo's bytes hashed twice on their way into boto3's multipart upload
    local out
    rm -f "$WORK/md5" "$WORK/sha"
    out=$(curl -sS -f "${AUTH[@]}" "$GLANCE2/v2/images/$SRC_ID/file" \
        | tee >(md5sum >"$WORK/md5") >(sha512sum >"$WORK/sha") \
        | boto putstdin "$BUCKET" bench-limit-gd -) || die "the glance-download pipeline failed"
    for _ in $(seq 1 100); do [[ -s "$WORK/md5" && -s "$WORK/sha" ]] && break; sleep 0.1; done
    [[ "$(cut -d' ' -f1 "$WORK/md5")" == "$SRC_MD5" ]] || die "the pipeline read other bytes from RegionTwo"
    echo "$out"
}

measure() { # what -> appends "seconds" to WORK/what.t and the peak RSS (KiB) to WORK/what.rss
    local what=$1 pid="" t id before out
    case $what in ferry-*) pid=$JVM_PID ;; glance-*) pid=$GLANCE_PID ;; esac
    [[ -z "$pid" ]] || hwm_reset "$pid"
    before=$(cpu_snapshot "$pid")
    case $what in
        ferry-put) id=$(create_image "$URL"); t=$(put_file "$URL" "$id" "$WORK/files/image.bin")
                   check_active "$URL" "$id"; delete_image "$URL" "$id" ;;
        glance-put) id=$(create_image "$GLANCE"); t=$(put_file "$GLANCE" "$id" "$WORK/files/image.bin" \
                        -H "X-Image-Meta-Store: $GLANCE_STORE"); check_active "$GLANCE" "$id"; delete_image "$GLANCE" "$id" ;;
        boto3-put) out=$(boto put "$BUCKET" bench-boto3-put "$WORK/files/image.bin") || die "boto3 upload failed"
                   t=${out% *}; echo "${out#* }" >>"$WORK/$what.rss" ;;
        limit-put) t=$(curl "${SIG[@]}" -o /dev/null -w '%{time_total}' -T "$WORK/files/image.bin" \
                       "$FERRY_S3_ENDPOINT/$BUCKET/bench-limit-put") || die "curl PUT failed" ;;
        ferry-get) t=$(get_null "$URL/v2/images/$FERRY_SRC/file" "${AUTH[@]}") ;;
        glance-get) t=$(get_null "$GLANCE/v2/images/$GLANCE_SRC/file" "${AUTH[@]}") ;;
        boto3-get) out=$(boto get "$BUCKET" bench-source "$WORK/files/download.bin") || die "boto3 download failed"
                   t=${out% *}; echo "${out#* }" >>"$WORK/$what.rss"
                   [[ $(stat -c %s "$WORK/files/download.bin") == "$BYTES" ]] || die "boto3 downloaded another size"
                   rm -f "$WORK/files/download.bin" ;;
        limit-get) t=$(get_null "$FERRY_S3_ENDPOINT/$BUCKET/bench-source" "${SIG[@]}") ;;
        ferry-gd) t=$(glance_download "$URL" objects) ;;
        glance-gd) t=$(glance_download "$GLANCE" "$GLANCE_STORE") ;;
        limit-gd) out=$(limit_gd); t=${out% *}; echo "${out#* }" >>"$WORK/$what.rss" ;;
    esac
    cpu_delta "$before" "$(cpu_snapshot "$pid")" >>"$WORK/$what.cpu"
    echo "$t" >>"$WORK/$what.t"
    [[ -z "$pid" ]] || hwm_kib "$pid" >>"$WORK/$what.rss"
}

# CPU over one measurement: the machine's busy and steal shares, and the CPU seconds of the service measured and of
# radosgw (every byte passes through it)
CLK=$(getconf CLK_TCK)
RGW_PID=$(pgrep -f "radosgw .*-c $FERRY_CEPH_CONF" | head -n 1 || true)
[[ -n "$RGW_PID" ]] || RGW_PID=$(pgrep -x radosgw | head -n 1 || true)
proc_jiffies() { if [[ -n "$1" && -r "/proc/$1/stat" ]]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
cpu_snapshot() { # pid-of-service -> "total idle steal service rgw" in jiffies
    local _c u n s i w q sq st
    read -r _c u n s i w q sq st _ </proc/stat
    echo "$((u + n + s + i + w + q + sq + st)) $((i + w)) $st $(proc_jiffies "$1") $(proc_jiffies "$RGW_PID")"
}
cpu_delta() { # before after -> "busy% steal% service_s rgw_s"
    awk -v clk="$CLK" -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]
        printf "%.0f %.1f %.1f %.1f\n", 100 * (t - (y[2] - x[2]) - (y[3] - x[3])) / t, 100 * (y[3] - x[3]) / t,
            (y[4] - x[4]) / clk, (y[5] - x[5]) / clk }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
maximum() { sort -g | tail -n 1; }
rate() { # bytes seconds-file -> MB/s of the median, or n/a
    [[ -s "$2" ]] || { echo n/a; return; }
    awk -v b="$1" -v t="$(median <"$2")" 'BEGIN {printf "%.1f", b / 1e6 / t}'
}
ratio() { [[ "$1" == n/a || "$2" == n/a ]] && echo n/a || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mib() { [[ -s "$1" ]] && awk -v k="$(maximum <"$1")" 'BEGIN {printf "%.1f", k / 1024}' || echo n/a; }

PUTS=(ferry-put boto3-put limit-put)
GETS=(ferry-get boto3-get limit-get)
GDS=()
[[ -z "$GLANCE" ]] || { PUTS=(ferry-put glance-put boto3-put limit-put); GETS=(ferry-get glance-get boto3-get limit-get)
                        GDS=(ferry-gd glance-gd limit-gd); }
((DOWNLOADS)) || GETS=()
ROWS=()
CPU_ROWS=()
FMT='%-6s %-9s %10s %11s %10s %10s %11s %12s %11s %9s %10s %9s'
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
        curl "${SIG[@]}" -o /dev/null -T "$WORK/files/image.bin" "$FERRY_S3_ENDPOINT/$BUCKET/bench-source" \
            || die "cannot put the source object"
        [[ $(get_md5 "${SIG[@]}" "$FERRY_S3_ENDPOINT/$BUCKET/bench-source") == "$SRC_MD5" ]] \
            || die "radosgw served other bytes"
        if [[ -n "$GLANCE" ]]; then
            GLANCE_SRC=$(create_image "$GLANCE")
            put_file "$GLANCE" "$GLANCE_SRC" "$WORK/files/image.bin" -H "X-Image-Meta-Store: $GLANCE_STORE" >/dev/null
            check_active "$GLANCE" "$GLANCE_SRC"
            [[ $(get_md5 "${AUTH[@]}" "$GLANCE/v2/images/$GLANCE_SRC/file") == "$SRC_MD5" ]] \
                || die "Glance served other bytes"
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
        [[ -z "$GLANCE" ]] || delete_image "$GLANCE" "$GLANCE_SRC"
    fi
    [[ -z "$GLANCE" ]] || delete_image "$GLANCE2" "$SRC_ID"
    dirs=(put); ((DOWNLOADS)) && dirs+=(get)
    for dir in "${dirs[@]}"; do
        F=$(rate "$BYTES" "$WORK/ferry-$dir.t"); G=$(rate "$BYTES" "$WORK/glance-$dir.t")
        B=$(rate "$BYTES" "$WORK/boto3-$dir.t"); L=$(rate "$BYTES" "$WORK/limit-$dir.t")
        ROWS+=("$(printf "$FMT" "$s" "$([[ $dir == put ]] && echo upload || echo download)" "$F" "$G" "$B" "$L" \
            "$(ratio "$F" "$L")" "$(ratio "$F" "$G")" "$(ratio "$F" "$B")" "$(mib "$WORK/ferry-$dir.rss")" \
            "$(mib "$WORK/glance-$dir.rss")" "$(mib "$WORK/boto3-$dir.rss")")")
    done
    if [[ -n "$GLANCE" ]]; then
        F=$(rate "$BYTES" "$WORK/ferry-gd.t"); G=$(rate "$BYTES" "$WORK/glance-gd.t"); L=$(rate "$BYTES" "$WORK/limit-gd.t")
        ROWS+=("$(printf "$FMT" "$s" glance-dl "$F" "$G" n/a "$L" "$(ratio "$F" "$L")" "$(ratio "$F" "$G")" n/a \
            "$(mib "$WORK/ferry-gd.rss")" "$(mib "$WORK/glance-gd.rss")" "$(mib "$WORK/limit-gd.rss")")")
    fi
    for what in "${PUTS[@]}" "${GETS[@]}" "${GDS[@]}"; do
        CPU_ROWS+=("$(printf '%-6s %-11s' "$s" "$what") $(for col in 1 2 3 4; do
            cut -d' ' -f"$col" "$WORK/$what.cpu" | median; done | awk '{printf " %9s", $1}')")
    done
    rm -f "$WORK/files/image.bin"
done
printf "$FMT\n" size path ferry_MB/s glance_MB/s boto3_MB/s limit_MB/s ferry/limit ferry/glance ferry/boto3 \
    ferry_MiB glance_MiB boto3_MiB
printf '%s\n' "${ROWS[@]}"
echo "(medians of $ROUNDS rounds; limit: one curl PUT/GET; MiB: peak RSS over that size's measurements;" \
    "glance-dl: glance-download from Glance RegionTwo, limit: curl | tee md5 sha512 | boto3 upload_fileobj," \
    "its RSS in the boto3 column)"
echo
printf '%-6s %-11s %9s %9s %9s %9s\n' size measurement busy_% steal_% service_s rgw_s
printf '%s\n' "${CPU_ROWS[@]}"
echo "(medians; busy_%: share of all $(nproc) CPUs busy, steal excluded; service_s: CPU seconds of Ferry or" \
    "Glance (none for boto3 and the limit); rgw_s: of radosgw)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

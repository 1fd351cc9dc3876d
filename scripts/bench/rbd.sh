#!/usr/bin/env bash
# Ferry's rbd store against the limit of this machine, on the Ceph lab (scripts/ceph-lab.sh).
#
#   scripts/bench/rbd.sh [SIZE ...]        sizes in bytes or with a binary suffix (default: 1G 4G)
#
# Needs a running Ceph lab: FERRY_CEPH_* in the environment, or a lab in ${FERRY_CEPH_DIR:-/tmp/ferry-ceph}. Starts
# Ferry from target/ferry.jar (built if missing) with two rbd stores (pools images and images2) in a temp dir.
# For each size, ROUNDS (default 3) interleaved rounds of:
#   ferry   create an image and PUT the file to /v2/images/{id}/file (rbd store): network in, md5+sha512, RBD out
#   limit   the same work without Ferry: curl from a local HTTP server | tee >(md5sum) >(sha512sum) | rbd import -
# then copy-image of the last Ferry image from pool images to images2 (inside Ceph: clone and flatten).
#   glance  (when the OpenStack lab runs with --ceph-dir: its Glance RegionOne has an rbd store "ceph" on the same
#           pool) create and PUT the same file to real Glance with X-Image-Meta-Store: ceph
# Prints medians in MB/s, the ratios, and peak RSS per size (VmHWM since start: Ferry's JVM after the uploads of
# that size, before its copy-image; Glance RegionOne's glance-api process), and Ferry's peak after the copy-images.
# Every image is removed afterwards. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(1G 4G)

die() { printf 'rbd.sh: %s\n' "$*" >&2; exit 1; }
for c in curl java rbd python3 numfmt; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
if [[ -z "${FERRY_CEPH_CONF:-}" ]]; then
    eval "$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "${FERRY_CEPH_DIR:-/tmp/ferry-ceph}")" \
        || die "no Ceph lab: start one with scripts/ceph-lab.sh up"
fi
RBD=(rbd -c "$FERRY_CEPH_CONF" --id admin --keyring "$FERRY_CEPH_ADMIN_KEYRING")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-rbd.XXXXXX")
FERRY_PID=""
WEB_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$WEB_PID" ]] && kill "$WEB_PID" 2>/dev/null
    if [[ -n "$FERRY_PID" ]] && kill -0 "$FERRY_PID" 2>/dev/null; then
        kill -TERM "$FERRY_PID" 2>/dev/null
        for _ in $(seq 1 150); do kill -0 "$FERRY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$FERRY_PID" 2>/dev/null || true
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
cat >"$WORK/conf/ferry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $PORT
enabled_backends = ceph:rbd, ceph2:rbd
enabled_import_methods = [glance-direct, web-download, copy-image]
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
[database]
connection = jdbc:h2:file:$WORK/data/ferry
CONF

(cd "$WORK" && exec java ${JAVA_OPTS:-} -jar "$WORK/ferry.jar" --config-file "$WORK/conf/ferry.conf" \
    >"$WORK/ferry.log" 2>&1) &
FERRY_PID=$!
for i in $(seq 1 300); do
    kill -0 "$FERRY_PID" 2>/dev/null || { cat "$WORK/ferry.log" >&2; die "Ferry exited during start-up"; }
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/versions" || true)" == 200 ]] && break
    (( i < 300 )) || die "Ferry did not answer on $URL"
    sleep 0.2
done
# the JVM is a child of the subshell: find it
JVM_PID=$(pgrep -P "$FERRY_PID" java || echo "$FERRY_PID")
WEB_PORT=$(free_port)
(cd "$WORK/www" && exec python3 -m http.server "$WEB_PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
WEB_PID=$!
sleep 1

ferry_upload() { # file -> seconds; leaves the image id in LAST_ID
    local created id out
    created=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
        -d '{"name":"bench-rbd","disk_format":"raw","container_format":"bare"}' "$URL/v2/images") || die "create failed"
    id=$(sed -n 's/.*"id" *: *"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"$created" | head -n 1)
    echo "$id" >>"$WORK/created"
    out=$(curl -sS -T "$1" -X PUT -H 'Content-Type: application/octet-stream' -H 'Expect:' -o "$WORK/put.out" \
        -w '%{http_code} %{time_total}' "$URL/v2/images/$id/file") || die "upload failed"
    [[ ${out% *} == 204 ]] || die "upload answered ${out% *}: $(cat "$WORK/put.out")"
    LAST_ID=$id
    echo "${out#* }"
}

limit_import() { # name -> seconds: the same bytes from HTTP, hashed twice, into rbd import
    local name=$1 t0 t1
    echo "$name" >>"$WORK/created"
    t0=$(date +%s.%N)
    curl -sS "http://127.0.0.1:$WEB_PORT/image.bin" | tee >(md5sum >"$WORK/md5") >(sha512sum >"$WORK/sha") \
        | "${RBD[@]}" import --no-progress - "$FERRY_CEPH_POOL/$name" >/dev/null
    t1=$(date +%s.%N)
    "${RBD[@]}" rm "$FERRY_CEPH_POOL/$name" >/dev/null 2>&1
    echo "$t1 - $t0" | bc -l
}

# the real Glance of the OpenStack lab, when it has an rbd store
GLANCE=""
if lab_env=$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "${FERRY_LAB_DIR:-/tmp/ferry-lab}" 2>/dev/null) \
        && grep -q FERRY_LAB_GLANCE1_RBD_STORE <<<"$lab_env" \
        && bash "$ROOT/scripts/openstack-lab.sh" status --dir "${FERRY_LAB_DIR:-/tmp/ferry-lab}" >/dev/null 2>&1; then
    eval "$lab_env"
    GLANCE=$FERRY_LAB_GLANCE1_URL
    TOKEN=$(curl -sS -i -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],
        \"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"},\"password\":\"$FERRY_LAB_PASSWORD\"}}},
        \"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}" \
        "$FERRY_LAB_KEYSTONE_URL/v3/auth/tokens" | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}' | tr -d '\r')
    [[ -n "$TOKEN" ]] || die "no Keystone token from the lab"
    GLANCE_PID=$(pgrep -f "glance-api --config-file $FERRY_LAB_DIR/glance1/glance-api.conf" | head -n 1)
fi

glance_upload() { # file -> seconds
    local created id out
    created=$(curl -sS -f -X POST -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
        -d '{"name":"bench-rbd","disk_format":"raw","container_format":"bare"}' "$GLANCE/v2/images") \
        || die "Glance create failed"
    id=$(sed -n 's/.*"id" *: *"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"$created" | head -n 1)
    out=$(curl -sS -T "$1" -X PUT -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/octet-stream' \
        -H 'X-Image-Meta-Store: ceph' -H 'Expect:' -o "$WORK/gput.out" -w '%{http_code} %{time_total}' \
        "$GLANCE/v2/images/$id/file") || die "Glance upload failed"
    [[ ${out% *} == 204 ]] || die "Glance upload answered ${out% *}: $(cat "$WORK/gput.out")"
    curl -sS -o /dev/null -X DELETE -H "X-Auth-Token: $TOKEN" "$GLANCE/v2/images/$id"
    echo "${out#* }"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

printf '%-6s %9s %9s %9s %11s %12s %12s %11s %11s\n' size ferry_MB/s limit_MB/s glance_MB/s ferry/limit \
    ferry/glance copy-image_s ferry_RSS glance_RSS
for s in "${SIZES[@]}"; do
    BYTES=$(numfmt --from=iec "${s%iB}") || die "not a size: $s"
    head -c "$BYTES" /dev/urandom >"$WORK/www/image.bin"
    : >"$WORK/ferry.t"; : >"$WORK/limit.t"; : >"$WORK/glance.t"
    for r in $(seq 1 "$ROUNDS"); do
        limit_import "bench-limit-$r" >>"$WORK/limit.t"
        [[ -z "$GLANCE" ]] || glance_upload "$WORK/www/image.bin" >>"$WORK/glance.t"
        ferry_upload "$WORK/www/image.bin" >>"$WORK/ferry.t"
        if (( r < ROUNDS )); then
            curl -sS -o /dev/null -X DELETE "$URL/v2/images/$LAST_ID"
        fi
    done
    # RSS of the uploads, before copy-image (librbd's flatten has its own, larger footprint: reported after)
    HWM=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$JVM_PID/status")
    t0=$(date +%s.%N)
    curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d '{"method":{"name":"copy-image"},"stores":["ceph2"]}' "$URL/v2/images/$LAST_ID/import" || die "copy-image refused"
    until curl -sS "$URL/v2/images/$LAST_ID" | grep -q '"stores": *"ceph,ceph2"\|"stores": *"ceph2,ceph"'; do
        sleep 0.1
        (( $(echo "$(date +%s.%N) - $t0 > 600" | bc) )) && die "copy-image did not finish"
    done
    COPY_S=$(echo "$(date +%s.%N) - $t0" | bc -l)
    curl -sS -o /dev/null -X DELETE "$URL/v2/images/$LAST_ID"
    GHWM=0
    [[ -z "$GLANCE" ]] || GHWM=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$GLANCE_PID/status")
    F=$(median <"$WORK/ferry.t"); L=$(median <"$WORK/limit.t")
    G=0
    [[ -z "$GLANCE" ]] || G=$(median <"$WORK/glance.t")
    awk -v s="$s" -v b="$BYTES" -v f="$F" -v l="$L" -v g="$G" -v c="$COPY_S" -v h="$HWM" -v gh="$GHWM" 'BEGIN {
        printf "%-6s %9.1f %9.1f %9s %11.2f %12s %12.2f %11.1f %11s\n", s, b / 1e6 / f, b / 1e6 / l,
            (g > 0 ? sprintf("%.1f", b / 1e6 / g) : "n/a"), l / f, (g > 0 ? sprintf("%.2f", g / f) : "n/a"), c,
            h / 1024, (gh > 0 ? sprintf("%.1f", gh / 1024) : "n/a") }'
    rm -f "$WORK/www/image.bin"
done
echo "Ferry's peak RSS after the copy-images too: $(awk '$1 == "VmHWM:" {printf "%.1f MiB", $2 / 1024}' \
    "/proc/$JVM_PID/status")"

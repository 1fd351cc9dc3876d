#!/usr/bin/env bash
# Upload throughput and memory of Ferry's data path.
#
#   scripts/bench/upload-rss.sh [SIZE]      SIZE in bytes or with a binary suffix: 512M, 1G, 4GiB (default 4G)
#
# Starts Ferry from target/ferry.jar (built if missing) in a temp dir of its own, with conf/ferry.conf copied and
# pointed at that dir and a free port; measures its idle RSS; creates an image and PUTs a random file of SIZE to
# /v2/images/{id}/file with curl, sampling the JVM's VmRSS/VmHWM every 0.2 s; prints size, seconds, MB/s, idle and
# peak RSS and whether the upload grew RSS by less than 64 MiB; checks the image's checksum against md5sum of the
# file. Everything is removed afterwards. Needs curl, and free disk of about twice SIZE under TMPDIR (/tmp).
# JAVA_OPTS is passed to the JVM. Exit status: 0 when the upload worked and the checksum matched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIZE_ARG=${1:-4G}
LIMIT_MIB=64

die() { printf 'upload-rss.sh: %s\n' "$*" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || die "curl is needed"
command -v java >/dev/null 2>&1 || die "java is needed"

size_spec=${SIZE_ARG%iB}
size_spec=${size_spec%B}
size_spec=${size_spec%i}
BYTES=$(numfmt --from=iec "$size_spec" 2>/dev/null) || die "not a size: $SIZE_ARG (try 1073741824, 512M, 4G)"
(( BYTES > 0 )) || die "size must be positive: $SIZE_ARG"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
FERRY_PID=""
SAMPLER_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null
    if [[ -n "$FERRY_PID" ]] && kill -0 "$FERRY_PID" 2>/dev/null; then
        kill -TERM "$FERRY_PID" 2>/dev/null
        for _ in $(seq 1 150); do kill -0 "$FERRY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$FERRY_PID" 2>/dev/null || true
        wait "$FERRY_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

avail=$(df --output=avail -B1 "$WORK" | tail -n 1 | tr -d ' ')
(( avail > 2 * BYTES + 512 * 1024 * 1024 )) \
    || die "not enough free disk under $(dirname "$WORK"): need about $(( (2 * BYTES >> 20) + 512 )) MiB, have $(( avail >> 20 )) MiB"

if [[ ! -f "$ROOT/target/ferry.jar" ]]; then
    echo "building target/ferry.jar ..."
    (cd "$ROOT" && mvn -q -B -ntp package -DskipTests) || die "build failed"
fi
# a private copy: a rebuild in the work tree during the run must not change the running jar
cp "$ROOT/target/ferry.jar" "$WORK/ferry.jar"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 20); do
    PORT=$((15000 + RANDOM % 17000))
    port_in_use "$PORT" || break
done
URL="http://127.0.0.1:$PORT"

mkdir -p "$WORK/conf"
cp -r "$ROOT/conf/." "$WORK/conf/"
sed -e "s#^bind_host *=.*#bind_host = 127.0.0.1#" -e "s#^bind_port *=.*#bind_port = $PORT#" \
    -e "s#\./data#$WORK/data#g" "$ROOT/conf/ferry.conf" >"$WORK/conf/ferry.conf"

echo "generating $BYTES random bytes ..."
head -c "$BYTES" /dev/urandom >"$WORK/image.bin"

status_kib() { # VmRSS or VmHWM of the Ferry JVM, in KiB
    awk -v k="$1:" '$1 == k {print $2}' "/proc/$FERRY_PID/status"
}

cd "$WORK"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:-} -jar "$WORK/ferry.jar" --config-file "$WORK/conf/ferry.conf" >"$WORK/ferry.log" 2>&1 &
FERRY_PID=$!
for i in $(seq 1 300); do
    kill -0 "$FERRY_PID" 2>/dev/null || { cat "$WORK/ferry.log" >&2; die "Ferry exited during start-up"; }
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/versions" || true)" == 200 ]] && break
    (( i < 300 )) || { cat "$WORK/ferry.log" >&2; die "Ferry did not answer on $URL within 60 s"; }
    sleep 0.2
done
sleep 2
IDLE_KIB=$(status_kib VmRSS)

created=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
    -d '{"name": "bench-upload", "disk_format": "raw", "container_format": "bare"}' "$URL/v2/images") \
    || die "image create failed"
ID=$(sed -n 's/.*"id" *: *"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"$created" | head -n 1)
[[ -n "$ID" ]] || die "no image id in: $created"

: >"$WORK/rss.samples"
(
    while kill -0 "$FERRY_PID" 2>/dev/null; do
        echo "$(status_kib VmRSS) $(status_kib VmHWM)" >>"$WORK/rss.samples"
        sleep 0.2
    done
) &
SAMPLER_PID=$!

echo "uploading to $URL/v2/images/$ID/file ..."
upload=$(curl -sS -T "$WORK/image.bin" -X PUT -H 'Content-Type: application/octet-stream' -H 'Expect:' \
    -o "$WORK/upload.out" -w '%{http_code} %{time_total}' "$URL/v2/images/$ID/file") || die "upload failed: $upload"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
echo "$(status_kib VmRSS) $(status_kib VmHWM)" >>"$WORK/rss.samples"
read -r HTTP_CODE SECONDS_TOTAL <<<"$upload"
[[ "$HTTP_CODE" == 204 ]] || die "upload answered HTTP $HTTP_CODE: $(cat "$WORK/upload.out")"

PEAK_KIB=$(awk '$1 > m {m = $1} END {print m + 0}' "$WORK/rss.samples")
HWM_KIB=$(status_kib VmHWM)
SAMPLES=$(wc -l <"$WORK/rss.samples")

shown=$(curl -sS -f "$URL/v2/images/$ID") || die "image show failed"
STATUS=$(sed -n 's/.*"status" *: *"\([a-z_]*\)".*/\1/p' <<<"$shown" | head -n 1)
CHECKSUM=$(sed -n 's/.*"checksum" *: *"\([0-9a-f]*\)".*/\1/p' <<<"$shown" | head -n 1)
MD5=$(md5sum "$WORK/image.bin" | cut -d ' ' -f 1)

GROWTH_KIB=$((PEAK_KIB - IDLE_KIB))
awk -v b="$BYTES" -v s="$SECONDS_TOTAL" -v idle="$IDLE_KIB" -v peak="$PEAK_KIB" -v hwm="$HWM_KIB" \
    -v grow="$GROWTH_KIB" -v lim="$LIMIT_MIB" -v n="$SAMPLES" -v status="$STATUS" 'BEGIN {
    printf "size:          %.0f bytes (%.2f GiB)\n", b, b / 1073741824
    printf "seconds:       %.2f\n", s
    printf "throughput:    %.1f MB/s\n", b / 1e6 / s
    printf "idle RSS:      %.1f MiB\n", idle / 1024
    printf "peak RSS:      %.1f MiB (max of %d VmRSS samples; VmHWM at end %.1f MiB)\n", peak / 1024, n, hwm / 1024
    printf "peak - idle:   %.1f MiB\n", grow / 1024
    printf "below %d MiB:  %s\n", lim, (grow < lim * 1024 ? "yes" : "NO")
    printf "image status:  %s\n", status
}'
if [[ "$CHECKSUM" == "$MD5" && "$STATUS" == active ]]; then
    echo "checksum:      $CHECKSUM = md5sum of the file: OK"
else
    echo "checksum:      image says '$CHECKSUM', md5sum of the file is $MD5: MISMATCH"
    exit 1
fi

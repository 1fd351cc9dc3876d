#!/usr/bin/env bash
# Which S3 client for the s3 store driver: each candidate against the Ceph lab's radosgw (scripts/ceph-lab.sh), doing
# what the driver will do. Not part of Ferry's build: a Maven project of its own in scripts/bench/s3-client/.
#
#   scripts/bench/s3-client.sh [SIZE ...]     sizes with a binary suffix (default: 256M 1G)
#
# Clients (CLIENTS, default all): minio (MinIO Java 8.5, OkHttp 4.12), aws-urlconn and aws-apache (AWS SDK v2 sync
# S3Client on the url-connection-client / apache-client), okhttp-sigv4 (a minimal SigV4 signer of the benchmark on
# plain OkHttp, the payload's SHA-256 signed) and okhttp-unsigned (the same with UNSIGNED-PAYLOAD). A variant is
# CLIENT:OPTION=VALUE,... with the client's options (see the main classes), e.g. minio:okhttp=default,
# aws-urlconn:checksum=sdk,chunked=false.
# For each size, each THREADS count (default "4 10") and ROUNDS (default 3) rounds, each client in its own JVM
# (JAVA_OPTS, default -Xmx256m), the order rotated from round to round:
#   upload    a stream of pseudo-random bytes made on the fly (size unknown to the uploader) as a multipart upload,
#             parts of 10 MiB by THREADS threads, at most THREADS+1 part buffers, md5 while reading; aborted on failure
#   download  a streamed GET of the whole object, md5 while reading (must be the upload's), then a ranged GET of
#             4 MiB (checked byte for byte), then the object is deleted
# and the limit: curl --aws-sigv4 PUT (UNSIGNED-PAYLOAD) of a file of the same size from /dev/urandom, and its GET to
# /dev/null. Once per client: an upload whose source fails after 2.5 parts must leave no upload and no object
# (abort-multipart), and an aborted uploadId must refuse parts.
# Prints medians in MB/s (10^6 bytes), each client's peak RSS (VmHWM of the JVM, upload and download each), its CPU
# seconds (median, whole JVM), how busy the machine was and radosgw's CPU seconds; then each client's dependencies
# (jars, MB, and how many of them Ferry does not have yet). Raw lines in $OUT (default a new /tmp/s3bench.*).
# Buckets are s3bench-*, removed with their objects at the end. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROJ="$ROOT/scripts/bench/s3-client"
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-4 10}
CLIENTS=${CLIENTS:-minio aws-urlconn aws-apache okhttp-sigv4 okhttp-unsigned}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(256M 1G)

die() { printf 's3-client.sh: %s\n' "$*" >&2; exit 1; }
for c in curl java mvn python3 numfmt; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
if [[ -z "${FERRY_S3_ENDPOINT:-}" ]]; then
    eval "$(bash "$ROOT/scripts/ceph-lab.sh" env --dir "${FERRY_CEPH_DIR:-/tmp/ferry-ceph}")" \
        || die "no Ceph lab: start one with scripts/ceph-lab.sh up"
fi
[[ -n "${FERRY_S3_ENDPOINT:-}" && -n "${FERRY_S3_ACCESS_KEY:-}" ]] || die "the Ceph lab has no radosgw (FERRY_S3_*)"
export FERRY_S3_ENDPOINT FERRY_S3_ACCESS_KEY FERRY_S3_SECRET_KEY
curl -s -o /dev/null "$FERRY_S3_ENDPOINT/" || die "radosgw does not answer at $FERRY_S3_ENDPOINT"
RGW_PID=$(pgrep -xo radosgw || true)

OUT=${OUT:-$(mktemp -d /tmp/s3bench.XXXXXX)}
mkdir -p "$OUT"
echo "s3-client.sh: building $PROJ" >&2
mvn -q -B -f "$PROJ/pom.xml" clean package >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build failed"; }

# the command of each client (the main classes are in the module jars; every dependency in the module's target/lib)
cmd() {
    case "${1%%:*}" in
        minio) echo "$PROJ/minio/target/s3bench-minio-1.jar:$PROJ/minio/target/lib/* ferry.bench.s3.MinioMain" ;;
        aws-urlconn) echo "$PROJ/aws/target/s3bench-aws-1.jar:$PROJ/aws/target/lib/* ferry.bench.s3.AwsMain http=urlconn" ;;
        aws-apache) echo "$PROJ/aws-apache/target/lib/* ferry.bench.s3.AwsMain http=apache" ;;
        okhttp-sigv4) echo "$PROJ/okhttp/target/s3bench-okhttp-1.jar:$PROJ/okhttp/target/lib/* ferry.bench.s3.OkHttpMain" ;;
        okhttp-unsigned) echo "$PROJ/okhttp/target/s3bench-okhttp-1.jar:$PROJ/okhttp/target/lib/* ferry.bench.s3.OkHttpMain payload=unsigned" ;;
        *) die "no client $1" ;;
    esac
}
libdir() {
    case "${1%%:*}" in
        minio) echo "$PROJ/minio/target/lib" ;;
        aws-urlconn) echo "$PROJ/aws/target/lib" ;;
        aws-apache) echo "$PROJ/aws-apache/target/lib" ;;
        okhttp-*) echo "$PROJ/okhttp/target/lib" ;;
    esac
}
# java CLIENT MODE ARGS...: the client's JVM; the class path is one word (no globbing of its *)
jrun() {
    local client=$1; shift
    local -a c opts=()
    read -r -a c <<<"$(cmd "$client")"
    [[ "$client" != *:* ]] || IFS=, read -r -a opts <<<"${client#*:}"
    # shellcheck disable=SC2086
    java $JAVA_OPTS -cp "${c[0]}" "${c[1]}" "$1" "label=$client" "${c[@]:2}" "${opts[@]}" "${@:2}"
}

BUCKET="s3bench-$(date +%s)-$$"
cleanup() {
    jrun okhttp-sigv4 cleanup "bucket=$BUCKET" >>"$OUT/cleanup.log" 2>&1 \
        || echo "s3-client.sh: could not remove bucket $BUCKET (see $OUT/cleanup.log)" >&2
    rm -f "$OUT"/limit-*.bin
}
jrun okhttp-sigv4 setup "bucket=$BUCKET" >"$OUT/setup.log" 2>&1 || { cat "$OUT/setup.log" >&2; die "cannot create bucket $BUCKET"; }
trap cleanup EXIT

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; } # busy and all jiffies (steal out)
rgw_ticks() { [[ -n "$RGW_PID" ]] && awk '{print $14+$15}' "/proc/$RGW_PID/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# measure LABEL COMMAND...: runs it, appends its RESULT line (or the limit's) with the machine's busy % and radosgw's
# CPU seconds to $OUT/results
measure() {
    local label=$1; shift
    local b0 b1 r0 r1 line
    read -r -a b0 <<<"$(busy)"; r0=$(rgw_ticks)
    if ! line=$("$@" 2>>"$OUT/stderr.log" | grep '^RESULT' | tail -n 1) || [[ -z "$line" ]]; then
        tail -n 20 "$OUT/stderr.log" >&2; die "$label failed"
    fi
    read -r -a b1 <<<"$(busy)"; r1=$(rgw_ticks)
    line+=$(awk -v b="$(( b1[0] - b0[0] ))" -v a="$(( b1[1] - b0[1] ))" -v r="$(( r1 - r0 ))" -v hz="$HZ" \
        'BEGIN { printf " busy_pct=%.0f rgw_cpu_s=%.2f", a ? 100 * b / a : 0, r / hz }')
    echo "$line" >>"$OUT/results"
    echo "  $line" >&2
}

# the limit: curl, one PUT of a file of that size (UNSIGNED-PAYLOAD: curl 7.88 does not hash the payload for
# --aws-sigv4, and without the header radosgw answers SignatureDoesNotMatch), and its GET to /dev/null
limit() {
    local size=$1 file=$2 key=$3 up down
    local -a sig=(--aws-sigv4 "aws:amz:${FERRY_S3_REGION:-us-east-1}:s3" --user "$FERRY_S3_ACCESS_KEY:$FERRY_S3_SECRET_KEY"
                  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -fsS)
    up=$(curl "${sig[@]}" -o /dev/null -w '%{time_total}' -T "$file" "$FERRY_S3_ENDPOINT/$BUCKET/$key")
    down=$(curl "${sig[@]}" -o /dev/null -w '%{time_total}' "$FERRY_S3_ENDPOINT/$BUCKET/$key")
    curl "${sig[@]}" -o /dev/null -X DELETE "$FERRY_S3_ENDPOINT/$BUCKET/$key"
    awk -v s="$size" -v u="$up" -v d="$down" -v t="$THREADS_NOW" 'BEGIN {
        printf "RESULT client=curl-limit size=%d threads=%s up_s=%.2f up_MBps=%.1f down_s=%.2f down_MBps=%.1f\n",
            s, t, u, s / 1e6 / u, d, s / 1e6 / d }'
}

echo "s3-client.sh: abort-multipart check" >&2
for client in $CLIENTS; do
    jrun "$client" abort-check "bucket=$BUCKET" "key=abort-$client" threads=4 2>>"$OUT/stderr.log" \
        | grep '^ABORT' | tee -a "$OUT/abort" >&2 || die "abort check of $client failed"
done

read -r -a CL <<<"$CLIENTS"
ALL=("${CL[@]}" curl-limit)
for size in "${SIZES[@]}"; do
    bytes=$(numfmt --from=iec "${size%iB}") || die "not a size: $size"
    file="$OUT/limit-$size.bin"
    head -c "$bytes" /dev/urandom >"$file"
    for threads in $THREADS; do
        THREADS_NOW=$threads
        for (( round = 0; round < ROUNDS; round++ )); do
            echo "s3-client.sh: size $size, $threads threads, round $((round + 1)) of $ROUNDS" >&2
            n=${#ALL[@]}
            for (( i = 0; i < n; i++ )); do
                client=${ALL[$(( (i + round) % n ))]}
                key="obj-$client-$size-$threads-$round"
                if [[ "$client" == curl-limit ]]; then
                    # the limit does not depend on the threads: measured with the first THREADS count only
                    [[ "$threads" == "${THREADS%% *}" ]] || continue
                    measure "$client $size" limit "$bytes" "$file" "$key"
                else
                    measure "$client $size" jrun "$client" run "bucket=$BUCKET" "key=$key" "size=$bytes" \
                        "threads=$threads" "seed=$((round + 1))"
                fi
            done
        done
    done
    rm -f "$file"
done

# the dependencies: jars each client adds (the benchmark's own excluded), and which of them Ferry does not have yet
FERRY_DEPS="$OUT/ferry-deps"
if ! mvn -q -B -f "$ROOT/pom.xml" dependency:list -DincludeScope=runtime -DoutputFile="$FERRY_DEPS" \
        -DoutputAbsoluteArtifactFilename=false >/dev/null 2>&1; then
    : >"$FERRY_DEPS"
fi
for client in $CLIENTS; do
    [[ "$client" == *:* ]] && continue
    python3 - "$client" "$(libdir "$client")" "$FERRY_DEPS" <<'DEPS'
import os, sys
client, lib, ferry = sys.argv[1:]
same, groups = set(), set()
for line in open(ferry):
    f = line.strip().split(" ")[0].split(":")  # group:artifact:jar[:classifier]:version:scope
    if len(f) >= 5:
        same.add(f"{f[0]}.{f[1]}-{f[-2]}.jar"); groups.add(f"{f[0]}.{f[1]}-")
for name in sorted(os.listdir(lib)):  # groupId.artifactId-version.jar (copy-dependencies prependGroupId)
    if name.startswith("ferry.bench."): continue
    other = any(name.startswith(g) and name[len(g):][:1].isdigit() for g in groups)
    new = 0 if name in same else 2 if other else 1
    print(f"DEP client={client} jar={name} bytes={os.path.getsize(os.path.join(lib, name))} new={new}")
DEPS
done >"$OUT/deps"

python3 - "$OUT" <<'EOF'
import re, statistics, sys
from collections import defaultdict

out = sys.argv[1]
def parse(line):
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', line)}

rows = [parse(l) for l in open(f"{out}/results") if l.startswith("RESULT")]
groups = defaultdict(list)
order = []
for r in rows:
    k = (int(r["size"]), r["threads"], r["client"])
    if k not in groups: order.append(k)
    groups[k].append(r)

def med(rs, f):
    v = [float(r[f]) for r in rs if f in r]
    return statistics.median(v) if v else None

def fmt(x, p=1):
    return "-" if x is None else f"{x:.{p}f}"

print()
print(f"{'size':>6} {'threads':>7} {'client':<16} {'up_MB/s':>8} {'down_MB/s':>9} {'up_RSS_MiB':>10} {'down_RSS_MiB':>12}"
      f" {'cpu_up_s':>8} {'cpu_down_s':>10} {'cpu_jvm_s':>9} {'rgw_cpu_s':>9} {'busy_%':>6} {'range_ms':>8}")
for k in sorted(order, key=lambda k: (k[0], int(k[1]), order.index(k))):
    rs = groups[k]
    size, threads, client = k
    mx = lambda f: max((float(r[f]) for r in rs if f in r), default=None)
    print(f"{size >> 20:>5}M {threads:>7} {client:<16} {fmt(med(rs,'up_MBps')):>8} {fmt(med(rs,'down_MBps')):>9}"
          f" {fmt(mx('up_hwm_MiB')):>10} {fmt(mx('down_hwm_MiB')):>12} {fmt(med(rs,'cpu_up_s'),2):>8}"
          f" {fmt(med(rs,'cpu_down_s'),2):>10} {fmt(med(rs,'cpu_total_s'),2):>9} {fmt(med(rs,'rgw_cpu_s'),2):>9}"
          f" {fmt(med(rs,'busy_pct'),0):>6} {fmt(med(rs,'range_ms'),0):>8}")
print(f"(medians of {max(len(v) for v in groups.values())} rounds; RSS: the highest VmHWM of the rounds, of the upload and"
      " of the download (reset between them); cpu_*: the JVM's CPU seconds, jvm = the whole process;"
      " rgw_cpu_s: radosgw's; busy_%: the whole machine, shared with other work)")
etags = defaultdict(set)
for r in rows:
    if "complete_etag" in r: etags[r["client"]].add((r["complete_etag"], r["head_etag"]))
for c, e in etags.items():
    print(f"ETag {c}: CompleteMultipartUpload gave {sorted(x[0] for x in e)[0]}; HEAD gives e.g. {sorted(x[1] for x in e)[0]}")

print()
deps = defaultdict(list)
for l in open(f"{out}/deps"):
    d = parse(l)
    deps[d["client"]].append(d)
print(f"{'client':<16} {'jars':>4} {'MB':>6} {'new':>4} {'new_MB':>7} {'other_ver':>9}  largest")
for c, ds in deps.items():
    new = [d for d in ds if d["new"] == "1"]
    other = [d["jar"] for d in ds if d["new"] == "2"]
    big = sorted(ds, key=lambda d: -int(d["bytes"]))[:3]
    print(f"{c:<16} {len(ds):>4} {sum(int(d['bytes']) for d in ds) / 1e6:>6.1f} {len(new):>4}"
          f" {sum(int(d['bytes']) for d in new) / 1e6:>7.1f} {len(other):>9}  " + ", ".join(d["jar"] for d in big))
    if other: print(f"{'':<16} other version than Ferry's: " + ", ".join(other))
print("(jars, MB: the client's transitive runtime dependencies; new: artifacts Ferry's runtime class path does not"
      " have (mvn dependency:list of Ferry's pom.xml); other_ver: Ferry has the artifact at another version)")
print()
for l in open(f"{out}/abort"):
    print(l.rstrip())
EOF
echo "s3-client.sh: raw results in $OUT" >&2

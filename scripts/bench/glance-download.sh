#!/usr/bin/env bash
# Import at hashing speed: Ferry's glance-download against real Glance and against the machine's limit (issue 6).
#
#   scripts/bench/glance-download.sh [OPTIONS]
#     --sizes LIST          source image sizes, comma-separated, in bytes or with a binary suffix (default 1G,4G)
#     --repeat N            rounds of the large measurements and of wrk, interleaved (default 3)
#     --small-count N       10 MiB glance-downloads into Ferry, and into real Glance, interleaved (default 20)
#     --wrk-seconds N       length of each wrk run (default 20); --wrk-threads N (2), --wrk-connections N (16)
#     --lab-dir DIR         the lab directory (default $FERRY_LAB_DIR, else /tmp/ferry-lab)
#     --reuse               use the lab already running in the lab directory and leave it running; without it the
#                           lab directory is wiped and a lab started there (refused while any lab process runs
#                           there) and stopped at the end
#     --build               rebuild target/ferry.jar first (it is built anyway when missing)
#     --output FILE         where the report goes (default docs/benchmarks.md); --no-output: print it only
#     --keep-work           keep the work directory (logs, raw results) instead of removing it
#
# One run on one machine: starts (or reuses) the lab of scripts/openstack-lab.sh (Keystone, real Glance RegionOne
# and RegionTwo) and Ferry (keystone mode, the lab's `ferry-conf` with its data moved into the work directory,
# a private copy of target/ferry.jar started by scripts/run-ferry.sh; first started and stopped once, so that the
# measured start uses the class-data archive the launcher writes, as an operator's Ferry does), creates random
# source images of every size in RegionOne (curl PUT with a demo token) and measures, every size in every round, in an order rotated from round to round:
#   ferry-gd    Ferry glance-download from RegionOne: import call -> active (polled every 0.1 s), Ferry's peak RSS
#   glance-gd   real Glance RegionTwo glance-download from RegionOne: the same, with Glance RegionTwo's peak RSS
#   limit       one shell pipeline: curl RegionOne's /file | tee >(md5sum) >(sha512sum) > file on the disk under
#               test, timed until both digests are written; then the fsync of that file, timed on its own
#   ferry-web   Ferry web-download from `python3 -m http.server` on 127.0.0.1 serving the same bytes
#   limit-web   the same pipeline reading the http.server (the limit for web-download)
#   ferry-put   Ferry upload, PUT /v2/images/{id}/file of the same bytes (curl)
#   limit-local the same pipeline reading the local source file (the limit for an upload: no network)
# then the 10 MiB glance-download into Ferry and into RegionTwo, alternating, and last (the API load grows the JVM's
# heap) as many rounds of GET /v2/images/{id} under wrk (same token, threads and connections; --latency) against
# Ferry and against Glance RegionOne, alternating. Peak RSS is the larger of VmHWM (reset through
# /proc/PID/clear_refs before each measurement) and VmRSS sampled every 0.1 s. Every large measurement also records
# the share of CPU time the hypervisor gave to other guests meanwhile (steal, /proc/stat), as does the whole run: on a
# shared host that share, not Ferry, explains a slow round.
# Every imported or uploaded image's size, checksum and os_hash_value must equal the source's (and in round 1 the
# bytes Ferry serves back from /file too), and the pipeline's digests too: any difference stops the run with no
# report. Images are deleted as soon as they are measured. At the end it prints one table (medians; ratios
# Ferry/Glance and Ferry/limit; pass or MISS for each target of issue 6) and writes it with the machine
# description and the raw figures to the report. Cleans up: the images it created, Ferry, the http.server, the
# work directory, and the lab unless --reuse.
#
# Environment:
#   FERRY_LAB_DIR, FERRY_LAB_KEYSTONE_PORT (5000), FERRY_LAB_GLANCE1_PORT (9292), FERRY_LAB_GLANCE2_PORT (9293),
#   FERRY_LAB_FERRY_PORT (9494), FERRY_LAB_PASSWORD: read by `openstack-lab.sh up` when this script starts the lab;
#     with --reuse the running lab's own settings (its lab.env) apply.
#   FERRY_BENCH_FERRY_PORT   Ferry's port (default: the lab's RegionThree port, FERRY_LAB_FERRY_PORT)
#   FERRY_BENCH_HTTP_PORT    the http.server's port (default: a free one)
#   FERRY_BENCH_WORK         parent of the work directory (default ${TMPDIR:-/tmp}); Ferry's stores and the
#                            pipeline's file go there: put it on the disk under test, with the lab directory
#   JAVA_OPTS                extra flags for Ferry's JVM, after those of conf/jvm.options (scripts/run-ferry.sh)
#   FERRY_CDS                0: start Ferry once, without a class-data archive (scripts/run-ferry.sh); default 1
# Needs curl, wrk (installed with apt-get when missing and root), java 17, /usr/bin/python3, coreutils. Free disk:
# about 2 x the sum of the sizes + 2 x the largest + 1 GiB (checked). Exit status 0 when every measurement ran and
# verified (missed targets are reported, not failed), 1 on any error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Ferry runs as an operator is advised to run it: scripts/run-ferry.sh (the flags of conf/jvm.options, plus JAVA_OPTS)
RUN_FERRY="$ROOT/scripts/run-ferry.sh"
FERRY_CDS=${FERRY_CDS:-1}
BENCH="$ROOT/scripts/bench"
LAB="$ROOT/scripts/openstack-lab.sh"
PY=/usr/bin/python3   # the lab's interpreter; only the standard library is used here
API="$BENCH/glance_api.py"
REPORT="$BENCH/glance_download_report.py"
POLL=0.1
SMALL_BYTES=$((10 << 20))
METHODS=(ferry-gd glance-gd limit ferry-web limit-web ferry-put limit-local)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'glance-download.sh: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

# --- arguments ---------------------------------------------------------------------------------------------------
SIZES_ARG=1G,4G
REPEAT=3
SMALL_COUNT=20
WRK_SECONDS=20
WRK_THREADS=2
WRK_CONNECTIONS=16
LAB_DIR=${FERRY_LAB_DIR:-/tmp/ferry-lab}
REUSE=0
BUILD=0
OUTPUT="$ROOT/docs/benchmarks.md"
KEEP_WORK=0
need() { (($1 >= 2)) || die "$2 needs a value"; }
while (($#)); do
    case $1 in
        --sizes) need $# "$1"; SIZES_ARG=$2; shift 2 ;;
        --repeat) need $# "$1"; REPEAT=$2; shift 2 ;;
        --small-count) need $# "$1"; SMALL_COUNT=$2; shift 2 ;;
        --wrk-seconds) need $# "$1"; WRK_SECONDS=$2; shift 2 ;;
        --wrk-threads) need $# "$1"; WRK_THREADS=$2; shift 2 ;;
        --wrk-connections) need $# "$1"; WRK_CONNECTIONS=$2; shift 2 ;;
        --lab-dir) need $# "$1"; LAB_DIR=$2; shift 2 ;;
        --reuse) REUSE=1; shift ;;
        --build) BUILD=1; shift ;;
        --output) need $# "$1"; OUTPUT=$2; shift 2 ;;
        --no-output) OUTPUT=""; shift ;;
        --keep-work) KEEP_WORK=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
for v in REPEAT SMALL_COUNT WRK_SECONDS WRK_THREADS WRK_CONNECTIONS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] && ((${!v} >= 1)) || die "${v,,} must be a positive whole number, not '${!v}'"
done
((WRK_CONNECTIONS >= WRK_THREADS)) || die "wrk needs at least as many connections as threads"
[[ "$LAB_DIR" == /* ]] || LAB_DIR="$PWD/$LAB_DIR"
LAB_DIR=${LAB_DIR%/}
if [[ -n "$OUTPUT" && "$OUTPUT" != /* ]]; then OUTPUT="$PWD/$OUTPUT"; fi

to_bytes() {
    local s=${1%iB}
    s=${s%B}
    s=${s%i}
    numfmt --from=iec "$s" 2>/dev/null
}
# 1073741824 -> "1 GiB", 67108864 -> "64 MiB"
size_label() {
    local b=$1
    if ((b % (1 << 30) == 0)); then echo "$((b >> 30)) GiB"
    elif ((b % (1 << 20) == 0)); then echo "$((b >> 20)) MiB"
    else echo "$b B"; fi
}
SIZES=()
IFS=, read -r -a size_args <<<"$SIZES_ARG"
for s in "${size_args[@]}"; do
    b=$(to_bytes "$s") || die "not a size: '$s' (try 1073741824, 512M, 4G)"
    ((b > 0)) || die "sizes must be positive: '$s'"
    SIZES+=("$b")
done
((${#SIZES[@]})) || die "no sizes given"
mapfile -t SIZES < <(printf '%s\n' "${SIZES[@]}" | sort -n -u)

# --- tools -------------------------------------------------------------------------------------------------------
for t in curl java numfmt md5sum sha512sum mkfifo setsid; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed"
done
[[ -x "$PY" ]] || die "$PY is needed (the lab's Python)"
((BASH_VERSINFO[0] >= 5)) || die "bash 5 is needed (EPOCHREALTIME)"
if ! command -v wrk >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || die "wrk is needed (Debian package wrk)"
    log "installing wrk with apt-get"
    apt_q=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
    "${apt_q[@]}" install -y --no-install-recommends wrk >/dev/null 2>&1 \
        || { "${apt_q[@]}" update >/dev/null 2>&1 || true; "${apt_q[@]}" install -y --no-install-recommends wrk >/dev/null; } \
        || die "apt-get install wrk failed"
fi

# --- state and clean-up ------------------------------------------------------------------------------------------
WORK_PARENT=${FERRY_BENCH_WORK:-${TMPDIR:-/tmp}}
mkdir -p "$WORK_PARENT"
WORK=$(mktemp -d "$WORK_PARENT/ferry-bench.XXXXXX")
RESULTS="$WORK/results.tsv"
META="$WORK/meta.env"
STARTED_LAB=0
FERRY_PID=""
HTTP_PID=""
SAMPLER_PID=""
TOKEN=""
declare -A CREATED=()   # "BASE ID" -> 1 for every image this run created and has not deleted yet

stop_pid() { # PID: TERM, up to 30 s, then KILL; only a process this script started
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? key
    trap - EXIT INT TERM
    set +e
    [[ -n "$SAMPLER_PID" ]] && { kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; }
    if ((${#CREATED[@]})) && [[ -n "$TOKEN" ]]; then
        log "deleting the ${#CREATED[@]} image(s) this run created"
        for key in "${!CREATED[@]}"; do
            "$PY" "$API" delete ${key% *} "$TOKEN" ${key#* } 2>/dev/null \
                || log "could not delete image ${key#* } at ${key% *}"
        done
    fi
    [[ -n "$FERRY_PID" ]] && { log "stopping Ferry (pid $FERRY_PID)"; stop_pid "$FERRY_PID"; }
    [[ -n "$HTTP_PID" ]] && stop_pid "$HTTP_PID"
    if ((STARTED_LAB)); then
        log "stopping the lab in $LAB_DIR"
        "$LAB" down --dir "$LAB_DIR" >/dev/null 2>&1 || log "openstack-lab.sh down failed"
    fi
    if ((KEEP_WORK)) || { ((rc != 0)) && [[ -e "$WORK/ferry.log" || -e "$WORK/lab-up.log" ]]; }; then
        log "work directory kept (without the image files): $WORK"
        rm -f "$WORK"/src/*.bin "$WORK"/limit.out "$WORK"/ferry.jar 2>/dev/null
        rm -rf "$WORK/ferry/images" "$WORK/ferry/staging" 2>/dev/null
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

api() { "$PY" "$API" "$@"; }
meta() { printf '%s\t%s\n' "$1" "${2//$'\n'/ }" >>"$META"; }   # KEY VALUE, one line each
record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >>"$RESULTS"; }   # kind round bytes system value peak_kib extra

: >"$META"
printf 'kind\tround\tbytes\tsystem\tvalue\tpeak_kib\textra\n' >"$RESULTS"
meta started "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
meta load_start "$(cut -d ' ' -f 1-3 /proc/loadavg)"
# all CPU time and the part of it the hypervisor gave to other guests (steal), in ticks since boot
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9}' /proc/stat; }
# the share of CPU time stolen by the hypervisor since cpu_ticks gave TICKS0 STEAL0, in % (default: since the
# current measurement started)
steal_since() { # [TICKS0 STEAL0]
    local t0=${1:-$STEAL_TICKS0} s0=${2:-$STEAL0} ticks steal
    read -r ticks steal < <(cpu_ticks)
    awk -v t=$((ticks - t0)) -v s=$((steal - s0)) 'BEGIN {printf "%.1f", (t > 0 ? 100 * s / t : 0)}'
}
read -r TICKS_START STEAL_START < <(cpu_ticks)

# --- disk --------------------------------------------------------------------------------------------------------
# at most at once: the local sources and RegionOne's copies (2 x the sum), the largest import's staging and store
# copies, and 1 GiB to spare; checked where the work directory and where the lab is
sum=0
for b in "${SIZES[@]}"; do sum=$((sum + b)); done
NEED_DISK=$((2 * sum + 2 * SIZES[-1] + (1 << 30)))
check_disk() { # DIR
    local avail
    avail=$(df --output=avail -B1 "$1" | tail -n 1 | tr -d ' ')
    ((avail > NEED_DISK)) || die "not enough free disk for $1: need about $((NEED_DISK >> 20)) MiB, have $((avail >> 20)) MiB"
}
check_disk "$WORK"

# --- the lab -----------------------------------------------------------------------------------------------------
lab_running() { # any lab process alive in LAB_DIR?
    "$LAB" status --dir "$LAB_DIR" 2>/dev/null | awk 'NR > 1 && $1 != "ferry" && ($2 == "running" || $2 == "unknown") {f = 1} END {exit !f}'
}
if ((REUSE)); then
    "$LAB" status --dir "$LAB_DIR" >"$WORK/lab-status.txt" 2>&1 \
        || { cat "$WORK/lab-status.txt" >&2; die "--reuse: the lab in $LAB_DIR is not (fully) running"; }
    log "reusing the lab in $LAB_DIR"
else
    if lab_running; then
        "$LAB" status --dir "$LAB_DIR" >&2 || true
        die "a lab runs in $LAB_DIR: use --reuse, or another FERRY_LAB_DIR (and ports), or stop it first"
    fi
    log "starting the lab in $LAB_DIR (log: $WORK/lab-up.log)"
    STARTED_LAB=1
    "$LAB" up --dir "$LAB_DIR" >"$WORK/lab-up.log" 2>&1 || { tail -n 30 "$WORK/lab-up.log" >&2; die "lab start failed"; }
fi
eval "$("$LAB" env --dir "$LAB_DIR")"
check_disk "$LAB_DIR"
KS=$FERRY_LAB_KEYSTONE_URL
G1=$FERRY_LAB_GLANCE1_URL
G2=$FERRY_LAB_GLANCE2_URL
TOKEN_TTL=$(sed -n 's/^TOKEN_EXPIRATION=//p' "$LAB_DIR/lab.env" 2>/dev/null | head -n 1)
TOKEN_TTL=${TOKEN_TTL:-3600}
((TOKEN_TTL >= 600)) || log "WARNING: the lab's tokens expire after $TOKEN_TTL s; long imports may outlive them"
G2_PID=$(awk '{print $1; exit}' "$LAB_DIR/run/glance2.pid" 2>/dev/null || true)
[[ -n "$G2_PID" && -r "/proc/$G2_PID/status" ]] || die "no live Glance RegionTwo process recorded in $LAB_DIR/run/glance2.pid"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- Ferry -------------------------------------------------------------------------------------------------------
if ((BUILD)) || [[ ! -f "$ROOT/target/ferry.jar" ]]; then
    log "building target/ferry.jar"
    (cd "$ROOT" && mvn -q -B -ntp package -DskipTests) >"$WORK/build.log" 2>&1 \
        || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
fi
cp "$ROOT/target/ferry.jar" "$WORK/ferry.jar"   # a rebuild during the run must not change the running jar
FERRY_PORT=${FERRY_BENCH_FERRY_PORT:-${FERRY_LAB_FERRY_URL##*:}}
[[ "$FERRY_PORT" =~ ^[0-9]+$ ]] || die "not a port: $FERRY_PORT"
port_in_use "$FERRY_PORT" && die "port $FERRY_PORT for Ferry is in use (another Ferry?): set FERRY_BENCH_FERRY_PORT"
F="http://127.0.0.1:$FERRY_PORT"
"$LAB" ferry-conf --dir "$LAB_DIR" "$WORK/ferry.conf" >/dev/null
# Ferry's database, stores and staging in the work directory, never in the lab's (someone may run a Ferry there)
sed -i -e "s#$LAB_DIR/ferry/#$WORK/ferry/#g" -e "s#$LAB_DIR/ferry\$#$WORK/ferry#" \
    -e "s#^bind_port *=.*#bind_port = $FERRY_PORT#" -e "s#^public_endpoint *=.*#public_endpoint = $F#" \
    -e 's#^allowed_ports *=.*#allowed_ports = []#' "$WORK/ferry.conf"
grep -q "$LAB_DIR/ferry" "$WORK/ferry.conf" && die "the Ferry config still points into $LAB_DIR/ferry"
grep -Eq '^allowed_hosts *=.*127\.0\.0\.1' "$WORK/ferry.conf" \
    || die "the lab's Ferry config does not allow web-download from 127.0.0.1 ([import_filtering_opts] allowed_hosts)"
mkdir -p "$WORK/ferry/images/fast" "$WORK/ferry/images/cheap" "$WORK/ferry/staging" "$WORK/ferry/tasks"

start_ferry() { # LOG: starts Ferry through the launcher, waits until it answers; sets FERRY_PID
    (cd "$WORK" && FERRY_JAR="$WORK/ferry.jar" FERRY_CDS=$FERRY_CDS exec setsid "$RUN_FERRY" \
        --config-file "$WORK/ferry.conf") </dev/null >"$1" 2>&1 &
    FERRY_PID=$!
    for ((i = 0; ; i++)); do
        kill -0 "$FERRY_PID" 2>/dev/null || { tail -n 30 "$1" >&2; FERRY_PID=""; die "Ferry exited during start-up"; }
        [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$F/versions" || true)" == 200 ]] && break
        ((i < 600)) || { tail -n 30 "$1" >&2; die "Ferry did not answer on $F within 120 s"; }
        sleep 0.2
    done
}
if [[ "$FERRY_CDS" != 0 ]]; then
    # the launcher writes the jar's class-data archive when a Ferry without one stops; measure the next start, as an
    # operator's Ferry runs from its second start on
    log "first start of Ferry on $F: writes the class-data archive when it stops (log: $WORK/ferry-first.log)"
    t0=$EPOCHREALTIME
    start_ferry "$WORK/ferry-first.log"
    curl -s -o /dev/null "$F/v2/images" || true
    stop_pid "$FERRY_PID"
    FERRY_PID=""
    [[ -s "$WORK/ferry.jsa" ]] || die "the first start of Ferry wrote no class-data archive ($WORK/ferry.jsa)"
    meta cds_archive "written by a first start and stop of Ferry in $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
        'BEGIN {printf "%.1f", b - a}') s ($(($(stat -c %s "$WORK/ferry.jsa") >> 20)) MiB), used by the measured start"
else
    meta cds_archive "none (FERRY_CDS=0)"
fi
log "starting Ferry on $F (log: $WORK/ferry.log)"
start_ferry "$WORK/ferry.log"
[[ "$(cat "/proc/$FERRY_PID/comm")" == java ]] || die "pid $FERRY_PID is not the JVM"

# --- RSS ---------------------------------------------------------------------------------------------------------
kib() { # PID KEY: sets KIB to the VmRSS/VmHWM of PID (0 when gone); no fork
    local k v _
    KIB=0
    while read -r k v _; do
        [[ "$k" == "$2:" ]] && { KIB=$v; return 0; }
    done 2>/dev/null <"/proc/$1/status" || true
}
rss_start() { # PID: reset its peak, sample VmRSS every 0.1 s
    RSS_PID=$1
    HWM_OK=0
    if { echo 5 >"/proc/$1/clear_refs"; } 2>/dev/null; then HWM_OK=1; fi
    echo 0 >"$WORK/rss.max"
    (
        max=0
        while kill -0 "$RSS_PID" 2>/dev/null; do
            kib "$RSS_PID" VmRSS
            ((KIB > max)) && { max=$KIB; echo "$max" >"$WORK/rss.max"; }
            sleep 0.1
        done
    ) &
    SAMPLER_PID=$!
}
rss_stop() { # sets PEAK_KIB
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    PEAK_KIB=$(cat "$WORK/rss.max")
    if ((HWM_OK)); then
        kib "$RSS_PID" VmHWM
        ((KIB > PEAK_KIB)) && PEAK_KIB=$KIB
    fi
    kib "$RSS_PID" VmRSS
    ((KIB > PEAK_KIB)) && PEAK_KIB=$KIB
    return 0
}

# --- tokens, images, checks ----------------------------------------------------------------------------------------
new_token() {
    TOKEN=$(api token "$KS" demo demo) || die "no demo token from $KS"
    TOKEN_AT=$SECONDS
    # the first validation of a token is slow (Keystone); keep it out of every timed call
    local base
    for base in "$F" "$G1" "$G2"; do
        curl -sf -o /dev/null -H "X-Auth-Token: $TOKEN" "$base/v2/images?limit=1" || die "token not accepted by $base"
    done
}
fresh_token() { ((SECONDS - TOKEN_AT < TOKEN_TTL / 2)) || { log "renewing the demo token"; new_token; }; }

create() { # BASE NAME -> id on stdout (call as ID=$(create …); then register)
    api create "$1" "$TOKEN" "$2"
}
delete() { # BASE ID
    api delete "$1" "$TOKEN" "$2" || die "deleting image $2 at $1 failed"
    unset "CREATED[$1 $2]"
}
declare -A SRC_MD5_OF=() SRC_SHA_OF=()   # bytes -> digests of the source
declare -A SRC_ID=()    # bytes -> RegionOne image id
declare -A SRC_FILE=()  # bytes -> local file

verify() { # BASE ID BYTES WHAT: the image must be active with the source's size and digests
    local base=$1 id=$2 bytes=$3 what=$4 shown status size md5 algo hash
    shown=$(api show "$base" "$TOKEN" "$id" status size checksum os_hash_algo os_hash_value) \
        || die "$what: image $id not readable"
    { read -r status; read -r size; read -r md5; read -r algo; read -r hash; } <<<"$shown"
    [[ "$status" == active && "$size" == "$bytes" && "$md5" == "${SRC_MD5_OF[$bytes]}" && "$algo" == sha512 \
        && "$hash" == "${SRC_SHA_OF[$bytes]}" ]] \
        || die "$what: WRONG DATA: image $id at $base is $status, $size bytes, md5 $md5, $algo ${hash:0:16}…; the source is $bytes bytes, md5 ${SRC_MD5_OF[$bytes]}, sha512 ${SRC_SHA_OF[$bytes]:0:16}…"
}
verify_bytes() { # ID BYTES WHAT: what Ferry serves from /file hashes like the source
    local got
    got=$(curl -sS -f -H "X-Auth-Token: $TOKEN" "$F/v2/images/$1/file" | md5sum | cut -d ' ' -f 1) \
        || die "$3: GET /file of $1 failed"
    [[ "$got" == "${SRC_MD5_OF[$2]}" ]] || die "$3: WRONG DATA: Ferry serves bytes with md5 $got for image $1, source md5 ${SRC_MD5_OF[$2]}"
}

settle() { # before every measurement: write back what the previous one left dirty, let the machine calm down
    sync -f "$WORK" 2>/dev/null || sync
    [[ "$(stat -c %d "$WORK")" == "$(stat -c %d "$LAB_DIR")" ]] || sync -f "$LAB_DIR" 2>/dev/null || true
    sleep 1
}
timeout_for() { echo $((300 + $1 / 5000000)); }   # seconds: 300 s plus 5 MB/s

gd_body() { # BYTES
    printf '{"name": "glance-download", "glance_image_id": "%s", "glance_region": "RegionOne", "glance_service_interface": "public"}' \
        "${SRC_ID[$1]}"
}

new_token
mkdir -p "$WORK/src"

log "creating the source images in RegionOne ($G1): $(for b in "$SMALL_BYTES" "${SIZES[@]}"; do printf '%s, ' "$(size_label "$b")"; done | sed 's/, $//')"
for b in "$SMALL_BYTES" "${SIZES[@]}"; do
    file="$WORK/src/source-$b.bin"
    head -c "$b" /dev/urandom >"$file"
    # two readers at once: the file is in the page cache after the first
    md5sum "$file" >"$WORK/src.md5" &
    p=$!
    SRC_SHA_OF[$b]=$(sha512sum "$file" | cut -d ' ' -f 1)
    wait "$p"
    SRC_MD5_OF[$b]=$(cut -d ' ' -f 1 "$WORK/src.md5")
    SRC_FILE[$b]=$file
    id=$(create "$G1" "bench-source-$(size_label "$b" | tr -d ' ')") || die "creating a source image in RegionOne failed"
    CREATED["$G1 $id"]=1
    SRC_ID[$b]=$id
    code=$(curl -sS -T "$file" -X PUT -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/octet-stream' \
        -H 'Expect:' -o "$WORK/put.out" -w '%{http_code}' "$G1/v2/images/$id/file") || die "upload to RegionOne failed"
    [[ "$code" == 204 ]] || die "upload to RegionOne answered HTTP $code: $(head -c 300 "$WORK/put.out")"
    verify "$G1" "$id" "$b" "source image $(size_label "$b")"
done

# --- the http.server for web-download ------------------------------------------------------------------------------
if [[ -n "${FERRY_BENCH_HTTP_PORT:-}" ]]; then
    HTTP_PORT=$FERRY_BENCH_HTTP_PORT
    port_in_use "$HTTP_PORT" && die "FERRY_BENCH_HTTP_PORT $HTTP_PORT is in use"
else
    for _ in $(seq 1 50); do
        HTTP_PORT=$((20000 + RANDOM % 20000))
        port_in_use "$HTTP_PORT" || break
    done
fi
(cd "$WORK/src" && exec setsid "$PY" -m http.server "$HTTP_PORT" --bind 127.0.0.1) </dev/null >"$WORK/http.log" 2>&1 &
HTTP_PID=$!
for ((i = 0; ; i++)); do
    [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/" || true)" == 200 ]] && break
    kill -0 "$HTTP_PID" 2>/dev/null && ((i < 100)) || { cat "$WORK/http.log" >&2; die "http.server did not start"; }
    sleep 0.1
done
WEB="http://127.0.0.1:$HTTP_PORT"

# --- measurements ------------------------------------------------------------------------------------------------
# ferry-gd / glance-gd: BASE NAME PID; sets SECS and PEAK_KIB; leaves the image id in IMG
import_gd() {
    local base=$1 name=$2 pid=$3 bytes=$4
    IMG=$(create "$base" "$name") || die "creating an image at $base failed"
    CREATED["$base $IMG"]=1
    rss_start "$pid"
    SECS=$(api import-wait "$base" "$TOKEN" "$IMG" "$(gd_body "$bytes")" "$(timeout_for "$bytes")") \
        || { rss_stop; die "glance-download of $(size_label "$bytes") into $base failed (image $IMG)"; }
    rss_stop
}

# pipeline BYTES WHAT CMD...: CMD | tee >(md5sum) >(sha512sum) > WORK/limit.out, timed until both digests are
# written (FIFOs, so the shell waits for exactly these readers); sets SECS; the digests must be the source's
pipeline() {
    local b=$1 what=$2 t0 t1 rc=0 p1 p2
    shift 2
    rm -f "$WORK/limit.out" "$WORK/limit.md5" "$WORK/limit.sha" "$WORK/p.md5" "$WORK/p.sha"
    mkfifo "$WORK/p.md5" "$WORK/p.sha"
    t0=$EPOCHREALTIME
    md5sum <"$WORK/p.md5" >"$WORK/limit.md5" &
    p1=$!
    sha512sum <"$WORK/p.sha" >"$WORK/limit.sha" &
    p2=$!
    "$@" | tee "$WORK/p.md5" "$WORK/p.sha" >"$WORK/limit.out" || rc=$?
    wait "$p1" || rc=1
    wait "$p2" || rc=1
    t1=$EPOCHREALTIME
    rm -f "$WORK/p.md5" "$WORK/p.sha"
    ((rc == 0)) || die "$what: the pipeline failed"
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    [[ "$(cut -d ' ' -f 1 "$WORK/limit.md5")" == "${SRC_MD5_OF[$b]}" \
        && "$(cut -d ' ' -f 1 "$WORK/limit.sha")" == "${SRC_SHA_OF[$b]}" \
        && "$(stat -c %s "$WORK/limit.out")" == "$b" ]] || die "$what: WRONG DATA from the pipeline"
}

measure() { # METHOD ROUND BYTES
    local m=$1 round=$2 b=$3 label what t0 t1
    label=$(size_label "$b")
    what="$m $label round $round"
    fresh_token
    settle
    read -r STEAL_TICKS0 STEAL0 < <(cpu_ticks)
    case $m in
        ferry-gd)
            import_gd "$F" "bench-ferry-gd" "$FERRY_PID" "$b"
            verify "$F" "$IMG" "$b" "$what"
            ((round == 1)) && verify_bytes "$IMG" "$b" "$what"
            delete "$F" "$IMG"
            record gd "$round" "$b" ferry "$SECS" "$PEAK_KIB" "$(steal_since)"
            ;;
        glance-gd)
            import_gd "$G2" "bench-glance-gd" "$G2_PID" "$b"
            verify "$G2" "$IMG" "$b" "$what"
            delete "$G2" "$IMG"
            record gd "$round" "$b" glance "$SECS" "$PEAK_KIB" "$(steal_since)"
            ;;
        limit)
            pipeline "$b" "$what" curl -sS -f -H "X-Auth-Token: $TOKEN" "$G1/v2/images/${SRC_ID[$b]}/file"
            record gd "$round" "$b" limit "$SECS" "" "$(steal_since)"
            t0=$EPOCHREALTIME
            sync "$WORK/limit.out"
            t1=$EPOCHREALTIME
            record fsync "$round" "$b" limit "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" "" ""
            rm -f "$WORK/limit.out"
            ;;
        limit-web)
            pipeline "$b" "$what" curl -sS -f "$WEB/source-$b.bin"
            record web "$round" "$b" limit "$SECS" "" "$(steal_since)"
            rm -f "$WORK/limit.out"
            ;;
        limit-local)
            pipeline "$b" "$what" cat "${SRC_FILE[$b]}"
            record put "$round" "$b" limit "$SECS" "" "$(steal_since)"
            rm -f "$WORK/limit.out"
            ;;
        ferry-web)
            IMG=$(create "$F" "bench-ferry-web") || die "creating an image in Ferry failed"
            CREATED["$F $IMG"]=1
            rss_start "$FERRY_PID"
            SECS=$(api import-wait "$F" "$TOKEN" "$IMG" \
                "{\"name\": \"web-download\", \"uri\": \"$WEB/source-$b.bin\"}" "$(timeout_for "$b")") \
                || { rss_stop; die "$what: web-download failed (image $IMG)"; }
            rss_stop
            verify "$F" "$IMG" "$b" "$what"
            ((round == 1)) && verify_bytes "$IMG" "$b" "$what"
            delete "$F" "$IMG"
            record web "$round" "$b" ferry "$SECS" "$PEAK_KIB" "$(steal_since)"
            ;;
        ferry-put)
            IMG=$(create "$F" "bench-ferry-put") || die "creating an image in Ferry failed"
            CREATED["$F $IMG"]=1
            rss_start "$FERRY_PID"
            local out
            out=$(curl -sS -T "${SRC_FILE[$b]}" -X PUT -H "X-Auth-Token: $TOKEN" \
                -H 'Content-Type: application/octet-stream' -H 'Expect:' -o "$WORK/put.out" \
                -w '%{http_code} %{time_total}' "$F/v2/images/$IMG/file") || { rss_stop; die "$what: upload failed"; }
            rss_stop
            [[ "${out% *}" == 204 ]] || die "$what: upload answered HTTP ${out% *}: $(head -c 300 "$WORK/put.out")"
            SECS=$(awk -v s="${out#* }" 'BEGIN {printf "%.3f", s}')
            verify "$F" "$IMG" "$b" "$what"
            ((round == 1)) && verify_bytes "$IMG" "$b" "$what"
            delete "$F" "$IMG"
            record put "$round" "$b" ferry "$SECS" "$PEAK_KIB" "$(steal_since)"
            ;;
    esac
    case $m in
        limit*) log "$what: $SECS s ($(awk -v b="$b" -v s="$SECS" 'BEGIN {printf "%.0f", b / 1e6 / s}') MB/s), steal $(steal_since) %" ;;
        *) log "$what: $SECS s ($(awk -v b="$b" -v s="$SECS" 'BEGIN {printf "%.0f", b / 1e6 / s}') MB/s), peak RSS $((PEAK_KIB >> 10)) MiB, steal $(steal_since) %" ;;
    esac
}

wrk_run() { # SYSTEM URL ROUND
    local out rps p99 non2xx errors
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d3s -H "X-Auth-Token: $TOKEN" "$2" >/dev/null 2>&1 || true  # warm-up
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" --latency -H "X-Auth-Token: $TOKEN" "$2") \
        || die "wrk against $2 failed: $out"
    printf '%s\n--- %s round %s\n%s\n' "" "$1" "$3" "$out" >>"$WORK/wrk.log"
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' <<<"$out")
    [[ -z "$non2xx" ]] || die "wrk against $2: $non2xx answers were not 2xx/3xx (a benchmark of errors): $out"
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out")
    p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000} else if (v ~ /m$/) {sub(/m$/, "", v); v *= 60000}; printf "%.3f", v}' <<<"$out")
    errors=$(sed -n 's/^ *Socket errors: *\(.*\)/\1/p' <<<"$out")
    [[ -n "$rps" && -n "$p99" ]] || die "could not read wrk's output: $out"
    record wrk "$3" 0 "$1" "$rps" "" "$p99${errors:+; socket errors: $errors}"
    log "wrk $1 round $3: $rps requests/s, p99 $p99 ms${errors:+, socket errors: $errors}"
}

# warm-up (not recorded): one 10 MiB glance-download each way; Ferry's stays as the image wrk reads
log "warm-up: a 10 MiB glance-download into Ferry and into RegionTwo"
import_gd "$F" "bench-wrk-target" "$FERRY_PID" "$SMALL_BYTES"
verify "$F" "$IMG" "$SMALL_BYTES" "warm-up into Ferry"
WRK_FERRY_ID=$IMG
import_gd "$G2" "bench-warm-up" "$G2_PID" "$SMALL_BYTES"
verify "$G2" "$IMG" "$SMALL_BYTES" "warm-up into RegionTwo"
delete "$G2" "$IMG"
sleep 2
kib "$FERRY_PID" VmRSS
FERRY_IDLE_KIB=$KIB
kib "$G2_PID" VmRSS
meta ferry_idle_kib "$FERRY_IDLE_KIB"
meta glance_idle_kib "$KIB"
log "idle RSS: Ferry $((FERRY_IDLE_KIB >> 10)) MiB, Glance RegionTwo $((KIB >> 10)) MiB"

# the imports first, then the API load: the JVM's heap grows under wrk and would weigh on every later RSS figure
for ((round = 1; round <= REPEAT; round++)); do
    log "round $round of $REPEAT"
    order=()
    if ((round % 2)); then order=("${SIZES[@]}"); else for ((i = ${#SIZES[@]} - 1; i >= 0; i--)); do order+=("${SIZES[i]}"); done; fi
    for b in "${order[@]}"; do
        for ((k = 0; k < ${#METHODS[@]}; k++)); do
            measure "${METHODS[(k + round - 1) % ${#METHODS[@]}]}" "$round" "$b"
        done
    done
done

log "10 MiB glance-download, $SMALL_COUNT times into Ferry and into RegionTwo"
settle
for ((n = 1; n <= SMALL_COUNT; n++)); do
    fresh_token
    for sys in ferry glance; do
        if [[ $sys == ferry ]]; then base=$F; pid=$FERRY_PID; else base=$G2; pid=$G2_PID; fi
        import_gd "$base" "bench-small-$sys" "$pid" "$SMALL_BYTES"
        verify "$base" "$IMG" "$SMALL_BYTES" "10 MiB into $sys, run $n"
        delete "$base" "$IMG"
        record small "$n" "$SMALL_BYTES" "$sys" "$SECS" "$PEAK_KIB" ""
    done
done
log "10 MiB: done"

G1_PID=$(awk '{print $1; exit}' "$LAB_DIR/run/glance1.pid" 2>/dev/null || true)
for ((round = 1; round <= REPEAT; round++)); do
    fresh_token
    settle
    if ((round % 2)); then
        wrk_run ferry "$F/v2/images/$WRK_FERRY_ID" "$round"
        wrk_run glance "$G1/v2/images/${SRC_ID[$SMALL_BYTES]}" "$round"
    else
        wrk_run glance "$G1/v2/images/${SRC_ID[$SMALL_BYTES]}" "$round"
        wrk_run ferry "$F/v2/images/$WRK_FERRY_ID" "$round"
    fi
done
kib "$FERRY_PID" VmRSS
meta ferry_after_wrk_kib "$KIB"
KIB=""
[[ -n "$G1_PID" ]] && kib "$G1_PID" VmRSS
meta glance1_after_wrk_kib "$KIB"

delete "$F" "$WRK_FERRY_ID"
left=$(find "$WORK/ferry/images" "$WORK/ferry/staging" -type f 2>/dev/null | wc -l)
((left == 0)) || log "NOTE: $left file(s) left in Ferry's stores/staging after every image was deleted: $(find "$WORK/ferry/images" "$WORK/ferry/staging" -type f | head -n 5 | tr '\n' ' ')"
meta ferry_files_left "$left"

# --- machine and report ------------------------------------------------------------------------------------------
meta finished "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
meta load_end "$(cut -d ' ' -f 1-3 /proc/loadavg)"
meta steal "$(steal_since "$TICKS_START" "$STEAL_START") %"
meta cpu_model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
meta cpus "$(nproc) online ($(grep -c '^processor' /proc/cpuinfo) in /proc/cpuinfo)"
meta ram "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
disk_of() { # DIR: device, filesystem, size, rotational
    local src fs size dev rota
    read -r src fs size < <(df --output=source,fstype,size -h "$1" | tail -n 1)
    dev=$(basename "$src")
    rota=$(cat "/sys/class/block/$dev/queue/rotational" 2>/dev/null || echo '?')
    rota="kernel's rotational flag $rota"
    echo "$src ($fs, $size, $rota)"
}
meta disk "$(disk_of "$WORK")"
meta disk_lab "$(disk_of "$LAB_DIR")"
meta same_fs "$([[ "$(stat -c %d "$WORK")" == "$(stat -c %d "$LAB_DIR")" ]] && echo yes || echo no)"
meta kernel "$(uname -srm)"
meta java "$(java -version 2>&1 | head -n 2 | tr '\n' ' ' | sed 's/ *$//')"
meta java_opts "$(grep -v '^[[:space:]]*#' "$ROOT/conf/jvm.options" | sed '/^[[:space:]]*$/d' | tr '\n' ' ')${JAVA_OPTS:+ + JAVA_OPTS: $JAVA_OPTS}; MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}"
meta glance "$(dpkg-query -W -f='${Version}' glance-api 2>/dev/null || echo unknown)"
meta keystone "$(dpkg-query -W -f='${Version}' keystone 2>/dev/null || echo unknown)"
meta tools "$(curl --version | head -n 1 | cut -d ' ' -f 1-2), $(wrk -v 2>&1 | head -n 1 | cut -d ' ' -f 1-2), $($PY --version 2>&1)"
meta ferry_jar "$(sha256sum "$WORK/ferry.jar" | cut -c 1-12) ($(date -u -r "$ROOT/target/ferry.jar" '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
meta sizes "$(printf '%s\n' "${SIZES[@]}" | paste -sd ' ')"
meta repeat "$REPEAT"
meta small_count "$SMALL_COUNT"
meta wrk "-t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_SECONDS}s --latency"
meta lab "$LAB_DIR ($([[ $REUSE == 1 ]] && echo reused || echo started by this run)); Keystone $KS, RegionOne $G1, RegionTwo $G2, Ferry $F"
meta command "scripts/bench/glance-download.sh --sizes $SIZES_ARG --repeat $REPEAT --small-count $SMALL_COUNT --wrk-seconds $WRK_SECONDS --wrk-threads $WRK_THREADS --wrk-connections $WRK_CONNECTIONS$([[ $REUSE == 1 ]] && echo ' --reuse')"

"$PY" "$REPORT" "$RESULTS" "$META" "$WORK/report.md" || die "the report could not be made (raw results: $RESULTS)"
if [[ -n "$OUTPUT" ]]; then
    mkdir -p "$(dirname "$OUTPUT")"
    cp "$WORK/report.md" "$OUTPUT.tmp.$$" && mv "$OUTPUT.tmp.$$" "$OUTPUT"
    log "report written to $OUTPUT"
fi

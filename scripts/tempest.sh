#!/usr/bin/env bash
# tempest's image suite (tempest 33, Debian python3-tempest, offline) against Ferry and, for comparison, against the
# real Glance of the OpenStack lab, in one run.
#
#   bash scripts/tempest.sh [--dir LABDIR] [--jar JAR] [--only ferry|glance] [--regex REGEX] [--out DIR]
#                           [--use-running-ferry]
#
# Needs the lab up (scripts/openstack-lab.sh up --dir LABDIR; LABDIR defaults to ${FERRY_LAB_DIR:-/tmp/ferry-lab}).
# What it does:
#   - serves a 1 MiB file with `/usr/bin/python3 -m http.server` on 127.0.0.1 (tempest's [image] http_image, used by
#     web-download and the locations tests), stopped on exit;
#   - starts Ferry as the lab's RegionThree (java -jar JAR, default target/ferry.jar; build it first with
#     `mvn -q package -DskipTests`) from `openstack-lab.sh ferry-conf`, with a fresh data directory under OUT, plus
#     what the tempest run needs: a read-only http store `web` (like the lab's Glances), show_multiple_locations and
#     a policy file that lets an image's owner delete one of its locations (Glance Zed's deprecated default, on by
#     default there; tempest's test_delete_locations runs as a member). It stops that Ferry on exit. With
#     --use-running-ferry it uses whatever answers on the lab's Ferry port instead (configured like that yourself);
#   - writes one tempest workspace per target under OUT (default LABDIR/tempest, wiped first): .stestr.conf and
#     etc/tempest.conf rendered from scripts/lab/tempest.conf.in, with dynamic credentials (lab admin), multistore
#     (the stores come from /v2/info/stores), import_image, os_glance_reserved and manage_locations;
#   - runs `stestr run --serial REGEX` (default tempest.api.image) in each workspace, Ferry (RegionThree) first,
#     then the real Glance (RegionOne);
#   - prints passed/skipped/failed per target, Ferry's failed tests and every skip with its reason.
# Ferry runs without the metadef tests (Ferry has no metadefs API: they are out of scope and reported as excluded).
# The lab's Glance runs with manage_locations = false (its show_multiple_locations is on only with the Ceph lab); set
# TEMPEST_GLANCE_MANAGE_LOCATIONS=true to run the locations tests against it anyway.
#
# Exit status: 0 when Ferry has no failure and skips only what may be skipped (metadef, image cache, v1, tests
# needing a second API worker); 1 otherwise (also when Ferry's run did not complete); 2 for usage or set-up errors.
# Real Glance's result is reported but never changes the exit status.
# Logs: OUT/ferry.log (Ferry), OUT/<target>/run.log (tempest output), OUT/<target>/logs/tempest.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
LAB=${FERRY_LAB_DIR:-/tmp/ferry-lab}
JAR=$ROOT/target/ferry.jar
ONLY=""
REGEX=tempest.api.image
OUT=""
USE_RUNNING=""
# Ferry's allowed skips: out of scope (metadef, image cache, v1) or needing a second API worker
ALLOWED_SKIP='([Mm]etadef|MetadataSchema|MetadataNamespace|MetadataResourceType|ImageCaching|api\.image\.v1|test_remote_import|test_remote_delete)'
FERRY_EXCLUDE='tempest\.api\.image\.v2\.(admin\.)?test_images_metadefs'

log() { printf 'tempest.sh: %s\n' "$*" >&2; }
die() { printf 'tempest.sh: ERROR: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while (($#)); do
    case $1 in
        --dir) LAB=${2:?--dir needs a directory}; shift 2 ;;
        --jar) JAR=${2:?--jar needs a file}; shift 2 ;;
        --only) ONLY=${2:?--only needs ferry or glance}; shift 2 ;;
        --regex) REGEX=${2:?--regex needs a regular expression}; shift 2 ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        --use-running-ferry) USE_RUNNING=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
case $ONLY in ""|ferry|glance) ;; *) die "--only takes ferry or glance" ;; esac
[[ "$LAB" == /* ]] || LAB="$PWD/$LAB"
OUT=${OUT:-$LAB/tempest}
[[ "$OUT" == /* ]] || OUT="$PWD/$OUT"
[[ "$JAR" == /* ]] || JAR="$PWD/$JAR"

[[ -x $PY ]] || die "$PY missing"
$PY -c 'import tempest, stestr' 2>/dev/null || die "tempest or stestr missing for $PY (Debian python3-tempest; openstack-lab.sh up installs it)"
bash "$ROOT/scripts/openstack-lab.sh" status --dir "$LAB" >/dev/null \
    || die "the lab in $LAB is not (fully) up: bash scripts/openstack-lab.sh up --dir $LAB"
eval "$(bash "$ROOT/scripts/openstack-lab.sh" env --dir "$LAB")"
FERRY_URL=$FERRY_LAB_FERRY_URL

# --- clean-up: only what this script started, by PID --------------------------------------------------------------
HTTP_PID=""
FERRY_PID=""
stop_pid() {   # stop_pid PID NAME: TERM, then KILL after 20 s
    local pid=$1 name=$2 i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name (pid $pid) did not stop within 20 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    trap - EXIT
    stop_pid "$FERRY_PID" Ferry
    stop_pid "$HTTP_PID" "http.server"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

http_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true; }

# --- workspace and http_image --------------------------------------------------------------------------------------
if [[ -e "$OUT" && ! -f "$OUT/.ferry-tempest" && -n "$(ls -A "$OUT" 2>/dev/null)" ]]; then
    die "$OUT exists, is not empty and was not made by this script: not wiping it"
fi
[[ "$OUT" != / ]] || die "refusing to use / as the output directory"
rm -rf -- "$OUT"
mkdir -p "$OUT/http"
touch "$OUT/.ferry-tempest"
head -c $((1024 * 1024)) /dev/urandom >"$OUT/http/image.raw"
HTTP_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid $PY -m http.server --bind 127.0.0.1 --directory "$OUT/http" "$HTTP_PORT" >"$OUT/http.log" 2>&1 </dev/null &
HTTP_PID=$!
HTTP_IMAGE="http://127.0.0.1:$HTTP_PORT/image.raw"
for ((i = 0; i < 100; i++)); do
    [[ "$(http_code "$HTTP_IMAGE")" == 200 ]] && break
    kill -0 "$HTTP_PID" 2>/dev/null || die "http.server died: $(cat "$OUT/http.log")"
    sleep 0.1
done
[[ "$(http_code "$HTTP_IMAGE")" == 200 ]] || die "http.server does not serve $HTTP_IMAGE"
log "http_image $HTTP_IMAGE (pid $HTTP_PID)"

# --- Ferry ---------------------------------------------------------------------------------------------------------
start_ferry() {
    [[ -f "$JAR" ]] || die "$JAR missing: build it with 'mvn -q package -DskipTests'"
    local code conf="$OUT/ferry/ferry.conf" data="$OUT/ferry/data"
    code=$(http_code "$FERRY_URL/versions")
    [[ "$code" == 000 ]] || die "something already answers on $FERRY_URL (HTTP $code): stop it or pass --use-running-ferry"
    mkdir -p "$data/images/fast" "$data/images/cheap" "$data/staging" "$data/tasks"
    bash "$ROOT/scripts/openstack-lab.sh" ferry-conf --dir "$LAB" "$conf" >/dev/null
    cat >"$OUT/ferry/policy.yaml" <<'EOF'
# tempest's ImageLocationsTest.test_delete_locations removes a location as the image's owner (a member): Glance
# Zed's deprecated default for this rule ("rule:default") still applies there unless enforce_new_defaults is set.
delete_image_location: "role:admin or (role:member and project_id:%(project_id)s)"
EOF
    # the lab's config, with its data moved under OUT and what tempest needs added
    $PY - "$conf" "$LAB/ferry" "$data" "$OUT/ferry/policy.yaml" <<'EOF'
import configparser, sys
conf, old, new, policy = sys.argv[1:]
c = configparser.ConfigParser(interpolation=None, default_section="__none__")
c.optionxform = str
c.read(conf)
for s in c.sections():
    for k, v in c.items(s):
        c.set(s, k, v.replace(old + "/", new + "/"))
d = c["DEFAULT"]
stores = [x.strip() for x in d.get("enabled_backends", "").split(",") if x.strip()]
if not any(x.endswith(":http") for x in stores):
    stores.append("web:http")
d["enabled_backends"] = ", ".join(sorted(stores))
d["show_multiple_locations"] = "true"
# a devstack Glance filters no hosts; tempest's web-download bad-url test relies on that (202, then a failed task)
if c.has_section("import_filtering_opts"):
    c.remove_option("import_filtering_opts", "allowed_hosts")
if not c.has_section("oslo_policy"):
    c.add_section("oslo_policy")
c["oslo_policy"]["policy_file"] = policy
with open(conf, "w") as f:
    f.write("# scripts/tempest.sh: the lab's ferry-conf plus an http store, locations and a policy file\n")
    c.write(f)
EOF
    (cd "$OUT/ferry" && exec setsid java -Xmx1g -jar "$JAR" --config-file "$conf" >"$OUT/ferry.log" 2>&1 </dev/null) &
    FERRY_PID=$!
    local deadline=$((SECONDS + 120))
    while ((SECONDS < deadline)); do
        code=$(http_code "$FERRY_URL/versions")
        [[ "$code" == 200 || "$code" == 300 ]] && { log "Ferry (pid $FERRY_PID) answers at $FERRY_URL"; return 0; }
        kill -0 "$FERRY_PID" 2>/dev/null || { tail -n 30 "$OUT/ferry.log" >&2; die "Ferry exited (log $OUT/ferry.log)"; }
        sleep 0.5
    done
    tail -n 30 "$OUT/ferry.log" >&2
    die "Ferry does not answer at $FERRY_URL after 120 s (log $OUT/ferry.log)"
}

# --- one tempest run -----------------------------------------------------------------------------------------------
# run_target NAME REGION MANAGE_LOCATIONS [EXCLUDE_REGEX]; result in OUT/NAME/summary (key=value lines)
run_target() {
    local name=$1 region=$2 locations=$3 exclude=${4:-} ws="$OUT/$1" t0=$SECONDS rc
    mkdir -p "$ws/etc" "$ws/logs" "$ws/locks"
    local content
    content=$(<"$ROOT/scripts/lab/tempest.conf.in")
    local kv
    for kv in "WORKSPACE=$ws" "PASSWORD=$FERRY_LAB_PASSWORD" "KEYSTONE_URL=$FERRY_LAB_KEYSTONE_URL" "REGION=$region" \
        "HTTP_IMAGE=$HTTP_IMAGE" "MANAGE_LOCATIONS=$locations" "BUILD_TIMEOUT=${TEMPEST_BUILD_TIMEOUT:-300}"; do
        content=${content//"@${kv%%=*}@"/"${kv#*=}"}
    done
    [[ "$content" != *@[A-Z_]*@* ]] || die "unrendered placeholder in tempest.conf.in"
    printf '%s\n' "$content" >"$ws/etc/tempest.conf"
    chmod 600 "$ws/etc/tempest.conf"
    local top
    top=$($PY -c 'import os, tempest; print(os.path.dirname(os.path.dirname(tempest.__file__)))')
    printf '[DEFAULT]\ntest_path=%s/tempest/test_discover\ntop_dir=%s\ngroup_regex=([^\\.]*\\.)*\n' "$top" "$top" \
        >"$ws/.stestr.conf"
    local args=(run --serial)
    [[ -z "$exclude" ]] || args+=(--exclude-regex "$exclude")
    args+=("$REGEX")
    log "tempest $REGEX against $name ($region, manage_locations=$locations${exclude:+, excluding $exclude}) ..."
    set +e
    (cd "$ws" && TEMPEST_CONFIG_DIR="$ws/etc" TEMPEST_CONFIG=tempest.conf PYTHON=$PY \
        $PY -m stestr "${args[@]}") >"$ws/run.log" 2>&1
    rc=$?
    set -e
    # counts from the subunit stream of that run, plus the list of excluded tests
    local excluded=0
    if [[ -n "$exclude" ]]; then
        excluded=$(cd "$ws" && TEMPEST_CONFIG_DIR="$ws/etc" $PY -m stestr list "$REGEX" 2>/dev/null \
            | grep -E "$exclude" | grep -c . || true)
    fi
    (cd "$ws" && $PY -m stestr last --subunit) 2>/dev/null | $PY -c '
import sys, subunit, testtools
name, rc, secs, excluded, ws = sys.argv[1:]
results = {}
class R(testtools.StreamResult):
    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **kw):
        if test_id is None:
            return
        r = results.setdefault(test_id, {"status": None, "reason": b"", "traceback": b""})
        if test_status:
            r["status"] = test_status
        if file_name == "reason" and file_bytes:
            r["reason"] += file_bytes
        if file_name == "traceback" and file_bytes:
            r["traceback"] += file_bytes
case = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
res = R()
res.startTestRun(); case.run(res); res.stopTestRun()
count = lambda s: sum(1 for r in results.values() if r["status"] == s)
with open(ws + "/summary", "w") as f:
    f.write("passed=%d\nskipped=%d\nfailed=%d\nexcluded=%s\nrc=%s\nseconds=%s\n"
            % (count("success"), count("skip"), count("fail"), excluded, rc, secs))
with open(ws + "/skipped", "w") as f:
    for t, r in sorted(results.items()):
        if r["status"] == "skip":
            f.write("%s: %s\n" % (t.split("[")[0], r["reason"].decode("utf-8", "replace").strip()))
with open(ws + "/failed", "w") as f, open(ws + "/tracebacks", "w") as tb:
    for t, r in sorted(results.items()):
        if r["status"] == "fail":
            f.write(t.split("[")[0] + "\n")
            lines = r["traceback"].decode("utf-8", "replace").strip().splitlines()
            tb.write("---- %s\n%s\n" % (t.split("[")[0], "\n".join(lines[-25:])))
' "$name" "$rc" "$((SECONDS - t0))" "$excluded" "$ws" || {
        printf 'passed=0\nskipped=0\nfailed=0\nexcluded=%s\nrc=%s\nseconds=%s\n' "$excluded" "$rc" "$((SECONDS - t0))" >"$ws/summary"
        : >"$ws/skipped"; : >"$ws/failed"; : >"$ws/tracebacks"; }
    # shellcheck disable=SC1090
    (source "$ws/summary"; log "$name: $passed passed, $skipped skipped, $failed failed, $excluded excluded (stestr rc $rc, $seconds s)")
}

overall=0
if [[ "$ONLY" != glance ]]; then
    [[ -n "$USE_RUNNING" ]] || start_ferry
    code=$(http_code "$FERRY_URL/versions")
    [[ "$code" == 200 || "$code" == 300 ]] || die "Ferry does not answer at $FERRY_URL (HTTP $code)"
    run_target ferry RegionThree true "$FERRY_EXCLUDE"
    if [[ -z "$USE_RUNNING" ]]; then stop_pid "$FERRY_PID" Ferry; FERRY_PID=""; fi
fi
if [[ "$ONLY" != ferry ]]; then
    run_target glance RegionOne "${TEMPEST_GLANCE_MANAGE_LOCATIONS:-false}"
fi

# --- report --------------------------------------------------------------------------------------------------------
printf '\n==== tempest %s (tempest %s)\n' "$REGEX" "$($PY -c 'import tempest.version as v; print(v.version_info.version_string())' 2>/dev/null || echo '?')"
printf '%-28s %7s %8s %7s %9s %7s\n' TARGET PASSED SKIPPED FAILED EXCLUDED SECONDS
for name in ferry glance; do
    [[ -f "$OUT/$name/summary" ]] || continue
    (source "$OUT/$name/summary"
     label=$([[ $name == ferry ]] && echo "Ferry (RegionThree)" || echo "real Glance (RegionOne)")
     printf '%-28s %7s %8s %7s %9s %7s\n' "$label" "$passed" "$skipped" "$failed" "$excluded" "$seconds")
done
for name in ferry glance; do
    [[ -f "$OUT/$name/summary" ]] || continue
    if [[ -s "$OUT/$name/failed" ]]; then
        printf '\n%s failed:\n' "$name"; sed 's/^/  /' "$OUT/$name/failed"
    fi
    if [[ -s "$OUT/$name/skipped" ]]; then
        printf '\n%s skipped:\n' "$name"; sed 's/^/  /' "$OUT/$name/skipped"
    fi
done
printf '\n(logs: %s/<target>/run.log, tempest.log under <target>/logs; Ferry: %s/ferry.log)\n' "$OUT" "$OUT"

if [[ "$ONLY" != glance ]]; then
    # shellcheck disable=SC1091
    source "$OUT/ferry/summary"
    if ((failed > 0)); then
        printf '\nFerry failures (last lines of each traceback; all of it in %s/ferry/run.log):\n' "$OUT"
        cat "$OUT/ferry/tracebacks"
        log "FAIL: Ferry has $failed failing tempest test(s)"; overall=1
    fi
    if [[ "$rc" != 0 ]] && ((failed == 0)); then
        log "FAIL: stestr exited $rc for Ferry without a failed test (see $OUT/ferry/run.log)"; overall=1
    fi
    if ((passed == 0)); then
        log "FAIL: no tempest test passed against Ferry (see $OUT/ferry/run.log)"; overall=1
    fi
    bad_skips=$(grep -Ev "^[^:]*$ALLOWED_SKIP" "$OUT/ferry/skipped" || true)
    if [[ -n "$bad_skips" ]]; then
        log "FAIL: Ferry skipped tests that must run:"; printf '  %s\n' "$bad_skips" >&2; overall=1
    fi
fi
exit "$overall"

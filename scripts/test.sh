#!/usr/bin/env bash
# Runs all of Ferry's tests: `bash scripts/test.sh [extra mvn args]`, e.g. `bash scripts/test.sh -Dtest=GlanceclientCliTest`.
#
# On a fresh Debian machine (as root, or as a user with sudo) it first installs what the tests need beyond Java and
# Maven: PostgreSQL (PostgresCatalogTest) and python3-glanceclient (GlanceclientCliTest, which runs /usr/bin/glance).
# It then starts a private, throw-away PostgreSQL on 127.0.0.1 (scripts/postgres-test-db.sh), exports
# FERRY_TEST_PG_URL for the tests and runs `mvn -B test`. The cluster and its directory are removed on exit.
# The rbd store's tests need a real Ceph: the script starts the Ceph lab (scripts/ceph-lab.sh, installing its
# packages when missing; as root) in its own directory, exports its FERRY_CEPH_* settings and stops it on exit.
# A Ceph lab already described by FERRY_CEPH_CONF in the environment, or already running in
# ${FERRY_CEPH_DIR:-/tmp/ferry-ceph}, is used as is and left running. The swift store's tests need a real Swift: the
# Swift lab (scripts/swift-lab.sh, tempauth) is started the same way (FERRY_SWIFT_*, ${FERRY_SWIFT_DIR:-/tmp/ferry-swift}).
#
# Without PostgreSQL or Ceph (no root, no sudo) it warns and runs the tests anyway: those variants skip themselves.
# With CI set, anything missing is an error instead. A FERRY_TEST_PG_URL already in the environment is used as is.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf 'test.sh: %s\n' "$*" >&2; }
warn() { printf '\ntest.sh: WARNING: %s\n\n' "$*" >&2; }
die() { printf 'test.sh: ERROR: %s\n' "$*" >&2; exit 1; }
# Something the tests need is unavailable: fatal in CI, a warning elsewhere.
missing() { if [[ -n "${CI:-}" ]]; then die "$* (CI is set, so this is fatal)"; else warn "$*"; fi; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test.XXXXXX")
CREATED_POLICY_RC=""
PG_HELPER=""
CEPH_LAB_DIR=""
SWIFT_LAB_DIR=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$SWIFT_LAB_DIR" ]]; then
        bash "$ROOT/scripts/swift-lab.sh" down --dir "$SWIFT_LAB_DIR" >"$WORK/swift-down.log" 2>&1 \
            || { cat "$WORK/swift-down.log" >&2; log "could not stop the Swift lab in $SWIFT_LAB_DIR"; }
    fi
    if [[ -n "$CEPH_LAB_DIR" ]]; then
        bash "$ROOT/scripts/ceph-lab.sh" down --dir "$CEPH_LAB_DIR" >"$WORK/ceph-down.log" 2>&1 \
            || { cat "$WORK/ceph-down.log" >&2; log "could not stop the Ceph lab in $CEPH_LAB_DIR"; }
    fi
    if [[ -n "$PG_HELPER" ]]; then
        bash "$ROOT/scripts/postgres-test-db.sh" stop "$PG_HELPER" || log "could not stop the test PostgreSQL in $PG_HELPER"
    fi
    remove_policy_rc
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- privileges: root, or sudo (non-interactive, or prompting once on a terminal) -------------------------------
SUDO=()
CAN_ADMIN=""
if [[ $EUID -eq 0 ]]; then
    CAN_ADMIN=1
elif command -v sudo >/dev/null 2>&1; then
    if sudo -n true 2>/dev/null || { [[ -t 0 && -z "${CI:-}" ]] && sudo -v; }; then
        SUDO=(sudo)
        CAN_ADMIN=1
    fi
fi

remove_policy_rc() {
    if [[ -n "$CREATED_POLICY_RC" ]]; then
        "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d || true
        CREATED_POLICY_RC=""
    fi
}

# --- Debian packages ---------------------------------------------------------------------------------------------
pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]] && { echo "$d"; return 0; }
    done
    return 1
}

packages=()
pg_bin_dir >/dev/null || packages+=(postgresql)
[[ -x /usr/bin/glance ]] || packages+=(python3-glanceclient)

if ((${#packages[@]})); then
    if [[ -z "$CAN_ADMIN" ]]; then
        missing "not root and no sudo: cannot install ${packages[*]}; the tests that need them will be skipped"
    elif ! command -v apt-get >/dev/null 2>&1; then
        missing "no apt-get: cannot install ${packages[*]}; the tests that need them will be skipped"
    else
        log "installing ${packages[*]} (log: $WORK/apt.log)"
        if [[ ! -e /usr/sbin/policy-rc.d ]]; then
            # keeps the packages' postinst from starting services (there is no init system to start them anyway)
            printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
            "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
            CREATED_POLICY_RC=1
        fi
        # the lock timeout: another apt-get (e.g. a lab script) may be running
        apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
        if "${apt[@]}" update >"$WORK/apt.log" 2>&1 \
            && "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >>"$WORK/apt.log" 2>&1; then
            log "installed ${packages[*]}"
        else
            tail -n 30 "$WORK/apt.log" >&2 || true
            missing "apt-get install ${packages[*]} failed (see above)"
        fi
        remove_policy_rc
    fi
fi

# --- a private PostgreSQL for the tests --------------------------------------------------------------------------
if [[ -n "${FERRY_TEST_PG_URL:-}" ]]; then
    log "using FERRY_TEST_PG_URL from the environment"
elif ! pg_bin_dir >/dev/null; then
    missing "PostgreSQL is not installed: the PostgreSQL tests will be skipped (FERRY_TEST_PG_URL unset)"
else
    # the helper prints its state directory first, then the JDBC URL
    if out=$(bash "$ROOT/scripts/postgres-test-db.sh" start 2>"$WORK/pg.err"); then
        PG_HELPER=$(sed -n 1p <<<"$out")
        FERRY_TEST_PG_URL=$(sed -n 2p <<<"$out")
        export FERRY_TEST_PG_URL
        log "test PostgreSQL on ${FERRY_TEST_PG_URL%%\?*}"
    else
        cat "$WORK/pg.err" >&2
        missing "could not start a PostgreSQL for the tests: the PostgreSQL tests will be skipped"
    fi
fi

# --- the labs of the store drivers' tests: a real Ceph (rbd, radosgw's S3) and a real Swift ------------------------
# use_or_start_lab LABEL SCRIPT SET_VAR DIR_VAR DEFAULT_DIR TESTS: a lab the environment describes ($SET_VAR set) or
# that runs in ${DIR_VAR:-DEFAULT_DIR} is used as is and left running; else scripts/SCRIPT starts one in WORK, whose
# directory is then in STARTED (cleanup stops it). Its `env` is exported either way.
use_or_start_lab() {
    local label=$1 script="$ROOT/scripts/$2" set_var=$3 dir_var=$4 default_dir=$5 tests=$6 dir t0
    STARTED=""
    if [[ -n "${!set_var:-}" ]]; then
        log "using the $label lab of $set_var from the environment (${!set_var})"
        return
    fi
    dir=${!dir_var:-$default_dir}
    if bash "$script" status --dir "$dir" >/dev/null 2>&1; then
        eval "$(bash "$script" env --dir "$dir")"
        log "using the running $label lab in $dir"
        return
    fi
    if [[ -z "$CAN_ADMIN" || $EUID -ne 0 ]]; then
        # the labs' daemons and package installation run as root
        missing "not root: cannot start the $label lab; $tests will be skipped"
        return
    fi
    dir="$WORK/${2%-lab.sh}"
    log "starting the $label lab in $dir (log: $dir-up.log)"
    t0=$SECONDS
    if bash "$script" up --dir "$dir" >"$dir-up.log" 2>&1; then
        eval "$(bash "$script" env --dir "$dir")"
        log "$label lab up in $((SECONDS - t0)) s"
        STARTED=$dir
    else
        tail -n 40 "$dir-up.log" >&2 || true
        bash "$script" down --dir "$dir" >/dev/null 2>&1 || true
        missing "could not start the $label lab (see above): $tests will be skipped"
    fi
}
use_or_start_lab Ceph ceph-lab.sh FERRY_CEPH_CONF FERRY_CEPH_DIR /tmp/ferry-ceph "the rbd and s3 store's tests"
CEPH_LAB_DIR=$STARTED
use_or_start_lab Swift swift-lab.sh FERRY_SWIFT_AUTH_URL FERRY_SWIFT_DIR /tmp/ferry-swift "the swift store's tests"
SWIFT_LAB_DIR=$STARTED

# --- the tests ---------------------------------------------------------------------------------------------------
command -v mvn >/dev/null 2>&1 || die "mvn not found: install JDK 17 and Maven (apt-get install openjdk-17-jdk-headless maven)"
set +e
mvn -B -ntp test "$@"
rc=$?
set -e
exit "$rc"

#!/usr/bin/env bash
# Starts Ferry the way an operator should run it: the JVM flags of conf/jvm.options, glibc limited to two malloc
# arenas, and an application class-data archive (CDS) beside the jar.
#
#   scripts/run-ferry.sh [FERRY ARGUMENTS...]        e.g. scripts/run-ferry.sh --config-file /etc/ferry/ferry.conf
#
# - JVM flags: one per line in the options file, '#' starts a comment line, ${FERRY_CONF} stands for the options
#   file's directory (no other expansion). Extra flags in JAVA_OPTS come after the file's (a later -XX wins).
# - MALLOC_ARENA_MAX=2 unless already set: the JVM's threads otherwise each get a glibc arena that keeps freed
#   memory resident.
# - Class data sharing: the classes Ferry loads are parsed once and kept in an archive (default: the jar's path with
#   .jsa instead of .jar). When the archive is missing or older than the jar, this run writes it when Ferry stops
#   (a clean stop: SIGTERM or SIGINT; it takes a few seconds; only a run of the service writes it, not --help or a
#   subcommand such as replicate), so every later start maps the classes instead of
#   loading them: a smaller resident set (measured in docs/memory.md) and a faster start. A stale or
#   unusable archive is only ever skipped by the JVM, never trusted.
#
# Environment: FERRY_JAR (default target/ferry.jar of this checkout), FERRY_JVM_OPTIONS (default conf/jvm.options),
# FERRY_CDS (1, the default: use or write the archive; 0: neither), FERRY_CDS_ARCHIVE (the archive's path),
# JAVA (default: java on the PATH), JAVA_OPTS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${FERRY_JAR:-$ROOT/target/ferry.jar}
OPTIONS_FILE=${FERRY_JVM_OPTIONS:-$ROOT/conf/jvm.options}
JAVA=${JAVA:-java}

die() { printf 'run-ferry.sh: %s\n' "$*" >&2; exit 2; }
[[ -f "$JAR" ]] || die "no jar at $JAR (build it: mvn -q package -DskipTests)"
[[ -f "$OPTIONS_FILE" ]] || die "no JVM options file at $OPTIONS_FILE"
command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA is not installed (Java 17 is needed)"

CONF_DIR=$(cd "$(dirname "$OPTIONS_FILE")" && pwd)
OPTS=()
while IFS= read -r line || [[ -n "$line" ]]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -z "$line" || "$line" == \#* ]] && continue
    OPTS+=("${line//'${FERRY_CONF}'/$CONF_DIR}")
done <"$OPTIONS_FILE"
if [[ -n "${JAVA_OPTS:-}" ]]; then
    read -r -a extra <<<"$JAVA_OPTS"
    OPTS+=("${extra[@]}")
fi
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

if [[ "${FERRY_CDS:-1}" == 0 ]]; then
    exec "$JAVA" "${OPTS[@]}" -jar "$JAR" "$@"
fi
ARCHIVE=${FERRY_CDS_ARCHIVE:-${JAR%.jar}.jsa}
if [[ -s "$ARCHIVE" && "$ARCHIVE" -nt "$JAR" ]]; then
    exec "$JAVA" "${OPTS[@]}" -XX:SharedArchiveFile="$ARCHIVE" -jar "$JAR" "$@"
fi
# only the service's own classes make a good archive: a run with other arguments writes none
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --config-file) ((i += 1)) ;;
        --config-file=*) ;;
        *) exec "$JAVA" "${OPTS[@]}" -jar "$JAR" "$@" ;;
    esac
done

# No usable archive: run Ferry and have the JVM write one when it exits, under a private name first so that two
# Ferry processes stopping together cannot leave a torn archive, then put it in place.
TMP_ARCHIVE="$ARCHIVE.$$.tmp"
rm -f "$ARCHIVE"
"$JAVA" "${OPTS[@]}" -XX:ArchiveClassesAtExit="$TMP_ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$JAR" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM
trap 'kill -INT "$pid" 2>/dev/null || true' INT
trap 'kill -HUP "$pid" 2>/dev/null || true' HUP
rc=0
while true; do
    wait "$pid" && rc=0 || rc=$?
    kill -0 "$pid" 2>/dev/null || break   # a trapped signal interrupts wait; go on waiting for the JVM
done
if [[ -s "$TMP_ARCHIVE" && "$JAR" -ot "$TMP_ARCHIVE" ]]; then
    mv -f "$TMP_ARCHIVE" "$ARCHIVE"
else
    rm -f "$TMP_ARCHIVE"
fi
exit "$rc"

# Shell pieces both lab scripts (openstack-lab.sh, ceph-lab.sh) use; sourced, not run. The caller defines log and
# die, DIR (the lab directory, with run/ and log/), HOST (the loopback address) and PACKAGES (Debian packages the
# lab needs), and removes /usr/sbin/policy-rc.d on exit when CREATED_POLICY_RC is set.

CREATED_POLICY_RC=""

# Quotes a value for a shell file the env command prints.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# --- processes ---------------------------------------------------------------------------------------------------
# A pid file holds "PID STARTTIME" (field 22 of /proc/PID/stat) so that a reused PID is never taken for ours.
proc_starttime() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }            # the command name may contain spaces and parentheses
    # after "comm)": field 3 is state, so starttime (field 22) is word 20
    set -- $stat
    echo "${20}"
}

recorded_pid() {
    local file="$DIR/run/$1.pid" pid start now
    [[ -f "$file" ]] || return 1
    read -r pid start <"$file" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    now=$(proc_starttime "$pid") || return 1
    [[ "$now" == "$start" ]] || return 1
    echo "$pid"
}

port_in_use() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# --- packages ----------------------------------------------------------------------------------------------------
missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] || echo "$p"
    done
}

# Installs the missing PACKAGES (root only), with a policy-rc.d so that their postinst starts no system service.
install_packages() {
    local missing aptlog="$DIR/log/apt.log"
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]})) || return 0
    [[ $EUID -eq 0 ]] || die "packages missing (${missing[*]}) and not root: install them with apt-get as root"
    command -v apt-get >/dev/null 2>&1 || die "packages missing (${missing[*]}) and no apt-get"
    mkdir -p "$DIR/log"
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        CREATED_POLICY_RC=1
    fi
    log "installing ${missing[*]} (log: $aptlog)"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
    : >"$aptlog"
    if ! timeout 1200 "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
        log "apt-get install failed; refreshing the package lists and retrying"
        timeout 600 "${apt[@]}" update >>"$aptlog" 2>&1 || true
        if ! timeout 1200 "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
            tail -n 30 "$aptlog" >&2
            die "apt-get install ${missing[*]} failed (log: $aptlog)"
        fi
    fi
    if [[ -n "$CREATED_POLICY_RC" ]]; then
        rm -f /usr/sbin/policy-rc.d
        CREATED_POLICY_RC=""
    fi
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) || die "still not installed after apt-get: ${missing[*]}"
    log "installed the packages"
}

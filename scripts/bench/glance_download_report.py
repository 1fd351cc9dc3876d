#!/usr/bin/python3
"""Turns the raw figures of scripts/bench/glance-download.sh into its report (standard library only).

Usage: glance_download_report.py RESULTS.tsv META.tsv REPORT.md

RESULTS.tsv: kind, round, bytes, system, value, peak_kib, extra (one measurement a line, header first):
  gd     glance-download import call -> active, seconds (system ferry, glance) or the shell pipeline (limit)
  fsync  seconds of the fsync of the pipeline's file, after the pipeline
  web    Ferry web-download, seconds;  put  Ferry PUT /file, seconds
  small  10 MiB glance-download, seconds;  wrk  requests/s (value) and p99 ms (extra, first field)
  gd, web, put: extra is the share of CPU time the hypervisor stole during the measurement, in % (/proc/stat)
META.tsv: key, value. Writes the whole report (Markdown) to REPORT.md and prints all of it but the raw figures.
"""
import csv
import math
import sys

MB = 1e6
MIB_KIB = 1024
TARGET_GD_VS_GLANCE = 3.0
TARGET_GD_VS_LIMIT = 0.9
TARGET_RSS_GROWTH_MIB = 16
TARGET_SMALL_MEDIAN_S = 0.25
TARGET_GET_VS_GLANCE = 5.0
DASH = "—"


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def p90(xs):
    xs = sorted(xs)
    return xs[max(0, math.ceil(0.9 * len(xs)) - 1)] if xs else None


def size_label(b):
    if b % (1 << 30) == 0:
        return "%d GiB" % (b >> 30)
    if b % (1 << 20) == 0:
        return "%d MiB" % (b >> 20)
    return "%d B" % b


def ratio(a, b):
    return "%.2f×" % (a / b) if a is not None and b else DASH


def verdict(ok):
    return "pass" if ok else "**MISS**"


def main(results_path, meta_path, out_path):
    with open(results_path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    meta = {}
    with open(meta_path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v

    def vals(kind, system, size=None, field="value"):
        out = []
        for r in rows:
            if r["kind"] == kind and r["system"] == system and (size is None or int(r["bytes"]) == size):
                v = r[field] if field != "p99" else r["extra"].split(";")[0]
                if v != "":
                    out.append(float(v))
        return out

    sizes = sorted({int(r["bytes"]) for r in rows if r["kind"] == "gd"})
    table = []   # what, ferry, glance, limit, ferry/glance, ferry/limit, target, result
    results = []  # (target text, ok)

    def speed(secs, size):
        m = median(secs)
        return (size / MB / m if m else None), m

    def fmt_speed(mbps, m):
        return DASH if m is None else "%.0f MB/s (%.2f s)" % (mbps, m)

    for size in sizes:
        lab = size_label(size)
        f_mbps, f_s = speed(vals("gd", "ferry", size), size)
        g_mbps, g_s = speed(vals("gd", "glance", size), size)
        l_mbps, l_s = speed(vals("gd", "limit", size), size)
        ok = (f_mbps is not None and g_mbps and l_mbps and f_mbps / g_mbps >= TARGET_GD_VS_GLANCE
              and f_mbps / l_mbps >= TARGET_GD_VS_LIMIT)
        target = "≥ %g× Glance, ≥ %g× limit" % (TARGET_GD_VS_GLANCE, TARGET_GD_VS_LIMIT)
        table.append(["glance-download %s, import call → active" % lab, fmt_speed(f_mbps, f_s),
                      fmt_speed(g_mbps, g_s), fmt_speed(l_mbps, l_s), ratio(f_mbps, g_mbps),
                      ratio(f_mbps, l_mbps), target, verdict(ok)])
        results.append(("glance-download %s: %s" % (lab, target), ok))
        fs = median(vals("fsync", "limit", size))
        if fs is not None:
            table.append(["fsync of the pipeline's %s file (after the limit; not part of it)" % lab, DASH, DASH,
                          "%.2f s" % fs, DASH, DASH, DASH, DASH])
        w_mbps, w_s = speed(vals("web", "ferry", size), size)
        wl_mbps, wl_s = speed(vals("web", "limit", size), size)
        table.append(["web-download %s from http.server, import call → active (limit: pipeline from the "
                      "http.server)" % lab, fmt_speed(w_mbps, w_s), DASH, fmt_speed(wl_mbps, wl_s), DASH,
                      ratio(w_mbps, wl_mbps), DASH, DASH])
        u_mbps, u_s = speed(vals("put", "ferry", size), size)
        ul_mbps, ul_s = speed(vals("put", "limit", size), size)
        table.append(["upload %s, PUT /file (limit: pipeline from the local file)" % lab, fmt_speed(u_mbps, u_s),
                      DASH, fmt_speed(ul_mbps, ul_s), DASH, ratio(u_mbps, ul_mbps), DASH, DASH])

    def mib(kib_values):
        m = median(kib_values)
        return None if m is None else m / MIB_KIB

    peaks = {}
    for size in sizes:
        lab = size_label(size)
        fp = mib(vals("gd", "ferry", size, "peak_kib"))
        gp = mib(vals("gd", "glance", size, "peak_kib"))
        peaks[size] = (fp, gp)
        ok = fp is not None and gp is not None and fp < gp
        table.append(["peak RSS during glance-download %s, MiB" % lab, "%.0f" % fp, "%.0f" % gp, DASH,
                      ratio(fp, gp), DASH, "below Glance", verdict(ok)])
        results.append(("peak RSS %s below Glance's" % lab, ok))
    for kind, what in (("web", "web-download"), ("put", "upload")):
        cells = ["%s: %.0f" % (size_label(s), mib(vals(kind, "ferry", s, "peak_kib"))) for s in sizes
                 if vals(kind, "ferry", s, "peak_kib")]
        table.append(["peak RSS during %s, MiB" % what, ", ".join(cells), DASH, DASH, DASH, DASH, DASH, DASH])
    fi = float(meta["ferry_idle_kib"]) / MIB_KIB
    gi = float(meta["glance_idle_kib"]) / MIB_KIB
    table.append(["idle RSS (after start-up and one 10 MiB import), MiB", "%.0f" % fi, "%.0f" % gi, DASH,
                  ratio(fi, gi), DASH, DASH, DASH])
    fw, gw = meta.get("ferry_after_wrk_kib"), meta.get("glance1_after_wrk_kib")
    if fw:
        fw = float(fw) / MIB_KIB
        gw = float(gw) / MIB_KIB if gw else None
        table.append(["RSS after all GET runs (Glance: RegionOne, the one wrk loads), MiB", "%.0f" % fw,
                      "%.0f" % gw if gw else DASH, DASH, ratio(fw, gw), DASH, DASH, DASH])
    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        fg = peaks[hi][0] - peaks[lo][0]
        gg = peaks[hi][1] - peaks[lo][1]
        ok = fg <= TARGET_RSS_GROWTH_MIB
        table.append(["peak RSS growth %s → %s, MiB" % (size_label(lo), size_label(hi)), "%+.1f" % fg,
                      "%+.1f" % gg, DASH, DASH, DASH, "≤ %d MiB" % TARGET_RSS_GROWTH_MIB, verdict(ok)])
        results.append(("peak RSS growth %s → %s ≤ %d MiB" % (size_label(lo), size_label(hi),
                                                             TARGET_RSS_GROWTH_MIB), ok))

    fs_ = vals("small", "ferry")
    gs_ = vals("small", "glance")
    if fs_:
        fm, gm = median(fs_), median(gs_)
        ok = fm <= TARGET_SMALL_MEDIAN_S
        table.append(["10 MiB glance-download → active, median (p90) of %d, s" % len(fs_),
                      "%.3f (%.3f)" % (fm, p90(fs_)), "%.3f (%.3f)" % (gm, p90(gs_)) if gs_ else DASH, DASH,
                      ratio(fm, gm), DASH, "median ≤ %g s" % TARGET_SMALL_MEDIAN_S, verdict(ok)])
        results.append(("10 MiB import median ≤ %g s" % TARGET_SMALL_MEDIAN_S, ok))

    fr, gr = median(vals("wrk", "ferry")), median(vals("wrk", "glance"))
    fl, gl = median(vals("wrk", "ferry", field="p99")), median(vals("wrk", "glance", field="p99"))
    if fr is not None:
        w = meta.get("wrk", "")
        ok_rps = gr and fr / gr >= TARGET_GET_VS_GLANCE
        ok_p99 = fl < gl
        table.append(["GET /v2/images/{id} (wrk %s), requests/s" % w, "%.0f" % fr, "%.0f" % gr, DASH,
                      ratio(fr, gr), DASH, "≥ %g× Glance" % TARGET_GET_VS_GLANCE, verdict(ok_rps)])
        table.append(["GET /v2/images/{id}, p99 latency, ms", "%.1f" % fl, "%.1f" % gl, DASH, ratio(fl, gl), DASH,
                      "below Glance", verdict(ok_p99)])
        results.append(("GET ≥ %g× Glance's requests/s" % TARGET_GET_VS_GLANCE, ok_rps))
        results.append(("GET p99 below Glance's", ok_p99))

    head = ["what", "Ferry", "real Glance", "limit (shell pipeline)", "Ferry/Glance", "Ferry/limit", "target",
            "result"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in table]
    passed = sum(1 for _, ok in results if ok)
    summary = "Targets of issue 6: %d of %d pass." % (passed, len(results))
    misses = [t for t, ok in results if not ok]
    if misses:
        summary += " Missed: " + "; ".join(misses) + "."

    rounds = meta.get("repeat", "?")
    top = []
    top.append("# Benchmarks")
    top.append("")
    top.append("Written by `scripts/bench/glance-download.sh` (issue 6); every run replaces this page. Large "
               "figures are medians of %s interleaved rounds, the 10 MiB figures of %s runs; ratios are Ferry's "
               "figure divided by the other one in the same row (for MB/s and requests/s higher is better for "
               "Ferry, for MiB, seconds and ms lower is)." % (rounds, meta.get("small_count", "?")))
    top.append("")
    top.append("## glance-download at hashing speed: Ferry, real Glance and the machine's limit")
    top.append("")
    top.append("Run %s → %s: `%s`" % (meta.get("started"), meta.get("finished"), meta.get("command")))
    top.append("")
    top += lines
    top.append("")
    top.append(summary)
    try:
        cores = int(meta.get("cpus", "").split()[0])
        load = float(meta.get("load_start", "").split()[0])
        if load > 0.5 * cores:
            top.append("")
            top.append("**Caution**: the load average at the start (%s) was high for %d CPUs: other work ran on the "
                       "machine, and these figures are disturbed by it." % (meta["load_start"], cores))
    except (ValueError, IndexError):
        pass
    try:
        steal = float(meta.get("steal", "").split()[0])
        if steal > 5:
            top.append("")
            top.append("**Caution**: the hypervisor gave %.1f %% of this machine's CPU time to other guests during the "
                       "run (steal time): Ferry, Glance and the pipeline ran on slower, uneven CPUs." % steal)
    except (ValueError, IndexError):
        pass
    top.append("")
    top.append("## Machine")
    top.append("")
    for k, label in (("cpu_model", "CPU"), ("cpus", "cores"), ("ram", "RAM"), ("disk", "disk (Ferry, pipeline)"),
                     ("disk_lab", "disk (lab: Glance stores)"), ("same_fs", "same filesystem"),
                     ("kernel", "kernel"), ("java", "Java"),
                     ("java_opts", "Ferry's JVM (scripts/run-ferry.sh: conf/jvm.options)"),
                     ("cds_archive", "Ferry's class-data archive"),
                     ("glance", "Glance (Debian glance-api)"), ("keystone", "Keystone (Debian)"), ("tools", "tools"),
                     ("ferry_jar", "Ferry jar (sha256, built, commit)"), ("load_start", "load average at start"),
                     ("load_end", "load average at end"),
                     ("steal", "CPU time stolen by the hypervisor during the run (/proc/stat steal)"), ("lab", "lab")):
        top.append("- %s: %s" % (label, meta.get(k) or "(none)"))
    files_left = meta.get("ferry_files_left", "0")
    if files_left not in ("", "0"):
        top.append("- NOTE: %s file(s) were left in Ferry's stores/staging after every image was deleted" % files_left)
    top.append("")
    method = """## How it was measured

- Source images: random bytes (`/dev/urandom`), uploaded with curl (`PUT /file`, demo token) into real Glance
  RegionOne; their md5 and sha512 are computed locally and must equal the image's `checksum` and `os_hash_value`.
- Every round measures every size with each of the seven methods below (Ferry glance-download, Glance
  glance-download, its pipeline; Ferry web-download, its pipeline; Ferry upload, its pipeline), in an order rotated
  from round to round (and sizes in alternating order); before each measurement the filesystem is synced and the
  machine idles 1 s.
  Source data sits in the page cache (warm cache): all three systems read the same RegionOne `/file`.
- **glance-download**: a new raw/bare image in Ferry (RegionThree) or real Glance RegionTwo, then
  `POST /v2/images/{id}/import` with `glance-download` from RegionOne; the time runs from just before the import
  call until `GET /v2/images/{id}` (polled every 0.1 s over one kept-alive connection) says `active`; so a
  figure may be up to 0.1 s above the true one, which matters for the 10 MiB imports only.
- **limit**: `curl RegionOne/file | tee >(md5sum) >(sha512sum) > file` on the disk of Ferry's stores (FIFOs, so the
  time ends when both digests are written). Glance and the pipeline do not fsync; Ferry does before it commits, so
  the pipeline's own fsync is timed apart (row "fsync of the pipeline's file").
- **web-download**: Ferry imports the same bytes from `python3 -m http.server` on 127.0.0.1; its limit is the same
  pipeline reading the http.server. **upload**: curl `PUT /v2/images/{id}/file` of the same file (curl's total
  time); its limit is the same pipeline reading the local file (`cat file | tee …`, no network).
- **peak RSS**: VmHWM of the process (Ferry's JVM; Glance RegionTwo's single `glance-api` process, workers = 0),
  reset through `/proc/PID/clear_refs` before each measurement, and VmRSS sampled every 0.1 s: the larger one.
  Idle RSS is read after start-up and one 10 MiB glance-download each.
- **checks**: after every import or upload the image must be `active` with the source's size, `checksum` and
  `os_hash_value`; in round 1 the bytes Ferry serves back from `/file` must have the source's md5 too. A
  difference stops the run without a report. Every measured image is deleted at once.
- **10 MiB**: after the rounds above, glance-download into Ferry and into RegionTwo, alternating, each with a new
  image, timed as above.
- **GET**: last (the JVM's heap grows under this load, which would weigh on the RSS figures above), as many rounds
  as above, Ferry and Glance alternating: `wrk --latency` with the same demo token (validated before, so cached by
  both), after a 3 s warm-up, against Ferry's copy of the 10 MiB image and against the 10 MiB source image in
  RegionOne; any non-2xx answer stops the run.
"""
    doc = top + [method]
    raw = ["## Raw measurements", "",
           "| round (10 MiB: run) | size | what | system | seconds | MB/s | peak RSS, MiB | CPU stolen by the hypervisor, % |",
           "|---|---|---|---|---|---|---|---|"]
    names = {"gd": "glance-download", "fsync": "fsync of pipeline file", "web": "web-download", "put": "upload",
             "small": "10 MiB glance-download"}
    for r in rows:
        if r["kind"] == "wrk":
            continue
        b = int(r["bytes"])
        secs = float(r["value"])
        what = names[r["kind"]]
        if r["system"] == "limit" and r["kind"] != "fsync":
            what = {"gd": "pipeline from RegionOne", "web": "pipeline from http.server",
                    "put": "pipeline from local file"}[r["kind"]]
        peak = "%.0f" % (float(r["peak_kib"]) / MIB_KIB) if r["peak_kib"] else DASH
        mbps = "%.0f" % (b / MB / secs) if r["kind"] != "fsync" and secs > 0 else DASH
        raw.append("| %s | %s | %s | %s | %.3f | %s | %s | %s |" % (r["round"], size_label(b), what, r["system"], secs,
                                                                    mbps, peak, r["extra"] or DASH))
    raw += ["", "| round | system | GET requests/s | p99 ms | notes |", "|---|---|---|---|---|"]
    for r in rows:
        if r["kind"] == "wrk":
            p99, _, notes = r["extra"].partition(";")
            raw.append("| %s | %s | %s | %s | %s |" % (r["round"], r["system"], r["value"], p99, notes.strip()))
    with open(out_path, "w") as f:
        f.write("\n".join(doc + raw) + "\n")
    print("\n".join(top))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])

#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-shared.sh — portdemuxd over every capture of the shared corpus ($PD_SHARED_PCAPS:
# peers/ and real/, ~1,950 pcap/pcapng files, many deliberately malformed). Asserts the
# daemon's documented contract on any input: exit status 0, or 1 with a one-line error on
# stderr; never a signal, a crash or a time-out; every output line one JSON object (RFC 8259,
# valid UTF-8) with an event_type; no sanitizer report. Under --enable-sanitizers this is
# the ASan/UBSan run over the corpus.
#
# Environment: PD_SHARED_PCAPS (absent: exit 77), top_builddir, PD_SHARED_TIMEOUT (seconds
# per file, default 60), PD_SHARED_JOBS (default nproc), PD_SHARED_FILTER (grep -E regex
# on the paths, to run a subset). Exit: 0 all passed, 1 a failure, 77 skipped.
# The runs go through one python3 process with a pool of nproc workers rather than xargs:
# starting a process costs ~25 ms on the CI machines, and `timeout` plus a shell per file
# tripled the wall time; python3 also checks every output without a jq per line.
set -u

here=$(cd "$(dirname "$0")" && pwd)

top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
daemon="$top_builddir/portdemuxd"
if [ -z "${PD_SHARED_PCAPS:-}" ] || [ ! -d "${PD_SHARED_PCAPS:-}" ]; then
	echo "SKIP: no shared captures (PD_SHARED_PCAPS=${PD_SHARED_PCAPS:-unset})"
	exit 77
fi
if [ ! -x "$daemon" ]; then
	echo "SKIP: $daemon not built"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

exec python3 - "$daemon" "$PD_SHARED_PCAPS" "${PD_SHARED_TIMEOUT:-60}" \
	"${PD_SHARED_JOBS:-$(nproc 2>/dev/null || echo 2)}" "${PD_SHARED_FILTER:-}" <<'EOF'
import concurrent.futures, hashlib, json, os, re, subprocess, sys, tempfile, threading, time

daemon, root, limit, jobs, pattern = sys.argv[1:6]
root, limit, jobs = os.path.realpath(root), float(limit), max(1, int(jobs))
sanitizer = re.compile(rb"(ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|"
                       rb"SUMMARY: UndefinedBehaviorSanitizer)")

caps = []
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith((".pcap", ".pcapng", ".cap")):
            caps.append(os.path.join(d, f))
caps.sort()
if pattern:
    caps = [c for c in caps if re.search(pattern, c)]
# A byte-identical copy gives the same result: run the first of each set only.
seen, unique = set(), []
for c in caps:
    with open(c, "rb") as f:
        digest = hashlib.sha1(f.read()).digest()
    if digest not in seen:
        seen.add(digest)
        unique.append(c)
duplicates, caps = len(caps) - len(unique), unique
if not caps:
    print("FAIL: no captures found under %s" % root)
    sys.exit(1)

def check_output(out):
    """None when every line is one JSON object with an event_type, else why not."""
    if out and not out.endswith(b"\n"):
        return "output does not end with a newline", 0
    n = 0
    for n, line in enumerate(out.split(b"\n")[:-1] if out else [], 1):
        try:
            obj = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            return "line %d is not valid JSON/UTF-8 (%s): %r" % (n, e, line[:120]), n
        if not isinstance(obj, dict) or not isinstance(obj.get("event_type"), str):
            return "line %d is not an object with an event_type: %r" % (n, line[:120]), n
    return None, n

def run(cap, tmpdir):
    """(status, why, events): status is 0 or 1 when the contract holds, else None."""
    out = os.path.join(tmpdir, "%d.json" % threading.get_ident())  # one file per worker
    try:
        os.unlink(out)
    except FileNotFoundError:
        pass
    try:
        p = subprocess.run([daemon, "-r", cap, "-q", "-w", out], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=limit)
    except subprocess.TimeoutExpired:
        return None, "timed out after %gs" % limit, 0
    err, rc = p.stderr, p.returncode
    first = err.decode("utf-8", "replace").strip().splitlines()[:3]
    if rc < 0:
        return None, "killed by signal %d: %s" % (-rc, first), 0
    if sanitizer.search(err):
        return None, "sanitizer report (exit %d): %s" % (rc, first), 0
    if rc not in (0, 1):
        return None, "exit status %d: %s" % (rc, first), 0
    if rc == 1:
        lines = err.rstrip(b"\n").split(b"\n") if err.strip() else []
        if len(lines) != 1:
            return None, "exit 1 needs a one-line error on stderr, got %d lines: %s" % (
                len(lines), first), 0
    try:
        with open(out, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        data = b""
    why, events = check_output(data)
    if why:
        return None, why, events
    return rc, None, events

print("# %d captures (%d byte-identical copies skipped), %d jobs, %gs each, %s"
      % (len(caps), duplicates, jobs, limit, daemon), flush=True)
start = time.monotonic()
failures, counts, events = [], {0: 0, 1: 0}, 0
with tempfile.TemporaryDirectory(prefix="pd-shared.") as tmpdir:
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for cap, (rc, why, n) in zip(caps, pool.map(lambda c: run(c, tmpdir), caps)):
            if rc is None:
                failures.append((os.path.relpath(cap, root), why))
            else:
                counts[rc] += 1
                events += n

for rel, why in failures[:40]:
    print("FAIL %s: %s" % (rel, why))
if len(failures) > 40:
    print("... and %d more failures" % (len(failures) - 40))
print("# %d captures in %.0fs: %d exit 0, %d exit 1 (one-line error), %d events checked"
      % (len(caps), time.monotonic() - start, counts[0], counts[1], events))
print("shared: %d passed, %d failed" % (len(caps) - len(failures), len(failures)))
sys.exit(1 if failures else 0)
EOF

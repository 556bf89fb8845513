#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# thread-cpu.py — wall time and CPU time per thread of one command (proc(5):
# /proc/PID/task/TID/stat utime and stime, sampled every 10 ms until the command exits), to
# see where --workers spends its time on a machine too busy for wall times to mean much.
# See bench/README.md.
#
# Usage: bench/thread-cpu.py CMD [ARGS...]
#   prints: wall S cpu S threads USER+SYS ... (main thread first, then by thread id)
# The command must be the process whose threads are wanted (setpriv and env exec it).
import glob
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: thread-cpu.py CMD [ARGS...]\n")
        return 2
    tick = os.sysconf("SC_CLK_TCK")
    t0 = time.time()
    p = subprocess.Popen(sys.argv[1:])
    last = {}
    while p.poll() is None:
        for path in glob.glob("/proc/%d/task/*/stat" % p.pid):
            try:
                with open(path) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the thread ended between listing and reading
            last[int(path.split("/")[4])] = (int(fields[11]) / tick, int(fields[12]) / tick)
        time.sleep(0.01)
    wall = time.time() - t0
    total = sum(u + s for u, s in last.values())
    threads = " ".join("%.2f+%.2f" % last[t] for t in sorted(last))
    print("wall %.2f cpu %.2f threads %s" % (wall, total, threads))
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())

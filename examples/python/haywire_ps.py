#!/usr/bin/env python3
"""haywire_ps.py [--threads] [--calibrate] [--top N] SOURCE -- a guest's processes and its
biggest memory owners, from Python.

    HAYWIRE_LIBRARY=build/lib/libhaywire.so.1 PYTHONPATH=bindings/python \\
        python3 examples/python/haywire_ps.py file:/path/to/ram,layout=virt
"""
import argparse
import sys

import haywire


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", action="store_true", help="list every thread")
    parser.add_argument("--calibrate", action="store_true", help="ignore the kernel's BTF")
    parser.add_argument("--top", type=int, default=5, help="owners to list by RSS (default 5)")
    parser.add_argument("source", help='e.g. "file:ram,layout=virt", "dump:vmcore", "qmp:sock"')
    args = parser.parse_args()
    try:
        with haywire.open(args.source) as src, src.kernel(calibrate=args.calibrate) as kernel:
            print(f"# {kernel.release}")
            print(f"{'PID':>7} {'TGID':>7} {'PPID':>7} {'UID':>6}  {'COMM':<18} TASK")
            for t in kernel.processes(threads=args.threads):
                name = f"[{t.comm}]" if t.kernel_thread else t.comm
                print(f"{t.pid:7} {t.tgid:7} {t.ppid:7} {t.uid:6}  {name:<18} {t.task:#018x}")
            if args.top > 0:
                with kernel.rmap() as rmap:
                    print(f"\n# top {args.top} owners of guest memory")
                    print(f"{'PID':>7}  {'COMM':<16} {'RSS_KB':>9} {'PSS_KB':>9} {'USS_KB':>9}")
                    for p in sorted(rmap.processes, key=lambda p: -p.rss_bytes)[:args.top]:
                        print(f"{p.pid:7}  {p.comm:<16} {p.rss_bytes >> 10:9} "
                              f"{p.pss_bytes >> 10:9} {p.uss_bytes >> 10:9}")
    except haywire.HaywireError as e:
        print(f"haywire_ps: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

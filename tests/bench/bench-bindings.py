#!/usr/bin/env python3
"""bench-bindings.py BUILD_DIR SOURCE [ROUNDS] -- cost of the bindings against C.

In one run, on the same source: ns per trivial call (haywire_version) and ms
per full task list (snapshot with threads, every task copied out; best of
ROUNDS, the kernel already open), ms per reverse map with its statistics
(build, totals, every process's RSS/PSS/USS; best of ROUNDS) for C
(tests/bench/bench-calls), Python
(ctypes), Node on koffi and Node on ffi-napi, plus the wall time of
`haywire-ps --threads` (process start, open, kernel, list) and each binding's
equivalent. Node needs the build's npm-ci test to have run (NODE_PATH).
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PY = r"""
import json, sys, time, haywire
lib = haywire.library()
n = 1000000
t = time.perf_counter()
for _ in range(n):
    lib.haywire_version()
raw = (time.perf_counter() - t) * 1e9 / n
t = time.perf_counter()
for _ in range(n):
    haywire.version()
wrapped = (time.perf_counter() - t) * 1e9 / n
t = time.perf_counter()
src = haywire.open(sys.argv[1]); k = src.kernel()
ms_open = (time.perf_counter() - t) * 1e3
best = 1e9
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    tasks = k.processes(threads=True)
    best = min(best, (time.perf_counter() - t) * 1e3)
best_rmap = 1e9
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    with k.rmap() as rmap:
        stats, procs = rmap.stats, rmap.processes
    best_rmap = min(best_rmap, (time.perf_counter() - t) * 1e3)
print(json.dumps({"binding": "Python ctypes", "ns_per_call": raw, "ns_per_call_wrapped": wrapped,
                  "ms_open": ms_open, "ms_tasks": best, "tasks": len(tasks),
                  "ms_rmap": best_rmap}))
"""

JS = r"""
const hw = require(process.argv[3] === 'ffi-napi' ? BINDING + '/ffi-napi' : BINDING);
const n = process.argv[3] === 'ffi-napi' ? 100000 : 2000000;
const ns = () => Number(process.hrtime.bigint());
const per = (f) => { // the second pass, once the JIT has warmed up
  let d;
  for (let pass = 0; pass < 2; pass++) {
    const t0 = ns();
    for (let i = 0; i < n; i++) f();
    d = (ns() - t0) / n;
  }
  return d;
};
const raw = per(() => hw.raw.haywire_version());
const wrapped = per(() => hw.version());
let t = ns();
const src = hw.open(process.argv[1]); const k = src.kernel();
const msOpen = (ns() - t) / 1e6;
let best = 1e9, tasks;
for (let r = 0; r < Number(process.argv[2]); r++) {
  t = ns();
  tasks = k.processes({ threads: true });
  best = Math.min(best, (ns() - t) / 1e6);
}
let bestRmap = 1e9;
for (let r = 0; r < Number(process.argv[2]); r++) {
  t = ns();
  const rmap = k.rmap();
  const stats = rmap.stats, procs = rmap.processes; // eslint-disable-line no-unused-vars
  rmap.close();
  bestRmap = Math.min(bestRmap, (ns() - t) / 1e6);
}
src.close();
console.log(JSON.stringify({ binding: 'Node ' + hw.adapter, ns_per_call: raw,
  ns_per_call_wrapped: wrapped, ms_open: msOpen, ms_tasks: best, tasks: tasks.length,
  ms_rmap: bestRmap }));
"""


def wall(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1e3


def main(argv):
    build, spec = os.path.abspath(argv[0]), argv[1]
    rounds = argv[2] if len(argv) > 2 else "20"
    env = dict(os.environ, HAYWIRE_LIBRARY=os.path.join(build, "lib", "libhaywire.so.1"),
               PYTHONPATH=os.path.join(ROOT, "bindings", "python"),
               NODE_PATH=os.path.join(build, "tests", "bindings", "node-deps", "node_modules"))
    js = JS.replace("BINDING", json.dumps(os.path.join(ROOT, "bindings", "node")))
    runs = [
        ([os.path.join(build, "tests", "bench", "bench-calls"), spec, rounds],
         [os.path.join(build, "examples", "haywire-ps"), "--threads", spec]),
        (["/usr/bin/python3", "-c", PY, spec, rounds],
         ["/usr/bin/python3", os.path.join(ROOT, "examples", "python", "haywire_ps.py"),
          "--threads", spec]),
        (["node", "-e", js, spec, rounds, "koffi"],
         ["node", os.path.join(ROOT, "examples", "node", "haywire-ps.js"), "--threads", spec]),
        (["node", "-e", js, spec, rounds, "ffi-napi"],
         ["node", os.path.join(ROOT, "examples", "node", "haywire-ps.js"), "--threads",
          "--ffi-napi", spec]),
    ]
    results = []
    for bench, ps in runs:
        out = subprocess.run(bench, env=env, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        r["ms_ps_wall"] = min(wall(ps, env) for _ in range(3))
        results.append(r)
    c = results[0]
    print(f"{'binding':<16} {'ns/call':>9} {'(wrapped)':>10} {'x C':>8} {'open ms':>8} "
          f"{'tasks ms':>9} {'x C':>6} {'rmap ms':>8} {'x C':>6} {'ps wall ms':>11} {'x C':>6}")
    for r in results:
        wrapped = r.get("ns_per_call_wrapped")
        print(f"{r['binding']:<16} {r['ns_per_call']:9.1f} "
              f"{(f'{wrapped:.1f}' if wrapped else '-'):>10} "
              f"{r['ns_per_call'] / c['ns_per_call']:8.0f} {r['ms_open']:8.1f} "
              f"{r['ms_tasks']:9.3f} {r['ms_tasks'] / c['ms_tasks']:6.1f} "
              f"{r['ms_rmap']:8.3f} {r['ms_rmap'] / c['ms_rmap']:6.2f} "
              f"{r['ms_ps_wall']:11.1f} {r['ms_ps_wall'] / c['ms_ps_wall']:6.2f}")
    print(f"{c['tasks']} tasks (threads included); tasks ms = best of {rounds} full lists "
          f"with the kernel open; rmap ms = build + totals + every process's statistics; "
          f"ps wall = the example programs end to end, best of 3")


if __name__ == "__main__":
    main(sys.argv[1:])

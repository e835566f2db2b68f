#!/usr/bin/env python3
"""test_truth.py STATEDIR GUEST_READ -- the guest's truth is sane and agrees with guest RAM.

Checks the workload is there as built (names, parents, uids, threads), the end
marker's counts match the records, every PFN lies in "System RAM", sharing
looks as the workload arranged it (MAP_SHARED pair, copy-on-write pair), and,
through the library, that the pages the truth names hold the bytes the
workload wrote (so truth PFNs and the RAM file agree).
"""
import struct
import sys
from collections import Counter

sys.dont_write_bytecode = True  # before importing guestlib: no __pycache__ in the source tree
from guestlib import check, guest_read, load_env, parse_truth, run_test

GOLDEN = 2654435761  # the workload's per-page pattern multiplier (guest/workload.c)


def one(truth, comm):
    tasks = truth.by_comm(comm)
    check(len(tasks) == 1, f"expected one task named {comm}, found {len(tasks)}")
    return tasks[0]


def check_counts(t):
    e = t.end
    pids_with_maps = {m.pid for m in t.maps}
    got = {
        "tasks": len(t.tasks), "kthreads": sum(x.kthread for x in t.tasks),
        "procs": len(t.rollup), "maps": len(t.maps), "runs": len(t.runs),
        "pages": sum(r.count for r in t.runs), "ram": len(t.ram),
    }
    for key, value in got.items():
        check(e.get(key) == value, f"end marker says {key}={e.get(key)}, records give {value}")
    check(pids_with_maps <= set(t.rollup), "maps for a process without rollup")
    check(len(t.tasks) == len({x.pid for x in t.tasks}), "a pid listed twice")


def check_tasks(t, env):
    check(t.header.get("arch") == env["ARCH"], f"truth arch {t.header.get('arch')} != {env['ARCH']}")
    check("nokaslr" not in t.header.get("cmdline", ""), "guest booted with nokaslr")
    init = [x for x in t.tasks if x.pid == 1]
    check(init and not init[0].kthread, "pid 1 missing or a kernel thread")
    kthreadd = [x for x in t.tasks if x.pid == 2]
    check(kthreadd and kthreadd[0].kthread and kthreadd[0].comm == "kthreadd", "kthreadd is not pid 2")
    check(sum(x.kthread for x in t.tasks) >= 10, "fewer than 10 kernel threads")
    check(len([x for x in t.tasks if x.comm == "sleep" and x.ppid == 1]) >= 3, "idle sleepers missing")
    launcher = one(t, "hw-workload")
    for comm in ("hw-alloc", "hw-shm-a", "hw-cow-par", "hw-threads", "hw-user"):
        check(one(t, comm).ppid == launcher.pid, f"{comm} is not a child of hw-workload")
    check(one(t, "hw-shm-b").ppid == one(t, "hw-shm-a").pid, "hw-shm-b is not hw-shm-a's child")
    check(one(t, "hw-cow-chi").ppid == one(t, "hw-cow-par").pid, "hw-cow-chi is not hw-cow-par's child")
    threads = one(t, "hw-threads")
    members = [x for x in t.tasks if x.tgid == threads.pid]
    check(len(members) == 5, f"hw-threads has {len(members)} tasks, expected 5")
    check(sorted(x.comm for x in members if x.pid != threads.pid) ==
          [f"hw-thr-{i}" for i in range(4)], "thread names wrong")
    check(threads.pid not in {x.pid for x in members if x.comm.startswith("hw-thr-")},
          "a thread has its process's pid")
    check(one(t, "hw-user").uid == 1000, "hw-user does not run as uid 1000")
    check(all(x.uid == 0 for x in t.tasks if x.kthread), "a kernel thread with uid != 0")
    user_procs = {x.tgid for x in t.tasks if not x.kthread} - {int(t.header["self"])}
    check(user_procs == set(t.rollup), "rollup/maps not recorded for exactly the user processes")


def check_pages(t, env):
    ps = t.pagesize
    for r in t.runs:
        lo, hi = r.pfn * ps, (r.pfn + r.count) * ps
        check(any(a <= lo and hi <= b for a, b in t.ram),
              f"pid {r.pid} va {r.va:x}: PFN {r.pfn:x}+{r.count} outside System RAM")
        check("p" in r.flags, f"pid {r.pid} va {r.va:x}: page recorded but not present")
        inside = [m for m in t.maps if m.pid == r.pid and m.start <= r.va and
                  r.va + r.count * ps <= m.end]
        check(inside, f"pid {r.pid} va {r.va:x}+{r.count}: run outside its mappings")
    # resident pages as pagemap sees them vs Rss (kB) of smaps_rollup
    per_pid = Counter()
    for r in t.runs:
        per_pid[r.pid] += r.count
    for pid, roll in t.rollup.items():
        check(abs(per_pid[pid] * ps // 1024 - roll["rss"]) <= 64,
              f"pid {pid}: {per_pid[pid]} present pages but Rss {roll['rss']} kB")
    if env["ARCH"] == "x86_64":
        check(any(r.pfn * ps >= 1 << 32 for r in t.runs), "no user page above 4 GiB on x86")

    def pages_in(comm, want_map):
        pid = one(t, comm).pid
        maps = [m for m in t.maps if m.pid == pid and want_map(m)]
        return {va: v for va, v in t.pages(pid).items()
                if any(m.start <= va < m.end for m in maps)}

    big_private = lambda m: m.perms == "rw-p" and m.end - m.start >= 64 << 20  # noqa: E731
    alloc = pages_in("hw-alloc", big_private)
    check(len(alloc) >= (64 << 20) // ps, "hw-alloc has fewer than 64 MiB resident")

    shared_anon = lambda m: m.perms == "rw-s" and m.end - m.start == 4 << 20  # noqa: E731
    shm_a, shm_b = (pages_in(c, shared_anon) for c in ("hw-shm-a", "hw-shm-b"))
    check(all("f" in f and "x" not in f for _, f in list(shm_a.values()) + list(shm_b.values())),
          "MAP_SHARED pages not flagged shared (f) or flagged exclusive (x)")
    shared = {v[0] for v in shm_a.values()} & {v[0] for v in shm_b.values()}
    check(len(shared) == (4 << 20) // ps, f"MAP_SHARED pair shares {len(shared)} frames, not 4 MiB")

    cow_map = lambda m: m.perms == "rw-p" and m.end - m.start >= 8 << 20  # noqa: E731
    par, chi = (pages_in(c, cow_map) for c in ("hw-cow-par", "hw-cow-chi"))
    par_frames = {v[0] for v in par.values()}
    cow_shared = par_frames & {v[0] for v in chi.values()}
    check(len(cow_shared) >= (7 << 20) // ps, f"COW pair shares only {len(cow_shared)} frames")
    # pagemap's "exclusive" means mapcount == 1; for a transparent huge page (h) the
    # kernel's answer depends on how it is mapped (arm64's Debian kernel has THP always on)
    check(all("x" not in par[va][1] for va in par if par[va][0] in cow_shared and
              "h" not in par[va][1]), "a copy-on-write shared page is flagged exclusive")
    own = [va for va, v in chi.items() if v[0] not in par_frames]
    check(len(own) >= (1 << 20) // ps, f"COW child has only {len(own)} pages of its own")
    check(all("x" in chi[va][1] or "h" in chi[va][1] for va in own),
          "COW child's own pages not flagged exclusive")
    return alloc, shm_a, chi, par_frames


def check_bytes(t, env, exe, alloc, shm_a, chi, par_frames):
    """The workload's pattern sits at the truth's PFNs in the RAM file (read by the library)."""
    ps = t.pagesize
    spec = env["SOURCE_SPEC"]
    want = {}  # pa -> tag byte the workload wrote at offset 64 of the page
    for pfn, _ in alloc.values():
        want[pfn * ps] = 1
    for pfn, _ in shm_a.values():
        want[pfn * ps] = 2
    for pfn, _ in chi.values():
        want[pfn * ps] = 4 if pfn not in par_frames else 3
    data = guest_read(exe, spec, list(want), 72)
    deltas = set()
    for pa, tag in want.items():
        got = data[pa]
        check(got is not None, f"PA {pa:x} from the truth is not RAM for the library")
        check(got[64] == tag, f"PA {pa:x}: tag byte {got[64]} != {tag} (truth PFN vs RAM file)")
        if tag == 1:
            deltas.add((struct.unpack_from("<I", got)[0] - GOLDEN) & 0xffffffff)
    # hw-alloc pages carry GOLDEN + page index: all distinct, so no frame is counted twice
    check(len(deltas) == len(alloc), "hw-alloc pages are not all distinct in RAM")
    return len(want)


def main(argv):
    state, exe = argv
    env = load_env(state)
    t = parse_truth(env["TRUTH"])
    check_counts(t)
    check_tasks(t, env)
    pages = check_pages(t, env)
    n = check_bytes(t, env, exe, *pages)
    print(f"{env['ARCH']}: {len(t.tasks)} tasks, {len(t.rollup)} processes, "
          f"{sum(r.count for r in t.runs)} pages; {n} frames checked in RAM")


if __name__ == "__main__":
    run_test(main)

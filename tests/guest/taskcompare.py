#!/usr/bin/env python3
"""The rules for comparing a process list with the guest's /proc (the truth),
shared by test_procs.py and the binding tests.

As a program, for tests in other languages:
  taskcompare.py tasks STATEDIR < tasks.json   compare (exit 1 with the reason)
  taskcompare.py pages STATEDIR N              N sample truth pages as JSON
                                               [{"pid", "va", "pfn"}], spread
                                               over every user process
tasks.json: [{"pid", "tgid", "ppid", "uid", "comm", "kernel_thread", "pgd"
(null for none)}] with threads, as `haywire-ps --json --threads` prints.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestlib import check, load_env, parse_truth, run_test  # noqa: E402


def comm_matches(ours, theirs):
    """task_struct.comm against /proc's name: /proc shows a kernel thread's full
    name where comm keeps its first 15 bytes, and adds a worker's workqueue."""
    if ours == theirs:
        return True
    if len(ours) == 15 and theirs.startswith(ours):
        return True
    return ours.startswith("kworker/") and theirs.startswith(ours + "-")


def compare(truth, found):
    """FOUND (dicts as above) against the truth: equal but for kworker churn."""
    ours = {t["pid"]: t for t in found}
    check(len(ours) == len(found), "a pid was listed twice")
    theirs = {t.pid: t for t in truth.tasks}
    churn = []
    for pid, t in theirs.items():
        o = ours.get(pid)
        if o is None:
            check(t.kthread and t.comm.startswith("kworker/"),
                  f"task {pid} ({t.comm}) is in the guest's /proc but was not found")
            churn.append(f"-{pid}")
            continue
        got = (o["tgid"], o["ppid"], o["uid"], o["kernel_thread"])
        want = (t.tgid, t.ppid, t.uid, t.kthread)
        check(got == want, f"task {pid} ({t.comm}): tgid/ppid/uid/kthread {got}, guest says {want}")
        check(comm_matches(o["comm"], t.comm), f"task {pid}: comm {o['comm']!r}, guest says {t.comm!r}")
        check((o["pgd"] is None) == t.kthread, f"task {pid}: pgd {o['pgd']} for kthread={t.kthread}")
    for pid, o in ours.items():
        if pid not in theirs:
            check(o["kernel_thread"] and o["comm"].startswith("kworker/"),
                  f"found task {pid} ({o['comm']}) that the guest's /proc did not list")
            churn.append(f"+{pid}")
    users = sum(not t.kthread for t in truth.tasks)
    return (f"{len(theirs)} tasks in the truth ({users} user), {len(ours)} found; "
            f"kworker churn: {' '.join(churn) or 'none'}")


def sample_pages(truth, n):
    """Up to N (pid, va, pfn) of the truth's pages, spread over every user process."""
    per_pid = {}
    for r in truth.runs:
        per_pid.setdefault(r.pid, []).append(r)
    out, quota = [], max(1, n // max(1, len(per_pid)))
    for pid, runs in sorted(per_pid.items()):
        pages = [(r.va + i * truth.pagesize, r.pfn + i) for r in runs for i in range(r.count)]
        step = max(1, len(pages) // quota)
        out += [(pid, va, pfn) for va, pfn in pages[::step][:quota]]
    return out[:n]


def main(argv):
    mode, state = argv[0], argv[1]
    truth = parse_truth(load_env(state)["TRUTH"])
    if mode == "tasks":
        print(compare(truth, json.load(sys.stdin)))
    elif mode == "pages":
        json.dump([{"pid": p, "va": f"{va:#x}", "pfn": f"{pfn:#x}"}
                   for p, va, pfn in sample_pages(truth, int(argv[2]))], sys.stdout)
        sys.exit(0)
    else:
        check(False, f"unknown mode {mode!r}")


if __name__ == "__main__":
    run_test(main)

#!/usr/bin/env python3
"""test_procs.py STATEDIR HAYWIRE_PS GUEST_TRANSLATE HAYWIRE_VTOP [--calibrate] -- process
discovery against the guest's own /proc.

Every task of the truth is found with equal pid, tgid, ppid, comm, uid and
kernel-thread flag, and nothing else is reported. The one allowance: kernel
workers (kworker/*) may start or exit between the truth and the pause. /proc
names a busy workqueue worker "kworker/0:1-events" where task_struct.comm is
"kworker/0:1", and shows a kernel thread's full name where comm keeps 15
bytes. Then every page of every user process in the truth's pagemap
translates to its PFN through the page tables the library found, and
haywire-vtop --pid agrees on the first page of each workload process.
"""
import json
import subprocess
import sys

sys.dont_write_bytecode = True
from guestlib import check, load_env, parse_truth, run_test
from taskcompare import compare


def haywire_ps(exe, spec, extra):
    out = subprocess.run([exe, "--json", "--threads", *extra, spec], capture_output=True,
                         text=True, timeout=300)
    check(out.returncode == 0, f"haywire-ps failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def vtop_agrees(vtop, spec, truth, extra):
    checked = 0
    for task in truth.tasks:
        if not task.comm.startswith("hw-") or task.pid != task.tgid:
            continue
        run = next((r for r in truth.runs if r.pid == task.pid), None)
        if run is None:
            continue
        out = subprocess.run([vtop, spec, "--pid", str(task.pid), "--json", hex(run.va)],
                             capture_output=True, text=True, timeout=120)
        check(out.returncode == 0, f"haywire-vtop --pid {task.pid}: {out.stderr.strip()}")
        pa = int(json.loads(out.stdout)["pa"], 16)
        check(pa // truth.pagesize == run.pfn,
              f"haywire-vtop --pid {task.pid} {run.va:#x}: PA {pa:#x}, guest says PFN {run.pfn:#x}")
        checked += 1
    check(checked >= 5, f"only {checked} workload processes to check with haywire-vtop")
    print(f"haywire-vtop --pid agrees with pagemap for {checked} processes")


def main(argv):
    state, haywire_ps_exe, translate_exe, vtop_exe = argv[:4]
    extra = argv[4:]
    env = load_env(state)
    truth = parse_truth(env["TRUTH"])
    print(compare(truth, haywire_ps(haywire_ps_exe, env["SOURCE_SPEC"], extra)))
    out = subprocess.run([translate_exe, env["SOURCE_SPEC"], env["TRUTH"], *extra],
                         capture_output=True, text=True, timeout=300)
    print(out.stdout.strip())
    check(out.returncode == 0, f"translation disagrees with pagemap: {out.stderr.strip()}")
    if not extra:
        vtop_agrees(vtop_exe, env["SOURCE_SPEC"], truth, extra)
    # with no layout given, the library finds the machine's layout by itself
    bare = haywire_ps(haywire_ps_exe, "file:" + env["RAM_PATH"], extra)
    check(bare == haywire_ps(haywire_ps_exe, env["SOURCE_SPEC"], extra),
          "the RAM file without a layout gives another process list")
    print("the RAM file without a layout gives the same process list")


run_test(main)

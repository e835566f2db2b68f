#!/usr/bin/env python3
"""test_procs.py STATEDIR HAYWIRE_PS GUEST_TRANSLATE [--calibrate] -- process discovery
against the guest's own /proc.

Every task of the truth is found with equal pid, tgid, ppid, comm, uid and
kernel-thread flag, and nothing else is reported. The one allowance: kernel
workers (kworker/*) may start or exit between the truth and the pause. /proc
names a busy workqueue worker "kworker/0:1-events" where task_struct.comm is
"kworker/0:1", and shows a kernel thread's full name where comm keeps 15
bytes. Then every page of every user process in the truth's pagemap
translates to its PFN through the page tables the library found.
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


def main(argv):
    state, haywire_ps_exe, translate_exe = argv[:3]
    extra = argv[3:]
    env = load_env(state)
    truth = parse_truth(env["TRUTH"])
    print(compare(truth, haywire_ps(haywire_ps_exe, env["SOURCE_SPEC"], extra)))
    out = subprocess.run([translate_exe, env["SOURCE_SPEC"], env["TRUTH"], *extra],
                         capture_output=True, text=True, timeout=300)
    print(out.stdout.strip())
    check(out.returncode == 0, f"translation disagrees with pagemap: {out.stderr.strip()}")


run_test(main)

#!/usr/bin/env python3
"""test_dumps.py STATEDIR HAYWIRE_PS DUMP_COMPARE -- dumps of the paused guest read like it.

QEMU writes an ELF and a kdump-zlib dump of the paused guest over QMP. Every
byte of every RAM range of each dump must equal the RAM file's (dump-compare:
QEMU also dumps the x86 BIOS ROM below 4 GiB, which the RAM file lacks), the
dump must carry the vCPUs' registers, and process discovery on the dump must
give exactly what it gives on the RAM file, with BTF and calibrated.
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True
from guestlib import check, load_env, run_test

HERE = os.path.dirname(os.path.abspath(__file__))
BIOS_ROM = 256 * 1024  # QEMU maps the x86 firmware at the top of the first 4 GiB


def run(cmd, timeout=600):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    check(out.returncode == 0,
          f"{' '.join(cmd)} failed ({out.returncode}): {out.stdout[-600:]} {out.stderr[-600:]}")
    return out.stdout


def main(argv):
    state, haywire_ps, dump_compare = argv
    env = load_env(state)
    spec = env["SOURCE_SPEC"]
    ps = {}
    for extra in ([], ["--calibrate"]):
        ps[tuple(extra)] = run([haywire_ps, "--json", "--threads", *extra, spec])
    for fmt in ("elf", "kdump-zlib"):
        path = os.path.join(state, f"dump.{fmt}")
        try:
            run([sys.executable, os.path.join(HERE, "qmp.py"), state, "dump", path, fmt])
            cmp_args = [dump_compare, path, spec, "--cpus", "--ncpus", "2"]
            if env["ARCH"] == "x86_64":
                cmp_args += ["--extra", str(BIOS_ROM)]
            print(f"{fmt}: {run(cmp_args).strip().splitlines()[-1]}")
            for extra, want in ps.items():
                got = run([haywire_ps, "--json", "--threads", *extra, "dump:" + path])
                check(got == want, f"{fmt} {' '.join(extra)}: process list differs from the RAM file's")
            print(f"{fmt}: processes identical to the RAM file's ({len(want.splitlines()) - 2} tasks)")
        finally:
            if os.path.exists(path):
                os.unlink(path)


run_test(main)

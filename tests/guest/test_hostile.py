#!/usr/bin/env python3
"""test_hostile.py STATEDIR HAYWIRE_PS -- a damaged copy of the guest's RAM.

On a sparse copy of the RAM file: with every BTF header broken, process
discovery must fall back to calibration and still list exactly the same
tasks; with every VMCOREINFO copy zeroed it must fail cleanly (exit 1, "no
Linux kernel found"), neither crashing nor hanging; garbage where the kernel
was must do the same.
"""
import mmap
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
from guestlib import check, load_env, run_test

BTF_HEADER = b"\x9f\xeb\x01\x00\x18\x00\x00\x00"  # magic, version 1, flags 0, hdr_len 24
PAGE = 4096


def ps(exe, spec):
    return subprocess.run([exe, "--json", "--threads", spec], capture_output=True, text=True,
                          timeout=300)


def find_all(mem, needle):
    at = mem.find(needle)
    while at >= 0:
        yield at
        at = mem.find(needle, at + 1)


def main(argv):
    state, haywire_ps = argv
    env = load_env(state)
    want = ps(haywire_ps, env["SOURCE_SPEC"])
    check(want.returncode == 0, f"haywire-ps on the guest failed: {want.stderr}")
    copy = os.path.join(state, "ram.damaged")
    spec = f"file:{copy},layout={env['LAYOUT']}"
    subprocess.run(["cp", "--sparse=always", env["RAM_PATH"], copy], check=True, timeout=300)
    try:
        with open(copy, "r+b") as f, mmap.mmap(f.fileno(), 0) as mem:
            broken = 0
            for at in find_all(mem, BTF_HEADER):
                mem[at:at + 2] = b"\0\0"
                broken += 1
            check(broken >= 1, "no BTF header in guest RAM to break")
            mem.flush()
            got = ps(haywire_ps, spec)
            check(got.returncode == 0, f"no BTF: haywire-ps failed: {got.stderr.strip()}")
            check(got.stdout == want.stdout, "no BTF: the calibrated process list differs")
            print(f"{broken} BTF headers broken: calibration lists the same tasks")

            zeroed = 0
            for at in find_all(mem, b"OSRELEASE="):
                if at % PAGE in (0, 24):  # bare text, or the ELF note's payload
                    page = at - at % PAGE
                    mem[page:page + PAGE] = bytes(PAGE)
                    zeroed += 1
            check(zeroed >= 1, "no VMCOREINFO page in guest RAM to zero")
            mem.flush()
            got = ps(haywire_ps, spec)
            check(got.returncode == 1 and "no Linux kernel found" in got.stderr,
                  f"zeroed VMCOREINFO: exit {got.returncode}, {got.stderr.strip()!r}")
            print(f"{zeroed} VMCOREINFO pages zeroed: {got.stderr.strip()}")
    finally:
        os.unlink(copy)


run_test(main)

#!/usr/bin/env python3
"""test_live.py STATEDIR HAYWIRE_PS GUEST_READ -- the live QMP source on the real guest.

Opened over the guest's QMP socket, the source must give the RAM file's
ranges and bytes and the same process list; with the zero-copy path refused
(read=pmemsave, read=xp: what a caller gets when the backing file cannot be
mapped) sampled bytes must still equal the RAM file's.
"""
import random
import subprocess
import sys

sys.dont_write_bytecode = True
from guestlib import check, guest_read, guest_read_ranges, load_env, run_test


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    check(out.returncode == 0, f"{' '.join(cmd)} failed: {out.stderr.strip()[-600:]}")
    return out.stdout


def main(argv):
    state, haywire_ps, reader = argv
    env = load_env(state)
    # QEMU serves one QMP client at a time and other tests (dumps) may hold the
    # socket for a while: wait for our turn as long as they may take.
    ram, live = env["SOURCE_SPEC"], "qmp:" + env["QMP_SOCKET"] + ",timeout=240000"
    check(guest_read_ranges(reader, live) == guest_read_ranges(reader, ram),
          "qmp: RAM ranges differ from the RAM file's")
    got = run([haywire_ps, "--json", "--threads", live])
    check(got == run([haywire_ps, "--json", "--threads", ram]),
          "qmp: process list differs from the RAM file's")
    print(f"qmp: same ranges and {len(got.splitlines()) - 2} tasks as the RAM file")

    rng = random.Random(int(env.get("HAYWIRE_TEST_SEED", "7")))
    ranges = guest_read_ranges(reader, ram)
    for path, samples in (("pmemsave", 40), ("xp", 8)):
        addrs = []
        for _ in range(samples):
            start, size = rng.choice(ranges)
            addrs.append(start + rng.randrange(0, size - 64) // 8 * 8)
        want = guest_read(reader, ram, addrs, 32)
        got = guest_read(reader, f"{live},read={path}", addrs, 32)
        check(got == want, f"qmp read={path}: bytes differ from the RAM file's")
        print(f"qmp read={path}: {samples} samples equal the RAM file")


run_test(main)

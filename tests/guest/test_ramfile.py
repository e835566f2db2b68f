#!/usr/bin/env python3
"""test_ramfile.py STATEDIR GUEST_READ -- the RAM-file source reads what QEMU reads.

Opens the paused guest's memory-backend-file through the library
(SOURCE_SPEC from STATEDIR/env) and compares 32 bytes at sample
guest-physical addresses with QEMU's own `xp /4gx` (QMP human-monitor-command):
the first and last bytes of every RAM range, random addresses in each range
(seed printed), and frames the truth says hold user pages (non-zero data),
on x86 including addresses above 4 GiB. Addresses just outside RAM must be
refused by the library (not RAM).
"""
import os
import random
import re
import sys

sys.dont_write_bytecode = True  # before importing guestlib: no __pycache__ in the source tree
from guestlib import Qmp, check, guest_read, guest_read_ranges, load_env, parse_truth, run_test

XP_LINE = re.compile(r"^([0-9a-fA-F]+):((?:\s+0x[0-9a-fA-F]+)+)\s*$")


def qemu_bytes(qmp, pa):
    """32 bytes at PA as QEMU's monitor sees guest-physical memory."""
    text = qmp.hmp(f"xp /4gx 0x{pa:x}")
    words = []
    for line in text.splitlines():
        m = XP_LINE.match(line.strip())
        check(m, f"unexpected xp output at {pa:x}: {text!r}")
        words += [int(w, 16) for w in m.group(2).split()]
    check(len(words) == 4, f"xp gave {len(words)} words at {pa:x}: {text!r}")
    return b"".join(w.to_bytes(8, "little") for w in words)


def main(argv):
    state, exe = argv
    env = load_env(state)
    spec = env["SOURCE_SPEC"]
    truth = parse_truth(env["TRUTH"])
    ranges = guest_read_ranges(exe, spec)
    check(ranges, "the source has no RAM ranges")
    check(sum(size for _, size in ranges) == int(env["RAM_SIZE"]),
          "RAM ranges do not add up to the RAM size QEMU was given")

    seed = int(os.environ.get("HAYWIRE_TEST_SEED", random.randrange(1 << 32)))
    print(f"seed {seed} (set HAYWIRE_TEST_SEED to repeat)")
    rng = random.Random(seed)
    samples = set()
    for gpa, size in ranges:
        samples |= {gpa, gpa + size - 32, gpa + size // 2}
        samples |= {gpa + rng.randrange(0, size - 32) & ~7 for _ in range(24)}
    ps = truth.pagesize
    user_frames = sorted({(r.pfn + i) * ps for r in truth.runs for i in range(r.count)})
    samples |= set(rng.sample(user_frames, min(64, len(user_frames))))
    if env["ARCH"] == "x86_64":
        high = [pa for pa in user_frames if pa >= 1 << 32]
        check(high, "no user frame above 4 GiB to sample")
        samples |= set(rng.sample(high, min(32, len(high))))

    ours = guest_read(exe, spec, sorted(samples), 32)
    qmp = Qmp(env["QMP_SOCKET"])
    nonzero = high_nonzero = 0
    for pa in sorted(samples):
        check(ours[pa] is not None, f"library says PA {pa:x} is not RAM")
        theirs = qemu_bytes(qmp, pa)
        check(ours[pa] == theirs,
              f"PA {pa:x}: library {ours[pa].hex()} != QEMU {theirs.hex()}")
        if any(theirs):
            nonzero += 1
            high_nonzero += pa >= 1 << 32
    qmp.close()
    check(nonzero >= 32, f"only {nonzero} samples hold non-zero data: comparison too weak")
    if env["ARCH"] == "x86_64":
        check(high_nonzero >= 16, f"only {high_nonzero} non-zero samples above 4 GiB")

    # Just past each range's end (unless the next range starts there) is not RAM.
    outside = [gpa + size for gpa, size in ranges
               if not any(g == gpa + size for g, _ in ranges)]
    if ranges[0][0] > 0:
        outside.append(ranges[0][0] - 4096)
    refused = guest_read(exe, spec, outside, 8)
    for pa in outside:
        check(refused[pa] is None, f"library reads PA {pa:x}, which is outside RAM")
    print(f"{env['ARCH']}: {len(samples)} addresses equal to QEMU's "
          f"({nonzero} non-zero, {high_nonzero} above 4 GiB); {len(outside)} outside refused")


if __name__ == "__main__":
    run_test(main)

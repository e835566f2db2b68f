#!/usr/bin/env python3
"""test_mtree.py STATEDIR GUEST_READ -- the source's RAM ranges are QEMU's RAM.

Reads `info mtree -f` over QMP and takes, from the flat view of the "memory"
address space, every region backed by the RAM block of the memory backend
(named "ram", the backend's id, with "@OFFSET" giving the offset inside it).
Shadowed legacy windows below 1 MiB on x86 (PAM: BIOS/option-ROM shadow RAM)
appear there as "(prio 0, rom): ram @..." -- still bytes of the RAM block,
so they count as RAM. The guest runs with -nodefaults (no VGA), so no
window hides RAM; if one did, it would show up here as a mismatch.

The library's RAM ranges must be exactly those regions (merged), and the
library must read each region from the right place of the RAM file: bytes
read through the library at sample addresses of every region (edges, evenly
spaced points, frames the truth says hold user pages) must equal the RAM
file's bytes at that region's "@OFFSET".
"""
import re
import sys

sys.dont_write_bytecode = True  # before importing guestlib: no __pycache__ in the source tree
from guestlib import Qmp, check, guest_read, guest_read_ranges, load_env, parse_truth, run_test

ROW = re.compile(r"^\s+([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, (\w+)\): (\S+)(?: @([0-9a-f]+))?")


def memory_flatview(text):
    """Rows of the flat view whose address-space list includes AS "memory"."""
    rows, in_memory, in_view = [], False, False
    for line in text.splitlines():
        if line.startswith("FlatView"):
            in_memory = in_view = False
        elif line.startswith(' AS "memory"'):
            in_memory = True
        elif line.startswith(" Root memory region:"):
            in_view = in_memory
        elif in_view:
            m = ROW.match(line)
            if m:
                rows.append((int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3),
                             m.group(4), int(m.group(5) or "0", 16)))
    return rows


def merge(pieces):
    """Merge (gpa, end, offset) pieces that continue each other in both spaces."""
    out = []
    for gpa, end, off in sorted(pieces):
        if out and out[-1][1] == gpa and out[-1][2] + (out[-1][1] - out[-1][0]) == off:
            out[-1] = (out[-1][0], end, out[-1][2])
        else:
            out.append((gpa, end, off))
    return out


def main(argv):
    state, exe = argv
    env = load_env(state)
    qmp = Qmp(env["QMP_SOCKET"])
    text = qmp.hmp("info mtree -f")
    qmp.close()
    rows = memory_flatview(text)
    check(rows, "no flat view for address space \"memory\" in info mtree -f")
    qemu = merge([(s, e, off) for s, e, kind, name, off in rows
                  if name == "ram" and kind in ("ram", "rom")])
    check(qemu, "no region of the RAM block \"ram\" in the flat view")

    spec = env["SOURCE_SPEC"]
    # addresses first (offset = address: merges whatever touches), then bytes
    ours = merge([(gpa, gpa + size, gpa) for gpa, size in guest_read_ranges(exe, spec)])
    theirs = merge([(a, b, a) for a, b, _ in qemu])
    addresses = lambda rs: ", ".join(f"{a:x}-{b:x}" for a, b, _ in rs)  # noqa: E731
    check(ours == theirs, f"{spec}: library RAM {addresses(ours)} != QEMU RAM {addresses(theirs)}")

    truth = parse_truth(env["TRUTH"])
    frames = [(r.pfn + i) * truth.pagesize for r in truth.runs for i in range(0, r.count, 7)]
    samples = {}  # pa -> file offset QEMU says holds it
    for gpa, end, off in qemu:
        points = {gpa, end - 32} | {gpa + (end - gpa) * k // 64 & ~7 for k in range(64)}
        points |= {pa for pa in frames if gpa <= pa < end - 32}
        samples.update({pa: off + pa - gpa for pa in points})
    ours_bytes = guest_read(exe, spec, list(samples), 32)
    nonzero = 0
    with open(env["RAM_PATH"], "rb") as ram:
        for pa, off in sorted(samples.items()):
            ram.seek(off)
            want = ram.read(32)
            check(ours_bytes[pa] == want,
                  f"PA {pa:x}: library reads {ours_bytes[pa] and ours_bytes[pa].hex()}, "
                  f"QEMU's RAM block at offset {off:x} holds {want.hex()}")
            nonzero += any(want)
    check(nonzero >= 100, f"only {nonzero} non-zero samples: comparison too weak")
    fmt = lambda rs: ", ".join(f"{a:x}-{b:x}@{o:x}" for a, b, o in rs)  # noqa: E731
    legacy = [r for r in rows if r[3] == "ram" and r[2] == "rom"]
    print(f"{env['ARCH']}: RAM {fmt(qemu)} matches QEMU; {len(samples)} samples "
          f"({nonzero} non-zero) read from the right offsets; "
          f"{len(legacy)} read-only shadow windows counted as RAM")


if __name__ == "__main__":
    run_test(main)

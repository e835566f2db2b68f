#!/usr/bin/env python3
"""test_mtree.py STATEDIR GUEST_READ -- the source's RAM ranges are QEMU's RAM.

Reads `info mtree -f` over QMP and takes, from the flat view of the "memory"
address space, every region backed by the RAM block of the memory backend
(named "ram", the backend's id, with "@OFFSET" giving the offset inside it).
Shadowed legacy windows below 1 MiB on x86 (PAM: BIOS/option-ROM shadow RAM)
appear there as "(prio 0, rom): ram @..." -- still bytes of the RAM block,
so they count as RAM. The guest runs with -nodefaults (no VGA), so no
window hides RAM; if one did, it would show up here as a mismatch.

The library's ranges, packed in order into the RAM file (the "file" source's
rule), must give exactly the same set of (guest-physical address -> file
offset) pairs as those regions.
"""
import re
import sys

sys.dont_write_bytecode = True  # before importing guestlib: no __pycache__ in the source tree
from guestlib import Qmp, check, guest_read_ranges, load_env, run_test

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

    ranges = guest_read_ranges(exe, spec := env["SOURCE_SPEC"])
    ours, offset = [], 0
    for gpa, size in ranges:
        ours.append((gpa, gpa + size, offset))
        offset += size
    ours = merge(ours)
    fmt = lambda rs: ", ".join(f"{a:x}-{b:x}@{o:x}" for a, b, o in rs)  # noqa: E731
    check(ours == qemu, f"{spec}: library {fmt(ours)} != QEMU {fmt(qemu)}")
    legacy = [r for r in rows if r[3] == "ram" and r[2] == "rom"]
    print(f"{env['ARCH']}: RAM {fmt(ours)} matches QEMU "
          f"({len(legacy)} read-only shadow windows counted as RAM)")


if __name__ == "__main__":
    run_test(main)

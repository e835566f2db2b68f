#!/usr/bin/env python3
"""test_rmap.py STATEDIR GUEST_READ HAYWIRE_RMAP [HAYWIRE_MAP] -- the reverse page map
against the guest's own pagemap and smaps_rollup.

1. Every (pid, VA -> PFN) the guest's pagemap reported is in the map
   (haywire-rmap --dump), and the map holds no user mapping the truth lacks.
   Allowances, each a class the truth cannot see: the truth program itself
   (`self`: it lists no pages of its own); x86's [vsyscall] page is not in
   any process's tables (it lives in the kernel half, which the map does not
   walk as user memory) so neither side has it.
2. RSS per process equals smaps_rollup's Rss exactly; PSS is within 1%.
   Both leave out the shared zero page and vvar, as smaps does: the kernel
   counts only "normal" pages (vm_normal_page() is NULL for the zero page
   and for PFN-mapped vvar), although pagemap shows them present (flag z).
   The truth's page counts include those pages; Rss does not.
3. The pages of the MAP_SHARED pair are owned by both processes at the VAs
   the guest reported (haywire-rmap --json SOURCE PA).
4. The shared-frame total covers every frame the truth shows mapped by two
   or more processes.
5. haywire-map writes a valid PNG of the documented geometry (IHDR parsed
   here, every chunk CRC checked, pixels decoded), and the cells of pages
   owned by one process alone share one colour, distinct from other
   processes' and from unowned RAM's.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
from guestlib import check, guest_read_ranges, load_env, parse_truth, run_test
from pngread import read_rgb


def run(args, timeout=300):
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    check(out.returncode == 0, f"{os.path.basename(args[0])} failed: {out.stderr.strip()}")
    return out.stdout


def truth_pages(truth):
    """{(pid, va): (pfn, flags)} over every user process of the truth."""
    pages = {}
    for r in truth.runs:
        for i in range(r.count):
            pages[(r.pid, r.va + i * truth.pagesize)] = (r.pfn + i, r.flags)
    return pages


def check_dump(truth, exe, spec):
    ours = {}
    for line in run([exe, "--dump", spec]).splitlines():
        o = json.loads(line)
        key = (o["pid"], int(o["va"], 16))
        check(key not in ours, f"pid {key[0]} VA {key[1]:#x} dumped twice")
        ours[key] = int(o["pfn"], 16)
    theirs = truth_pages(truth)
    self_pid = int(truth.header["self"])
    for (pid, va), (pfn, _) in theirs.items():
        got = ours.get((pid, va))
        check(got is not None, f"pid {pid} VA {va:#x} (PFN {pfn:#x}) is not in the map")
        check(got == pfn, f"pid {pid} VA {va:#x}: map says PFN {got:#x}, pagemap {pfn:#x}")
    extra = [k for k in ours if k not in theirs and k[0] != self_pid]
    check(not extra, f"{len(extra)} mappings the truth lacks, e.g. pid {extra[0][0] if extra else 0} "
          f"VA {extra[0][1] if extra else 0:#x}")
    zero = sum(1 for _, f in theirs.values() if "z" in f)
    print(f"dump: {len(theirs)} pagemap pages all in the map ({len(ours)} mappings incl. "
          f"self), {zero} zero-page mappings")
    return theirs


def check_stats(truth, exe, spec):
    stats = json.loads(run([exe, "--stats", "--json", spec]))
    procs = {p["pid"]: p for p in stats["processes"]}
    self_pid = int(truth.header["self"])
    worst = 0.0
    for pid, roll in truth.rollup.items():
        p = procs.get(pid)
        check(p is not None, f"process {pid} has a rollup but is not in the map")
        check(p["rss_kb"] == roll["rss"], f"pid {pid}: RSS {p['rss_kb']} kB, guest says {roll['rss']}")
        diff = abs(p["pss_kb"] - roll["pss"])
        check(diff <= max(1, roll["pss"] / 100),
              f"pid {pid}: PSS {p['pss_kb']} kB, guest says {roll['pss']} (more than 1%)")
        check(p["uss_kb"] <= p["pss_kb"] <= p["rss_kb"], f"pid {pid}: not USS <= PSS <= RSS: {p}")
        worst = max(worst, diff / max(1, roll["pss"]))
    for pid in procs:
        check(pid in truth.rollup or pid == self_pid, f"map lists process {pid} the guest did not")
    print(f"stats: RSS equal for {len(truth.rollup)} processes, PSS worst {worst:.3%}; "
          f"totals {stats['totals']}")
    return stats


def check_owners(truth, exe, spec, pages):
    a = truth.by_comm("hw-shm-a")[0].pid
    b = truth.by_comm("hw-shm-b")[0].pid
    shm = [m for m in truth.maps if m.pid == b and "s" in m.perms[3:] and m.end - m.start == 4 << 20]
    check(shm, "hw-shm-b has no 4 MiB shared mapping in the truth")
    va_b = shm[0].start + 0x1000 * 7
    pfn = pages[(b, va_b)][0]
    va_a = [va for (pid, va), (f, _) in pages.items() if pid == a and f == pfn]
    got = json.loads(run([exe, "--json", spec, hex(pfn * truth.pagesize + 0x123)]))
    users = {(o["pid"], int(o["va"], 16)) for o in got["owners"] if o["kind"] == "user"}
    want = {(b, va_b + 0x123)} | {(a, va + 0x123) for va in va_a}
    check(len(va_a) == 1 and users == want, f"owners of PFN {pfn:#x}: {users}, truth {want}")
    print(f"owners: PFN {pfn:#x} -> pids {sorted(p for p, _ in users)}")


def check_shared(truth, stats, pages):
    by_frame = {}
    for (pid, _), (pfn, _) in pages.items():
        by_frame.setdefault(pfn, set()).add(pid)
    shared = sum(1 for pids in by_frame.values() if len(pids) > 1)
    got = stats["totals"]["shared_pages"]
    check(got >= shared, f"{got} shared frames, the truth shows {shared}")
    # Only the truth program's own pages (not in the truth) may add more.
    self_rss = next(p["rss_kb"] for p in stats["processes"] if p["pid"] == int(truth.header["self"]))
    check(got <= shared + self_rss // 4 + 1, f"{got} shared frames, the truth shows {shared}")
    print(f"shared: {got} frames (truth {shared})")


def check_png(truth, env, exe, guest_read_exe, pages):
    ranges = [(gpa, gpa + size) for gpa, size in guest_read_ranges(guest_read_exe, env["SOURCE_SPEC"])]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "map.png")
        line = run([exe, env["SOURCE_SPEC"], "-o", path])
        geo = dict(kv.split("=") for kv in line.split()[2:])
        geo = {k: int(v) for k, v in geo.items()}
        w, h, rows = read_rgb(path)
    total = sum((b - a) // truth.pagesize for a, b in ranges)
    check(total == int(env["RAM_SIZE"]) // truth.pagesize and geo["pages"] == total,
          f"picture covers {geo['pages']} pages, RAM has {total}")
    check((w, h) == (geo["width"], geo["height"]) and w <= 2048 and h <= 2048,
          f"IHDR {w}x{h}, tool said {geo}")
    cells = -(-total // geo["pages_per_cell"])
    check(geo["map_height"] == -(-cells // geo["cols"]) * geo["cell_px"] and h > geo["map_height"],
          f"geometry {geo} does not hold {cells} cells and a legend")

    def colour(pfn):
        pa, index = pfn * truth.pagesize, 0
        for a, b in ranges:
            if a <= pa < b:
                cell = (index + (pa - a) // truth.pagesize) // geo["pages_per_cell"]
                x = (cell % geo["cols"]) * geo["cell_px"]
                y = (cell // geo["cols"]) * geo["cell_px"]
                return rows[y][x * 3:x * 3 + 3]
            index += (b - a) // truth.pagesize
        raise AssertionError(f"PFN {pfn:#x} outside RAM")

    owners = {}
    for (pid, _), (pfn, _) in pages.items():
        owners.setdefault(pfn, set()).add(pid)
    seen = {}
    for comm in ("hw-alloc", "hw-user", "hw-threads"):
        pid = truth.by_comm(comm)[0].pid
        # (the zero page lies in the kernel image and is drawn as such)
        mine = [pfn for (p, _), (pfn, fl) in pages.items()
                if p == pid and owners[pfn] == {pid} and "z" not in fl]
        check(mine, f"{comm} has no private pages")
        colours = {colour(pfn) for pfn in mine}
        check(len(colours) == 1, f"{comm}'s private pages have {len(colours)} colours")
        seen[comm] = colours.pop()
    check(len(set(seen.values())) == len(seen), f"processes share a colour: {seen}")
    print(f"png: {w}x{h}, {geo['pages_per_cell']} page(s) per cell; colours {seen}")


def main(argv):
    state, guest_read_exe, rmap_exe = argv[:3]
    map_exe = argv[3] if len(argv) > 3 else None
    env = load_env(state)
    truth = parse_truth(env["TRUTH"])
    spec = env["SOURCE_SPEC"]
    pages = check_dump(truth, rmap_exe, spec)
    stats = check_stats(truth, rmap_exe, spec)
    check_owners(truth, rmap_exe, spec, pages)
    check_shared(truth, stats, pages)
    if map_exe:
        check_png(truth, env, map_exe, guest_read_exe, pages)


if __name__ == "__main__":
    run_test(main)

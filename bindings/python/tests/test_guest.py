"""The Python binding against the harness guest (HAYWIRE_GUEST_STATE): the
process list equals the guest's /proc, sample pages translate to the PFNs the
guest's pagemap gave, the kernel is the one the guest runs."""
import pytest

from conftest import required_env

import haywire
from guestlib import load_env, parse_truth
from taskcompare import compare, sample_pages


@pytest.fixture(scope="module")
def guest():
    env = load_env(required_env("HAYWIRE_GUEST_STATE"))
    return env["SOURCE_SPEC"], parse_truth(env["TRUTH"])


@pytest.fixture(scope="module")
def kernel(guest):
    with haywire.open(guest[0]) as src:
        with src.kernel() as k:
            yield k


def as_dict(t):
    return {"pid": t.pid, "tgid": t.tgid, "ppid": t.ppid, "uid": t.uid, "comm": t.comm,
            "kernel_thread": t.kernel_thread, "pgd": t.pgd or None}


def test_kernel(guest, kernel):
    truth = guest[1]
    assert kernel.release == truth.header["release"]
    for name, addr in truth.ksyms.items():
        assert kernel.symbol(name) == addr
    info = kernel.info
    assert info.page_size == truth.pagesize and info.symbols > 0
    with pytest.raises(haywire.NotFoundError, match="no_such_symbol"):
        kernel.symbol("no_such_symbol")


def test_processes_equal_the_truth(guest, kernel):
    tasks = kernel.processes(threads=True)
    print(compare(guest[1], [as_dict(t) for t in tasks]))
    processes = kernel.processes()
    assert [as_dict(t) for t in tasks if not t.is_thread] == [as_dict(t) for t in processes]
    assert all(not t.is_thread for t in processes)


def test_sample_pages_translate_to_their_pfns(guest, kernel):
    truth = guest[1]
    samples = sample_pages(truth, 300)
    assert samples, "the truth has no pages"
    shift = truth.pagesize.bit_length() - 1
    with kernel.snapshot(threads=True) as procs:
        spaces = {}
        for pid, va, pfn in samples:
            if pid not in spaces:
                spaces[pid] = procs.aspace(procs.find(pid))
            t = spaces[pid].translate(va)
            assert t.mapped, f"pid {pid} va {va:#x}: status {t.status}"
            assert t.pa >> shift == pfn, f"pid {pid} va {va:#x}: pa {t.pa:#x}, pfn {pfn:#x}"
            assert t.steps and t.steps[-1].out_pa >> shift <= pfn
        kthread = next(t for t in procs if t.kernel_thread)
        with pytest.raises(haywire.NotFoundError):
            procs.aspace(kthread)


def test_example_lists_the_processes(guest, kernel):
    import os
    import subprocess
    import sys
    from conftest import ROOT
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "python", "haywire_ps.py"),
                          guest[0]], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "bindings", "python")))
    assert out.returncode == 0, out.stderr
    listing, _, owners = out.stdout.partition("\n\n")
    rows = listing.splitlines()[2:]
    assert rows and {int(r.split()[0]) for r in rows} == {t.pid for t in kernel.processes()}
    top = owners.splitlines()[2:]
    assert len(top) == 5 and int(top[0].split()[0]) in {t.pid for t in kernel.processes()}
    bad = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "python", "haywire_ps.py"),
                          "/nonexistent/ram"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "bindings", "python")))
    assert bad.returncode == 1 and "HAYWIRE_E_NOT_FOUND" in bad.stderr


def test_rmap_owners_and_rss_agree_with_the_guest(guest, kernel):
    truth = guest[1]
    with kernel.rmap() as rmap:
        stats = rmap.stats
        assert stats.page_size == truth.pagesize and stats.mapped_pages > 0
        procs = {p.pid: p for p in rmap.processes}
        # RSS per process from its page tables equals the guest's smaps_rollup
        for pid, rollup in truth.rollup.items():
            if pid in procs and pid != int(truth.header["self"]):
                assert procs[pid].rss_bytes // 1024 == rollup["rss"], f"pid {pid}"
        # owners of sample pages include the process at the VA pagemap gave
        for pid, va, pfn in sample_pages(truth, 100):
            owners = rmap.owners(pfn * truth.pagesize)
            assert any(o.kind == haywire.HAYWIRE_RMAP_USER and o.pid == pid and o.va == va
                       for o in owners), f"pid {pid} va {va:#x} pfn {pfn:#x}: {owners}"
        # the per-page summary agrees with the owner lists
        pid, va, pfn = sample_pages(truth, 1)[0]
        pages = rmap.pages(pfn * truth.pagesize, 1)
        assert pages.kind[0] == haywire.HAYWIRE_RMAP_USER and pages.mapcount[0] >= 1
        # the dump holds every mapping of a sample process's pages
        dumped = {(d["va"], d["pfn"]) for d in rmap.dump() if d["pid"] == pid}
        assert (va, pfn) in dumped
        assert rmap.kernel_ranges(), "no kernel image found"
        # a refresh gives the same map, in place
        before = [(p.pid, p.rss_bytes, p.pss_bytes) for p in rmap.processes]
        rmap.refresh()
        assert [(p.pid, p.rss_bytes, p.pss_bytes) for p in rmap.processes] == before
    assert rmap.closed

"""Helpers shared by the guest tests: the env file, the truth file, guest-read.

Importable by later test scripts too (sys.path.insert(0, 'tests/guest')).
"""
import os
import subprocess
import sys
from dataclasses import dataclass, field

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import Qmp  # noqa: E402,F401  (re-exported for tests)


class TestFailure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise TestFailure(message)


def load_env(state):
    """STATEDIR/env as a dict; fails clearly when no guest was booted."""
    path = os.path.join(state, "env")
    if not os.path.exists(path):
        raise TestFailure(f"{path} missing: the guest-up test did not run or failed")
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    pid = int(env["QEMU_PID"])
    try:
        os.kill(pid, 0)
    except OSError:
        raise TestFailure(f"QEMU (pid {pid}) of {state} is not running")
    return env


@dataclass
class Task:
    pid: int
    tgid: int
    ppid: int
    uid: int
    kthread: bool
    state: str
    comm: str


@dataclass
class Mapping:
    pid: int
    start: int
    end: int
    perms: str
    offset: int
    path: str


@dataclass
class Run:
    pid: int
    va: int
    pfn: int
    count: int
    flags: str


@dataclass
class Truth:
    header: dict = field(default_factory=dict)  # arch, release, cmdline, pagesize, self
    ram: list = field(default_factory=list)  # (start, end) half-open
    ksyms: dict = field(default_factory=dict)
    tasks: list = field(default_factory=list)
    rollup: dict = field(default_factory=dict)  # pid -> dict rss, pss, pss_anon, pss_file, pss_shmem (kB)
    maps: list = field(default_factory=list)
    runs: list = field(default_factory=list)
    end: dict = field(default_factory=dict)

    def by_comm(self, comm):
        return [t for t in self.tasks if t.comm == comm]

    def pages(self, pid):
        """{va: (pfn, flags)} of every present page of PID."""
        out = {}
        for r in self.runs:
            if r.pid == pid:
                for i in range(r.count):
                    out[r.va + i * self.pagesize] = (r.pfn + i, r.flags)
        return out

    @property
    def pagesize(self):
        return int(self.header.get("pagesize", 4096))


def parse_truth(path):
    """Parse the truth file (format: tests/guest/README.md)."""
    t = Truth()
    with open(path, errors="replace") as f:
        lines = f.read().split("\n")
    check(lines and lines[0] == "haywire-truth 1", f"{path}: not a haywire-truth 1 file")
    for n, line in enumerate(lines[1:], 2):
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        try:
            if kind in ("arch", "release", "cmdline", "pagesize", "self"):
                t.header[kind] = rest
            elif kind == "ram":
                a, b = rest.split()
                t.ram.append((int(a, 16), int(b, 16)))
            elif kind == "ksym":
                name, addr = rest.split()
                t.ksyms[name] = int(addr, 16)
            elif kind == "task":
                f = rest.split(" ", 6)
                t.tasks.append(Task(int(f[0]), int(f[1]), int(f[2]), int(f[3]), f[4] == "1",
                                    f[5], f[6]))
            elif kind == "rollup":
                f = [int(x) for x in rest.split()]
                t.rollup[f[0]] = dict(zip(("rss", "pss", "pss_anon", "pss_file", "pss_shmem"),
                                          f[1:]))
            elif kind == "map":
                f = rest.split(" ", 5)
                t.maps.append(Mapping(int(f[0]), int(f[1], 16), int(f[2], 16), f[3],
                                      int(f[4], 16), f[5]))
            elif kind == "pages":
                f = rest.split()
                t.runs.append(Run(int(f[0]), int(f[1], 16), int(f[2], 16), int(f[3]), f[4]))
            elif kind == "end":
                t.end = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}
            else:
                raise ValueError(f"unknown record {kind!r}")
        except (ValueError, IndexError) as e:
            raise TestFailure(f"{path}:{n}: bad line {line!r}: {e}")
    check(t.end, f"{path}: no end marker (truncated truth)")
    return t


def guest_read_ranges(guest_read, spec):
    out = subprocess.run([guest_read, spec, "ranges"], capture_output=True, text=True,
                         timeout=60)
    check(out.returncode == 0, f"guest-read ranges failed: {out.stderr.strip()}")
    return [(int(a, 16), int(b, 16)) for _, a, b in (l.split() for l in out.stdout.splitlines())]


def guest_read(guest_read_exe, spec, addresses, length):
    """{pa: bytes or None (not RAM)} for every address, read through the library."""
    stdin = "".join(f"{a:x}\n" for a in addresses)
    out = subprocess.run([guest_read_exe, spec, "read", str(length)], input=stdin,
                         capture_output=True, text=True, timeout=300)
    check(out.returncode == 0, f"guest-read failed: {out.stderr.strip()}")
    result = {}
    for line in out.stdout.splitlines():
        pa, data = line.split()
        result[int(pa, 16)] = None if data == "notram" else bytes.fromhex(data)
    check(len(result) == len(set(addresses)), "guest-read answered fewer addresses than asked")
    return result


def run_test(main):
    """Run MAIN(argv); report TestFailure as a clear one-line failure (exit 1)."""
    try:
        main(sys.argv[1:])
    except TestFailure as e:
        print(f"FAIL: {e}")
        sys.exit(1)
    print("ok")

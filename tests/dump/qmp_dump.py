#!/usr/bin/env python3
"""Real-QEMU dump check: fill a RAM file with a pattern, start QEMU (-S) on it,
write dumps over QMP in every format, and compare each dump with the RAM file
through libhaywire (dump-compare). Exit 77 (skip) when QEMU is missing.

usage: qmp_dump.py DUMP_COMPARE ARCH   (ARCH: x86_64 or aarch64)
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

RAM_MIB = 256
SKIP = 77


def log(*a):
    print(*a, flush=True)


def fill_pattern(path, size):
    # Every 8-byte word holds its own offset XOR a constant: any misplaced
    # page or byte shows up. The last page stays zero (zero-page handling).
    # Chunk at B = chunk at 0 XOR B in every word (B's bits are above the
    # chunk's), which keeps this fast without numpy.
    chunk = 1 << 20
    first = b"".join(((w * 8) ^ 0x5A5A0000DEAD0000).to_bytes(8, "little")
                     for w in range(chunk // 8))
    first_int = int.from_bytes(first, "little")
    with open(path, "wb") as f:
        for base in range(0, size, chunk):
            word = int.from_bytes(base.to_bytes(8, "little") * (chunk // 8), "little")
            data = (first_int ^ word).to_bytes(chunk, "little")
            if base + chunk >= size:
                data = data[:-4096] + bytes(4096)
            f.write(data)


class QMP:
    def __init__(self, path, deadline):
        self.deadline = deadline
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QMP socket never came up")
                time.sleep(0.1)
        self.sock.settimeout(30)
        self.buf = b""
        greeting = self.recv()
        assert "QMP" in greeting, greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            if time.monotonic() > self.deadline:
                raise RuntimeError("QMP timed out")
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv()
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError(f"{name}: {r['error']}")
            return r["return"]


def main():
    compare, arch = sys.argv[1], sys.argv[2]
    qemu = shutil.which(f"qemu-system-{arch}")
    if not qemu:
        log(f"qemu-system-{arch} not found: skipping")
        return SKIP
    if arch == "x86_64":
        machine, layout = ["-M", "q35"], "q35"
    else:
        machine, layout = ["-M", "virt", "-cpu", "max"], "virt"
    tmp = tempfile.mkdtemp(prefix="hw-qemu-dump-", dir=os.environ.get("TMPDIR"))
    ram = os.path.join(tmp, "ram")
    sock = os.path.join(tmp, "qmp.sock")
    size = RAM_MIB << 20
    fill_pattern(ram, size)
    cmd = [qemu, *machine, "-m", str(RAM_MIB), "-smp", "2", "-S", "-nographic", "-nodefaults",
           "-accel", "tcg",
           "-object", f"memory-backend-file,id=ram,size={RAM_MIB}M,mem-path={ram},share=on",
           "-machine", "memory-backend=ram", "-qmp", f"unix:{sock},server=on,wait=off"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(tmp, "qemu.log"), "w"))
    failures = 0
    try:
        q = QMP(sock, time.monotonic() + 60)
        for fmt in ("elf", "kdump-zlib", "kdump-lzo", "kdump-snappy"):
            out = os.path.join(tmp, f"dump.{fmt}")
            try:
                q.cmd("dump-guest-memory", paging=False, protocol=f"file:{out}", format=fmt)
            except RuntimeError as e:
                # Debian's QEMU lacks lzo and snappy: only a missing codec is tolerated.
                log(f"{arch} {fmt}: QEMU refused: {e}")
                if "not available" not in str(e) or fmt == "elf" or fmt == "kdump-zlib":
                    failures += 1
                continue
            deadline = time.monotonic() + 240
            while True:
                st = q.cmd("query-dump")
                if st["status"] in ("completed", "failed"):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{fmt}: dump did not finish in time")
                time.sleep(0.2)
            if st["status"] != "completed":
                log(f"{arch} {fmt}: dump failed: {st}")
                failures += 1
                continue
            args = [compare, f"dump:{out}", f"file:{ram},layout={layout}"]
            args += ["--cpus", "--ncpus", "2"]
            if arch == "x86_64":
                # At reset (-S) the guest sees ROMs at 0xc0000..0x100000 and
                # the 256 KiB BIOS below 4 GiB; QEMU dumps those views.
                args += ["--want-cr3", "--x86-reset", "--rom", "c0000:100000", "--extra", str(256 << 10)]
            t0 = time.monotonic()
            r = subprocess.run(args, capture_output=True, text=True, timeout=300)
            log(f"--- {arch} {fmt} ({os.path.getsize(out)} bytes, compared in "
                f"{time.monotonic() - t0:.1f}s): exit {r.returncode}")
            log(r.stdout.strip())
            if r.stderr.strip():
                log(r.stderr.strip())
            failures += r.returncode != 0
            os.unlink(out)
        q.cmd("quit")
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

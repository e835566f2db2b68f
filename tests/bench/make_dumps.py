#!/usr/bin/env python3
"""Write a RAM file and dumps of the same moment for dump-bench:
ram (q35 layout), dump.elf, dump.kdump-zlib (flattened, as QEMU writes it),
dump.kdump-plain (the same, unflattened) and dump.lime (built from the RAM
file). usage: make_dumps.py DIR [MIB]"""
import os
import signal
import subprocess
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dump"))
from qmp_dump import QMP, fill_pattern  # noqa: E402


def unflatten(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as out:
        f.seek(4096)
        while True:
            off, size = struct.unpack(">qq", f.read(16))
            if off == -1:
                break
            out.seek(off)
            out.write(f.read(size))


def main():
    d, mib = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    os.makedirs(d, exist_ok=True)
    ram, sock = os.path.join(d, "ram"), os.path.join(d, "qmp.sock")
    fill_pattern(ram, mib << 20)
    proc = subprocess.Popen(
        ["qemu-system-x86_64", "-M", "q35", "-m", str(mib), "-S", "-nographic", "-nodefaults",
         "-accel", "tcg", "-object",
         f"memory-backend-file,id=ram,size={mib}M,mem-path={ram},share=on",
         "-machine", "memory-backend=ram", "-qmp", f"unix:{sock},server=on,wait=off"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        q = QMP(sock, time.monotonic() + 60)
        for fmt in ("elf", "kdump-zlib"):
            out = os.path.join(d, "dump." + fmt)
            q.cmd("dump-guest-memory", paging=False, protocol="file:" + out, format=fmt)
            deadline = time.monotonic() + 500
            while q.cmd("query-dump")["status"] not in ("completed", "failed"):
                if time.monotonic() > deadline:
                    raise RuntimeError("dump timed out")
                time.sleep(0.2)
        q.cmd("quit")
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    unflatten(os.path.join(d, "dump.kdump-zlib"), os.path.join(d, "dump.kdump-plain"))
    # LiME of the q35 RAM: low RAM (up to 2 or 2.75 GiB), the rest from 4 GiB
    size = mib << 20
    low = min(size, 0x80000000 if size >= 0xB0000000 else 0xB0000000)
    with open(ram, "rb") as f, open(os.path.join(d, "dump.lime"), "wb") as out:
        for start, length in ((0, low), (1 << 32, size - low)):
            if length:
                out.write(struct.pack("<IIQQQ", 0x4C694D45, 1, start, start + length - 1, 0))
                while length:
                    n = min(length, 1 << 24)
                    out.write(f.read(n))
                    length -= n


if __name__ == "__main__":
    main()

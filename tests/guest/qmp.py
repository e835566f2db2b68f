#!/usr/bin/env python3
"""qmp.py STATEDIR COMMAND [JSON-ARGS]  -- talk to a test guest's QEMU over QMP.

  qmp.py STATE stop                      any QMP command; prints its "return" as JSON
  qmp.py STATE query-status
  qmp.py STATE human-monitor-command '{"command-line": "info registers"}'
  qmp.py STATE hmp 'info mtree -f'       HMP command; prints its text output
  qmp.py STATE dump FILE [elf|kdump-zlib|kdump-lzo|kdump-snappy|win-dmp]
                                         dump-guest-memory (paging: false), waits;
                                         kdump files are reassembled (see below)
  qmp.py STATE dump-flat FILE kdump-zlib as dump, but keeps QEMU's output as is

QEMU before 8.2 writes kdump-* dumps in makedumpfile's "flattened" format (a
stream of (offset, size, data) records, what `makedumpfile -F` emits); `dump`
turns that into the ordinary kdump-compressed file (`makedumpfile -R` does the
same), `dump-flat` keeps the flattened stream for readers that should accept it.

STATE is a directory holding qmp.sock (see boot-guest.sh). Every wait is
bounded (HAYWIRE_QMP_TIMEOUT seconds, default 120). Exit status 1 with the
QEMU error on stderr if the command fails. Also importable: Qmp(path).
"""
import json
import os
import socket
import sys
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, sock_path, timeout=None):
        self.timeout = float(timeout or os.environ.get("HAYWIRE_QMP_TIMEOUT", "120"))
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(sock_path)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"not a QMP greeting: {greeting}")
        self.command("qmp_capabilities")

    def _read(self):
        """Next JSON message that is not an asynchronous event."""
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\n" not in self.buf:
                if time.monotonic() > deadline:
                    raise QmpError("timed out waiting for QEMU")
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise QmpError("QEMU closed the QMP connection")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            if not line.strip():
                continue
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, args=None):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        reply = self._read()
        if "error" in reply:
            raise QmpError(f"{name}: {reply['error'].get('desc', reply['error'])}")
        return reply.get("return")

    def hmp(self, line):
        return self.command("human-monitor-command", {"command-line": line})

    def close(self):
        self.sock.close()


FLAT_SIGNATURE = b"makedumpfile\0\0\0\0"
FLAT_HEADER_SIZE = 4096


def unflatten(path):
    """Rewrite a makedumpfile flattened stream at PATH as the plain file it describes."""
    with open(path, "rb") as f:
        if f.read(16) != FLAT_SIGNATURE:
            return False
        f.seek(FLAT_HEADER_SIZE)
        size = os.fstat(f.fileno()).st_size
        with open(path + ".tmp", "wb") as out:
            while True:
                head = f.read(16)
                if len(head) != 16:
                    raise QmpError(f"{path}: flattened dump ends without its end record")
                offset = int.from_bytes(head[:8], "big", signed=True)
                length = int.from_bytes(head[8:], "big", signed=True)
                if offset == -1:
                    break
                if offset < 0 or length < 0 or length > size - f.tell():
                    raise QmpError(f"{path}: bad flattened record ({offset}, {length})")
                out.seek(offset)
                out.write(f.read(length))
    os.replace(path + ".tmp", path)
    return True


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    state, cmd, rest = argv[1], argv[2], argv[3:]
    try:
        q = Qmp(os.path.join(state, "qmp.sock"))
        if cmd == "hmp":
            sys.stdout.write(q.hmp(" ".join(rest)))
        elif cmd in ("dump", "dump-flat"):
            if not rest:
                sys.stderr.write(f"qmp.py: {cmd} FILE [FORMAT]\n")
                return 2
            args = {"paging": False, "protocol": "file:" + os.path.abspath(rest[0])}
            if len(rest) > 1:
                args["format"] = rest[1]
            q.command("dump-guest-memory", args)
            if cmd == "dump" and rest[1:2] and rest[1].startswith("kdump"):
                unflatten(rest[0])
        else:
            args = json.loads(rest[0]) if rest else None
            print(json.dumps(q.command(cmd, args)))
        q.close()
    except (OSError, QmpError, ValueError) as e:
        sys.stderr.write(f"qmp.py: {cmd}: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

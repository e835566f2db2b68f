#!/usr/bin/env python3
"""mkcpio.py DIR OUT.cpio.gz -- pack DIR as a gzip'd newc initramfs.

Every entry is owned by root (uid/gid 0) with mtime 0 whatever the host user,
so no root (or fakeroot) is needed on the host and the archive is
reproducible. Regular files, directories and symlinks only; /dev/console
comes from the kernel's built-in initramfs.
"""
import gzip
import os
import stat
import sys


def header(ino, mode, nlink, size, name):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def entries(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            yield rel, dirpath
        for name in sorted(filenames):
            yield os.path.normpath(os.path.join(rel, name)), os.path.join(dirpath, name)
        # symlinks to directories are listed in dirnames but not walked
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                yield os.path.normpath(os.path.join(rel, name)), full


def main():
    root, out = sys.argv[1], sys.argv[2]
    with open(out + ".tmp", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        ino = 1
        for name, path in entries(root):
            st = os.lstat(path)
            data = b""
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
                mode = stat.S_IFLNK | 0o777
            elif stat.S_ISDIR(st.st_mode):
                mode = stat.S_IFDIR | 0o755
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
                mode = stat.S_IFREG | (0o755 if st.st_mode & 0o111 else 0o644)
            else:
                sys.exit(f"mkcpio: {path}: unsupported file type")
            encoded = name.encode()
            head = header(ino, mode, 2 if stat.S_ISDIR(mode) else 1, len(data), encoded)
            gz.write(head + encoded + b"\0" + pad(len(head) + len(encoded) + 1))
            gz.write(data + pad(len(data)))
            ino += 1
        trailer = header(0, 0, 1, 0, b"TRAILER!!!") + b"TRAILER!!!\0"
        gz.write(trailer + pad(len(trailer)))
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()

"""Minimal PNG reader for the tests: chunks, IHDR, and 8-bit RGB pixels.

Only what the examples write: 8-bit truecolour, no interlace; all five
scanline filters are undone, so any encoder's output of that kind decodes.
"""
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PngError(Exception):
    pass


def chunks(data):
    if data[:8] != SIGNATURE:
        raise PngError("not a PNG (bad signature)")
    pos = 8
    while pos < len(data):
        if pos + 8 > len(data):
            raise PngError("truncated chunk header")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise PngError(f"truncated {kind!r} chunk")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise PngError(f"bad CRC in {kind!r}")
        yield kind.decode("latin-1"), body
        pos += 12 + length
        if kind == b"IEND":
            return
    raise PngError("no IEND chunk")


def read_rgb(path):
    """(width, height, rows) where rows[y] is bytes of width*3 RGB values."""
    data = open(path, "rb").read()
    ihdr, idat = None, b""
    for kind, body in chunks(data):
        if kind == "IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == "IDAT":
            idat += body
    if not ihdr:
        raise PngError("no IHDR")
    w, h, depth, ctype, _, _, interlace = ihdr
    if (depth, ctype, interlace) != (8, 2, 0):
        raise PngError(f"not 8-bit RGB non-interlaced: depth {depth} type {ctype}")
    raw = zlib.decompress(idat)
    stride = w * 3
    if len(raw) != h * (stride + 1):
        raise PngError(f"{len(raw)} bytes of pixel data for {w}x{h}")
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
            elif f != 0:
                raise PngError(f"bad filter {f} on row {y}")
        rows.append(bytes(line))
        prev = line
    return w, h, rows

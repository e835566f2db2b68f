#!/usr/bin/env python3
"""c_api.py LIBRARY [STRUCT_LAYOUT_EXE] -- the public C API as JSON, for the binding tests.

{"functions": {name: number of parameters}}  every HAYWIRE_API declaration of
                                              include/haywire/*.h
 "exported":  [names]                        haywire_* functions `nm -D` finds
 "structs":   [names]                        public struct typedefs
 "layout":    {...}                          struct-layout's output (sizes, offsets)
The tests of every binding compare their own tables with this, so a function
or struct added to a header without a binding fails them.
"""
import json
import os
import re
import subprocess
import sys

HEADERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include",
                       "haywire")


def header_text():
    text = ""
    for name in sorted(os.listdir(HEADERS)):
        if name.endswith(".h"):
            with open(os.path.join(HEADERS, name)) as f:
                text += re.sub(r"/\*.*?\*/|//[^\n]*", " ", f.read(), flags=re.S)
    return text


def functions(text):
    out = {}
    for m in re.finditer(r"HAYWIRE_API\s+[^;(]*?\b(haywire_\w+)\s*\(([^)]*)\)\s*;", text):
        params = " ".join(m.group(2).split())
        out[m.group(1)] = 0 if params in ("", "void") else params.count(",") + 1
    return out


def main(argv):
    text = header_text()
    result = {
        "functions": functions(text),
        "structs": sorted(set(re.findall(r"typedef\s+struct\s+(haywire_\w+)\s*\{", text))),
    }
    nm = subprocess.run(["nm", "-D", "--defined-only", argv[0]], capture_output=True, text=True,
                        check=True)
    result["exported"] = sorted(l.split()[2].split("@")[0] for l in nm.stdout.splitlines()
                                if len(l.split()) == 3 and l.split()[1] == "T")
    if len(argv) > 1:
        result["layout"] = json.loads(subprocess.run([argv[1]], capture_output=True, text=True,
                                                     check=True).stdout)
    json.dump(result, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])

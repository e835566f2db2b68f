"""Test setup: which library, which C layout program, which guest.

HAYWIRE_LIBRARY      the libhaywire.so.1 to test (meson points at the build tree)
HAYWIRE_STRUCT_LAYOUT  tests/bindings/struct-layout of the same build
HAYWIRE_GUEST_STATE  a booted guest's state dir (tests/guest/boot-guest.sh), for test_guest.py
The package is imported from this source tree unless HAYWIRE_PYTHON_INSTALLED is set.
"""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
if not os.environ.get("HAYWIRE_PYTHON_INSTALLED"):
    sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bindings"))


def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"${name} is not set (see bindings/python/tests/conftest.py)")
    return value

"""The Python binding without a guest: completeness against the C API, struct
layouts against the C compiler, and behaviour on synthetic RAM files."""
import ctypes
import json
import os
import struct
import subprocess
import sys

import pytest

from conftest import ROOT, required_env

import haywire
from haywire import _ffi


@pytest.fixture(scope="module")
def c_api():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bindings", "c_api.py"),
                          required_env("HAYWIRE_LIBRARY"), required_env("HAYWIRE_STRUCT_LAYOUT")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_every_c_function_is_bound(c_api):
    assert set(c_api["functions"]) == set(c_api["exported"]), "header and library disagree"
    missing = set(c_api["functions"]) - set(_ffi.FUNCTIONS)
    assert not missing, f"public C functions without a Python binding: {sorted(missing)}"
    extra = set(_ffi.FUNCTIONS) - set(c_api["functions"])
    assert not extra, f"bindings of functions the headers do not declare: {sorted(extra)}"
    for name, nparams in c_api["functions"].items():
        assert len(_ffi.FUNCTIONS[name][1]) == nparams, f"{name}: parameter count"


def test_struct_layouts_match_the_c_compiler(c_api):
    assert set(_ffi.STRUCTS) == set(c_api["structs"]), "public structs without a ctypes layout"
    assert set(c_api["layout"]) == set(c_api["structs"]), \
        "tests/bindings/struct-layout.c misses a public struct"
    for name, cls in _ffi.STRUCTS.items():
        c = c_api["layout"][name]
        assert ctypes.sizeof(cls) == c["size"], f"sizeof({name})"
        ours = {f[0]: getattr(cls, f[0]).offset for f in cls._fields_}
        assert ours == c["fields"], f"{name}: field offsets"


def test_constants_are_generated_from_the_headers():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "bindings", "gen_constants.py"),
                          "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert haywire.HAYWIRE_COMM_LEN == _ffi.TaskC.comm.size


def test_status_codes_come_from_the_library():
    assert haywire.STATUS["HAYWIRE_OK"] == 0
    for name, code in haywire.STATUS.items():
        assert haywire.status_name(code) == name
        if code:
            cls = haywire.error_class(code)
            assert issubclass(cls, haywire.HaywireError) and cls.status == code
    assert haywire.NotRamError.status == haywire.STATUS["HAYWIRE_E_NOT_RAM"]
    assert haywire.version() >> 16 == haywire.HAYWIRE_VERSION_MAJOR
    assert haywire.version_string().startswith(f"{haywire.HAYWIRE_VERSION_MAJOR}.")


def test_errors_carry_the_library_message(tmp_path):
    missing = tmp_path / "nothing-here"
    with pytest.raises(haywire.NotFoundError) as e:
        haywire.open(f"file:{missing}")
    assert str(missing) in e.value.message and e.value.name == "HAYWIRE_E_NOT_FOUND"
    assert e.value.status == haywire.STATUS["HAYWIRE_E_NOT_FOUND"]
    ram = tmp_path / "ram"
    ram.write_bytes(b"\0" * 8192)
    with pytest.raises(haywire.InvalidError) as e:
        haywire.open(f"file:{ram},layout=nonsense")
    assert "nonsense" in str(e.value)


# An x86-64 4-level page table mapping VA 0x400000 to PA 0x5000 and VA2 to PA
# 0x6000 (two ranges) in an 8-page RAM file.
PML4, PDPT, PD, PT, PAGE, PAGE2 = 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000
VA = 0x400000  # indexes 0, 0, 2, 0
VA2 = VA + 0x10 * 4096


def write_ram(path):
    ram = bytearray(8 * 4096)
    for table, index, target in ((PML4, 0, PDPT), (PDPT, 0, PD), (PD, 2, PT), (PT, 0, PAGE),
                                  (PT, 0x10, PAGE2)):
        struct.pack_into("<Q", ram, table + 8 * index, target | 0x7)  # present, RW, user
    ram[PAGE:PAGE + 11] = b"hello guest"
    path.write_bytes(bytes(ram))


@pytest.fixture
def source(tmp_path):
    write_ram(tmp_path / "ram")
    with haywire.open(f"file:{tmp_path / 'ram'},layout=flat") as src:
        yield src


def test_source(source):
    assert source.kind == "file"
    assert source.ram_ranges == [haywire.RamRange(0, 8 * 4096)]
    assert source.ram_size == 8 * 4096
    assert source.read(PAGE, 11) == b"hello guest"
    view = source.map(PAGE, 4096)
    assert bytes(view[:5]) == b"hello" and view.readonly
    assert source.is_ram(0, 4096) and not source.is_ram(8 * 4096, 1)
    assert source.flags & haywire.HAYWIRE_SOURCE_ZERO_COPY
    with pytest.raises(haywire.NotRamError):
        source.read(8 * 4096 - 4, 8)
    assert source.cpu_states() == [] and source.vmcoreinfo() is None
    with pytest.raises(haywire.NotFoundError):  # no kernel in there
        source.kernel()


def test_translate_and_ranges(source):
    fmt = haywire.mmu_format_derive(haywire.MmuFormat(arch=haywire.HAYWIRE_ARCH_X86_64))
    assert (fmt.levels, fmt.va_bits, fmt.page_shift) == (4, 48, 12)
    with source.aspace(fmt, PML4) as aspace:
        t = aspace.translate(VA + 0x123)
        assert t.mapped and t.pa == PAGE + 0x123 and t.page_size == 4096
        assert [s.table_pa for s in t.steps] == [PML4, PDPT, PD, PT]
        assert [s.index for s in t.steps] == [0, 0, 2, 0]
        assert t.steps[-1].kind == haywire.HAYWIRE_ENTRY_PAGE
        assert t.level_names() == ["PGD", "PUD", "PMD", "PTE"]
        assert t.perms & haywire.HAYWIRE_PERM_USER
        miss = aspace.translate(VA + 4096)
        assert not miss.mapped and miss.status == haywire.STATUS["HAYWIRE_E_NOT_MAPPED"]
        ranges = list(aspace.ranges())
        assert [(r.va, r.pa, r.size) for r in ranges] == [(VA, PAGE, 4096), (VA2, PAGE2, 4096)]
        assert list(aspace.ranges(chunk=1)) == ranges  # resumes after a full buffer
        assert list(aspace.ranges(first=VA2)) == ranges[1:]
        seen = []
        stats = aspace.walk(seen.append)  # None: go on
        assert seen == ranges and stats.ranges == 2 and stats.tables_visited == 4
        seen.clear()
        aspace.walk(lambda r: seen.append(r) or True)  # True stops
        assert seen == ranges[:1]
        assert aspace.anomalies() == []
        assert aspace.root == PML4


def test_callback_exceptions_propagate(source):
    fmt = haywire.MmuFormat(arch=haywire.HAYWIRE_ARCH_X86_64)
    with source.aspace(fmt, PML4) as aspace:
        def boom(_):
            raise KeyError("from the callback")
        with pytest.raises(KeyError):
            aspace.walk(boom)


def test_closing_a_source_closes_what_was_made_from_it(source):
    aspace = source.aspace(haywire.MmuFormat(arch=haywire.HAYWIRE_ARCH_X86_64), PML4)
    source.close()
    assert aspace.closed
    with pytest.raises(ValueError, match="closed"):
        aspace.translate(VA)
    with pytest.raises(ValueError, match="closed"):
        source.read(0, 1)


def test_pip_install(tmp_path):
    """The package installs offline with pip into a venv and imports from there."""
    import shutil
    src = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "bindings", "python"), src,
                    ignore=shutil.ignore_patterns("tests", "__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--no-build-isolation", "--no-index", str(src)],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import haywire; print(haywire.__file__, haywire.version_string())"],
                         capture_output=True, text=True, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(venv)) and haywire.version_string() in out.stdout


def test_result_classes_carry_every_c_field():
    """A field added to a C struct shows up in its Python result class (or the test says so)."""
    pairs = {haywire.RamRange: _ffi.RamRangeC, haywire.CpuState: _ffi.CpuStateC,
             haywire.MmuFormat: _ffi.MmuFormatC, haywire.WalkStep: _ffi.WalkStepC,
             haywire.Translation: _ffi.TranslationC, haywire.VaRange: _ffi.VaRangeC,
             haywire.AnomalyInfo: _ffi.AnomalyInfoC, haywire.KernelInfo: _ffi.KernelInfoC,
             haywire.Task: _ffi.TaskC}
    from dataclasses import fields
    plumbing = {"struct_size", "reserved", "nsteps"}  # not results: set by or for the call
    for cls, cstruct in pairs.items():
        c_fields = {f[0] for f in cstruct._fields_} - plumbing
        ours = {f.name for f in fields(cls)} - ({"index"} if cls is haywire.Task else set())
        assert ours == c_fields, f"{cls.__name__} vs {cstruct.__name__}"
    stats = {f.name for f in fields(haywire.WalkStats)}
    assert stats == {"tables_visited", "anomalies", "ranges", "stop_va"}

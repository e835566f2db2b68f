"""libhaywire from Python: look inside QEMU guests from the host.

    import haywire
    with haywire.open("file:/path/ram,layout=virt") as src:
        with src.kernel() as kernel:
            for task in kernel.processes():
                print(task.pid, task.comm)

Loads libhaywire.so.1 (or the library named by $HAYWIRE_LIBRARY) with ctypes.
Failures raise HaywireError subclasses (NotFoundError, NotRamError, ...)
carrying the library's message. Handles close in the right order: closing a
Source closes the kernels, snapshots and address spaces made from it.
"""
import array
import ctypes
import weakref
from dataclasses import dataclass, fields
from typing import Callable, Iterator, List, Optional, Tuple, Union

from . import _ffi
from ._constants import *  # noqa: F401,F403  (HAYWIRE_* flags and sizes, generated)
from ._constants import (HAYWIRE_KERNEL_CALIBRATE, HAYWIRE_KERNEL_NO_KALLSYMS,
                         HAYWIRE_KERNEL_SCAN_VMCOREINFO, HAYWIRE_PERM_EXEC, HAYWIRE_PERM_WRITE,
                         HAYWIRE_PROCS_THREADS, HAYWIRE_RMAP_NO_PROC, HAYWIRE_TASK_KERNEL_THREAD,
                         HAYWIRE_TASK_THREAD)
from .errors import STATUS, HaywireError, error_class
from . import errors as _errors

_lib = _ffi.load()
_errors.build(_lib, globals())  # NotFoundError, NotRamError, ... from the library

__all__ = ["open", "Source", "Kernel", "Procs", "Aspace", "Rmap", "RmapStats", "RmapProc",
           "RmapOwner", "RmapMapping", "RmapPages", "Task", "Translation", "WalkStep",
           "VaRange", "AnomalyInfo", "RamRange", "CpuState", "KernelInfo", "MmuFormat",
           "WalkStats", "HaywireError", "STATUS", "error_class", "version", "version_string",
           "strerror", "status_name", "last_error", "mmu_level_name", "mmu_format_derive",
           "mmu_root_from_register", "library"]


def library() -> ctypes.CDLL:
    """The loaded ctypes library, every function declared (for calls the
    wrapper does not cover)."""
    return _lib


def _str(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw is not None else ""


def _check(status: int, call: str) -> int:
    if status < 0:
        message = _str(_lib.haywire_last_error()) or _str(_lib.haywire_strerror(status))
        raise error_class(status)(message, status, _str(_lib.haywire_status_name(status)), call)
    return status


def version() -> int:
    """The library's version, (major << 16) | (minor << 8) | patch."""
    return _lib.haywire_version()


def version_string() -> str:
    return _str(_lib.haywire_version_string())


def strerror(status: int) -> str:
    return _str(_lib.haywire_strerror(status))


def status_name(status: int) -> Optional[str]:
    raw = _lib.haywire_status_name(status)
    return raw.decode() if raw is not None else None


def last_error() -> str:
    return _str(_lib.haywire_last_error())


def mmu_level_name(levels: int, depth: int) -> str:
    return _str(_lib.haywire_mmu_level_name(levels, depth))


# --- plain results ----------------------------------------------------------

def _from_c(cls, cstruct, **extra):
    """A dataclass from a ctypes struct: same field names, bytes decoded."""
    values = {}
    for f in fields(cls):
        if f.name in extra or not hasattr(cstruct, f.name):
            continue
        v = getattr(cstruct, f.name)
        values[f.name] = _str(v) if isinstance(v, bytes) else v
    values.update(extra)
    return cls(**values)


@dataclass(frozen=True)
class RamRange:
    gpa: int
    size: int


@dataclass(frozen=True)
class CpuState:
    """One vCPU's registers; only fields whose HAYWIRE_CPU_* bit is in valid mean anything."""
    arch: int
    cpu: int
    valid: int
    pc: int
    sp: int
    cr0: int
    cr3: int
    cr4: int
    efer: int
    ttbr0_el1: int
    ttbr1_el1: int
    tcr_el1: int
    sctlr_el1: int


@dataclass
class MmuFormat:
    """A paging format; zero fields are derived (mmu_format_derive)."""
    arch: int = 0
    granule: int = 0
    va_bits: int = 0
    levels: int = 0
    pa_bits: int = 0
    flags: int = 0
    sw_present_bit: int = 0
    page_shift: int = 0
    top_entries: int = 0

    def _to_c(self) -> _ffi.MmuFormatC:
        c = _ffi.MmuFormatC.new()
        for f in fields(self):
            setattr(c, f.name, getattr(self, f.name))
        return c


def mmu_format_derive(fmt: MmuFormat) -> MmuFormat:
    """FMT with its zero fields filled in; InvalidError names a bad combination."""
    c = fmt._to_c()
    _check(_lib.haywire_mmu_format_derive(ctypes.byref(c)), "haywire_mmu_format_derive")
    return _from_c(MmuFormat, c)


def mmu_root_from_register(fmt: MmuFormat, register: int) -> int:
    """PA of the top-level table named by a CR3 / TTBR value."""
    out = ctypes.c_uint64()
    _check(_lib.haywire_mmu_root_from_register(ctypes.byref(fmt._to_c()), register,
                                               ctypes.byref(out)),
           "haywire_mmu_root_from_register")
    return out.value


@dataclass(frozen=True)
class WalkStep:
    table_pa: int
    entry: int
    out_pa: int
    index: int
    kind: int      # HAYWIRE_ENTRY_*
    anomaly: int   # HAYWIRE_ANOMALY_* bits
    depth: int


@dataclass(frozen=True)
class Translation:
    """One walk: status is 0 (pa valid), NotMapped's or Corrupt's code; steps is the trace."""
    status: int
    va: int
    pa: int
    page_size: int
    attrs: int
    perms: int
    flags: int
    levels: int
    steps: Tuple[WalkStep, ...] = ()

    @property
    def mapped(self) -> bool:
        return self.status == 0

    def level_names(self) -> List[str]:
        return [mmu_level_name(self.levels, s.depth) for s in self.steps]


@dataclass(frozen=True)
class VaRange:
    va: int
    pa: int
    size: int
    page_size: int
    perms: int
    flags: int
    memtype: int


@dataclass(frozen=True)
class AnomalyInfo:
    va: int
    table_pa: int
    entry: int
    index: int
    depth: int
    anomaly: int


@dataclass(frozen=True)
class WalkStats:
    tables_visited: int
    anomalies: int
    ranges: int
    stop_va: int


@dataclass(frozen=True)
class KernelInfo:
    arch: int
    kaslr_offset: int
    root: int
    page_size: int
    types: int
    symbols: int
    vmcoreinfo_candidates: int
    ns_vmcoreinfo: int
    ns_symbols: int
    ns_types: int
    bytes_read: int


@dataclass(frozen=True)
class Task:
    """One task of a snapshot; index is its place in the snapshot."""
    index: int
    pid: int
    tgid: int
    ppid: int
    uid: int
    comm: str
    flags: int
    task: int
    mm: int
    pgd: int

    @property
    def kernel_thread(self) -> bool:
        return bool(self.flags & HAYWIRE_TASK_KERNEL_THREAD)

    @property
    def is_thread(self) -> bool:
        return bool(self.flags & HAYWIRE_TASK_THREAD)


@dataclass(frozen=True)
class RmapStats:
    page_size: int
    procs: int
    mappings: int
    mapped_pages: int
    user_frames: int
    shared_frames: int
    page_table_pages: int
    kernel_image_bytes: int
    index_bytes: int
    tables_visited: int
    anomalies: int
    build_ns: int


@dataclass(frozen=True)
class RmapProc:
    """A process of a reverse map; index is its owner id."""
    index: int
    pid: int
    uid: int
    comm: str
    flags: int
    pgd: int
    rss_bytes: int
    pss_bytes: int
    uss_bytes: int
    page_table_bytes: int
    mappings: int


@dataclass(frozen=True)
class RmapOwner:
    kind: int  # HAYWIRE_RMAP_USER, _PAGE_TABLE or _KERNEL_IMAGE
    proc: int
    pid: int
    va: int
    page_size: int
    page_pa: int
    perms: int
    flags: int
    level: int
    mapcount: int


@dataclass(frozen=True)
class RmapMapping:
    va: int
    pa: int
    size: int
    page_size: int
    perms: int
    flags: int


@dataclass(frozen=True)
class RmapPages:
    """Per-page summary from haywire_rmap_pages: kind (bytes), owner and
    mapcount (array('I')), one entry per base page from pa."""
    pa: int
    kind: bytes
    owner: "array.array"
    mapcount: "array.array"


# --- handles ----------------------------------------------------------------

class _Handle:
    """An owned (or borrowed) C handle. Children (made from it) are closed
    first, so no C handle ever outlives what it borrows."""
    _free = None  # name of the C function releasing the handle

    def __init__(self, ptr: int, parent: Optional["_Handle"] = None, owned: bool = True):
        self._ptr = ptr
        self._parent = parent  # keeps the parent alive while we are
        self._owned = owned
        self._children: "weakref.WeakSet[_Handle]" = weakref.WeakSet()
        if parent is not None:
            parent._children.add(self)

    @property
    def _h(self) -> int:
        if not self._ptr:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    @property
    def closed(self) -> bool:
        return not self._ptr

    def close(self) -> None:
        for child in list(self._children):
            child.close()
        ptr, self._ptr = self._ptr, None
        if ptr and self._owned:
            getattr(_lib, self._free)(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass


def _new(fn: str, *args) -> int:
    out = ctypes.c_void_p()
    _check(getattr(_lib, fn)(*args, ctypes.byref(out)), fn)
    return out.value


def _read(fn: str, handle: int, addr: int, length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    buf = ctypes.create_string_buffer(length)
    done = ctypes.c_uint64()
    _check(getattr(_lib, fn)(handle, addr, buf, length, ctypes.byref(done)), fn)
    return buf.raw


class Source(_Handle):
    """Guest-physical memory (haywire/source.h). Use as a context manager."""
    _free = "haywire_source_close"

    @property
    def kind(self) -> str:
        return _str(_lib.haywire_source_kind(self._h))

    @property
    def flags(self) -> int:
        """HAYWIRE_SOURCE_* bits."""
        return _lib.haywire_source_flags(self._h)

    @property
    def ram_size(self) -> int:
        return _lib.haywire_source_ram_size(self._h)

    @property
    def ram_ranges(self) -> List[RamRange]:
        n = _lib.haywire_source_ram_range_count(self._h)
        arr = (_ffi.RamRangeC * n)()
        count = ctypes.c_uint64()
        _check(_lib.haywire_source_ram_ranges(self._h, arr, n, ctypes.byref(count)),
               "haywire_source_ram_ranges")
        return [RamRange(r.gpa, r.size) for r in arr[:count.value]]

    def read(self, pa: int, length: int) -> bytes:
        """LENGTH bytes at PA; NotRamError if any of them is not RAM."""
        return _read("haywire_source_read", self._h, pa, length)

    def map(self, pa: int, length: int) -> memoryview:
        """Zero-copy, read-only view of [PA, PA+LENGTH) (one RAM range); valid
        until the source closes. UnsupportedError if the backend cannot map."""
        ptr = ctypes.c_void_p()
        _check(_lib.haywire_source_map(self._h, pa, length, ctypes.byref(ptr)),
               "haywire_source_map")
        array = (ctypes.c_char * length).from_address(ptr.value)
        return memoryview(array).cast("B").toreadonly()

    def is_ram(self, pa: int, length: int = 1) -> bool:
        return bool(_lib.haywire_source_is_ram(self._h, pa, length))

    def vmcoreinfo(self) -> Optional[str]:
        """The VMCOREINFO the source carries, or None."""
        text, length = ctypes.c_void_p(), ctypes.c_uint64()
        try:
            _check(_lib.haywire_source_vmcoreinfo(self._h, ctypes.byref(text),
                                                  ctypes.byref(length)),
                   "haywire_source_vmcoreinfo")
        except error_class(STATUS["HAYWIRE_E_NOT_FOUND"]):
            return None
        return _str(ctypes.string_at(text.value, length.value))

    def cpu_states(self) -> List[CpuState]:
        out = []
        for i in range(_lib.haywire_source_cpu_count(self._h)):
            c = _ffi.CpuStateC.new()
            _check(_lib.haywire_source_cpu_state(self._h, i, ctypes.byref(c)),
                   "haywire_source_cpu_state")
            out.append(_from_c(CpuState, c))
        return out

    def pause(self) -> None:
        """Stop a live guest's vCPUs (UnsupportedError for files and dumps)."""
        _check(_lib.haywire_source_pause(self._h), "haywire_source_pause")

    def resume(self) -> None:
        _check(_lib.haywire_source_resume(self._h), "haywire_source_resume")

    def property(self, name: str) -> Optional[str]:
        """A named property, e.g. "read_path" of a QMP source; None if it has none."""
        raw = _lib.haywire_source_property(self._h, name.encode())
        return None if raw is None else _str(raw)

    def kernel(self, calibrate: bool = False, no_kallsyms: bool = False,
               scan_vmcoreinfo: bool = False) -> "Kernel":
        """Find the guest's Linux kernel (haywire/kernel.h)."""
        opts = _ffi.KernelOptionsC.new()
        opts.flags = ((HAYWIRE_KERNEL_CALIBRATE if calibrate else 0)
                      | (HAYWIRE_KERNEL_NO_KALLSYMS if no_kallsyms else 0)
                      | (HAYWIRE_KERNEL_SCAN_VMCOREINFO if scan_vmcoreinfo else 0))
        return Kernel(_new("haywire_kernel_open", self._h, ctypes.byref(opts)), self)

    def aspace(self, fmt: MmuFormat, root: int) -> "Aspace":
        """An address space with format FMT rooted at ROOT (a table PA or CR3/TTBR value)."""
        return Aspace(_new("haywire_aspace_new", self._h, ctypes.byref(fmt._to_c()), root), self)


def open(spec: str) -> Source:  # noqa: A001  (haywire.open, like io.open)
    """Open a source: "file:PATH[,layout=L]", "dump:PATH", "qmp:SOCKET" or a path."""
    return Source(_new("haywire_source_open", spec.encode()))


class Aspace(_Handle):
    """A guest virtual address space (haywire/aspace.h)."""
    _free = "haywire_aspace_free"

    @property
    def root(self) -> int:
        return _lib.haywire_aspace_root(self._h)

    @property
    def format(self) -> MmuFormat:
        c = _ffi.MmuFormatC.new()
        _check(_lib.haywire_aspace_format(self._h, ctypes.byref(c)), "haywire_aspace_format")
        return _from_c(MmuFormat, c)

    @property
    def va_bounds(self) -> Tuple[int, int]:
        first, last = ctypes.c_uint64(), ctypes.c_uint64()
        _check(_lib.haywire_aspace_va_bounds(self._h, ctypes.byref(first), ctypes.byref(last)),
               "haywire_aspace_va_bounds")
        return first.value, last.value

    def translate(self, va: int) -> Translation:
        """Walk VA. Unmapped or corrupt walks are results (see .status), not exceptions."""
        c = _ffi.TranslationC.new()
        status = _lib.haywire_aspace_translate(self._h, va, ctypes.byref(c))
        if status not in (0, STATUS["HAYWIRE_E_NOT_MAPPED"], STATUS["HAYWIRE_E_CORRUPT"]):
            _check(status, "haywire_aspace_translate")
        steps = tuple(_from_c(WalkStep, s) for s in c.steps[:min(c.nsteps, len(c.steps))])
        return _from_c(Translation, c, steps=steps)

    def _window(self, first: Optional[int], last: Optional[int]) -> Tuple[int, int]:
        lo, hi = self.va_bounds
        return (lo if first is None else first), (hi if last is None else last)

    def ranges(self, first: Optional[int] = None, last: Optional[int] = None,
               chunk: int = 512) -> Iterator[VaRange]:
        """Mapped ranges overlapping [FIRST, LAST], in VA order, fetched CHUNK at a time."""
        va, last = self._window(first, last)
        buf = (_ffi.VaRangeC * chunk)()
        count, next_va = ctypes.c_uint64(), ctypes.c_uint64()
        while True:
            status = _lib.haywire_aspace_ranges(self._h, va, last, buf, chunk,
                                                ctypes.byref(count), ctypes.byref(next_va))
            if status != STATUS["HAYWIRE_E_RANGE"]:
                _check(status, "haywire_aspace_ranges")
            for r in buf[:count.value]:
                yield _from_c(VaRange, r)
            if status == 0 or next_va.value <= va:
                return
            va = next_va.value

    def anomalies(self, first: Optional[int] = None, last: Optional[int] = None,
                  cap: int = 4096) -> List[AnomalyInfo]:
        """The first CAP anomalous entries in [FIRST, LAST]."""
        first, last = self._window(first, last)
        buf = (_ffi.AnomalyInfoC * cap)()
        count = ctypes.c_uint64()
        status = _lib.haywire_aspace_anomalies(self._h, first, last, buf, cap,
                                               ctypes.byref(count))
        if status != STATUS["HAYWIRE_E_RANGE"]:
            _check(status, "haywire_aspace_anomalies")
        return [_from_c(AnomalyInfo, a) for a in buf[:min(count.value, cap)]]

    def walk(self, on_range: Callable[[VaRange], Optional[bool]],
             first: Optional[int] = None, last: Optional[int] = None,
             on_anomaly: Optional[Callable[[AnomalyInfo], Optional[bool]]] = None,
             max_tables: int = 0, max_anomalies: int = 0) -> WalkStats:
        """Call ON_RANGE for every range (haywire_aspace_enumerate); a true
        return stops the walk (only True: not any truthy value). LimitError when
        a cap is reached."""
        first, last = self._window(first, last)
        errors: List[BaseException] = []

        def guard(fn, cls):
            def cb(ptr, _user):
                try:
                    return 1 if fn(_from_c(cls, ptr.contents)) is True else 0
                except BaseException as e:  # never unwind through C: stop, re-raise below
                    errors.append(e)
                    return 1
            return cb

        range_cb = _ffi.RANGE_CB(guard(on_range, VaRange))
        opts = _ffi.WalkOptionsC.new()
        opts.max_tables, opts.max_anomalies = max_tables, max_anomalies
        if on_anomaly is not None:
            anomaly_cb = _ffi.ANOMALY_CB(guard(on_anomaly, AnomalyInfo))
            opts.on_anomaly = anomaly_cb
        status = _lib.haywire_aspace_enumerate(self._h, first, last, range_cb, None,
                                               ctypes.byref(opts))
        if errors:
            raise errors[0]
        _check(status, "haywire_aspace_enumerate")
        return _from_c(WalkStats, opts)


class Procs(_Handle):
    """A snapshot of the task list (haywire/procs.h): a sequence of Task."""
    _free = "haywire_procs_free"

    def __len__(self) -> int:
        return _lib.haywire_procs_count(self._h)

    def __getitem__(self, index: int) -> Task:
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        c = _ffi.TaskC.new()
        _check(_lib.haywire_procs_get(self._h, index, ctypes.byref(c)), "haywire_procs_get")
        return _from_c(Task, c, index=index)

    def __iter__(self) -> Iterator[Task]:
        return (self[i] for i in range(len(self)))

    def find(self, pid: int) -> Task:
        """The task with PID; NotFoundError if absent."""
        index = ctypes.c_uint64()
        _check(_lib.haywire_procs_find(self._h, pid, ctypes.byref(index)), "haywire_procs_find")
        return self[index.value]

    def aspace(self, task: Union[Task, int]) -> Aspace:
        """The user address space of TASK (a Task or an index); NotFoundError for kthreads."""
        index = task.index if isinstance(task, Task) else task
        return Aspace(_new("haywire_procs_aspace", self._h, index), self)


class Kernel(_Handle):
    """The guest's Linux kernel (haywire/kernel.h)."""
    _free = "haywire_kernel_close"

    @property
    def info(self) -> KernelInfo:
        c = _ffi.KernelInfoC.new()
        _check(_lib.haywire_kernel_get_info(self._h, ctypes.byref(c)), "haywire_kernel_get_info")
        return _from_c(KernelInfo, c)

    @property
    def release(self) -> str:
        return _str(_lib.haywire_kernel_release(self._h))

    @property
    def source(self) -> Source:
        """The source the kernel reads through (borrowed: lives as long as the kernel)."""
        return Source(_lib.haywire_kernel_source(self._h), self, owned=False)

    @property
    def aspace(self) -> Aspace:
        """The kernel's own address space (borrowed)."""
        return Aspace(_lib.haywire_kernel_aspace(self._h), self, owned=False)

    def symbol(self, name: str) -> int:
        addr = ctypes.c_uint64()
        _check(_lib.haywire_kernel_symbol(self._h, name.encode(), ctypes.byref(addr)),
               "haywire_kernel_symbol")
        return addr.value

    def read(self, kva: int, length: int) -> bytes:
        return _read("haywire_kernel_read", self._h, kva, length)

    def snapshot(self, threads: bool = False) -> Procs:
        return Procs(_new("haywire_procs_snapshot", self._h,
                          HAYWIRE_PROCS_THREADS if threads else 0), self)

    def processes(self, threads: bool = False) -> List[Task]:
        """Every process (and thread, with THREADS) now, in task-list order."""
        with self.snapshot(threads) as procs:
            return list(procs)

    def rmap(self, procs: Optional[Procs] = None, max_entries: int = 0, max_tables: int = 0,
             max_anomalies: int = 0) -> "Rmap":
        """The reverse map of PROCS (a snapshot; None: the processes now)."""
        opts = Rmap._options(max_entries, max_tables, max_anomalies)
        ptr = _new("haywire_rmap_build", self._h, procs._h if procs is not None else None,
                   ctypes.byref(opts))
        return Rmap(ptr, self, opts)


class Rmap(_Handle):
    """Every physical page's owners, and per-process RSS/PSS/USS (haywire/rmap.h)."""
    _free = "haywire_rmap_free"

    def __init__(self, ptr: int, kernel: "Kernel", opts):
        super().__init__(ptr, kernel)
        self._kernel = kernel
        self._opts = opts

    @staticmethod
    def _options(max_entries: int, max_tables: int, max_anomalies: int):
        opts = _ffi.RmapOptionsC.new()
        opts.max_entries, opts.max_tables = max_entries, max_tables
        opts.max_anomalies = max_anomalies
        return opts

    def refresh(self, procs: Optional[Procs] = None) -> "Rmap":
        """Rebuild in place from the guest as it is now, reusing this map's
        memory (haywire_rmap_rebuild): a live view's refresh. On failure the
        map is closed and the error raised."""
        old, self._ptr = self._h, None
        out = ctypes.c_void_p()
        status = _lib.haywire_rmap_rebuild(old, self._kernel._h, procs._h if procs is not None else None,
                                           ctypes.byref(self._opts), ctypes.byref(out))
        _check(status, "haywire_rmap_rebuild")
        self._ptr = out.value
        return self

    @property
    def stats(self) -> RmapStats:
        c = _ffi.RmapStatsC.new()
        _check(_lib.haywire_rmap_get_stats(self._h, ctypes.byref(c)), "haywire_rmap_get_stats")
        return _from_c(RmapStats, c)

    @property
    def processes(self) -> List[RmapProc]:
        out = []
        for i in range(_lib.haywire_rmap_proc_count(self._h)):
            c = _ffi.RmapProcC.new()
            _check(_lib.haywire_rmap_proc_get(self._h, i, ctypes.byref(c)),
                   "haywire_rmap_proc_get")
            out.append(_from_c(RmapProc, c, index=i))
        return out

    def owners(self, pa: int) -> List[RmapOwner]:
        """Everything that maps or holds the page containing PA."""
        count, cap = ctypes.c_uint64(), 8
        while True:
            buf = (_ffi.RmapOwnerC * cap)()
            buf[0].struct_size = ctypes.sizeof(_ffi.RmapOwnerC)
            status = _lib.haywire_rmap_owners(self._h, pa, buf, cap, ctypes.byref(count))
            if status != STATUS["HAYWIRE_E_RANGE"]:
                _check(status, "haywire_rmap_owners")
                return [_from_c(RmapOwner, o) for o in buf[:count.value]]
            cap = count.value

    def pages(self, pa: int, npages: int) -> RmapPages:
        """Kind, lowest owner id and mapcount of NPAGES base pages from PA, in
        one call: what a picture of guest memory needs."""
        kind = (ctypes.c_uint8 * npages)()
        owner = array.array("I", bytes(4 * npages))
        mapcount = array.array("I", bytes(4 * npages))
        as_u32 = ctypes.POINTER(ctypes.c_uint32)
        _check(_lib.haywire_rmap_pages(self._h, pa, npages, kind,
                                       ctypes.cast(owner.buffer_info()[0], as_u32),
                                       ctypes.cast(mapcount.buffer_info()[0], as_u32)),
               "haywire_rmap_pages")
        return RmapPages(pa, bytes(kind), owner, mapcount)

    def mappings(self, proc: Union[RmapProc, int], chunk: int = 512) -> Iterator[RmapMapping]:
        """A process's user mapping runs in VA order (PROC: an RmapProc or owner id)."""
        index = proc.index if isinstance(proc, RmapProc) else proc
        buf = (_ffi.RmapMappingC * chunk)()
        total, first = ctypes.c_uint64(), 0
        while True:
            _check(_lib.haywire_rmap_proc_mappings(self._h, index, first, buf, chunk,
                                                   ctypes.byref(total)),
                   "haywire_rmap_proc_mappings")
            n = min(chunk, max(0, total.value - first))
            for m in buf[:n]:
                yield _from_c(RmapMapping, m)
            first += n
            if n == 0 or first >= total.value:
                return

    def kernel_ranges(self) -> List[Tuple[int, int]]:
        """Physical (pa, size) ranges of the kernel image."""
        cap = 16
        pa, size, count = (ctypes.c_uint64 * cap)(), (ctypes.c_uint64 * cap)(), ctypes.c_uint64()
        _check(_lib.haywire_rmap_kernel_ranges(self._h, pa, size, cap, ctypes.byref(count)),
               "haywire_rmap_kernel_ranges")
        return [(pa[i], size[i]) for i in range(count.value)]

    def dump(self) -> Iterator[dict]:
        """One dict per user mapping of a base page, like haywire-rmap --dump:
        pid, va, pfn, writable, exec."""
        page = self.stats.page_size
        for proc in self.processes:
            for m in self.mappings(proc):
                for off in range(0, m.size, page):
                    yield {"pid": proc.pid, "va": m.va + off, "pfn": (m.pa + off) // page,
                           "writable": bool(m.perms & HAYWIRE_PERM_WRITE),
                           "exec": bool(m.perms & HAYWIRE_PERM_EXEC)}

"""The C ABI of libhaywire as ctypes sees it: struct layouts and function signatures.

Every public function of include/haywire/*.h has one entry in FUNCTIONS
(tests/bindings check this against the headers and the built library, and the
struct layouts against the C compiler). Adding a header is mechanical: its
structs below, its functions in FUNCTIONS, then the idiomatic wrapper.
"""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int, c_int32, c_uint8,
                    c_uint32, c_uint64, c_void_p)

from . import _constants as C

# The library to load: HAYWIRE_LIBRARY (a path, e.g. a build tree's) or the installed soname.
LIBRARY_ENV = "HAYWIRE_LIBRARY"
SONAME = "libhaywire.so.1"


class _Sized(Structure):
    """A struct whose first field is struct_size: new() sets it."""

    @classmethod
    def new(cls):
        s = cls()
        s.struct_size = ctypes.sizeof(cls)
        return s


# --- source.h
class RamRangeC(Structure):
    _fields_ = [("gpa", c_uint64), ("size", c_uint64)]


class CpuStateC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("arch", c_uint32), ("cpu", c_uint32),
                ("valid", c_uint32), ("pc", c_uint64), ("sp", c_uint64), ("cr0", c_uint64),
                ("cr3", c_uint64), ("cr4", c_uint64), ("efer", c_uint64),
                ("ttbr0_el1", c_uint64), ("ttbr1_el1", c_uint64), ("tcr_el1", c_uint64),
                ("sctlr_el1", c_uint64)]


# --- aspace.h
class MmuFormatC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("arch", c_uint32), ("granule", c_uint32),
                ("va_bits", c_uint32), ("levels", c_uint32), ("pa_bits", c_uint32),
                ("flags", c_uint32), ("sw_present_bit", c_uint32), ("page_shift", c_uint32),
                ("top_entries", c_uint32)]


class WalkStepC(Structure):
    _fields_ = [("table_pa", c_uint64), ("entry", c_uint64), ("out_pa", c_uint64),
                ("index", c_uint32), ("kind", c_uint32), ("anomaly", c_uint32),
                ("depth", c_uint32)]


class TranslationC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("status", c_int32), ("va", c_uint64),
                ("pa", c_uint64), ("page_size", c_uint64), ("attrs", c_uint64),
                ("perms", c_uint32), ("flags", c_uint32), ("levels", c_uint32),
                ("nsteps", c_uint32), ("steps", WalkStepC * C.HAYWIRE_MAX_LEVELS)]


class VaRangeC(Structure):
    _fields_ = [("va", c_uint64), ("pa", c_uint64), ("size", c_uint64), ("page_size", c_uint64),
                ("perms", c_uint32), ("flags", c_uint32), ("memtype", c_uint32),
                ("reserved", c_uint32)]


class AnomalyInfoC(Structure):
    _fields_ = [("va", c_uint64), ("table_pa", c_uint64), ("entry", c_uint64),
                ("index", c_uint32), ("depth", c_uint32), ("anomaly", c_uint32),
                ("reserved", c_uint32)]


RANGE_CB = CFUNCTYPE(c_int, POINTER(VaRangeC), c_void_p)
ANOMALY_CB = CFUNCTYPE(c_int, POINTER(AnomalyInfoC), c_void_p)


class WalkOptionsC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("reserved", c_uint32), ("max_tables", c_uint64),
                ("max_anomalies", c_uint64), ("on_anomaly", ANOMALY_CB),
                ("anomaly_user", c_void_p), ("tables_visited", c_uint64),
                ("anomalies", c_uint64), ("ranges", c_uint64), ("stop_va", c_uint64)]


# --- kernel.h
class KernelOptionsC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("flags", c_uint32)]


class KernelInfoC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("arch", c_uint32), ("kaslr_offset", c_uint64),
                ("root", c_uint64), ("page_size", c_uint32), ("types", c_uint32),
                ("symbols", c_uint32), ("vmcoreinfo_candidates", c_uint32),
                ("ns_vmcoreinfo", c_uint64), ("ns_symbols", c_uint64), ("ns_types", c_uint64),
                ("bytes_read", c_uint64)]


# --- procs.h
class TaskC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("flags", c_uint32), ("pid", c_int32),
                ("tgid", c_int32), ("ppid", c_int32), ("uid", c_uint32),
                ("comm", c_char * C.HAYWIRE_COMM_LEN), ("task", c_uint64), ("mm", c_uint64),
                ("pgd", c_uint64)]


# --- rmap.h
class RmapOptionsC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("reserved", c_uint32), ("max_entries", c_uint64),
                ("max_tables", c_uint64), ("max_anomalies", c_uint64)]


class RmapStatsC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("page_size", c_uint32), ("procs", c_uint64),
                ("mappings", c_uint64), ("mapped_pages", c_uint64), ("user_frames", c_uint64),
                ("shared_frames", c_uint64), ("page_table_pages", c_uint64),
                ("kernel_image_bytes", c_uint64), ("index_bytes", c_uint64),
                ("tables_visited", c_uint64), ("anomalies", c_uint64), ("build_ns", c_uint64)]


class RmapProcC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("flags", c_uint32), ("pid", c_int32),
                ("uid", c_uint32), ("comm", c_char * C.HAYWIRE_COMM_LEN), ("pgd", c_uint64),
                ("rss_bytes", c_uint64), ("pss_bytes", c_uint64), ("uss_bytes", c_uint64),
                ("page_table_bytes", c_uint64), ("mappings", c_uint64)]


class RmapOwnerC(_Sized):
    _fields_ = [("struct_size", c_uint32), ("kind", c_uint32), ("proc", c_uint32),
                ("pid", c_int32), ("va", c_uint64), ("page_size", c_uint64),
                ("page_pa", c_uint64), ("perms", c_uint32), ("flags", c_uint32),
                ("level", c_uint32), ("mapcount", c_uint32)]


class RmapMappingC(Structure):
    _fields_ = [("va", c_uint64), ("pa", c_uint64), ("size", c_uint64), ("page_size", c_uint64),
                ("perms", c_uint32), ("flags", c_uint32)]


# C struct name -> ctypes class (the layout test walks this).
STRUCTS = {
    "haywire_ram_range": RamRangeC, "haywire_cpu_state": CpuStateC,
    "haywire_mmu_format": MmuFormatC, "haywire_walk_step": WalkStepC,
    "haywire_translation": TranslationC, "haywire_va_range": VaRangeC,
    "haywire_anomaly_info": AnomalyInfoC, "haywire_walk_options": WalkOptionsC,
    "haywire_kernel_options": KernelOptionsC, "haywire_kernel_info": KernelInfoC,
    "haywire_task": TaskC, "haywire_rmap_options": RmapOptionsC,
    "haywire_rmap_stats": RmapStatsC, "haywire_rmap_proc": RmapProcC,
    "haywire_rmap_owner": RmapOwnerC, "haywire_rmap_mapping": RmapMappingC,
}

# Opaque handles are plain pointers.
handle = c_void_p
out_handle = POINTER(c_void_p)
u64p = POINTER(c_uint64)
u32p = POINTER(c_uint32)
u8p = POINTER(c_uint8)

# name: (return type, [argument types])
FUNCTIONS = {
    # common.h
    "haywire_version": (c_uint32, []),
    "haywire_version_string": (c_char_p, []),
    "haywire_strerror": (c_char_p, [c_int]),
    "haywire_status_name": (c_char_p, [c_int]),
    "haywire_last_error": (c_char_p, []),
    "haywire_last_status": (c_int, []),
    # source.h
    "haywire_source_open": (c_int, [c_char_p, out_handle]),
    "haywire_source_close": (None, [handle]),
    "haywire_source_kind": (c_char_p, [handle]),
    "haywire_source_flags": (c_uint32, [handle]),
    "haywire_source_ram_range_count": (c_uint64, [handle]),
    "haywire_source_ram_ranges": (c_int, [handle, POINTER(RamRangeC), c_uint64, u64p]),
    "haywire_source_ram_size": (c_uint64, [handle]),
    "haywire_source_read": (c_int, [handle, c_uint64, c_void_p, c_uint64, u64p]),
    "haywire_source_map": (c_int, [handle, c_uint64, c_uint64, POINTER(c_void_p)]),
    "haywire_source_is_ram": (c_int, [handle, c_uint64, c_uint64]),
    "haywire_source_vmcoreinfo": (c_int, [handle, POINTER(c_void_p), u64p]),
    "haywire_source_cpu_count": (c_uint32, [handle]),
    "haywire_source_cpu_state": (c_int, [handle, c_uint32, POINTER(CpuStateC)]),
    "haywire_source_pause": (c_int, [handle]),
    "haywire_source_resume": (c_int, [handle]),
    "haywire_source_property": (c_char_p, [handle, c_char_p]),
    # aspace.h
    "haywire_mmu_format_derive": (c_int, [POINTER(MmuFormatC)]),
    "haywire_mmu_root_from_register": (c_int, [POINTER(MmuFormatC), c_uint64, u64p]),
    "haywire_mmu_level_name": (c_char_p, [c_uint32, c_uint32]),
    "haywire_aspace_new": (c_int, [handle, POINTER(MmuFormatC), c_uint64, out_handle]),
    "haywire_aspace_free": (None, [handle]),
    "haywire_aspace_format": (c_int, [handle, POINTER(MmuFormatC)]),
    "haywire_aspace_root": (c_uint64, [handle]),
    "haywire_aspace_va_bounds": (c_int, [handle, u64p, u64p]),
    "haywire_aspace_translate": (c_int, [handle, c_uint64, POINTER(TranslationC)]),
    "haywire_aspace_enumerate": (c_int, [handle, c_uint64, c_uint64, RANGE_CB, c_void_p,
                                         POINTER(WalkOptionsC)]),
    "haywire_aspace_ranges": (c_int, [handle, c_uint64, c_uint64, POINTER(VaRangeC), c_uint64,
                                      u64p, u64p]),
    "haywire_aspace_anomalies": (c_int, [handle, c_uint64, c_uint64, POINTER(AnomalyInfoC),
                                         c_uint64, u64p]),
    # kernel.h
    "haywire_kernel_open": (c_int, [handle, POINTER(KernelOptionsC), out_handle]),
    "haywire_kernel_close": (None, [handle]),
    "haywire_kernel_get_info": (c_int, [handle, POINTER(KernelInfoC)]),
    "haywire_kernel_release": (c_char_p, [handle]),
    "haywire_kernel_source": (handle, [handle]),
    "haywire_kernel_aspace": (handle, [handle]),
    "haywire_kernel_symbol": (c_int, [handle, c_char_p, u64p]),
    "haywire_kernel_read": (c_int, [handle, c_uint64, c_void_p, c_uint64, u64p]),
    # procs.h
    "haywire_procs_snapshot": (c_int, [handle, c_uint32, out_handle]),
    "haywire_procs_free": (None, [handle]),
    "haywire_procs_count": (c_uint64, [handle]),
    "haywire_procs_get": (c_int, [handle, c_uint64, POINTER(TaskC)]),
    "haywire_procs_find": (c_int, [handle, c_int32, u64p]),
    "haywire_procs_aspace": (c_int, [handle, c_uint64, out_handle]),
    # rmap.h
    "haywire_rmap_build": (c_int, [handle, handle, POINTER(RmapOptionsC), out_handle]),
    "haywire_rmap_rebuild": (c_int, [handle, handle, handle, POINTER(RmapOptionsC),
                                     out_handle]),
    "haywire_rmap_free": (None, [handle]),
    "haywire_rmap_get_stats": (c_int, [handle, POINTER(RmapStatsC)]),
    "haywire_rmap_proc_count": (c_uint32, [handle]),
    "haywire_rmap_proc_get": (c_int, [handle, c_uint32, POINTER(RmapProcC)]),
    "haywire_rmap_owners": (c_int, [handle, c_uint64, POINTER(RmapOwnerC), c_uint64, u64p]),
    "haywire_rmap_pages": (c_int, [handle, c_uint64, c_uint64, u8p, u32p, u32p]),
    "haywire_rmap_proc_mappings": (c_int, [handle, c_uint32, c_uint64, POINTER(RmapMappingC),
                                           c_uint64, u64p]),
    "haywire_rmap_kernel_ranges": (c_int, [handle, u64p, u64p, c_uint64, u64p]),
}


def library_path():
    return os.environ.get(LIBRARY_ENV) or SONAME


def load(path=None):
    """Load the library and give every function its signature."""
    path = path or library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise OSError(f"cannot load libhaywire ({path}): {e}; install libhaywire or set "
                      f"{LIBRARY_ENV} to the library's path") from e
    for name, (restype, argtypes) in FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib

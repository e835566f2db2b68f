'use strict';
// The C ABI of libhaywire in a neutral form both adapters (koffi, ffi-napi)
// turn into their own declarations: function signatures and struct layouts.
// Every public function of include/haywire/*.h has one entry in FUNCTIONS and
// every public struct one in STRUCTS; test/unit.test.js checks both against
// the headers, the built library and the C compiler's sizeof/offsetof.
//
// Types: i32 u32 u64 (BigInt in, BigInt out), str (const char * in), cstr
// (const char * returned: string or null), ptr (any pointer: a Buffer or a
// handle), fn (a C function pointer made by adapter.callback), void.

const constants = require('./constants.json').groups;

const MAX_LEVELS = constants.defines.HAYWIRE_MAX_LEVELS;
const COMM_LEN = constants.defines.HAYWIRE_COMM_LEN;

const FUNCTIONS = {
  // common.h
  haywire_version: ['u32', []],
  haywire_version_string: ['cstr', []],
  haywire_strerror: ['cstr', ['i32']],
  haywire_status_name: ['cstr', ['i32']],
  haywire_last_error: ['cstr', []],
  haywire_last_status: ['i32', []],
  // source.h
  haywire_source_open: ['i32', ['str', 'ptr']],
  haywire_source_close: ['void', ['ptr']],
  haywire_source_kind: ['cstr', ['ptr']],
  haywire_source_flags: ['u32', ['ptr']],
  haywire_source_ram_range_count: ['u64', ['ptr']],
  haywire_source_ram_ranges: ['i32', ['ptr', 'ptr', 'u64', 'ptr']],
  haywire_source_ram_size: ['u64', ['ptr']],
  haywire_source_read: ['i32', ['ptr', 'u64', 'ptr', 'u64', 'ptr']],
  haywire_source_map: ['i32', ['ptr', 'u64', 'u64', 'ptr']],
  haywire_source_is_ram: ['i32', ['ptr', 'u64', 'u64']],
  haywire_source_vmcoreinfo: ['i32', ['ptr', 'ptr', 'ptr']],
  haywire_source_cpu_count: ['u32', ['ptr']],
  haywire_source_cpu_state: ['i32', ['ptr', 'u32', 'ptr']],
  haywire_source_pause: ['i32', ['ptr']],
  haywire_source_resume: ['i32', ['ptr']],
  haywire_source_property: ['cstr', ['ptr', 'str']],
  // aspace.h
  haywire_mmu_format_derive: ['i32', ['ptr']],
  haywire_mmu_root_from_register: ['i32', ['ptr', 'u64', 'ptr']],
  haywire_mmu_level_name: ['cstr', ['u32', 'u32']],
  haywire_aspace_new: ['i32', ['ptr', 'ptr', 'u64', 'ptr']],
  haywire_aspace_free: ['void', ['ptr']],
  haywire_aspace_format: ['i32', ['ptr', 'ptr']],
  haywire_aspace_root: ['u64', ['ptr']],
  haywire_aspace_va_bounds: ['i32', ['ptr', 'ptr', 'ptr']],
  haywire_aspace_translate: ['i32', ['ptr', 'u64', 'ptr']],
  haywire_aspace_enumerate: ['i32', ['ptr', 'u64', 'u64', 'fn', 'ptr', 'ptr']],
  haywire_aspace_ranges: ['i32', ['ptr', 'u64', 'u64', 'ptr', 'u64', 'ptr', 'ptr']],
  haywire_aspace_anomalies: ['i32', ['ptr', 'u64', 'u64', 'ptr', 'u64', 'ptr']],
  // kernel.h
  haywire_kernel_open: ['i32', ['ptr', 'ptr', 'ptr']],
  haywire_kernel_close: ['void', ['ptr']],
  haywire_kernel_get_info: ['i32', ['ptr', 'ptr']],
  haywire_kernel_release: ['cstr', ['ptr']],
  haywire_kernel_source: ['ptr', ['ptr']],
  haywire_kernel_aspace: ['ptr', ['ptr']],
  haywire_kernel_symbol: ['i32', ['ptr', 'str', 'ptr']],
  haywire_kernel_read: ['i32', ['ptr', 'u64', 'ptr', 'u64', 'ptr']],
  // procs.h
  haywire_procs_snapshot: ['i32', ['ptr', 'u32', 'ptr']],
  haywire_procs_free: ['void', ['ptr']],
  haywire_procs_count: ['u64', ['ptr']],
  haywire_procs_get: ['i32', ['ptr', 'u64', 'ptr']],
  haywire_procs_find: ['i32', ['ptr', 'i32', 'ptr']],
  haywire_procs_aspace: ['i32', ['ptr', 'u64', 'ptr']],
  // rmap.h
  haywire_rmap_build: ['i32', ['ptr', 'ptr', 'ptr', 'ptr']],
  haywire_rmap_rebuild: ['i32', ['ptr', 'ptr', 'ptr', 'ptr', 'ptr']],
  haywire_rmap_free: ['void', ['ptr']],
  haywire_rmap_get_stats: ['i32', ['ptr', 'ptr']],
  haywire_rmap_proc_count: ['u32', ['ptr']],
  haywire_rmap_proc_get: ['i32', ['ptr', 'u32', 'ptr']],
  haywire_rmap_owners: ['i32', ['ptr', 'u64', 'ptr', 'u64', 'ptr']],
  haywire_rmap_pages: ['i32', ['ptr', 'u64', 'u64', 'ptr', 'ptr', 'ptr']],
  haywire_rmap_proc_mappings: ['i32', ['ptr', 'u32', 'u64', 'ptr', 'u64', 'ptr']],
  haywire_rmap_kernel_ranges: ['i32', ['ptr', 'ptr', 'ptr', 'u64', 'ptr']],
};

// Field lists in C order: [name, type] or [name, type, count]. Types are the
// scalars above plus 'char', 'ptr' and the names of earlier structs.
const STRUCT_FIELDS = {
  haywire_ram_range: [['gpa', 'u64'], ['size', 'u64']],
  haywire_cpu_state: [['struct_size', 'u32'], ['arch', 'u32'], ['cpu', 'u32'], ['valid', 'u32'],
    ['pc', 'u64'], ['sp', 'u64'], ['cr0', 'u64'], ['cr3', 'u64'], ['cr4', 'u64'], ['efer', 'u64'],
    ['ttbr0_el1', 'u64'], ['ttbr1_el1', 'u64'], ['tcr_el1', 'u64'], ['sctlr_el1', 'u64']],
  haywire_mmu_format: [['struct_size', 'u32'], ['arch', 'u32'], ['granule', 'u32'],
    ['va_bits', 'u32'], ['levels', 'u32'], ['pa_bits', 'u32'], ['flags', 'u32'],
    ['sw_present_bit', 'u32'], ['page_shift', 'u32'], ['top_entries', 'u32']],
  haywire_walk_step: [['table_pa', 'u64'], ['entry', 'u64'], ['out_pa', 'u64'], ['index', 'u32'],
    ['kind', 'u32'], ['anomaly', 'u32'], ['depth', 'u32']],
  haywire_translation: [['struct_size', 'u32'], ['status', 'i32'], ['va', 'u64'], ['pa', 'u64'],
    ['page_size', 'u64'], ['attrs', 'u64'], ['perms', 'u32'], ['flags', 'u32'], ['levels', 'u32'],
    ['nsteps', 'u32'], ['steps', 'haywire_walk_step', MAX_LEVELS]],
  haywire_va_range: [['va', 'u64'], ['pa', 'u64'], ['size', 'u64'], ['page_size', 'u64'],
    ['perms', 'u32'], ['flags', 'u32'], ['memtype', 'u32'], ['reserved', 'u32']],
  haywire_anomaly_info: [['va', 'u64'], ['table_pa', 'u64'], ['entry', 'u64'], ['index', 'u32'],
    ['depth', 'u32'], ['anomaly', 'u32'], ['reserved', 'u32']],
  haywire_walk_options: [['struct_size', 'u32'], ['reserved', 'u32'], ['max_tables', 'u64'],
    ['max_anomalies', 'u64'], ['on_anomaly', 'ptr'], ['anomaly_user', 'ptr'],
    ['tables_visited', 'u64'], ['anomalies', 'u64'], ['ranges', 'u64'], ['stop_va', 'u64']],
  haywire_kernel_options: [['struct_size', 'u32'], ['flags', 'u32']],
  haywire_kernel_info: [['struct_size', 'u32'], ['arch', 'u32'], ['kaslr_offset', 'u64'],
    ['root', 'u64'], ['page_size', 'u32'], ['types', 'u32'], ['symbols', 'u32'],
    ['vmcoreinfo_candidates', 'u32'], ['ns_vmcoreinfo', 'u64'], ['ns_symbols', 'u64'],
    ['ns_types', 'u64'], ['bytes_read', 'u64']],
  haywire_task: [['struct_size', 'u32'], ['flags', 'u32'], ['pid', 'i32'], ['tgid', 'i32'],
    ['ppid', 'i32'], ['uid', 'u32'], ['comm', 'char', COMM_LEN], ['task', 'u64'], ['mm', 'u64'],
    ['pgd', 'u64']],
  haywire_rmap_options: [['struct_size', 'u32'], ['reserved', 'u32'], ['max_entries', 'u64'],
    ['max_tables', 'u64'], ['max_anomalies', 'u64']],
  haywire_rmap_stats: [['struct_size', 'u32'], ['page_size', 'u32'], ['procs', 'u64'],
    ['mappings', 'u64'], ['mapped_pages', 'u64'], ['user_frames', 'u64'],
    ['shared_frames', 'u64'], ['page_table_pages', 'u64'], ['kernel_image_bytes', 'u64'],
    ['index_bytes', 'u64'], ['tables_visited', 'u64'], ['anomalies', 'u64'], ['build_ns', 'u64']],
  haywire_rmap_proc: [['struct_size', 'u32'], ['flags', 'u32'], ['pid', 'i32'], ['uid', 'u32'],
    ['comm', 'char', COMM_LEN], ['pgd', 'u64'], ['rss_bytes', 'u64'], ['pss_bytes', 'u64'],
    ['uss_bytes', 'u64'], ['page_table_bytes', 'u64'], ['mappings', 'u64']],
  haywire_rmap_owner: [['struct_size', 'u32'], ['kind', 'u32'], ['proc', 'u32'], ['pid', 'i32'],
    ['va', 'u64'], ['page_size', 'u64'], ['page_pa', 'u64'], ['perms', 'u32'], ['flags', 'u32'],
    ['level', 'u32'], ['mapcount', 'u32']],
  haywire_rmap_mapping: [['va', 'u64'], ['pa', 'u64'], ['size', 'u64'], ['page_size', 'u64'],
    ['perms', 'u32'], ['flags', 'u32']],
};

const SCALARS = { char: 1, i32: 4, u32: 4, u64: 8, ptr: 8 };

// The C rules of an LP64 ABI: each field at its natural alignment, the struct
// padded to its largest alignment.
function layout(fieldsByStruct) {
  const out = {};
  for (const [name, fields] of Object.entries(fieldsByStruct)) {
    let offset = 0;
    let align = 1;
    const members = {};
    for (const [field, type, count = 1] of fields) {
      const size = SCALARS[type] || out[type].size;
      const a = SCALARS[type] || out[type].align;
      offset = Math.ceil(offset / a) * a;
      members[field] = { offset, type, count, size };
      offset += size * count;
      align = Math.max(align, a);
    }
    out[name] = { size: Math.ceil(offset / align) * align, align, fields: members };
  }
  return out;
}

const STRUCTS = layout(STRUCT_FIELDS);

// A zeroed struct buffer, struct_size set when the struct has one.
function alloc(name, count = 1) {
  const s = STRUCTS[name];
  const buf = Buffer.alloc(s.size * count);
  if (s.fields.struct_size) {
    for (let i = 0; i < count; i++) buf.writeUInt32LE(s.size, i * s.size);
  }
  return buf;
}

// struct NAME at BASE of BUF as a plain object (u64 as BigInt, char arrays as
// strings, nested arrays as arrays of objects); struct_size and reserved left out.
function decode(name, buf, base = 0) {
  const obj = {};
  for (const [field, m] of Object.entries(STRUCTS[name].fields)) {
    if (field === 'struct_size' || field === 'reserved') continue;
    const at = base + m.offset;
    if (m.type === 'char') {
      const bytes = buf.subarray(at, at + m.count);
      const end = bytes.indexOf(0);
      obj[field] = bytes.subarray(0, end < 0 ? m.count : end).toString('utf8');
    } else if (STRUCTS[m.type]) {
      obj[field] = Array.from({ length: m.count }, (_, i) => decode(m.type, buf, at + i * m.size));
    } else if (m.type === 'u64' || m.type === 'ptr') {
      obj[field] = buf.readBigUInt64LE(at);
    } else {
      obj[field] = m.type === 'i32' ? buf.readInt32LE(at) : buf.readUInt32LE(at);
    }
  }
  return obj;
}

// Write the scalar fields of OBJ present in struct NAME into BUF.
function encode(name, buf, obj, base = 0) {
  for (const [field, value] of Object.entries(obj)) {
    const m = STRUCTS[name].fields[field];
    if (!m || value === undefined) continue;
    const at = base + m.offset;
    if (m.type === 'u64' || m.type === 'ptr') buf.writeBigUInt64LE(BigInt(value), at);
    else if (m.type === 'i32') buf.writeInt32LE(Number(value), at);
    else if (m.type === 'u32') buf.writeUInt32LE(Number(value), at);
  }
  return buf;
}

module.exports = { FUNCTIONS, STRUCT_FIELDS, STRUCTS, constants, alloc, decode, encode };

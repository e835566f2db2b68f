'use strict';
// Adapter on koffi: prebuilt, tens of nanoseconds per call, works under Electron.
// Pointers are BigInt addresses in koffi, so handles are BigInts here.
const koffi = require('koffi');
const { FUNCTIONS, STRUCT_FIELDS } = require('./abi');

const TYPES = { i32: 'int32_t', u32: 'uint32_t', u64: 'uint64_t', str: 'const char *',
  cstr: 'const char *', ptr: 'void *', void: 'void' };
const CALLBACK = koffi.proto('int haywire_binding_cb(const void *item, void *user)');
const FN = koffi.pointer(CALLBACK);

function cType(t) {
  if (t === 'fn') return FN;
  return TYPES[t];
}

function open(path) {
  const lib = koffi.load(path);
  const fn = {};
  for (const [name, [ret, args]] of Object.entries(FUNCTIONS)) {
    const raw = lib.func(name, cType(ret), args.map(cType));
    // u64 comes back as a Number when it fits: make it a BigInt always.
    fn[name] = ret === 'u64' ? (...a) => BigInt(raw(...a)) : raw;
  }
  return {
    name: 'koffi',
    fn,
    NULL: 0n,
    // The pointer stored at OFFSET of an out-parameter buffer.
    readPointer: (buf, offset = 0) => buf.readBigUInt64LE(offset),
    // Zero-copy bytes at a pointer (valid while the owner lives).
    view: (p, len) => Buffer.from(koffi.view(p, len)),
    // A C function pointer calling FN(Buffer of SIZE bytes at the item).
    callback(size, cb) {
      const ptr = koffi.register((item) => cb(Buffer.from(koffi.view(item, size))), FN);
      return { value: ptr, address: koffi.address(ptr), release: () => koffi.unregister(ptr) };
    },
  };
}

// koffi's own struct types, for the layout test (koffi computes the offsets itself).
function structTypes() {
  const types = {};
  const scalar = { char: 'char', i32: 'int32_t', u32: 'uint32_t', u64: 'uint64_t', ptr: 'void *' };
  for (const [name, fields] of Object.entries(STRUCT_FIELDS)) {
    const def = {};
    for (const [field, type, count] of fields) {
      const base = types[type] || scalar[type];
      def[field] = count ? koffi.array(base, count) : base;
    }
    types[name] = koffi.struct('hwtest_' + name, def);
  }
  return { koffi, types };
}

module.exports = { open, structTypes };

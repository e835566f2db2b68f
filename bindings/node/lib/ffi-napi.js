'use strict';
// Adapter on ffi-napi (the @2060.io fork, which builds on current Node): for
// stacks that already use ffi-napi. ~15 µs per call and it crashes under
// Electron >= 21: prefer koffi (see README.md). Handles are ref-napi pointer
// Buffers here.
const ffi = require('@2060.io/ffi-napi');
const ref = require('@2060.io/ref-napi');
const { FUNCTIONS } = require('./abi');

const TYPES = { i32: 'int32', u32: 'uint32', u64: 'uint64', str: 'string', cstr: 'string',
  ptr: 'pointer', fn: 'pointer', void: 'void' };

// ffi-napi takes 64-bit integers as Numbers or decimal strings, returns them
// as a Number or, past 2^53, a string.
const toU64 = (v) => (typeof v === 'bigint' ? v.toString() : v);

function open(path) {
  const decl = {};
  for (const [name, [ret, args]] of Object.entries(FUNCTIONS)) {
    decl[name] = [TYPES[ret], args.map((t) => TYPES[t])];
  }
  const lib = ffi.Library(path, decl);
  const fn = {};
  for (const [name, [ret, args]] of Object.entries(FUNCTIONS)) {
    const raw = lib[name];
    const u64args = args.map((t) => t === 'u64');
    const convert = u64args.some(Boolean);
    const call = convert ? (...a) => raw(...a.map((v, i) => (u64args[i] ? toU64(v) : v))) : raw;
    fn[name] = ret === 'u64' ? (...a) => BigInt(call(...a)) : call;
  }
  return {
    name: 'ffi-napi',
    fn,
    NULL: ref.NULL,
    readPointer: (buf, offset = 0) => ref.readPointer(buf, offset, 0),
    view: (p, len) => ref.reinterpret(p, len, 0),
    callback(size, cb) {
      const c = ffi.Callback('int', ['pointer', 'pointer'],
        (item) => cb(ref.reinterpret(item, size, 0)));
      return { value: c, address: BigInt(ref.address(c)), release: () => {} };
    },
  };
}

module.exports = { open };

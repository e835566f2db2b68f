'use strict';
// The JavaScript API of libhaywire, on any adapter (koffi or ffi-napi): the
// same shapes as the Python package, in JavaScript's idiom (camelCase,
// BigInt for every 64-bit value, close() / Symbol.dispose).
const abi = require('./abi');
const { alloc, decode, encode, STRUCTS, constants } = abi;

const LIBRARY_ENV = 'HAYWIRE_LIBRARY';
const SONAME = 'libhaywire.so.1';
const STATUS_SCAN = 256; // status codes are small negative numbers

class HaywireError extends Error {
  constructor(message, status, code, call) {
    super(`${message} [${code || status}]`);
    this.name = new.target.name;
    this.message = message;
    this.status = status; // e.g. -8
    this.code = code; // e.g. 'HAYWIRE_E_NOT_FOUND'
    this.call = call; // the C function that failed
  }
}

// Status codes and one HaywireError subclass per code, from the library's own
// table (haywire_status_name): HAYWIRE_E_NOT_RAM -> NotRamError. Built once.
const STATUS = {};
const errorClasses = {};

function buildErrors(fn) {
  if (Object.keys(STATUS).length) return;
  for (let code = 0; code > -STATUS_SCAN; code--) {
    const name = fn.haywire_status_name(code);
    if (name === null) continue;
    STATUS[name] = code;
    if (code === 0) continue;
    let className = name.replace('HAYWIRE_E_', '').toLowerCase()
      .replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase()) + 'Error';
    // Never shadow a JavaScript built-in: HAYWIRE_E_RANGE is HaywireRangeError.
    if (className in globalThis) className = 'Haywire' + className;
    const cls = { [className]: class extends HaywireError {} }[className];
    cls.status = code;
    cls.code = name;
    errorClasses[code] = cls;
  }
}

function camel(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())] =
      Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? camel(x) : x)) : v;
  }
  return out;
}

const K = Object.assign({}, ...Object.values(constants));

function create(adapterModule, libraryPath) {
  const path = libraryPath || process.env[LIBRARY_ENV] || SONAME;
  let ad;
  try {
    ad = adapterModule.open(path);
  } catch (e) {
    throw new Error(`cannot load libhaywire (${path}): ${e.message}; install libhaywire or ` +
      `set ${LIBRARY_ENV} to the library's path`);
  }
  const fn = ad.fn;
  buildErrors(fn);

  function check(status, call) {
    if (status < 0) {
      const message = fn.haywire_last_error() || fn.haywire_strerror(status);
      const Cls = errorClasses[status] || HaywireError;
      throw new Cls(message, status, fn.haywire_status_name(status), call);
    }
    return status;
  }

  // Call a constructor-like C function whose last argument is an out handle.
  function make(name, ...args) {
    const out = Buffer.alloc(8);
    check(fn[name](...args, out), name);
    return ad.readPointer(out);
  }

  const u64Out = () => Buffer.alloc(8);
  const u64 = (buf) => buf.readBigUInt64LE(0);

  function readInto(name, h, addr, length) {
    const buf = Buffer.alloc(Number(length));
    check(fn[name](h, BigInt(addr), buf, BigInt(length), u64Out()), name);
    return buf;
  }

  // An owned (or borrowed) C handle; closing it closes what was made from it first.
  class Handle {
    constructor(ptr, parent, free) {
      this._ptr = ptr;
      this._free = free; // C function releasing it, or null when borrowed
      this._children = new Set();
      this._parent = parent || null;
      if (parent) parent._children.add(this);
    }

    get _h() {
      if (this._ptr === null) throw new Error(`${this.constructor.name} is closed`);
      return this._ptr;
    }

    get closed() {
      return this._ptr === null;
    }

    close() {
      for (const child of this._children) child.close();
      this._children.clear();
      if (this._parent) this._parent._children.delete(this);
      const ptr = this._ptr;
      this._ptr = null;
      if (ptr !== null && this._free) fn[this._free](ptr);
    }
  }
  if (Symbol.dispose) Handle.prototype[Symbol.dispose] = Handle.prototype.close;

  class Source extends Handle {
    constructor(ptr, parent = null, owned = true) {
      super(ptr, parent, owned ? 'haywire_source_close' : null);
    }

    get kind() { return fn.haywire_source_kind(this._h); }

    get flags() { return fn.haywire_source_flags(this._h); }

    get ramSize() { return fn.haywire_source_ram_size(this._h); }

    ramRanges() {
      const n = fn.haywire_source_ram_range_count(this._h);
      const buf = alloc('haywire_ram_range', Number(n));
      const count = u64Out();
      check(fn.haywire_source_ram_ranges(this._h, buf, n, count), 'haywire_source_ram_ranges');
      const size = STRUCTS.haywire_ram_range.size;
      return Array.from({ length: Number(u64(count)) },
        (_, i) => camel(decode('haywire_ram_range', buf, i * size)));
    }

    read(pa, length) { return readInto('haywire_source_read', this._h, pa, length); }

    map(pa, length) {
      const out = Buffer.alloc(8);
      check(fn.haywire_source_map(this._h, BigInt(pa), BigInt(length), out), 'haywire_source_map');
      return ad.view(ad.readPointer(out), Number(length));
    }

    isRam(pa, length = 1) { return fn.haywire_source_is_ram(this._h, BigInt(pa), BigInt(length)) === 1; }

    vmcoreinfo() {
      const text = Buffer.alloc(8);
      const len = u64Out();
      const status = fn.haywire_source_vmcoreinfo(this._h, text, len);
      if (status === STATUS.HAYWIRE_E_NOT_FOUND) return null;
      check(status, 'haywire_source_vmcoreinfo');
      return Buffer.from(ad.view(ad.readPointer(text), Number(u64(len)))).toString('utf8');
    }

    cpuStates() {
      const out = [];
      for (let i = 0; i < fn.haywire_source_cpu_count(this._h); i++) {
        const buf = alloc('haywire_cpu_state');
        check(fn.haywire_source_cpu_state(this._h, i, buf), 'haywire_source_cpu_state');
        out.push(camel(decode('haywire_cpu_state', buf)));
      }
      return out;
    }

    // Stop / restart a live guest's vCPUs (UnsupportedError for files and dumps).
    pause() { check(fn.haywire_source_pause(this._h), 'haywire_source_pause'); }

    resume() { check(fn.haywire_source_resume(this._h), 'haywire_source_resume'); }

    // A named property, e.g. 'read_path' of a QMP source; null if it has none.
    property(name) { return fn.haywire_source_property(this._h, name); }

    kernel({ calibrate = false, noKallsyms = false, scanVmcoreinfo = false } = {}) {
      const opts = alloc('haywire_kernel_options');
      encode('haywire_kernel_options', opts, {
        flags: (calibrate ? K.HAYWIRE_KERNEL_CALIBRATE : 0) |
          (noKallsyms ? K.HAYWIRE_KERNEL_NO_KALLSYMS : 0) |
          (scanVmcoreinfo ? K.HAYWIRE_KERNEL_SCAN_VMCOREINFO : 0),
      });
      return new Kernel(make('haywire_kernel_open', this._h, opts), this);
    }

    aspace(format, root) {
      return new Aspace(make('haywire_aspace_new', this._h, formatBuffer(format), BigInt(root)),
        this);
    }
  }

  function formatBuffer(format = {}) {
    const buf = alloc('haywire_mmu_format');
    const snake = {};
    for (const [k, v] of Object.entries(format)) snake[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = v;
    return encode('haywire_mmu_format', buf, snake);
  }

  const TRANSLATE_RESULTS = () => [0, STATUS.HAYWIRE_E_NOT_MAPPED, STATUS.HAYWIRE_E_CORRUPT];

  class Aspace extends Handle {
    constructor(ptr, parent, owned = true) {
      super(ptr, parent, owned ? 'haywire_aspace_free' : null);
    }

    get root() { return fn.haywire_aspace_root(this._h); }

    get format() {
      const buf = alloc('haywire_mmu_format');
      check(fn.haywire_aspace_format(this._h, buf), 'haywire_aspace_format');
      return camel(decode('haywire_mmu_format', buf));
    }

    get vaBounds() {
      const first = u64Out();
      const last = u64Out();
      check(fn.haywire_aspace_va_bounds(this._h, first, last), 'haywire_aspace_va_bounds');
      return [u64(first), u64(last)];
    }

    // Unmapped or corrupt walks are results (see .status, .mapped), not exceptions.
    translate(va) {
      const buf = alloc('haywire_translation');
      const status = fn.haywire_aspace_translate(this._h, BigInt(va), buf);
      if (!TRANSLATE_RESULTS().includes(status)) check(status, 'haywire_aspace_translate');
      const t = camel(decode('haywire_translation', buf));
      const levels = t.levels;
      t.steps = t.steps.slice(0, Math.min(t.nsteps, t.steps.length))
        .map((s) => ({ ...s, levelName: fn.haywire_mmu_level_name(levels, s.depth) }));
      delete t.nsteps;
      t.mapped = t.status === 0;
      return t;
    }

    _window(first, last) {
      const [lo, hi] = this.vaBounds;
      return [first === undefined ? lo : BigInt(first), last === undefined ? hi : BigInt(last)];
    }

    // Mapped ranges overlapping [first, last] in VA order, fetched `chunk` at a time.
    * ranges({ first, last, chunk = 512 } = {}) {
      let [va, end] = this._window(first, last);
      const size = STRUCTS.haywire_va_range.size;
      const buf = alloc('haywire_va_range', chunk);
      const count = u64Out();
      const next = u64Out();
      for (;;) {
        const status = fn.haywire_aspace_ranges(this._h, va, end, buf, BigInt(chunk), count, next);
        if (status !== STATUS.HAYWIRE_E_RANGE) check(status, 'haywire_aspace_ranges');
        const n = Number(u64(count));
        const got = [];
        for (let i = 0; i < n; i++) got.push(camel(decode('haywire_va_range', buf, i * size)));
        yield* got;
        if (status === 0 || u64(next) <= va) return;
        va = u64(next);
      }
    }

    anomalies({ first, last, cap = 4096 } = {}) {
      const [lo, hi] = this._window(first, last);
      const buf = alloc('haywire_anomaly_info', cap);
      const count = u64Out();
      const status = fn.haywire_aspace_anomalies(this._h, lo, hi, buf, BigInt(cap), count);
      if (status !== STATUS.HAYWIRE_E_RANGE) check(status, 'haywire_aspace_anomalies');
      const size = STRUCTS.haywire_anomaly_info.size;
      return Array.from({ length: Math.min(Number(u64(count)), cap) },
        (_, i) => camel(decode('haywire_anomaly_info', buf, i * size)));
    }

    // onRange(range) for every range (haywire_aspace_enumerate); returning true
    // (exactly: not any truthy value) stops the walk.
    walk(onRange, { first, last, onAnomaly, maxTables = 0, maxAnomalies = 0 } = {}) {
      const [lo, hi] = this._window(first, last);
      const errors = [];
      const guard = (name, cb) => ad.callback(STRUCTS[name].size, (view) => {
        try {
          return cb(camel(decode(name, view))) === true ? 1 : 0; // only true stops
        } catch (e) { // never unwind through C: stop the walk, rethrow below
          errors.push(e);
          return 1;
        }
      });
      const rangeCb = guard('haywire_va_range', onRange);
      const anomalyCb = onAnomaly ? guard('haywire_anomaly_info', onAnomaly) : null;
      const opts = alloc('haywire_walk_options');
      encode('haywire_walk_options', opts, {
        max_tables: maxTables, max_anomalies: maxAnomalies,
        on_anomaly: anomalyCb ? anomalyCb.address : 0n,
      });
      try {
        const status = fn.haywire_aspace_enumerate(this._h, lo, hi, rangeCb.value, ad.NULL, opts);
        if (errors.length) throw errors[0];
        check(status, 'haywire_aspace_enumerate');
      } finally {
        rangeCb.release();
        if (anomalyCb) anomalyCb.release();
      }
      const o = decode('haywire_walk_options', opts);
      return { tablesVisited: o.tables_visited, anomalies: o.anomalies, ranges: o.ranges,
        stopVa: o.stop_va };
    }
  }

  class Procs extends Handle {
    constructor(ptr, parent) { super(ptr, parent, 'haywire_procs_free'); }

    get length() { return Number(fn.haywire_procs_count(this._h)); }

    get(index) {
      const buf = alloc('haywire_task');
      check(fn.haywire_procs_get(this._h, BigInt(index), buf), 'haywire_procs_get');
      const t = camel(decode('haywire_task', buf));
      return { index: Number(index), ...t,
        kernelThread: (t.flags & K.HAYWIRE_TASK_KERNEL_THREAD) !== 0,
        isThread: (t.flags & K.HAYWIRE_TASK_THREAD) !== 0 };
    }

    * [Symbol.iterator]() {
      const n = this.length;
      for (let i = 0; i < n; i++) yield this.get(i);
    }

    find(pid) {
      const index = u64Out();
      check(fn.haywire_procs_find(this._h, pid, index), 'haywire_procs_find');
      return this.get(u64(index));
    }

    aspace(task) {
      const index = typeof task === 'object' ? task.index : task;
      return new Aspace(make('haywire_procs_aspace', this._h, BigInt(index)), this);
    }
  }

  class Kernel extends Handle {
    constructor(ptr, parent) { super(ptr, parent, 'haywire_kernel_close'); }

    get info() {
      const buf = alloc('haywire_kernel_info');
      check(fn.haywire_kernel_get_info(this._h, buf), 'haywire_kernel_get_info');
      return camel(decode('haywire_kernel_info', buf));
    }

    get release() { return fn.haywire_kernel_release(this._h); }

    // Borrowed: valid while the kernel is open.
    get source() { return new Source(fn.haywire_kernel_source(this._h), this, false); }

    get aspace() { return new Aspace(fn.haywire_kernel_aspace(this._h), this, false); }

    symbol(name) {
      const addr = u64Out();
      check(fn.haywire_kernel_symbol(this._h, name, addr), 'haywire_kernel_symbol');
      return u64(addr);
    }

    read(kva, length) { return readInto('haywire_kernel_read', this._h, kva, length); }

    snapshot({ threads = false } = {}) {
      return new Procs(make('haywire_procs_snapshot', this._h,
        threads ? K.HAYWIRE_PROCS_THREADS : 0), this);
    }

    processes({ threads = false } = {}) {
      const procs = this.snapshot({ threads });
      try {
        return [...procs];
      } finally {
        procs.close();
      }
    }

    // The reverse map of PROCS (a snapshot; omitted: the processes now).
    rmap({ procs = null, maxEntries = 0, maxTables = 0, maxAnomalies = 0 } = {}) {
      const opts = alloc('haywire_rmap_options');
      encode('haywire_rmap_options', opts, {
        max_entries: maxEntries, max_tables: maxTables, max_anomalies: maxAnomalies,
      });
      const ptr = make('haywire_rmap_build', this._h, procs ? procs._h : ad.NULL, opts);
      return new Rmap(ptr, this, opts);
    }
  }

  // Every physical page's owners, and per-process RSS/PSS/USS (haywire/rmap.h).
  class Rmap extends Handle {
    constructor(ptr, kernel, opts) {
      super(ptr, kernel, 'haywire_rmap_free');
      this._kernel = kernel;
      this._opts = opts;
    }

    // Rebuild in place from the guest as it is now, reusing this map's memory
    // (haywire_rmap_rebuild): a live view's refresh. On failure the map is closed.
    refresh({ procs = null } = {}) {
      const old = this._h;
      this._ptr = null;
      const out = Buffer.alloc(8);
      check(fn.haywire_rmap_rebuild(old, this._kernel._h, procs ? procs._h : ad.NULL,
        this._opts, out), 'haywire_rmap_rebuild');
      this._ptr = ad.readPointer(out);
      return this;
    }

    get stats() {
      const buf = alloc('haywire_rmap_stats');
      check(fn.haywire_rmap_get_stats(this._h, buf), 'haywire_rmap_get_stats');
      return camel(decode('haywire_rmap_stats', buf));
    }

    get processes() {
      const n = fn.haywire_rmap_proc_count(this._h);
      const out = [];
      for (let i = 0; i < n; i++) {
        const buf = alloc('haywire_rmap_proc');
        check(fn.haywire_rmap_proc_get(this._h, i, buf), 'haywire_rmap_proc_get');
        out.push({ index: i, ...camel(decode('haywire_rmap_proc', buf)) });
      }
      return out;
    }

    // Everything that maps or holds the page containing PA.
    owners(pa) {
      const size = STRUCTS.haywire_rmap_owner.size;
      const count = u64Out();
      for (let cap = 8; ;) {
        const buf = alloc('haywire_rmap_owner', cap);
        const status = fn.haywire_rmap_owners(this._h, BigInt(pa), buf, BigInt(cap), count);
        if (status !== STATUS.HAYWIRE_E_RANGE) {
          check(status, 'haywire_rmap_owners');
          return Array.from({ length: Number(u64(count)) },
            (_, i) => camel(decode('haywire_rmap_owner', buf, i * size)));
        }
        cap = Number(u64(count));
      }
    }

    // Kind, lowest owner id and mapcount of NPAGES base pages from PA, in one
    // call: what a picture of guest memory needs (typed arrays, no copies).
    pages(pa, npages) {
      const kind = new Uint8Array(npages);
      const owner = new Uint32Array(npages);
      const mapcount = new Uint32Array(npages);
      const view = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      check(fn.haywire_rmap_pages(this._h, BigInt(pa), BigInt(npages), view(kind), view(owner),
        view(mapcount)), 'haywire_rmap_pages');
      return { pa: BigInt(pa), kind, owner, mapcount };
    }

    // A process's user mapping runs in VA order (PROC: a process or its owner id).
    * mappings(proc, { chunk = 512 } = {}) {
      const index = typeof proc === 'object' ? proc.index : proc;
      const size = STRUCTS.haywire_rmap_mapping.size;
      const buf = alloc('haywire_rmap_mapping', chunk);
      const total = u64Out();
      for (let first = 0n; ;) {
        check(fn.haywire_rmap_proc_mappings(this._h, index, first, buf, BigInt(chunk), total),
          'haywire_rmap_proc_mappings');
        const left = u64(total) - first;
        const n = Number(left < BigInt(chunk) ? (left > 0n ? left : 0n) : BigInt(chunk));
        const got = [];
        for (let i = 0; i < n; i++) got.push(camel(decode('haywire_rmap_mapping', buf, i * size)));
        yield* got;
        first += BigInt(n);
        if (n === 0 || first >= u64(total)) return;
      }
    }

    kernelRanges() {
      const cap = 16;
      const pa = Buffer.alloc(8 * cap);
      const size = Buffer.alloc(8 * cap);
      const count = u64Out();
      check(fn.haywire_rmap_kernel_ranges(this._h, pa, size, BigInt(cap), count),
        'haywire_rmap_kernel_ranges');
      return Array.from({ length: Number(u64(count)) },
        (_, i) => ({ pa: pa.readBigUInt64LE(8 * i), size: size.readBigUInt64LE(8 * i) }));
    }

    // One object per user mapping of a base page, like haywire-rmap --dump.
    * dump() {
      const page = BigInt(this.stats.pageSize);
      for (const proc of this.processes) {
        for (const m of this.mappings(proc)) {
          for (let off = 0n; off < m.size; off += page) {
            yield { pid: proc.pid, va: m.va + off, pfn: (m.pa + off) / page,
              writable: (m.perms & K.HAYWIRE_PERM_WRITE) !== 0,
              exec: (m.perms & K.HAYWIRE_PERM_EXEC) !== 0 };
          }
        }
      }
    }
  }

  function mmuFormatDerive(format) {
    const buf = formatBuffer(format);
    check(fn.haywire_mmu_format_derive(buf), 'haywire_mmu_format_derive');
    return camel(decode('haywire_mmu_format', buf));
  }

  function mmuRootFromRegister(format, register) {
    const out = u64Out();
    check(fn.haywire_mmu_root_from_register(formatBuffer(format), BigInt(register), out),
      'haywire_mmu_root_from_register');
    return u64(out);
  }

  return {
    adapter: ad.name,
    libraryPath: path,
    open: (spec) => new Source(make('haywire_source_open', spec)),
    version: () => fn.haywire_version(),
    versionString: () => fn.haywire_version_string(),
    strerror: (status) => fn.haywire_strerror(status),
    statusName: (status) => fn.haywire_status_name(status),
    lastError: () => fn.haywire_last_error(),
    mmuLevelName: (levels, depth) => fn.haywire_mmu_level_name(levels, depth),
    mmuFormatDerive,
    mmuRootFromRegister,
    raw: fn, // every C function, declared (for calls the wrapper does not cover)
    STATUS,
    constants: K,
    HaywireError,
    errors: errorClasses,
    errorClass: (status) => errorClasses[status] || HaywireError,
    ...Object.fromEntries(Object.values(errorClasses).map((c) => [c.name, c])),
    Source, Kernel, Procs, Aspace, Rmap,
  };
}

module.exports = { create, HaywireError, abi };

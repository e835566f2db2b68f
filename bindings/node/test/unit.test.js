'use strict';
// Both Node adapters without a guest: completeness against the C API, struct
// layouts against the C compiler, behaviour on a synthetic RAM file.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ADAPTERS, requiredEnv, python } = require('./helpers');
const { abi } = require('../lib/core');

const cApi = JSON.parse(python('tests/bindings/c_api.py',
  [requiredEnv('HAYWIRE_LIBRARY'), requiredEnv('HAYWIRE_STRUCT_LAYOUT')]));

test('every public C function has a binding with its parameter count', () => {
  assert.deepStrictEqual(Object.keys(cApi.functions).sort(), cApi.exported,
    'header and library disagree');
  assert.deepStrictEqual(Object.keys(abi.FUNCTIONS).sort(), Object.keys(cApi.functions).sort());
  for (const [name, n] of Object.entries(cApi.functions)) {
    assert.strictEqual(abi.FUNCTIONS[name][1].length, n, `${name}: parameter count`);
  }
});

test('struct layouts match the C compiler (shared layout and koffi\'s own)', () => {
  assert.deepStrictEqual(Object.keys(abi.STRUCTS).sort(), cApi.structs);
  assert.deepStrictEqual(Object.keys(cApi.layout).sort(), cApi.structs,
    'tests/bindings/struct-layout.c misses a public struct');
  const { koffi, types } = require('../lib/koffi').structTypes();
  for (const [name, c] of Object.entries(cApi.layout)) {
    const ours = abi.STRUCTS[name];
    assert.strictEqual(ours.size, c.size, `sizeof(${name})`);
    const offsets = Object.fromEntries(Object.entries(ours.fields).map(([f, m]) => [f, m.offset]));
    assert.deepStrictEqual(offsets, c.fields, `${name}: offsets`);
    assert.strictEqual(koffi.sizeof(types[name]), c.size, `koffi sizeof(${name})`);
    for (const [f, off] of Object.entries(c.fields)) {
      assert.strictEqual(koffi.offsetof(types[name], f), off, `koffi offsetof(${name}, ${f})`);
    }
  }
});

test('constants are what the headers say', () => {
  python('bindings/gen_constants.py', ['--check']); // throws when stale
});

// An x86-64 4-level page table mapping VA 0x400000 to PA 0x5000 and VA2 to
// PA 0x6000 (two ranges) in 8 pages.
const [PML4, PDPT, PD, PT, PAGE, VA] = [0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x400000];
const [PAGE2, VA2] = [0x6000, 0x400000 + 0x10 * 4096];

function ramFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haywire-node-'));
  const ram = Buffer.alloc(8 * 4096);
  for (const [table, index, target] of [[PML4, 0, PDPT], [PDPT, 0, PD], [PD, 2, PT], [PT, 0, PAGE],
    [PT, 0x10, PAGE2]]) {
    ram.writeBigUInt64LE(BigInt(target | 7), table + 8 * index);
  }
  ram.write('hello guest', PAGE);
  const file = path.join(dir, 'ram');
  fs.writeFileSync(file, ram);
  return { dir, file };
}

for (const [name, load] of Object.entries(ADAPTERS)) {
  test(`${name}: the API on a synthetic RAM file`, async (t) => {
    const hw = load();
    assert.strictEqual(hw.adapter, name);
    assert.deepStrictEqual(Object.keys(hw.raw).sort(), Object.keys(cApi.functions).sort(),
      `${name} declares every public C function`);
    assert.ok(Object.values(hw.raw).every((f) => typeof f === 'function'));
    const { dir, file } = ramFile();
    t.after(() => fs.rmSync(dir, { recursive: true }));

    await t.test('status codes and errors come from the library', () => {
      assert.strictEqual(hw.STATUS.HAYWIRE_OK, 0);
      for (const [code, status] of Object.entries(hw.STATUS)) {
        assert.strictEqual(hw.statusName(status), code);
        if (status) assert.strictEqual(hw.errorClass(status).code, code);
      }
      assert.strictEqual(hw.version() >> 16, hw.constants.HAYWIRE_VERSION_MAJOR);
      const missing = path.join(dir, 'nothing-here');
      assert.throws(() => hw.open(`file:${missing}`), (e) => e instanceof hw.NotFoundError &&
        e instanceof hw.HaywireError && e.message.includes(missing) &&
        e.code === 'HAYWIRE_E_NOT_FOUND' && e.status === hw.STATUS.HAYWIRE_E_NOT_FOUND);
      assert.throws(() => hw.open(`file:${file},layout=nonsense`),
        (e) => e instanceof hw.InvalidError && /nonsense/.test(e.message));
    });

    await t.test('source', () => {
      const src = hw.open(`file:${file},layout=flat`);
      try {
        assert.strictEqual(src.kind, 'file');
        assert.deepStrictEqual(src.ramRanges(), [{ gpa: 0n, size: 32768n }]);
        assert.strictEqual(src.ramSize, 32768n);
        assert.strictEqual(src.read(PAGE, 11).toString(), 'hello guest');
        assert.strictEqual(src.map(PAGE, 4096).subarray(0, 5).toString(), 'hello');
        assert.ok(src.isRam(0, 4096) && !src.isRam(32768, 1));
        assert.throws(() => src.read(32768 - 4, 8), hw.NotRamError);
        assert.deepStrictEqual(src.cpuStates(), []);
        assert.strictEqual(src.vmcoreinfo(), null);
        assert.throws(() => src.kernel(), hw.NotFoundError);
      } finally {
        src.close();
      }
      assert.throws(() => src.read(0, 1), /closed/);
    });

    await t.test('translate, ranges, walk', () => {
      const src = hw.open(`file:${file},layout=flat`);
      const fmt = hw.mmuFormatDerive({ arch: hw.constants.HAYWIRE_ARCH_X86_64 });
      assert.deepStrictEqual([fmt.levels, fmt.vaBits, fmt.pageShift], [4, 48, 12]);
      const as = src.aspace(fmt, PML4);
      const tr = as.translate(VA + 0x123);
      assert.ok(tr.mapped);
      assert.strictEqual(tr.pa, BigInt(PAGE + 0x123));
      assert.deepStrictEqual(tr.steps.map((s) => s.tablePa), [PML4, PDPT, PD, PT].map(BigInt));
      assert.deepStrictEqual(tr.steps.map((s) => s.index), [0, 0, 2, 0]);
      assert.deepStrictEqual(tr.steps.map((s) => s.levelName), ['PGD', 'PUD', 'PMD', 'PTE']);
      assert.strictEqual(tr.steps[3].kind, hw.constants.HAYWIRE_ENTRY_PAGE);
      const miss = as.translate(VA + 4096);
      assert.ok(!miss.mapped && miss.status === hw.STATUS.HAYWIRE_E_NOT_MAPPED);
      const ranges = [...as.ranges()];
      assert.deepStrictEqual(ranges.map((r) => [r.va, r.pa, r.size]),
        [[BigInt(VA), BigInt(PAGE), 4096n], [BigInt(VA2), BigInt(PAGE2), 4096n]]);
      assert.deepStrictEqual([...as.ranges({ chunk: 1 })], ranges, 'resumes after a full buffer');
      assert.deepStrictEqual([...as.ranges({ first: VA2 })], ranges.slice(1));
      const seen = [];
      const stats = as.walk((r) => seen.push(r)); // a number: goes on
      assert.deepStrictEqual(seen, ranges);
      assert.strictEqual(stats.tablesVisited, 4n);
      assert.strictEqual(stats.ranges, 2n);
      seen.length = 0;
      as.walk((r) => { seen.push(r); return true; });
      assert.deepStrictEqual(seen, ranges.slice(0, 1), 'true stops the walk');
      assert.throws(() => as.walk(() => { throw new RangeError('from the callback'); }), RangeError);
      assert.deepStrictEqual(as.anomalies(), []);
      src.close();
      assert.ok(as.closed, 'closing the source closes its address spaces');
      assert.throws(() => as.translate(VA), /closed/);
    });
  });
}

test('index.d.ts declares exactly what the package exports', () => {
  const hw = ADAPTERS.koffi();
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  const declared = [...dts.matchAll(/^export declare (?:function|const|class) (\w+)/gm)]
    .map((m) => m[1]);
  const runtime = Object.keys(hw).filter((k) => !['Source', 'Kernel', 'Procs', 'Aspace', 'Rmap'].includes(k));
  assert.deepStrictEqual(declared.sort(), runtime.sort());
  assert.ok(!Object.keys(hw.errors).some((c) => hw.errors[c].name in globalThis),
    'an error class shadows a JavaScript built-in');
});

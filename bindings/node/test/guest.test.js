'use strict';
// Both Node adapters against the harness guest (HAYWIRE_GUEST_STATE): the
// process list equals the guest's /proc (compared by tests/guest/taskcompare.py,
// the rules every guest test shares), sample truth pages translate to their
// PFNs, the kernel is the one the guest runs.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ADAPTERS, ROOT, requiredEnv, python } = require('./helpers');

const state = requiredEnv('HAYWIRE_GUEST_STATE');
const env = Object.fromEntries(fs.readFileSync(path.join(state, 'env'), 'utf8').split('\n')
  .filter((l) => l.includes('=') && !l.startsWith('#'))
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const truthText = fs.readFileSync(env.TRUTH, 'utf8');
const header = (key) => (truthText.match(new RegExp(`^${key} (.*)$`, 'm')) || [])[1];

for (const [name, load] of Object.entries(ADAPTERS)) {
  test(`${name}: against the guest`, async (t) => {
    const hw = load();
    const src = hw.open(env.SOURCE_SPEC);
    const kernel = src.kernel();
    t.after(() => src.close());

    await t.test('kernel', () => {
      assert.strictEqual(kernel.release, header('release'));
      assert.strictEqual(kernel.info.pageSize, Number(header('pagesize')));
      assert.throws(() => kernel.symbol('no_such_symbol'),
        (e) => e instanceof hw.NotFoundError && /no_such_symbol/.test(e.message));
    });

    await t.test('processes equal the truth', () => {
      const tasks = kernel.processes({ threads: true }).map((x) => ({ pid: x.pid, tgid: x.tgid,
        ppid: x.ppid, uid: x.uid, comm: x.comm, kernel_thread: x.kernelThread,
        pgd: x.pgd ? `0x${x.pgd.toString(16)}` : null }));
      const out = python('tests/guest/taskcompare.py', ['tasks', state], JSON.stringify(tasks));
      t.diagnostic(out.trim());
      const processes = kernel.processes();
      assert.ok(processes.every((p) => !p.isThread));
      assert.strictEqual(processes.length, tasks.filter((x) => x.pid === x.tgid).length);
    });

    await t.test('sample pages translate to their PFNs', () => {
      const samples = JSON.parse(python('tests/guest/taskcompare.py', ['pages', state, '300']));
      assert.ok(samples.length > 0, 'the truth has no pages');
      const shift = BigInt(Math.log2(Number(header('pagesize'))));
      const procs = kernel.snapshot({ threads: true });
      const spaces = new Map();
      for (const s of samples) {
        if (!spaces.has(s.pid)) spaces.set(s.pid, procs.aspace(procs.find(s.pid)));
        const tr = spaces.get(s.pid).translate(BigInt(s.va));
        assert.ok(tr.mapped, `pid ${s.pid} va ${s.va}: status ${tr.status}`);
        assert.strictEqual(`0x${(tr.pa >> shift).toString(16)}`, s.pfn, `pid ${s.pid} va ${s.va}`);
      }
      const kthread = [...procs].find((x) => x.kernelThread);
      assert.throws(() => procs.aspace(kthread), hw.NotFoundError);
      procs.close();
    });

    await t.test('the reverse map owns sample pages where pagemap says', () => {
      const samples = JSON.parse(python('tests/guest/taskcompare.py', ['pages', state, '100']));
      const page = BigInt(header('pagesize'));
      const rmap = kernel.rmap();
      assert.strictEqual(BigInt(rmap.stats.pageSize), page);
      for (const s of samples) {
        const owners = rmap.owners(BigInt(s.pfn) * page);
        assert.ok(owners.some((o) => o.kind === hw.constants.HAYWIRE_RMAP_USER && o.pid === s.pid &&
          o.va === BigInt(s.va)), `pid ${s.pid} va ${s.va} pfn ${s.pfn}`);
      }
      const first = samples[0];
      const pages = rmap.pages(BigInt(first.pfn) * page, 1);
      assert.strictEqual(pages.kind[0], hw.constants.HAYWIRE_RMAP_USER);
      assert.ok(pages.mapcount[0] >= 1);
      const rss = rmap.processes.map((p) => [p.pid, p.rssBytes]);
      assert.deepStrictEqual(rmap.refresh().processes.map((p) => [p.pid, p.rssBytes]), rss);
      assert.ok(rmap.kernelRanges().length > 0);
      rmap.close();
      assert.ok(rmap.closed);
    });

    await t.test('the example lists the processes', () => {
      const out = execFileSync(process.execPath, [path.join(ROOT, 'examples/node/haywire-ps.js'),
        ...(name === 'ffi-napi' ? ['--ffi-napi'] : []), env.SOURCE_SPEC], { encoding: 'utf8' });
      const [listing, owners] = out.trim().split('\n\n');
      const pids = listing.split('\n').slice(2).map((l) => Number(l.trim().split(/\s+/)[0]));
      assert.strictEqual(owners.split('\n').slice(2).length, 5);
      assert.deepStrictEqual(pids.sort((a, b) => a - b),
        kernel.processes().map((p) => p.pid).sort((a, b) => a - b));
    });
  });
}

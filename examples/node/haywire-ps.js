#!/usr/bin/env node
'use strict';
// haywire-ps.js [--threads] [--calibrate] [--ffi-napi] [--top=N] SOURCE -- a guest's processes
// and its biggest memory owners, from Node.
//
//   HAYWIRE_LIBRARY=build/lib/libhaywire.so.1 NODE_PATH=bindings/node/node_modules \
//     node examples/node/haywire-ps.js file:/path/to/ram,layout=virt
// (inside a project that depends on the package: require('haywire')).
const path = require('node:path');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const source = args.find((a) => !a.startsWith('--'));
if (!source) {
  console.error('usage: haywire-ps.js [--threads] [--calibrate] [--ffi-napi] [--top=N] SOURCE');
  process.exit(2);
}
const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const hw = require(flag('--ffi-napi') ? path.join(pkg, 'ffi-napi') : pkg);

let src;
try {
  src = hw.open(source);
  const kernel = src.kernel({ calibrate: flag('--calibrate') });
  console.log(`# ${kernel.release}`);
  console.log(`${'PID'.padStart(7)} ${'TGID'.padStart(7)} ${'PPID'.padStart(7)} ${'UID'.padStart(6)}  ${'COMM'.padEnd(18)} TASK`);
  for (const t of kernel.processes({ threads: flag('--threads') })) {
    const name = t.kernelThread ? `[${t.comm}]` : t.comm;
    console.log(`${String(t.pid).padStart(7)} ${String(t.tgid).padStart(7)} ` +
      `${String(t.ppid).padStart(7)} ${String(t.uid).padStart(6)}  ${name.padEnd(18)} ` +
      `0x${t.task.toString(16).padStart(16, '0')}`);
  }
  const topArg = args.find((a) => a.startsWith('--top='));
  const top = topArg ? Number(topArg.slice(6)) : 5;
  if (top > 0) {
    const rmap = kernel.rmap();
    console.log(`\n# top ${top} owners of guest memory`);
    console.log(`${'PID'.padStart(7)}  ${'COMM'.padEnd(16)} ${'RSS_KB'.padStart(9)} ` +
      `${'PSS_KB'.padStart(9)} ${'USS_KB'.padStart(9)}`);
    const kb = (b) => String(b >> 10n).padStart(9);
    for (const p of rmap.processes.sort((a, b) => (b.rssBytes > a.rssBytes ? 1 : -1)).slice(0, top)) {
      console.log(`${String(p.pid).padStart(7)}  ${p.comm.padEnd(16)} ${kb(p.rssBytes)} ` +
        `${kb(p.pssBytes)} ${kb(p.ussBytes)}`);
    }
  }
} catch (e) {
  if (!(e instanceof hw.HaywireError)) throw e;
  console.error(`haywire-ps.js: ${e.message} [${e.code}]`);
  process.exitCode = 1;
} finally {
  if (src) src.close(); // closes the kernel too
}

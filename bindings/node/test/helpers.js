'use strict';
// Test setup shared by the Node tests (the same variables as the Python tests):
//   HAYWIRE_LIBRARY        the libhaywire.so.1 to test
//   HAYWIRE_STRUCT_LAYOUT  tests/bindings/struct-layout of the same build
//   HAYWIRE_GUEST_STATE    a booted guest's state dir, for guest.test.js
//   HAYWIRE_PYTHON         the Python running the shared helpers (default /usr/bin/python3)
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.HAYWIRE_PYTHON || '/usr/bin/python3';

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`$${name} is not set (see bindings/node/test/helpers.js)`);
  return value;
}

// Both adapters; a missing one is a failure, not a skip (npm ci installs both).
function load(module, dep) {
  return () => {
    try {
      return require(module);
    } catch (e) {
      if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(dep)) {
        throw new Error(`${dep} is not installed (NODE_PATH=${process.env.NODE_PATH || ''}): ` +
          'the npm-ci test installs it from the npm registry; did it fail?');
      }
      throw e;
    }
  };
}
const ADAPTERS = {
  koffi: load('..', 'koffi'),
  'ffi-napi': load('../ffi-napi', '@2060.io/ffi-napi'),
};

function python(script, args, input) {
  return execFileSync(PYTHON, [path.join(ROOT, script), ...args],
    { input, encoding: 'utf8', maxBuffer: 64 << 20 });
}

module.exports = { ROOT, ADAPTERS, requiredEnv, python };
